/**
 * What other modules read of the declarations module's records, written here so that no other
 * module names its tables: the traders module's facts (its `DeclarationFacts` read port), the
 * indicators' and the model's analytical reads (as SQL the caller composes with other modules'
 * fragments), backtests' ground truth and snapshot pages, transit's manifests. Read-only.
 */
import { and, asc, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import { queryRows, schema, type Tx } from '../../db/client.ts';
import type { DeclarationFacts, TinFilter } from '../traders/sources.ts';
import { traderTinSql } from '../traders/identity.ts';
import type { DeclarationEvent } from '../traders/history.ts';
import type { Declaration } from './schema.ts';

const ms = (v: unknown) => (v instanceof Date ? v.getTime() : Date.parse(String(v)));
const TRADER = traderTinSql('d');

// ------------------------------------------------------------------ traders (read port)

export const declarationFacts: DeclarationFacts = {
  async traderEvents(tx: Tx, country: string, until: Date, tins?: TinFilter): Promise<DeclarationEvent[]> {
    const who = tins
      ? sql`and (${TRADER} in ${tins.traders.length ? tins.traders : ['']} or d.declarant_tin in ${tins.declarants.length ? tins.declarants : ['']})`
      : sql``;
    const rows = await queryRows<{ id: string; t: string | null; dt: string | null; at: unknown }>(
      tx,
      sql`select d.id, ${TRADER} as t, d.declarant_tin as dt, d.lodged_at as at from declarations d where d.country = ${country} and d.lodged_at < ${until.toISOString()} ${who}`,
    );
    return rows.map((r) => ({ id: r.id, trader: r.t, declarant: r.dt, at: ms(r.at) }));
  },

  async latestNaming(tx: Tx, country: string, tin: string) {
    const rows = await queryRows<{ lodged_at: unknown; payload: unknown }>(
      tx,
      sql`select d.lodged_at, d.payload from declarations d
          where d.country = ${country} and (d.importer_tin = ${tin} or d.exporter_tin = ${tin} or d.declarant_tin = ${tin})
          order by d.lodged_at desc limit 1`,
    );
    const r = rows[0];
    if (!r) return null;
    const payload = (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Declaration;
    return { lodgedAt: new Date(ms(r.lodged_at)), declaration: payload };
  },
};

// ------------------------------------------------------------------ indicators and models (SQL to compose)

export interface DeclarationScope {
  country: string;
  office?: string;
  /** lodged in [from, to) */
  from?: Date;
  to?: Date;
  /** a trader's TIN: importer, exporter or declarant */
  trader?: string;
  types?: string[];
}

/**
 * The declarations in scope as a subquery: id, reference, type, office, lodged_at, total_value,
 * currency, importer_tin, exporter_tin, declarant_tin, trader_tin (identity.ts), and payload when asked.
 */
export function declarationsSql(f: DeclarationScope, opts: { payload?: boolean } = {}): SQL {
  const parts: SQL[] = [sql`d.country = ${f.country}`];
  if (f.office) parts.push(sql`d.office = ${f.office}`);
  if (f.from) parts.push(sql`d.lodged_at >= ${f.from.toISOString()}::timestamptz`);
  if (f.to) parts.push(sql`d.lodged_at < ${f.to.toISOString()}::timestamptz`);
  if (f.trader) parts.push(sql`(d.importer_tin = ${f.trader} or d.exporter_tin = ${f.trader} or d.declarant_tin = ${f.trader})`);
  if (f.types?.length) parts.push(sql`d.type in (${sql.join(f.types.map((t) => sql`${t}`), sql`, `)})`);
  return sql`select d.id, d.reference, d.type, d.office, d.lodged_at, d.total_value, d.currency, d.importer_tin, d.exporter_tin, d.declarant_tin, ${TRADER} as trader_tin${opts.payload ? sql`, d.payload` : sql``}
    from declarations d where ${sql.join(parts, sql` and `)}`;
}

/**
 * Items of accepted-candidate imports lodged in [from, to) with a positive mass and value, as a
 * subquery: declaration_id, hs_code, origin, unit, quantity, net_mass_kg, customs_value, currency.
 */
export function importItemsSql(country: string, from: Date, to: Date): SQL {
  return sql`select i.declaration_id, i.hs_code, i.origin, i.unit, i.quantity, i.net_mass_kg, i.customs_value, i.currency
    from declaration_items i join declarations d on d.id = i.declaration_id
    where d.country = ${country} and d.type = 'IM' and d.lodged_at >= ${from.toISOString()} and d.lodged_at < ${to.toISOString()} and i.net_mass_kg > 0 and i.customs_value > 0`;
}

/** Gross mass of the manifest consignment each transport document is (the heaviest, when several). */
export async function consignmentMasses(tx: Tx, country: string, docs: string[]): Promise<Map<string, number>> {
  const m = new Map<string, number>();
  for (let k = 0; k < docs.length; k += 1000) {
    const part = docs.slice(k, k + 1000);
    const rows = await queryRows<{ doc: string; kg: number }>(
      tx,
      sql`select c.transport_document as doc, max(c.gross_mass_kg) as kg from consignments c join manifests m on m.id = c.manifest_id
          where m.country = ${country} and c.transport_document in ${part} group by c.transport_document`,
    );
    for (const r of rows) m.set(r.doc, Number(r.kg));
  }
  return m;
}

/** Every manifest consignment of an administration (for criteria that read `consignment` in a backtest). */
export async function consignmentsOf(tx: Tx, country: string) {
  const rows = await tx
    .select({ c: schema.consignments })
    .from(schema.consignments)
    .innerJoin(schema.manifests, eq(schema.manifests.id, schema.consignments.manifestId))
    .where(eq(schema.manifests.country, country));
  return rows.map((r) => r.c);
}

// ------------------------------------------------------------------ snapshots (backtests)

/** A page of declaration keys changed after (updated_at, id), in that order. */
export async function declarationKeysAfter(tx: Tx, country: string, after: { at: string; id: string }, pageSize: number) {
  return queryRows<{ id: string; version: number; updated_at: string | Date }>(
    tx,
    sql`select id, version, updated_at from declarations
        where country = ${country} and (updated_at, id) > (${after.at}::timestamptz, ${after.id}::uuid)
        order by updated_at, id limit ${pageSize}`,
  );
}

/** The current payloads of some declarations. */
export async function declarationPayloads(tx: Tx, ids: string[]) {
  if (!ids.length) return [];
  return queryRows<{ id: string; version: number; payload: Declaration | string }>(tx, sql`select id, version, payload from declarations where id in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})`);
}

// ------------------------------------------------------------------ the simulator's ground truth (backtests)

export async function hasGroundTruth(tx: Tx, country: string): Promise<boolean> {
  const [g] = await queryRows<{ n: number }>(tx, sql`select count(*)::int as n from (select 1 from sim_ground_truth where country = ${country} and kind = 'declaration' limit 1) x`);
  return Number(g.n) > 0;
}

export async function groundTruthOf(tx: Tx, country: string, references: string[]) {
  if (!references.length) return [];
  return queryRows<{ reference: string; fraud: boolean; revenue: number }>(
    tx,
    sql`select reference, fraud_type is not null as fraud, revenue_at_stake as revenue from sim_ground_truth
        where country = ${country} and kind = 'declaration' and reference in (${sql.join(references.map((r) => sql`${r}`), sql`, `)})`,
  );
}

/** Declarations lodged in [from, to) of these types, and how many of them the ground truth calls frauds. */
export async function groundTruthTotals(tx: Tx, country: string, from: Date, to: Date, types: string[]): Promise<{ n: number; frauds: number }> {
  const [t] = await queryRows<{ n: number; frauds: number }>(
    tx,
    sql`select count(*)::int as n, count(*) filter (where g.fraud_type is not null)::int as frauds
        from declarations d join sim_ground_truth g on g.country = d.country and g.kind = 'declaration' and g.reference = d.reference
        where d.country = ${country} and d.lodged_at >= ${from.toISOString()} and d.lodged_at < ${to.toISOString()}
          and d.type in (${sql.join(types.map((t) => sql`${t}`), sql`, `)})`,
  );
  return { n: Number(t.n), frauds: Number(t.frauds) };
}

// ------------------------------------------------------------------ transit: manifests and the declarations naming them

/** A manifest (one arrival) and its consignments. */
export async function readManifestArrival(tx: Tx, country: string, reference: string) {
  const MF = schema.manifests;
  const [m] = await tx
    .select({ id: MF.id, country: MF.country, reference: MF.reference, office: MF.office, arrivalAt: MF.arrivalAt })
    .from(MF)
    .where(and(eq(MF.country, country), eq(MF.reference, reference)));
  if (!m) return undefined;
  const C = schema.consignments;
  const consignments = await tx.select({ transportDocument: C.transportDocument, packages: C.packages, grossMassKg: C.grossMassKg }).from(C).where(eq(C.manifestId, m.id));
  return { ...m, consignments };
}

/** Manifests that arrived in [since, until] (for the periodic reconciliation). */
export async function readManifestsArrivedSince(tx: Tx, since: Date, until: Date) {
  const MF = schema.manifests;
  return tx.select({ country: MF.country, reference: MF.reference }).from(MF).where(and(gte(MF.arrivalAt, since), lte(MF.arrivalAt, until))).orderBy(asc(MF.arrivalAt));
}

/** Declarations naming any of these manifests (their `manifestReference`), with the transport document each covers. */
export async function readDeclarationsForManifests(tx: Tx, country: string, manifests: string[]) {
  if (!manifests.length) return [];
  const D = schema.declarations;
  const rows = await tx
    .select({
      reference: D.reference,
      lodgedAt: D.lodgedAt,
      manifest: sql<string>`${D.payload}->>'manifestReference'`,
      transportDocument: sql<string | null>`${D.payload}->>'transportDocument'`,
    })
    .from(D)
    .where(and(eq(D.country, country), sql`${D.payload}->>'manifestReference' in (${sql.join(manifests.map((m) => sql`${m}`), sql`, `)})`));
  return rows.filter((r): r is { reference: string; lodgedAt: Date; manifest: string; transportDocument: string } => typeof r.transportDocument === 'string');
}
