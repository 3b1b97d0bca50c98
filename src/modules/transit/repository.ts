/**
 * Drizzle queries of the transit module. The functions at the end read the declarations
 * module's manifests and declarations (read-only) for port reconciliation; they are the only
 * place this module touches another module's tables.
 */
import type { PgTable } from 'drizzle-orm/pg-core';
import { and, asc, eq, gt, gte, inArray, lte, or, sql, desc, type SQL } from 'drizzle-orm';
import { schema, type Tx } from '../../db/client.ts';

const M = schema.transitMovements;
const E = schema.transitEvents;
const A = schema.transitAlerts;

export const movementsTable = M;
export const eventsTable = E;
export type MovementRow = typeof M.$inferSelect;
export type EventRow = typeof E.$inferSelect;
export type AlertRow = typeof A.$inferSelect;

export async function insertChunked(tx: Tx, table: PgTable, rows: Record<string, unknown>[], size = 500): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await tx.insert(table).values(rows.slice(i, i + size) as PgTable['$inferInsert'][]);
}

export async function movementsByReference(tx: Tx, keys: { country: string; reference: string }[]): Promise<MovementRow[]> {
  if (!keys.length) return [];
  const out: MovementRow[] = [];
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    out.push(...(await tx.select().from(M).where(or(...chunk.map((k) => and(eq(M.country, k.country), eq(M.reference, k.reference)))))));
  }
  return out;
}

export async function movementsByTag(tx: Tx, tags: string[]): Promise<MovementRow[]> {
  if (!tags.length) return [];
  return tx.select().from(M).where(inArray(M.rfidTag, tags)).orderBy(desc(M.departureAt));
}

/** Movements carrying any of these identifiers (a post's view: RFID tag, seal, plate, container). */
export async function movementsByIdentifiers(tx: Tx, ids: { tags: string[]; seals: string[]; plates: string[]; containers: string[] }): Promise<MovementRow[]> {
  const arr = (xs: string[]) => sql`array[${sql.join(xs.map((x) => sql`${x}`), sql`, `)}]::text[]`;
  const where: SQL[] = [];
  if (ids.tags.length) where.push(inArray(M.rfidTag, ids.tags));
  if (ids.plates.length) where.push(inArray(M.plate, ids.plates));
  if (ids.seals.length) where.push(sql`${M.seals} ?| ${arr(ids.seals)}`);
  if (ids.containers.length) where.push(sql`${M.containers} ?| ${arr(ids.containers)}`);
  if (!where.length) return [];
  return tx.select().from(M).where(or(...where)).orderBy(desc(M.departureAt));
}

export async function movementsById(tx: Tx, ids: string[], lock = false): Promise<MovementRow[]> {
  if (!ids.length) return [];
  const q = tx.select().from(M).where(inArray(M.id, ids)).orderBy(asc(M.id));
  return lock ? q.for('update') : q;
}

export async function insertMovement(tx: Tx, row: typeof M.$inferInsert): Promise<void> {
  await tx.insert(M).values(row);
}

export async function updateMovement(tx: Tx, id: string, set: Partial<typeof M.$inferInsert>): Promise<void> {
  await tx.update(M).set(set).where(eq(M.id, id));
}

export async function existingEvents(tx: Tx, eventIds: string[]): Promise<{ eventId: string; data: unknown }[]> {
  const out: { eventId: string; data: unknown }[] = [];
  for (let i = 0; i < eventIds.length; i += 1000) {
    out.push(...(await tx.select({ eventId: E.eventId, data: E.data }).from(E).where(inArray(E.eventId, eventIds.slice(i, i + 1000)))));
  }
  return out;
}

export async function eventsOfMovements(tx: Tx, ids: string[]): Promise<EventRow[]> {
  if (!ids.length) return [];
  const out: EventRow[] = [];
  for (let i = 0; i < ids.length; i += 500) out.push(...(await tx.select().from(E).where(inArray(E.movementId, ids.slice(i, i + 500))).orderBy(asc(E.at), asc(E.eventId))));
  return out;
}

/** Locks a port-arrival chain's head, creating it when new. */
export async function lockChains(tx: Tx, chains: string[], now: Date): Promise<Map<string, { eventCount: number; headHash: string }>> {
  const C = schema.transitChains;
  if (!chains.length) return new Map();
  await tx
    .insert(C)
    .values(chains.map((chain) => ({ chain, eventCount: 0, headHash: '0'.repeat(64), updatedAt: now })))
    .onConflictDoNothing();
  const rows = await tx.select().from(C).where(inArray(C.chain, chains)).orderBy(asc(C.chain)).for('update');
  return new Map(rows.map((r) => [r.chain, { eventCount: r.eventCount, headHash: r.headHash }]));
}

export async function updateChain(tx: Tx, chain: string, eventCount: number, headHash: string, now: Date): Promise<void> {
  const C = schema.transitChains;
  await tx.update(C).set({ eventCount, headHash, updatedAt: now }).where(eq(C.chain, chain));
}

export async function insertAlerts(tx: Tx, rows: (typeof A.$inferInsert)[]): Promise<AlertRow[]> {
  const out: AlertRow[] = [];
  for (let i = 0; i < rows.length; i += 300) {
    out.push(...(await tx.insert(A).values(rows.slice(i, i + 300)).onConflictDoNothing({ target: A.dedupeKey }).returning()));
  }
  return out;
}

