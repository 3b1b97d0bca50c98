/**
 * The simulated region: administrations with their real offices, the goods actually traded
 * (a curated list of HS 2022 subheadings), their going prices, duty rates, origins and
 * seasonality. Everything is derived from the seed and the reference data only.
 */
import { ADMINISTRATIONS, type Administration, type Office, type ReferenceData } from '../reference/types.ts';
import { hashString, Rng, WeightedTable } from './random.ts';

export type SimUnit = 'KGM' | 'LTR' | 'H87' | 'PR';

/** Origin groups: which countries goods of a chapter come from. `REG` = the other administrations. */
type OriginGroup =
  | 'default'
  | 'fuel'
  | 'tech'
  | 'vehicles'
  | 'pharma'
  | 'apparel'
  | 'grain'
  | 'food'
  | 'drinks'
  | 'tobacco'
  | 'chem'
  | 'plastics'
  | 'materials'
  | 'jewels';

interface ChapterSpec {
  /** relative weight in the region's imports */
  im: number;
  /** relative weight in the region's exports */
  ex: number;
  /** median going price, USD per kg */
  price: number;
  /** DAI-style import duty, percent */
  duty: number;
  unit: SimUnit;
  /** kg per unit of quantity (1 for KGM) */
  kgpu: number;
  group: OriginGroup;
}

const c = (im: number, ex: number, price: number, duty: number, group: OriginGroup, unit: SimUnit = 'KGM', kgpu = 1): ChapterSpec => ({
  im,
  ex,
  price,
  duty,
  unit,
  kgpu,
  group,
});

/** Per-chapter base levels (region-wide; CAUCA common external tariff style). */
const CHAPTERS: Record<string, ChapterSpec> = {
  '01': c(0.3, 0.2, 4, 5, 'food'),
  '02': c(2, 1.5, 4, 15, 'food'),
  '03': c(1, 2, 6, 15, 'food'),
  '04': c(2, 1, 4, 15, 'food'),
  '07': c(1, 1, 1, 15, 'food'),
  '08': c(1, 6, 1.2, 15, 'food'),
  '09': c(0.5, 6, 4, 15, 'food'),
  '10': c(4, 0.2, 0.3, 5, 'grain'),
  '11': c(1, 0.3, 0.6, 10, 'grain'),
  '12': c(0.8, 0.3, 0.6, 0, 'grain'),
  '15': c(1.5, 2, 1.2, 10, 'food'),
  '16': c(1, 0.5, 5, 15, 'food'),
  '17': c(0.8, 4, 0.8, 15, 'food'),
  '18': c(0.6, 0.3, 4, 10, 'food'),
  '19': c(2, 1, 3, 15, 'food'),
  '20': c(1, 1, 2, 15, 'food'),
  '21': c(2, 1, 5, 15, 'food'),
  '22': c(3, 2, 2.5, 15, 'drinks', 'LTR', 1),
  '23': c(1.5, 0.3, 0.5, 5, 'grain'),
  '24': c(1.5, 2.5, 25, 15, 'tobacco'),
  '25': c(0.8, 0.3, 0.1, 0, 'materials'),
  '26': c(0.1, 1, 0.2, 0, 'materials'),
  '27': c(8, 0.3, 0.8, 0, 'fuel'),
  '28': c(1, 0.2, 1, 0, 'chem'),
  '29': c(1, 0.2, 3, 0, 'chem'),
  '30': c(5, 2, 60, 0, 'pharma'),
  '31': c(1.5, 0.1, 0.5, 0, 'chem'),
  '32': c(1.2, 0.3, 4, 5, 'chem'),
  '33': c(2, 1, 12, 15, 'chem'),
  '34': c(1.5, 0.8, 3, 10, 'chem'),
  '38': c(1.2, 0.3, 4, 5, 'chem'),
  '39': c(5, 2, 2.5, 5, 'plastics'),
  '40': c(2, 0.3, 4, 5, 'plastics', 'H87', 10),
  '44': c(1, 0.5, 1, 5, 'materials'),
  '48': c(3, 1.2, 1.5, 5, 'materials'),
  '52': c(0.8, 0.5, 4, 10, 'apparel'),
  '54': c(0.6, 0.3, 4, 10, 'apparel'),
  '55': c(0.6, 0.3, 4, 10, 'apparel'),
  '61': c(3, 6, 25, 15, 'apparel', 'H87', 0.25),
  '62': c(3, 4, 25, 15, 'apparel', 'H87', 0.5),
  '63': c(1, 0.5, 8, 15, 'apparel'),
  '64': c(2, 0.3, 20, 15, 'apparel', 'PR', 0.8),
  '68': c(0.8, 0.2, 1, 5, 'materials'),
  '69': c(1, 0.2, 1.5, 10, 'materials'),
  '70': c(1, 0.3, 2, 5, 'materials'),
  '71': c(0.3, 1.5, 2000, 10, 'jewels'),
  '72': c(3, 1, 0.9, 0, 'materials'),
  '73': c(3, 1, 3, 5, 'materials'),
  '74': c(0.5, 0.2, 9, 0, 'materials'),
  '76': c(1, 0.4, 4, 5, 'materials'),
  '82': c(1, 0.1, 12, 5, 'materials'),
  '83': c(0.8, 0.1, 8, 10, 'materials'),
  '84': c(9, 1, 25, 0, 'tech', 'H87', 30),
  '85': c(9, 2.5, 40, 5, 'tech', 'H87', 2),
  '87': c(6, 0.3, 12, 10, 'vehicles', 'H87', 200),
  '90': c(2.5, 4, 80, 0, 'tech', 'H87', 1.5),
  '94': c(2, 0.5, 5, 10, 'materials', 'H87', 15),
  '95': c(1.5, 0.2, 10, 10, 'apparel', 'H87', 0.5),
  '96': c(0.8, 0.2, 8, 10, 'materials'),
};

