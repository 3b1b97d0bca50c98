/**
 * The regional trade simulator: manifests and declarations of the seven administrations, day by
 * day, each with its ground truth (fraud type, revenue at stake) kept apart from what customs sees.
 * Deterministic for (seed, start, days, scale, countries, config).
 */
import type { DeclarationInput, ManifestInput } from '../modules/declarations/schema.ts';
import { withCheckDigit } from '../modules/declarations/container.ts';
import { ADMINISTRATIONS, type Administration, type Office, type ReferenceData } from '../reference/types.ts';
import { Rng, WeightedTable } from './random.ts';
import { buildPopulation, type ImportFraudType, type Population, type PopulationConfig, type Trader } from './traders.ts';
import { buildWorld, PORTS_OF_LOADING, preferenceFor, taxesDue, type FraudType, type Goods, type HeadingInfo, type World } from './world.ts';

// ---------------------------------------------------------------- config and public types

export interface SimConfig extends PopulationConfig {
  /** declarations a day across the region at scale 1 */
  declarationsPerDay: number;
  typeShares: { IM: number; EX: number; TR: number };
  /** share of a careless trader's declarations that carry a small error */
  carelessErrorRate: number;
  /** declared value ÷ true value for undervaluation: [min, max] */
  undervaluationFactor: [number, number];
  /** declared quantity ÷ true quantity for under-declared quantity: [min, max] */
  underDeclaredQuantityFactor: [number, number];
  /** share of declarations whose value is stated in the local currency (where it is not the USD) */
  localCurrencyShare: number;
  /** share of manifest consignments declared the day after arrival rather than the same day */
  nextDayLodgementShare: number;
  /** share of sea and air consignments that arrive and are never declared */
  undeclaredConsignmentShare: number;
}

export const DEFAULT_SIM_CONFIG: SimConfig = {
  declarationsPerDay: 1500,
  typeShares: { IM: 0.7, EX: 0.2, TR: 0.1 },
  behaviourShares: { compliant: 0.85, careless: 0.1, fraudster: 0.05 },
  fraudRate: 0.6,
  importFraudTypes: { undervaluation: 0.35, misclassification: 0.2, false_origin: 0.2, under_declared_quantity: 0.25 },
  carelessErrorRate: 0.3,
  undervaluationFactor: [0.3, 0.65],
  underDeclaredQuantityFactor: [0.5, 0.8],
  localCurrencyShare: 0.12,
  nextDayLodgementShare: 0.3,
  undeclaredConsignmentShare: 0.02,
  importersPerRegion: 8000,
  exportersPerRegion: 2000,
  transitPrincipalsPerRegion: 400,
  brokersPerRegion: 400,
  volumeAlpha: 1.2,
};

/** Merges a partial config over the defaults (nested share tables merge key by key). */
export function resolveConfig(partial: Partial<SimConfig> = {}): SimConfig {
  return {
    ...DEFAULT_SIM_CONFIG,
    ...partial,
    typeShares: { ...DEFAULT_SIM_CONFIG.typeShares, ...partial.typeShares },
    behaviourShares: { ...DEFAULT_SIM_CONFIG.behaviourShares, ...partial.behaviourShares },
    importFraudTypes: { ...DEFAULT_SIM_CONFIG.importFraudTypes, ...partial.importFraudTypes },
  };
}

export interface GroundTruth {
  kind: 'manifest' | 'declaration';
  country: Administration;
  reference: string;
  fraudType: FraudType | null;
  /** duties + VAT evaded, USD */
  revenueAtStake: number;
  details: Record<string, unknown>;
}

export type SimRecord =
  | { kind: 'manifest'; record: ManifestInput; truth: GroundTruth }
  | { kind: 'declaration'; record: DeclarationInput; truth: GroundTruth };

export interface SimulateOptions {
  seed: number;
  days: number;
  scale: number;
  /** first simulated day (a date; its calendar day is used) */
  start: Date | string;
  countries?: string[];
  config?: Partial<SimConfig>;
  ref: ReferenceData;
}

export interface Simulation {
  config: SimConfig;
  countries: Administration[];
  /** UTC midnight of the first simulated day */
  startMs: number;
  world: World;
  population: Population;
  records(): Generator<SimRecord>;
}

// ---------------------------------------------------------------- carriers

