/**
 * A supervisor's override shows everywhere a channel is shown: the declaration page, the
 * declaration list and its channel filter, the dashboard's indicators, effectiveness and the
 * control queue. The decided channel stays on record beside it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import type { Database } from '../src/db/client.ts';
import { openTestDb, describeEachDb } from '../src/db/testing.ts';
import { AccessService } from '../src/modules/access/service.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { buildApp } from '../src/server/app.ts';
import type { App, AppDeps } from '../src/server/deps.ts';
import { mutate, validDeclaration } from './fixtures.ts';

describeEachDb('an override on %s', (kind) => {
  let database: Database;
  let app: App;
  let key: string;
  const tokens: Record<string, string> = {};
  const as = (who: string) => (who === 'system' ? { 'x-api-key': key } : { authorization: `Bearer ${tokens[who]}` });
  const get = (who: string, url: string) => app.inject({ method: 'GET', url, headers: as(who) });
  const post = (who: string, url: string, payload: unknown) => app.inject({ method: 'POST', url, headers: as(who), payload: payload as never });
  let declarationId = '';
  let assessmentId = '';
  const lodged = new Date(Date.now() - 3_600_000);

  beforeAll(async () => {
    database = await openTestDb(kind);
    const deps: AppDeps = { database, db: database.db, ref: getReferenceData(), clock: systemClock, config: { ...loadConfig({}), randomControlRate: 0 } };
    ({ app } = await buildApp(deps));
    const access = new AccessService(deps);
    const admin = SYSTEM_PRINCIPAL('GT', 'test');
    key = (await access.createApiKey(admin, { name: 'SIGA', role: 'system', country: 'GT' })).key;
    for (const [name, role] of [
      ['ana', 'risk_analyst'],
      ['sara', 'supervisor'],
      ['mario', 'manager'],
    ] as const) {
      await access.createUser(admin, { username: `gt.${name}`, displayName: name, role, country: 'GT', password: `${name}-password-123` });
      tokens[name] = (await access.login(`gt.${name}`, `${name}-password-123`)).token;
    }
    const c = await post('ana', '/api/v1/risk/criteria', {
      name: 'Teléfonos de alto valor',
      reason: 'smartphones declared above 100 USD each are checked',
      expression: 'decl.items.exists(i, i.hsCode.startsWith("8517"))',
      weight: 50,
      forcedChannel: 'red',
    });
    expect(c.statusCode, c.body).toBe(201);
    await post('ana', `/api/v1/risk/criteria/${c.json().id}/submit`, {});
    expect((await post('sara', `/api/v1/risk/criteria/${c.json().id}/approve`, {})).statusCode).toBe(200);
    const r = await post('system', '/api/v1/declarations', mutate(validDeclaration('GT-OVR-1'), (d) => (d.lodgedAt = lodged.toISOString())));
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().assessment.channel).toBe('red');
    declarationId = r.json().id;
    assessmentId = (await get('sara', `/api/v1/declarations/${declarationId}`)).json().assessment.id;
    const o = await post('sara', `/api/v1/risk/assessments/${assessmentId}/override`, { channel: 'yellow', reasonCode: 'capacity', reason: 'documentary check is enough for this importer today' });
    expect(o.statusCode, o.body).toBeLessThan(300);
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('the declaration page shows the current channel and the decided one', async () => {
    const a = (await get('sara', `/api/v1/declarations/${declarationId}`)).json().assessment;
    expect(a).toMatchObject({ channel: 'yellow', decidedChannel: 'red', overridden: true });
    // a second override from what is shown now, not from the decided channel
    const again = await post('sara', `/api/v1/risk/assessments/${assessmentId}/override`, { channel: 'yellow', reasonCode: 'capacity', reason: 'the same channel again must be refused' });
    expect(again.statusCode).toBe(409);
  });

  it('the list and its channel filter use the current channel', async () => {
    const yellow = (await get('sara', '/api/v1/declarations?channel=yellow')).json().items.map((x: { reference: string }) => x.reference);
    const red = (await get('sara', '/api/v1/declarations?channel=red')).json().items.map((x: { reference: string }) => x.reference);
    expect(yellow).toContain('GT-OVR-1');
    expect(red).not.toContain('GT-OVR-1');
  });

  it('the indicators and effectiveness count it as yellow', async () => {
    const day = lodged.toISOString().slice(0, 10);
    const from = new Date(lodged.getTime() - 2 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date(lodged.getTime() + 2 * 86_400_000).toISOString().slice(0, 10);
    const k = await get('mario', `/api/v1/kpi/overview?from=${from}&to=${to}`);
    expect(k.statusCode, k.body).toBe(200);
    expect(k.json().totals).toMatchObject({ yellow: 1, red: 0 });
    expect(day).toBeTruthy();
    const e = await get('mario', `/api/v1/risk/effectiveness?from=${from}T00:00:00Z&to=${to}T00:00:00Z`);
    expect(e.statusCode, e.body).toBe(200);
    expect(e.json().decisions.byChannel).toMatchObject({ yellow: 1 });
    expect(e.json().decisions.byChannel.red ?? 0).toBe(0);
  });

  it('the control queue shows the control as yellow', async () => {
    const q = await get('sara', '/api/v1/risk/controls');
    expect(q.statusCode, q.body).toBe(200);
    const mine = q.json().items.filter((c: { reference: string }) => c.reference === 'GT-OVR-1');
    expect(mine.map((c: { channel: string }) => c.channel)).toEqual(['yellow']);
  });
});
