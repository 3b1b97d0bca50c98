/**
 * Streaming equals bulk: the same simulated events fed in one go (batches in delivery order), one
 * event per call as border posts send them, and in shuffled orders in small batches, end with the
 * same open alerts. Cloned tags are read before their twins here, so streaming must raise and then
 * withdraw (with the reason, in the ledger) what the twin explains away.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { canonicalJson } from '../src/core/hash.ts';
import { openTestDb, describeEachDb, type DbKind } from '../src/db/testing.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import { TransitService, type AlertOut } from '../src/modules/transit/service.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { Rng } from '../src/sim/random.ts';
import { MOVEMENT_ANOMALIES, simulateTransit, type TransitSimulation } from '../src/sim/transit/index.ts';
import { scoreDetectors } from './transit-score.ts';

const ref = getReferenceData();
const actor = SYSTEM_PRINCIPAL('GT', 'test');

interface Fed {
  open: AlertOut[];
  withdrawn: AlertOut[];
  verified: boolean;
}

/**
 * Feeds the events in `batches` into a fresh database; sweeps at the end of the simulation;
 * answers the open and withdrawn alerts. `live`: one event per call, the clock moving to when each
 * event reaches Centinela (as a post streams them); otherwise everything is fed at the end.
 */
async function feed(kind: DbKind, sim: TransitSimulation, batches: unknown[][], live = false): Promise<Fed> {
  const database = await openTestDb(kind);
  try {
    const clock = new FixedClock(live ? Math.min(...sim.movements.map((m) => Date.parse(m.departureAt))) - 86_400_000 : sim.evaluateAt);
    const service = new TransitService({ db: database.db, ref, clock });
    const mv = await service.declareMovements(sim.movements, actor);
    expect(mv.rejections).toEqual([]);
    if (live)
      for (let i = 0; i < sim.events.length; i++) {
        clock.set(sim.deliveredAt[i]);
        await service.recordEvent(sim.events[i], actor, 'post');
      }
    else for (const b of batches) expect((await service.ingestEvents(b, actor, 'post')).rejected).toEqual([]);
    clock.set(sim.evaluateAt);
    await service.sweep(actor);
    return { open: await service.alerts({ limit: 100_000 }), withdrawn: await service.alerts({ status: 'withdrawn', limit: 100_000 }), verified: (await service.verify()).ok };
  } finally {
    await database.close();
  }
}

/** what an alert says (ids of database rows aside: each feed has its own database) */
const fingerprint = (alerts: AlertOut[]) => alerts.map((a) => `${a.subject} | ${a.kind} | ${canonicalJson(a.params)} | ${canonicalJson(a.evidence.eventIds)}`).sort();

function chunks<T>(xs: T[], rng: Rng, max: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; ) {
    const n = rng.int(1, max);
    out.push(xs.slice(i, i + n));
    i += n;
  }
  return out;
}

describeEachDb('transit alerts: streaming equals bulk, on %s', (kind) => {
  const sim = simulateTransit({ seed: 7, start: new Date('2026-03-01T00:00:00Z'), days: 4, ref, movementsPerDay: 20, arrivalsPerDay: 0, anomalyRate: 0.4, lateRate: 0.15, duplicateRate: 0.05, cloneFirstRate: 1 });
  const fed: Record<string, Fed> = {};

  beforeAll(async () => {
    fed.bulk = await feed(kind, sim, [sim.events]);
    fed.streamed = await feed(kind, sim, [], true);
    for (const seed of [1, 2]) {
      const rng = new Rng(seed);
      fed[`shuffled ${seed}`] = await feed(kind, sim, chunks(rng.shuffle(sim.events.slice()), rng, 25));
    }
  }, 900_000);
  afterAll(() => undefined);

  it('the same final alerts whichever way and in whatever order the events come', () => {
    const table = Object.entries(fed).map(([how, f]) => {
      const s = scoreDetectors(sim.truth, f.open).filter((x) => x.planted || x.raised);
      return { how, open: f.open.length, withdrawn: f.withdrawn.length, minRecall: Math.min(...s.map((x) => x.recall)).toFixed(3), minPrecision: Math.min(...s.map((x) => x.precision)).toFixed(3) };
    });
    console.log(`[${kind}] ${sim.stats.movements} transits, ${sim.stats.events} events (${sim.stats.outOfOrder} out of order, ${sim.stats.duplicates} duplicates, ${sim.stats.clonesBeforeTwins} clones before their twins)`);
    console.table(table);
    expect(fed.bulk.open.length).toBeGreaterThan(10);
    for (const k of MOVEMENT_ANOMALIES) expect(sim.truth.filter((t) => t.kind === k).length, `${k} planted`).toBeGreaterThan(0);
    for (const [how, f] of Object.entries(fed)) {
      expect(fingerprint(f.open), how).toEqual(fingerprint(fed.bulk.open));
      expect(f.verified, `${how}: ledger verifies`).toBe(true);
      for (const s of scoreDetectors(sim.truth, f.open)) {
        expect(s.recall, `${how} ${s.kind} recall`).toBeGreaterThanOrEqual(0.95);
        expect(s.precision, `${how} ${s.kind} precision`).toBeGreaterThanOrEqual(0.95);
      }
    }
  });

  it('streaming withdraws what a later event explains away, with the reason, and never leaves it open', () => {
    const w = fed.streamed.withdrawn;
    const clones = w.filter((a) => a.withdrawal?.reason === 'clone_twin');
    // every clone was read before its twin: the off-route and impossible-travel alerts it raised are withdrawn
    expect(clones.length).toBeGreaterThan(0);
    expect(clones.map((a) => a.kind)).toContain('off_route_crossing');
    expect(clones.every((a) => a.kind === 'off_route_crossing' || a.kind === 'impossible_travel')).toBe(true);
    for (const a of w) {
      expect(a.status).toBe('withdrawn');
      expect(a.withdrawnAt).toBeTruthy();
      expect(a.withdrawal!.ledgerEventId).toBe(`withdrawal:${a.id}`);
      expect(a.withdrawal!.message.en).toMatch(/^Withdrawn/);
      expect(a.withdrawal!.message.es).toMatch(/^Retirada/);
    }
    const open = new Set(fed.streamed.open.map((a) => `${a.subject}|${a.kind}|${canonicalJson(a.params)}`));
    const cloned = new Set(fed.streamed.open.filter((a) => a.kind === 'cloned_tag').map((a) => a.subject));
    for (const a of clones) {
      expect(cloned.has(a.subject), `${a.subject}: withdrawn for a clone that is reported`).toBe(true);
      expect(open.has(`${a.subject}|${a.kind}|${canonicalJson(a.params)}`)).toBe(false);
    }
  });
});