/** Heading-level overrides: [price USD/kg, duty %, unit, kg per unit]. */
const HEADING_OVERRIDES: Record<string, { price?: number; duty?: number; unit?: SimUnit; kgpu?: number }> = {
  '0901': { price: 4.5 },
  '0803': { price: 0.55 },
  '1001': { price: 0.3, duty: 0 },
  '1005': { price: 0.28, duty: 0 },
  '1006': { price: 0.6, duty: 15 },
  '1701': { price: 0.5 },
  '2201': { unit: 'LTR' },
  '2202': { unit: 'LTR' },
  '2203': { price: 1.2, unit: 'LTR', kgpu: 1.0 },
  '2204': { price: 5, unit: 'LTR' },
  '2208': { price: 6, duty: 30, unit: 'LTR', kgpu: 0.95 },
  '2402': { price: 30, duty: 20 },
  '2709': { price: 0.55, unit: 'LTR', kgpu: 0.87 },
  '2710': { price: 0.85, duty: 5, unit: 'LTR', kgpu: 0.84 },
  '2711': { price: 0.6 },
  '3004': { price: 60 },
  '7108': { price: 60000 },
  '7113': { price: 3000 },
  '8415': { kgpu: 40 },
  '8418': { kgpu: 60 },
  '8450': { kgpu: 55 },
  '8471': { price: 120, kgpu: 2.5 },
  '8517': { price: 400, duty: 0, kgpu: 0.25 },
  '8528': { price: 30, duty: 15, kgpu: 9 },
  '8703': { price: 9, kgpu: 1400 },
  '8704': { price: 8, kgpu: 3000 },
  '8708': { unit: 'KGM', kgpu: 1 },
  '8711': { price: 10, kgpu: 130 },
  '9018': { price: 150, kgpu: 1 },
};

/** Headings shipped in bulk (tankers, bulk carriers) rather than containers. */
const BULK_HEADINGS = new Set(['1001', '1003', '1005', '1201', '2304', '2523', '2709', '2710', '2711', '3102', '3105', '1701', '2601', '2604']);
const SENSITIVE_CHAPTERS = new Set(['22', '24', '27', '30', '61', '62', '63', '64', '71', '93']);

