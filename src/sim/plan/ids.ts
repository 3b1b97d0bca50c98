/**
 * The numbers and references of a run: dates of the simulated days, container numbers, bills of
 * lading, air waybills and truck documents, counted per administration so that one
 * administration's numbers do not depend on the others simulated.
 */
import { withCheckDigit } from '../../modules/declarations/container.ts';
import { ADMINISTRATIONS, type Administration } from '../../reference/types.ts';
import { DAY_MS, pad, two } from './types.ts';

export type RunIds = ReturnType<typeof createIds>;

export function createIds(startMs: number) {
  const dateCache: string[] = [];
  const dateStr = (day: number) => (dateCache[day] ??= new Date(startMs + day * DAY_MS).toISOString().slice(0, 10));
  const stamp = (day: number, secs: number, offset: string) => {
    const s = Math.floor(secs);
    return `${dateStr(day)}T${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}${offset}`;
  };

  // counters (per administration, so that one administration's numbers do not depend on the others simulated)
  const counters = new Map<string, number>();
  const next = (key: string) => {
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    return n;
  };
  const countryIdx = (c: Administration) => ADMINISTRATIONS.indexOf(c);
  const container = (country: Administration, owner: string) => {
    const n = next(`ctr:${country}:${owner}`);
    const serial = countryIdx(country) * 142857 + ((n * 7919) % 142857);
    return withCheckDigit(`${owner}${pad(serial, 6)}`);
  };
  const billOfLading = (country: Administration, scac: string) => `${scac}${countryIdx(country)}${pad(next(`bl:${country}:${scac}`), 8)}`;
  const airWaybill = (country: Administration, prefix: string) => {
    const serial = countryIdx(country) * 1_000_000 + next(`awb:${country}:${prefix}`);
    return `${prefix}-${pad(serial, 7)}${serial % 7}`;
  };
  const truckDoc = (country: Administration, day: number) => `CP${country}${dateStr(day).slice(0, 4)}${pad(next(`cp:${country}`), 7)}`;
  return { dateStr, stamp, next, container, billOfLading, airWaybill, truckDoc };
}