interface SeaCarrier {
  name: string;
  scac: string;
  owner: string;
  fleet: string[];
  weight: number;
}
const SEA_CARRIERS: [string, string, string, string, string[], number][] = [
  ['Mediterranean Shipping Company', 'MEDU', 'MSCU', 'MSC', ['ANNA', 'LUCIA', 'ROMA', 'VALERIA', 'SOFIA', 'ELENA', 'ALINA', 'CARMEN'], 20],
  ['Maersk', 'MAEU', 'MRKU', 'MAERSK', ['KOLKATA', 'CALLAO', 'CARTAGENA', 'BALBOA', 'SEMARANG', 'LIMA', 'TAIKUNG', 'HAVANA'], 18],
  ['CMA CGM', 'CMDU', 'CMAU', 'CMA CGM', ['CORCOVADO', 'PEGASUS', 'ORINOCO', 'AMAZON', 'TAGE', 'LIBRA', 'ARGENTINA', 'MAGELLAN'], 12],
  ['Hapag-Lloyd', 'HLCU', 'HLXU', '', ['VALPARAISO EXPRESS', 'GUAYAQUIL EXPRESS', 'CARTAGENA EXPRESS', 'SANTOS EXPRESS', 'BUENAVENTURA EXPRESS', 'CALLAO EXPRESS'], 10],
  ['Ocean Network Express', 'ONEY', 'ONEU', 'ONE', ['COMMITMENT', 'HARMONY', 'TRIUMPH', 'INNOVATION', 'MANCHESTER', 'OLYMPUS'], 7],
  ['Evergreen', 'EGLV', 'EGHU', 'EVER', ['LOVELY', 'LYRIC', 'LUCENT', 'LEGEND', 'LIBRA', 'LASTING'], 7],
  ['COSCO Shipping', 'COSU', 'CSNU', 'COSCO', ['PANAMA', 'COLON', 'SHENZHEN', 'NINGBO', 'XIAMEN', 'TIANJIN'], 6],
  ['ZIM', 'ZIMU', 'ZIMU', 'ZIM', ['CARIBBEAN', 'SAN DIEGO', 'KINGSTON', 'VIRGINIA', 'SAVANNAH', 'ATLANTIC'], 5],
  ['Seaboard Marine', 'SMLU', 'SMLU', 'SEABOARD', ['PRIDE', 'GEMINI', 'VOYAGER', 'PIONEER', 'PATRIOT', 'EXPLORER'], 8],
  ['Crowley', 'CMCU', 'CMCU', '', ['TORTUGA', 'EL CAPITAN', 'CORCOVADO', 'PEÑAS BLANCAS', 'QUETZAL', 'TIKAL'], 6],
  ['King Ocean Services', 'KOSL', 'KOSU', 'KING', ['ADRIAN', 'BRIAN', 'DANIEL', 'ERIC'], 3],
  ['Tropical Shipping', 'TSCW', 'TTNU', 'TROPIC', ['HOPE', 'JEWEL', 'LISSETTE', 'MIST', 'ISLANDER'], 3],
];
const BULK_CARRIERS: [string, string, string[]][] = [
  ['Scorpio Tankers', 'STI', ['STI ROSE', 'STI PIMLICO', 'STI SAN ANTONIO', 'STI LOMBARD', 'STI VILLE']],
  ['Navig8 Group', 'NAV', ['NAVIG8 AMETRINE', 'NAVIG8 GOLDEN', 'NAVIG8 EXCEL']],
  ['Oldendorff Carriers', 'OLD', ['ANNA OLDENDORFF', 'BERNHARD OLDENDORFF', 'CHRISTIAN OLDENDORFF', 'DORTHE OLDENDORFF']],
  ['Pacific Basin', 'PBS', ['PACIFIC LIGHT', 'PORT MOUTON', 'SHANGHAI TRADER', 'SEA BAY']],
];
const LEASING_OWNERS = ['TGHU', 'SEGU', 'TCNU', 'CAIU', 'TCLU', 'FCIU'];
const AIR_CARRIERS: [string, string, string][] = [
  ['Avianca Cargo', 'AV', '134'],
  ['Copa Airlines Cargo', 'CM', '230'],
  ['DHL Aero Expreso', 'D5', '992'],
  ['UPS Airlines', '5X', '406'],
  ['FedEx Express', 'FX', '023'],
  ['Atlas Air', '5Y', '369'],
  ['Iberia Cargo', 'IB', '075'],
  ['American Airlines Cargo', 'AA', '001'],
  ['United Cargo', 'UA', '016'],
  ['Lufthansa Cargo', 'LH', '020'],
];

const SEA: SeaCarrier[] = SEA_CARRIERS.map(([name, scac, owner, prefix, ships, weight]) => ({
  name,
  scac,
  owner,
  fleet: ships.map((s) => (prefix ? `${prefix} ${s}` : s)),
  weight,
}));
const SEA_TABLE = new WeightedTable(SEA, SEA.map((s) => s.weight));
const AIR_TABLE = new WeightedTable(AIR_CARRIERS, [14, 14, 10, 8, 8, 5, 4, 6, 5, 3]);

const LETTERS = 'BCDFGHJKLMNPRSTVWXYZ';
const DAY_MS = 86_400_000;
const PROCEDURE = { IM: '4000', EX: '1000', TR: '8000' } as const;
const VAGUE = ['MERCANCIA GENERAL', 'VARIOS', 'REPUESTOS', 'ARTICULOS DIVERSOS', 'MATERIALES'];

// ---------------------------------------------------------------- plans

interface ItemPlan {
  goods: Goods;
  origin: string;
  quantity: number;
  netKg: number;
  grossKg: number;
  valueUsd: number;
  /** what is declared */
  dCode: string;
  dDescription: string;
  dOrigin: string;
  dPreference: string | null;
  dQuantity: number;
  dNetKg: number;
  dGrossKg: number;
  dValueUsd: number;
  dutyTrue: number;
  dutyDeclared: number;
}

interface ConsignmentPlan {
  transportDocument: string;
  shipper: string;
  consignee: string;
  consigneeTin?: string;
  description: string;
  hsCode: string;
  packages: number;
  grossKg: number;
  containers: string[];
  portOfLoading?: string;
  decl: DeclPlan | null;
  fate: string;
  /** index of the sea or air carrier that issued the transport document */
  carrierIdx: number;
  /** sea cargo: full container loads, groupage (shares a consolidation container) or bulk */
  load: 'fcl' | 'lcl' | 'bulk' | 'other';
}

interface ManifestPlan {
  seq: number;
  country: Administration;
  office: Office;
  mode: 1 | 3 | 4;
  carrier: string;
  conveyance: string;
  voyage?: string;
  arrivalDay: number;
  arrivalSecs: number;
  epoch: number;
  consignments: ConsignmentPlan[];
  reference?: string;
}

