/**
 * Derives data/reference/offices.csv (the customs offices of GT SV HN NI CR PA DO) from
 * crossings.csv and unlocode-region.csv. Run: `npx tsx src/reference/build-offices.ts [dir]`.
 *
 * Rules (see data/reference/README.md):
 * - seaport: every crossings.csv `seaport` row of an administration, coded by its first UN/LOCODE;
 * - airport: the hand-picked main international airports below (must have UN/LOCODE function 4);
 * - land_border: one office on each administration side of every `land_border_crossing`, coded by
 *   that side's UN/LOCODE when the crossing lists one, otherwise by an assigned code
 *   `CC` + `0` + two letters; UN/LOCODE never uses the digits 0 and 1, so these never collide
 *   with any present or future UN/LOCODE;
 * - inland: one per administration in the capital area (hand-picked below, must be unused).
 * Codes are unique; the script fails on any violated rule.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLocodeCoordinates, readCsv, round5, toCsv } from './csv.ts';
import type { CsvRow } from './csv.ts';
import { ADMINISTRATIONS } from './types.ts';
import type { OfficeKind } from './types.ts';

/** Main international airports (UN/LOCODE, display name). */
const AIRPORTS: [string, string][] = [
  ['GTGUA', 'Aeropuerto Internacional La Aurora (Ciudad de Guatemala)'],
  ['GTFRS', 'Aeropuerto Internacional Mundo Maya (Flores)'],
  ['SVSAL', 'Aeropuerto Internacional de El Salvador (San Salvador)'],
  ['HNSAP', 'Aeropuerto Internacional Ramón Villeda Morales (San Pedro Sula)'],
  // Palmerola (IATA XPL, UN/LOCODE HNCMY) replaced Toncontín (HNTGU) for Tegucigalpa's international flights in 2021.
  ['HNCMY', 'Aeropuerto Internacional de Palmerola (Comayagua)'],
  ['NIMGA', 'Aeropuerto Internacional Augusto C. Sandino (Managua)'],
  ['CRSJO', 'Aeropuerto Internacional Juan Santamaría (San José)'],
  ['CRLIR', 'Aeropuerto Internacional Daniel Oduber Quirós (Liberia)'],
  ['PAPTY', 'Aeropuerto Internacional de Tocumen (Panamá)'],
  // DOSDQ is taken by the Santo Domingo seaport (crossings.csv); Las Américas has no UN/LOCODE of its own.
  ['DOPUJ', 'Aeropuerto Internacional de Punta Cana'],
];

/** Inland office per administration: the capital's UN/LOCODE when free, else a location in the capital area. */
const INLAND: [string, string][] = [
  ['GTBOC', 'Boca del Monte (Villa Canales, área metropolitana de Guatemala)'], // nearest ICD (function 6) to the city
  ['SVSBT', 'San Bartolo (Ilopango, área metropolitana de San Salvador)'],
  ['HNTGU', 'Tegucigalpa'], // capital locode, free since the airport office is Palmerola
  ['NITPA', 'Tipitapa (área metropolitana de Managua)'], // nearest road terminal to Managua with port/road functions
  ['CRCAE', 'Calle Blancos (San José)'], // ICD (function 6) in San José
  ['PADOR', 'El Dorado (Ciudad de Panamá)'], // nearest ICD (function 6) to the city centre
  ['DOSCL', 'San Carlos (Santo Domingo)'], // nearest ICD (function 6) to the city centre
];

const STOPWORDS = new Set(['DE', 'DEL', 'LA', 'LAS', 'LOS', 'EL', 'CIUDAD']);

interface OfficeRow {
  code: string;
  country: string;
  name: string;
  kind: OfficeKind;
  lat: string;
  lon: string;
  inUnLocode: boolean;
  crossing: string;
  neighbour: string;
}

const KIND_ORDER: OfficeKind[] = ['seaport', 'airport', 'land_border', 'inland'];

function fail(msg: string): never {
  throw new Error(`build-offices: ${msg}`);
}

/** `Ciudad Pedro de Alvarado (Moyuta, Jutiapa, GT)` → `Ciudad Pedro de Alvarado` */
function sideName(text: string): string {
  return text.replace(/\s*\(.*\)\s*$/, '').trim();
}

function mnemonic(name: string): string[] {
  const words = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .split(/[^A-Z]+/)
    .filter((w) => w && !STOPWORDS.has(w));
  const letters = words.join('');
  const candidates: string[] = [];
  if (words.length >= 2) candidates.push(words[0][0] + words[1][0]);
  for (let i = 1; i < letters.length; i++) candidates.push(letters[0] + letters[i]);
  return candidates;
}

