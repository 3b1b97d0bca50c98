/**
 * The model's data from the stored history: declarations of a window with their features
 * (trader history strictly before each lodgement), labels from recorded control results
 * (discrepancy = 1) and whether the control was drawn by random control (the unbiased sample).
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Tx } from '../../db/client.ts';
import type { Declaration } from '../declarations/schema.ts';
import { HistoryIndex, rawFeatures, type RawRow } from './features.ts';
import type { ValuationIndex } from './valuation.ts';

const TRADER_TIN = sql`(case d.type when 'IM' then coalesce(d.importer_tin, d.declarant_tin) when 'EX' then coalesce(d.exporter_tin, d.declarant_tin) else d.declarant_tin end)`;
const ms = (v: unknown) => (v instanceof Date ? v.getTime() : Date.parse(String(v)));

/**
 * The trader history events of an administration before `until`: every declaration lodged, every
 * control opened (not cancelled), every control result with a discrepancy (when recorded). With
 * `tins`, only those traders' and declarants' events.
 */
export async function loadHistory(tx: Tx, country: string, until: Date, tins?: { traders: string[]; declarants: string[] }): Promise<HistoryIndex> {
  const h = new HistoryIndex();
  if (tins && !tins.traders.length && !tins.declarants.length) return h;
  const who = tins
    ? sql`and (${TRADER_TIN} in ${tins.traders.length ? tins.traders : ['']} or d.declarant_tin in ${tins.declarants.length ? tins.declarants : ['']})`
    : sql``;
  const u = until.toISOString();
  const decls = await queryRows<{ t: string; dt: string; at: unknown }>(tx, sql`select ${TRADER_TIN} as t, d.declarant_tin as dt, d.lodged_at as at from declarations d where d.country = ${country} and d.lodged_at < ${u} ${who}`);
  for (const r of decls) {
    const at = ms(r.at);
    h.declaration('importer', r.t, at);
    h.declaration('declarant', r.dt, at);
  }
  const controls = await queryRows<{ t: string; dt: string; at: unknown }>(
    tx,
    sql`select ${TRADER_TIN} as t, d.declarant_tin as dt, c.created_at as at from controls c join declarations d on d.id = c.declaration_id
        where c.country = ${country} and c.status <> 'cancelled' and c.created_at < ${u} ${who}`,
  );
  for (const r of controls) {
    const at = ms(r.at);
    h.control('importer', r.t, at);
    h.control('declarant', r.dt, at);
  }
  const hits = await queryRows<{ t: string; dt: string; at: unknown }>(
    tx,
    sql`select ${TRADER_TIN} as t, d.declarant_tin as dt, r.recorded_at as at from control_results r join declarations d on d.id = r.declaration_id
        where r.country = ${country} and r.hit and r.recorded_at < ${u} ${who}`,
  );
  for (const r of hits) {
    const at = ms(r.at);
    h.hit('importer', r.t, at);
    h.hit('declarant', r.dt, at);
  }
  return h;
}

/** Gross mass of the manifest consignment each declaration covers (by transport document). */
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

export interface DatasetRow {
  declarationId: string;
  reference: string;
  at: number;
  raw: RawRow;
  /** 1 discrepancy found, 0 none, null not controlled (or no result yet) */
  label: 0 | 1 | null;
  /** the control was drawn by random control */
  random: boolean;
  /** extra duties and taxes the control assessed */
  revenue: number;
}

/**
 * Post-clearance audit findings as labels: a hook for the audit module (not built yet). An audit
 * finding will override the control result of the declaration it covers.
 */
export async function auditLabels(_tx: Tx, _country: string, _from: Date, _to: Date): Promise<Map<string, { hit: boolean; revenue: number }>> {
  return new Map();
}

/** Every declaration of an administration lodged in [from, to), in time order, with features and labels. */
export async function loadDataset(tx: Tx, country: string, from: Date, to: Date, valuation: ValuationIndex): Promise<DatasetRow[]> {
  const rows = await queryRows<{ id: string; reference: string; at: unknown; payload: Declaration; hit: boolean | null; random: boolean | null; revenue: number | null }>(
    tx,
    sql`select d.id, d.reference, d.lodged_at as at, d.payload, r.hit, c.random_selected as random, (r.extra_duties + r.extra_taxes) as revenue
        from declarations d
        left join control_results r on r.declaration_id = d.id
        left join controls c on c.id = r.control_id
        where d.country = ${country} and d.lodged_at >= ${from.toISOString()} and d.lodged_at < ${to.toISOString()}
        order by d.lodged_at, d.id`,
  );
  const history = await loadHistory(tx, country, to);
  const docs = [...new Set(rows.map((r) => r.payload.transportDocument).filter((d): d is string => !!d))];
  const masses = await consignmentMasses(tx, country, docs);
  const audits = await auditLabels(tx, country, from, to);
  const seen = new Set<string>();
  const out: DatasetRow[] = [];
  for (const r of rows) {
    if (seen.has(r.id)) continue; // one result per declaration (the first)
    seen.add(r.id);
    const at = ms(r.at);
    const d = r.payload;
    const audit = audits.get(r.id);
    out.push({
      declarationId: r.id,
      reference: r.reference,
      at,
      raw: rawFeatures({ declaration: d, at, consignmentGrossKg: d.transportDocument ? (masses.get(d.transportDocument) ?? null) : null }, history, valuation),
      label: audit ? (audit.hit ? 1 : 0) : r.hit === null ? null : r.hit ? 1 : 0,
      random: !!r.random,
      revenue: audit?.revenue ?? Number(r.revenue ?? 0),
    });
  }
  return out;
}