interface DeclPlan {
  seq: number;
  country: Administration;
  type: 'IM' | 'EX' | 'TR';
  office: Office;
  mode: 1 | 3 | 4;
  conveyance: string;
  nationality?: string;
  containers: string[];
  trader: Trader;
  declarant: { tin: string; name: string; country: string };
  importer?: { tin: string; name: string; country: string };
  exporter?: { tin: string; name: string; country: string };
  seller?: { tin: string; name: string; country: string };
  dispatch?: string;
  destination?: string;
  heading: HeadingInfo;
  items: ItemPlan[];
  currency: string;
  rate: number;
  fraudType: FraudType | null;
  errors: string[];
  manifest: ManifestPlan | null;
  consignment: ConsignmentPlan | null;
  lodgeDay: number;
  lodgeSecs: number;
  epoch: number;
  diverted: boolean;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const pad = (n: number, w: number) => String(n).padStart(w, '0');
const two = (n: number) => (n < 10 ? '0' : '') + n;

function partyOf(t: { tin: string; name: string; country: string }) {
  return { tin: t.tin, name: t.name, country: t.country };
}

function plate(rng: Rng, country: string): string {
  const L = () => LETTERS[rng.int(0, LETTERS.length - 1)];
  const d = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += String(rng.int(0, 9));
    return s;
  };
  switch (country) {
    case 'GT':
      return `C${d(3)}${L()}${L()}${L()}`;
    case 'SV':
      return `C${d(3)}-${d(3)}`;
    case 'HN':
      return `H${L()}${L()}${d(4)}`;
    case 'NI':
      return `M${d(3)}-${d(3)}`;
    case 'CR':
      return `C-${d(6)}`;
    case 'PA':
      return `T${d(6)}`;
    case 'DO':
      return `L${d(6)}`;
    case 'MX':
      return `${d(2)}-${L()}${L()}-${d(3)}`;
    default:
      return `${country}-${d(5)}`;
  }
}

// ---------------------------------------------------------------- the simulation

export function createSimulation(opts: SimulateOptions): Simulation {
  const { seed, days, scale, ref } = opts;
  if (!Number.isFinite(seed)) throw new Error('seed must be a number');
  if (!Number.isInteger(days) || days < 1) throw new Error('days must be a whole number of 1 or more');
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error('scale must be a number above 0');
  const startDate = new Date(opts.start);
  if (Number.isNaN(startDate.getTime())) throw new Error(`start is not a date: ${String(opts.start)}`);
  const startMs = Date.UTC(startDate.getUTCFullYear(), startDate.getUTCMonth(), startDate.getUTCDate());
  const wanted = opts.countries?.map((c) => c.trim().toUpperCase()).filter(Boolean);
  for (const c of wanted ?? []) if (!(ADMINISTRATIONS as readonly string[]).includes(c)) throw new Error(`unknown administration ${c}: use ${ADMINISTRATIONS.join(', ')}`);
  const countries = ADMINISTRATIONS.filter((c) => !wanted || wanted.length === 0 || wanted.includes(c));
  const config = resolveConfig(opts.config);
  const world = buildWorld(ref, seed);
  const population = buildPopulation(world, config);

  return {
    config,
    countries,
    startMs,
    world,
    population,
    records: () => run(seed, days, scale, startMs, countries, config, world, population),
  };
}

/** The simulator as a stream of records, in time order. */
export function* simulateRegion(opts: SimulateOptions): Generator<SimRecord> {
  yield* createSimulation(opts).records();
}

