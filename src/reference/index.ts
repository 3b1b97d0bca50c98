/** Centinela's reference data, loaded once from data/reference/*.csv into in-memory Maps. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLocodeCoordinates, readCsv } from './csv.ts';
import type { Country, Crossing, Currency, HsEntry, Locode, Office, OfficeKind, ReferenceData } from './types.ts';

export * from './types.ts';
export { parseLocodeCoordinates } from './csv.ts';

/** The repository's data/reference directory. */
export const DEFAULT_REFERENCE_DIR = fileURLToPath(new URL('../../data/reference/', import.meta.url));

const OFFICE_KINDS = new Set<string>(['seaport', 'airport', 'land_border', 'inland']);
/** Comtrade artefacts that are not HS codes (also removed from data/reference/hs.csv). */
const NOT_HS = new Set(['99', '9999', '999999', 'TOTAL']);

export type LoadedReferenceData = Required<ReferenceData>;

function optNumber(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

export function loadReferenceData(dir: string = DEFAULT_REFERENCE_DIR): LoadedReferenceData {
  const file = (name: string) => readCsv(path.join(dir, name));

  const hs = new Map<string, HsEntry>();
  const subheadings: HsEntry[] = [];
  for (const r of file('hs.csv')) {
    if (r.section === 'TOTAL' || NOT_HS.has(r.hscode)) continue;
    const level = Number(r.level);
    if (level !== 2 && level !== 4 && level !== 6) continue;
    const e: HsEntry = {
      code: r.hscode,
      description: r.description,
      level,
      section: r.section,
      parent: r.parent === 'TOTAL' ? '' : r.parent,
    };
    hs.set(e.code, e);
    if (level === 6) subheadings.push(e);
  }

  const sections = new Map<string, string>();
  for (const r of file('hs-sections.csv')) sections.set(r.section, r.name.trim());

  const countries = new Map<string, Country>();
  for (const r of file('countries.csv')) {
    const alpha2 = r['ISO3166-1-Alpha-2'];
    if (!alpha2) continue;
    countries.set(alpha2, {
      alpha2,
      alpha3: r['ISO3166-1-Alpha-3'],
      numeric: r['ISO3166-1-numeric'] ? r['ISO3166-1-numeric'].padStart(3, '0') : '',
      name: r['CLDR display name'] || r.official_name_en,
      nameEs: r.official_name_es || r['UNTERM Spanish Short'],
      currencies: r['ISO4217-currency_alphabetic_code'].split(',').map((c) => c.trim()).filter(Boolean),
    });
  }

  const currencies = new Map<string, Currency>();
  for (const r of file('currencies.csv')) {
    if (r.WithdrawalDate || !r.AlphabeticCode || currencies.has(r.AlphabeticCode)) continue;
    currencies.set(r.AlphabeticCode, {
      code: r.AlphabeticCode,
      name: r.Currency,
      numeric: r.NumericCode,
      minorUnit: /^\d+$/.test(r.MinorUnit) ? Number(r.MinorUnit) : null,
    });
  }

  const locodes = new Map<string, Locode>();
  for (const r of file('unlocode-region.csv')) {
    const c = parseLocodeCoordinates(r.Coordinates);
    locodes.set(r.Country + r.Location, {
      code: r.Country + r.Location,
      country: r.Country,
      name: r.Name,
      subdivision: r.Subdivision,
      function: r.Function,
      status: r.Status,
      iata: r.IATA,
      ...(c ? { lat: c.lat, lon: c.lon } : {}),
    });
  }

  const subdivisions = new Map<string, string>();
  for (const r of file('unlocode-subdivisions-region.csv')) subdivisions.set(`${r.SUCountry}-${r.SUCode}`, r.SUName);

  const offices = new Map<string, Office>();
  const officesByCountry = new Map<string, Office[]>();
  for (const r of file('offices.csv')) {
    if (!OFFICE_KINDS.has(r.kind)) throw new Error(`offices.csv: ${r.code} has unknown kind ${r.kind}`);
    const lat = optNumber(r.lat);
    const lon = optNumber(r.lon);
    const o: Office = {
      code: r.code,
      country: r.country,
      name: r.name,
      kind: r.kind as OfficeKind,
      ...(lat !== undefined && lon !== undefined ? { lat, lon } : {}),
      inUnLocode: r.in_unlocode === 'true',
      ...(r.crossing ? { crossing: { name: r.crossing, neighbour: r.neighbour } } : {}),
    };
    if (offices.has(o.code)) throw new Error(`offices.csv: duplicate code ${o.code}`);
    offices.set(o.code, o);
    const list = officesByCountry.get(o.country) ?? [];
    list.push(o);
    officesByCountry.set(o.country, list);
  }
  const allOffices = [...offices.values()];

  const crossings: Crossing[] = file('crossings.csv').map((r) => ({
    name: r.name,
    countries: r.countries.split('-'),
    kind: r.kind as Crossing['kind'],
    nameSideA: r.name_side_a,
    nameSideB: r.name_side_b,
    unlocodes: r.unlocode.split(';').filter(Boolean),
    lat: Number(r.lat),
    lon: Number(r.lon),
    coordStatus: r.coord_status,
  }));

  return {
    hs: (code) => hs.get(code),
    isHsSubheading: (code6) => code6.length === 6 && hs.get(code6)?.level === 6,
    hsSubheadings: () => subheadings.slice(),
    hsSectionName: (section) => sections.get(section),
    country: (alpha2) => countries.get(alpha2),
    isCountry: (alpha2) => countries.has(alpha2),
    currency: (code) => currencies.get(code),
    isCurrency: (code) => currencies.has(code),
    locode: (code) => locodes.get(code),
    subdivisionName: (country, code) => subdivisions.get(`${country}-${code}`),
    office: (code) => offices.get(code),
    isOffice: (code) => offices.has(code),
    offices: (country) => (country === undefined ? allOffices : (officesByCountry.get(country) ?? [])).slice(),
    crossings: () => crossings.slice(),
  };
}

let cached: LoadedReferenceData | undefined;

/** The reference data of the repository's data/reference, loaded on first use. */
export function getReferenceData(): LoadedReferenceData {
  cached ??= loadReferenceData();
  return cached;
}