/** Subheadings the region certainly trades (kept when present in the reference data). */
const MUST_TRADE = [
  '240220', '240210', '240110', '220830', '220840', '220300', '271012', '271019', '271111', '271112', '100590', '100199', '100630',
  '300490', '300431', '851713', '851714', '847130', '852872', '870323', '870322', '870421', '871120', '870899', '610910', '620342',
  '640299', '611020', '090111', '080390', '080430', '080711', '170114', '170199', '901839', '711319', '710812', '720260', '392310',
  '392690', '401110', '330499', '340111', '210690', '190531', '020714', '040221', '151110', '030617', '230400', '252329', '310520',
];

const IMPORT_BOOST: Record<string, number> = {
  '2710': 6, '8703': 4, '3004': 5, '2402': 2, '2208': 2, '1005': 3, '1001': 2, '8517': 3, '8471': 2, '3923': 2, '6109': 2, '2203': 2, '8704': 2, '4011': 2,
};
const EXPORT_BOOST: Record<string, number> = {
  '0901': 6, '0803': 6, '0804': 3, '1701': 4, '6109': 4, '6110': 3, '9018': 4, '2402': 3, '1511': 3, '0306': 2, '2208': 2, '7108': 3, '7202': 2, '0807': 2,
};

const ORIGIN_GROUPS: Record<OriginGroup, Record<string, number>> = {
  default: { CN: 30, US: 25, MX: 12, REG: 15, DE: 3, JP: 3, KR: 3, BR: 2, CO: 3, ES: 2, IN: 2 },
  fuel: { US: 70, MX: 8, CO: 6, TT: 6, NL: 3, REG: 2 },
  tech: { CN: 45, US: 22, MX: 10, JP: 5, KR: 5, DE: 5, TW: 5, REG: 3 },
  vehicles: { JP: 35, US: 20, KR: 15, MX: 10, CN: 10, DE: 5, IN: 5 },
  pharma: { US: 18, MX: 14, DE: 8, IN: 14, CH: 5, ES: 5, REG: 25, CO: 6, AR: 5 },
  apparel: { CN: 40, REG: 22, VN: 10, BD: 8, US: 10, MX: 5, IN: 5 },
  grain: { US: 75, MX: 5, AR: 6, BR: 6, CA: 5, REG: 3 },
  food: { US: 40, MX: 15, REG: 30, CL: 3, CO: 3, BR: 3, NL: 2, ES: 2, NZ: 2 },
  drinks: { US: 15, MX: 20, REG: 30, ES: 6, FR: 6, CL: 6, GB: 6, NL: 5, AR: 4 },
  tobacco: { US: 20, MX: 18, REG: 35, CN: 8, BR: 5, ID: 4 },
  chem: { US: 35, MX: 15, CN: 20, DE: 6, REG: 12, IN: 6, BR: 3, ES: 3 },
  plastics: { US: 40, MX: 15, CN: 20, REG: 15, KR: 5, DE: 5 },
  materials: { CN: 30, US: 25, MX: 15, REG: 15, BR: 5, CO: 5, DE: 3, IN: 2 },
  jewels: { US: 30, IT: 20, CN: 20, IN: 10, MX: 10, REG: 10 },
};

const MODE_AFFINITY: Record<OriginGroup, [number, number, number]> = {
  default: [1, 1, 0.25],
  fuel: [1, 0.35, 0],
  grain: [1, 0.3, 0],
  tech: [1, 0.7, 1.6],
  vehicles: [1, 0.6, 0.02],
  pharma: [1, 0.8, 1.8],
  apparel: [1, 1, 0.6],
  food: [1, 1.3, 0.3],
  drinks: [1, 1.2, 0.1],
  tobacco: [1, 1.2, 0.2],
  chem: [1, 1, 0.2],
  plastics: [1, 1, 0.1],
  materials: [1, 1, 0.05],
  jewels: [0.1, 0.2, 4],
};

/** Export destinations (the buyer's country). */
const EXPORT_DESTINATIONS: Record<string, number> = { US: 45, REG: 30, MX: 5, NL: 4, DE: 3, ES: 3, BE: 2, CN: 3, JP: 2, KR: 1, CA: 2 };