function* run(
  seed: number,
  days: number,
  scale: number,
  startMs: number,
  countries: Administration[],
  cfg: SimConfig,
  world: World,
  pop: Population,
): Generator<SimRecord> {
  const typeTable = WeightedTable.of<'IM' | 'EX' | 'TR'>([
    ['IM', cfg.typeShares.IM],
    ['EX', cfg.typeShares.EX],
    ['TR', cfg.typeShares.TR],
  ]);
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

  let seq = 0;
  let carry: DeclPlan[] = [];

  for (let day = 0; day < days; day++) {
    const dayMs = startMs + day * DAY_MS;
    const season = world.seasonality(dayMs);
    const manifests: ManifestPlan[] = [];
    const decls: DeclPlan[] = carry;
    carry = [];

    for (const country of countries) {
      const rng = Rng.derive(seed, `day:${dateStr(day)}:${country}`);
      const aw = world.admins[country];
      const cp = pop.byCountry[country];
      const epochOf = (d: number, secs: number) => startMs + d * DAY_MS + secs * 1000 - aw.offsetMinutes * 60_000;
      const seaBuckets: ConsignmentPlan[][] = aw.seaports ? aw.seaports.items.map(() => []) : [];
      const airBuckets: ConsignmentPlan[][] = aw.airports ? aw.airports.items.map(() => []) : [];

      // ---- helpers bound to this administration and day

      const currencyFor = (): [string, number] =>
        aw.localCurrency !== 'USD' && rng.chance(cfg.localCurrencyShare) ? [aw.localCurrency, aw.localRate] : ['USD', 1];

      const declarantOf = (t: Trader) => partyOf(t.broker ?? t);

      const nonPreferentialOrigin = (h: HeadingInfo): string => {
        const table = world.origins(h, country);
        for (let i = 0; i < 6; i++) {
          const o = table.pick(rng);
          if (!preferenceFor(country, o)) return o;
        }
        return 'CN';
      };

      const trueOrigin = (t: Trader, h: HeadingInfo, neighbour?: string): string => {
        if (t.fraudType === 'false_origin') return 'CN';
        if (t.fraudType === 'misclassification') return nonPreferentialOrigin(h);
        if (neighbour && neighbour !== country && rng.chance(0.5)) return neighbour;
        return world.origins(h, country).pick(rng);
      };

      /** the goods of one consignment: items under one heading, true quantities and values */
      const makeItems = (h: HeadingInfo, mode: 1 | 3 | 4, origin: string, bulkOk: boolean): { items: ItemPlan[]; containers: number; lcl: boolean } => {
        let net: number;
        let nContainers = 0;
        let lcl = false;
        const bulk = h.bulk && bulkOk;
        if (mode === 1) {
          if (bulk) net = Math.min(4e7, Math.max(2e5, rng.logNormal(6e6, 0.7)));
          else if (rng.chance(0.4)) {
            lcl = true;
            net = Math.min(8000, Math.max(50, rng.logNormal(1500, 0.9)));
          } else {
            nContainers = Math.min(20, Math.floor(rng.pareto(1, 1.5)));
            const [lo, hi] =
              h.group === 'vehicles' ? [2500, 6000] : h.group === 'tech' || h.group === 'apparel' || h.group === 'pharma' ? [2500, 11000] : [8000, 22000];
            net = nContainers * rng.uniform(lo, hi);
          }
        } else if (mode === 3) {
          net = bulk ? rng.uniform(20000, 30000) : rng.uniform(3000, 22000);
          nContainers = !bulk && rng.chance(0.35) ? 1 : 0;
        } else {
          net = Math.min(15000, Math.max(1, rng.logNormal(120, 1.1)));
        }
        const k = Math.max(1, Math.min(rng.geometric(2.5), 2 * h.goods.length, 10));
        const weights: number[] = [];
        let wsum = 0;
        for (let i = 0; i < k; i++) {
          const w = Math.exp(rng.normal(0, 0.7));
          weights.push(w);
          wsum += w;
        }
        const items: ItemPlan[] = [];
        for (let i = 0; i < k; i++) {
          const g = h.goods.length === 1 ? h.goods[0] : rng.pick(h.goods);
          let itemNet = (net * weights[i]) / wsum;
          // keep the value of a consignment plausible for very dense goods (gold, phones)
          if (itemNet * g.medianUsdPerKg > 2e7) itemNet = (2e7 / g.medianUsdPerKg) * rng.uniform(0.2, 1);
          let quantity: number;
          if (g.unit === 'KGM') {
            itemNet = Math.max(0.5, round2(itemNet));
            quantity = itemNet;
          } else if (g.unit === 'LTR') {
            itemNet = Math.max(0.5, round2(itemNet));
            quantity = round2(itemNet / g.kgPerUnit);
          } else {
            quantity = Math.max(1, Math.round(itemNet / g.kgPerUnit));
            itemNet = Math.max(0.1, round2(quantity * g.kgPerUnit * rng.uniform(0.92, 1.08)));
          }
          const gross = Math.max(itemNet, round2(itemNet * (bulk ? 1 : rng.uniform(1.03, 1.15))));
          const price = g.medianUsdPerKg * Math.exp(g.priceSigma * rng.normal());
          const value = Math.max(1, round2(itemNet * price));
          const pref = preferenceFor(country, origin);
          const duty = pref ? 0 : g.duty;
          items.push({
            goods: g,
            origin,
            quantity,
            netKg: itemNet,
            grossKg: gross,
            valueUsd: value,
            dCode: g.code,
            dDescription: g.description,
            dOrigin: origin,
            dPreference: pref,
            dQuantity: quantity,
            dNetKg: itemNet,
            dGrossKg: gross,
            dValueUsd: value,
            dutyTrue: duty,
            dutyDeclared: duty,
          });
        }
        return { items, containers: nContainers, lcl };
      };

      const containersFor = (n: number, owner: string) => {
        const out: string[] = [];
        for (let i = 0; i < n; i++) out.push(container(country, rng.chance(0.8) ? owner : rng.pick(LEASING_OWNERS)));
        return out;
      };

      /** applies the trader's fraud (or careless error) to the declared side of the items */
      const applyBehaviour = (p: DeclPlan, t: Trader, allowed: readonly string[]) => {
        if (t.behaviour === 'fraudster' && t.fraudType && rng.chance(t.fraudRate)) {
          p.fraudType = t.fraudType;
          switch (t.fraudType) {
            case 'undervaluation': {
              const f = rng.uniform(cfg.undervaluationFactor[0], cfg.undervaluationFactor[1]);
              for (const it of p.items) it.dValueUsd = Math.max(1, round2(it.valueUsd * f * rng.uniform(0.95, 1.05)));
              break;
            }
            case 'misclassification':
              for (const it of p.items) {
                const d = it.goods.decoy;
                if (!d) continue;
                it.dCode = d.code;
                it.dDescription = d.description;
                it.dutyDeclared = it.dPreference ? 0 : d.duty;
              }
              break;
            case 'false_origin': {
              const neighbour = p.mode === 3 ? p.dispatch : undefined;
              let o = neighbour && preferenceFor(country, neighbour) ? neighbour : 'US';
              if (!neighbour) {
                const r = rng.float();
                if (r < 0.35) {
                  const partner = aw.partners.pick(rng);
                  if (preferenceFor(country, partner)) o = partner;
                } else if (r < 0.5 && preferenceFor(country, 'MX')) o = 'MX';
              }
              for (const it of p.items) {
                it.dOrigin = o;
                it.dPreference = preferenceFor(country, o);
                it.dutyDeclared = it.dPreference ? 0 : it.goods.duty;
              }
              p.seller = partyOf(rng.pick(pop.foreign(o)));
              break;
            }
            case 'under_declared_quantity': {
              const f = rng.uniform(cfg.underDeclaredQuantityFactor[0], cfg.underDeclaredQuantityFactor[1]);
              for (const it of p.items) {
                const pieces = it.goods.unit === 'H87' || it.goods.unit === 'PR';
                if (pieces && it.quantity * f < 1) {
                  // too few pieces to leave any out: the truth is that more came than the papers say
                  const trueQ = Math.max(it.quantity + 1, Math.round(it.quantity / f));
                  const k = trueQ / it.quantity;
                  it.quantity = trueQ;
                  it.netKg = round2(it.netKg * k);
                  it.grossKg = Math.max(it.netKg, round2(it.grossKg * k));
                  it.valueUsd = round2(it.valueUsd * k);
                  continue;
                }
                it.dQuantity = pieces ? Math.min(it.quantity - 1, Math.max(1, Math.floor(it.quantity * f))) : Math.max(0.01, round2(it.quantity * f));
                const share = it.dQuantity / it.quantity;
                it.dNetKg = Math.max(0.01, round2(it.netKg * share));
                it.dGrossKg = Math.max(it.dNetKg, round2(it.grossKg * share));
                it.dValueUsd = Math.max(1, round2(it.valueUsd * share));
              }
              break;
            }
            case 'transit_diversion':
              p.diverted = true;
              break;
          }
          return;
        }
        if (t.behaviour !== 'careless' || !rng.chance(cfg.carelessErrorRate)) return;
        let kind = rng.pick(allowed);
        const it = p.items[0];
        if (kind === 'sibling_subheading') {
          const sibs = world.subheadingsOf(it.goods.heading).filter((s) => s !== it.goods.code);
          if (sibs.length === 0) kind = 'gross_mass_typo';
          else it.dCode = rng.pick(sibs);
        }
        if (kind === 'wrong_origin') {
          if (it.dPreference) kind = 'description_vague';
          else {
            const o = rng.pick(['CN', 'TW', 'KR', 'VN', 'IN', 'DE', 'JP'].filter((x) => x !== it.origin));
            for (const x of p.items) x.dOrigin = o;
          }
        }
        if (kind === 'gross_mass_typo') it.dGrossKg = Math.max(it.dNetKg, round2(it.grossKg * rng.uniform(0.9, 1.1)));
        else if (kind === 'value_rounding') for (const x of p.items) x.dValueUsd = Math.max(1, Math.floor(x.dValueUsd / 100) * 100);
        else if (kind === 'description_vague') it.dDescription = rng.pick(VAGUE);
        p.errors.push(kind);
      };

      const newDecl = (type: 'IM' | 'EX' | 'TR', t: Trader, office: Office, mode: 1 | 3 | 4, h: HeadingInfo, items: ItemPlan[]): DeclPlan => {
        const [currency, rate] = currencyFor();
        return {
          seq: seq++,
          country,
          type,
          office,
          mode,
          conveyance: '',
          containers: [],
          trader: t,
          declarant: type === 'TR' ? partyOf(t) : declarantOf(t),
          heading: h,
          items,
          currency,
          rate,
          fraudType: null,
          errors: [],
          manifest: null,
          consignment: null,
          lodgeDay: day,
          lodgeSecs: 0,
          epoch: 0,
          diverted: false,
        };
      };

      const consignmentOf = (
        p: DeclPlan,
        shipper: string,
        consignee: { name: string; tin: string },
        doc: string,
        pol?: string,
        load: ConsignmentPlan['load'] = 'other',
      ): ConsignmentPlan => {
        let gross = 0;
        for (const it of p.items) gross += it.grossKg;
        gross = round2(gross);
        const bulk = load === 'bulk';
        const c: ConsignmentPlan = {
          transportDocument: doc,
          shipper,
          consignee: consignee.name,
          consigneeTin: consignee.tin,
          description: p.heading.description,
          hsCode: p.heading.heading,
          packages: bulk ? 1 : Math.max(1, Math.min(10_000_000, Math.round(gross / rng.logNormal(p.mode === 4 ? 12 : 25, 0.8)))),
          grossKg: gross,
          containers: p.containers,
          ...(pol ? { portOfLoading: pol } : {}),
          decl: p,
          fate: 'declared',
          carrierIdx: 0,
          load,
        };
        p.consignment = c;
        return c;
      };

      const chooseMode = (h: HeadingInfo, shares: [number, number, number]): 1 | 3 | 4 => {
        const aff = world.modeAffinity(h);
        const w = [aw.seaports ? shares[0] * aff[0] : 0, aw.landBorders ? shares[1] * aff[1] : 0, aw.airports ? shares[2] * aff[2] : 0];
        if (w[0] + w[1] + w[2] <= 0) return aw.seaports ? 1 : aw.landBorders ? 3 : 4;
        return ([1, 3, 4] as const)[rng.weightedIndex(w)];
      };

      const truckManifest = (p: DeclPlan, carrierName: string): ManifestPlan => ({
        seq: seq++,
        country,
        office: p.office,
        mode: 3,
        carrier: carrierName,
        conveyance: p.conveyance,
        arrivalDay: day,
        arrivalSecs: rng.uniform(6 * 3600, 19 * 3600),
        epoch: 0,
        consignments: [],
      });

      const portOfLoading = (c: string) => {
        const l = PORTS_OF_LOADING[c];
        return l ? rng.pick(l) : undefined;
      };

      // ---- imports

      const planImport = (undeclared: boolean, forceMode?: 1 | 4): DeclPlan | null => {
        const t = cp.importerTable.pick(rng);
        const h = t.headings.length === 1 ? t.headings[0] : rng.pick(t.headings);
        let mode = forceMode ?? chooseMode(h, aw.modes);
        if (mode === 4 && world.modeAffinity(h)[2] === 0 && aw.seaports) mode = 1;
        const office = mode === 1 ? aw.seaports!.pick(rng) : mode === 3 ? aw.landBorders!.pick(rng) : aw.airports!.pick(rng);
        const neighbour = mode === 3 ? office.crossing?.neighbour : undefined;
        const origin = trueOrigin(t, h, neighbour);
        const { items, containers, lcl } = makeItems(h, mode, origin, true);
        const p = newDecl('IM', t, office, mode, h, items);
        p.dispatch = mode === 3 && neighbour ? neighbour : origin;
        p.importer = partyOf(t);
        const seller = rng.pick(pop.foreign(p.dispatch));
        p.seller = partyOf(seller);
        applyBehaviour(p, t, ['sibling_subheading', 'gross_mass_typo', 'value_rounding', 'wrong_origin', 'description_vague']);
        const shipper = p.seller.name;
        if (mode === 1) {
          const carrierIdx = SEA_TABLE.pickIndex(rng);
          const carrier = SEA[carrierIdx];
          p.containers = containersFor(containers, carrier.owner);
          const load = lcl ? 'lcl' : containers === 0 ? 'bulk' : 'fcl';
          const c = consignmentOf(p, shipper, t, billOfLading(country, carrier.scac), portOfLoading(p.dispatch), load);
          c.carrierIdx = carrierIdx;
          seaBuckets[aw.seaports!.items.indexOf(office)].push(c);
        } else if (mode === 4) {
          const a = AIR_TABLE.pickIndex(rng);
          const c = consignmentOf(p, shipper, t, airWaybill(country, AIR_CARRIERS[a][2]));
          c.carrierIdx = a;
          airBuckets[aw.airports!.items.indexOf(office)].push(c);
        } else {
          p.nationality = rng.chance(0.5) && neighbour && neighbour !== 'HT' && neighbour !== 'BZ' ? neighbour : country;
          p.conveyance = plate(rng, p.nationality);
          p.containers = containersFor(containers, rng.pick(LEASING_OWNERS));
          const m = truckManifest(p, rng.pick(cp.transitPrincipals).name);
          const c = consignmentOf(p, shipper, t, truckDoc(country, day));
          m.consignments.push(c);
          p.manifest = m;
          manifests.push(m);
        }
        if (undeclared && p.consignment) {
          p.consignment.decl = null;
          p.consignment.fate = 'never_declared';
          return null;
        }
        return p;
      };

      // ---- transits

      const planTransit = (): void => {
        const t = cp.transitTable.pick(rng);
        if (!aw.transitTo) return;
        const h = t.headings.length === 1 ? t.headings[0] : rng.pick(t.headings);
        let mode: 1 | 3 = aw.landBorders && country !== 'DO' && rng.chance(0.6) ? 3 : 1;
        if (!aw.seaports) mode = 3;
        let office: Office;
        let dispatch: string;
        let destination = '';
        if (mode === 3) {
          office = aw.landBorders!.pick(rng);
          dispatch = office.crossing?.neighbour ?? aw.partners.pick(rng);
          for (let i = 0; i < 6 && !destination; i++) {
            const d = aw.transitTo.pick(rng);
            if (d !== dispatch && d !== country) destination = d;
          }
          if (!destination && aw.seaports) mode = 1;
        }
        let origin: string;
        if (mode === 1) {
          office = aw.seaports!.pick(rng);
          destination = aw.transitTo.pick(rng);
          origin = world.origins(h, country).pick(rng);
          if (origin === destination) origin = 'CN';
          dispatch = origin;
        } else {
          origin = rng.chance(0.5) && dispatch! !== destination ? dispatch! : world.origins(h, country).pick(rng);
          if (origin === destination) origin = 'US';
        }
        if (!destination) return;
        const { items, containers } = makeItems(h, mode, origin, false);
        const p = newDecl('TR', t, office!, mode, h, items);
        p.dispatch = dispatch!;
        p.destination = destination;
        const consignee = (ADMINISTRATIONS as readonly string[]).includes(destination)
          ? pop.byCountry[destination as Administration].importerTable.pick(rng)
          : rng.pick(pop.foreign(destination));
        p.importer = partyOf(consignee);
        p.exporter = partyOf(rng.pick(pop.foreign(p.dispatch)));
        applyBehaviour(p, t, ['gross_mass_typo', 'description_vague']);
        if (mode === 1) {
          const carrierIdx = SEA_TABLE.pickIndex(rng);
          const carrier = SEA[carrierIdx];
          p.containers = containersFor(Math.max(1, containers), carrier.owner);
          const c = consignmentOf(p, p.exporter.name, consignee, billOfLading(country, carrier.scac), portOfLoading(p.dispatch), 'fcl');
          c.carrierIdx = carrierIdx;
          c.fate = 'transit';
          seaBuckets[aw.seaports!.items.indexOf(office!)].push(c);
        } else {
          p.nationality = rng.chance(0.6) ? country : dispatch! === 'HT' || dispatch! === 'BZ' ? country : dispatch!;
          p.conveyance = plate(rng, p.nationality);
          p.containers = containersFor(containers, rng.pick(LEASING_OWNERS));
          const m = truckManifest(p, t.name);
          const c = consignmentOf(p, p.exporter.name, consignee, truckDoc(country, day));
          c.fate = 'transit';
          m.consignments.push(c);
          p.manifest = m;
          manifests.push(m);
        }
      };

      // ---- exports

      const planExport = (): DeclPlan => {
        const t = cp.exporterTable.pick(rng);
        const h = t.headings.length === 1 ? t.headings[0] : rng.pick(t.headings);
        const dest = world.exportDestinations(country).pick(rng);
        const byLand = aw.landBorders !== null && country !== 'DO' && dest !== 'DO' && (dest === 'MX' || (ADMINISTRATIONS as readonly string[]).includes(dest));
        const mode = chooseMode(h, byLand ? [0.35, 0.6, 0.05] : [0.85, 0, 0.15]);
        let office: Office;
        if (mode === 3) {
          const facing = aw.landOffices.filter((o) => o.crossing?.neighbour === dest);
          office = facing.length ? rng.pick(facing) : aw.landBorders!.pick(rng);
        } else office = mode === 1 ? aw.seaports!.pick(rng) : aw.airports!.pick(rng);
        const { items, containers, lcl } = makeItems(h, mode, country, true);
        const p = newDecl('EX', t, office, mode, h, items);
        p.exporter = partyOf(t);
        p.importer = partyOf(rng.pick(pop.foreign(dest)));
        p.destination = dest;
        applyBehaviour(p, t, ['sibling_subheading', 'gross_mass_typo', 'value_rounding', 'description_vague']);
        if (mode === 1) {
          const carrier = SEA_TABLE.pick(rng);
          p.conveyance = rng.pick(carrier.fleet);
          p.containers = containersFor(lcl ? 1 : containers, carrier.owner);
        } else if (mode === 3) {
          p.nationality = country;
          p.conveyance = plate(rng, country);
          p.containers = containersFor(containers, rng.pick(LEASING_OWNERS));
        } else {
          const a = AIR_TABLE.pick(rng);
          p.conveyance = `${a[1]}${rng.int(100, 999)}`;
        }
        p.lodgeSecs = 7 * 3600 + (rng.float() + rng.float()) * 6 * 3600;
        p.epoch = epochOf(day, p.lodgeSecs);
        return p;
      };

      // ---- the day's volume

      const n = rng.poisson(cfg.declarationsPerDay * scale * aw.share * season);
      for (let i = 0; i < n; i++) {
        const type = typeTable.pick(rng);
        if (type === 'IM') planImport(false);
        else if (type === 'TR') planTransit();
        else decls.push(planExport());
      }
      // consignments that arrive and are never declared
      for (const [buckets, mode] of [
        [seaBuckets, 1],
        [airBuckets, 4],
      ] as const) {
        const total = buckets.reduce((a, b) => a + b.length, 0);
        const extra = rng.poisson(total * cfg.undeclaredConsignmentShare);
        for (let i = 0; i < extra; i++) planImport(true, mode);
      }

      // ---- vessels and flights
      const lodge = (p: DeclPlan, arrivalSecs: number, minDelay: number, maxDelay: number, canWait: boolean) => {
        let d = day;
        let secs: number;
        if (canWait && rng.chance(cfg.nextDayLodgementShare)) {
          d = day + 1;
          secs = rng.uniform(7 * 3600, 18 * 3600);
        } else {
          secs = arrivalSecs + rng.uniform(minDelay, maxDelay);
          if (secs > 23.5 * 3600) {
            d = day + 1;
            secs = rng.uniform(8 * 3600, 10 * 3600);
          }
        }
        p.lodgeDay = d;
        p.lodgeSecs = secs;
        p.epoch = epochOf(d, secs);
        if (d === day) decls.push(p);
        else if (d < days) carry.push(p);
        else if (p.consignment) p.consignment.fate = 'declared_after_period';
      };

      const flush = (m: ManifestPlan) => {
        m.epoch = epochOf(m.arrivalDay, m.arrivalSecs);
        manifests.push(m);
        for (const c of m.consignments) {
          const p = c.decl;
          if (!p) continue;
          p.manifest = m;
          p.conveyance = m.conveyance;
          lodge(p, m.arrivalSecs, 1800, 6 * 3600, p.type === 'IM');
        }
      };

      seaBuckets.forEach((bucket, bi) => {
        if (bucket.length === 0) return;
        const office = aw.seaports!.items[bi];
        const boxes = bucket.filter((c) => c.load !== 'bulk');
        const bulk = bucket.filter((c) => c.load === 'bulk');
        for (const c of bulk) {
          const [name, , fleet] = rng.pick(BULK_CARRIERS);
          flush({
            seq: seq++,
            country,
            office,
            mode: 1,
            carrier: name,
            conveyance: rng.pick(fleet),
            voyage: `${rng.int(100, 999)}${rng.pick(['N', 'S', 'E', 'W'])}`,
            arrivalDay: day,
            arrivalSecs: rng.uniform(3600, 16 * 3600),
            epoch: 0,
            consignments: [c],
          });
        }
        if (boxes.length === 0) return;
        const nv = Math.max(1, Math.ceil(boxes.length / 35));
        rng.shuffle(boxes);
        for (let v = 0; v < nv; v++) {
          const cons = boxes.filter((_, i) => i % nv === v);
          const carrier = SEA[cons[0].carrierIdx];
          // groupage: consignments less than a container load share consolidation containers
          let shared: string[] = [];
          let room = 0;
          for (const c of cons) {
            if (c.load !== 'lcl') continue;
            if (room <= 0) {
              shared = [container(country, carrier.owner)];
              room = rng.int(3, 8);
            }
            room--;
            c.containers = shared;
            if (c.decl) c.decl.containers = shared;
          }
          flush({
            seq: seq++,
            country,
            office,
            mode: 1,
            carrier: carrier.name,
            conveyance: rng.pick(carrier.fleet),
            voyage: `${rng.int(100, 999)}${rng.pick(['N', 'S', 'E', 'W'])}`,
            arrivalDay: day,
            arrivalSecs: rng.uniform(3600, 16 * 3600),
            epoch: 0,
            consignments: cons,
          });
        }
      });
      airBuckets.forEach((bucket, bi) => {
        if (bucket.length === 0) return;
        const office = aw.airports!.items[bi];
        const nf = Math.max(1, Math.ceil(bucket.length / 25));
        for (let f = 0; f < nf; f++) {
          const cons = bucket.filter((_, i) => i % nf === f);
          const a = AIR_CARRIERS[cons[0].carrierIdx];
          flush({
            seq: seq++,
            country,
            office,
            mode: 4,
            carrier: a[0],
            conveyance: `${a[1]}${rng.int(100, 999)}`,
            arrivalDay: day,
            arrivalSecs: rng.uniform(0, 20 * 3600),
            epoch: 0,
            consignments: cons,
          });
        }
      });
      // trucks: already in `manifests` without timing; time them now
      for (const m of manifests) {
        if (m.mode !== 3 || m.country !== country || m.epoch !== 0) continue;
        m.epoch = epochOf(m.arrivalDay, m.arrivalSecs);
        for (const c of m.consignments) if (c.decl) lodge(c.decl, m.arrivalSecs, 300, 3600, false);
      }
    }

    // ---- emit: the day's manifests, then the day's declarations, in time order
    manifests.sort((a, b) => a.epoch - b.epoch || a.seq - b.seq);
    for (const m of manifests) {
      const year = dateStr(m.arrivalDay).slice(0, 4);
      m.reference = `${m.country}-${year}-MF-${pad(next(`mf:${m.country}:${year}`), 6)}`;
      yield manifestRecord(m, stamp(m.arrivalDay, m.arrivalSecs, world.admins[m.country].offset));
    }
    decls.sort((a, b) => a.epoch - b.epoch || a.seq - b.seq);
    for (const p of decls) {
      const year = dateStr(p.lodgeDay).slice(0, 4);
      const reference = `${p.country}-${year}-${p.type}-${pad(next(`${p.type}:${p.country}:${year}`), 6)}`;
      yield declarationRecord(p, reference, stamp(p.lodgeDay, p.lodgeSecs, world.admins[p.country].offset), world);
    }
  }
}

