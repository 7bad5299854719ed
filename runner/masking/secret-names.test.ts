import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defaultSecretNameGlobs, globToRegExp, secretNameMatcher, secretsFromEnv } from './secret-names.ts';

test('the default globs cover the conventional secret names, case-insensitively', () => {
  const env = {
    NPM_TOKEN: 'n', GH_SECRET: 's', DB_PASSWORD: 'p', GPG_PASSPHRASE: 'g', SIGNING_PRIVATE_KEY: 'k',
    DEPLOY_SSH_KEY: 'h', AWS_ACCESS_KEY: 'a', AWS_SECRET_KEY: 'w', OPENAI_API_KEY: 'o',
    PG_CONNECTION_STRING: 'c', lower_token: 'l', PATH: '/bin', TOKEN: 'bare', MY_TOKEN_FILE: 'f', EMPTY_TOKEN: '',
  };
  const names = secretsFromEnv(env, []).map(([n]) => n);
  assert.deepEqual(names, ['NPM_TOKEN', 'GH_SECRET', 'DB_PASSWORD', 'GPG_PASSPHRASE', 'SIGNING_PRIVATE_KEY',
    'DEPLOY_SSH_KEY', 'AWS_ACCESS_KEY', 'AWS_SECRET_KEY', 'OPENAI_API_KEY', 'PG_CONNECTION_STRING', 'lower_token']);
  assert.equal(defaultSecretNameGlobs.length, 10);
});

test('explicit names come first, each name once, with their values', () => {
  const env = { DEPLOY_TARGET: 'prod-cluster', NPM_TOKEN: 'npm_x', MISSING: undefined };
  assert.deepEqual(secretsFromEnv(env, ['DEPLOY_TARGET', 'NPM_TOKEN', 'MISSING', 'ABSENT']), [
    ['DEPLOY_TARGET', 'prod-cluster'],
    ['NPM_TOKEN', 'npm_x'],
  ]);
});

test('custom globs with * and ?; regex characters are literal', () => {
  assert.deepEqual(secretsFromEnv({ KEY_1: 'a', KEY_12: 'b', 'A.B': 'c', AXB: 'd' }, [], ['KEY_?', 'A.B']), [
    ['KEY_1', 'a'],
    ['A.B', 'c'],
  ]);
  assert.ok(globToRegExp('*_token').test('X_TOKEN'));
  assert.ok(!globToRegExp('*_TOKEN').test('X_TOKENS'));
});

test('the combined matcher anchors each glob alone and matches nothing without globs', () => {
  const looksSecret = secretNameMatcher(['A|B', 'KEY_?', '*_TOKEN']);
  assert.ok(looksSecret('A|B'));
  assert.ok(!looksSecret('A'), 'a | in a glob is literal, not an alternative');
  assert.ok(looksSecret('key_1') && looksSecret('x_token'));
  assert.ok(!looksSecret('KEY_12') && !looksSecret('X_TOKENS') && !looksSecret('XKEY_1'));
  assert.ok(!secretNameMatcher([])('ANY_TOKEN'));
  assert.ok(secretNameMatcher()('NPM_TOKEN'));
});

test('the matcher agrees with the glob RegExps, whatever the names and globs', () => {
  fc.assert(
    fc.property(
      fc.array(fc.stringMatching(/^[A-Za-z_*?.|ßıſK\u212a-]{0,8}$/), { maxLength: 4 }),
      fc.stringMatching(/^[A-Za-z_.|ßıſK\u212a\n-]{0,10}$/),
      (globs, name) => {
        const expected = globs.some((g) => globToRegExp(g).test(name));
        assert.equal(secretNameMatcher(globs)(name), expected, `${JSON.stringify(globs)} ${JSON.stringify(name)}`);
      },
    ),
    { numRuns: 3000 },
  );
});
