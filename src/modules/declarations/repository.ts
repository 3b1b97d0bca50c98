import { and, asc, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { queryRows, schema, type Tx } from '../../db/client.ts';
import type { ConsignmentRecord, ReadPart } from './service.ts';

const D = schema.declarations;
const M = schema.manifests;

export interface ExistingRecord {
  id: string;
  reference: string;
  version: number;
  contentHash: string;
}

/**
 * Runs read parts (service.ts ReadPart) of one or more modules as one statement
 * (`with <their ctes> select <their columns>`) and answers what each part parses from the row.
 */
export async function readParts(tx: Tx, parts: ReadPart<unknown>[]): Promise<unknown[]> {
  const ctes = parts.flatMap((p) => p.ctes);
  const cols = parts.flatMap((p) => p.cols);
  const [row] = await queryRows<Record<string, unknown>>(tx, ctes.length ? sql`with ${sql.join(ctes, sql`, `)} select ${sql.join(cols, sql`, `)}` : sql`select ${sql.join(cols, sql`, `)}`);
  return parts.map((p) => p.parse(row ?? {}));
}

const list = (xs: string[]) => (xs.length ? sql.join(xs.map((x) => sql`${x}`), sql`, `) : sql`null`);

/** Read part: the current id, version and content hash of the given references, locked for the transaction. */
export function existingDeclarationsPart(country: string, references: string[]): ReadPart<ExistingRecord[]> {
  return {
    ctes: [sql`decl_existing as (select id, reference, version, content_hash from declarations where country = ${country} and reference in (${list(references)}) for update)`],
    cols: [sql`(select json_agg(json_build_object('id', id, 'reference', reference, 'version', version, 'contentHash', content_hash)) from decl_existing) as decl_existing`],
    parse: (row) => ((row.decl_existing as ExistingRecord[] | null) ?? []).map((e) => ({ id: e.id, reference: e.reference, version: Number(e.version), contentHash: e.contentHash })),
  };
}

/** Read part: the consignments of the administration's manifests carried under these transport documents. */
export function consignmentsPart(country: string, documents: string[]): ReadPart<ConsignmentRecord[]> {
  return {
    ctes: [],
    cols: [
      sql`(select json_agg(json_build_object('manifestReference', m.reference, 'transportDocument', c.transport_document, 'shipper', c.shipper, 'consignee', c.consignee, 'consigneeTin', c.consignee_tin,
            'description', c.description, 'hsCode', c.hs_code, 'packages', c.packages, 'grossMassKg', c.gross_mass_kg, 'containers', c.containers))
          from consignments c join manifests m on m.id = c.manifest_id
          where m.country = ${country} and c.transport_document in (${list(documents)})) as decl_consignments`,
    ],
    parse: (row) =>
      ((row.decl_consignments as ConsignmentRecord[] | null) ?? []).map((c) => ({ ...c, packages: Number(c.packages), grossMassKg: Number(c.grossMassKg), containers: (c.containers ?? []) as string[] })),
  };
}

/** Rows in chunks that stay under PostgreSQL's 65,535 bind parameters. */
export function chunks<T extends Record<string, unknown>>(rows: T[]): T[][] {
  if (rows.length === 0) return [];
  const cols = Object.keys(rows[0]).length || 1;
  const size = Math.max(1, Math.floor(60_000 / cols));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Median USD per kg of the import items lodged since `since`, per administration and HS subheading (service.ts importUnitValueMedians). */
export async function importUnitValueMedians(tx: Tx, o: { since: Date; minSamples: number; usd: (value: SQL, currency: SQL) => SQL }): Promise<{ country: string; hs6: string; p: number }[]> {
  return queryRows<{ country: string; hs6: string; p: number }>(
    tx,
    sql`select d.country, substr(i.hs_code, 1, 6) as hs6,
          percentile_cont(0.5) within group (order by ${o.usd(sql`i.customs_value`, sql`i.currency`)} / i.net_mass_kg) as p
        from declaration_items i join declarations d on d.id = i.declaration_id
        where d.type = 'IM' and d.lodged_at >= ${o.since.toISOString()} and i.net_mass_kg > 0
        group by d.country, substr(i.hs_code, 1, 6)
        having count(*) >= ${o.minSamples}`,
  );
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

/**
 * A page of declarations with their latest assessment; `latestOf` is the assessor's lateral
 * subquery of a declaration's latest assessment (service.ts Assessor.latestOf), so the channel is
 * the current one (a supervisor's override applied).
 */
export async function listDeclarations(tx: Tx, f: DeclarationFilter, latestOf: (declarationId: SQL) => SQL) {
  const where: SQL[] = [eq(D.country, f.country)];
  if (f.office) where.push(eq(D.office, f.office));
  if (f.type) where.push(eq(D.type, f.type));
  if (f.reference) where.push(eq(D.reference, f.reference));
  if (f.trader) where.push(sql`(${D.importerTin} = ${f.trader} or ${D.exporterTin} = ${f.trader} or ${D.declarantTin} = ${f.trader})`);
  if (f.from) where.push(gte(D.lodgedAt, f.from));
  if (f.to) where.push(lt(D.lodgedAt, f.to));
  if (f.before) where.push(sql`(${D.lodgedAt}, ${D.id}) < (${f.before.lodgedAt}, ${f.before.id})`);
  if (f.channel) where.push(sql`latest.channel = ${f.channel}`);
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
      channel: sql<string | null>`latest.channel`,
      riskLevel: sql<string | null>`latest.risk_level`,
      score: sql<number | null>`latest.score`,
      reasons: sql<unknown>`latest.reasons`,
    })
    .from(D)
    .leftJoin(sql`lateral (${latestOf(sql`${D.id}`)}) latest`, sql`true`)
    .where(and(...where))
    .orderBy(desc(D.lodgedAt), desc(D.id))
    .limit(f.limit);
}

export async function declarationRefs(tx: Tx, ids: string[]): Promise<{ id: string; country: string; reference: string; office: string; lodgedAt: Date }[]> {
  return ids.length ? tx.select({ id: D.id, country: D.country, reference: D.reference, office: D.office, lodgedAt: D.lodgedAt }).from(D).where(inArray(D.id, ids)) : [];
}

export async function getDeclaration(tx: Tx, id: string) {
  const rows = await tx.select().from(D).where(eq(D.id, id));
  return rows[0];
}

export async function getDeclarationByReference(tx: Tx, country: string, reference: string) {
  const rows = await tx.select().from(D).where(and(eq(D.country, country), eq(D.reference, reference)));
  return rows[0];
}

export async function declarationVersions(tx: Tx, id: string) {
  return tx.select().from(schema.declarationVersions).where(eq(schema.declarationVersions.declarationId, id)).orderBy(asc(schema.declarationVersions.version));
}

/** The content of a declaration version as it was received. */
export async function declarationPayload(tx: Tx, declarationId: string, version: number): Promise<unknown> {
  const [v] = await tx
    .select({ payload: schema.declarationVersions.payload })
    .from(schema.declarationVersions)
    .where(and(eq(schema.declarationVersions.declarationId, declarationId), eq(schema.declarationVersions.version, version)));
  return v?.payload;
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
