import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import type { Database } from '../src/db/client.ts';
import { openTestPglite } from '../src/db/testing.ts';
import { unguardedRoutes } from '../src/modules/access/auth.ts';
import { AccessService } from '../src/modules/access/service.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { buildApp } from '../src/server/app.ts';
import type { App } from '../src/server/deps.ts';
import { bearer, CLI, PASSWORD, T0 } from './access-helpers.ts';

/** The real assembly: every route under /api/ checks who may call it. */
describe('authorization in the assembled app', () => {
  let d: Database;
  let app: App;
  beforeAll(async () => {
    d = await openTestPglite();
    const clock = new FixedClock(T0);
    ({ app } = await buildApp({ database: d, db: d.db, ref: getReferenceData(), clock, config: loadConfig({}) }));
    await new AccessService({ db: d.db, clock }).createUser(CLI, { username: 'gt.officer1', displayName: 'O', role: 'officer', country: 'GT', password: PASSWORD });
  });
  afterAll(async () => {
    await app?.close();
    await d?.close();
  });

  it('has no route under /api/ without a role check, except the public ones', () => {
    expect(unguardedRoutes(app)).toEqual([]);
  });

  it('keeps health, login and the OpenAPI document public, and the rest behind sign-in', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/openapi.json' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/docs' })).statusCode).toBeLessThan(400);
    expect((await app.inject({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(401);
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'gt.officer1', password: PASSWORD } });
    expect(login.statusCode).toBe(200);
    const token = login.json().token;
    expect((await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(token) })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/audit', headers: bearer(token) })).statusCode).toBe(403);
  });
});
