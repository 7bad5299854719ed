/**
 * The fast path's flag parser against node:util's parseArgs (strict, the same table): whatever
 * it accepts, parseArgs accepts with the same result; what parseArgs refuses it declines (the
 * full CLI then reports the usage error). And it does not decline the usual spellings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { parseRunArgs } from './run-fast.ts';
import { runFlags } from './commands/run-flags.ts';

function oracle(args: string[]): { values: Record<string, unknown>; positionals: string[] } | undefined {
  try {
    const r = parseArgs({
      args,
      options: Object.fromEntries(runFlags.map((f) => [f.name, { type: 'string' as const, multiple: f.repeatable === true }])),
      allowPositionals: true,
      strict: true,
    });
    return { values: { ...r.values }, positionals: r.positionals };
  } catch {
    return undefined;
  }
}

test('the usual spellings parse as parseArgs parses them', () => {
  const cases: string[][] = [
    [],
    ['--format', 'ndjson', '--source', '/src', '--secret', 'A', '--secret', 'B'],
    ['--source=/src', '--env', 'K=V', '--env=L=W', '--job', 'https://x/y.tgz'],
    ['--plugin-dir', 'p', '--job-id', 'id-1', '--work-dir', '/w', '--', 'echo', '--source', '-x'],
    ['echo', 'hi'],
    ['--format', 'text', '--', '--', 'a'],
    ['--source', 'a', '--source', 'b'],
    ['-', '--env', ''],
  ];
  for (const args of cases) {
    const mine = parseRunArgs(args);
    assert.ok(mine !== undefined, `declined ${JSON.stringify(args)}`);
    assert.deepEqual({ values: { ...mine.values }, positionals: mine.positionals }, oracle(args), JSON.stringify(args));
  }
});

test('what parseArgs refuses is declined, so the full CLI reports it', () => {
  for (const args of [['--source'], ['--nope', 'x'], ['-s', 'x'], ['--source', '--format', 'x'], ['--secret', '-x'], ['-abc']]) {
    assert.equal(oracle(args), undefined, JSON.stringify(args));
    assert.equal(parseRunArgs(args), undefined, JSON.stringify(args));
  }
});

test('never a different answer than parseArgs, over arbitrary argument lists', () => {
  const token = fc.oneof(
    fc.constantFrom('--', '-', '-x', '--nope', '--source', '--env', '--secret', '--format', '--job-id=', '--env=A=B', '--plugin-dir'),
    fc.constantFrom(...runFlags.map((f) => `--${f.name}`)),
    fc.string({ maxLength: 6 }),
  );
  fc.assert(
    fc.property(fc.array(token, { maxLength: 8 }), (args) => {
      const mine = parseRunArgs(args);
      if (mine === undefined) return; // declining is always allowed: the full CLI decides
      assert.deepEqual({ values: { ...mine.values }, positionals: mine.positionals }, oracle(args), JSON.stringify(args));
    }),
    { numRuns: 2000 },
  );
});
