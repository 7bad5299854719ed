// A TypeScript job: runs on Node 20+ with no build step. `reactorcide/job` is provided by the
// runner, so the job needs nothing installed.
import { job, mask } from 'reactorcide/job';

interface Check {
  readonly name: string;
  readonly ok: boolean;
}

const checks: Check[] = [
  { name: 'runs in the source directory', ok: process.cwd() === job.sourceDir },
  { name: 'plugin prepared BUILD_LABEL', ok: (process.env.BUILD_LABEL ?? '').startsWith('build-') },
];

for (const c of checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}`);

const apiKey = `key-${job.id}-0123456789`;
mask(apiKey, 'EXAMPLE_API_KEY'); // synchronous: safe to print from the next line on
console.error(`calling the API with ${apiKey}`);

process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