/** The open alerts of these movements (what the detectors' new hypotheses are diffed against). */
export async function openAlertsOfMovements(tx: Tx, ids: string[]): Promise<AlertRow[]> {
  if (!ids.length) return [];
  const out: AlertRow[] = [];
  for (let i = 0; i < ids.length; i += 500) out.push(...(await tx.select().from(A).where(and(inArray(A.movementId, ids.slice(i, i + 500)), eq(A.status, 'open')))));
  return out;
}

export async function reviseAlert(tx: Tx, id: string, set: { params: unknown; evidence: unknown; severity: string }): Promise<void> {
  await tx.update(A).set(set).where(eq(A.id, id));
}

/** Withdraws an open alert: kept, with the reason; its dedupe key is freed so that the same finding may be raised again later. */
export async function withdrawAlert(tx: Tx, id: string, dedupeKey: string, at: Date, withdrawal: unknown): Promise<AlertRow> {
  const [row] = await tx.update(A).set({ status: 'withdrawn', withdrawnAt: at, withdrawal, dedupeKey }).where(eq(A.id, id)).returning();
  return row;
}

export interface AlertFilter {
  /** only alerts concerning this administration */
  concerning?: string;
  kind?: string;
  severity?: string;
  movementId?: string;
  subject?: string;
  /** open (default), withdrawn, or all */
  status?: 'open' | 'withdrawn' | 'all';
  limit: number;
  /** alerts with seq above this (paging) */
  after?: number;
}

export async function listAlerts(tx: Tx, f: AlertFilter): Promise<AlertRow[]> {
  const where: SQL[] = [];
  if (f.concerning) where.push(sql`${f.concerning} = any(${A.countries})`);
  if (f.kind) where.push(eq(A.kind, f.kind));
  if (f.severity) where.push(eq(A.severity, f.severity));
  if (f.movementId) where.push(eq(A.movementId, f.movementId));
  if (f.subject) where.push(eq(A.subject, f.subject));
  if (f.status !== 'all') where.push(eq(A.status, f.status ?? 'open'));
  if (f.after !== undefined) where.push(gt(A.seq, f.after));
  return tx.select().from(A).where(where.length ? and(...where) : undefined).orderBy(asc(A.seq)).limit(f.limit);
}

/** Movements still open, and those closed recently (their skipped checkpoints are judged once late data had time to come). */
export async function sweepMovementsPage(tx: Tx, afterId: string | null, limit: number, departedBy: Date, closedSince: Date): Promise<MovementRow[]> {
  const where = [or(inArray(M.status, ['declared', 'in_transit']), and(eq(M.status, 'arrived'), gte(M.updatedAt, closedSince)))!, lte(M.departureAt, departedBy)];
  if (afterId) where.push(gt(M.id, afterId));
  return tx.select().from(M).where(and(...where)).orderBy(asc(M.id)).limit(limit);
}

export async function listMovements(tx: Tx, f: { concerning?: string; status?: string; limit: number }): Promise<MovementRow[]> {
  const where: SQL[] = [];
  if (f.concerning) where.push(sql`${f.concerning} = any(${M.countries})`);
  if (f.status) where.push(eq(M.status, f.status));
  return tx.select().from(M).where(where.length ? and(...where) : undefined).orderBy(desc(M.departureAt)).limit(f.limit);
}

export async function allThresholds(tx: Tx) {
  return tx.select().from(schema.transitThresholds);
}

export async function upsertThresholds(tx: Tx, country: string, values: unknown, by: string, now: Date): Promise<void> {
  const T = schema.transitThresholds;
  await tx
    .insert(T)
    .values({ country, values, updatedAt: now, updatedBy: by })
    .onConflictDoUpdate({ target: T.country, set: { values, updatedAt: now, updatedBy: by } });
}

export async function ledgerPage(tx: Tx, after: { chain: string; seq: number } | null, limit: number): Promise<EventRow[]> {
  const where = after ? or(gt(E.chain, after.chain), and(eq(E.chain, after.chain), gt(E.seq, after.seq))) : undefined;
  return tx.select().from(E).where(where).orderBy(asc(E.chain), asc(E.seq)).limit(limit);
}

export async function movementHeads(tx: Tx): Promise<{ id: string; country: string; reference: string; eventCount: number; headHash: string }[]> {
  return tx.select({ id: M.id, country: M.country, reference: M.reference, eventCount: M.eventCount, headHash: M.headHash }).from(M);
}

export async function arrivalHeads(tx: Tx) {
  return tx.select().from(schema.transitChains);
}

export async function dischargesOf(tx: Tx, country: string, manifests: string[]) {
  const D = schema.portDischarges;
  if (!manifests.length) return [];
  return tx.select().from(D).where(and(eq(D.country, country), inArray(D.manifestReference, manifests)));
}

export async function insertDischarges(tx: Tx, rows: (typeof schema.portDischarges.$inferInsert)[]): Promise<void> {
  await insertChunked(tx, schema.portDischarges, rows);
}

// ---------------------------------------------------------------- read-only: the declarations module's records

/** Manifests, their consignments and the declarations naming them: the declarations module's reads. */
export { readDeclarationsForManifests, readManifestArrival, readManifestsArrivedSince } from '../declarations/reads.ts';
