/**
 * The regional trade simulator: manifests and declarations of the seven administrations, day by
 * day, each with its ground truth (fraud type, revenue at stake) kept apart from what customs sees.
 * Deterministic for (seed, start, days, scale, countries, config).
 *
 * This file runs the days; what is planned lives in files of its own under plan/: the goods of a
 * consignment (items.ts), the fraud patterns and careless errors (fraud.ts), imports, exports and
 * transits (imports.ts, exports.ts, transits.ts), vessels, flights and trucks (arrivals.ts); the
 * records emitted in records.ts, the settings in config.ts. The run's output for a seed is pinned by
 * golden.test.ts.
 */
import { ADMINISTRATIONS, type Administration, type ReferenceData } from '../reference/types.ts';
import { resolveConfig, type SimConfig } from './config.ts';
import { planArrivals } from './plan/arrivals.ts';
import type { DayPlan } from './plan/day.ts';
import { planExport } from './plan/exports.ts';
import { createIds } from './plan/ids.ts';
import { planImport } from './plan/imports.ts';
import { planTransit } from './plan/transits.ts';
import { DAY_MS, pad, type ConsignmentPlan, type DeclPlan, type ManifestPlan } from './plan/types.ts';
import { Rng, WeightedTable } from './random.ts';
import { declarationRecord, manifestRecord, type SimRecord } from './records.ts';
import { buildPopulation, type Population } from './traders.ts';
import { buildWorld, type World } from './world.ts';

export { DEFAULT_SIM_CONFIG, resolveConfig, type SimConfig } from './config.ts';
export { activeFraudTypes } from './plan/fraud.ts';
export type { GroundTruth, SimRecord } from './records.ts';
export type { FraudType } from './world.ts';

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

  const ids = createIds(startMs);
  let seq = 0;
  const nextSeq = () => seq++;
  let carry: DeclPlan[] = [];

  for (let day = 0; day < days; day++) {
    const dayMs = startMs + day * DAY_MS;
    const season = world.seasonality(dayMs);
    const manifests: ManifestPlan[] = [];
    const decls: DeclPlan[] = carry;
    carry = [];

    for (const country of countries) {
      const rng = Rng.derive(seed, `day:${ids.dateStr(day)}:${country}`);
      const aw = world.admins[country];
      const ctx: DayPlan = {
        cfg,
        world,
        pop,
        ids,
        days,
        day,
        country,
        aw,
        cp: pop.byCountry[country],
        rng,
        nextSeq,
        epochOf: (d: number, secs: number) => startMs + d * DAY_MS + secs * 1000 - aw.offsetMinutes * 60_000,
        seaBuckets: aw.seaports ? aw.seaports.items.map((): ConsignmentPlan[] => []) : [],
        airBuckets: aw.airports ? aw.airports.items.map((): ConsignmentPlan[] => []) : [],
        manifests,
        decls,
        carry,
      };

      // ---- the day's volume
      const n = rng.poisson(cfg.declarationsPerDay * scale * aw.share * season);
      for (let i = 0; i < n; i++) {
        const type = typeTable.pick(rng);
        if (type === 'IM') planImport(ctx, false);
        else if (type === 'TR') planTransit(ctx);
        else decls.push(planExport(ctx));
      }
      // consignments that arrive and are never declared
      for (const [buckets, mode] of [
        [ctx.seaBuckets, 1],
        [ctx.airBuckets, 4],
      ] as const) {
        const total = buckets.reduce((a, b) => a + b.length, 0);
        const extra = rng.poisson(total * cfg.undeclaredConsignmentShare);
        for (let i = 0; i < extra; i++) planImport(ctx, true, mode);
      }

      // ---- vessels, flights and trucks
      planArrivals(ctx);
    }

    // ---- emit: the day's manifests, then the day's declarations, in time order
    manifests.sort((a, b) => a.epoch - b.epoch || a.seq - b.seq);
    for (const m of manifests) {
      const year = ids.dateStr(m.arrivalDay).slice(0, 4);
      m.reference = `${m.country}-${year}-MF-${pad(ids.next(`mf:${m.country}:${year}`), 6)}`;
      yield manifestRecord(m, ids.stamp(m.arrivalDay, m.arrivalSecs, world.admins[m.country].offset));
    }
    decls.sort((a, b) => a.epoch - b.epoch || a.seq - b.seq);
    for (const p of decls) {
      const year = ids.dateStr(p.lodgeDay).slice(0, 4);
      const reference = `${p.country}-${year}-${p.type}-${pad(ids.next(`${p.type}:${p.country}:${year}`), 6)}`;
      yield declarationRecord(p, reference, ids.stamp(p.lodgeDay, p.lodgeSecs, world.admins[p.country].offset), world);
    }
  }
}
