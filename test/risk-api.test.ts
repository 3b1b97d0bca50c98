import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import { schema, type Database } from '../src/db/client.ts';
import { openTestDb, describeEachDb } from '../src/db/testing.ts';
import { registerAuth, unguardedRoutes } from '../src/modules/access/auth.ts';
import { AccessService } from '../src/modules/access/service.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import { declarationRoutes } from '../src/modules/declarations/routes.ts';
import { IntakeService } from '../src/flows/intake.ts';
import { riskRoutes } from '../src/modules/risk/routes.ts';
import type { RiskService } from '../src/modules/risk/service.ts';
import { getReferenceData } from '../src/reference/index.ts';
import type { App, AppDeps } from '../src/server/deps.ts';
import { problemErrorHandler } from '../src/server/errors.ts';
import { mutate, NOW, validDeclaration, validManifest } from './fixtures.ts';

const TOBACCO = (ref: string, origin = 'PA') =>
  mutate(validDeclaration(ref), (d) => {
    d.items[0] = { line: 1, hsCode: '240220', description: 'Cigarettes', origin, quantity: 500, unit: 'KGM', netMassKg: 500, grossMassKg: 540, customsValue: 9000, currency: 'USD', dutyRate: 15 };
  });

describeEachDb('risk API on %s', (kind) => {
  let database: Database;
  let app: App;
  let risk: RiskService;
  let systemKey: string;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const clock = new FixedClock(NOW);
  const as = (who: string) => (who === 'system' ? { 'x-api-key': systemKey } : { authorization: `Bearer ${tokens[who]}` });
  const post = (who: string, url: string, payload?: unknown) => app.inject({ method: 'POST', url, headers: as(who), ...(payload !== undefined ? { payload: payload as any } : {}) });
  const get = (who: string, url: string) => app.inject({ method: 'GET', url, headers: as(who) });

  beforeAll(async () => {
    database = await openTestDb(kind);
    const deps: AppDeps = { database, db: database.db, ref: getReferenceData(), clock, config: { ...loadConfig({}), randomControlRate: 0 } };
    app = Fastify().withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    app.setErrorHandler(problemErrorHandler);
    const access = new AccessService(deps);
    registerAuth(app, deps, access);
    const intake = new IntakeService(deps);
    await declarationRoutes(app, { ...deps, intake });
    risk = await riskRoutes(app, { ...deps, intake });
    await app.ready();
    const admin = SYSTEM_PRINCIPAL('GT', 'test');
    systemKey = (await access.createApiKey(admin, { name: 'SIGA', role: 'system', country: 'GT' })).key;
    for (const [name, role] of [
      ['ana', 'risk_analyst'],
      ['beto', 'risk_analyst'],
      ['sara', 'supervisor'],
      ['oscar', 'officer'],
      ['olga', 'officer'],
      ['mario', 'manager'],
    ] as const) {
      const u = await access.createUser(admin, { username: `gt.${name}`, displayName: name, role, country: 'GT', password: `${name}-password-123` });
      ids[name] = u.id;
      tokens[name] = (await access.login(`gt.${name}`, `${name}-password-123`)).token;
    }
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('every risk route checks the role', () => {
    expect(unguardedRoutes(app)).toEqual([]);
  });

  it('end to end: an analyst writes a criterion, a second user approves it, matching declarations go red naming it, an officer drawn at random records a seizure, the hit rate shows it', async () => {
    const c = await post('ana', '/api/v1/risk/criteria', {
      name: 'Tobacco from free zones',
      reason: 'cigarettes declared from Panama or China are often contraband',
      expression: 'decl.type == "IM" && decl.items.exists(i, i.hsCode.startsWith("2402") && i.origin in ["PA", "CN"])',
      weight: 50,
      forcedChannel: 'red',
    });
    expect(c.statusCode, c.body).toBe(201);
    const id = c.json().id;
    expect(c.json().status).toBe('draft');
    expect((await post('ana', `/api/v1/risk/criteria/${id}/submit`)).json().status).toBe('awaiting_approval');
    // four eyes: the author cannot approve
    const self = await post('ana', `/api/v1/risk/criteria/${id}/approve`, {});
    expect(self.statusCode).toBe(403);
    expect(self.json().detail).toMatch(/four eyes: you wrote version 1/);
    // an officer may not approve at all
    expect((await post('oscar', `/api/v1/risk/criteria/${id}/approve`, {})).statusCode).toBe(403);
    const ok = await post('beto', `/api/v1/risk/criteria/${id}/approve`, { note: 'seen the seizures of last year' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'active', activeVersion: { version: 1, author: 'gt.ana', decidedBy: 'gt.beto' } });

    // officers on duty at Puerto Quetzal
    for (const o of ['oscar', 'olga']) {
      const r = await post('sara', '/api/v1/risk/roster', { officerId: ids[o], office: 'GTPRQ', from: '2026-06-15T00:00:00Z', to: '2026-06-16T00:00:00Z' });
      expect(r.statusCode, r.body).toBe(201);
    }

    const red = await post('system', '/api/v1/declarations', TOBACCO('GT-RISK-1'));
    expect(red.statusCode, red.body).toBe(201);
    expect(red.json().assessment.channel).toBe('red');
    expect(red.json().assessment.reasons.map((r: any) => r.text).join(' ')).toMatch(/Tobacco from free zones/);
    const green = await post('system', '/api/v1/declarations', validDeclaration('GT-RISK-2'));
    expect(green.json().assessment.channel).toBe('green');

    // the control: assigned at random to one of the two on duty
    const [ctrl] = await database.db.select().from(schema.controls).where(eq(schema.controls.declarationId, red.json().id));
    expect(ctrl.status).toBe('assigned');
    expect([ids.oscar, ids.olga]).toContain(ctrl.officerId);
    const assigned = ctrl.officerId === ids.oscar ? 'oscar' : 'olga';
    const other = assigned === 'oscar' ? 'olga' : 'oscar';
    const q = await get(assigned, '/api/v1/risk/controls');
    expect(q.json().items.map((x: any) => x.id)).toContain(ctrl.id);
    expect((await get(other, '/api/v1/risk/controls')).json().items.map((x: any) => x.id)).not.toContain(ctrl.id);

    const seizure = { outcome: 'discrepancy', discrepancies: [{ kind: 'prohibited', line: 1, note: 'cigarettes without tax stamps' }], extraDutiesAssessed: 1350, extraTaxesAssessed: 1242, currency: 'USD', goodsSeized: true, seizureDescription: '500 kg of cigarettes' };
    const wrong = await post(other, `/api/v1/risk/controls/${ctrl.id}/result`, seizure);
    expect(wrong.statusCode).toBe(403);
    const rec = await post(assigned, `/api/v1/risk/controls/${ctrl.id}/result`, seizure);
    expect(rec.statusCode, rec.body).toBe(201);
    expect(rec.json()).toMatchObject({ hit: true, goodsSeized: true });

    const eff = await get('mario', '/api/v1/risk/effectiveness');
    expect(eff.statusCode, eff.body).toBe(200);
    const row = eff.json().byCriterion.find((r: any) => r.key === id);
    expect(row).toMatchObject({ label: 'Tobacco from free zones', controls: 1, hits: 1, hitRate: 1, seizures: 1, extraRevenueUsd: 2592 });
    // results are queryable, the decision replays
    const replay = await get('sara', `/api/v1/risk/assessments/${(ctrl.assessmentId)}/replay`);
    expect(replay.json(), replay.body).toMatchObject({ matches: true, recomputed: { channel: 'red' } });
    const audit = await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.entityId, ctrl.id));
    expect(audit.map((a) => a.action)).toEqual(['control.assigned', 'control.result_recorded']);
  });

  it('readable CEL errors: position, what was expected, did you mean', async () => {
    const r = await post('ana', '/api/v1/risk/criteria', { name: 'Typo', reason: 'checks the error message', expression: 'decl.items.exists(i, i.customsValu > 1000.0)', weight: 10 });
    expect(r.statusCode).toBe(400);
    const e = r.json().errors[0];
    expect(e).toMatchObject({ path: 'expression', line: 1, column: 24, unknown: 'customsValu', suggestion: 'customsValue' });
    expect(e.message).toMatch(/did you mean "customsValue"/);
    const p = await post('ana', '/api/v1/risk/check', { expression: 'decl.totalValue > 2 * 1000.0' });
    expect(p.json().problem.message).toMatch(/write 1\.0 for numbers/);
    const paren = await post('ana', '/api/v1/risk/check', { expression: 'decl.items.exists(i, i.origin == "CN"' });
    expect(paren.json().problem).toMatchObject({ line: 1, expected: 'RPAREN' });
    const notBool = await post('ana', '/api/v1/risk/check', { expression: 'decl.totalValue' });
    expect(notBool.json().problem.message).toMatch(/must give true or false/);
  });

  it('versions: editing an active criterion makes a new version awaiting approval while the old one keeps running; decisions record version ids', async () => {
    const c = (await post('ana', '/api/v1/risk/criteria', { name: 'Heavy phones', reason: 'phones by the tonne are odd', expression: 'decl.items.exists(i, i.hsCode.startsWith("8517") && i.netMassKg > 100.0)', weight: 35 })).json();
    await post('ana', `/api/v1/risk/criteria/${c.id}/submit`);
    const v1 = (await post('sara', `/api/v1/risk/criteria/${c.id}/approve`, {})).json().activeVersion.id;
    const e = await app.inject({ method: 'PATCH', url: `/api/v1/risk/criteria/${c.id}`, headers: as('ana'), payload: { expression: 'decl.items.exists(i, i.hsCode.startsWith("8517") && i.netMassKg > 1000.0)' } });
    expect(e.statusCode, e.body).toBe(200);
    expect(e.json()).toMatchObject({ status: 'active', activeVersion: { id: v1, version: 1 }, pendingVersion: { version: 2, status: 'draft' } });
    const d1 = (await post('system', '/api/v1/declarations', mutate(validDeclaration('GT-RISK-V1'), (d) => (d.importer.tin = 'V-TRADER-1')))).json();
    expect(d1.assessment.channel).toBe('yellow');
    const [a1] = await database.db.select().from(schema.assessments).where(eq(schema.assessments.declarationId, d1.id));
    expect((a1.inputs as any).criteria.hits.map((h: any) => h.v)).toContain(v1);
    await post('ana', `/api/v1/risk/criteria/${c.id}/submit`);
    const approved = (await post('beto', `/api/v1/risk/criteria/${c.id}/approve`, {})).json();
    expect(approved.activeVersion.version).toBe(2);
    expect(approved.versions.map((v: any) => v.status)).toEqual(['superseded', 'active']);
    const d2 = (await post('system', '/api/v1/declarations', mutate(validDeclaration('GT-RISK-V2'), (d) => (d.importer.tin = 'V-TRADER-1')))).json();
    expect(d2.assessment.channel).toBe('green');
    const [a2] = await database.db.select().from(schema.assessments).where(eq(schema.assessments.declarationId, d2.id));
    expect((a2.inputs as any).criteria.hits).toEqual([]);
    expect((a2.inputs as any).rulesetId).not.toBe((a1.inputs as any).rulesetId);
    // suspension stops it, with four eyes to resume
    await post('sara', `/api/v1/risk/criteria/${c.id}/suspend`, { reason: 'too many false alarms' });
    expect((await post('sara', `/api/v1/risk/criteria/${c.id}/resume`, { reason: 'fixed' })).statusCode).toBe(403);
  });

  it('override and reassignment need a supervisor and a reason, and are in the audit log', async () => {
    const d = (await post('system', '/api/v1/declarations', TOBACCO('GT-RISK-OV'))).json();
    const [a] = await database.db.select().from(schema.assessments).where(eq(schema.assessments.declarationId, d.id));
    const [ctrl] = await database.db.select().from(schema.controls).where(eq(schema.controls.assessmentId, a.id));
    expect((await post('oscar', `/api/v1/risk/controls/${ctrl.id}/reassign`, { reason: 'I know this importer personally' })).statusCode).toBe(403);
    expect((await post('sara', `/api/v1/risk/controls/${ctrl.id}/reassign`, { reason: 'short' })).statusCode).toBe(400);
    const re = await post('sara', `/api/v1/risk/controls/${ctrl.id}/reassign`, { reason: 'the officer declared a conflict of interest' });
    expect(re.statusCode, re.body).toBe(200);
    expect(re.json().officerId).not.toBe(ctrl.officerId);
    expect((await post('ana', `/api/v1/risk/assessments/${a.id}/override`, { channel: 'green', reasonCode: 'intelligence', reason: 'cleared by intelligence unit' })).statusCode).toBe(403);
    expect((await post('sara', `/api/v1/risk/assessments/${a.id}/override`, { channel: 'green', reasonCode: 'intelligence' })).statusCode).toBe(400);
    const ov = await post('sara', `/api/v1/risk/assessments/${a.id}/override`, { channel: 'yellow', reasonCode: 'perishable_goods', reason: 'documentary check is enough for this shipment' });
    expect(ov.statusCode, ov.body).toBe(200);
    expect(ov.json()).toMatchObject({ from: 'red', to: 'yellow' });
    const actions = (await database.db.select().from(schema.auditLog)).map((r) => `${r.action}:${r.actor}`);
    expect(actions).toContain('control.reassigned:gt.sara');
    expect(actions).toContain('assessment.overridden:gt.sara');
  });

  it('capacity demotes the lowest reds to yellow, never a forced red; nobody on duty means the control waits and says so', async () => {
    await risk.setConfig(SYSTEM_PRINCIPAL('GT'), 'GT', { capacity: { default: { red: 0, yellow: 1, minPerDay: 0 }, offices: {} } } as any);
    const c = (await post('ana', '/api/v1/risk/criteria', { name: 'Any phones', reason: 'score only', expression: 'decl.items.exists(i, i.hsCode.startsWith("8517"))', weight: 70 })).json();
    await post('ana', `/api/v1/risk/criteria/${c.id}/submit`);
    await post('sara', `/api/v1/risk/criteria/${c.id}/approve`, {});
    const scored = (await post('system', '/api/v1/declarations', mutate(validDeclaration('GT-CAP-1'), (d) => (d.office = 'GTSTC')))).json();
    expect(scored.assessment.channel).toBe('yellow');
    expect(scored.assessment.reasons.map((r: any) => r.code)).toContain('capacity_demotion');
    const forced = (await post('system', '/api/v1/declarations', mutate(TOBACCO('GT-CAP-2'), (d) => (d.office = 'GTSTC')))).json();
    expect(forced.assessment.channel).toBe('red');
    const [ctrl] = await database.db.select().from(schema.controls).where(eq(schema.controls.declarationId, forced.id));
    expect(ctrl.status).toBe('unassigned');
    const view = (await get('sara', `/api/v1/risk/controls/${ctrl.id}`)).json();
    expect(view.waitingReason).toMatch(/no officer is on duty at GTSTC/);
    // an officer comes on duty: the waiting control is assigned at random
    const duty = await post('sara', '/api/v1/risk/roster', { officerId: ids.olga, office: 'GTSTC', from: '2026-06-15T00:00:00Z', to: '2026-06-16T00:00:00Z' });
    expect(duty.json().assignedWaiting).toBeGreaterThanOrEqual(1);
    await risk.setConfig(SYSTEM_PRINCIPAL('GT'), 'GT', { capacity: { default: { red: 0.12, yellow: 0.25, minPerDay: 5 }, offices: {} } } as any);
    await post('sara', `/api/v1/risk/criteria/${c.id}/suspend`, { reason: 'test over' });
  });

  it('a manifest mark follows the consignment to its declaration', async () => {
    const c = (await post('ana', '/api/v1/risk/criteria', {
      name: 'Phones to a new consignee',
      reason: 'first shipments of electronics to an unknown consignee',
      expression: 'consignment.hsCode.startsWith("8517") && trader.declarations < 3',
      scope: { stages: ['manifest'] },
      manifestAction: 'scan',
    })).json();
    expect(c.id).toBeTruthy();
    await post('ana', `/api/v1/risk/criteria/${c.id}/submit`);
    await post('beto', `/api/v1/risk/criteria/${c.id}/approve`, {});
    const m = await post('system', '/api/v1/manifests', mutate(validManifest('GT-MAN-R1'), (x) => (x.consignments[0].consigneeTin = 'NEW-123')));
    expect(m.statusCode, m.body).toBe(201);
    const marks = (await get('sara', `/api/v1/risk/marks?manifestId=${m.json().id}`)).json().items;
    expect(marks).toHaveLength(1);
    expect(marks[0]).toMatchObject({ transportDocument: 'MEDUHZ123456', action: 'scan', channel: 'red' });
    const d = await post(
      'system',
      '/api/v1/declarations',
      mutate(validDeclaration('GT-RISK-M1'), (x) => {
        x.manifestReference = 'GT-MAN-R1';
        x.transportDocument = 'MEDUHZ123456';
        x.importer.tin = 'NEW-123';
      }),
    );
    expect(d.json().assessment.channel).toBe('red');
    expect(d.json().assessment.reasons.find((r: any) => r.code === 'manifest_mark').text).toMatch(/MEDUHZ123456 of manifest GT-MAN-R1 was marked "scan"/);
    const [mk] = await database.db.select().from(schema.consignmentMarks).where(and(eq(schema.consignmentMarks.country, 'GT'), eq(schema.consignmentMarks.transportDocument, 'MEDUHZ123456')));
    expect(mk.declarationId).toBe(d.json().id);
  });

  it('backtest of a draft over the stored history answers with recorded results as labels', async () => {
    const r = await post('ana', '/api/v1/risk/backtest', { expression: 'decl.items.exists(i, i.hsCode.startsWith("2402"))', from: '2026-01-01T00:00:00Z', to: '2026-06-16T00:00:00Z' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ labels: 'results', selected: 3, labelled: 1, hits: 1 });
  });
});
