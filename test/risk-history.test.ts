import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { queryRows, type Database } from '../src/db/client.ts';
import { openTestDb, describeEachDb } from '../src/db/testing.ts';
import { SYSTEM_PRINCIPAL, type Principal } from '../src/modules/access/types.ts';
import { IntakeService } from '../src/flows/intake.ts';
import { RiskService } from '../src/modules/risk/service.ts';
import { localDay } from '../src/modules/risk/localday.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { mutate, validDeclaration } from './fixtures.ts';

/** Capacity counts the office's local day; backtests see the trader's history as it was then. */
describeEachDb('risk capacity day and backtest history on %s', (kind) => {
  let database: Database;
  let intake: IntakeService;
  let risk: RiskService;
  const clock = new FixedClock('2026-03-02T05:00:00Z');
  const system = SYSTEM_PRINCIPAL('GT', 'test');
  const supervisor: Principal = { kind: 'user', id: '00000000-0000-7000-8000-000000000001', name: 'sup', role: 'supervisor', country: 'GT' };
  const decl = (ref: string, lodgedAt: string, tin = '777-1') =>
    mutate(validDeclaration(ref), (d) => {
      d.lodgedAt = lodgedAt;
      d.importer = { tin, name: 'Importadora Prueba', country: 'GT' };
      delete d.transport.containers;
    });

  beforeAll(async () => {
    database = await openTestDb(kind);
    const deps = { db: database.db, ref: getReferenceData(), clock, config: { randomControlRate: 0 } };
    intake = new IntakeService(deps);
    risk = new RiskService(deps);
    intake.setAssessor(risk.assessor());
  });
  afterAll(async () => {
    await database?.close();
  });

  it('the capacity day is the local day of the administration, not the UTC date', async () => {
    expect(localDay('GT', new Date('2026-03-02T05:59:00Z'))).toBe('2026-03-01');
    expect(localDay('GT', new Date('2026-03-02T06:00:00Z'))).toBe('2026-03-02');
    expect(localDay('DO', new Date('2026-03-02T03:59:00Z'))).toBe('2026-03-01');
    expect(localDay('DO', new Date('2026-03-02T04:00:00Z'))).toBe('2026-03-02');
    // 23:59 in Guatemala (05:59 UTC the next day), then 00:01
    clock.set('2026-03-02T05:59:00Z');
    await intake.submitDeclaration(decl('GT-DAY-1', '2026-03-01T20:00:00-06:00'), system);
    clock.set('2026-03-02T06:01:00Z');
    await intake.submitDeclaration(decl('GT-DAY-2', '2026-03-02T00:00:30-06:00'), system);
    const rows = await queryRows<{ day: string; decisions: number }>(database.db, sql`select day, decisions from risk_office_day where country = 'GT' and office = 'GTPRQ' order by day`);
    expect(rows.map((r) => [r.day, Number(r.decisions)])).toEqual([
      ['2026-03-01', 1],
      ['2026-03-02', 1],
    ]);
  });

  it("a backtest sees the trader's history as it was before each declaration, not as it is now", async () => {
    // every declaration goes red (random control at 100%): a control opens for each
    await risk.setConfig(system, 'GT', { randomRate: { default: 1, offices: {} } } as never);
    clock.set('2026-03-03T15:00:00Z');
    const a = await intake.submitDeclaration(decl('GT-HIST-A', '2026-03-03T08:00:00-06:00', '888-2'), system);
    expect(a.assessment.channel).toBe('red');
    const [control] = await queryRows<{ id: string }>(database.db, sql`select id from controls where declaration_id = ${a.id}`);
    // the seizure is recorded the next day ...
    clock.set('2026-03-04T15:00:00Z');
    await risk.recordResult(supervisor, control.id, { outcome: 'discrepancy', discrepancies: [{ kind: 'prohibited', note: 'undeclared cigarettes' }], extraDutiesAssessed: 0, extraTaxesAssessed: 0, currency: 'USD', goodsSeized: true, seizureDescription: '20 cartons of cigarettes' });
    // ... and the trader declares again after it
    clock.set('2026-03-05T15:00:00Z');
    await intake.submitDeclaration(decl('GT-HIST-B', '2026-03-05T08:00:00-06:00', '888-2'), system);
    await risk.setConfig(system, 'GT', { randomRate: { default: 0, offices: {} } } as never);

    const bt = await risk.backtest(system, { country: 'GT', expression: 'trader.seizures > 0', stage: 'declaration', from: '2026-03-01T00:00:00Z', to: '2026-03-06T00:00:00Z', labels: 'results' });
    // today's counters say the trader has a seizure: both would be selected; as of each date only B is
    expect(bt.examples.map((e) => e.reference)).toEqual(['GT-HIST-B']);
    expect(bt.traderHistory).toMatch(/as of each declaration/);
    const counts = await risk.backtest(system, { country: 'GT', expression: 'trader.declarations >= 1 && trader.controls >= 1', stage: 'declaration', from: '2026-03-01T00:00:00Z', to: '2026-03-06T00:00:00Z', labels: 'results' });
    expect(counts.examples.map((e) => e.reference)).toEqual(['GT-HIST-B']);
    // the snapshot is refreshed incrementally: an amendment replaces the row, a new one is added
    clock.set('2026-03-05T16:00:00Z');
    await intake.submitDeclaration(mutate(decl('GT-HIST-B', '2026-03-05T08:00:00-06:00', '888-2'), (d) => (d.items[0].origin = 'PA')), system);
    await intake.submitDeclaration(decl('GT-HIST-C', '2026-03-05T09:00:00-06:00', '888-2'), system);
    const pa = await risk.backtest(system, { country: 'GT', expression: 'decl.items.exists(i, i.origin == "PA") || decl.reference == "GT-HIST-C"', stage: 'declaration', from: '2026-03-01T00:00:00Z', to: '2026-03-06T00:00:00Z', labels: 'results' });
    expect(pa.examples.map((e) => e.reference).sort()).toEqual(['GT-HIST-B', 'GT-HIST-C']);
    expect(pa.declarations).toBe(5);
  });
});
