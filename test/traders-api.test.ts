/**
 * The traders API: a trader's identity and history as of a date, its AEO status set by an analyst
 * (authorized, audited, answered with the partners it was queued to), bad input answered with a
 * 400 naming the field and nothing written, an officer refused.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import type { Database } from '../src/db/client.ts';
import { describeEachDb, openTestDb } from '../src/db/testing.ts';
import { AccessService } from '../src/modules/access/service.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { buildApp } from '../src/server/app.ts';
import type { App, AppDeps } from '../src/server/deps.ts';
import { NOW, validDeclaration } from './fixtures.ts';

describeEachDb('the traders API on %s', (kind) => {
  let database: Database;
  let app: App;
  let key = '';
  const tokens: Record<string, string> = {};
  const as = (who: string) => (who === 'system' ? { 'x-api-key': key } : { authorization: `Bearer ${tokens[who]}` });
  const get = (who: string, url: string) => app.inject({ method: 'GET', url, headers: as(who) });
  const put = (who: string, url: string, payload: unknown) => app.inject({ method: 'PUT', url, headers: as(who), payload: payload as never });

  beforeAll(async () => {
    database = await openTestDb(kind);
    const deps: AppDeps = { database, db: database.db, ref: getReferenceData(), clock: new FixedClock(NOW), config: { ...loadConfig({}), randomControlRate: 0 } };
    ({ app } = await buildApp(deps));
    const access = new AccessService(deps);
    const admin = SYSTEM_PRINCIPAL('GT', 'test');
    key = (await access.createApiKey(admin, { name: 'SIGA', role: 'system', country: 'GT' })).key;
    for (const [name, role] of [
      ['ana', 'risk_analyst'],
      ['oscar', 'officer'],
    ] as const) {
      await access.createUser(admin, { username: `gt.${name}`, displayName: name, role, country: 'GT', password: `${name}-password-123` });
      tokens[name] = (await access.login(`gt.${name}`, `${name}-password-123`)).token;
    }
    const r = await app.inject({ method: 'POST', url: '/api/v1/declarations', headers: as('system'), payload: validDeclaration('GT-TAPI-1') });
    expect(r.statusCode, r.body).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('tells who the trader is and its history as of a date', async () => {
    const now = await get('ana', '/api/v1/traders/4455667-8');
    expect(now.statusCode, now.body).toBe(200);
    expect(now.json()).toMatchObject({ country: 'GT', known: true, name: 'Importadora Maya S.A.', roles: ['importer'], history: { asTrader: { declarations: 1 } } });
    // before the declaration was lodged (2026-06-14 15:30 UTC), nothing
    const before = await get('ana', `/api/v1/traders/4455667-8?at=${encodeURIComponent('2026-06-14T15:00:00Z')}`);
    expect(before.json().history.asTrader).toEqual({ declarations: 0, controls: 0, hits: 0, seizures: 0, firstSeen: null });
    expect((await get('ana', '/api/v1/traders/4455667-8?at=yesterday')).json().errors[0].path).toMatch(/at/);
  });

  it('answers bad input with a 400 naming the field, and writes nothing', async () => {
    const bad = await put('ana', '/api/v1/traders/4455667-8/aeo/GT', { programme: 'OEA-GT', status: 'gold', since: '2026-06-01T00:00:00Z', until: '2026-05-01T00:00:00Z', reason: 'x' });
    expect(bad.statusCode).toBe(400);
    const paths = bad.json().errors.map((e: { path: string }) => String(e.path));
    expect(paths.some((p: string) => p.includes('status'))).toBe(true);
    expect(paths.some((p: string) => p.includes('reason'))).toBe(true);
    expect((await get('ana', '/api/v1/traders/4455667-8/aeo')).json().here).toBeNull();
  });

  it('lets an analyst certify (audited, queued to the partners) and refuses an officer', async () => {
    expect((await put('oscar', '/api/v1/traders/4455667-8/aeo/GT', { programme: 'OEA-GT', status: 'certified', since: '2026-06-01T00:00:00Z', reason: 'validated' })).statusCode).toBe(403);
    const ok = await put('ana', '/api/v1/traders/4455667-8/aeo/GT', { programme: 'OEA-GT', status: 'certified', since: '2026-06-01T00:00:00Z', reason: 'SAFE criteria validated' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().aeo).toMatchObject({ administration: 'GT', status: 'certified', inForce: true, name: 'Importadora Maya S.A.', changedBy: 'gt.ana' });
    // the node serves all seven administrations: every other one is a partner
    expect(ok.json().exchange.recipients).toEqual(['CR', 'DO', 'HN', 'NI', 'PA', 'SV']);
    const view = await get('ana', '/api/v1/traders/4455667-8/aeo');
    expect(view.json().here).toMatchObject({ status: 'certified', source: 'local' });
    expect((await get('ana', '/api/v1/traders/aeo/register')).json().items).toHaveLength(1);
  });
});