/** Main seaports of loading per country, for bills of lading. */
export const PORTS_OF_LOADING: Record<string, string[]> = {
  CN: ['CNSHA', 'CNNGB', 'CNYTN', 'CNSHK', 'CNXMN', 'CNTAO'],
  US: ['USMIA', 'USHOU', 'USPEF', 'USSAV', 'USLGB', 'USMSY'],
  MX: ['MXZLO', 'MXVER', 'MXLZC', 'MXATM'],
  JP: ['JPYOK', 'JPNGO', 'JPUKB'],
  KR: ['KRPUS'],
  TW: ['TWKHH'],
  VN: ['VNSGN', 'VNHPH'],
  IN: ['INNSA', 'INMUN'],
  BD: ['BDCGP'],
  DE: ['DEHAM', 'DEBRV'],
  NL: ['NLRTM'],
  BE: ['BEANR'],
  ES: ['ESVLC', 'ESALG', 'ESBCN'],
  FR: ['FRLEH'],
  IT: ['ITGOA'],
  GB: ['GBFXT'],
  CO: ['COCTG', 'COBUN'],
  BR: ['BRSSZ'],
  AR: ['ARBUE'],
  CL: ['CLSAI'],
  CA: ['CAVAN', 'CAMTR'],
  TT: ['TTPTS'],
  GT: ['GTSTC', 'GTPRQ'],
  SV: ['SVAQJ'],
  HN: ['HNPCR'],
  NI: ['NICIO'],
  CR: ['CRMOB', 'CRCAL'],
  PA: ['PAMIT', 'PABLB', 'PACTB'],
  DO: ['DOCAU', 'DOINA'],
};

const CA5 = new Set(['GT', 'SV', 'HN', 'NI', 'CR']);

/** The trade preference (free-trade agreement) an origin gets in an administration, if any. Preferential rate: 0%. */
export function preferenceFor(admin: string, origin: string): string | null {
  if (origin === admin) return null;
  if (CA5.has(admin) && CA5.has(origin)) return 'MCCA';
  if ((admin === 'PA' && CA5.has(origin)) || (origin === 'PA' && CA5.has(admin))) return 'TLC-CA-PA';
  if ((admin === 'DO' && CA5.has(origin)) || (origin === 'DO' && CA5.has(admin))) return 'TLC-CA-RD';
  if (origin === 'US') return admin === 'PA' ? 'TPC-PA-US' : 'CAFTA-DR';
  if (origin === 'MX' && CA5.has(admin)) return 'TLC-MX-CA';
  if (origin === 'MX' && admin === 'PA') return 'TLC-PA-MX';
  return null;
}

interface AdminSpec {
  /** share of the region's declarations */
  share: number;
  offset: string;
  vat: number;
  currency: string;
  /** local currency units per USD */
  rate: number;
  /** import mode shares: sea, land, air */
  modes: [number, number, number];
  /** where transits lodged here are bound */
  transitTo: Record<string, number>;
  /** weight of the administration as a trade partner of the others */
  partnerWeight: number;
}

const ADMIN_SPECS: Record<Administration, AdminSpec> = {
  GT: { share: 0.22, offset: '-06:00', vat: 12, currency: 'GTQ', rate: 7.7, modes: [0.55, 0.3, 0.15], transitTo: { SV: 3, HN: 3, NI: 1, CR: 1 }, partnerWeight: 3 },
  SV: { share: 0.11, offset: '-06:00', vat: 13, currency: 'USD', rate: 1, modes: [0.35, 0.5, 0.15], transitTo: { HN: 3, NI: 2, GT: 2, CR: 1 }, partnerWeight: 3 },
  HN: { share: 0.12, offset: '-06:00', vat: 15, currency: 'HNL', rate: 26, modes: [0.5, 0.35, 0.15], transitTo: { NI: 3, SV: 3, GT: 2 }, partnerWeight: 2.5 },
  NI: { share: 0.05, offset: '-06:00', vat: 15, currency: 'NIO', rate: 36.7, modes: [0.35, 0.5, 0.15], transitTo: { CR: 3, HN: 2, SV: 1 }, partnerWeight: 1.5 },
  CR: { share: 0.18, offset: '-06:00', vat: 13, currency: 'CRC', rate: 505, modes: [0.6, 0.2, 0.2], transitTo: { NI: 2, PA: 3 }, partnerWeight: 3 },
  PA: { share: 0.14, offset: '-05:00', vat: 7, currency: 'PAB', rate: 1, modes: [0.65, 0.1, 0.25], transitTo: { CR: 3, NI: 1 }, partnerWeight: 1.5 },
  DO: { share: 0.18, offset: '-04:00', vat: 18, currency: 'DOP', rate: 62, modes: [0.75, 0.02, 0.23], transitTo: { HT: 1 }, partnerWeight: 1 },
};

