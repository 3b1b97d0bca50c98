/**
 * The demo (`centinela serve --demo`, `npm start`): a simulated region seeded through the same
 * services as real traffic, with its progress recorded so that an interrupted first start is
 * recognised. Demo only: nothing under src/modules imports this folder.
 */
import { count, eq, sql } from 'drizzle-orm';
import type { Clock } from '../core/clock.ts';
import { queryRows, schema, type Db } from '../db/client.ts';
import { SYSTEM_PRINCIPAL } from '../modules/access/types.ts';
import type { IntakeService } from '../flows/intake.ts';
import { storeGroundTruth, type GroundTruthRecord } from '../modules/declarations/truth.ts';
import type { ReferenceData } from '../reference/types.ts';
import { simulateRegion } from '../sim/generate.ts';
import { simulateTransit } from '../sim/transit/index.ts';
import { TransitService } from '../modules/transit/service.ts';
import type { RiskService } from '../modules/risk/service.ts';
import { demoPerson, seedDemoCriteria, seedDemoResults } from './risk.ts';
import type { IntelligenceService } from '../modules/intelligence/service.ts';
import { ValidationError } from '../core/errors.ts';
import { ADMINISTRATIONS } from '../reference/types.ts';
import { fmt, Progress } from '../cli/progress.ts';
import { defaultStart } from '../sim/period.ts';

export interface DemoOptions {
  seed: number;
  days: number;
  scale: number;
}

export const DEMO_DEFAULTS: DemoOptions = { seed: 2026, days: 21, scale: 0.15 };

/** True when the database holds no declarations yet. */
export async function isEmpty(db: Db): Promise<boolean> {
  const [r] = await db.select({ n: count() }).from(schema.declarations);
  return Number(r.n) === 0;
}

/** The steps of the demo's seeding, in order. */
export const DEMO_STEPS = ['criteria', 'declarations', 'transit', 'controls', 'models'] as const;
export type DemoStep = (typeof DEMO_STEPS)[number];

/**
 * The demo's seeding progress, kept in `settings` under `demo_state`: written `seeding` before the
 * first row, with the last step finished, and `complete` once everything is in. A start that finds
 * `seeding` knows the first start was interrupted and the demo is partial.
 */
export interface DemoState {
  status: 'seeding' | 'complete';
  /** the last step that finished, if any */
  lastStep: DemoStep | null;
  seed: number;
  days: number;
  scale: number;
  startedAt: string;
  completedAt?: string;
}

export const DEMO_STATE_KEY = 'demo_state';

export async function readDemoState(db: Db): Promise<DemoState | null> {
  const [r] = await db.select().from(schema.settings).where(eq(schema.settings.key, DEMO_STATE_KEY));
  return r ? (r.value as DemoState) : null;
}

async function writeDemoState(db: Db, state: DemoState, now: Date): Promise<void> {
  await db
    .insert(schema.settings)
    .values({ key: DEMO_STATE_KEY, value: state, updatedAt: now })
    .onConflictDoUpdate({ target: schema.settings.key, set: { value: state, updatedAt: now } });
}

/**
 * What a `--demo` start finds: `empty` (seed it), `complete`, or `incomplete` (a first start was
 * interrupted during seeding: the data is a partial demo). Databases seeded before the progress
 * was recorded have no marker: they are taken as incomplete when the demo's declarations are there
 * but no control result is (the seeding stopped before its last steps), else as complete.
 */
export async function demoSeedingStatus(db: Db): Promise<{ status: 'empty' | 'complete' | 'incomplete'; state: DemoState | null }> {
  const state = await readDemoState(db);
  if (state) return { status: state.status === 'complete' ? 'complete' : 'incomplete', state };
  if (await isEmpty(db)) return { status: 'empty', state: null };
  const [seeded] = await queryRows<{ demo: boolean; results: boolean }>(
    db,
    sql`select exists (select 1 from declaration_versions where source = 'demo-seed') as demo, exists (select 1 from control_results) as results`,
  );
  return { status: seeded.demo && !seeded.results ? 'incomplete' : 'complete', state: null };
}

/** The sentence a `--demo` start prints when the demo is partial, saying how to start over. */
export function incompleteDemoMessage(location: string, state: DemoState | null, kind: 'pglite' | 'postgres'): string {
  const where = state?.lastStep ? `after the "${state.lastStep}" step (of ${DEMO_STEPS.join(', ')})` : 'before it finished';
  const how =
    kind === 'pglite'
      ? `Start over with \`centinela serve --demo --reset-demo\` (\`npm start -- --reset-demo\`), which deletes the embedded database in ${location} and seeds the demo again, or delete that directory yourself.`
      : `Start over on an empty PostgreSQL database (drop and create ${location} again, then start with --demo).`;
  return `the demo data in ${location} is incomplete: its first start was interrupted while seeding, ${where} (started ${state?.startedAt ?? 'at an unknown time'}), so it would serve a partial demo. ${how}`;
}