function manifestRecord(m: ManifestPlan, arrivalAt: string): SimRecord {
  let undeclaredValue = 0;
  const record: ManifestInput = {
    reference: m.reference!,
    country: m.country,
    office: m.office.code,
    mode: m.mode,
    carrier: m.carrier,
    conveyance: m.conveyance,
    ...(m.voyage ? { voyage: m.voyage } : {}),
    arrivalAt,
    consignments: m.consignments.map((c) => ({
      transportDocument: c.transportDocument,
      shipper: c.shipper,
      consignee: c.consignee,
      ...(c.consigneeTin ? { consigneeTin: c.consigneeTin } : {}),
      description: c.description,
      hsCode: c.hsCode,
      packages: c.packages,
      grossMassKg: c.grossKg,
      containers: c.containers,
      ...(c.portOfLoading ? { portOfLoading: c.portOfLoading } : {}),
    })),
  };
  const consignments = m.consignments.map((c) => {
    if (c.fate === 'never_declared') for (const it of c.decl?.items ?? []) undeclaredValue += it.valueUsd;
    return { transportDocument: c.transportDocument, fate: c.fate };
  });
  return {
    kind: 'manifest',
    record,
    truth: {
      kind: 'manifest',
      country: m.country,
      reference: m.reference!,
      fraudType: null,
      revenueAtStake: 0,
      details: { consignments, undeclaredValueUsd: round2(undeclaredValue) },
    },
  };
}

