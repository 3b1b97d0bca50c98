import type { KeyObject } from 'node:crypto';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { ValidationError } from '../../core/errors.ts';
import { schema, type Db, type Tx } from '../../db/client.ts';
import { generateKeyPair, keyIdOf, openPrivateKey, privateKeyObject, publicKeyObject, sealPrivateKey } from './crypto.ts';

/** The public keys of an administration as one node hands them to its partners (`centinela exchange keys export`). */
export const keyBundleSchema = z.strictObject({
  format: z.literal('centinela.exchange.keys/1'),
  administration: z.string().regex(/^[A-Z]{2}$/),
  exportedAt: z.iso.datetime(),
  keys: z
    .array(
      z.strictObject({
        keyId: z.string().min(4).max(100),
        algorithm: z.literal('Ed25519'),
        publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, '32 bytes in base64url'),
        createdAt: z.iso.datetime(),
        retiredAt: z.iso.datetime().nullable(),
        revokedAt: z.iso.datetime().nullable(),
      }),
    )
    .min(1)
    .max(50),
});
export type KeyBundle = z.infer<typeof keyBundleSchema>;

export interface TrustedKey {
  keyId: string;
  administration: string;
  object: KeyObject;
  retiredAt: Date | null;
  revokedAt: Date | null;
  revocationReason: string | null;
}

/**
 * Keys of the exchange on one node.
 *
 * Own keys: one active Ed25519 key per local administration, made on first start, kept in the
 * node's database (sealed with CENTINELA_EXCHANGE_KEY_SECRET when set), never exported; rotating
 * retires the active key (partners keep accepting what it signed before) and makes a new one.
 *
 * Trusted keys (`exchange_partner_keys`): the local administrations' own public keys (so that the
 * administrations one node serves verify each other like any partner) and partners' keys
 * imported by a national admin, each with its retirement and revocation.
 */
export class KeyRegistry {
  private signing = new Map<string, { keyId: string; key: KeyObject; at: number }>();
  private trusted = new Map<string, { k: TrustedKey | null; at: number }>();

  constructor(private readonly d: { db: Db; clock: Clock; local: readonly string[]; secret?: string; onChange?: () => void }) {}

  invalidate() {
    this.signing.clear();
    this.trusted.clear();
    this.d.onChange?.();
  }

  /** Makes an active key for every local administration that has none (first start). */
  async ensureOwnKeys(): Promise<string[]> {
    const made: string[] = [];
    for (const a of this.d.local) {
      const active = await this.activeOwn(this.d.db, a);
      if (active) continue;
      try {
        await this.d.db.transaction(async (tx) => {
          await tx.execute(sql`select pg_advisory_xact_lock(7201411, hashtext(${a}))`);
          if (await this.activeOwn(tx, a)) return;
          await this.makeOwnKey(tx, a);
          made.push(a);
        });
      } catch (e) {
        if (!(await this.activeOwn(this.d.db, a))) throw e;
      }
    }
    return made;
  }

  private async activeOwn(tx: Tx, administration: string) {
    const t = schema.exchangeOwnKeys;
    const rows = await tx.select().from(t).where(and(eq(t.administration, administration), isNull(t.retiredAt), isNull(t.revokedAt))).limit(1);
    return rows[0] ?? null;
  }

  private async makeOwnKey(tx: Tx, administration: string): Promise<string> {
    const kp = generateKeyPair(administration);
    const now = this.d.clock.now();
    await tx.insert(schema.exchangeOwnKeys).values({ keyId: kp.keyId, administration, publicKey: kp.publicKey, privateKey: sealPrivateKey(kp.privatePem, this.d.secret), createdAt: now });
    await tx.insert(schema.exchangePartnerKeys).values({ keyId: kp.keyId, administration, publicKey: kp.publicKey, origin: 'local', createdAt: now, registeredBy: 'centinela', registeredAt: now });
    return kp.keyId;
  }

