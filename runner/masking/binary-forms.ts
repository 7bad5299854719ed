/**
 * Binary-to-text forms of a secret: base64 (standard and URL-safe) and hex. A secret is rarely
 * base64-encoded alone: it sits inside a larger blob (`env | base64`, a docker config, a JWT),
 * where its characters depend on where in a 3-byte group it starts.
 */

/**
 * For each of the three byte alignments k, the base64 characters that depend only on the
 * secret: encode k filler bytes + the secret, drop the leading characters that carry filler
 * bits, and drop the trailing character that carries bits of whatever follows (and any padding).
 * Whatever surrounds the secret in a real blob, one of these three appears verbatim in it.
 */
export function base64Needles(secret: Uint8Array): Buffer[] {
  const out: Buffer[] = [];
  for (let k = 0; k < 3; k++) {
    const withFiller = Buffer.alloc(k + secret.length);
    withFiller.set(secret, k);
    const encoded = withFiller.toString('base64');
    const first = Math.ceil((8 * k) / 6);
    const end = Math.floor((8 * (k + secret.length)) / 6);
    if (end <= first) continue;
    const std = encoded.slice(first, end);
    out.push(Buffer.from(std, 'latin1'));
    const url = std.replace(/\+/g, '-').replace(/\//g, '_');
    if (url !== std) out.push(Buffer.from(url, 'latin1'));
  }
  return out;
}

export function hexNeedles(secret: Uint8Array): Buffer[] {
  const lower = Buffer.from(secret).toString('hex');
  return [Buffer.from(lower, 'latin1'), Buffer.from(lower.toUpperCase(), 'latin1')];
}
