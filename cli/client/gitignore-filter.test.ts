import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitignoreFilter } from './gitignore-filter.ts';

test('root and nested .gitignore rules, negation in a deeper file, directories, and .git', async () => {
  const root = await mkdtemp(join(tmpdir(), 'rc-gitignore-'));
  try {
    await mkdir(join(root, 'sub/deep'), { recursive: true });
    await writeFile(join(root, '.gitignore'), '*.log\nbuild/\n/top-only.txt\n');
    await writeFile(join(root, 'sub/.gitignore'), '!keep.log\nsecret.txt\n');
    const ignored = gitignoreFilter(root);
    assert.equal(ignored('a.log', false), true);
    assert.equal(ignored('sub/deep/b.log', false), true);
    assert.equal(ignored('sub/keep.log', false), false, 'a deeper negation wins');
    assert.equal(ignored('build', true), true);
    assert.equal(ignored('build', false), false, '`build/` matches only a directory');
    assert.equal(ignored('top-only.txt', false), true);
    assert.equal(ignored('sub/top-only.txt', false), false, 'a rooted pattern matches only at its root');
    assert.equal(ignored('sub/secret.txt', false), true);
    assert.equal(ignored('secret.txt', false), false, 'a nested file\'s rules apply only below it');
    assert.equal(ignored('.git', true), true);
    assert.equal(ignored('src/main.ts', false), false);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