function declarationRecord(p: DeclPlan, reference: string, lodgedAt: string, world: World): SimRecord {
  const aw = world.admins[p.country];
  const items = p.items.map((it, i) => ({
    line: i + 1,
    hsCode: it.dCode,
    description: it.dDescription,
    origin: it.dOrigin,
    quantity: it.dQuantity,
    unit: it.goods.unit,
    netMassKg: it.dNetKg,
    grossMassKg: it.dGrossKg,
    customsValue: round2(it.dValueUsd * p.rate),
    currency: p.currency,
    ...(p.type === 'IM' ? { dutyRate: it.dutyDeclared } : {}),
    ...(p.type === 'IM' && it.dPreference ? { preference: it.dPreference } : {}),
  }));
  const record: DeclarationInput = {
    reference,
    country: p.country,
    type: p.type,
    procedure: PROCEDURE[p.type],
    office: p.office.code,
    lodgedAt,
    declarant: p.declarant,
    ...(p.importer ? { importer: p.importer } : {}),
    ...(p.exporter ? { exporter: p.exporter } : {}),
    ...(p.seller ? { seller: p.seller } : {}),
    ...(p.dispatch ? { countryOfDispatch: p.dispatch } : {}),
    ...(p.destination ? { countryOfDestination: p.destination } : {}),
    ...(p.manifest ? { manifestReference: p.manifest.reference! } : {}),
    ...(p.consignment ? { transportDocument: p.consignment.transportDocument } : {}),
    transport: {
      mode: p.mode,
      ...(p.conveyance ? { conveyance: p.conveyance } : {}),
      ...(p.nationality ? { nationality: p.nationality } : {}),
      containers: p.containers,
    },
    items,
  };

  let due = 0;
  let declared = 0;
  const truthItems = p.items.map((it, i) => {
    if (p.type === 'IM') {
      due += taxesDue(it.valueUsd, it.dutyTrue, aw.vat);
      declared += taxesDue(it.dValueUsd, it.dutyDeclared, aw.vat);
    } else if (p.type === 'TR' && p.diverted) {
      due += taxesDue(it.valueUsd, preferenceFor(p.country, it.origin) ? 0 : it.goods.duty, aw.vat);
    }
    return {
      line: i + 1,
      trueHsCode: it.goods.code,
      declaredHsCode: it.dCode,
      trueOrigin: it.origin,
      declaredOrigin: it.dOrigin,
      trueQuantity: it.quantity,
      trueNetMassKg: it.netKg,
      trueGrossMassKg: it.grossKg,
      trueValueUsd: it.valueUsd,
      declaredValueUsd: it.dValueUsd,
      trueUnitValueUsdPerKg: round3(it.valueUsd / it.netKg),
      goingPriceUsdPerKg: round3(it.goods.medianUsdPerKg),
      trueDutyRate: it.dutyTrue,
      declaredDutyRate: it.dutyDeclared,
    };
  });
  const revenueAtStake = round2(Math.max(0, due - declared));
  const t = p.trader;
  return {
    kind: 'declaration',
    record,
    truth: {
      kind: 'declaration',
      country: p.country,
      reference,
      fraudType: p.fraudType,
      revenueAtStake,
      details: {
        traderId: t.id,
        traderTin: t.tin,
        traderBehaviour: t.behaviour,
        traderFraudType: t.fraudType,
        errors: p.errors,
        exchangeRate: p.rate,
        vatRate: aw.vat,
        taxesDueUsd: round2(due),
        taxesDeclaredUsd: round2(declared),
        items: truthItems,
        ...(p.manifest ? { manifestReference: p.manifest.reference, manifestGrossMassKg: p.consignment?.grossKg ?? null } : {}),
        ...(p.type === 'TR' ? { declaredDestination: p.destination, arrivedAtDestination: !p.diverted } : {}),
      },
    },
  };
}

/** The fraud types a config can produce (for summaries and tests). */
export function activeFraudTypes(cfg: SimConfig): FraudType[] {
  const out: FraudType[] = (Object.entries(cfg.importFraudTypes) as [ImportFraudType, number][]).filter(([, w]) => w > 0).map(([k]) => k);
  if (cfg.typeShares.TR > 0) out.push('transit_diversion');
  return out;
}

export type { FraudType } from './world.ts';
