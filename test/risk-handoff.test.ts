import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { schema, type Database } from '../src/db/client.ts';
import { describeEachDb, openTestDb } from '../src/db/testing.ts';
import { AccessService } from '../src/modules/access/service.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import type { Declaration } from '../src/modules/declarations/schema.ts';
import { IntakeService } from '../src/flows/intake.ts';
import { RiskService } from '../src/modules/risk/service.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { validDeclaration } from './fixtures.ts';

/** `assess` hands the officers on duty to `openControls` as data in its decisions, not through state kept beside the transaction. */
describeEachDb('risk: the officers on duty travel with the decision, on %s', (kind) => {
  let database: Database;
  let risk: RiskService;
  let intake: IntakeService;
  const clock = new FixedClock('2026-06-15T15:00:00Z');
  const system = SYSTEM_PRINCIPAL('GT', 'test');
  const officers: Record<string, string> = {};

  beforeAll(async () => {
    database = await openTestDb(kind);
    const deps = { db: database.db, ref: getReferenceData(), clock, config: { randomControlRate: 0 } };
    intake = new IntakeService(deps);
    risk = new RiskService(deps);
    intake.setAssessor(risk.assessor());
    const access = new AccessService(deps);
    for (const name of ['olga', 'oscar']) officers[name] = (await access.createUser(system, { username: `gt.${name}`, displayName: name, role: 'officer', country: 'GT', password: `${name}-password-123` })).id;
    const office = (validDeclaration('GT-HAND-0') as Declaration).office;
    await risk.addDuty(system, { officerId: officers.olga, office, from: '2026-06-15T00:00:00Z', to: '2026-06-16T00:00:00Z' });
    await risk.setConfig(system, 'GT', { randomRate: { default: 1, offices: {} } } as never);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('assess returns the officers on duty at each office; openControls draws from them alone', async () => {
    const d = validDeclaration('GT-HAND-1') as Declaration;
    const decisions = await database.db.transaction((tx) => risk.assess(tx, [{ id: '00000000-0000-7000-8000-00000000aaaa', version: 1, declaration: d }]));
    expect(decisions).toHaveLength(1);
    expect(decisions[0].channel).toBe('red');
    expect(decisions[0].onDuty).toEqual([{ id: officers.olga, name: 'olga' }]);
    // the same decision with other officers as data: the control goes to one of those, and the roster is not read again
    const stored = await intake.submitDeclaration(validDeclaration('GT-HAND-2'), system);
    const view = await risk.declarationRisk(system, stored.id);
    expect(view.controls).toHaveLength(1);
    expect(view.controls[0].officerName).toBe('olga');
    // (in a transaction rolled back: the control of that assessment is opened again in its place)
    let audit: { action: string; after?: unknown }[] = [];
    const rollback = new Error('rollback');
    await expect(
      database.db.transaction(async (tx) => {
        await tx.delete(schema.controls).where(eq(schema.controls.assessmentId, view.assessmentId!));
        audit = await risk.openControls(tx, [{ assessmentId: view.assessmentId!, declarationId: stored.id, version: 1, declaration: d, decision: { ...decisions[0], onDuty: [{ id: officers.oscar, name: 'oscar' }] } as never }], system);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    const assigned = audit.find((a) => a.action === 'control.assigned');
    expect((assigned?.after as { officer: string }).officer).toBe('oscar');
    // without officers in the decision, the roster is read: olga again
    await expect(
      database.db.transaction(async (tx) => {
        await tx.delete(schema.controls).where(eq(schema.controls.assessmentId, view.assessmentId!));
        const { onDuty: _none, ...bare } = decisions[0];
        audit = await risk.openControls(tx, [{ assessmentId: view.assessmentId!, declarationId: stored.id, version: 1, declaration: d, decision: bare }], system);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect((audit.find((a) => a.action === 'control.assigned')?.after as { officer: string }).officer).toBe('olga');
    expect((await risk.declarationRisk(system, stored.id)).controls[0].officerName).toBe('olga');
  });
});