/**
 * Seeds the demo: a simulated region's manifests and declarations, ending today, loaded through
 * the same intake path as any import (validation, storage, assessment, audit log), plus the
 * simulator's ground truth kept apart.
 */
export async function seedDemo(deps: { db: Db; ref: ReferenceData; clock: Clock; intake: IntakeService; administrations?: readonly string[] }, o: DemoOptions = DEMO_DEFAULTS) {
  // a node stores only the records of the administrations it serves (the others are on their own nodes)
  const local = new Set(deps.administrations ?? ADMINISTRATIONS);
  // the simulated period ends yesterday in the region's earliest time zone, so nothing is in the future
  const start = defaultStart(o.days, deps.clock.now());
  const progress = new Progress('demo');
  const actor = SYSTEM_PRINCIPAL('GT', 'demo-seed');
  let decls: unknown[] = [];
  let mans: unknown[] = [];
  let truth: GroundTruthRecord[] = [];
  const totals = { declarations: 0, manifests: 0, rejected: 0 };
  const flush = async () => {
    // manifests first: declarations refer to them
    if (mans.length) {
      const r = await deps.intake.submitManifests(mans, actor, 'demo-seed');
      totals.manifests += r.outcomes.length;
      totals.rejected += r.rejections.length;
    }
    if (decls.length) {
      const r = await deps.intake.submitDeclarations(decls, actor, 'demo-seed');
      totals.declarations += r.outcomes.length;
      totals.rejected += r.rejections.length;
      if (r.rejections.length) process.stderr.write(`demo: rejected ${JSON.stringify(r.rejections[0]).slice(0, 400)}\n`);
    }
    await storeGroundTruth(deps.db, truth);
    decls = [];
    mans = [];
    truth = [];
    progress.update(`${fmt(totals.declarations)} declarations, ${fmt(totals.manifests)} manifests`);
  };
  for (const rec of simulateRegion({ seed: o.seed, days: o.days, scale: o.scale, start, ref: deps.ref })) {
    if (!local.has((rec.record as { country: string }).country)) continue;
    if (rec.kind === 'manifest') mans.push(rec.record);
    else decls.push(rec.record);
    truth.push(rec.truth as GroundTruthRecord);
    if (decls.length >= 1000) await flush();
  }
  await flush();
  progress.done(`${fmt(totals.declarations)} declarations and ${fmt(totals.manifests)} manifests of a simulated region (seed ${o.seed}, ${o.days} days)${totals.rejected ? `, ${totals.rejected} rejected` : ''}`);
  return totals;
}

/**
 * Seeds the demo's transit: two weeks of trucks across the region's real crossings and vessel
 * arrivals, with planted anomalies; only what has happened by now is sent, then the detectors sweep.
 */
