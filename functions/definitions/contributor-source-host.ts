/**
 * Which hosts a contributor's `https://` source may come from. The runner fetches that URL from
 * inside the cluster, so a URL of the contributor's choosing is a way to reach internal services
 * (SSRF). By default no host is allowed — a contributor uploads the tarball with `PUT /v1/blobs`
 * — and an operator lists the hosts it trusts (`REACTORCIDE_CONTRIBUTOR_SOURCE_HOSTS`, e.g.
 * `codeload.github.com`). Whatever the list says, an IP literal, `localhost` and a URL carrying
 * userinfo are refused: none has a place in a pull request's tarball URL, and each is a classic
 * way around a host check.
 */
import { isIpLiteral, isLocalhost } from '../../core/internal-host.ts';

/** The setting that lists them, named in every refusal so an operator knows where to look. */
export const contributorSourceHostsSetting = 'REACTORCIDE_CONTRIBUTOR_SOURCE_HOSTS';

// A host name label as DNS allows it (letters, digits, inner hyphens), for patterns.
const label = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const hostPattern = new RegExp(`^(?:\\*\\.)?${label}(?:\\.${label})*$`);

/**
 * Parses the setting: comma-separated host names, each optionally `*.`-prefixed to allow every
 * subdomain of it (not the name itself). An IP address, `localhost` or anything else is an error
 * naming the setting, so a wrong list stops the server at start rather than opening a hole.
 */
export function parseSourceHostPatterns(text: string | undefined, setting: string = contributorSourceHostsSetting): readonly string[] {
  if (text === undefined || text.trim() === '') return Object.freeze([]);
  const patterns = text.split(',').map((p) => p.trim().toLowerCase().replace(/\.$/, ''));
  for (const p of patterns) {
    if (!hostPattern.test(p) || isIpLiteral(p.replace(/^\*\./, '')) || isLocalhost(p.replace(/^\*\./, '')) || /^\*\.[^.]+$/.test(p)) {
      throw new Error(`${setting}: ${JSON.stringify(p)} is not a host name or a *.domain pattern (IP addresses, localhost and bare top-level wildcards are never allowed)`);
    }
  }
  return Object.freeze(patterns);
}

/**
 * Why a contributor may not have the runner fetch `url`, or null when it may. `url` is already
 * known to start with `https://`. The host is judged as the WHATWG URL parser — the one the
 * runner's fetch uses — reads it, so decimal, hex and octal IPv4 forms (`2130706433`, `0x7f.1`)
 * arrive here as the dotted address they mean.
 */
export function sourceHostProblem(url: string, allowed: readonly string[]): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a valid URL';
  }
  if (parsed.protocol !== 'https:') return 'must be an https:// URL';
  if (parsed.username !== '' || parsed.password !== '') return 'may not carry a user name or password (user@host)';
  const host = parsed.hostname.toLowerCase().replace(/\.$/, '');
  if (isIpLiteral(host)) return `host ${host} is an IP address; contributors' sources come from named hosts only`;
  if (isLocalhost(host)) return `host ${host} is this machine; contributors' sources come from named hosts only`;
  if (allowed.some((p) => hostMatches(p, host))) return null;
  const listed = allowed.length === 0 ? 'it allows none' : `it allows ${allowed.join(', ')}`;
  return `host ${host} is not one contributors may fetch from (${contributorSourceHostsSetting}: ${listed}); upload the tarball with PUT /v1/blobs instead`;
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return host === pattern;
}
