/**
 * The derived forms of a secret: the byte strings that reveal it when printed. A job rarely
 * prints a secret bare; it prints it inside a URL, a JSON document, a shell trace, an HTML page,
 * a base64 blob or a hex dump. Each form here is what a common tool produces, so masking the
 * form masks the secret wherever that tool put it.
 */
import { base64Needles, hexNeedles } from './binary-forms.ts';

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

const jsonBare = /^[\x20-\x21\x23-\x2e\x30-\x5b\x5d-\x7e]*$/;

/** JSON string body (no quotes), in the spellings encoders actually emit. */
function jsonForms(value: string): string[] {
  // Printable ASCII with nothing to escape (a token, say) is every spelling's own body.
  if (jsonBare.test(value)) return [value];
  const plain = JSON.stringify(value).slice(1, -1);
  const asciiLower = plain.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const asciiUpper = plain.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
  const forms = [plain, asciiLower, asciiUpper];
  // PHP and some Java encoders escape '/'; JSON inside a JSON string (a log of a log) escapes twice.
  for (const f of [plain, asciiLower, asciiUpper]) forms.push(f.replace(/\//g, '\\/'));
  forms.push(JSON.stringify(plain).slice(1, -1));
  return forms;
}

const hexByte = (b: number, lower: boolean): string => {
  const h = b.toString(16).padStart(2, '0');
  return lower ? h : h.toUpperCase();
};

/** Printable ASCII except the given characters: how WHATWG URL serialisation picks what to escape. */
const printableExcept = (escaped: string): ((c: string) => boolean) => (c) => c > ' ' && c < '\x7f' && !escaped.includes(c);
const only = (pattern: RegExp): ((c: string) => boolean) => (c) => pattern.test(c);

/**
 * Percent-encoding with a given set of ASCII characters left bare: encodeURIComponent's, RFC 3986's
 * unreserved set (curl, Go), WHATWG form encoding (URLSearchParams), Python's quote(), encodeURI,
 * and the WHATWG URL userinfo, path and query sets (what `new URL(...).href` prints); each with
 * %20 or '+' for a space and with upper- or lowercase hex digits.
 */
const percentSafeSets: ReadonlyArray<(c: string) => boolean> = [
  only(/[A-Za-z0-9\-_.!~*'()]/), // encodeURIComponent
  only(/[A-Za-z0-9\-_.~]/), // RFC 3986 unreserved
  only(/[A-Za-z0-9*\-_.]/), // application/x-www-form-urlencoded (WHATWG)
  only(/[A-Za-z0-9\-_.~/]/), // Python urllib.parse.quote
  only(/[A-Za-z0-9;,/?:@&=+$\-_.!~*'()#]/), // encodeURI
  printableExcept('"#<>?`{}/:;=@[\\]^|'), // URL userinfo
  printableExcept('"#<>?`{}'), // URL path
  printableExcept('"#<>\''), // URL query
];

function percentEncode(bytes: Buffer, safe: (c: string) => boolean, plusForSpace: boolean, lower: boolean): string {
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    if (b < 0x80 && safe(c)) out += c;
    else if (b === 0x20 && plusForSpace) out += '+';
    else out += `%${hexByte(b, lower)}`;
  }
  return out;
}

/** Characters every safe set above leaves bare: a value of only these is its own encoding. */
const percentBare = /^[A-Za-z0-9\-_.]*$/;

function percentForms(value: string): string[] {
  if (percentBare.test(value)) return [value];
  const bytes = utf8(value);
  const forms: string[] = [];
  for (const safe of percentSafeSets) {
    for (const plus of [false, true]) for (const lower of [false, true]) forms.push(percentEncode(bytes, safe, plus, lower));
  }
  return forms;
}

/** Characters bash's `printf %q` (and `set -x`'s word quoting) puts a backslash before. */
const bashSpecial = /[ \t\n'"\\|&;()<>!{}*[?\]^$`,]/g;

/** Bash's $'...' quoting (printf %q of text with control or, in the C locale, non-ASCII bytes). */
function ansiCQuote(value: string, octalNonAscii: boolean): string {
  const named: Record<number, string> = { 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r', 27: 'E', 39: "'", 92: '\\' };
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    const name = named[code];
    if (name !== undefined) out += `\\${name}`;
    else if (code < 0x20 || code === 0x7f || (code >= 0x80 && octalNonAscii)) {
      for (const b of Buffer.from(ch, 'utf8')) out += `\\${b.toString(8).padStart(3, '0')}`;
    } else out += ch;
  }
  return out;
}

function shellForms(value: string): string[] {
  // Letters and digits are left alone by every quoting below.
  if (/^[A-Za-z0-9]*$/.test(value)) return [value];
  return [
    ansiCQuote(value, true),
    ansiCQuote(value, false),
    value.replace(bashSpecial, (c) => `\\${c}`), // printf %q for printable text
    value.replace(/[^A-Za-z0-9]/g, (c) => `\\${c}`), // escape-everything quoting
    value.replace(/'/g, `'\\''`), // inside '...': 'a'\''b' (sh, set -x, shlex.quote)
    value.replace(/'/g, `'"'"'`), // the other common single-quote idiom
    value.replace(/[\\"$`]/g, (c) => `\\${c}`), // inside "..."
    value.replace(/[\\']/g, (c) => `\\${c}`), // Python repr, C-style '...'
    value.replace(/'/g, "''"), // SQL, YAML single-quoted
    value.replace(/"/g, '""'), // CSV, PowerShell "..."
  ];
}

function markupForms(value: string): string[] {
  if (!/[&<>"']/.test(value)) return [value];
  const base = value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return [
    base, // text content: only &, < and > need escaping
    base.replace(/"/g, '&quot;').replace(/'/g, '&#39;'), // escape-html, lodash, Go html/template
    base.replace(/"/g, '&quot;').replace(/'/g, '&#x27;'), // Python html.escape
    base.replace(/"/g, '&quot;').replace(/'/g, '&apos;'), // XML
    base.replace(/"/g, '&#34;').replace(/'/g, '&#39;'), // Go html.EscapeString
  ];
}

/** Whole-value renderings a line-oriented tool may produce: trimmed, and with LF or CRLF breaks. */
function baseForms(value: string): string[] {
  const forms = [value];
  const trimmed = value.trim();
  if (trimmed !== value) forms.push(trimmed);
  for (const f of [value, trimmed]) {
    if (/\r?\n/.test(f)) {
      forms.push(f.replace(/\r?\n/g, '\r\n'));
      forms.push(f.replace(/\r\n/g, '\n'));
    }
  }
  return forms;
}

/** Values longer than this (characters) get their raw, line and JSON forms only. */
export const fullFormsLimit = 16 * 1024;

/**
 * Every needle for one secret value, as UTF-8 bytes, deduplicated, none shorter than
 * `minLength` bytes. Lines of a multi-line value are needles on their own (a key echoed line by
 * line), but a line shorter than `minLength` is not: masking a lone `-----` would ruin logs.
 */
export function secretVariants(value: string, minLength: number): Buffer[] {
  // A big value (a certificate bundle, a kubeconfig) in forty spellings would cost the trie
  // forty times its size; its lines are needles anyway, and mask it line by line.
  const full = value.length <= fullFormsLimit;
  const texts: string[] = [];
  for (const base of baseForms(value)) {
    texts.push(base, ...jsonForms(base));
    if (full) texts.push(...percentForms(base), ...shellForms(base), ...markupForms(base));
  }
  for (const line of value.split(/\r\n|\n|\r/)) {
    texts.push(line, line.trim());
  }
  // `${VAR^^}` and `tr a-z A-Z` cost a job nothing; the case-folded value costs two needles.
  if (full) texts.push(value.toUpperCase(), value.toLowerCase());
  const needles: Buffer[] = texts.map(utf8);
  for (const base of full ? baseForms(value) : []) {
    const bytes = utf8(base);
    needles.push(...base64Needles(bytes), ...hexNeedles(bytes));
  }
  const seen = new Set<string>();
  const out: Buffer[] = [];
  for (const n of needles) {
    if (n.length < minLength) continue;
    const key = n.toString('latin1');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(n);
  }
  return out;
}
