import { afterAll, beforeAll, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { FixedClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import { schema, type Database } from '../src/db/client.ts';
import { openTestDb, describeEachDb } from '../src/db/testing.ts';
import { AccessService } from '../src/modules/access/service.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { buildApp } from '../src/server/app.ts';
import type { App } from '../src/server/deps.ts';
import { INVALID, mutate, NOW, validDeclaration, validManifest } from './fixtures.ts';

describeEachDb('HTTP API on %s', (kind) => {
  let database: Database;
  let app: App;
  let key: string;
  let officerToken: string;
  const clock = new FixedClock(NOW);

  beforeAll(async () => {
    database = await openTestDb(kind);
    const deps = { database, db: database.db, ref: getReferenceData(), clock, config: { ...loadConfig({}), randomControlRate: 0.05 } };
    app = (await buildApp(deps)).app;
    const access = new AccessService(deps);
    const admin = SYSTEM_PRINCIPAL('GT', 'test');
    key = (await access.createApiKey(admin, { name: 'SIGA test', role: 'system', country: 'GT' })).key;
    await access.createUser(admin, { username: 'gt.officer', displayName: 'Oficial', role: 'officer', country: 'GT', password: 'officer-password-1' });
    officerToken = (await access.login('gt.officer', 'officer-password-1')).token;
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  const counts = async () =>
    Promise.all([schema.declarations, schema.declarationItems, schema.declarationVersions, schema.assessments, schema.auditLog].map(async (t) => Number((await database.db.select({ n: count() }).from(t as any))[0].n)));

  it('health and the OpenAPI document are public', async () => {
    const h = await app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(h.statusCode).toBe(200);
    expect(h.json()).toMatchObject({ status: 'ok', database: kind });
    const o = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(o.statusCode).toBe(200);
    expect(Object.keys(o.json().paths)).toContain('/api/v1/declarations');
  });

  it('every operation of the OpenAPI document answers typed responses: a schema for each success, problem+json for client errors', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    // a schema that says nothing (z.any(), z.unknown(), no response schema at all) is {} or absent
    const typed = (s: Record<string, unknown> | undefined) => !!s && Object.keys(s).some((k) => !['description', 'title', '$schema', 'default', 'examples'].includes(k));
    const untyped: string[] = [];
    const operations: string[] = [];
    for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        const name = `${method.toUpperCase()} ${path}`;
        operations.push(name);
        const responses: Record<string, any> = op.responses ?? {};
        const codes = Object.keys(responses);
        if (!codes.some((c) => /^2/.test(c))) untyped.push(`${name}: no success response`);
        for (const code of codes) {
          if (code === '204') continue;
          const content: Record<string, any> = responses[code].content ?? {};
          if (!Object.keys(content).length) untyped.push(`${name} ${code}: no content schema`);
          // a file (PDF, CSV) is bytes, not JSON the serializer checks: it is named by its media type
          for (const [type, c] of Object.entries<any>(content)) if (/json/.test(type) && !typed(c.schema)) untyped.push(`${name} ${code} ${type}: untyped (${JSON.stringify(c.schema ?? null)})`);
        }
        // a route behind sign-in answers 401/403/404/400 as problem+json: the document says so
        const secured = op.security === undefined ? (doc.security ?? []).length > 0 : op.security.length > 0;
        if (secured && !codes.some((c) => /^4/.test(c))) untyped.push(`${name}: no 4xx (problem+json) response`);
      }
    }
    expect(operations.length).toBeGreaterThan(50);
    expect(operations).toContain('GET /api/v1/risk/assessments/{id}/replay');
    expect(untyped).toEqual([]);
  });

  it('a valid declaration gets its assessment', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/declarations', headers: { 'x-api-key': key }, payload: validDeclaration('GT-API-1') });
    expect(r.statusCode).toBe(201);
    const body = r.json();
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    // assessed by the risk engine the app assembles (no criteria here: low risk)
    expect(body.assessment.riskLevel).toBe('low');
    expect(body.assessment.score).toBeGreaterThanOrEqual(0);
    expect(['green', 'yellow', 'red', 'blue']).toContain(body.assessment.channel);
    expect(body.assessment.reasons.length).toBeGreaterThan(0);

    const again = await app.inject({ method: 'POST', url: '/api/v1/declarations', headers: { 'x-api-key': key }, payload: validDeclaration('GT-API-1') });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: body.id, status: 'unchanged' });

    const got = await app.inject({ method: 'GET', url: `/api/v1/declarations/${body.id}`, headers: { authorization: `Bearer ${officerToken}` } });
    expect(got.statusCode).toBe(200);
    expect(got.json().declaration.reference).toBe('GT-API-1');
    const list = await app.inject({ method: 'GET', url: '/api/v1/declarations?limit=10', headers: { authorization: `Bearer ${officerToken}` } });
    expect(list.json().items.map((d: any) => d.reference)).toContain('GT-API-1');
  });

  it.each(INVALID)('400 for %s, naming the field; nothing stored', async (_name, change, path) => {
    const before = await counts();
    const r = await app.inject({ method: 'POST', url: '/api/v1/declarations', headers: { 'x-api-key': key }, payload: mutate(validDeclaration('GT-API-BAD'), change) });
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    const p = r.json();
    expect(p).toMatchObject({ status: 400, title: 'Invalid input' });
    expect(p.errors.map((e: any) => e.path)).toContain(path);
    expect(await counts()).toEqual(before);
  });

  it('a body that is not JSON gets a problem answer', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/declarations', headers: { 'x-api-key': key, 'content-type': 'application/json' }, payload: '{"reference": ' });
    expect(r.statusCode).toBe(400);
    expect(r.json().detail).toMatch(/JSON/);
  });

  it('who may call: 401 without credentials, 403 for an officer posting', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/v1/declarations', payload: validDeclaration('GT-API-2') })).statusCode).toBe(401);
    const r = await app.inject({ method: 'POST', url: '/api/v1/declarations', headers: { authorization: `Bearer ${officerToken}` }, payload: validDeclaration('GT-API-2') });
    expect(r.statusCode).toBe(403);
  });

  it('bulk import over HTTP answers a report with each rejected record', async () => {
    const body = [JSON.stringify(validDeclaration('GT-API-B1')), JSON.stringify(mutate(validDeclaration('GT-API-B2'), (d) => (d.office = 'XX')))].join('\n');
    const r = await app.inject({ method: 'POST', url: '/api/v1/declarations/import', headers: { 'x-api-key': key, 'content-type': 'application/x-ndjson' }, payload: body });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ records: 2, created: 1, rejected: 1 });
    expect(r.json().rejections[0]).toMatchObject({ record: 2, line: 2, reference: 'GT-API-B2' });
    const wrongType = await app.inject({ method: 'POST', url: '/api/v1/declarations/import', headers: { 'x-api-key': key, 'content-type': 'text/plain' }, payload: 'x' });
    expect(wrongType.statusCode).toBe(415);
  });

  it('manifests go in and come out with their history', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/manifests', headers: { 'x-api-key': key }, payload: validManifest('GT-API-M1') });
    expect(r.statusCode).toBe(201);
    const am = await app.inject({ method: 'POST', url: '/api/v1/manifests', headers: { 'x-api-key': key }, payload: mutate(validManifest('GT-API-M1'), (m) => (m.voyage = 'NX625R')) });
    expect(am.json()).toMatchObject({ status: 'amended', version: 2 });
    const got = await app.inject({ method: 'GET', url: `/api/v1/manifests/${r.json().id}`, headers: { authorization: `Bearer ${officerToken}` } });
    expect(got.json().versions.map((v: any) => v.version)).toEqual([1, 2]);
  });
});
