import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseServerConfig } from '../compose/config.ts';
import { parseSourceHostPatterns, sourceHostProblem } from './contributor-source-host.ts';

const allowed = parseSourceHostPatterns('codeload.github.com, *.githubusercontent.com');

describe("a contributor's https source host", () => {
  // Each refused whatever the allowlist says: the list below allows even `*.internal`.
  const wide = [...allowed, '*.internal', 'intranet'];
  const refused: Array<[string, string, RegExp]> = [
    ['IPv4 literal', 'https://10.0.0.1/pr.tgz', /host 10\.0\.0\.1 is an IP address/],
    ['loopback IPv4', 'https://127.0.0.1:8443/pr.tgz', /is an IP address/],
    ['cloud metadata address', 'https://169.254.169.254/latest/meta-data', /host 169\.254\.169\.254 is an IP address/],
    ['IPv6 literal', 'https://[::1]/pr.tgz', /host \[::1\] is an IP address/],
    ['IPv4-mapped IPv6', 'https://[::ffff:127.0.0.1]/pr.tgz', /is an IP address/],
    ['decimal IPv4', 'https://2130706433/pr.tgz', /host 127\.0\.0\.1 is an IP address/],
    ['hex IPv4', 'https://0x7f000001/pr.tgz', /host 127\.0\.0\.1 is an IP address/],
    ['dotted hex IPv4', 'https://0x7f.0.0.1/pr.tgz', /host 127\.0\.0\.1 is an IP address/],
    ['octal IPv4', 'https://0177.0.0.01/pr.tgz', /host 127\.0\.0\.1 is an IP address/],
    ['short IPv4', 'https://127.1/pr.tgz', /host 127\.0\.0\.1 is an IP address/],
    ['localhost', 'https://localhost/pr.tgz', /host localhost is this machine/],
    ['localhost with a trailing dot', 'https://LOCALHOST./pr.tgz', /host localhost is this machine/],
    ['a .localhost name', 'https://api.localhost/pr.tgz', /is this machine/],
    ['user@host', 'https://user@codeload.github.com/pr.tgz', /user name or password/],
    ['user:password@host', 'https://a:b@codeload.github.com/pr.tgz', /user name or password/],
    ['an allowed host as userinfo in front of another', 'https://codeload.github.com@10.0.0.1/pr.tgz', /user name or password/],
  ];
  for (const [what, url, reason] of refused) {
    test(`${what}: ${url} is refused`, () => {
      assert.match(sourceHostProblem(url, wide) ?? 'allowed', reason);
    });
  }

  const notListed: Array<[string, string]> = [
    ['another host', 'https://evil.example/pr.tgz'],
    ['a cluster service name', 'https://kubernetes.default.svc/api'],
    ['the allowed name as a suffix of another', 'https://evilcodeload.github.com/pr.tgz'],
    ['the allowed name with more after it', 'https://codeload.github.com.evil.example/pr.tgz'],
    ['the bare domain of a *. pattern', 'https://githubusercontent.com/pr.tgz'],
  ];
  for (const [what, url] of notListed) {
    test(`${what}: ${url} is not allowlisted, and the refusal names the setting`, () => {
      assert.match(sourceHostProblem(url, allowed) ?? 'allowed', /is not one contributors may fetch from \(REACTORCIDE_CONTRIBUTOR_SOURCE_HOSTS: it allows codeload\.github\.com, \*\.githubusercontent\.com\)/);
    });
  }

  test('with no setting, no host is allowed', () => {
    assert.match(sourceHostProblem('https://codeload.github.com/o/r/tar.gz/abc', []) ?? 'allowed', /REACTORCIDE_CONTRIBUTOR_SOURCE_HOSTS: it allows none\); upload the tarball with PUT \/v1\/blobs/);
  });

  const accepted = [
    'https://codeload.github.com/owner/repo/tar.gz/0123abc',
    'https://CodeLoad.GitHub.com./owner/repo/tar.gz/0123abc',
    'https://codeload.github.com:443/owner/repo/tar.gz/0123abc',
    'https://objects.githubusercontent.com/pr.tgz',
    'https://a.b.githubusercontent.com/pr.tgz',
  ];
  for (const url of accepted) {
    test(`an allowed host is accepted: ${url}`, () => {
      assert.equal(sourceHostProblem(url, allowed), null);
    });
  }
});

describe('REACTORCIDE_CONTRIBUTOR_SOURCE_HOSTS', () => {
  test('absent or empty: none', () => {
    assert.deepEqual(parseServerConfig({}).contributorSourceHosts, []);
    assert.deepEqual(parseServerConfig({ REACTORCIDE_CONTRIBUTOR_SOURCE_HOSTS: ' ' }).contributorSourceHosts, []);
  });
  test('host names and *.domain patterns, trimmed and lowercased', () => {
    assert.deepEqual(parseServerConfig({ REACTORCIDE_CONTRIBUTOR_SOURCE_HOSTS: 'CodeLoad.github.com , *.example.org' }).contributorSourceHosts, [
      'codeload.github.com',
      '*.example.org',
    ]);
  });
  for (const bad of ['10.0.0.1', '[::1]', '::1', 'localhost', '*.localhost', '*', '*.com', 'a b', 'https://x.example', 'x.example:443', 'a,,b']) {
    test(`${JSON.stringify(bad)} stops the server at start, naming the setting`, () => {
      assert.throws(() => parseServerConfig({ REACTORCIDE_CONTRIBUTOR_SOURCE_HOSTS: bad }), /^Error: REACTORCIDE_CONTRIBUTOR_SOURCE_HOSTS: /);
    });
  }
});