  /** The active signing key of a local administration (cached for 30 s: a rotation by another process is seen within that). */
  async signingKey(administration: string): Promise<{ keyId: string; key: KeyObject }> {
    const c = this.signing.get(administration);
    if (c && Date.now() - c.at < 30_000) return c;
    let row = await this.activeOwn(this.d.db, administration);
    if (!row) {
      await this.ensureOwnKeys();
      row = await this.activeOwn(this.d.db, administration);
    }
    if (!row) throw new Error(`exchange: no signing key for ${administration}`);
    const v = { keyId: row.keyId, key: privateKeyObject(openPrivateKey(row.privateKey, this.d.secret)), at: Date.now() };
    this.signing.set(administration, v);
    return v;
  }

  /** A trusted public key by id (cached 5 s; a revocation on this node takes effect at once). */
  async partnerKey(keyId: string): Promise<TrustedKey | null> {
    const c = this.trusted.get(keyId);
    if (c && Date.now() - c.at < 5000) return c.k;
    const rows = await this.d.db.select().from(schema.exchangePartnerKeys).where(eq(schema.exchangePartnerKeys.keyId, keyId));
    const r = rows[0];
    const k: TrustedKey | null = r ? { keyId: r.keyId, administration: r.administration, object: publicKeyObject(r.publicKey), retiredAt: r.retiredAt, revokedAt: r.revokedAt, revocationReason: r.revocationReason } : null;
    this.trusted.set(keyId, { k, at: Date.now() });
    return k;
  }

  /** The public keys of a local administration, to hand to partners (never a private key). */
  async exportBundle(administration: string): Promise<KeyBundle> {
    if (!this.d.local.includes(administration)) throw new ValidationError([{ path: 'administration', code: 'not_local', message: `this node serves ${this.d.local.join(', ')}, not ${administration}` }]);
    await this.ensureOwnKeys();
    const t = schema.exchangeOwnKeys;
    const rows = await this.d.db.select().from(t).where(eq(t.administration, administration)).orderBy(desc(t.createdAt));
    return {
      format: 'centinela.exchange.keys/1',
      administration,
      exportedAt: this.d.clock.now().toISOString(),
      keys: rows.map((r) => ({ keyId: r.keyId, algorithm: 'Ed25519' as const, publicKey: r.publicKey, createdAt: r.createdAt.toISOString(), retiredAt: r.retiredAt?.toISOString() ?? null, revokedAt: r.revokedAt?.toISOString() ?? null })),
    };
  }

  /** Imports a partner's public keys: new keys are trusted, known ones take the bundle's retirement and revocation (a revocation is never lifted). */
  async importBundle(tx: Tx, bundle: KeyBundle, actor: string): Promise<{ added: string[]; updated: string[]; unchanged: string[] }> {
    if (this.d.local.includes(bundle.administration)) throw new ValidationError([{ path: 'administration', code: 'local', message: `${bundle.administration} is served by this node: its keys are made here, not imported` }]);
    const out = { added: [] as string[], updated: [] as string[], unchanged: [] as string[] };
    const now = this.d.clock.now();
    for (const [i, k] of bundle.keys.entries()) {
      try {
        publicKeyObject(k.publicKey);
      } catch {
        throw new ValidationError([{ path: `keys.${i}.publicKey`, code: 'bad_key', message: 'not an Ed25519 public key' }]);
      }
      if (keyIdOf(bundle.administration, k.publicKey) !== k.keyId) throw new ValidationError([{ path: `keys.${i}.keyId`, code: 'key_id_mismatch', message: `the key id ${k.keyId} does not name this public key of ${bundle.administration}` }]);
      const t = schema.exchangePartnerKeys;
      const cur = (await tx.select().from(t).where(eq(t.keyId, k.keyId)))[0];
      if (!cur) {
        await tx.insert(t).values({ keyId: k.keyId, administration: bundle.administration, publicKey: k.publicKey, origin: 'imported', createdAt: new Date(k.createdAt), retiredAt: k.retiredAt ? new Date(k.retiredAt) : null, revokedAt: k.revokedAt ? new Date(k.revokedAt) : null, revocationReason: k.revokedAt ? 'revoked by its administration' : null, registeredBy: actor, registeredAt: now });
        out.added.push(k.keyId);
        continue;
      }
      const retiredAt = cur.retiredAt ?? (k.retiredAt ? new Date(k.retiredAt) : null);
      const revokedAt = cur.revokedAt ?? (k.revokedAt ? new Date(k.revokedAt) : null);
      if (retiredAt?.getTime() !== cur.retiredAt?.getTime() || revokedAt?.getTime() !== cur.revokedAt?.getTime()) {
        await tx.update(t).set({ retiredAt, revokedAt, revocationReason: cur.revocationReason ?? (revokedAt ? 'revoked by its administration' : null) }).where(eq(t.keyId, k.keyId));
        out.updated.push(k.keyId);
      } else out.unchanged.push(k.keyId);
    }
    this.invalidate();
    return out;
  }