/** Relative importance of offices (by UN/LOCODE), so that Puerto Quetzal sees more ships than Champerico. */
const OFFICE_WEIGHTS: Record<string, number> = {
  GTPRQ: 5, GTSTC: 4, GTPBR: 1, GTCHR: 0.1, SVAQJ: 5, SVLUN: 0.5, HNPCR: 6, HNSLO: 1, HNPCA: 0.5, HNLCE: 0.3, HNRTB: 0.2,
  NICIO: 5, NIPSN: 0.5, NIELB: 0.2, NIPUZ: 0.2, CRMOB: 5, CRLIO: 2, CRCAL: 3, CRPAS: 0.3, CRGLF: 0.2, PAMIT: 4, PABLB: 4, PACTB: 3,
  PAONX: 1, PAROD: 1, PAMNP: 0.5, PAVAC: 0.3, PAAML: 0.2, PAPAM: 0.3, PACHG: 0.3, PACHA: 0.2, DOCAU: 6, DOINA: 4, DOSDQ: 1.5, DOPOP: 1,
  DOSPM: 0.5, DOLRM: 0.3, DOMAN: 0.2, DOBCC: 0.5, DOBRX: 0.2, DOPVA: 0.2,
  GTGUA: 10, GTFRS: 0.3, SVSAL: 10, HNSAP: 6, HNCMY: 3, NIMGA: 10, CRSJO: 10, CRLIR: 1.5, PAPTY: 10, DOPUJ: 6,
};
/** Busy land crossings, matched on the crossing's name. */
const CROSSING_WEIGHTS: [string, number][] = [
  ['Tecún', 5], ['Pedro de Alvarado', 3], ['Valle Nuevo', 2], ['San Cristóbal', 3], ['Anguiatú', 1], ['Agua Caliente', 2], ['El Florido', 1.5],
  ['Corinto', 2], ['El Poy', 2], ['Amatillo', 4], ['Guasaule', 4], ['Las Manos', 2], ['Espino', 1], ['Peñas Blancas', 6], ['Tablillas', 1],
  ['Paso Canoas', 5], ['Sixaola', 1], ['Río Sereno', 0.3], ['Dajabón', 3], ['Jimaní', 2], ['Elías Piña', 1], ['Pedernales', 0.5],
  ['La Mesilla', 2], ['El Carmen', 1.5], ['El Ceibo', 0.5], ['Melchor', 1],
];

export interface Goods {
  /** 6-digit HS 2022 subheading */
  code: string;
  heading: string;
  chapter: string;
  section: string;
  description: string;
  /** median going price, USD per kg */
  medianUsdPerKg: number;
  /** spread (sigma of log) of transaction prices around the median */
  priceSigma: number;
  unit: SimUnit;
  /** kg of net mass per unit of quantity */
  kgPerUnit: number;
  /** MFN import duty, percent */
  duty: number;
  sensitive: boolean;
  bulk: boolean;
  /** a lower-duty subheading of another heading, the one a misclassifier declares instead */
  decoy: Goods | null;
}

export interface HeadingInfo {
  heading: string;
  chapter: string;
  description: string;
  goods: Goods[];
  duty: number;
  sensitive: boolean;
  bulk: boolean;
  group: OriginGroup;
  importWeight: number;
  exportWeight: number;
}

export interface AdminWorld {
  country: Administration;
  share: number;
  offset: string;
  offsetMinutes: number;
  vat: number;
  localCurrency: string;
  localRate: number;
  modes: [number, number, number];
  seaports: WeightedTable<Office> | null;
  airports: WeightedTable<Office> | null;
  landBorders: WeightedTable<Office> | null;
  /** all land border posts (for picking one facing a given neighbour) */
  landOffices: Office[];
  transitTo: WeightedTable<string> | null;
  /** the other administrations, weighted as trade partners */
  partners: WeightedTable<string>;
}

