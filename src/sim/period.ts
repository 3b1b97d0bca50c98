/**
 * The simulated period as the CLI and the demo choose it: by default it ends yesterday where the
 * region's day ends last (Central America, UTC-6), so nothing simulated is dated in the future
 * (intake rejects future dates) and the newest day is complete everywhere.
 */

const DAY_MS = 86_400_000;

/** The westernmost offset of the region (-06:00): a simulated day is over once it is over there. */
const WEST_MS = 6 * 3600_000;

/** Today's date where the region's day ends last (UTC-6), as UTC midnight ms. */
export function regionToday(now: Date): number {
  const t = new Date(now.getTime() - WEST_MS);
  return Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate());
}

/** The date `days` days before today in Central America (UTC-6), as YYYY-MM-DD: the period then ends yesterday there. */
export function defaultStart(days: number, now: Date = new Date()): string {
  return new Date(regionToday(now) - days * DAY_MS).toISOString().slice(0, 10);
}

/** A calendar date written YYYY-MM-DD, as UTC midnight ms; NaN when it is not one (a wrong format or a day that does not exist). */
export function parseIsoDate(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  return m && !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === text.trim() ? t : NaN;
}

/** Help text for a `--start` option defaulting to `defaultStart` (the same words for every command that has one). */
export const DEFAULT_START_HELP = 'default: the date --days days before today in Central America (UTC-6), so the period ends yesterday';
