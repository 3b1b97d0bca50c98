/** Small CSV helpers for the reference data (every value stays a string: `NA` is Namibia, `084` keeps its zero). */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

export type CsvRow = Record<string, string>;

export function readCsv(file: string): CsvRow[] {
  return parse(readFileSync(file, 'utf8'), {
    columns: true,
    bom: true,
    skip_empty_lines: true,
    cast: false,
    relax_column_count: false,
  }) as CsvRow[];
}

function quote(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** RFC 4180 text with LF line endings and a trailing newline. */
export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((r) => r.map(quote).join(',')).join('\n') + '\n';
}

/**
 * UN/LOCODE coordinates `DDMMN DDDMMW` (degrees + minutes) to decimal degrees.
 * Returns undefined when empty, malformed or impossible (minutes >= 60, |lat| > 90, |lon| > 180).
 */
export function parseLocodeCoordinates(text: string): { lat: number; lon: number } | undefined {
  const m = /^(\d{2})(\d{2})([NS])\s+(\d{3})(\d{2})([EW])$/.exec(text.trim());
  if (!m) return undefined;
  const [, latD, latM, ns, lonD, lonM, ew] = m;
  const la = Number(latD), lam = Number(latM), lo = Number(lonD), lom = Number(lonM);
  if (lam >= 60 || lom >= 60) return undefined;
  const lat = la + lam / 60;
  const lon = lo + lom / 60;
  if (lat > 90 || lon > 180) return undefined;
  return { lat: round5(ns === 'S' ? -lat : lat), lon: round5(ew === 'W' ? -lon : lon) };
}

export function round5(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}