  /** Revokes a key from `at` (default now): messages under it arriving from then on are refused. A local key is replaced at once. */
  async revoke(tx: Tx, keyId: string, reason: string, at?: Date): Promise<{ administration: string; origin: string; replacement: string | null }> {
    const t = schema.exchangePartnerKeys;
    const cur = (await tx.select().from(t).where(eq(t.keyId, keyId)).for('update'))[0];
    if (!cur) throw new ValidationError([{ path: 'keyId', code: 'unknown_key', message: `no key ${keyId}` }]);
    if (cur.revokedAt) throw new ValidationError([{ path: 'keyId', code: 'already_revoked', message: `key ${keyId} was revoked on ${cur.revokedAt.toISOString()}` }]);
    const when = at ?? this.d.clock.now();
    await tx.update(t).set({ revokedAt: when, revocationReason: reason }).where(eq(t.keyId, keyId));
    let replacement: string | null = null;
    if (cur.origin === 'local') {
      await tx.update(schema.exchangeOwnKeys).set({ revokedAt: when }).where(eq(schema.exchangeOwnKeys.keyId, keyId));
      if (!(await this.activeOwn(tx, cur.administration))) replacement = await this.makeOwnKey(tx, cur.administration);
    }
    this.invalidate();
    return { administration: cur.administration, origin: cur.origin, replacement };
  }

  /** Retires a local administration's active key and makes a new one. */
  async rotate(tx: Tx, administration: string): Promise<{ retired: string | null; active: string }> {
    if (!this.d.local.includes(administration)) throw new ValidationError([{ path: 'administration', code: 'not_local', message: `this node serves ${this.d.local.join(', ')}, not ${administration}` }]);
    await tx.execute(sql`select pg_advisory_xact_lock(7201411, hashtext(${administration}))`);
    const cur = await this.activeOwn(tx, administration);
    const now = this.d.clock.now();
    if (cur) {
      await tx.update(schema.exchangeOwnKeys).set({ retiredAt: now }).where(eq(schema.exchangeOwnKeys.keyId, cur.keyId));
      await tx.update(schema.exchangePartnerKeys).set({ retiredAt: now }).where(eq(schema.exchangePartnerKeys.keyId, cur.keyId));
    }
    const active = await this.makeOwnKey(tx, administration);
    this.invalidate();
    return { retired: cur?.keyId ?? null, active };
  }

  /** Every key this node knows: its own (public part) and its partners'. */
  async list(administrations?: readonly string[]) {
    const t = schema.exchangePartnerKeys;
    const rows = await this.d.db.select().from(t).orderBy(t.administration, desc(t.createdAt));
    return rows
      .filter((r) => !administrations || administrations.includes(r.administration) || r.origin === 'imported')
      .map((r) => ({ keyId: r.keyId, administration: r.administration, origin: r.origin as 'local' | 'imported', publicKey: r.publicKey, createdAt: r.createdAt, retiredAt: r.retiredAt, revokedAt: r.revokedAt, revocationReason: r.revocationReason, registeredBy: r.registeredBy, registeredAt: r.registeredAt }));
  }
}
