/** The indicators API (/api/v1/kpi) on both databases, and the serving of the web application. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import { schema, type Database } from '../src/db/client.ts';
import { openTestDb, describeEachDb } from '../src/db/testing.ts';
import { registerAuth, unguardedRoutes } from '../src/modules/access/auth.ts';
import { AccessService } from '../src/modules/access/service.ts';
import { SYSTEM_PRINCIPAL, type Role } from '../src/modules/access/types.ts';
import { IntakeService } from '../src/flows/intake.ts';
import { kpiRoutes } from '../src/modules/kpi/routes.ts';
import { startOfLocalDay } from '../src/modules/kpi/time.ts';
import { getReferenceData } from '../src/reference/index.ts';
import type { App, AppDeps } from '../src/server/deps.ts';
import { problemErrorHandler } from '../src/server/errors.ts';
import { registerWeb } from '../src/server/web.ts';
import { validDeclaration } from './fixtures.ts';

const NOW = '2026-06-15T12:00:00Z';

describeEachDb('indicators API on %s', (kind) => {
  let database: Database;
  let app: App;
  const tokens: Partial<Record<Role, string>> = {};
  const as = (role: Role) => ({ authorization: `Bearer ${tokens[role]}` });
  const get = (role: Role, url: string) => app.inject({ method: 'GET', url, headers: as(role) });

  beforeAll(async () => {
    database = await openTestDb(kind);
    const deps: AppDeps = { database, db: database.db, ref: getReferenceData(), clock: new FixedClock(NOW), config: { ...loadConfig({}), randomControlRate: 0.5 } };
    app = Fastify().withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    app.setErrorHandler(problemErrorHandler);
    const access = new AccessService(deps);
    registerAuth(app, deps, access);
    await kpiRoutes(app, deps);
    await app.ready();
    const admin = SYSTEM_PRINCIPAL('GT', 'test');
    for (const role of ['officer', 'supervisor', 'risk_analyst', 'manager', 'regional_analyst'] as const) {
      await access.createUser(admin, { username: `gt.${role}`, displayName: role, role, country: 'GT', password: `${role}-password-123` });
      tokens[role] = (await access.login(`gt.${role}`, `${role}-password-123`)).token;
    }
    // Guatemala is UTC-6: 23:30 local on the 13th is the 14th in UTC, and must count on the 13th
    const decl = (ref: string, lodgedAt: string, office = 'GTPRQ', tin = '4455667-8') => ({ ...validDeclaration(ref), lodgedAt, office, importer: { tin, name: `Importer ${tin}`, country: 'GT' } });
    const r = await new IntakeService(deps).submitDeclarations(
      [decl('K-1', '2026-06-14T09:30:00-06:00'), decl('K-2', '2026-06-14T15:00:00-06:00', 'GTSTC'), decl('K-3', '2026-06-13T23:30:00-06:00'), decl('K-4', '2026-06-01T10:00:00-06:00', 'GTPRQ', '1234567-8')],
      SYSTEM_PRINCIPAL('GT', 'test'),
      'test',
    );
    expect(r.rejections).toEqual([]);
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('every indicators route checks the role', () => {
    expect(unguardedRoutes(app)).toEqual([]);
  });

  it('counts declarations per local day and per office, with their channels and the default targets', async () => {
    const r = await get('manager', '/api/v1/kpi/overview?from=2026-06-12&to=2026-06-15');
    expect(r.statusCode).toBe(200);
    const o = r.json();
    expect(o).toMatchObject({ country: 'GT', office: null, from: '2026-06-12', to: '2026-06-15', timeZone: 'America/Guatemala', targets: { red: 0.08, yellow: 0.12 } });
    expect(o.days.map((d: any) => [d.date, d.total])).toEqual([['2026-06-12', 0], ['2026-06-13', 1], ['2026-06-14', 2], ['2026-06-15', 0]]);
    expect(o.totals.total).toBe(3);
    expect(o.totals.green + o.totals.yellow + o.totals.red + o.totals.blue).toBe(3);
    expect(o.offices.map((x: any) => [x.office, x.total]).sort()).toEqual([['GTPRQ', 2], ['GTSTC', 1]]);
    // by default the 14 days ending today
    const d = (await get('risk_analyst', '/api/v1/kpi/overview')).json();
    expect([d.from, d.to, d.days.length, d.totals.total]).toEqual(['2026-06-02', '2026-06-15', 14, 3]);
    const office = (await get('risk_analyst', '/api/v1/kpi/overview?office=GTSTC&from=2026-06-01')).json();
    expect(office.totals.total).toBe(1);
  });

  it('keeps each administration to its own figures; a regional analyst may pick any', async () => {
    expect((await get('officer', '/api/v1/kpi/overview')).statusCode).toBe(403);
    const other = await get('manager', '/api/v1/kpi/overview?country=SV');
    expect(other.statusCode).toBe(403);
    expect(other.headers['content-type']).toMatch(/problem\+json/);
    const sv = await get('regional_analyst', '/api/v1/kpi/overview?country=SV');
    expect(sv.statusCode).toBe(200);
    expect(sv.json().totals.total).toBe(0);
    const bad = await get('manager', '/api/v1/kpi/overview?office=SVAQJ&from=2026-06-20&to=2026-06-01');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: any) => e.path)).toEqual(['office']);
    const range = await get('manager', '/api/v1/kpi/overview?from=2026-06-20&to=2026-06-01');
    expect(range.json().errors.map((e: any) => e.path)).toEqual(['from']);
  });

  it('stores channel targets per administration and office, in the audit log', async () => {
    const put = (role: Role, body: Record<string, unknown>, country = 'GT') => app.inject({ method: 'PUT', url: `/api/v1/kpi/targets/${country}`, headers: as(role), payload: body });
    expect((await put('risk_analyst', { red: 0.05, yellow: 0.1 })).statusCode).toBe(403);
    expect((await put('supervisor', { red: 0.05, yellow: 0.1 }, 'SV')).statusCode).toBe(403);
    expect((await put('supervisor', { red: 1.5, yellow: 0.1 })).json().errors[0].path).toBe('red');
    expect((await put('supervisor', { red: 0.05, yellow: 0.1 })).statusCode).toBe(200);
    const r = await put('manager', { office: 'GTSTC', red: 0.03, yellow: 0.07 });
    expect(r.json()).toEqual({ country: 'GT', default: { red: 0.05, yellow: 0.1 }, offices: { GTSTC: { red: 0.03, yellow: 0.07 } } });
    const o = (await get('manager', '/api/v1/kpi/overview?from=2026-06-01')).json();
    expect(o.targets).toEqual({ red: 0.05, yellow: 0.1 });
    expect(Object.fromEntries(o.offices.map((x: any) => [x.office, x.targets]))).toEqual({ GTPRQ: { red: 0.05, yellow: 0.1 }, GTSTC: { red: 0.03, yellow: 0.07 } });
    expect((await get('manager', '/api/v1/kpi/overview?office=GTSTC')).json().targets).toEqual({ red: 0.03, yellow: 0.07 });
    const audit = await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, 'kpi.targets.set'));
    expect(audit.map((a) => a.entityId).sort()).toEqual(['GT', 'GT/GTSTC']);
  });

  it("gives a trader's record: channels, values per currency, first and last, per office", async () => {
    const r = await get('officer', '/api/v1/kpi/traders/4455667-8');
    expect(r.statusCode).toBe(200);
    const t = r.json();
    expect(t).toMatchObject({ tin: '4455667-8', known: true, name: 'Importer 4455667-8', country: 'GT', from: '2026-06-13', to: '2026-06-15' });
    expect(t.allTime.counts.total).toBe(3);
    expect(t.allTime.asImporter).toBe(3);
    expect(t.allTime.values).toEqual([{ currency: 'USD', total: 3 * 65500 }]);
    expect(t.days.map((d: any) => d.total)).toEqual([1, 2, 0]);
    const unknown = (await get('officer', '/api/v1/kpi/traders/NOBODY-1')).json();
    expect([unknown.known, unknown.allTime.counts.total]).toEqual([false, 0]);
  });

  it('counts open transit alerts for the roles that read them', async () => {
    expect((await get('manager', '/api/v1/kpi/alerts')).json()).toEqual({ country: 'GT', open: 0, byKind: [], bySeverity: [] });
    expect((await get('officer', '/api/v1/kpi/alerts')).statusCode).toBe(403);
  });
});

describe('local days', () => {
  it('start at local midnight in the administration', () => {
    expect(startOfLocalDay('2026-06-14', 'America/Guatemala').toISOString()).toBe('2026-06-14T06:00:00.000Z');
    expect(startOfLocalDay('2026-06-14', 'America/Santo_Domingo').toISOString()).toBe('2026-06-14T04:00:00.000Z');
  });
});

describe('serving the web application', () => {
  let dir: string;
  beforeAll(() => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-web-'));
    fs.writeFileSync(path.join(base, 'secret.txt'), 'not for the web');
    dir = path.join(base, 'dist');
    fs.mkdirSync(path.join(dir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Centinela</title><div id="root"></div>');
    fs.writeFileSync(path.join(dir, 'assets', 'app-abc123.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg/>');
  });
  afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  async function web(root: string) {
    const app = Fastify();
    app.setNotFoundHandler((req, reply) => reply.code(404).type('application/problem+json').send({ title: 'Not found', status: 404, detail: `No route ${req.method} ${req.url}` }));
    app.get('/api/v1/health', async () => ({ status: 'ok' }));
    await registerWeb(app, { root });
    await app.ready();
    return app;
  }

  it('serves the app at / and every screen path, files with their caching, and leaves /api alone', async () => {
    const app = await web(dir);
    for (const url of ['/', '/queue', '/declarations/0193-abc', '/traders/4455667-8?from=2026-01-01']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type']).toMatch(/text\/html/);
      expect(r.body).toContain('<div id="root">');
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.headers['content-security-policy']).toContain("default-src 'self'");
    }
    const js = await app.inject({ url: '/assets/app-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ url: '/favicon.svg' })).statusCode).toBe(200);
    for (const url of ['/assets/missing.js', '/api/v1/nothing', '/api', '/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/.hidden.txt']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(404);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
    }
    expect((await app.inject({ url: '/api/v1/health' })).json()).toEqual({ status: 'ok' });
    await app.close();
  });

  it('says how to build the app when it is not built', async () => {
    const app = await web(path.join(dir, 'nowhere'));
    const r = await app.inject({ url: '/' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('npm run build:web');
    await app.close();
  });
});
