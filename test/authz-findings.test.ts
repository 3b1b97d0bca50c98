/**
 * Issue 9, findings 3, 4 and 8, each as it was found: a national admin reaching every
 * administration through a regional role; four eyes bypassed through an API key or a colleague's
 * edit of the reason; regional sweeps and verifications over the whole region, another
 * administration's thresholds readable, and a record of another administration answering 403.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import { sha256Hex } from '../src/core/hash.ts';
import { uuidv7 } from '../src/core/ids.ts';
import { eq } from 'drizzle-orm';
import { schema, sql, type Database } from '../src/db/client.ts';
import { openTestDb, describeEachDb } from '../src/db/testing.ts';
import { ACTIONS, administrationsFor, allows, grantableRoles, KEY_ROLES, keyRoleProblem, REGIONAL_ROLES } from '../src/modules/access/policy.ts';
import { AccessService } from '../src/modules/access/service.ts';
import { verifyAuditChain } from '../src/modules/access/verify.ts';
import { SYSTEM_PRINCIPAL, type Principal, type Role } from '../src/modules/access/types.ts';
import { ADMINISTRATIONS } from '../src/reference/types.ts';
import { versionsSinceApproved } from '../src/modules/risk/criteria/versions.ts';
import { TransitService } from '../src/modules/transit/service.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { buildApp, type BuiltApp } from '../src/server/app.ts';
import { mutate, NOW, validDeclaration } from './fixtures.ts';
import { transitDeclaration } from './transit-fixtures.ts';

const PASSWORD = 'findings-password-123';
const CLI = (cc: string) => SYSTEM_PRINCIPAL(cc, 'cli');
const svDeclaration = (ref: string) =>
  mutate(validDeclaration(ref), (d) => {
    d.country = 'SV';
    d.office = 'SVAQJ';
    d.manifestReference = undefined;
  });
const svTransit = (ref: string) =>
  mutate(transitDeclaration(ref), (t) => {
    t.country = 'SV';
    t.officeOfDeparture = 'SVAQJ';
    t.route = ['SV0AM', 'HN0AM'];
    t.conveyance.plateCountry = 'SV';
    t.conveyance.rfidTag = 'E280-SV-FINDINGS';
  });

describe('the policy (pure)', () => {
  const person = (role: Role, country = 'GT'): Principal => ({ kind: 'user', id: `u-${role}`, name: role, role, country });
  it('gives each principal the administrations the policy says for an action', () => {
    expect(administrationsFor(person('officer'), 'declarations.read')).toEqual(['GT']);
    expect(administrationsFor(person('regional_analyst'), 'declarations.read')).toEqual(ADMINISTRATIONS);
    expect(administrationsFor(person('regional_analyst'), 'criteria.read')).toEqual(['GT']);
    expect(administrationsFor(person('officer'), 'users.manage')).toEqual([]);
    expect(administrationsFor(SYSTEM_PRINCIPAL('GT'), 'transit.sweep')).toEqual(ADMINISTRATIONS);
    expect(administrationsFor(person('supervisor', 'SV'), 'transit.thresholds.read')).toEqual(['SV']);
    expect(administrationsFor({ kind: 'api_key', id: 'k', name: 'k', role: 'admin', country: 'GT' }, 'criteria.approve')).toEqual([]);
  });
  it('grants within one\'s own scope only; keys never carry a role that approves', () => {
    expect(grantableRoles(person('admin'))).not.toContain('regional_analyst');
    expect(grantableRoles(person('admin'))).not.toContain('regional_admin');
    expect([...grantableRoles(person('regional_admin'))].sort()).toEqual([...REGIONAL_ROLES].sort());
    expect(grantableRoles(person('risk_analyst'))).toEqual([]);
    expect(grantableRoles({ kind: 'api_key', id: 'k', name: 'k', role: 'admin', country: 'GT' })).toEqual([]);
    for (const action of ACTIONS.filter((a) => a.endsWith('.approve') || a.startsWith('users.') || a.startsWith('apiKeys.'))) {
      for (const role of KEY_ROLES) expect(allows({ kind: 'api_key', id: 'k', name: 'k', role, country: 'GT' }, action), `${role} key: ${action}`).toBe(false);
    }
    expect(keyRoleProblem('admin')).toMatch(/four eyes needs two people/);
    expect(keyRoleProblem('system')).toBeNull();
  });
});

describe('four eyes counts every author since the last approval (pure)', () => {
  const v = (version: number, status: string, decided = false) => ({ version, status, decidedAt: decided ? new Date(NOW) : null });
  it('takes the versions after the last approved one, up to the one approved', () => {
    const all = [v(1, 'superseded', true), v(2, 'active', true), v(3, 'withdrawn'), v(4, 'withdrawn'), v(5, 'awaiting_approval')];
    expect(versionsSinceApproved(all, all[4]).map((x) => x.version)).toEqual([3, 4, 5]);
    const fresh = [v(1, 'withdrawn'), v(2, 'awaiting_approval')];
    expect(versionsSinceApproved(fresh, fresh[1]).map((x) => x.version)).toEqual([1, 2]);
    // a rejected version was decided, not approved: its author still shaped what follows
    const rejected = [v(1, 'rejected', true), v(2, 'awaiting_approval')];
    expect(versionsSinceApproved(rejected, rejected[1]).map((x) => x.version)).toEqual([1, 2]);
  });
});

describeEachDb('authorization findings of issue 9 on %s', (kind) => {
  let database: Database;
  let built: BuiltApp;
  let access: AccessService;
  let transit: TransitService;
  const clock = new FixedClock(NOW);
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const as = (who: string) => (who.startsWith('ck_') ? { 'x-api-key': who } : { authorization: `Bearer ${tokens[who]}` });
  const call = (who: string, method: string, url: string, payload?: unknown) =>
    built.app.inject({ method: method as any, url, headers: as(who), ...(payload !== undefined ? { payload: payload as any } : {}) });

  beforeAll(async () => {
    database = await openTestDb(kind);
    const deps = { database, db: database.db, ref: getReferenceData(), clock, config: { ...loadConfig({}), randomControlRate: 0 } };
    built = await buildApp(deps);
    access = new AccessService(deps);
    transit = new TransitService(deps);
    for (const [username, role, cc] of [
      ['gt.admin', 'admin', 'GT'],
      ['gt.ana', 'risk_analyst', 'GT'],
      ['gt.beto', 'risk_analyst', 'GT'],
      ['gt.sara', 'supervisor', 'GT'],
      ['gt.auditor', 'auditor', 'GT'],
      ['sv.sonia', 'supervisor', 'SV'],
      ['sv.analyst', 'risk_analyst', 'SV'],
    ] as const) {
      ids[username] = (await access.createUser(CLI(cc), { username, displayName: username, role, country: cc, password: PASSWORD })).id;
      tokens[username] = (await access.login(username, PASSWORD)).token;
    }
    const sys = SYSTEM_PRINCIPAL('GT', 'seed');
    ids.gtDecl = (await built.intake.submitDeclaration(validDeclaration('GT-F-1'), sys, 'seed')).id;
    ids.svDecl = (await built.intake.submitDeclaration(svDeclaration('SV-F-1'), SYSTEM_PRINCIPAL('SV', 'seed'), 'seed')).id;
  }, 120_000);
  afterAll(async () => {
    await built?.app.close();
    await database?.close();
  });

  describe('3. a national admin cannot reach every administration through a regional role', () => {
    it('refuses gt.admin creating, promoting or keying a regional_analyst, naming the field', async () => {
      const create = await call('gt.admin', 'POST', '/api/v1/users', { username: 'gt.spy', displayName: 'Spy', role: 'regional_analyst', country: 'GT', password: PASSWORD });
      expect(create.statusCode).toBe(403);
      expect(create.json().detail).toMatch(/^role: regional_analyst reaches every administration; only a regional admin grants it/);
      expect(create.json().errors).toEqual([expect.objectContaining({ path: 'role', code: 'not_grantable' })]);
      const promote = await call('gt.admin', 'PATCH', `/api/v1/users/${ids['gt.auditor']}`, { role: 'regional_analyst' });
      expect(promote.statusCode).toBe(403);
      expect(promote.json().detail).toMatch(/^role: regional_analyst reaches every administration/);
      const key = await call('gt.admin', 'POST', '/api/v1/api-keys', { name: 'spy feed', role: 'regional_analyst', country: 'GT' });
      expect(key.statusCode).toBe(403);
      expect(key.json().detail).toMatch(/^role: regional_analyst reaches every administration/);
      // nor can it make a regional admin, nor a user of another administration
      expect((await call('gt.admin', 'POST', '/api/v1/users', { username: 'gt.boss', displayName: 'B', role: 'regional_admin', country: 'GT', password: PASSWORD })).statusCode).toBe(403);
      const sv = await call('gt.admin', 'POST', '/api/v1/users', { username: 'sv.spy', displayName: 'S', role: 'officer', country: 'SV', password: PASSWORD });
      expect(sv.statusCode).toBe(403);
      expect(sv.json().detail).toMatch(/^country: /);
      // still the national roles of its own administration
      expect((await call('gt.admin', 'POST', '/api/v1/users', { username: 'gt.new', displayName: 'N', role: 'officer', country: 'GT', password: PASSWORD })).statusCode).toBe(201);
      // the refused promotion left the account as it was
      expect((await access.getUser(CLI('GT'), ids['gt.auditor'])).role).toBe('auditor');
    });

    it('the first regional admin is made on the host (CLI); only it grants regional roles, which then read the region', async () => {
      const boss = await access.createUser(CLI('GT'), { username: 'region.admin', displayName: 'Regional admin', role: 'regional_admin', country: 'GT', password: PASSWORD });
      tokens['region.admin'] = (await access.login('region.admin', PASSWORD)).token;
      const made = await call('region.admin', 'POST', '/api/v1/users', { username: 'hn.regional', displayName: 'Regional', role: 'regional_analyst', country: 'HN', password: PASSWORD });
      expect(made.statusCode, made.body).toBe(201);
      // a regional admin grants regional roles only
      const national = await call('region.admin', 'POST', '/api/v1/users', { username: 'sv.officer9', displayName: 'O', role: 'officer', country: 'SV', password: PASSWORD });
      expect(national.statusCode).toBe(403);
      expect(national.json().detail).toMatch(/^role: officer is a national role/);
      tokens['hn.regional'] = (await access.login('hn.regional', PASSWORD)).token;
      expect((await call('hn.regional', 'GET', `/api/v1/declarations/${ids.svDecl}`)).statusCode).toBe(200);
      // and a national admin may not take over the regional account by setting its password or role
      const gtRegional = await access.createUser(CLI('GT'), { username: 'gt.regional', displayName: 'R', role: 'regional_analyst', country: 'GT', password: PASSWORD });
      expect((await call('gt.admin', 'POST', `/api/v1/users/${gtRegional.id}/password`, { password: 'taken over horse battery' })).statusCode).toBe(403);
      expect((await call('gt.admin', 'PATCH', `/api/v1/users/${gtRegional.id}`, { role: 'officer' })).statusCode).toBe(403);
      expect(boss.role).toBe('regional_admin');
    });
  });

  describe('4. four eyes cannot be bypassed', () => {
    it('refuses an API key with an approving role (400 naming role, saying why), from the API and the service', async () => {
      for (const role of ['admin', 'risk_analyst', 'supervisor', 'manager', 'officer']) {
        const r = await call('gt.admin', 'POST', '/api/v1/api-keys', { name: `key ${role}`, role, country: 'GT' });
        expect(r.statusCode, role).toBe(400);
        expect(r.json().errors[0]).toMatchObject({ path: 'role', code: 'not_a_key_role' });
        expect(r.json().errors[0].message).toMatch(/four eyes needs two people/);
      }
      await expect(access.createApiKey(CLI('GT'), { name: 'cli admin key', role: 'admin', country: 'GT' })).rejects.toMatchObject({ status: 400 });
      for (const role of KEY_ROLES.filter((r) => r !== 'regional_analyst')) {
        expect((await call('gt.admin', 'POST', '/api/v1/api-keys', { name: `ok ${role}`, role, country: 'GT' })).statusCode).toBe(201);
      }
    });

    it('an admin key made before the fix cannot approve its maker\'s criterion', async () => {
      const c = await call('gt.admin', 'POST', '/api/v1/risk/criteria', { name: 'Admin rule', reason: 'the admin wants this one in', expression: 'decl.type == "IM"', weight: 10 });
      expect(c.statusCode, c.body).toBe(201);
      expect((await call('gt.admin', 'POST', `/api/v1/risk/criteria/${c.json().id}/submit`)).statusCode).toBe(200);
      const key = `ck_1eaacafe_${'B'.repeat(43)}`;
      await database.db.insert(schema.apiKeys).values({ id: uuidv7(Date.now()), name: 'old admin key', prefix: '1eaacafe', keyHash: sha256Hex(key), role: 'admin', country: 'GT', createdBy: 'user:gt.admin', createdAt: new Date(NOW), revokedAt: null });
      const approve = await call(key, 'POST', `/api/v1/risk/criteria/${c.json().id}/approve`, {});
      expect(approve.statusCode).toBe(403);
      expect(approve.json().detail).toMatch(/needs a person signed in/);
      expect(approve.json().errors).toEqual([expect.objectContaining({ path: 'credential', code: 'needs_a_person' })]);
      // nor manage accounts or keys
      expect((await call(key, 'POST', '/api/v1/api-keys', { name: 'another', role: 'system', country: 'GT' })).statusCode).toBe(403);
      expect((await call(key, 'POST', '/api/v1/users', { username: 'gt.keyuser', displayName: 'K', role: 'admin', country: 'GT', password: PASSWORD })).statusCode).toBe(403);
      // the same check in the service, whatever the route
      await expect(built.risk.approveCriterion({ kind: 'api_key', id: 'k', name: 'old admin key', role: 'admin', country: 'GT' }, c.json().id)).rejects.toMatchObject({ status: 403 });
      expect((await built.risk.getCriterion(CLI('GT'), c.json().id)).status).toBe('awaiting_approval');
    });

    it('the author of the expression cannot approve it after a colleague edited only the reason', async () => {
      const c = await call('gt.ana', 'POST', '/api/v1/risk/criteria', { name: 'Ana rule', reason: 'tobacco', expression: 'decl.items.exists(i, i.hsCode.startsWith("2402"))', weight: 30 });
      expect(c.statusCode, c.body).toBe(201);
      const id = c.json().id;
      const edit = await call('gt.beto', 'PATCH', `/api/v1/risk/criteria/${id}`, { reason: 'tobacco from free zones, reworded' });
      expect(edit.statusCode, edit.body).toBe(200);
      expect((await call('gt.beto', 'POST', `/api/v1/risk/criteria/${id}/submit`)).statusCode).toBe(200);
      const self = await call('gt.ana', 'POST', `/api/v1/risk/criteria/${id}/approve`, {});
      expect(self.statusCode).toBe(403);
      expect(self.json().detail).toMatch(/four eyes: you wrote version 1 of "Ana rule", which approving version 2 would put into force/);
      // nor the colleague who edited it
      expect((await call('gt.beto', 'POST', `/api/v1/risk/criteria/${id}/approve`, {})).statusCode).toBe(403);
      const ok = await call('gt.sara', 'POST', `/api/v1/risk/criteria/${id}/approve`, { note: 'a third person' });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json().status).toBe('active');
      // once approved, the next round counts only the versions written since
      expect((await call('gt.beto', 'PATCH', `/api/v1/risk/criteria/${id}`, { weight: 40 })).statusCode).toBe(200);
      expect((await call('gt.beto', 'POST', `/api/v1/risk/criteria/${id}/submit`)).statusCode).toBe(200);
      expect((await call('gt.ana', 'POST', `/api/v1/risk/criteria/${id}/approve`, {})).statusCode).toBe(200);
    });

    it('a model promotion is never approved through an API key', async () => {
      await expect(built.intelligence.approve({ kind: 'api_key', id: 'k', name: 'feed', role: 'admin', country: 'GT' }, uuidv7(Date.now()))).rejects.toMatchObject({ status: 404 });
      const r = await call(`ck_1eaacafe_${'B'.repeat(43)}`, 'POST', `/api/v1/models/${uuidv7(Date.now())}/approve`, {});
      expect(r.statusCode).toBe(403);
    });
  });

  describe('8. sweeps, verifications and fetches stay within the administration', () => {
    it('a record of another administration fetched by id answers 404, not 403', async () => {
      for (const url of [`/api/v1/declarations/${ids.svDecl}`, `/api/v1/declarations/${ids.svDecl}/history`, `/api/v1/risk/declarations/${ids.svDecl}`]) {
        const r = await call('gt.sara', 'GET', url);
        expect(r.statusCode, url).toBe(404);
      }
      expect((await call('gt.sara', 'GET', `/api/v1/declarations/${ids.gtDecl}`)).statusCode).toBe(200);
      expect((await call('gt.admin', 'PATCH', `/api/v1/users/${ids['sv.sonia']}`, { displayName: 'x' })).statusCode).toBe(404);
    });

    it('SV users do not read GT transit thresholds', async () => {
      const r = await call('sv.sonia', 'GET', '/api/v1/transit/thresholds/GT');
      expect(r.statusCode).toBe(403);
      expect(r.json().detail).toMatch(/^country: you act for administration SV/);
      expect(r.json().errors).toEqual([expect.objectContaining({ path: 'country', code: 'out_of_reach' })]);
      expect((await call('sv.sonia', 'GET', '/api/v1/transit/thresholds/SV')).statusCode).toBe(200);
    });

    it('the transit sweep and ledger verify of a national supervisor cover its administration only', async () => {
      // both departed two weeks ago and never arrived: long overdue
      const gt = await call('gt.sara', 'POST', '/api/v1/transit/movements', mutate(transitDeclaration('TRGT-F-1'), (t) => (t.departureAt = '2026-06-01T08:00:00Z')));
      expect(gt.statusCode, gt.body).toBe(201);
      const sv = await call('sv.sonia', 'POST', '/api/v1/transit/movements', mutate(svTransit('TRSV-F-1'), (t) => (t.departureAt = '2026-06-01T08:00:00Z')));
      expect(sv.statusCode, sv.body).toBe(201);
      {
        const sweep = await call('gt.sara', 'POST', '/api/v1/transit/sweep');
        expect(sweep.statusCode, sweep.body).toBe(200);
        expect(sweep.json().movements).toBe(1);
        expect(sweep.json().alertsRaised).toBeGreaterThan(0);
        for (const a of sweep.json().alerts) expect(a.countries ?? [a.country]).toContain('GT');
        // the SV transit was not swept by GT: SV's own sweep raises its alerts
        const svAlerts = await call('sv.sonia', 'GET', '/api/v1/transit/alerts?limit=1000');
        expect(svAlerts.json().items.filter((a: any) => a.movementId === sv.json().id)).toEqual([]);
        const svSweep = await call('sv.sonia', 'POST', '/api/v1/transit/sweep');
        expect(svSweep.json().movements).toBe(2); // GT's transit crosses SV: it concerns SV too
        expect(svSweep.json().alerts.some((a: any) => a.movementId === sv.json().id)).toBe(true);

        const verify = await call('gt.sara', 'GET', '/api/v1/transit/verify');
        expect(verify.statusCode, verify.body).toBe(200);
        expect(verify.json().chains).toBe(1);
        expect(verify.json().ok).toBe(true);
        // Centinela itself (the CLI) verifies every chain
        expect((await transit.verify()).chains).toBe(2);
      }
    });

    it('the audit verification reports the edited entries of the caller\'s administration only', async () => {
      const [svRow] = (await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.country, 'SV'))).slice(-1);
      await database.db.execute(sql`ALTER TABLE audit_log DISABLE TRIGGER USER`);
      try {
        await database.db.execute(sql`UPDATE audit_log SET actor = 'mallory' WHERE seq = ${svRow.seq}`);
      } finally {
        await database.db.execute(sql`ALTER TABLE audit_log ENABLE TRIGGER USER`);
      }
      const gt = await call('gt.auditor', 'GET', '/api/v1/audit/verify');
      expect(gt.statusCode, gt.body).toBe(200);
      expect(gt.json()).toMatchObject({ ok: true, problems: [] });
      expect(gt.json().checked).toBe((await database.db.select().from(schema.auditLog)).length); // the whole chain is walked
      // SV's auditors see it; so does the CLI (Centinela itself)
      await access.createUser(CLI('SV'), { username: 'sv.auditor', displayName: 'A', role: 'auditor', country: 'SV', password: PASSWORD });
      tokens['sv.auditor'] = (await access.login('sv.auditor', PASSWORD)).token;
      const sv = await call('sv.auditor', 'GET', '/api/v1/audit/verify');
      expect(sv.json().ok).toBe(false);
      expect(sv.json().problems).toEqual([expect.objectContaining({ seq: svRow.seq, kind: 'edited' })]);
      expect((await verifyAuditChain(database.db)).problems.map((p) => p.seq)).toEqual([svRow.seq]);
    });
  });
});
