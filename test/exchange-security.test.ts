/**
 * What the inbox refuses — each refused message is dead-lettered with the reason, never applied —
 * and key management: rotation, revocation, an unknown key fixed by importing it and re-examining.
 * On the in-process transport always, on NATS JetStream when CENTINELA_TEST_NATS_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.ts';
import { uuidv7 } from '../src/core/ids.ts';
import { generateKeyPair, privateKeyObject } from '../src/modules/exchange/crypto.ts';
import { signEnvelope } from '../src/modules/exchange/envelope.ts';
import type { Envelope, InboundHandler } from '../src/modules/exchange/contract.ts';
import { regionTransports, startRegion, type Region, type RegionNode } from './exchange-harness.ts';

const payload = z.object({ ref: z.string(), n: z.number().int() });
type P = z.infer<typeof payload>;
const recorder: InboundHandler<P> = {
  kind: 'seizure.reported',
  schemaVersion: 1,
  payload,
  async apply(tx, env, recipient) {
    await tx.execute(sql`insert into test_applied (message_id, recipient, ref) values (${env.id}, ${recipient}, ${env.payload.ref})`);
  },
};

async function prepare(n: RegionNode) {
  await n.db.execute(sql`create table test_applied (message_id uuid, recipient text, ref text)`);
  n.exchange.replaceHandler(recorder);
}
const refs = async (n: RegionNode) => (await queryRows<{ ref: string }>(n.db, sql`select ref from test_applied order by ref`)).map((r) => r.ref);
const send = (n: RegionNode, sender: string, to: string[], p: P) => n.db.transaction((tx) => n.exchange.enqueue(tx, { sender, recipients: to, kind: 'seizure.reported', payload: p }));

/** An envelope from GT to SV, signed with `key` (GT's own unless said otherwise). */
async function envelope(region: Region, over: Partial<Envelope> = {}, key?: { keyId: string; key: ReturnType<typeof privateKeyObject> }): Promise<Envelope> {
  const k = key ?? (await region.node('gt').exchange.keys.signingKey('GT'));
  const { signature: _s, ...base } = { id: uuidv7(), sender: 'GT', recipients: ['SV'], kind: 'seizure.reported' as const, schemaVersion: 1, sentAt: new Date().toISOString(), subject: null, payload: { ref: 'X', n: 1 }, keyId: k.keyId, signature: '', ...over };
  return signEnvelope(base, k.key);
}

async function deadLetterOf(n: RegionNode, id: string) {
  const all = await n.exchange.deadLetters({ recipients: n.administrations });
  return all.filter((d) => d.messageId === id);
}