export async function seedDemoTransit(deps: { db: Db; ref: ReferenceData; clock: Clock; intake: IntakeService; transit?: TransitService; administrations?: readonly string[] }, o: DemoOptions = DEMO_DEFAULTS) {
  const local = new Set(deps.administrations ?? ADMINISTRATIONS);
  const now = deps.clock.now().getTime();
  // two weeks at 12 trucks and 2 vessels a day for the demo's scale; smaller demos (tests) get fewer
  const days = Math.min(14, o.days);
  const share = Math.min(1, o.scale / DEMO_DEFAULTS.scale);
  const start = new Date(Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate() - days));
  const sim = simulateTransit({ seed: o.seed, start, days, ref: deps.ref, movementsPerDay: Math.max(1, 12 * share), arrivalsPerDay: Math.max(0.5, 2 * share), anomalyRate: 0.12 });
  const actor = SYSTEM_PRINCIPAL('GT', 'demo-seed');
  const past = (iso: unknown) => typeof iso === 'string' && Date.parse(iso) <= now;
  const progress = new Progress('demo transit');
  const mine = (c: unknown) => typeof c === 'string' && local.has(c);
  await deps.intake.submitManifests(sim.manifests.filter((m) => past(m.arrivalAt) && mine(m.country)), actor, 'demo-seed');
  await deps.intake.submitDeclarations(sim.declarations.filter((d) => past(d.lodgedAt) && mine(d.country)), actor, 'demo-seed');
  const transit = deps.transit ?? new TransitService({ db: deps.db, ref: deps.ref, clock: deps.clock });
  // the transits whose whole route this node serves (a node of one administration: its domestic ones; the others come over the exchange)
  const onlyLocal = (offices: unknown[]) => offices.every((o) => typeof o === 'string' && mine(deps.ref.office(o)?.country));
  const movements = sim.movements.filter((m) => past(m.departureAt) && onlyLocal([m.officeOfDeparture, ...((m.route as unknown[] | undefined) ?? []), m.officeOfDestination]));
  const kept = new Set(movements.map((m) => `${m.country}/${m.reference}`));
  const mv = await transit.declareMovements(movements, actor);
  const events = sim.events.filter((e) => {
    if (!past(e.at)) return false;
    if (local.size === ADMINISTRATIONS.length) return true;
    const ref = e.movement as { country: string; reference: string } | undefined;
    if (ref && !kept.has(`${ref.country}/${ref.reference}`)) return false;
    return typeof e.office !== 'string' || mine(deps.ref.office(e.office)?.country);
  });
  let recorded = 0;
  for (let i = 0; i < events.length; i += 1000) {
    const r = await transit.ingestEvents(events.slice(i, i + 1000), actor, 'demo-seed');
    recorded += r.recorded;
    progress.update(`${fmt(Math.min(i + 1000, events.length))} of ${fmt(events.length)} events`);
  }
  await transit.sweep(actor);
  // alerts raised while the history was loading and explained away by later events were withdrawn: count what stands
  const open = (await transit.alerts({ status: 'open', limit: 1_000_000 })).length;
  const withdrawn = (await transit.alerts({ status: 'withdrawn', limit: 1_000_000 })).length;
  progress.done(`${fmt(mv.outcomes.length)} transits, ${fmt(recorded)} events, ${fmt(open)} alerts (${fmt(withdrawn)} withdrawn as later events explained them)`);
}

/**
 * The whole demo: risk criteria written from the simulator's fraud patterns and approved by a
 * second person, officers on duty; then the simulated trade and transit, assessed as they arrive;
 * then control results for most of the controls, from the simulator's ground truth.
 */
export async function seedDemoRegion(
  deps: { db: Db; ref: ReferenceData; clock: Clock; intake: IntakeService; risk: RiskService; intelligence: IntelligenceService; transit?: TransitService; administrations?: readonly string[] },
  o: DemoOptions = DEMO_DEFAULTS,
  hooks: { afterStep?: (step: DemoStep) => void | Promise<void> } = {},
) {
  const now = deps.clock.now();
  const from = new Date(`${defaultStart(o.days, now)}T00:00:00Z`);
  const to = new Date(now.getTime() + 60 * 86_400_000);
  const state: DemoState = { status: 'seeding', lastStep: null, seed: o.seed, days: o.days, scale: o.scale, startedAt: now.toISOString() };
  await writeDemoState(deps.db, state, now);
  const finished = async (step: DemoStep) => {
    state.lastStep = step;
    await writeDemoState(deps.db, state, deps.clock.now());
    await hooks.afterStep?.(step);
  };
  const criteria = await seedDemoCriteria(deps, from, to, deps.administrations);
  process.stderr.write(`demo: ${fmt(criteria)} risk criteria written and approved (four eyes), officers on duty\n`);
  await finished('criteria');
  await seedDemo(deps, o);
  await finished('declarations');
  await seedDemoTransit(deps, o);
  await finished('transit');
  const p = new Progress('demo controls');
  const results = await seedDemoResults(deps);
  p.done(`${fmt(results)} control results recorded by the assigned officers`);
  await finished('controls');

  // a first model per administration, trained on those results, proposed by the analyst and approved by a second person
  const pm = new Progress('demo models');
  let models = 0;
  for (const cc of deps.administrations ?? ADMINISTRATIONS) {
    const analyst = await demoPerson(deps.db, cc, `${cc.toLowerCase()}.analyst`, 'risk_analyst');
    const supervisor = await demoPerson(deps.db, cc, `${cc.toLowerCase()}.supervisor`, 'supervisor');
    await deps.intelligence.refreshValuation(analyst, { country: cc });
    try {
      const m = await deps.intelligence.train(analyst, { country: cc, holdoutDays: 5 });
      await deps.intelligence.propose(analyst, m.id, 'champion');
      await deps.intelligence.approve(supervisor, m.id, 'demo: first model, approved by a second person');
      models++;
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e; // too few labelled controls in that administration
      pm.update(`${cc}: no model yet: ${e.errors[0]?.message ?? e.message}`, true);
    }
  }
  pm.done(`${models} models trained on the control results and promoted by a second person; valuation database refreshed`);
  await finished('models');
  await writeDemoState(deps.db, { ...state, status: 'complete', completedAt: deps.clock.now().toISOString() }, deps.clock.now());
}
