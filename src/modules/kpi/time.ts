/** Local days of an administration: its time zone, and local dates as UTC instants. */
import type { Clock } from '../../core/clock.ts';
import { TIME_ZONES, timeZoneOf } from '../../reference/timezones.ts';

export { TIME_ZONES, timeZoneOf };

/** Minutes the zone is ahead of UTC at the given instant (negative west of Greenwich). */
function offsetMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(at);
  const v = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(v('year'), v('month') - 1, v('day'), v('hour'), v('minute'), v('second'));
  return Math.round((asUtc - at.getTime()) / 60_000);
}

/** The instant a local date (YYYY-MM-DD) begins in the zone. */
export function startOfLocalDay(date: string, timeZone: string): Date {
  const guess = new Date(`${date}T00:00:00Z`);
  const first = new Date(guess.getTime() - offsetMinutes(guess, timeZone) * 60_000);
  return new Date(guess.getTime() - offsetMinutes(first, timeZone) * 60_000);
}

/** The local date (YYYY-MM-DD) of an instant in the zone. */
export function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

export function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Every date from `from` to `to`, both included. */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to && out.length < 3700; d = addDays(d, 1)) out.push(d);
  return out;
}

export interface Period {
  from: string;
  to: string;
  timeZone: string;
  /** instants: [start, end) */
  start: Date;
  end: Date;
}

/** A period of local days, both ends included; by default the `days` days ending today. */
export function periodOf(country: string, clock: Clock, q: { from?: string; to?: string }, days = 14): Period {
  const timeZone = timeZoneOf(country);
  const to = q.to ?? localDate(clock.now(), timeZone);
  const from = q.from ?? addDays(to, -(days - 1));
  return { from, to, timeZone, start: startOfLocalDay(from, timeZone), end: startOfLocalDay(addDays(to, 1), timeZone) };
}
