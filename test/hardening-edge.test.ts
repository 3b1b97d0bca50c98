/**
 * Issue 9, at the edge: settings parsed with bounds and versioned (finding 5), text PostgreSQL
 * cannot store refused naming the field and no SQL in any answer (6), body and header time limits
 * and sign-in throttling in the database (7), body limits before parsing and security headers (9).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import { queryRows, sql, type Database } from '../src/db/client.ts';
import { openTestDb, describeEachDb } from '../src/db/testing.ts';
import { AccessService } from '../src/modules/access/service.ts';
import { sourceOf } from '../src/modules/access/throttle.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import { runImport } from '../src/modules/declarations/import.ts';
import { IntakeService } from '../src/flows/intake.ts';
import { parseJsonLines } from '../src/modules/transit/routes.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { buildApp } from '../src/server/app.ts';
import type { App, AppDeps } from '../src/server/deps.ts';
import { registerEdge, type EdgeLimits } from '../src/server/edge.ts';
import { problemErrorHandler } from '../src/server/errors.ts';
import { registerWeb } from '../src/server/web.ts';
import { NOW, validDeclaration } from './fixtures.ts';

const PASSWORD = 'correct horse battery';
/** short limits, so that the time-limit tests run in seconds */
const LIMITS: EdgeLimits = { headersTimeoutMs: 600, requestTimeoutMs: 5000, smallBodyTimeoutMs: 500, idleTimeoutMs: 0, checkIntervalMs: 100 };
const SQL_WORDS = /\b(insert into|select .* from|update .* set|values \(|\$1)\b/i;

describeEachDb('the edge on %s', (kind) => {
  let database: Database;
  let deps: AppDeps;
  let app: App;
  let key: string;
  const clock = new FixedClock(NOW);
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
  const login = (username: string, password: string, remoteAddress = '127.0.0.1', on: App = app) =>
    on.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress });

  beforeAll(async () => {
    database = await openTestDb(kind);
    deps = { database, db: database.db, ref: getReferenceData(), clock, config: { ...loadConfig({}), randomControlRate: 0.05 } };
    app = (await buildApp(deps, { limits: LIMITS })).app;
    const access = new AccessService(deps);
    const cli = SYSTEM_PRINCIPAL('GT', 'test');
    key = (await access.createApiKey(cli, { name: 'SIGA test', role: 'system', country: 'GT' })).key;
    for (const [username, role, country] of [
      ['gt.admin', 'admin', 'GT'],
      ['gt.sup', 'supervisor', 'GT'],
      ['gt.analyst', 'risk_analyst', 'GT'],
      ['gt.target', 'officer', 'GT'],
      ['sv.admin', 'admin', 'SV'],
    ] as const) {
      await access.createUser(SYSTEM_PRINCIPAL(country, 'test'), { username, displayName: username, role, country, password: PASSWORD });
      if (username !== 'gt.target') tokens[username] = (await access.login(username, PASSWORD)).token;
    }
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  const declare = (payload: unknown) => app.inject({ method: 'POST', url: '/api/v1/declarations', headers: { 'x-api-key': key }, payload: payload as object });
  const fields = (r: { json: () => any }) => (r.json().errors ?? []).map((e: { path: string }) => e.path);

  // ---------------------------------------------------------------- finding 5: settings
  describe('risk settings parsed at the edge, versioned, revertible', () => {
    const put = (body: unknown, who = 'gt.sup') => app.inject({ method: 'PUT', url: '/api/v1/risk/config', headers: as(who), payload: body as object });
    const get = () => app.inject({ method: 'GET', url: '/api/v1/risk/config', headers: as('gt.sup') });

    it.each([
      ['a text model weight', { modelWeight: 'x' }, 'modelWeight'],
      ['text thresholds', { thresholds: { high: '10' } }, 'thresholds.high'],
      ['a negative random rate', { randomRate: { default: -5 } }, 'randomRate.default'],
      ['a random rate as a percentage', { randomRate: { offices: { GTPRQ: 5 } } }, 'randomRate.offices.GTPRQ'],
      ['an unknown key', { modelWieght: 10 }, 'modelWieght'],
      ['an unknown nested key', { thresholds: { critical: 90 } }, 'thresholds.critical'],
      ['thresholds out of order', { thresholds: { medium: 70, high: 60 } }, 'thresholds.medium'],
      ['an office that is not a code', { capacity: { offices: { 'puerto quetzal': { red: 0.1, yellow: 0.2, minPerDay: 1 } } } }, 'capacity.offices.puerto quetzal'],
      ['no reason', { modelWeight: 10 }, 'reason'],
    ])('refuses %s with a 400 naming the field; nothing stored', async (_name, body, field) => {
      const before = (await get()).json();
      const r = await put({ reason: 'tuning the model weight', ...body, ...(field === 'reason' ? { reason: undefined } : {}) });
      expect(r.statusCode).toBe(400);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
      expect(fields(r)).toContain(field);
      expect((await get()).json()).toEqual(before);
      expect((await declare(validDeclaration(`GT-CFG-${Math.random().toString(36).slice(2, 8)}`))).statusCode).toBe(201);
    });

    it('PUT replaces the whole document (a key left out is removed), every change is a version, revert puts one back', async () => {
      const a = await put({ randomRate: { offices: { GTPRQ: 0.5 } }, modelWeight: 25, reason: 'more random control at the port' });
      expect(a.statusCode).toBe(200);
      expect(a.json().randomRate.offices).toEqual({ GTPRQ: 0.5 });
      expect(a.json().modelWeight).toBe(25);
      const b = await put({ thresholds: { medium: 35 }, reason: 'fewer yellows this month' });
      expect(b.statusCode).toBe(200);
      expect(b.json().randomRate.offices).toEqual({}); // the office override is gone
      expect(b.json().modelWeight).toBe(40); // back to its default
      expect(b.json().thresholds.medium).toBe(35);
      const versions = await app.inject({ method: 'GET', url: '/api/v1/risk/config/versions', headers: as('gt.admin') });
      expect(versions.statusCode).toBe(200);
      const items = versions.json().items as { version: number; actor: string; reason: string; settings: any }[];
      const mine = items.filter((v) => v.reason === 'more random control at the port' || v.reason === 'fewer yellows this month');
      expect(mine.map((v) => v.actor)).toEqual(['gt.sup', 'gt.sup']);
      const first = mine.find((v) => v.reason === 'more random control at the port')!;
      expect(first.settings).toEqual({ randomRate: { offices: { GTPRQ: 0.5 } }, modelWeight: 25 });

      const back = await app.inject({ method: 'POST', url: '/api/v1/risk/config/revert', headers: as('gt.admin'), payload: { version: first.version, reason: 'the port asked for it again' } });
      expect(back.statusCode).toBe(200);
      expect(back.json().randomRate.offices).toEqual({ GTPRQ: 0.5 });
      expect(back.json().thresholds.medium).toBe(30);
      const after = (await app.inject({ method: 'GET', url: '/api/v1/risk/config/versions', headers: as('gt.admin') })).json().items;
      expect(after[0]).toMatchObject({ version: items[0].version + 1, revertedFrom: first.version, actor: 'gt.admin', reason: 'the port asked for it again' });
      const audit = await queryRows<{ action: string; before: any; after: any }>(database.db, sql`select action, before, after from audit_log where entity_type = 'risk_config' order by seq`);
      expect(audit.map((x) => x.action).slice(-3)).toEqual(['risk.config_changed', 'risk.config_changed', 'risk.config_reverted']);
      expect(audit[audit.length - 1].before.thresholds.medium).toBe(35);
      expect(audit[audit.length - 1].after).toMatchObject({ revertedFrom: first.version, reason: 'the port asked for it again' });

      const none = await app.inject({ method: 'POST', url: '/api/v1/risk/config/revert', headers: as('gt.admin'), payload: { version: 999, reason: 'no such version' } });
      expect(none.statusCode).toBe(400);
      expect(fields(none)).toEqual(['version']);
      // an officer or analyst may not change settings
      expect((await put({ modelWeight: 10, reason: 'trying my luck' }, 'gt.analyst')).statusCode).toBe(403);
      await put({ reason: 'back to the defaults for the next tests' });
    });

    it('a document stored before the checks (bad types) no longer fails intake: its bad parts take their defaults', async () => {
      await database.db.execute(sql`insert into settings (key, value, updated_at) values ('risk.config.GT', ${JSON.stringify({ modelWeight: 'x', thresholds: { medium: 'a', high: 'b' }, randomRate: { default: -5 } })}::jsonb, now())
        on conflict (key) do update set value = excluded.value`);
      const r = await declare(validDeclaration('GT-CFG-LEGACY'));
      expect(r.statusCode).toBe(201);
      expect(r.json().assessment.riskLevel).toBe('low');
      const c = (await get()).json();
      expect(c.modelWeight).toBe(40);
      expect(c.thresholds).toEqual({ medium: 30, high: 60, blue: 15 });
      expect(c.randomRate.default).toBe(0.05);
      expect((await put({ reason: 'clean the legacy document' })).statusCode).toBe(200);
    });

    it('exploration settings refuse unknown keys by name', async () => {
      const r = await app.inject({ method: 'PUT', url: '/api/v1/models/exploration', headers: as('gt.analyst'), payload: { rate: 0.01, mode: 'random', rat: 0.5 } });
      expect(r.statusCode).toBe(400);
      expect(fields(r)).toContain('rat');
    });
  });

  // ---------------------------------------------------------------- finding 6: text and SQL
  describe('text PostgreSQL cannot store is refused naming the field; no SQL in any answer', () => {
    it.each([
      ['U+0000 in a name', (d: any) => (d.importer.name = 'Importadora\u0000 Maya'), 'importer.name', 'control_character'],
      ['U+0001 in a description', (d: any) => (d.items[1].description = 'cases\u0001'), 'items[1].description', 'control_character'],
      ['half a surrogate pair', (d: any) => (d.items[0].description = 'phones \ud83d'), 'items[0].description', 'invalid_unicode'],
      ['U+0000 in a field name', (d: any) => (d.transport['mo\u0000de'] = 1), 'transport.mo\ufffdde', 'invalid_field_name'],
    ])('a declaration with %s: 400 naming it, nothing stored', async (_n, change, field, code) => {
      const d = validDeclaration('GT-NUL-1');
      change(d);
      const r = await declare(d);
      expect(r.statusCode).toBe(400);
      expect(r.json().errors).toContainEqual(expect.objectContaining({ path: field, code }));
      const rows = await queryRows(database.db, sql`select 1 from declarations where reference = 'GT-NUL-1'`);
      expect(rows.length).toBe(0);
    });

    it('tab, line feed and carriage return are text like any other', async () => {
      const d = validDeclaration('GT-TAB-1');
      d.items[0].description = 'Smartphones\tmodel X\r\nand chargers';
      expect((await declare(d)).statusCode).toBe(201);
    });

    it('the unauthenticated sign-in with "gt.admin\\u0000": 400 naming username (not 500)', async () => {
      const r = await login('gt.admin\u0000', PASSWORD);
      expect(r.statusCode).toBe(400);
      expect(fields(r)).toEqual(['username']);
    });

    it('criteria, users, API keys and settings: 400 naming the field', async () => {
      const crit = await app.inject({ method: 'POST', url: '/api/v1/risk/criteria', headers: as('gt.analyst'), payload: { name: 'Phones\u0000', reason: 'undervalued phones', expression: 'true' } });
      expect(crit.statusCode).toBe(400);
      expect(fields(crit)).toEqual(['name']);
      const user = await app.inject({ method: 'POST', url: '/api/v1/users', headers: as('gt.admin'), payload: { username: 'gt.new', displayName: 'Ana\u0000', role: 'officer', country: 'GT', password: PASSWORD } });
      expect(user.statusCode).toBe(400);
      expect(fields(user)).toEqual(['displayName']);
      const apiKey = await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: as('gt.admin'), payload: { name: 'SIGA\u0000', role: 'system', country: 'GT' } });
      expect(apiKey.statusCode).toBe(400);
      expect(fields(apiKey)).toEqual(['name']);
      const cfg = await app.inject({ method: 'PUT', url: '/api/v1/risk/config', headers: as('gt.sup'), payload: { reason: 'why\u0000', randomRate: { offices: { 'GT\u0000PRQ': 0.1 } } } });
      expect(cfg.statusCode).toBe(400);
      expect(fields(cfg)).toEqual(expect.arrayContaining(['reason', 'randomRate.offices.GT\ufffdPRQ']));
    });

    it('list filters in the query string and path parameters: 400 naming the parameter', async () => {
      for (const [url, field] of [
        ['/api/v1/declarations?trader=%00', 'querystring.trader'],
        ['/api/v1/declarations?reference=GT%01X', 'querystring.reference'],
        ['/api/v1/transit/arrivals/GT/MAN%00X/reconciliation', 'params.manifest'],
        ['/api/v1/risk/criteria?status=%00', 'querystring.status'],
      ]) {
        const r = await app.inject({ method: 'GET', url, headers: as('gt.admin') });
        expect(r.statusCode, url).toBe(400);
        expect(fields(r), url).toContain(field);
      }
    });

    it('a malformed cursor: 400 naming cursor', async () => {
      for (const cursor of ['garbage', Buffer.from('2026-06-01T00:00:00.000Z|not-a-uuid').toString('base64url'), Buffer.from('x|y').toString('base64url'), Buffer.from('2026-06-01T00:00:00.000Z|0190f5c4-7d1a-7000-8000-000000000000\u0000').toString('base64url')]) {
        const r = await app.inject({ method: 'GET', url: `/api/v1/declarations?cursor=${cursor}`, headers: as('gt.admin') });
        expect(r.statusCode, cursor).toBe(400);
        expect(fields(r)).toEqual(['cursor']);
      }
    });

    it('the bulk import (API) rejects the bad record naming the field; the others go through; no SQL in the report', async () => {
      const lines = [validDeclaration('GT-IMP-OK-1'), { ...validDeclaration('GT-IMP-NUL'), declarant: { tin: 'BRK-100200', name: 'Agencia\u0000', country: 'GT' } }, validDeclaration('GT-IMP-OK-2')].map((d) => JSON.stringify(d)).join('\n');
      const r = await app.inject({ method: 'POST', url: '/api/v1/declarations/import', headers: { 'x-api-key': key, 'content-type': 'application/x-ndjson' }, payload: lines });
      expect(r.statusCode).toBe(200);
      const rep = r.json();
      expect(rep).toMatchObject({ records: 3, created: 2, rejected: 1 });
      expect(rep.rejections[0]).toMatchObject({ record: 2, reference: 'GT-IMP-NUL' });
      expect(rep.rejections[0].errors).toContainEqual(expect.objectContaining({ path: 'declarant.name', code: 'control_character' }));
      expect(r.body).not.toMatch(SQL_WORDS);
    });

    it('the CSV import (the CLI reads files the same way) names the cell at fault', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-edge-'));
      const file = path.join(dir, 'd.csv');
      const d = validDeclaration('GT-CSV-1');
      const head = 'reference,country,type,procedure,office,lodgedAt,declarant.tin,declarant.name,declarant.country,importer.tin,importer.name,importer.country,countryOfDispatch,transport.mode,transport.conveyance,transport.nationality,transport.containers,items.line,items.hsCode,items.description,items.origin,items.quantity,items.unit,items.netMassKg,items.grossMassKg,items.customsValue,items.currency,items.dutyRate';
      const row = (ref: string, desc: string) =>
        [ref, 'GT', 'IM', '4000', 'GTPRQ', d.lodgedAt, 'BRK-100200', 'Agencia', 'GT', '4455667-8', 'Importadora Maya', 'GT', 'CN', '1', 'MSC ANNA', 'PA', d.transport.containers[0], '1', '85171300', desc, 'CN', '500', 'H87', '150', '180', '62500', 'USD', '0'].join(',');
      fs.writeFileSync(file, [head, row('GT-CSV-1', 'Phones'), row('GT-CSV-2', 'Pho\u0000nes'), row('GT-CSV-3', 'Phones')].join('\n') + '\n');
      const rep = await runImport({ db: database.db, clock, intake: new IntakeService(deps) }, { kind: 'declarations', format: 'csv', source: { path: file }, actor: SYSTEM_PRINCIPAL('GT', 'cli-import') });
      expect(rep).toMatchObject({ records: 3, created: 2, rejected: 1 });
      expect(rep.rejections[0].errors).toContainEqual(expect.objectContaining({ path: 'items[0].description', code: 'control_character' }));
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('a record the database refuses is reported with an incident id, never the SQL or its parameters', async () => {
      const leaky = 'insert into "declarations" ("id", "reference") values ($1, $2) -- params: GT-SECRET, 0190f5c4';
      const incidents: string[] = [];
      const fake = {
        submitDeclarations: async (raws: unknown[]) => ({ outcomes: [], rejections: raws.map((_, index) => ({ index, reference: 'GT-X', errors: [{ path: '', code: 'storage_error', message: `could not be stored, nothing was written: ${leaky}` }] })) }),
      } as unknown as IntakeService;
      const rep = await runImport(
        { db: database.db, clock, intake: fake },
        { kind: 'declarations', format: 'jsonl', source: { text: JSON.stringify(validDeclaration('GT-X')), name: 'test' }, actor: SYSTEM_PRINCIPAL('GT', 'test'), onInternalError: (id, detail) => incidents.push(`${id} ${detail}`) },
      );
      expect(rep.rejected).toBe(1);
      const text = JSON.stringify(rep);
      expect(text).not.toMatch(SQL_WORDS);
      expect(text).not.toContain('GT-SECRET');
      expect(rep.rejections[0].errors[0].message).toMatch(/incident [0-9a-f-]{36}/);
      expect(incidents[0]).toContain('GT-SECRET'); // the details went to the log
    });
  });

  // ---------------------------------------------------------------- finding 7: throttling in the database
  describe('sign-in throttling per (username, source) and per source, in the database', () => {
    it('five failures lock the username from that source only; the real user elsewhere signs in; it survives a restart; an admin lifts it', async () => {
      const A = '203.0.113.7';
      const B = '198.51.100.20';
      for (let i = 0; i < 5; i++) expect((await login('gt.target', `wrong ${i}`, A)).statusCode).toBe(401);
      const locked = await login('gt.target', PASSWORD, A);
      expect(locked.statusCode).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      expect(locked.json().detail).toMatch(/try again in 15 minute/);
      // the owner of the account, from another address, is not locked out
      expect((await login('gt.target', PASSWORD, B)).statusCode).toBe(200);
      // a second server process on the same database (or this one restarted) sees the lock
      const other = (await buildApp(deps, { limits: LIMITS })).app;
      try {
        expect((await login('gt.target', PASSWORD, A, other)).statusCode).toBe(429);
      } finally {
        await other.close();
      }
      const locks = await queryRows<{ after: any }>(database.db, sql`select after from audit_log where action = 'auth.login_locked'`);
      expect(locks.filter((l) => l.after.username === 'gt.target').length).toBe(1);
      // an admin of another administration does not see the user; GT's admin lifts the lock
      expect((await app.inject({ method: 'DELETE', url: '/api/v1/auth/locks/gt.target', headers: as('sv.admin') })).statusCode).toBe(404);
      const lift = await app.inject({ method: 'DELETE', url: '/api/v1/auth/locks/gt.target', headers: as('gt.admin') });
      expect(lift.statusCode).toBe(200);
      expect(lift.json().lifted).toBeGreaterThanOrEqual(1);
      expect((await login('gt.target', PASSWORD, A)).statusCode).toBe(200);
    });

    it('a lock opens by itself after 15 minutes', async () => {
      const C = '192.0.2.44';
      const start = clock.now().getTime();
      try {
        for (let i = 0; i < 5; i++) await login('gt.target', `wrong ${i}`, C);
        expect((await login('gt.target', PASSWORD, C)).statusCode).toBe(429);
        clock.set(start + 15 * 60_000 + 1000);
        expect((await login('gt.target', PASSWORD, C)).statusCode).toBe(200);
      } finally {
        clock.set(start);
      }
    });

    it('one source trying many usernames is locked as a whole; a flood of new names evicts no lock', async () => {
      const D = '2001:db8:1:2:aaaa::1';
      const E = '198.51.100.99';
      for (let i = 0; i < 5; i++) await login('gt.target', `wrong ${i}`, E); // a pair lock, to survive the flood
      for (let i = 0; i < 30; i++) expect((await login(`nobody.${i}`, 'wrong', D)).statusCode).toBe(401);
      const r = await login('gt.admin', PASSWORD, D);
      expect(r.statusCode).toBe(429);
      expect(r.json().detail).toMatch(/from your address/);
      // another address of the same /64 network is the same source
      expect((await login('gt.admin', PASSWORD, '2001:db8:1:2:bbbb::9')).statusCode).toBe(429);
      // elsewhere, the same account signs in; the earlier pair lock is still there
      expect((await login('gt.admin', PASSWORD, '198.51.100.1')).statusCode).toBe(200);
      expect((await login('gt.target', PASSWORD, E)).statusCode).toBe(429);
      const rows = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from login_throttle where kind = 'source' and locked_until is not null`);
      expect(rows[0].n).toBeGreaterThanOrEqual(1);
    });

    it('sources: IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by /64', () => {
      expect(sourceOf('10.1.2.3')).toBe('10.1.2.3');
      expect(sourceOf('::ffff:10.1.2.3')).toBe('10.1.2.3');
      expect(sourceOf('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
      expect(sourceOf('2001:0db8:0000:0001:ffff::1')).toBe('2001:db8:0:1::/64');
      expect(sourceOf(undefined)).toBe('local');
    });
  });

  // ---------------------------------------------------------------- finding 9: sizes and headers
  describe('body limits per route, refused before parsing; security headers', () => {
    it('a 15 MB body to the sign-in is refused (413), and so is 5 KB; a normal sign-in goes through', async () => {
      const big = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ username: 'gt.admin', password: 'x'.repeat(15 * 1024 * 1024) }) });
      expect(big.statusCode).toBe(413);
      expect(big.headers['content-type']).toMatch(/problem\+json/);
      const five = await login('gt.admin', 'x'.repeat(5 * 1024));
      expect(five.statusCode).toBe(413);
      expect(five.json().detail).toMatch(/at most 4096 bytes/);
      // settings take small bodies too; declarations larger ones
      const cfg = await app.inject({ method: 'PUT', url: '/api/v1/risk/config', headers: as('gt.sup'), payload: { reason: 'x'.repeat(100 * 1024) } });
      expect(cfg.statusCode).toBe(413);
      // a declaration of 40 items is well above the sign-in's 4 KB and goes through
      const d = validDeclaration('GT-BIG-1');
      d.items = Array.from({ length: 40 }, (_, i) => ({ ...d.items[i % 2], line: i + 1 }));
      expect(JSON.stringify(d).length).toBeGreaterThan(6 * 1024);
      expect((await declare(d)).statusCode).toBe(201);
    });

    it('security headers on every answer; no-store on the API; CSP on /api/docs', async () => {
      for (const [url, headers] of [['/api/v1/health', {}], ['/api/v1/declarations', {}], ['/api/v1/declarations', as('gt.admin')], ['/api/v1/nothing-here', {}]] as const) {
        const r = await app.inject({ method: 'GET', url, headers });
        expect(r.headers['x-content-type-options'], url).toBe('nosniff');
        expect(r.headers['cache-control'], url).toBe('no-store');
        expect(r.headers['referrer-policy'], url).toBe('no-referrer');
        expect(r.headers['x-frame-options'], url).toBe('DENY');
      }
      const docs = await app.inject({ method: 'GET', url: '/api/docs/' });
      const html = docs.statusCode === 302 ? await app.inject({ method: 'GET', url: docs.headers.location as string }) : docs;
      expect(html.statusCode).toBe(200);
      const csp = String(html.headers['content-security-policy']);
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).toMatch(/object-src 'none'/);
      // swagger-ui's page loads its scripts from files: none inline for the CSP to block
      expect(html.body).not.toMatch(/<script>(?!\s*<\/script>)/);
      const js = await app.inject({ method: 'GET', url: '/api/docs/static/swagger-initializer.js' });
      expect(js.statusCode).toBe(200);
      expect(js.headers['cache-control']).not.toBe('no-store');
    });
  });

  // ---------------------------------------------------------------- finding 7 and 9 on a real socket
  describe('on a real socket', () => {
    let port: number;
    let served: App;
    beforeAll(async () => {
      served = (await buildApp(deps, { limits: LIMITS })).app;
      await served.listen({ port: 0, host: '127.0.0.1' });
      port = (served.server.address() as net.AddressInfo).port;
    });
    afterAll(async () => {
      await served?.close();
    });

    /** Opens a socket, writes `head`, then one byte of `drip` every `everyMs`; resolves how long it stayed open and what it received. */
    const trickle = (head: string, drip: string, everyMs: number) =>
      new Promise<{ ms: number; received: string }>((resolve) => {
        const t0 = Date.now();
        let received = '';
        let i = 0;
        const s = net.connect(port, '127.0.0.1', () => s.write(head));
        const timer = setInterval(() => {
          if (i < drip.length && !s.destroyed) s.write(drip[i++]);
        }, everyMs);
        s.on('data', (c) => (received += c.toString()));
        s.on('error', () => {});
        s.on('close', () => {
          clearInterval(timer);
          resolve({ ms: Date.now() - t0, received });
        });
      });

    it('bodies trickled to the sign-in are cut off within the body limit (five connections at once)', async () => {
      const body = JSON.stringify({ username: 'gt.admin', password: 'p'.repeat(200) });
      const head = `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
      // one byte every 100 ms would take more than 20 s to finish
      const runs = await Promise.all(Array.from({ length: 5 }, () => trickle(head, body, 100)));
      for (const r of runs) expect(r.ms).toBeLessThan(LIMITS.smallBodyTimeoutMs + 2500);
      // the server still answers
      const ok = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
      expect(ok.status).toBe(200);
    }, 20_000);

    it('headers trickled are cut off within the headers limit', async () => {
      const runs = await Promise.all(Array.from({ length: 3 }, () => trickle('GET /api/v1/health HTTP/1.1\r\n', 'X-Slow: ' + 'a'.repeat(200), 100)));
      for (const r of runs) expect(r.ms).toBeLessThan(LIMITS.headersTimeoutMs + 2500);
    }, 20_000);

    it('a 15 MB Content-Length to the sign-in is answered 413 before the body is sent', async () => {
      const r = await new Promise<{ ms: number; received: string }>((resolve) => {
        const t0 = Date.now();
        let received = '';
        const s = net.connect(port, '127.0.0.1', () => s.write(`POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${15 * 1024 * 1024}\r\n\r\n{"username":`));
        s.on('data', (c) => {
          received += c.toString();
          if (received.includes('\r\n\r\n')) s.destroy();
        });
        s.on('error', () => {});
        s.on('close', () => resolve({ ms: Date.now() - t0, received }));
      });
      expect(r.received).toMatch(/^HTTP\/1\.1 413/);
      expect(r.ms).toBeLessThan(LIMITS.smallBodyTimeoutMs);
    });
  });
});