export type FraudType = 'undervaluation' | 'misclassification' | 'false_origin' | 'under_declared_quantity' | 'transit_diversion';
export const FRAUD_TYPES: readonly FraudType[] = ['undervaluation', 'misclassification', 'false_origin', 'under_declared_quantity', 'transit_diversion'];

export interface World {
  seed: number;
  goods: Goods[];
  headings: HeadingInfo[];
  heading(code: string): HeadingInfo | undefined;
  /** every subheading of a heading in HS 2022 (not only traded ones), for careless near-misses */
  subheadingsOf(heading: string): string[];
  importHeadings: WeightedTable<HeadingInfo>;
  exportHeadings: WeightedTable<HeadingInfo>;
  /** headings where each fraud type pays (a fraudster specialises in these) */
  fraudHeadings: Record<FraudType, WeightedTable<HeadingInfo>>;
  admins: Record<Administration, AdminWorld>;
  /** origin countries for goods of a heading imported into an administration */
  origins(h: HeadingInfo, admin: Administration): WeightedTable<string>;
  exportDestinations(admin: Administration): WeightedTable<string>;
  modeAffinity(h: HeadingInfo): [number, number, number];
  /** seasonality factor for a calendar day (UTC midnight ms): weekly and yearly, mean about 1 */
  seasonality(dayMs: number): number;
}

const WEEKDAY = [0.4, 1.12, 1.15, 1.15, 1.15, 1.1, 0.55]; // Sun..Sat
const WEEKDAY_MEAN = WEEKDAY.reduce((a, b) => a + b, 0) / 7;

function officeWeight(o: Office): number {
  const w = OFFICE_WEIGHTS[o.code];
  if (w !== undefined) return w;
  if (o.kind === 'land_border') {
    const name = o.crossing?.name ?? o.name;
    for (const [k, v] of CROSSING_WEIGHTS) if (name.includes(k)) return v;
    return 0.5;
  }
  return o.kind === 'airport' ? 0.2 : 0.2;
}

function officeTable(offices: Office[]): WeightedTable<Office> | null {
  if (offices.length === 0) return null;
  return new WeightedTable(offices, offices.map(officeWeight));
}

function offsetMinutes(offset: string): number {
  const m = /^([+-])(\d\d):(\d\d)$/.exec(offset)!;
  const v = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -v : v;
}

