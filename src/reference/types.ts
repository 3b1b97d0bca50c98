/** The shape of Centinela's reference data. Implemented by `src/reference/index.ts`. */

/** The administrations Centinela serves (customs of Central America and the Dominican Republic). */
export const ADMINISTRATIONS = ['GT', 'SV', 'HN', 'NI', 'CR', 'PA', 'DO'] as const;
export type Administration = (typeof ADMINISTRATIONS)[number];
/** Neighbours where goods enter and leave the region by land. */
export const NEIGHBOURS = ['MX', 'BZ'] as const;

export interface HsEntry {
  /** 2, 4 or 6 digits */
  code: string;
  description: string;
  level: 2 | 4 | 6;
  /** Roman numeral I..XXI */
  section: string;
  /** the parent code (`''` for chapters) */
  parent: string;
}

export interface Country {
  alpha2: string;
  alpha3: string;
  numeric: string;
  name: string;
  nameEs: string;
  currencies: string[];
}

export interface Currency {
  code: string;
  name: string;
  numeric: string;
  minorUnit: number | null;
}

export interface Locode {
  /** five characters: country + location, e.g. `GTPRQ` */
  code: string;
  country: string;
  name: string;
  subdivision: string;
  /** the 8-position function string, e.g. `1-3-----` */
  function: string;
  status: string;
  iata: string;
  lat?: number;
  lon?: number;
}

export type OfficeKind = 'seaport' | 'airport' | 'land_border' | 'inland';

/** A customs office of an administration, named by UN/LOCODE. */
export interface Office {
  code: string;
  country: string;
  name: string;
  kind: OfficeKind;
  lat?: number;
  lon?: number;
  /** true when the code is a UN/LOCODE entry; false when assigned by Centinela for a border post that has none */
  inUnLocode: boolean;
  /** for land border posts: the crossing it serves, and the neighbouring country */
  crossing?: { name: string; neighbour: string };
}

export interface Crossing {
  name: string;
  /** `GT-SV` for land crossings, `GT` for seaports */
  countries: string[];
  kind: 'land_border_crossing' | 'seaport';
  nameSideA: string;
  nameSideB: string;
  unlocodes: string[];
  lat: number;
  lon: number;
  coordStatus: string;
}

export interface ReferenceData {
  hs(code: string): HsEntry | undefined;
  /** true for a 6-digit HS 2022 subheading */
  isHsSubheading(code6: string): boolean;
  hsSubheadings(): HsEntry[];
  country(alpha2: string): Country | undefined;
  isCountry(alpha2: string): boolean;
  /** current ISO 4217 currencies only (withdrawn ones are not valid on a new declaration) */
  currency(code: string): Currency | undefined;
  isCurrency(code: string): boolean;
  locode(code: string): Locode | undefined;
  office(code: string): Office | undefined;
  offices(country?: string): Office[];
  crossings(): Crossing[];
  /** optional helpers (all implemented by `loadReferenceData`) */
  /** name of an HS section (Roman numeral I..XXI) */
  hsSectionName?(section: string): string | undefined;
  /** true for a code in offices.csv */
  isOffice?(code: string): boolean;
  /** name of an ISO 3166-2 subdivision of a regional country (UN/LOCODE `Subdivision`), e.g. ('GT', '01') */
  subdivisionName?(country: string, code: string): string | undefined;
}
