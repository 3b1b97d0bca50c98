import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../src/core/errors.ts';
import { queryRows, sql, type Database } from '../src/db/client.ts';
import { openTestDb, describeEachDb } from '../src/db/testing.ts';
import { checkPasswordPolicy, hashPassword, verifyPassword } from '../src/modules/access/passwords.ts';
import { DEMO_PASSWORD, ensureDemoUsers, SESSION_TTL_MS, type AccessService } from '../src/modules/access/service.ts';
import type { Principal } from '../src/modules/access/types.ts';
import { ADMINISTRATIONS } from '../src/reference/types.ts';
import type { App } from '../src/server/deps.ts';
import { accessApp, bearer, CLI, PASSWORD, T0 } from './access-helpers.ts';

describe('passwords', () => {
  it('hashes with scrypt in the documented format and verifies in constant time', async () => {
    const h = await hashPassword(PASSWORD);
    expect(h).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await hashPassword(PASSWORD)).not.toBe(h); // salted
    expect(await verifyPassword(PASSWORD, h)).toBe(true);
    expect(await verifyPassword(PASSWORD + ' ', h)).toBe(false);
    expect(await verifyPassword(PASSWORD, 'plain-text')).toBe(false);
    expect(await verifyPassword(PASSWORD, h.replace('$32768$', '$1048577$'))).toBe(false); // refuses absurd costs
  });

  it('enforces the policy with an error naming the field and the rule', () => {
    const err = (() => {
      try {
        checkPasswordPolicy('short');
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect(err!.errors[0]).toMatchObject({ path: 'password', code: 'password_too_short' });
    expect(err!.message).toMatch(/at least 10 characters/);
    expect(() => checkPasswordPolicy('aaaaaaaaaaaa')).toThrow(/one character repeated/);
    expect(() => checkPasswordPolicy('gt.admin-2026!', { username: 'gt.admin' })).toThrow(/username/);
    expect(() => checkPasswordPolicy(PASSWORD, { username: 'gt.admin' })).not.toThrow();
  });
});

describeEachDb('access on %s', (kind) => {
  let d: Database;
  let clock: FixedClock;
  let app: App;
  let service: AccessService;
  let gtAdmin: Principal;

  beforeAll(async () => {
    d = await openTestDb(kind);
    clock = new FixedClock(T0);
    ({ app, service } = await accessApp(d, clock));
    const u = await service.createUser(CLI, { username: 'GT.Admin', displayName: 'Ana', role: 'admin', country: 'GT', password: PASSWORD });
    gtAdmin = { kind: 'user', id: u.id, name: u.username, role: 'admin', country: 'GT' };
  });
  afterAll(async () => {
    await app?.close();
    await d?.close();
  });

  const auditOf = (entityId: string) =>
    queryRows<{ action: string; actor: string; before: any; after: any; country: string | null }>(
      d.db,
      sql`select action, actor, before, after, country from audit_log where entity_id = ${entityId} order by seq`,
    );

  describe('users', () => {
    it('creates users with a lowercase username and audits without secrets', async () => {
      const u = await service.createUser(gtAdmin, { username: 'gt.officer9', displayName: 'Oficial', role: 'officer', country: 'GT', password: PASSWORD });
      expect(u).toMatchObject({ username: 'gt.officer9', role: 'officer', country: 'GT', active: true });
      const a = await auditOf(u.id);
      expect(a).toEqual([
        {
          action: 'user.created',
          actor: 'gt.admin',
          country: 'GT',
          before: null,
          after: { username: 'gt.officer9', displayName: 'Oficial', role: 'officer', country: 'GT', active: true },
        },
      ]);
      const all = JSON.stringify(await queryRows(d.db, sql`select before, after from audit_log`));
      expect(all).not.toMatch(/scrypt|password_hash|passwordHash|correct horse/);
    });

    it('refuses duplicates, bad usernames, bad roles, bad countries and weak passwords', async () => {
      await expect(service.createUser(gtAdmin, { username: 'gt.officer9', displayName: 'X', role: 'officer', country: 'GT', password: PASSWORD })).rejects.toBeInstanceOf(ConflictError);
      const bad = await service
        .createUser(CLI, { username: 'a b', displayName: '', role: 'king' as any, country: 'MX' as any, password: PASSWORD })
        .catch((e) => e);
      expect(bad).toBeInstanceOf(ValidationError);
      expect(bad.errors.map((e: any) => e.path).sort()).toEqual(['country', 'displayName', 'role', 'username']);
      await expect(service.createUser(CLI, { username: 'gt.weak', displayName: 'W', role: 'officer', country: 'GT', password: 'short' })).rejects.toThrow(/at least 10/);
    });

    it('scopes an admin to its administration', async () => {
      const e = await service
        .createUser(gtAdmin, { username: 'sv.x', displayName: 'X', role: 'officer', country: 'SV', password: PASSWORD })
        .catch((x) => x);
      expect(e).toBeInstanceOf(ForbiddenError);
      expect(e.message).toMatch(/^country: /);
      const sv = await service.createUser(CLI, { username: 'sv.officer', displayName: 'SV', role: 'officer', country: 'SV', password: PASSWORD });
      const mine = await service.listUsers(gtAdmin);
      expect(mine.every((u) => u.country === 'GT')).toBe(true);
      expect((await service.listUsers(CLI)).some((u) => u.country === 'SV')).toBe(true);
      await expect(service.updateUser(gtAdmin, sv.id, { role: 'auditor' })).rejects.toBeInstanceOf(NotFoundError);
      await expect(service.updateUser(gtAdmin, gtAdmin.id, { role: 'officer' })).rejects.toThrow(/own role/);
      await expect(service.deactivateUser(gtAdmin, gtAdmin.id)).rejects.toThrow(/own account/);
    });

    it('updates with before and after in the audit log', async () => {
      const u = await service.findUserByUsername(CLI, 'gt.officer9');
      const after = await service.updateUser(gtAdmin, u.id, { role: 'supervisor', displayName: 'Sup' });
      expect(after).toMatchObject({ role: 'supervisor', displayName: 'Sup' });
      const a = (await auditOf(u.id)).at(-1)!;
      expect(a.action).toBe('user.updated');
      expect(a.before).toMatchObject({ role: 'officer', displayName: 'Oficial' });
      expect(a.after).toMatchObject({ role: 'supervisor', displayName: 'Sup' });
    });
  });

  describe('sessions', () => {
    it('signs in with the right password only, with one answer for unknown user and wrong password', async () => {
      const ok = await service.login('GT.ADMIN', PASSWORD);
      expect(ok.token).toMatch(/^cs_[A-Za-z0-9_-]{43}$/);
      expect(ok.expiresAt).toBe(new Date(Date.parse(T0) + 12 * 3600_000).toISOString());
      const r = await service.resolveToken(ok.token);
      expect(r?.principal).toEqual(gtAdmin);
      const stored = await queryRows<{ token_hash: string }>(d.db, sql`select token_hash from sessions`);
      expect(stored.some((s) => s.token_hash === ok.token)).toBe(false);

      const wrong = await service.login('gt.admin', 'not the password').catch((e) => e);
      const unknown = await service.login('nobody.here', 'whatever-at-all').catch((e) => e);
      expect(wrong).toBeInstanceOf(UnauthorizedError);
      expect(unknown).toBeInstanceOf(UnauthorizedError);
      expect(wrong.message).toBe(unknown.message);

      const failures = await queryRows<{ after: any }>(d.db, sql`select after from audit_log where action = 'auth.login_failed' order by seq`);
      expect(failures.map((f) => f.after)).toEqual([
        // signed in from within the process (no address): the source is 'local'
        { username: 'gt.admin', reason: 'wrong_password', source: 'local' },
        { username: 'nobody.here', reason: 'unknown_user', source: 'local' },
      ]);
      expect(JSON.stringify(failures)).not.toMatch(/not the password|whatever/);
      expect((await queryRows(d.db, sql`select 1 from audit_log where action = 'auth.login'`)).length).toBeGreaterThan(0);
    });

    it('expires sessions after 12 hours, and ends them when the user is disabled or logs out', async () => {
      const s1 = await service.login('gt.admin', PASSWORD);
      clock.advance(SESSION_TTL_MS - 1000);
      expect(await service.resolveToken(s1.token)).not.toBeNull();
      clock.advance(1000);
      expect(await service.resolveToken(s1.token)).toBeNull();
      clock.set(T0);

      const u = await service.createUser(CLI, { username: 'gt.temp', displayName: 'T', role: 'officer', country: 'GT', password: PASSWORD });
      const s2 = await service.login('gt.temp', PASSWORD);
      await service.deactivateUser(gtAdmin, u.id);
      expect(await service.resolveToken(s2.token)).toBeNull();
      await expect(service.login('gt.temp', PASSWORD)).rejects.toBeInstanceOf(UnauthorizedError);
      expect((await auditOf(u.id)).map((a) => a.action)).toContain('user.deactivated');

      const s3 = await service.login('gt.admin', PASSWORD);
      await service.logout(gtAdmin, s3.sessionId);
      expect(await service.resolveToken(s3.token)).toBeNull();
    });
  });

  describe('API keys', () => {
    it('creates a key shown once, resolves it, and revokes it', async () => {
      const { key, apiKey } = await service.createApiKey(gtAdmin, { name: 'SAT feed', role: 'system', country: 'GT' });
      expect(key).toMatch(/^ck_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
      expect(key.slice(3, 11)).toBe(apiKey.prefix);
      const rows = await queryRows<{ key_hash: string }>(d.db, sql`select key_hash from api_keys where id = ${apiKey.id}`);
      expect(rows[0].key_hash).not.toContain(key.slice(12));
      expect(await service.resolveApiKey(key)).toEqual({ kind: 'api_key', id: apiKey.id, name: 'SAT feed', role: 'system', country: 'GT' });
      expect(await service.resolveApiKey(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'))).toBeNull();
      expect(await service.resolveApiKey('ck_nothing')).toBeNull();
      await expect(service.createApiKey(gtAdmin, { name: 'x', role: 'system', country: 'HN' })).rejects.toBeInstanceOf(ForbiddenError);

      const revoked = await service.revokeApiKey(gtAdmin, apiKey.id);
      expect(revoked.revokedAt).toBe(T0.replace('Z', '.000Z'));
      expect(await service.resolveApiKey(key)).toBeNull();
      expect((await auditOf(apiKey.id)).map((a) => a.action)).toEqual(['api_key.created', 'api_key.revoked']);
      expect(JSON.stringify(await auditOf(apiKey.id))).not.toContain(key.slice(12));
    });
  });

  describe('sign-in throttling', () => {
    it('locks a username after 5 failures in 15 minutes: 429 with Retry-After, even with the right password, logged once; then it opens again', async () => {
      await service.createUser(CLI, { username: 'gt.target', displayName: 'T', role: 'officer', country: 'GT', password: PASSWORD });
      const start = clock.now().getTime();
      const attempt = (password: string) => app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'gt.target', password } });
      for (let i = 0; i < 5; i++) expect((await attempt('wrong password ' + i)).statusCode).toBe(401);
      for (let i = 0; i < 3; i++) {
        const locked = await attempt(PASSWORD);
        expect(locked.statusCode).toBe(429);
        expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
        expect(locked.json().detail).toMatch(/try again in 15 minute/);
      }
      const locks = await queryRows(d.db, sql`select 1 from audit_log where action = 'auth.login_locked'`);
      expect(locks.length).toBe(1);
      // another username is not affected
      expect((await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'gt.admin', password: PASSWORD } })).statusCode).toBe(200);
      try {
        clock.set(start + 15 * 60_000 + 1000);
        expect((await attempt(PASSWORD)).statusCode).toBe(200);
      } finally {
        clock.set(start);
      }
    });
  });

  describe('HTTP', () => {
    let adminToken: string;
    let officerToken: string;
    let auditorToken: string;
    beforeAll(async () => {
      await service.createUser(CLI, { username: 'gt.officer1', displayName: 'O', role: 'officer', country: 'GT', password: PASSWORD });
      await service.createUser(CLI, { username: 'gt.auditor', displayName: 'A', role: 'auditor', country: 'GT', password: PASSWORD });
      const login = async (username: string) => {
        const r = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } });
        expect(r.statusCode).toBe(200);
        return r.json().token as string;
      };
      adminToken = await login('gt.admin');
      officerToken = await login('gt.officer1');
      auditorToken = await login('gt.auditor');
    });

    it('answers 401 without or with a bad credential, 403 to the wrong role, 200 to the right one', async () => {
      const none = await app.inject({ method: 'GET', url: '/api/v1/users' });
      expect(none.statusCode).toBe(401);
      expect(none.headers['content-type']).toMatch(/problem\+json/);
      expect(none.headers['www-authenticate']).toMatch(/Bearer/);
      expect((await app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer('cs_forged') })).statusCode).toBe(401);
      expect((await app.inject({ method: 'GET', url: '/api/v1/users', headers: { authorization: 'Basic abc' } })).statusCode).toBe(401);
      const forbidden = await app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(officerToken) });
      expect(forbidden.statusCode).toBe(403);
      expect(forbidden.json().detail).toMatch(/admin/);
      const ok = await app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(adminToken) });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().items.every((u: any) => u.country === 'GT')).toBe(true);
      expect(JSON.stringify(ok.json())).not.toMatch(/scrypt|passwordHash/);
      expect((await app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(200);
      const bad = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'gt.admin', password: 'nope' } });
      expect(bad.statusCode).toBe(401);
    });

    it('serves me, users, passwords, API keys and logout', async () => {
      const me = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(officerToken) });
      expect(me.json()).toMatchObject({ kind: 'user', name: 'gt.officer1', role: 'officer', country: 'GT' });

      const created = await app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: bearer(adminToken),
        payload: { username: 'gt.analyst', displayName: 'Analista', role: 'risk_analyst', country: 'GT', password: PASSWORD },
      });
      expect(created.statusCode).toBe(201);
      const invalid = await app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: bearer(adminToken),
        payload: { username: 'x', displayName: 'Analista', role: 'risk_analyst', country: 'GT', password: PASSWORD },
      });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json().errors[0].path).toBe('username');
      const other = await app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: bearer(adminToken),
        payload: { username: 'cr.analyst', displayName: 'A', role: 'risk_analyst', country: 'CR', password: PASSWORD },
      });
      expect(other.statusCode).toBe(403);
      const id = created.json().id;
      const patched = await app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, headers: bearer(adminToken), payload: { role: 'auditor' } });
      expect(patched.json().role).toBe('auditor');

      // own password: needs the current one; someone else's: admin only
      const me2 = me.json().id;
      const noCurrent = await app.inject({ method: 'POST', url: `/api/v1/users/${me2}/password`, headers: bearer(officerToken), payload: { password: 'a new long password' } });
      expect(noCurrent.statusCode).toBe(400);
      const others = await app.inject({ method: 'POST', url: `/api/v1/users/${id}/password`, headers: bearer(officerToken), payload: { password: 'a new long password' } });
      expect(others.statusCode).toBe(403);
      const changed = await app.inject({
        method: 'POST',
        url: `/api/v1/users/${me2}/password`,
        headers: bearer(officerToken),
        payload: { password: 'a new long password', currentPassword: PASSWORD },
      });
      expect(changed.statusCode).toBe(204);
      expect((await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(officerToken) })).statusCode).toBe(200);
      const byAdmin = await app.inject({ method: 'POST', url: `/api/v1/users/${me2}/password`, headers: bearer(adminToken), payload: { password: PASSWORD } });
      expect(byAdmin.statusCode).toBe(204);
      // an admin's reset ends the user's sessions
      expect((await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(officerToken) })).statusCode).toBe(401);

      const key = await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(adminToken), payload: { name: 'feed', role: 'system', country: 'GT' } });
      expect(key.statusCode).toBe(201);
      const k = key.json();
      const viaHeader = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { 'x-api-key': k.key } });
      expect(viaHeader.json()).toMatchObject({ kind: 'api_key', role: 'system' });
      expect((await app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(k.key) })).statusCode).toBe(403);
      const list = await app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: bearer(adminToken) });
      expect(list.json().items.map((x: any) => x.id)).toContain(k.id);
      expect(JSON.stringify(list.json())).not.toContain(k.key);
      expect((await app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${k.id}`, headers: bearer(adminToken) })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { 'x-api-key': k.key } })).statusCode).toBe(401);

      const t = (await service.login('gt.auditor', PASSWORD)).token;
      expect((await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(t) })).statusCode).toBe(204);
      expect((await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(t) })).statusCode).toBe(401);
    });

    it('lists the audit log scoped and paginated, and verifies it', async () => {
      await service.createUser(CLI, { username: 'hn.admin', displayName: 'H', role: 'admin', country: 'HN', password: PASSWORD });
      expect((await app.inject({ method: 'GET', url: '/api/v1/audit', headers: bearer(officerToken) })).statusCode).toBe(401); // session ended above
      const page1 = await app.inject({ method: 'GET', url: '/api/v1/audit?limit=3', headers: bearer(auditorToken) });
      expect(page1.statusCode).toBe(200);
      const p1 = page1.json();
      expect(p1.items).toHaveLength(3);
      expect(p1.nextCursor).toBe(p1.items[2].seq);
      const page2 = (await app.inject({ method: 'GET', url: `/api/v1/audit?limit=3&cursor=${p1.nextCursor}`, headers: bearer(auditorToken) })).json();
      expect(page2.items[0].seq).toBeLessThan(p1.items[2].seq);
      const all = (await app.inject({ method: 'GET', url: '/api/v1/audit?limit=500', headers: bearer(auditorToken) })).json();
      expect(all.items.every((e: any) => e.country === 'GT')).toBe(true);
      const filtered = (await app.inject({ method: 'GET', url: '/api/v1/audit?action=user.created&limit=500', headers: bearer(adminToken) })).json();
      expect(filtered.items.length).toBeGreaterThan(0);
      expect(filtered.items.every((e: any) => e.action === 'user.created')).toBe(true);
      const future = (await app.inject({ method: 'GET', url: `/api/v1/audit?from=2030-01-01T00:00:00Z`, headers: bearer(adminToken) })).json();
      expect(future.items).toEqual([]);
      const badRange = await app.inject({ method: 'GET', url: `/api/v1/audit?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z`, headers: bearer(adminToken) });
      expect(badRange.statusCode).toBe(400);

      const v = await app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: bearer(auditorToken) });
      expect(v.json()).toMatchObject({ ok: true, problems: [] });
      expect(v.json().head.seq).toBe(v.json().checked);
    });
  });

  it('makes the demo accounts once, for every administration', async () => {
    const first = await ensureDemoUsers({ db: d.db, clock });
    expect(first).toHaveLength(ADMINISTRATIONS.length * 10);
    expect(first.find((a) => a.username === 'sv.regional')).toEqual({ username: 'sv.regional', role: 'regional_analyst', country: 'SV', created: true });
    expect(first.map((a) => a.username)).toEqual(expect.arrayContaining(['gt.officer3', 'do.manager', 'pa.analyst2']));
    expect(first.find((a) => a.username === 'gt.admin')!.created).toBe(false); // made earlier in this file
    const again = await ensureDemoUsers({ db: d.db, clock });
    expect(again.every((a) => !a.created)).toBe(true);
    expect((await service.login('cr.supervisor', DEMO_PASSWORD)).user).toMatchObject({ role: 'supervisor', country: 'CR' });
  });
});