export function buildWorld(ref: ReferenceData, seed: number): World {
  const rng = Rng.derive(seed, 'world');

  // --- the curated list of traded subheadings
  const byChapter = new Map<string, string[]>();
  const subsOfHeading = new Map<string, string[]>();
  for (const e of ref.hsSubheadings()) {
    const ch = e.code.slice(0, 2);
    let l = byChapter.get(ch);
    if (!l) byChapter.set(ch, (l = []));
    l.push(e.code);
    const hd = e.code.slice(0, 4);
    let s = subsOfHeading.get(hd);
    if (!s) subsOfHeading.set(hd, (s = []));
    s.push(e.code);
  }
  const chapterCodes = Object.keys(CHAPTERS).sort();
  const TARGET = 420;
  let totalW = 0;
  for (const ch of chapterCodes) totalW += CHAPTERS[ch].im + CHAPTERS[ch].ex;
  const must = new Set(MUST_TRADE.filter((code) => ref.isHsSubheading(code)));
  const picked: string[] = [];
  const quota = new Map<string, number>();
  for (const ch of chapterCodes) {
    const all = (byChapter.get(ch) ?? []).slice().sort();
    if (all.length === 0) continue;
    const spec = CHAPTERS[ch];
    const q = Math.min(all.length, Math.max(1, Math.round((TARGET * (spec.im + spec.ex)) / totalW)));
    const chosen = all.filter((code) => must.has(code));
    const rest = rng.shuffle(all.filter((code) => !must.has(code)));
    for (const code of rest) {
      if (chosen.length >= q) break;
      chosen.push(code);
    }
    quota.set(ch, chosen.length);
    picked.push(...chosen);
  }
  picked.sort();

  // --- goods with prices and duties
  const headingDuty = new Map<string, number>();
  const dutyFor = (hd: string): number => {
    let d = headingDuty.get(hd);
    if (d !== undefined) return d;
    const ov = HEADING_OVERRIDES[hd]?.duty;
    if (ov !== undefined) d = ov;
    else {
      const base = CHAPTERS[hd.slice(0, 2)].duty;
      const ladder = [0, 5, 10, 15];
      const i = ladder.indexOf(base);
      const h = hashString(`duty:${hd}`, seed) % 10;
      d = i < 0 || h < 6 ? base : h < 8 ? ladder[Math.max(0, i - 1)] : ladder[Math.min(3, i + 1)];
    }
    headingDuty.set(hd, d);
    return d;
  };

  const goods: Goods[] = [];
  const headingMap = new Map<string, HeadingInfo>();
  const headings: HeadingInfo[] = [];
  for (const code of picked) {
    const entry = ref.hs(code)!;
    const hd = code.slice(0, 4);
    const ch = code.slice(0, 2);
    const spec = CHAPTERS[ch];
    const ov = HEADING_OVERRIDES[hd] ?? {};
    const g = new Rng(hashString(`goods:${code}`, seed));
    const unit = ov.unit ?? spec.unit;
    const baseKgpu = ov.kgpu ?? (unit === 'LTR' ? 1 : spec.kgpu);
    const kgPerUnit = unit === 'KGM' ? 1 : unit === 'LTR' ? baseKgpu : Math.max(0.05, g.logNormal(baseKgpu, ov.kgpu ? 0.2 : 0.6));
    const medianUsdPerKg = ov.price !== undefined ? g.logNormal(ov.price, 0.1) : g.logNormal(spec.price, 0.5);
    const item: Goods = {
      code,
      heading: hd,
      chapter: ch,
      section: entry.section,
      description: entry.description.slice(0, 480),
      medianUsdPerKg,
      priceSigma: spec.group === 'tech' ? 0.35 : 0.25,
      unit,
      kgPerUnit,
      duty: dutyFor(hd),
      sensitive: SENSITIVE_CHAPTERS.has(ch) || hd === '2402' || hd === '2208' || hd === '2710',
      bulk: BULK_HEADINGS.has(hd),
      decoy: null,
    };
    goods.push(item);
    let h = headingMap.get(hd);
    if (!h) {
      h = {
        heading: hd,
        chapter: ch,
        description: (ref.hs(hd)?.description ?? entry.description).slice(0, 400),
        goods: [],
        duty: item.duty,
        sensitive: item.sensitive,
        bulk: item.bulk,
        group: spec.group,
        importWeight: 0,
        exportWeight: 0,
      };
      headingMap.set(hd, h);
      headings.push(h);
    }
    h.goods.push(item);
    h.importWeight += (spec.im / quota.get(ch)!) * (IMPORT_BOOST[hd] ?? 1);
    h.exportWeight += (spec.ex / quota.get(ch)!) * (EXPORT_BOOST[hd] ?? 1);
  }

  // --- decoys for misclassification: a lower-duty subheading of another heading, same chapter if possible
  for (const g of goods) {
    if (g.duty === 0) continue;
    const lower = (p: (o: Goods) => boolean) => goods.filter((o) => o.heading !== g.heading && o.duty < g.duty && !o.bulk && p(o));
    let cands = lower((o) => o.chapter === g.chapter);
    if (cands.length === 0) cands = lower((o) => o.section === g.section);
    if (cands.length === 0) cands = lower(() => true);
    if (cands.length > 0) g.decoy = cands[hashString(`decoy:${g.code}`, seed) % cands.length];
  }

  const imp = headings.filter((h) => h.importWeight > 0);
  const importHeadings = new WeightedTable(imp, imp.map((h) => h.importWeight));
  const exp = headings.filter((h) => h.exportWeight > 0);
  const exportHeadings = new WeightedTable(exp, exp.map((h) => h.exportWeight));
  const pool = (pred: (h: HeadingInfo) => boolean, weight: (h: HeadingInfo) => number) => {
    const hs = imp.filter(pred);
    return new WeightedTable(hs, hs.map(weight));
  };
  const fraudHeadings: Record<FraudType, WeightedTable<HeadingInfo>> = {
    undervaluation: pool((h) => !h.bulk, (h) => h.importWeight * (1 + h.duty / 10)),
    misclassification: pool(
      (h) => h.duty >= 10 && h.goods.every((g) => g.decoy !== null),
      (h) => h.importWeight * h.duty,
    ),
    false_origin: pool(
      (h) => h.duty >= 5 && !h.bulk && h.group !== 'fuel' && h.group !== 'grain',
      (h) => h.importWeight * h.duty,
    ),
    under_declared_quantity: pool((h) => !h.bulk, (h) => h.importWeight),
    transit_diversion: pool(
      (h) => h.sensitive && !h.bulk,
      (h) => h.importWeight * (1 + h.duty / 5),
    ),
  };

  // --- administrations and their offices
  const admins = {} as Record<Administration, AdminWorld>;
  for (const a of ADMINISTRATIONS) {
    const s = ADMIN_SPECS[a];
    const offices = ref.offices(a).slice().sort((x, y) => (x.code < y.code ? -1 : x.code > y.code ? 1 : 0));
    const landOffices = offices.filter((o) => o.kind === 'land_border');
    const transitPairs = Object.entries(s.transitTo).filter(([cc]) => ref.isCountry(cc));
    const partners = ADMINISTRATIONS.filter((p) => p !== a);
    admins[a] = {
      country: a,
      share: s.share,
      offset: s.offset,
      offsetMinutes: offsetMinutes(s.offset),
      vat: s.vat,
      localCurrency: ref.isCurrency(s.currency) ? s.currency : 'USD',
      localRate: ref.isCurrency(s.currency) ? s.rate : 1,
      modes: s.modes,
      seaports: officeTable(offices.filter((o) => o.kind === 'seaport')),
      airports: officeTable(offices.filter((o) => o.kind === 'airport')),
      landBorders: officeTable(landOffices),
      landOffices,
      transitTo: transitPairs.length ? WeightedTable.of(transitPairs) : null,
      partners: new WeightedTable(partners, partners.map((p) => ADMIN_SPECS[p].partnerWeight)),
    };
  }

  // --- origin tables, cached per (group, admin)
  const originCache = new Map<string, WeightedTable<string>>();
  const expand = (table: Record<string, number>, admin: Administration): WeightedTable<string> => {
    const pairs: [string, number][] = [];
    for (const [cc, w] of Object.entries(table)) {
      if (cc === 'REG') {
        const p = admins[admin].partners;
        for (let i = 0; i < p.items.length; i++) pairs.push([p.items[i], w * p.probability(i)]);
      } else if (cc !== admin && ref.isCountry(cc)) pairs.push([cc, w]);
    }
    return WeightedTable.of(pairs);
  };
  const origins = (h: HeadingInfo, admin: Administration) => {
    const key = `${h.group}:${admin}`;
    let t = originCache.get(key);
    if (!t) originCache.set(key, (t = expand(ORIGIN_GROUPS[h.group], admin)));
    return t;
  };
  const exportDestCache = new Map<string, WeightedTable<string>>();
  const exportDestinations = (admin: Administration) => {
    let t = exportDestCache.get(admin);
    if (!t) exportDestCache.set(admin, (t = expand(EXPORT_DESTINATIONS, admin)));
    return t;
  };

  return {
    seed,
    goods,
    headings,
    heading: (code) => headingMap.get(code),
    subheadingsOf: (hd) => subsOfHeading.get(hd) ?? [],
    importHeadings,
    exportHeadings,
    fraudHeadings,
    admins,
    origins,
    exportDestinations,
    modeAffinity: (h) => MODE_AFFINITY[h.group],
    seasonality(dayMs: number) {
      const d = new Date(dayMs);
      const weekly = WEEKDAY[d.getUTCDay()] / WEEKDAY_MEAN;
      const doy = (dayMs - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000;
      const yearly = 1 + 0.12 * Math.cos((2 * Math.PI * (doy - 330)) / 365.25);
      return weekly * yearly;
    },
  };
}

/** Taxes due on a customs value: duty, and VAT on value plus duty. */
export function taxesDue(valueUsd: number, dutyPct: number, vatPct: number): number {
  const duty = (valueUsd * dutyPct) / 100;
  return duty + ((valueUsd + duty) * vatPct) / 100;
}
