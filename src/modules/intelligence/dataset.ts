/**
 * The model's data from the stored history: declarations of a window with their features
 * (trader history strictly before each lodgement), labels from recorded control results
 * (discrepancy = 1) and whether the control was drawn by random control (the unbiased sample).
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Tx } from '../../db/client.ts';
import { consignmentMasses, declarationsSql } from '../declarations/reads.ts';
import type { Declaration } from '../declarations/schema.ts';
import { resultLabelsSql } from '../risk/reads.ts';
import type { TradersService } from '../traders/service.ts';
import type { TinFilter } from '../traders/sources.ts';
import { rawFeatures, type HistoryIndex, type RawRow } from './features.ts';
import type { ValuationIndex } from './valuation.ts';

const ms = (v: unknown) => (v instanceof Date ? v.getTime() : Date.parse(String(v)));

/** The traders' history the features read (the traders module owns it: point in time, by event date). */
export type TraderHistorySource = Pick<TradersService, 'timeline'>;

/**
 * The trader history events of an administration before `until` (declarations lodged, controls
 * opened and not cancelled, results with a discrepancy when recorded), from the traders module.
 * With `tins`, only those traders' and declarants' events.
 */
export async function loadHistory(traders: TraderHistorySource, tx: Tx, country: string, until: Date, tins?: TinFilter): Promise<HistoryIndex> {
  return traders.timeline(tx, country, until, tins);
}

/** Gross mass of the manifest consignment each declaration covers (by transport document): the declarations module's. */
export { consignmentMasses };

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
 * Post-clearance audit findings as labels, point in time: the label of each declaration an audit
 * covered, as known at `asOf` (findings dated after it are not yet known). The audit module
 * answers it through its own service (wired in the composition root); an audited declaration's
 * label overrides its control result.
 */
export interface AuditLabelSource {
  labels(tx: Tx, country: string, from: Date, to: Date, asOf: Date): Promise<Map<string, { hit: boolean; revenue: number }>>;
}

export async function auditLabels(tx: Tx, country: string, from: Date, to: Date, source?: AuditLabelSource | null, asOf: Date = to): Promise<Map<string, { hit: boolean; revenue: number }>> {
  return source ? source.labels(tx, country, from, to, asOf) : new Map();
}

/** Every declaration of an administration lodged in [from, to), in time order, with features and labels. */
export async function loadDataset(
  traders: TraderHistorySource,
  tx: Tx,
  country: string,
  from: Date,
  to: Date,
  valuation: ValuationIndex,
  audits?: { source: AuditLabelSource | null; asOf: Date },
): Promise<DatasetRow[]> {
  // the declarations module's declarations, the risk module's first result of each
  const rows = await queryRows<{ id: string; reference: string; at: unknown; payload: Declaration; hit: boolean | null; random: boolean | null; revenue: number | null }>(
    tx,
    sql`select d.id, d.reference, d.lodged_at as at, d.payload, r.hit, r.random, r.revenue
        from (${declarationsSql({ country, from, to }, { payload: true })}) d
        left join (${resultLabelsSql(country)}) r on r.declaration_id = d.id
        order by d.lodged_at, d.id`,
  );
  const history = await loadHistory(traders, tx, country, to);
  const docs = [...new Set(rows.map((r) => r.payload.transportDocument).filter((d): d is string => !!d))];
  const masses = await consignmentMasses(tx, country, docs);
  const audited = await auditLabels(tx, country, from, to, audits?.source, audits?.asOf ?? to);
  const seen = new Set<string>();
  const out: DatasetRow[] = [];
  for (const r of rows) {
    if (seen.has(r.id)) continue; // one result per declaration (the first)
    seen.add(r.id);
    const at = ms(r.at);
    const d = r.payload;
    const audit = audited.get(r.id);
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
