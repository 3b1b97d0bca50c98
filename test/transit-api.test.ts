import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import type { Database } from '../src/db/client.ts';
import { openTestDb, describeEachDb } from '../src/db/testing.ts';
import { registerAuth, unguardedRoutes } from '../src/modules/access/auth.ts';
import { AccessService } from '../src/modules/access/service.ts';
import { SYSTEM_PRINCIPAL, type Role } from '../src/modules/access/types.ts';
import { transitRoutes } from '../src/modules/transit/routes.ts';
import { getReferenceData } from '../src/reference/index.ts';
import type { App, AppDeps } from '../src/server/deps.ts';
import { problemErrorHandler } from '../src/server/errors.ts';
import { journey, NOW, transitDeclaration } from './transit-fixtures.ts';

describeEachDb('transit API on %s', (kind) => {
  let database: Database;
  let app: App;
  let systemKey: string;
  const tokens: Partial<Record<Role, string>> = {};
  const clock = new FixedClock(NOW);
  const as = (role: Role) => (role === 'system' ? { 'x-api-key': systemKey } : { authorization: `Bearer ${tokens[role]}` });

  beforeAll(async () => {
    database = await openTestDb(kind);
    const deps: AppDeps = { database, db: database.db, ref: getReferenceData(), clock, config: loadConfig({}) };
    app = Fastify().withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    app.setErrorHandler(problemErrorHandler);
    const access = new AccessService(deps);
    registerAuth(app, deps, access);
    await transitRoutes(app, deps);
    await app.ready();
    const admin = SYSTEM_PRINCIPAL('GT', 'test');
    systemKey = (await access.createApiKey(admin, { name: 'RFID GT', role: 'system', country: 'GT' })).key;
    for (const role of ['officer', 'supervisor', 'risk_analyst', 'manager', 'regional_analyst', 'auditor'] as const) {
      await access.createUser(admin, { username: `gt.${role}`, displayName: role, role, country: 'GT', password: `${role}-password-123` });
      tokens[role] = (await access.login(`gt.${role}`, `${role}-password-123`)).token;
    }
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('every transit route checks the role', () => {
    expect(unguardedRoutes(app)).toEqual([]);
  });

  it('an officer declares a transit and records events; bad input is answered with field paths', async () => {
    const d = await app.inject({ method: 'POST', url: '/api/v1/transit/movements', headers: as('officer'), payload: transitDeclaration() });
    expect(d.statusCode).toBe(201);
    const bad = await app.inject({ method: 'POST', url: '/api/v1/transit/events', headers: as('officer'), payload: { eventId: 'x', type: 'weighing', at: 'now', movement: { country: 'GT', reference: 'TRGT-T-1' }, office: 'GTPRQ' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);
    expect(bad.json().errors.map((e: any) => e.path).sort()).toEqual(['at', 'grossMassKg']);
    const ev = journey()[0];
    const ok = await app.inject({ method: 'POST', url: '/api/v1/transit/events', headers: as('officer'), payload: ev });
    expect(ok.statusCode).toBe(201);
    const dup = await app.inject({ method: 'POST', url: '/api/v1/transit/events', headers: as('supervisor'), payload: ev });
    expect(dup.statusCode).toBe(200);
    expect(dup.json().status).toBe('duplicate');
    // an officer of GT records only at GT offices
    const away = await app.inject({ method: 'POST', url: '/api/v1/transit/events', headers: as('officer'), payload: journey()[3] });
    expect(away.statusCode).toBe(403);
  });

  it('only systems send events in bulk (JSON Lines), with a report per line', async () => {
    const body = journey().slice(1).map((e) => JSON.stringify(e)).join('\n') + '\nnot json\n';
    const denied = await app.inject({ method: 'POST', url: '/api/v1/transit/events/import', headers: { ...as('officer'), 'content-type': 'application/x-ndjson' }, payload: body });
    expect(denied.statusCode).toBe(403);
    const r = await app.inject({ method: 'POST', url: '/api/v1/transit/events/import', headers: { ...as('system'), 'content-type': 'application/x-ndjson' }, payload: body });
    expect(r.statusCode).toBe(200);
    // a GT system records at GT offices (and GPS fixes); the reads of SV and HN come from their own systems
    expect(r.json()).toMatchObject({ recorded: 3, duplicates: 0 });
    const rej = r.json().rejected;
    expect(rej.map((x: any) => x.line)).toEqual([3, 4, 6, 7, 8, 9, 10]);
    expect(rej[0].errors[0]).toMatchObject({ path: 'office', code: 'out_of_scope' });
    expect(rej[6].errors[0].code).toBe('invalid_json');
  });

  it('alerts are for analysts, supervisors, managers and regional analysts; verification for auditors', async () => {
    await app.inject({ method: 'POST', url: '/api/v1/transit/events', headers: as('officer'), payload: { eventId: 'seal-x', type: 'seal_check', at: '2026-06-15T08:30:00Z', movement: { country: 'GT', reference: 'TRGT-T-1' }, office: 'GTPRQ', seals: [{ number: 'SGT100001', intact: false }] } });
    for (const role of ['risk_analyst', 'supervisor', 'manager', 'regional_analyst'] as Role[]) {
      const r = await app.inject({ method: 'GET', url: '/api/v1/transit/alerts', headers: as(role) });
      expect(r.statusCode, role).toBe(200);
      expect(r.json().items.map((a: any) => a.kind)).toContain('seal_tampered');
    }
    for (const role of ['officer', 'auditor', 'system'] as Role[]) expect((await app.inject({ method: 'GET', url: '/api/v1/transit/alerts', headers: as(role) })).statusCode, role).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/transit/alerts' })).statusCode).toBe(401);
    const v = await app.inject({ method: 'GET', url: '/api/v1/transit/verify', headers: as('auditor') });
    expect(v.statusCode).toBe(200);
    expect(v.json()).toMatchObject({ ok: true, events: 5 });
    expect((await app.inject({ method: 'GET', url: '/api/v1/transit/verify', headers: as('officer') })).statusCode).toBe(403);
    const bad = await app.inject({ method: 'GET', url: '/api/v1/transit/alerts?kind=nonsense', headers: as('manager') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('querystring.kind');
  });
  it('a post that buffers sends many events in one request: each recorded, a duplicate or rejected naming the field, nothing half-written', async () => {
    const d = await app.inject({ method: 'POST', url: '/api/v1/transit/movements', headers: as('officer'), payload: { ...transitDeclaration('TRGT-B-1'), timeLimit: '2026-06-18T08:00:00Z', conveyance: { plate: 'C777BAT', plateCountry: 'GT', rfidTag: 'E280-BATCH-1', containers: [] } } });
    expect(d.statusCode).toBe(201);
    expect(d.json()).toMatchObject({ timeLimitSource: 'declared', timeLimit: '2026-06-18T08:00:00.000Z' });
    const mb = { country: 'GT', reference: 'TRGT-B-1' };
    const events = [
      { eventId: 'b-dep', type: 'departure', at: '2026-06-15T08:00:00Z', movement: mb, office: 'GTPRQ' },
      { eventId: 'b-w0', type: 'weighing', at: '2026-06-15T07:40:00Z', plate: 'C777BAT', office: 'GTPRQ', grossMassKg: 18020 },
      { eventId: 'b-bad', type: 'weighing', at: '2026-06-15T07:45:00Z', movement: mb, office: 'GTPRQ' },
      { eventId: 'b-away', type: 'rfid_read', at: '2026-06-15T12:10:00Z', tag: 'E280-BATCH-1', office: 'SV0HA', direction: 'entry' },
      { eventId: 'b-r1', type: 'rfid_read', at: '2026-06-15T11:30:00Z', tag: 'E280-BATCH-1', office: 'GT0PA', direction: 'exit' },
      { eventId: 'b-dep', type: 'departure', at: '2026-06-15T08:00:00Z', movement: mb, office: 'GTPRQ' },
    ];
    const r = await app.inject({ method: 'POST', url: '/api/v1/transit/events/batch', headers: as('officer'), payload: { events } });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({ received: 6, recorded: 3, duplicates: 1 });
    expect(body.results.map((x: any) => x.status)).toEqual(['recorded', 'recorded', 'rejected', 'rejected', 'recorded', 'duplicate']);
    expect(body.rejected.map((x: any) => [x.index, x.errors[0].path])).toEqual([
      [2, 'grossMassKg'],
      [3, 'office'],
    ]);
    // the same buffer again: nothing new, nothing written twice
    const again = await app.inject({ method: 'POST', url: '/api/v1/transit/events/batch', headers: as('officer'), payload: { events } });
    expect(again.json()).toMatchObject({ recorded: 0, duplicates: 4 });
    const empty = await app.inject({ method: 'POST', url: '/api/v1/transit/events/batch', headers: as('officer'), payload: { events: [] } });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors[0].path).toBe('events');
    const notList = await app.inject({ method: 'POST', url: '/api/v1/transit/events/batch', headers: as('officer'), payload: [events[0]] });
    expect(notList.statusCode).toBe(400);
    expect(notList.json().errors[0].path).toBe('events');
    expect((await app.inject({ method: 'POST', url: '/api/v1/transit/events/batch', headers: as('risk_analyst'), payload: { events } })).statusCode).toBe(403);
    const withdrawn = await app.inject({ method: 'GET', url: '/api/v1/transit/alerts?status=withdrawn', headers: as('manager') });
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json().items).toEqual([]);
  });
});
