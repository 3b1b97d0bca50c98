/**
 * One administration's day of planning: what every planner (imports, exports, transits, arrivals)
 * shares — the day's random stream, the run's numbering, the consignments waiting for a vessel or
 * a flight, the day's manifests and declarations — and the scaffolding they all use to start a
 * declaration or a consignment.
 *
 * The order of the draws from `rng` is what makes a run reproducible for a seed: any change here
 * (or in a planner) that draws in another order changes every simulated region (src/sim/golden.test.ts).
 */
import type { Administration, Office } from '../../reference/types.ts';
import type { SimConfig } from '../config.ts';
import type { Rng } from '../random.ts';
import type { CountryPopulation, Population, Trader } from '../traders.ts';
import { PORTS_OF_LOADING, type AdminWorld, type HeadingInfo, type World } from '../world.ts';
import { LEASING_OWNERS } from './carriers.ts';
import type { RunIds } from './ids.ts';
import { partyOf, round2, type ConsignmentPlan, type DeclPlan, type ItemPlan, type ManifestPlan } from './types.ts';

export interface DayPlan {
  readonly cfg: SimConfig;
  readonly world: World;
  readonly pop: Population;
  readonly ids: RunIds;
  /** days simulated in the run */
  readonly days: number;
  /** the simulated day (0 = the first) */
  readonly day: number;
  readonly country: Administration;
  readonly aw: AdminWorld;
  readonly cp: CountryPopulation;
  /** this administration's random stream for this day */
  readonly rng: Rng;
  /** the next number in the run's planning order (ties in time are broken by it) */
  nextSeq(): number;
  /** epoch milliseconds of a time of day (seconds after local midnight) of a simulated day, in this administration */
  epochOf(day: number, secs: number): number;
  /** sea and air consignments waiting for their vessel or flight, by port and airport (in the order of `aw.seaports` / `aw.airports`) */
  readonly seaBuckets: ConsignmentPlan[][];
  readonly airBuckets: ConsignmentPlan[][];
  /** the day's manifests (of every administration simulated) */
  readonly manifests: ManifestPlan[];
  /** declarations lodged today */
  readonly decls: DeclPlan[];
  /** declarations lodged tomorrow */
  readonly carry: DeclPlan[];
}

export function currencyFor(ctx: DayPlan): [string, number] {
  const { rng, aw, cfg } = ctx;
  return aw.localCurrency !== 'USD' && rng.chance(cfg.localCurrencyShare) ? [aw.localCurrency, aw.localRate] : ['USD', 1];
}

export const declarantOf = (t: Trader) => partyOf(t.broker ?? t);

/** n containers, most of them the carrier's own, the others leased */
export function containersFor(ctx: DayPlan, n: number, owner: string): string[] {
  const { rng, country, ids } = ctx;
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(ids.container(country, rng.chance(0.8) ? owner : rng.pick(LEASING_OWNERS)));
  return out;
}

export function newDecl(ctx: DayPlan, type: 'IM' | 'EX' | 'TR', t: Trader, office: Office, mode: 1 | 3 | 4, h: HeadingInfo, items: ItemPlan[]): DeclPlan {
  const { country, day } = ctx;
  const [currency, rate] = currencyFor(ctx);
  return {
    seq: ctx.nextSeq(),
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
}

/** the consignment (on a manifest) that carries a declaration's goods */
export function consignmentOf(
  ctx: DayPlan,
  p: DeclPlan,
  shipper: string,
  consignee: { name: string; tin: string },
  doc: string,
  pol?: string,
  load: ConsignmentPlan['load'] = 'other',
): ConsignmentPlan {
  const { rng } = ctx;
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
}

/** sea (1), road (3) or air (4), by the shares given, the goods' affinity and what the administration has */
export function chooseMode(ctx: DayPlan, h: HeadingInfo, shares: [number, number, number]): 1 | 3 | 4 {
  const { rng, world, aw } = ctx;
  const aff = world.modeAffinity(h);
  const w = [aw.seaports ? shares[0] * aff[0] : 0, aw.landBorders ? shares[1] * aff[1] : 0, aw.airports ? shares[2] * aff[2] : 0];
  if (w[0] + w[1] + w[2] <= 0) return aw.seaports ? 1 : aw.landBorders ? 3 : 4;
  return ([1, 3, 4] as const)[rng.weightedIndex(w)];
}

/** a truck's manifest at a land border post, arriving during the day (its consignments added by the caller) */
export function truckManifest(ctx: DayPlan, p: DeclPlan, carrierName: string): ManifestPlan {
  const { rng, country, day } = ctx;
  return {
    seq: ctx.nextSeq(),
    country,
    office: p.office,
    mode: 3,
    carrier: carrierName,
    conveyance: p.conveyance,
    arrivalDay: day,
    arrivalSecs: rng.uniform(6 * 3600, 19 * 3600),
    epoch: 0,
    consignments: [],
  };
}

export function portOfLoading(ctx: DayPlan, c: string): string | undefined {
  const l = PORTS_OF_LOADING[c];
  return l ? ctx.rng.pick(l) : undefined;
}
