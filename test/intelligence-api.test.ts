import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import { schema, type Database } from '../src/db/client.ts';
import { openTestDb, describeEachDb } from '../src/db/testing.ts';
import { registerAuth, unguardedRoutes } from '../src/modules/access/auth.ts';
import { AccessService } from '../src/modules/access/service.ts';
import { SYSTEM_PRINCIPAL, type Principal } from '../src/modules/access/types.ts';
import { declarationRoutes } from '../src/modules/declarations/routes.ts';
import { IntakeService } from '../src/flows/intake.ts';
import { intelligenceRoutes } from '../src/modules/intelligence/routes.ts';
import type { IntelligenceService } from '../src/modules/intelligence/service.ts';
import { FRAUD_PATTERN_CRITERIA } from '../src/demo/risk.ts';
import { riskRoutes } from '../src/modules/risk/routes.ts';
import type { RiskService } from '../src/modules/risk/service.ts';
import { getReferenceData } from '../src/reference/index.ts';
import type { App, AppDeps } from '../src/server/deps.ts';
import { problemErrorHandler } from '../src/server/errors.ts';
import { simulateRegion } from '../src/sim/generate.ts';
import { mutate, NOW, validDeclaration } from './fixtures.ts';

describeEachDb('intelligence on %s', (kind) => {
  let database: Database;
  let app: App;
  let risk: RiskService;
  let intel: IntelligenceService;
  let systemKey: string;
  const tokens: Record<string, string> = {};
  const clock = new FixedClock(NOW);
  const as = (who: string) => (who === 'system' ? { 'x-api-key': systemKey } : { authorization: `Bearer ${tokens[who]}` });
  const post = (who: string, url: string, payload?: unknown) => app.inject({ method: 'POST', url, headers: as(who), ...(payload !== undefined ? { payload: payload as any } : {}) });
  const get = (who: string, url: string) => app.inject({ method: 'GET', url, headers: as(who) });
  let champion = '';
  let challenger = '';

  beforeAll(async () => {
    database = await openTestDb(kind);
    const ref = getReferenceData();
    const deps: AppDeps = { database, db: database.db, ref, clock, config: { ...loadConfig({}), randomControlRate: 0.05 } };
    app = Fastify().withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    app.setErrorHandler(problemErrorHandler);
    const access = new AccessService(deps);
    registerAuth(app, deps, access);
    const intake = new IntakeService(deps);
    await declarationRoutes(app, { ...deps, intake });
    risk = await riskRoutes(app, { ...deps, intake });
    intel = await intelligenceRoutes(app, deps);
    risk.prices.useSource(intel.priceSource());
    await app.ready();
    const admin = SYSTEM_PRINCIPAL('GT', 'test');
    systemKey = (await access.createApiKey(admin, { name: 'SIGA', role: 'system', country: 'GT' })).key;
    const who: Record<string, Principal> = {};
    for (const [name, role] of [
      ['ana', 'risk_analyst'],
      ['beto', 'risk_analyst'],
      ['sara', 'supervisor'],
      ['oscar', 'officer'],
    ] as const) {
      const u = await access.createUser(admin, { username: `gt.${name}`, displayName: name, role, country: 'GT', password: `${name}-password-123` });
      tokens[name] = (await access.login(`gt.${name}`, `${name}-password-123`)).token;
      who[name] = { kind: 'user', id: u.id, name: u.username, role, country: 'GT' };
    }
    // today's selectivity: criteria from the fraud patterns (four eyes), then five weeks of Guatemala's trade
    for (const c of FRAUD_PATTERN_CRITERIA) {
      const made = await risk.createCriterion(who.ana, { country: 'GT', name: c.name, reason: c.reason, expression: c.expression, scope: { offices: [], types: [], stages: c.stages }, weight: c.weight, forcedChannel: null, manifestAction: null, regional: false, validFrom: '2026-01-01T00:00:00Z' });
      await risk.submitCriterion(who.ana, made.id);
      await risk.approveCriterion(who.sara, made.id);
    }
    const truth = new Map<string, { fraud: boolean; revenue: number }>();
    const mans: unknown[] = [];
    const decls: unknown[] = [];
    for (const r of simulateRegion({ seed: 11, days: 35, scale: 0.5, start: '2026-05-10', ref, countries: ['GT'] })) {
      if (r.kind === 'manifest') mans.push(r.record);
      else {
        decls.push(r.record);
        truth.set(r.record.reference, { fraud: r.truth.fraudType !== null, revenue: r.truth.revenueAtStake });
      }
    }
    const actor = SYSTEM_PRINCIPAL('GT', 'test-seed');
    await intake.submitManifests(mans, actor, 'test');
    for (let k = 0; k < decls.length; k += 500) await intake.submitDeclarations(decls.slice(k, k + 500), actor, 'test');
    // officers record what they found (the simulator's ground truth)
    const open = await database.db.select({ id: schema.controls.id, ref: schema.declarations.reference }).from(schema.controls).innerJoin(schema.declarations, eq(schema.declarations.id, schema.controls.declarationId)).where(inArray(schema.controls.status, ['assigned', 'unassigned']));
    for (const c of open) {
      const t = truth.get(c.ref)!;
      await risk.recordResult(who.sara, c.id, t.fraud ? { outcome: 'discrepancy', discrepancies: [{ kind: 'value', note: 'found' }], extraDutiesAssessed: t.revenue, extraTaxesAssessed: 0, currency: 'USD', goodsSeized: false } : { outcome: 'no_discrepancy', discrepancies: [], extraDutiesAssessed: 0, extraTaxesAssessed: 0, currency: 'USD', goodsSeized: false });
    }
  }, 240_000);
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('every model route checks the role', () => {
    expect(unguardedRoutes(app)).toEqual([]);
  });

  it('refreshes the valuation database and feeds the criteria reference prices', async () => {
    const r = await post('ana', '/api/v1/models/valuation/refresh', { days: 365 });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().groups).toBeGreaterThan(10);
    const [item] = await database.db.select().from(schema.valuationPrices).limit(1);
    const v = await get('oscar', `/api/v1/models/valuation/${item.hs6}`);
    expect(v.statusCode).toBe(200);
    const rows = v.json().items as { origin: string; unit: string; q1: number; median: number; q3: number; n: number }[];
    expect(rows.some((x) => x.origin === '*' && x.unit === 'KGM')).toBe(true);
    for (const x of rows) expect(x.q1 <= x.median && x.median <= x.q3 && x.n >= 5).toBe(true);
    await risk.refreshReferencePrices();
    expect(risk.prices.refPrice('GT', item.hs6)).toBeGreaterThan(0);
    expect((await post('oscar', '/api/v1/models/valuation/refresh', {})).statusCode).toBe(403);
  });

  it('an analyst trains; promotion needs a second person; the challenger runs beside the champion', async () => {
    expect((await post('oscar', '/api/v1/models/train', {})).statusCode).toBe(403);
    const t = await post('ana', '/api/v1/models/train', { holdoutDays: 10 });
    expect(t.statusCode, t.body).toBe(201);
    const m = t.json();
    expect(m.status).toBe('candidate');
    expect(m.features.length).toBeGreaterThan(20);
    expect(m.metrics.training.controlled).toBeGreaterThan(50);
    expect(m.metrics.randomControls.top.map((x: { pct: number }) => x.pct)).toEqual([1, 2, 5, 10]);
    expect(m.metrics.randomControls.calibration.bins.length).toBeGreaterThan(0);
    console.log(`[intelligence] ${kind}: model ${m.name}: ${JSON.stringify(m.metrics.training)}; random controls held out: n ${m.metrics.randomControls.n}, positives ${m.metrics.randomControls.positives}, AUC ${m.metrics.randomControls.auc}; all controls AUC ${m.metrics.allControls.auc}`);
    champion = m.id;
    expect((await post('ana', `/api/v1/models/${m.id}/propose`, { role: 'champion' })).statusCode).toBe(200);
    expect((await post('oscar', `/api/v1/models/${m.id}/approve`, {})).statusCode).toBe(403);
    const self = await post('ana', `/api/v1/models/${m.id}/approve`, {});
    expect(self.statusCode).toBe(403);
    const ok = await post('sara', `/api/v1/models/${m.id}/approve`, { note: 'precision on random controls checked' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().status).toBe('champion');
    const log = await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, 'model.promoted'));
    expect(log.map((l) => l.actor)).toContain('gt.sara');

    const t2 = await post('beto', '/api/v1/models/train', { holdoutDays: 10, params: { maxLeaves: 15, rounds: 80 } });
    expect(t2.statusCode, t2.body).toBe(201);
    challenger = t2.json().id;
    expect((await post('beto', `/api/v1/models/${challenger}/propose`, { role: 'challenger' })).statusCode).toBe(200);
    expect((await post('sara', `/api/v1/models/${challenger}/approve`, {})).json().status).toBe('challenger');
    const list = await get('oscar', '/api/v1/models');
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((x: { status: string }) => x.status).sort()).toEqual(['challenger', 'champion']);
    const ev = await post('sara', `/api/v1/models/${champion}/evaluate`, {});
    expect(ev.statusCode, ev.body).toBe(200);
  });

  it('every score served by the API carries its explanation; the challenger is recorded beside; exploration sends controls', async () => {
    risk.setModelScorer(intel.scorer());
    const put = await app.inject({ method: 'PUT', url: '/api/v1/models/exploration', headers: as('ana'), payload: { rate: 0.2, mode: 'random' } });
    expect(put.statusCode, put.body).toBe(200);
    // 60 declarations at a 20% exploration rate: the chance that none is explored is 0.8^60 ≈ 1.5e-6
    const batch = Array.from({ length: 60 }, (_, k) =>
      mutate(validDeclaration(`GT-INTEL-${k}`), (d) => {
        d.items[0].customsValue = 62500 / (1 + k);
      }),
    );
    for (const b of batch) {
      const r = await app.inject({ method: 'POST', url: '/api/v1/declarations', headers: as('system'), payload: b });
      expect(r.statusCode, r.body).toBeLessThan(300);
    }
    const ids = await database.db.select({ id: schema.declarations.id }).from(schema.declarations).where(inArray(schema.declarations.reference, batch.map((b) => b.reference)));
    expect(ids.length).toBe(60);
    let explored = 0;
    for (const { id } of ids) {
      const g = await get('oscar', `/api/v1/declarations/${id}`);
      expect(g.statusCode).toBe(200);
      const a = g.json().assessment;
      const model = a.inputs.model;
      expect(model.version).toMatch(/^GT-/);
      expect(model.score).toBeGreaterThanOrEqual(0);
      expect(model.explanation.length).toBeGreaterThan(0);
      for (const e of model.explanation) expect(typeof e.text === 'string' && typeof e.contribution === 'number').toBe(true);
      expect(model.challenger.version).toMatch(/^GT-/);
      expect(model.explore.mode).toBe('random');
      if (model.explore.selected && !a.inputs.random.selected) {
        explored++;
        expect(a.channel).not.toBe('green');
        expect(a.reasons.map((x: { code: string }) => x.code)).toContain('model_exploration');
      }
      const modelReason = a.reasons.find((x: { code: string }) => x.code === 'model');
      if (modelReason) expect(modelReason.text).toContain(model.explanation[0].text);
    }
    expect(explored).toBeGreaterThan(0);
    await app.inject({ method: 'PUT', url: '/api/v1/models/exploration', headers: as('ana'), payload: { rate: 0.01, mode: 'uncertain' } });
  });

  it('reports drift: precision on recent controls and population stability', async () => {
    const d = await get('sara', '/api/v1/models/drift?days=20');
    expect(d.statusCode, d.body).toBe(200);
    const j = d.json();
    expect(j.stability.length).toBe(8);
    for (const s of j.stability) expect(['stable', 'shifting', 'shifted']).toContain(s.level);
    expect(j.precision.recentControls.n).toBeGreaterThan(0);
  });
});
