import { timeZoneOf } from '../../reference/timezones.ts';

/**
 * The local day (YYYY-MM-DD) of an instant in the administration's time zone: capacity counts
 * reds per office and working day as the office lives it, not per UTC date (in Central America
 * the UTC date turns at 18:00 or 19:00 local time).
 */
const formats = new Map<string, Intl.DateTimeFormat>();

export function localDay(country: string, at: Date): string {
  const tz = timeZoneOf(country);
  let f = formats.get(tz);
  if (!f) formats.set(tz, (f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f.format(at);
}
