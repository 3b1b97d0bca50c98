/**
 * JSON Canonicalization Scheme (RFC 8785): the exact bytes an envelope is signed over.
 *
 * - objects: members sorted by their names compared as UTF-16 code units (JavaScript's default
 *   string order), no whitespace;
 * - numbers: the ECMAScript Number-to-String form (what `JSON.stringify` writes); NaN and ±Infinity
 *   are not JSON and are refused;
 * - strings: the ECMAScript JSON string form (only `"`, `\`, and U+0000–U+001F escaped, the latter
 *   as \b \t \n \f \r or \u00XX with lower-case hex); lone surrogates are not valid Unicode and
 *   are refused;
 * - `toJSON` (dates) is honoured and `undefined` members are left out, as `JSON.stringify` does,
 *   so the canonical form of a value equals the canonical form of its JSON round trip.
 */
export function canonicalize(value: unknown): string {
  return write(value, '');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function str(s: string, at: string): string {
  if (LONE_SURROGATE.test(s)) throw new TypeError(`canonical JSON: lone surrogate in a string at ${at || '(root)'}`);
  return JSON.stringify(s);
}

function write(v: unknown, at: string): string {
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON(): unknown }).toJSON();
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`canonical JSON: ${v} at ${at || '(root)'} is not a JSON number`);
      return JSON.stringify(v);
    case 'string':
      return str(v, at);
    case 'bigint':
      throw new TypeError(`canonical JSON: a bigint at ${at || '(root)'} is not a JSON number`);
    case 'object': {
      if (Array.isArray(v)) {
        return `[${v.map((x, i) => (x === undefined || typeof x === 'function' || typeof x === 'symbol' ? 'null' : write(x, `${at}[${i}]`))).join(',')}]`;
      }
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).filter((k) => o[k] !== undefined && typeof o[k] !== 'function' && typeof o[k] !== 'symbol').sort();
      return `{${keys.map((k) => `${str(k, at)}:${write(o[k], at ? `${at}.${k}` : k)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON: a ${typeof v} at ${at || '(root)'} is not JSON`);
  }
}
