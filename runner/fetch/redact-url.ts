/**
 * A URL safe to print: credentials and the query string (where presigned URLs carry their
 * signature) are replaced, so an error message or log line never leaks them.
 */
export function redactUrl(url: string | URL): string {
  let u: URL;
  try {
    u = new URL(url.toString());
  } catch {
    return '(unparseable URL)';
  }
  if (u.username || u.password) {
    u.username = 'REDACTED';
    u.password = '';
  }
  const query = u.search ? '?REDACTED' : '';
  u.search = '';
  u.hash = '';
  return u.toString() + query;
}