export function buildOffices(dir: string): OfficeRow[] {
  const locodes = new Map<string, CsvRow>();
  for (const r of readCsv(path.join(dir, 'unlocode-region.csv'))) locodes.set(r.Country + r.Location, r);
  const crossings = readCsv(path.join(dir, 'crossings.csv'));
  const admins = new Set<string>(ADMINISTRATIONS);
  const offices: OfficeRow[] = [];
  const used = new Set<string>();

  const coords = (code: string) => {
    const c = parseLocodeCoordinates(locodes.get(code)?.Coordinates ?? '');
    return c ? { lat: String(c.lat), lon: String(c.lon) } : { lat: '', lon: '' };
  };
  const add = (o: OfficeRow) => {
    if (!/^[A-Z]{2}[A-Z0-9]{3}$/.test(o.code) || !o.code.startsWith(o.country)) fail(`bad code ${o.code} for ${o.country}`);
    if (used.has(o.code)) fail(`duplicate code ${o.code} (${o.name})`);
    if (o.inUnLocode !== locodes.has(o.code)) fail(`${o.code}: in_unlocode=${o.inUnLocode} disagrees with unlocode-region.csv`);
    used.add(o.code);
    offices.push(o);
  };
  const fromCrossing = (r: CsvRow) => ({ lat: String(round5(Number(r.lat))), lon: String(round5(Number(r.lon))) });

  // Seaports
  for (const r of crossings) {
    if (r.kind !== 'seaport' || !admins.has(r.countries)) continue;
    const code = r.unlocode.split(';')[0];
    const loc = locodes.get(code) ?? fail(`seaport ${r.name}: ${code} not in UN/LOCODE`);
    if (loc.Function[0] !== '1') fail(`seaport ${code} lacks port function`);
    add({ code, country: r.countries, name: r.name, kind: 'seaport', ...fromCrossing(r), inUnLocode: true, crossing: '', neighbour: '' });
  }
  // Airports
  for (const [code, name] of AIRPORTS) {
    const loc = locodes.get(code) ?? fail(`airport ${code} not in UN/LOCODE`);
    if (loc.Function[3] !== '4') fail(`airport ${code} lacks airport function`);
    add({ code, country: code.slice(0, 2), name, kind: 'airport', ...coords(code), inUnLocode: true, crossing: '', neighbour: '' });
  }
  // Land border posts: one per administration side
  const assigned: OfficeRow[] = [];
  for (const r of crossings) {
    if (r.kind !== 'land_border_crossing') continue;
    const pair = r.countries.split('-');
    if (pair.length !== 2) fail(`crossing ${r.name}: bad countries ${r.countries}`);
    pair.forEach((country, i) => {
      if (!admins.has(country)) return;
      const neighbour = pair[1 - i];
      const name = sideName(i === 0 ? r.name_side_a : r.name_side_b);
      const listed = r.unlocode.split(';').find((c) => c.startsWith(country));
      const base = { country, name, kind: 'land_border' as const, ...fromCrossing(r), crossing: r.name, neighbour };
      if (listed) {
        if (!locodes.has(listed)) fail(`crossing ${r.name}: ${listed} not in UN/LOCODE`);
        add({ code: listed, ...base, inUnLocode: true });
      } else {
        assigned.push({ code: '', ...base, inUnLocode: false });
      }
    });
  }
  // Assigned codes after all UN/LOCODE-coded offices, so the choice never depends on order of rows.
  for (const o of assigned) {
    const code = mnemonic(o.name)
      .map((m) => `${o.country}0${m}`)
      .find((c) => !used.has(c) && !locodes.has(c));
    add({ ...o, code: code ?? fail(`no free code for ${o.name}`) });
  }
  // Inland offices
  for (const [code, name] of INLAND) {
    if (!locodes.has(code)) fail(`inland ${code} not in UN/LOCODE`);
    add({ code, country: code.slice(0, 2), name, kind: 'inland', ...coords(code), inUnLocode: true, crossing: '', neighbour: '' });
  }

  for (const country of ADMINISTRATIONS) {
    for (const kind of KIND_ORDER) {
      if (!offices.some((o) => o.country === country && o.kind === kind)) fail(`${country} has no ${kind} office`);
    }
  }
  const adminOrder = (c: string) => (ADMINISTRATIONS as readonly string[]).indexOf(c);
  return offices.sort(
    (a, b) =>
      adminOrder(a.country) - adminOrder(b.country) ||
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
      a.code.localeCompare(b.code),
  );
}

export const OFFICE_COLUMNS = ['code', 'country', 'name', 'kind', 'lat', 'lon', 'in_unlocode', 'crossing', 'neighbour'] as const;

export function officesCsv(offices: OfficeRow[]): string {
  return toCsv(
    OFFICE_COLUMNS,
    offices.map((o) => [o.code, o.country, o.name, o.kind, o.lat, o.lon, String(o.inUnLocode), o.crossing, o.neighbour]),
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? fileURLToPath(new URL('../../data/reference/', import.meta.url));
  const offices = buildOffices(dir);
  writeFileSync(path.join(dir, 'offices.csv'), officesCsv(offices));
  console.log(`wrote ${offices.length} offices to ${path.join(dir, 'offices.csv')}`);
}