describe.each(regionTransports())('exchange refusals and keys over %s', (transport) => {
  let region: Region;
  let gt: RegionNode, sv: RegionNode, hn: RegionNode;
  beforeAll(async () => {
    region = await startRegion({ transport, nodes: [{ name: 'gt', administrations: ['GT'] }, { name: 'sv', administrations: ['SV'] }, { name: 'hn', administrations: ['HN'] }], beforeStart: prepare });
    [gt, sv, hn] = ['gt', 'sv', 'hn'].map((x) => region.node(x));
  }, 180_000);
  afterAll(() => region?.close());

  it('a forged signature (payload changed after signing) is refused', async () => {
    const e = await envelope(region, { payload: { ref: 'FORGED-ORIG', n: 1 } });
    await region.inject('SV', JSON.stringify({ ...e, payload: { ref: 'FORGED', n: 1 } }));
    await region.settle();
    const [dl] = await deadLetterOf(sv, e.id);
    expect(dl.code).toBe('bad_signature');
    expect(dl.reason).toContain('does not verify');
    expect(await refs(sv)).not.toContain('FORGED');
  });

  it('a message under an unknown key is refused, and applied once the key is imported and the dead letter re-examined', async () => {
    const stranger = generateKeyPair('GT');
    const e = await envelope(region, { payload: { ref: 'UNKNOWN-KEY', n: 1 } }, { keyId: stranger.keyId, key: privateKeyObject(stranger.privatePem) });
    await region.inject('SV', JSON.stringify(e));
    await region.settle();
    const [dl] = await deadLetterOf(sv, e.id);
    expect(dl.code).toBe('unknown_key');
    expect(await refs(sv)).not.toContain('UNKNOWN-KEY');
    // a key the impostor made is not GT's until GT's admin hands it over: import it as GT's bundle would carry it
    await sv.db.transaction((tx) =>
      sv.exchange.keys.importBundle(tx, { format: 'centinela.exchange.keys/1', administration: 'GT', exportedAt: new Date().toISOString(), keys: [{ keyId: stranger.keyId, algorithm: 'Ed25519', publicKey: stranger.publicKey, createdAt: new Date().toISOString(), retiredAt: null, revokedAt: null }] }, 'test'),
    );
    const out = await sv.exchange.reexamine(dl.id, 'sv.admin');
    expect(out.outcome).toBe('applied');
    expect(await refs(sv)).toContain('UNKNOWN-KEY');
    expect((await sv.exchange.deadLetter1(dl.id))?.status).toBe('applied');
  });

  it('a replayed message (the same signed envelope published again) is refused as a replay, applied once', async () => {
    const r = await send(gt, 'GT', ['SV'], { ref: 'REPLAY', n: 1 });
    await region.settle();
    const [row] = await queryRows<{ envelope: Envelope }>(sv.db, sql`select envelope from exchange_inbox where message_id = ${r.id}`);
    await region.inject('SV', JSON.stringify(row.envelope));
    await region.settle();
    const [dl] = await deadLetterOf(sv, r.id!);
    expect(dl.code).toBe('replayed');
    expect((await refs(sv)).filter((x) => x === 'REPLAY')).toHaveLength(1);
    // the sender's view is unchanged: applied
    expect((await gt.exchange.deliveries({ sender: 'GT', messageId: r.id! }))[0].state).toBe('applied');
  });

  it('a sender not allowed a kind is refused, and the sender sees why', async () => {
    await sv.db.transaction((tx) => sv.exchange.setPartnerKinds(tx, 'SV', 'HN', ['rif.sent', 'transit.event'], 'sv.admin'));
    const r = await send(hn, 'HN', ['SV'], { ref: 'NOT-ALLOWED', n: 1 });
    await region.settle();
    const [dl] = await deadLetterOf(sv, r.id!);
    expect(dl.code).toBe('kind_not_allowed');
    const [d] = await hn.exchange.deliveries({ sender: 'HN', messageId: r.id! });
    expect(d.state).toBe('refused');
    expect(d.reason).toContain('kind_not_allowed');
    expect(await refs(sv)).not.toContain('NOT-ALLOWED');
    // allowed again: a re-examination applies it
    await sv.db.transaction((tx) => sv.exchange.setPartnerKinds(tx, 'SV', 'HN', null, 'sv.admin'));
    expect((await sv.exchange.reexamine(dl.id, 'sv.admin')).outcome).toBe('applied');
    await region.settle();
    expect((await hn.exchange.deliveries({ sender: 'HN', messageId: r.id! }))[0].state).toBe('applied');
  });

  it('a malformed payload, a wrong schema version and a message that is not an envelope are refused with the reason', async () => {
    const bad = await envelope(region, { payload: { ref: 42 } as unknown as P });
    const future = await envelope(region, { schemaVersion: 7, payload: { ref: 'FUTURE', n: 1 } });
    await region.inject('SV', JSON.stringify(bad));
    await region.inject('SV', JSON.stringify(future));
    await region.inject('SV', '{"id": "nope"');
    await region.settle();
    const [b] = await deadLetterOf(sv, bad.id);
    expect(b.code).toBe('bad_payload');
    expect(b.reason).toMatch(/ref/);
    expect((await deadLetterOf(sv, future.id))[0].code).toBe('schema_version');
    const all = await sv.exchange.deadLetters({ recipients: ['SV'] });
    expect(all.some((d) => d.code === 'malformed' && d.raw === '{"id": "nope"')).toBe(true);
  });

  it('a message addressed to someone else is not applied', async () => {
    const e = await envelope(region, { recipients: ['HN'], payload: { ref: 'MISROUTED', n: 1 } });
    await region.inject('SV', JSON.stringify(e));
    await region.settle();
    expect((await deadLetterOf(sv, e.id))[0].code).toBe('not_addressed');
  });

  it('rotation: the retired key still covers what it signed before; a revoked key covers nothing', async () => {
    const old = await gt.exchange.keys.signingKey('GT');
    const before = new Date(Date.now() - 1000).toISOString();
    const { active } = await gt.db.transaction((tx) => gt.exchange.keys.rotate(tx, 'GT'));
    expect(active).not.toBe(old.keyId);
    // the partner learns of the rotation from GT's new bundle
    const bundle = await gt.exchange.keys.exportBundle('GT');
    expect(bundle.keys.map((k) => k.keyId)).toContain(old.keyId);
    expect(JSON.stringify(bundle)).not.toContain('PRIVATE');
    await sv.db.transaction((tx) => sv.exchange.keys.importBundle(tx, bundle, 'sv.admin'));
    await hn.db.transaction((tx) => hn.exchange.keys.importBundle(tx, bundle, 'hn.admin'));
    const signedBefore = await envelope(region, { sentAt: before, payload: { ref: 'OLD-KEY-BEFORE', n: 1 } }, old);
    const signedAfter = await envelope(region, { sentAt: new Date(Date.now() + 1000).toISOString(), payload: { ref: 'OLD-KEY-AFTER', n: 1 } }, old);
    await region.inject('SV', JSON.stringify(signedBefore));
    await region.inject('SV', JSON.stringify(signedAfter));
    // the new key works end to end
    const fresh = await send(gt, 'GT', ['SV'], { ref: 'NEW-KEY', n: 1 });
    await region.settle();
    expect(await refs(sv)).toEqual(expect.arrayContaining(['OLD-KEY-BEFORE', 'NEW-KEY']));
    expect((await deadLetterOf(sv, signedAfter.id))[0].code).toBe('retired_key');
    expect((await gt.exchange.deliveries({ sender: 'GT', messageId: fresh.id! }))[0].state).toBe('applied');

    // SV revokes GT's active key: from then on GT's messages are refused, and GT sees it
    await sv.db.transaction((tx) => sv.exchange.keys.revoke(tx, active, 'reported compromised'));
    const after = await send(gt, 'GT', ['SV'], { ref: 'REVOKED', n: 1 });
    await region.settle();
    const [dl] = await deadLetterOf(sv, after.id!);
    expect(dl.code).toBe('revoked_key');
    expect(dl.reason).toContain('reported compromised');
    expect((await gt.exchange.deliveries({ sender: 'GT', messageId: after.id! }))[0].state).toBe('refused');
    expect(await refs(sv)).not.toContain('REVOKED');
  });

  it('sharing rules filter the recipients and remove fields before the message leaves; every version is kept', async () => {
    const v = await gt.db.transaction((tx) => gt.exchange.saveRules(tx, 'GT', { rules: [{ kind: 'seizure.reported', partners: ['HN'], redact: ['n'] }] }, 'no seizures to SV', 'gt.admin'));
    expect(v).toBe(1);
    // HN reads `n` as optional here: the stand-in handler would refuse it otherwise
    hn.exchange.replaceHandler({ ...recorder, payload: z.object({ ref: z.string(), n: z.number().int().optional() }) as unknown as typeof payload });
    const r = await send(gt, 'GT', ['SV', 'HN'], { ref: 'RULED', n: 5 });
    expect(r.recipients).toEqual(['HN']);
    expect(r.redacted).toEqual(['n']);
    await region.settle();
    const [row] = await queryRows<{ envelope: Envelope<Record<string, unknown>> }>(hn.db, sql`select envelope from exchange_inbox where message_id = ${r.id}`);
    expect(row.envelope.payload).toEqual({ ref: 'RULED' });
    expect(await refs(sv)).not.toContain('RULED');
    const none = await send(gt, 'GT', ['SV'], { ref: 'NOBODY', n: 1 });
    expect(none).toEqual({ id: null, recipients: [], redacted: [] });
    expect((await gt.exchange.rulesHistory('GT')).map((x) => x.version)).toEqual([1]);
    hn.exchange.replaceHandler(recorder);
    await gt.db.transaction((tx) => gt.exchange.saveRules(tx, 'GT', { rules: [{ kind: '*', partners: ['*'], redact: [] }] }, undefined, 'gt.admin'));
  });
});
