/**
 * What a value becomes on the wire: every Date an ISO 8601 string, as JSON.stringify writes it.
 * Rows read from the database carry Dates; response schemas say strings (the serializer
 * validates the answer, it does not stringify Dates for us).
 */
export type Wire<T> = T extends Date ? string : T extends readonly (infer U)[] ? Wire<U>[] : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;

export function toWire<T>(v: T): Wire<T> {
  if (v instanceof Date) return v.toISOString() as Wire<T>;
  if (Array.isArray(v)) return v.map((x) => toWire(x)) as Wire<T>;
  if (v !== null && typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toWire(x);
    return out as Wire<T>;
  }
  return v as Wire<T>;
}
