import { and, asc, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { schema, type Tx } from '../../db/client.ts';
import { currentChannel } from '../risk/channel.ts';

const D = schema.declarations;
const M = schema.manifests;
const A = schema.assessments;

export interface ExistingRecord {
  id: string;
  reference: string;
  version: number;
  contentHash: string;
}

/** Current id, version and content hash of the given references, locked for the transaction. */
export async function findDeclarationsForUpdate(tx: Tx, country: string, references: string[]): Promise<ExistingRecord[]> {
  if (references.length === 0) return [];
  return tx
    .select({ id: D.id, reference: D.reference, version: D.version, contentHash: D.contentHash })
    .from(D)
    .where(and(eq(D.country, country), inArray(D.reference, references)))
    .for('update');
}

export async function findManifestsForUpdate(tx: Tx, country: string, references: string[]): Promise<ExistingRecord[]> {
  if (references.length === 0) return [];
  return tx
    .select({ id: M.id, reference: M.reference, version: M.version, contentHash: M.contentHash })
    .from(M)
    .where(and(eq(M.country, country), inArray(M.reference, references)))
    .for('update');
}

/** Inserts rows in chunks that stay under PostgreSQL's 65,535 bind parameters. */
export async function insertChunked<T extends Record<string, unknown>>(tx: Tx, table: PgTable, rows: T[]): Promise<void> {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]).length || 1;
  const size = Math.max(1, Math.floor(60_000 / cols));
  for (let i = 0; i < rows.length; i += size) await tx.insert(table).values(rows.slice(i, i + size) as PgTable['$inferInsert'][]);
}

/**
 * The latest assessment of each declaration, with `channel` the current channel (a supervisor's
 * override applied) and `decidedChannel` the channel the assessment itself decided.
 */
export async function latestAssessments(tx: Tx, declarationIds: string[]) {
  if (declarationIds.length === 0) return [];
  const rows = await tx
    .selectDistinctOn([A.declarationId], { a: A, current: currentChannel(A.id, A.channel) })
    .from(A)
    .where(inArray(A.declarationId, declarationIds))
    .orderBy(A.declarationId, desc(A.decidedAt), desc(A.id));
  return rows.map((r) => ({ ...r.a, decidedChannel: r.a.channel, channel: r.current, overridden: r.current !== r.a.channel }));
}

export interface DeclarationFilter {
  country: string;
  office?: string;
  type?: string;
  channel?: string;
  trader?: string;
  reference?: string;
  from?: Date;
  to?: Date;
  limit: number;
  /** keyset cursor: lodgedAt|id of the last row of the previous page */
  before?: { lodgedAt: Date; id: string };
}

export async function listDeclarations(tx: Tx, f: DeclarationFilter) {
  const where: SQL[] = [eq(D.country, f.country)];
  if (f.office) where.push(eq(D.office, f.office));
  if (f.type) where.push(eq(D.type, f.type));
  if (f.reference) where.push(eq(D.reference, f.reference));
  if (f.trader) where.push(sql`(${D.importerTin} = ${f.trader} or ${D.exporterTin} = ${f.trader} or ${D.declarantTin} = ${f.trader})`);
  if (f.from) where.push(gte(D.lodgedAt, f.from));
  if (f.to) where.push(lt(D.lodgedAt, f.to));
  if (f.before) where.push(sql`(${D.lodgedAt}, ${D.id}) < (${f.before.lodgedAt}, ${f.before.id})`);
  const latest = tx
    .selectDistinctOn([A.declarationId], {
      declarationId: A.declarationId,
      channel: currentChannel(A.id, A.channel).as('channel'),
      riskLevel: A.riskLevel,
      score: A.score,
      reasons: A.reasons,
    })
    .from(A)
    .orderBy(A.declarationId, desc(A.decidedAt), desc(A.id))
    .as('latest');
  if (f.channel) where.push(eq(latest.channel, f.channel));
  return tx
    .select({
      id: D.id,
      country: D.country,
      reference: D.reference,
      type: D.type,
      office: D.office,
      lodgedAt: D.lodgedAt,
      declarantTin: D.declarantTin,
      importerTin: D.importerTin,
      exporterTin: D.exporterTin,
      itemCount: D.itemCount,
      totalValue: D.totalValue,
      currency: D.currency,
      version: D.version,
      channel: latest.channel,
      riskLevel: latest.riskLevel,
      score: latest.score,
      reasons: latest.reasons,
    })
    .from(D)
    .leftJoin(latest, eq(latest.declarationId, D.id))
    .where(and(...where))
    .orderBy(desc(D.lodgedAt), desc(D.id))
    .limit(f.limit);
}

export async function getDeclaration(tx: Tx, id: string) {
  const rows = await tx.select().from(D).where(eq(D.id, id));
  return rows[0];
}

export async function getDeclarationByReference(tx: Tx, country: string, reference: string) {
  const rows = await tx.select().from(D).where(and(eq(D.country, country), eq(D.reference, reference)));
  return rows[0];
}

export async function declarationHistory(tx: Tx, id: string) {
  const versions = await tx
    .select()
    .from(schema.declarationVersions)
    .where(eq(schema.declarationVersions.declarationId, id))
    .orderBy(asc(schema.declarationVersions.version));
  const assessments = await tx.select().from(A).where(eq(A.declarationId, id)).orderBy(asc(A.decidedAt), asc(A.id));
  return { versions, assessments };
}

export async function getManifest(tx: Tx, id: string) {
  const rows = await tx.select().from(M).where(eq(M.id, id));
  return rows[0];
}

export async function manifestHistory(tx: Tx, id: string) {
  return tx
    .select()
    .from(schema.manifestVersions)
    .where(eq(schema.manifestVersions.manifestId, id))
    .orderBy(asc(schema.manifestVersions.version));
}

export async function listManifests(tx: Tx, f: { country: string; office?: string; from?: Date; to?: Date; limit: number }) {
  const where: SQL[] = [eq(M.country, f.country)];
  if (f.office) where.push(eq(M.office, f.office));
  if (f.from) where.push(gte(M.arrivalAt, f.from));
  if (f.to) where.push(lt(M.arrivalAt, f.to));
  return tx
    .select({
      id: M.id,
      country: M.country,
      reference: M.reference,
      office: M.office,
      mode: M.mode,
      carrier: M.carrier,
      conveyance: M.conveyance,
      arrivalAt: M.arrivalAt,
      consignmentCount: M.consignmentCount,
      version: M.version,
    })
    .from(M)
    .where(and(...where))
    .orderBy(desc(M.arrivalAt), desc(M.id))
    .limit(f.limit);
}
