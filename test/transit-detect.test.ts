import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import type { Database } from '../src/db/client.ts';
import { openTestDb, testDbKinds } from '../src/db/testing.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import { IntakeService } from '../src/modules/declarations/service.ts';
import { ALERT_KINDS } from '../src/modules/transit/detectors.ts';
import { TransitService, type AlertOut } from '../src/modules/transit/service.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { simulateTransit, type TransitSimulation } from '../src/sim/transit/index.ts';

const ref = getReferenceData();
const actor = SYSTEM_PRINCIPAL('GT', 'test');

/** Per kind: alerts raised vs anomalies planted, by subject. */
export function scoreDetectors(truth: TransitSimulation['truth'], alerts: AlertOut[]) {
  return ALERT_KINDS.map((kind) => {
    const planted = new Set(truth.filter((t) => t.kind === kind).map((t) => t.subject));
    const raised = new Set(alerts.filter((a) => a.kind === kind).map((a) => a.subject));
    const tp = [...raised].filter((s) => planted.has(s)).length;
    return {
      kind,
      planted: planted.size,
      raised: raised.size,
      tp,
      fp: raised.size - tp,
      fn: planted.size - tp,
      precision: raised.size ? tp / raised.size : 1,
      recall: planted.size ? tp / planted.size : 1,
      missed: [...planted].filter((s) => !raised.has(s)),
      wrong: [...raised].filter((s) => !planted.has(s)),
    };
  });
}

describe.each(testDbKinds())('transit detectors on a simulated month, on %s', (kind) => {
  let database: Database;
  let sim: TransitSimulation;
  let alerts: AlertOut[] = [];
  let service: TransitService;

  beforeAll(async () => {
    database = await openTestDb(kind);
    sim = simulateTransit({ seed: 7, start: new Date('2026-03-01T00:00:00Z'), days: 30, ref, movementsPerDay: 20, arrivalsPerDay: 3, anomalyRate: 0.15 });
    const clock = new FixedClock(sim.evaluateAt);
    const intake = new IntakeService({ db: database.db, ref, clock, config: { randomControlRate: 0.05 } });
    const mf = await intake.submitManifests(sim.manifests, actor, 'sim');
    expect(mf.rejections).toEqual([]);
    const dc = await intake.submitDeclarations(sim.declarations, actor, 'sim');
    expect(dc.rejections).toEqual([]);
    service = new TransitService({ db: database.db, ref, clock });
    const mv = await service.declareMovements(sim.movements, actor);
    expect(mv.rejections).toEqual([]);
    for (let i = 0; i < sim.events.length; i += 1000) {
      const r = await service.ingestEvents(sim.events.slice(i, i + 1000), actor, 'sim');
      expect(r.rejected).toEqual([]);
    }
    await service.sweep(actor);
    alerts = await service.alerts({ limit: 100_000 });
  }, 600_000);
  afterAll(async () => {
    await database?.close();
  });

  it('catches every kind of planted anomaly, with high precision', () => {
    const scores = scoreDetectors(sim.truth, alerts);
    console.log(`[${kind}] ${sim.stats.movements} transits, ${sim.stats.events} events (${sim.stats.outOfOrder} out of order, ${sim.stats.duplicates} duplicates), ${sim.stats.arrivals} arrivals with ${sim.stats.consignments} consignments`);
    console.table(scores.map(({ missed: _m, wrong: _w, precision, recall, ...r }) => ({ ...r, precision: precision.toFixed(3), recall: recall.toFixed(3) })));
    for (const s of scores) {
      if (s.missed.length || s.wrong.length) console.log(s.kind, { missed: s.missed.slice(0, 5), wrong: s.wrong.slice(0, 5) });
    }
    for (const s of scores) {
      expect(s.planted, `${s.kind} planted`).toBeGreaterThan(0);
      expect(s.recall, `${s.kind} recall`).toBeGreaterThanOrEqual(0.95);
      expect(s.precision, `${s.kind} precision`).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('names the administrations concerned and explains each alert in Spanish and English', () => {
    const a = alerts.find((x) => x.kind === 'never_closed')!;
    expect(a.administrations.departure).toBeTruthy();
    expect(a.administrations.destination).toBeTruthy();
    expect(a.countries).toContain(a.administrations.destination);
    expect(a.message.es).toMatch(/sigue abierto/);
    expect(a.message.en).toMatch(/still open/);
    for (const x of alerts) {
      expect(x.message.en).not.toMatch(/undefined|\?\s/);
      expect(x.message.es.length).toBeGreaterThan(20);
    }
  });

  it('ingesting the same events again changes nothing', async () => {
    const before = alerts.length;
    const r = await service.ingestEvents(sim.events.slice(0, 500), actor, 'sim');
    expect(r.recorded).toBe(0);
    expect(r.duplicates).toBe(500);
    expect((await service.alerts({ limit: 100_000 })).length).toBe(before);
  });
});
