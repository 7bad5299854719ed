import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reservedEnvNameReason } from '../../core/reserved-env-names.ts';
import { compileParamPattern, paramLimits, paramValueProblem } from './param-pattern.ts';

test('a pattern matches the whole value: a prefix followed by a second assignment does not pass', () => {
  const p = compileParamPattern('[a-z0-9-]{1,40}', 'f');
  assert.equal(paramValueProblem(p, 'main'), null);
  for (const v of ['main\nLD_PRELOAD=/tmp/x.so', 'main LD_PRELOAD=x', 'main\n', '\nmain', 'MAIN', '']) {
    assert.notEqual(paramValueProblem(p, v), null, JSON.stringify(v));
  }
});

test('patterns RE2 cannot run in linear time are refused when the definition is written', () => {
  for (const bad of ['(a)\\1', '(?=a)a', '(?!a)b', '(?<=a)b', 'a{1001}', '', 'x'.repeat(paramLimits.maxPatternLength + 1)]) {
    assert.throws(() => compileParamPattern(bad, 'body.params.X.pattern'), (e: Error & { code?: string }) => e.code === 'invalid_input', bad);
  }
});

test('a pattern that backtracks catastrophically elsewhere answers at once here', () => {
  const p = compileParamPattern('(a+)+$', 'f');
  const started = performance.now();
  assert.notEqual(paramValueProblem(p, 'a'.repeat(paramLimits.maxValueLength - 1) + '!'), null);
  assert.ok(performance.now() - started < 500, `took ${performance.now() - started} ms`);
  const nested = compileParamPattern('(x*)*(y*)*z', 'f');
  assert.notEqual(paramValueProblem(nested, 'xy'.repeat(500)), null);
});

test('values that are too long or hold NUL are refused whatever the pattern says', () => {
  const any = compileParamPattern('(?s).*', 'f');
  assert.match(paramValueProblem(any, 'a'.repeat(paramLimits.maxValueLength + 1)) ?? '', /longer than/);
  assert.match(paramValueProblem(any, 'a\0b') ?? '', /NUL/);
  assert.equal(paramValueProblem(any, 'a\nb'), null);
});

test('names that would change what runs are reserved, in any case; look-alikes are not env names at all', () => {
  const reserved = [
    'NODE_OPTIONS', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'PATH', 'BASH_ENV', 'ENV', 'HOME', 'PYTHONPATH', 'PERL5OPT', 'RUBYOPT',
    'GIT_SSH_COMMAND', 'GIT_CONFIG_GLOBAL', 'npm_config_registry', 'NPM_CONFIG_USERCONFIG', 'REACTORCIDE_JOB_CODE',
    'REACTORCIDE_SECRET_NAMES', 'ld_preload', 'Path', 'node_options', 'Bash_Env', 'http_proxy', 'AWS_ENDPOINT_URL',
    'BASH_FUNC_echo%%', 'DYLD_INSERT_LIBRARIES', 'JAVA_TOOL_OPTIONS',
  ];
  for (const name of reserved) assert.notEqual(reservedEnvNameReason(name), null, name);
  // Cyrillic Е and О, a fullwidth letter, a zero-width joiner, a newline, '=': not env names.
  for (const name of ['LD_PR\u0415LOAD', 'N\u041EDE_OPTIONS', '\uff30ATH', 'PA\u200dTH', 'FOO=1\nLD_PRELOAD', 'A=B', '1ABC', '']) {
    assert.match(reservedEnvNameReason(name) ?? '', /not an env var name/, JSON.stringify(name));
  }
  for (const name of ['BRANCH', 'TARGET', 'pr_number', 'LOG_LEVEL']) assert.equal(reservedEnvNameReason(name), null, name);
});
