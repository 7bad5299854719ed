/**
 * Host names that point into the machine or the network a fetch runs in, as the WHATWG URL parser
 * (the one fetch() uses) leaves them: it has already turned decimal, hex and octal IPv4 forms
 * (`2130706433`, `0x7f.1`) into dotted decimals and bracketed every IPv6 address. Shared by the
 * API's check of a contributor's source URL and the runner's check of every redirect it follows.
 */

/** An IP address rather than a name (the loose check also catches a name of only digits and dots, which no DNS name is). */
export function isIpLiteral(host: string): boolean {
  return host.startsWith('[') || host.includes(':') || /^[0-9.]+$/.test(host) || /^0x[0-9a-f]+$/i.test(host);
}

/** This machine by name. */
export function isLocalhost(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

/**
 * A name only an internal resolver answers: one label (`metadata`, `kubernetes`), or under
 * `.local`, `.internal` (`metadata.google.internal`) or a cluster's `.svc`/`.cluster.local`.
 */
export function isInternalName(host: string): boolean {
  return !host.includes('.') || /\.(?:local|internal|svc|cluster\.local)$/.test(host);
}

/** Any of the above: where a host out on the internet has no business sending a fetch. */
export function isInternalHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return isIpLiteral(host) || isLocalhost(host) || isInternalName(host);
}
