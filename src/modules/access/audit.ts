import { desc, sql, type SQL } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { Clock } from '../../core/clock.ts';
import { EMBEDDED_PREV_HASH, GENESIS_HASH, linkHash, type ChainEncoding } from '../../core/hash-chain.ts';
import { uuidv7 } from '../../core/ids.ts';
import { schema, type Db, type Tx } from '../../db/client.ts';
import type { Principal } from './types.ts';

export interface AuditEntryInput {
  actor: Principal;
  action: string;
  entityType: string;
  entityId: string;
  /** the administration the change belongs to (defaults to the actor's) */
  country?: string | null;
  before?: unknown;
  after?: unknown;
}

export { GENESIS_HASH };
/** How the audit log's links have always been hashed: the previous hash is a field of the hashed object. */
export const AUDIT_CHAIN_ENCODING: ChainEncoding = EMBEDDED_PREV_HASH;
/** advisory lock key that serialises appends to the chain */
const AUDIT_LOCK_KEY = 7_201_331;

/** The content a row's hash covers besides its link, in a fixed form (timestamps as ISO text). */
export function auditHashedEntry(row: {
  seq: number;
  id: string;
  at: Date;
  actor: string;
  actorKind: string;
  country: string | null;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
}) {
  return {
    seq: row.seq,
    id: row.id,
    at: row.at.toISOString(),
    actor: row.actor,
    actorKind: row.actorKind,
    country: row.country,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    before: row.before ?? null,
    after: row.after ?? null,
  };
}

/** A row's hash: its content linked to the hash before it (core/hash-chain.ts, the embedded encoding). */
export function auditRowHash(row: Parameters<typeof auditHashedEntry>[0] & { prevHash: string }): string {
  return linkHash(row.prevHash, auditHashedEntry(row), AUDIT_CHAIN_ENCODING);
}

/**
 * Appends entries to the audit log, chained by hash. Call it inside the transaction that makes
 * the change, so that the change and its record land together or not at all.
 */
export async function appendAudit(tx: Tx, entries: AuditEntryInput | AuditEntryInput[], clock: Clock): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  // the advisory lock lasts as long as the transaction: outside one, make one, or two writers
  // could read the same head and fork the chain
  if (!(tx instanceof PgTransaction)) {
    await (tx as Db).transaction((t) => appendAudit(t, list, clock));
    return;
  }
  for (const q of await auditInserts(tx, list, clock)) await tx.execute(q);
}

/**
 * The audit log's rows for these entries chained on the log's head (the chain's lock taken for the
 * transaction, then the head read), as insert statements for the caller to run in the same
 * transaction, before anything else appends to the log in it: the intake flow runs them with its
 * own writes as one statement.
 */
export async function auditInserts(tx: Tx, entries: AuditEntryInput[], clock: Clock): Promise<SQL[]> {
  const list = entries;
  if (list.length === 0) return [];
  if (!(tx instanceof PgTransaction)) throw new Error('auditInserts runs inside a transaction (the chain lock lasts as long as it)');
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
  const last = await tx
    .select({ seq: schema.auditLog.seq, hash: schema.auditLog.hash })
    .from(schema.auditLog)
    .orderBy(desc(schema.auditLog.seq))
    .limit(1);
  let seq = last[0]?.seq ?? 0;
  let prevHash = last[0]?.hash ?? GENESIS_HASH;
  const at = clock.now();
  const rows = list.map((e) => {
    seq += 1;
    const row = {
      seq,
      id: uuidv7(),
      at,
      actor: e.actor.name,
      actorKind: e.actor.kind,
      country: e.country === undefined ? e.actor.country : e.country,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId,
      // stored as it round-trips through jsonb, so that the hash can be recomputed from the row
      before: e.before === undefined ? null : JSON.parse(JSON.stringify(e.before)),
      after: e.after === undefined ? null : JSON.parse(JSON.stringify(e.after)),
      prevHash,
      hash: '',
    };
    row.hash = auditRowHash(row);
    prevHash = row.hash;
    return row;
  });
  const out: SQL[] = [];
  for (let i = 0; i < rows.length; i += 500) out.push(tx.insert(schema.auditLog).values(rows.slice(i, i + 500)).getSQL());
  return out;
}
