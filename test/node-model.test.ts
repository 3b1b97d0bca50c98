/**
 * The node model (issue 11, point 1): a node serving GT stores GT's records only. A declaration,
 * manifest, transit, event, account or API key of another administration is refused with a 400
 * naming the field and saying where that record lives; the demo accounts are made for GT only.
 */
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import { ValidationError } from '../src/core/errors.ts';
import type { Database } from '../src/db/client.ts';
import { describeEachDb, openTestDb } from '../src/db/testing.ts';
import { registerAuth } from '../src/modules/access/auth.ts';
import { accessRoutes } from '../src/modules/access/routes.ts';
import { AccessService, ensureDemoUsers } from '../src/modules/access/service.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import { DeclarationsService } from '../src/modules/declarations/service.ts';
import { TransitService } from '../src/modules/transit/service.ts';
import { getReferenceData } from '../src/reference/index.ts';
import type { App, AppDeps } from '../src/server/deps.ts';
import { problemErrorHandler } from '../src/server/errors.ts';
import { mutate, validDeclaration, validManifest } from './fixtures.ts';
import { buildServices } from '../src/app/services.ts';
import { seedDemo, seedDemoTransit } from '../src/demo/seed.ts';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.ts';
import { journey, NOW, transitDeclaration } from './transit-fixtures.ts';

const ref = getReferenceData();
const CLI = SYSTEM_PRINCIPAL('GT', 'test');

async function refusal(p: Promise<unknown>): Promise<{ path: string; code: string; message: string }> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ValidationError);
  return (e as ValidationError).errors[0];
}

describeEachDb('a node serving GT only on %s', (kind) => {
  let database: Database;
  let app: App;
  const clock = new FixedClock(NOW);
  const config = { ...loadConfig({ CENTINELA_ADMINISTRATIONS: 'GT' }) };

  beforeAll(async () => {
    database = await openTestDb(kind);
    const deps: AppDeps = { database, db: database.db, ref, clock, config };
    app = Fastify().withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    app.setErrorHandler(problemErrorHandler);
    const access = new AccessService(deps);
    registerAuth(app, deps, access);
    await accessRoutes(app, deps, access);
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('refuses declarations and manifests of SV, naming the field and where they live; takes GT', () => {
    const d = new DeclarationsService({ db: database.db, ref, clock, config });
    const sv = mutate(validDeclaration('SV-TEST-0001'), (x) => {
      x.country = 'SV';
      x.office = 'SVAQJ';
    });
    const r = d.validate([validDeclaration(), sv], 'declaration', CLI);
    expect(r.valid.map((v) => v.index)).toEqual([0]);
    expect(r.rejections).toHaveLength(1);
    expect(r.rejections[0].errors).toEqual([expect.objectContaining({ path: 'country', code: 'not_served_here' })]);
    expect(r.rejections[0].errors[0].message).toMatch(/this node serves GT; SV's records live on SV's node/);
    const m = d.validate([mutate(validManifest('HN-MAN-1'), (x) => ((x.country = 'HN'), (x.office = 'HNPCR')))], 'manifest', CLI);
    expect(m.rejections[0].errors[0]).toMatchObject({ path: 'country', code: 'not_served_here' });
  });

  it('declares GT transits only, and records events only at GT offices', async () => {
    const transit = new TransitService({ db: database.db, ref, clock, config });
    const sv = mutate(transitDeclaration('TRSV-1'), (x) => {
      x.country = 'SV';
      x.officeOfDeparture = 'SV0HA';
      x.route = ['SV0AM', 'HN0AM'];
    });
    const e = await refusal(transit.declareMovement(sv, CLI));
    expect(e).toMatchObject({ path: 'country', code: 'not_served_here' });
    expect(e.message).toMatch(/SV's transits live on SV's node/);
    expect((await transit.declareMovement(transitDeclaration(), CLI)).status).toBe('created');
    // the GT legs are recorded here; the reads at SV and HN posts belong to their nodes
    const r = await transit.ingestEvents(journey(), CLI, 'test');
    const refused = r.rejected.filter((x) => x.errors[0].code === 'not_served_here');
    expect(refused.map((x) => x.eventId).sort()).toEqual(['t1-arr', 't1-r2', 't1-r3', 't1-r4', 't1-s2', 't1-w9']);
    expect(refused[0].errors[0].path).toBe('office');
    expect(r.recorded).toBe(4); // departure, weighing, exit read at GT0PA, the GPS fix
  });

  it('the demo seeds GT\'s records only: declarations, manifests, transits', async () => {
    const real = new FixedClock(new Date());
    const services = buildServices({ db: database.db, ref, clock: real, config: { randomControlRate: 0, administrations: ['GT'] } });
    const deps = { db: database.db, ref, clock: real, intake: services.intake, transit: services.transit, administrations: ['GT'] };
    const totals = await seedDemo(deps, { seed: 7, days: 2, scale: 0.02 });
    expect(totals.declarations).toBeGreaterThan(0);
    await seedDemoTransit(deps, { seed: 7, days: 2, scale: 0.02 });
    const countries = async (table: string) => (await queryRows<{ country: string }>(database.db, sql.raw(`select distinct country from ${table} order by 1`))).map((r) => r.country);
    expect(await countries('declarations')).toEqual(['GT']);
    expect(await countries('manifests')).toEqual(['GT']);
    // (TRGT-T-1, declared by the test above, departs from GT towards SV and HN: GT's record too)
    const routes = await queryRows<{ countries: string[] }>(database.db, sql`select countries from transit_movements where reference <> 'TRGT-T-1'`);
    for (const r of routes) expect(r.countries).toEqual(['GT']);
    const offices = await queryRows<{ country: string | null }>(database.db, sql`select distinct country from transit_events where country is not null and event_id not like 't1-%'`);
    expect(offices.map((o) => o.country).filter((c) => c !== 'GT')).toEqual([]);
  });

  it('makes accounts and API keys of GT only; the demo accounts are GT\'s', async () => {
    const access = new AccessService({ db: database.db, clock, config });
    const u = await refusal(access.createUser(CLI, { username: 'sv.someone', displayName: 'X', role: 'officer', country: 'SV', password: 'a-long-password-123' }));
    expect(u).toMatchObject({ path: 'country', code: 'not_served_here' });
    const k = await refusal(access.createApiKey(CLI, { name: 'SV system', role: 'system', country: 'SV' }));
    expect(k).toMatchObject({ path: 'country', code: 'not_served_here' });
    const accounts = await ensureDemoUsers({ db: database.db, clock, config });
    expect(new Set(accounts.map((a) => a.country))).toEqual(new Set(['GT']));
    // over HTTP: a 400 problem naming `country`
    const login = await access.login('gt.admin', 'centinela-demo');
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${login.token}` },
      payload: { username: 'sv.officer9', displayName: 'SV', role: 'officer', country: 'SV', password: 'a-long-password-123' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'country', code: 'not_served_here' })]);
    expect(res.json().detail).toMatch(/this node serves GT; SV's accounts live on SV's node/);
  });
});