describe('the transit events import', () => {
  it('rejects the line holding text the database cannot store, naming the field; the others go through', () => {
    const { records, bad } = parseJsonLines(['{"tag":"E280\\u0000","kind":"rfid"}', '{"tag":"E2801160","kind":"rfid"}'].join('\n'));
    expect(records.map((r) => r.line)).toEqual([2]);
    expect(bad).toEqual([{ index: -1, line: 1, errors: [expect.objectContaining({ path: 'tag', code: 'control_character' })] }]);
  });
});

describe('the error handler', () => {
  it('a 500 carries an incident id and a generic detail: never SQL, parameters, a message or a stack', async () => {
    const logged: any[] = [];
    const app = Fastify({ loggerInstance: { level: 'error', error: (o: any) => logged.push(o), warn: () => {}, info: () => {}, debug: () => {}, trace: () => {}, fatal: () => {}, child() { return this; } } as any }).withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    app.setErrorHandler(problemErrorHandler);
    app.get('/boom', async () => {
      const e = new Error('insert into "users" ("id", "username") values ($1, $2) params: 0190f5c4, gt.secret');
      throw e;
    });
    const r = await app.inject({ method: 'GET', url: '/boom' });
    expect(r.statusCode).toBe(500);
    const p = r.json();
    expect(p.incident).toMatch(/^[0-9a-f-]{36}$/);
    expect(p.detail).toContain(p.incident);
    expect(r.body).not.toMatch(SQL_WORDS);
    expect(r.body).not.toContain('gt.secret');
    expect(r.body).not.toMatch(/at .*\.ts:\d+/);
    expect(JSON.stringify(logged)).toContain(p.incident);
    await app.close();
  });
});

describe('the web application', () => {
  it('index.html has its CSP and is revalidated; hashed assets are long-cached, never no-store', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-web-'));
    fs.mkdirSync(path.join(root, 'assets'));
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>x</title>');
    fs.writeFileSync(path.join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    const app = Fastify();
    registerEdge(app, LIMITS);
    await registerWeb(app, { root });
    const index = await app.inject({ method: 'GET', url: '/declarations' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(index.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['cache-control']).toBe('no-cache');
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toMatch(/max-age=31536000.*immutable/);
    expect(asset.headers['x-content-type-options']).toBe('nosniff');
    await app.close();
    fs.rmSync(root, { recursive: true, force: true });
  });
});
