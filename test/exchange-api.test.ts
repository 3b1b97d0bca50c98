/** The exchange's routes on one node: link status, sharing rules (validated, versioned, audited), keys (never a private one), dead letters. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import { schema, type Database } from '../src/db/client.ts';
import { openTestPglite } from '../src/db/testing.ts';
import { AccessService } from '../src/modules/access/service.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import { generateKeyPair } from '../src/modules/exchange/crypto.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { buildApp, type BuiltApp } from '../src/server/app.ts';

const NOW = '2026-06-15T12:00:00.000Z';
const PASSWORD = 'exchange-api-password-1';

describe('exchange API on a node serving GT', () => {
  let database: Database;
  let built: BuiltApp;
  const headers: Record<string, Record<string, string>> = {};
  beforeAll(async () => {
    database = await openTestPglite();
    const clock = new FixedClock(NOW);
    const deps = { database, db: database.db, ref: getReferenceData(), clock, config: { ...loadConfig({ CENTINELA_ADMINISTRATIONS: 'GT' }), randomControlRate: 0 } };
    built = await buildApp(deps);
    const access = new AccessService(deps);
    for (const role of ['admin', 'officer', 'auditor'] as const) {
      const u = await access.createUser(SYSTEM_PRINCIPAL('GT', 'test'), { username: `gt.${role}`, displayName: role, role, country: 'GT', password: PASSWORD });
      headers[role] = { authorization: `Bearer ${(await access.login(u.username, PASSWORD)).token}` };
    }
  }, 120_000);
  afterAll(async () => {
    await built?.app.close();
    await database?.close();
  });
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, who: string, payload?: unknown) => built.app.inject({ method, url, headers: headers[who], ...(payload !== undefined ? { payload: payload as object } : {}) });

  it('the link status answers every national role; the exchange started with the server', async () => {
    const r = await call('GET', '/api/v1/exchange/status', 'officer');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ transport: 'memory', local: ['GT'], queued: 0, deadLetters: 0 });
    expect((await call('GET', '/api/v1/exchange/dead-letters', 'officer')).statusCode).toBe(403);
  });

  it('sharing rules: a bad path is a 400 naming it; a save is a new version, audited; only an admin writes', async () => {
    const bad = await call('PUT', '/api/v1/exchange/sharing-rules', 'admin', { rules: [{ kind: 'seizure.reported', partners: ['SV'], redact: ['officer..name'] }] });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().errors)).toContain('redact');
    const other = await call('PUT', '/api/v1/exchange/sharing-rules?administration=SV', 'admin', { rules: [] });
    expect(other.statusCode).toBe(403);
    expect((await call('PUT', '/api/v1/exchange/sharing-rules', 'auditor', { rules: [] })).statusCode).toBe(403);
    const ok = await call('PUT', '/api/v1/exchange/sharing-rules', 'admin', { rules: [{ kind: 'seizure.reported', partners: ['SV', 'HN'], redact: ['officer'] }], note: 'officers stay home' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ administration: 'GT', version: 1, note: 'officers stay home', createdBy: 'gt.admin' });
    const history = await call('GET', '/api/v1/exchange/sharing-rules/history', 'auditor');
    expect(history.json().items.map((x: { version: number }) => x.version)).toEqual([1]);
    const audit = await database.db.select().from(schema.auditLog);
    expect(audit.some((a) => a.action === 'exchange.rules.save' && a.entityId === 'GT:1' && a.actor === 'gt.admin')).toBe(true);
  });

  it('keys: the export carries public keys only; a partner bundle is imported (audited); a bundle whose key id lies is refused', async () => {
    const exp = await call('GET', '/api/v1/exchange/keys/export', 'admin');
    expect(exp.statusCode, exp.body).toBe(200);
    expect(exp.json().keys).toHaveLength(1);
    expect(exp.body).not.toMatch(/PRIVATE|privateKey/);
    const sv = generateKeyPair('SV');
    const bundle = { format: 'centinela.exchange.keys/1', administration: 'SV', exportedAt: NOW, keys: [{ keyId: sv.keyId, algorithm: 'Ed25519', publicKey: sv.publicKey, createdAt: NOW, retiredAt: null, revokedAt: null }] };
    const lie = await call('POST', '/api/v1/exchange/keys/import', 'admin', { ...bundle, keys: [{ ...bundle.keys[0], keyId: 'SV-forged' }] });
    expect(lie.statusCode).toBe(400);
    expect(lie.json().errors[0].path).toBe('keys.0.keyId');
    const imp = await call('POST', '/api/v1/exchange/keys/import', 'admin', bundle);
    expect(imp.statusCode, imp.body).toBe(200);
    expect(imp.json().added).toEqual([sv.keyId]);
    const keys = await call('GET', '/api/v1/exchange/keys', 'auditor');
    expect(keys.json().items.map((k: { keyId: string }) => k.keyId)).toContain(sv.keyId);
    const rev = await call('POST', `/api/v1/exchange/keys/${sv.keyId}/revoke`, 'admin', { reason: 'compromised laptop' });
    expect(rev.statusCode, rev.body).toBe(200);
    const partners = await call('GET', '/api/v1/exchange/partners', 'admin');
    expect(partners.json().items.find((p: { sender: string }) => p.sender === 'SV').keys).toBe(0);
    const audit = await database.db.select().from(schema.auditLog);
    expect(audit.filter((a) => a.action.startsWith('exchange.keys.')).map((a) => a.action).sort()).toEqual(['exchange.keys.import', 'exchange.keys.revoke']);
  });

  it('dead letters: listed with the reason, re-examined, discarded with a reason', async () => {
    const out = await built.exchange.examine('GT', '{"not": "an envelope"}');
    expect(out.outcome).toBe('dead');
    const list = await call('GET', '/api/v1/exchange/dead-letters', 'auditor');
    expect(list.json().items[0]).toMatchObject({ code: 'malformed', status: 'open', recipient: 'GT' });
    const id = list.json().items[0].id;
    const again = await call('POST', `/api/v1/exchange/dead-letters/${id}/reexamine`, 'admin');
    expect(again.json()).toMatchObject({ outcome: 'dead', code: 'malformed', deadLetter: { examinations: 2, status: 'open' } });
    expect((await call('POST', `/api/v1/exchange/dead-letters/${id}/discard`, 'admin', {})).statusCode).toBe(400);
    const gone = await call('POST', `/api/v1/exchange/dead-letters/${id}/discard`, 'admin', { reason: 'test garbage' });
    expect(gone.json()).toMatchObject({ status: 'discarded', resolvedBy: 'gt.admin' });
  });
});
