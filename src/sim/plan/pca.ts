/**
 * Post-clearance truth: what an audit of a trader's books would find on each declaration line the
 * simulator planned, from the ground truth the run emits beside each record. Frauds that the
 * papers at the border do not show (undervaluation against the invoice the supplier really
 * issued, a false certificate of origin) are found only after release; a misclassification or an
 * under-declared quantity an inspector could also see at the border. Pure: reads records, plans
 * nothing, so the run's output for a seed is unchanged.
 */
import type { GroundTruth, SimRecord } from '../records.ts';
import type { FraudType } from '../world.ts';
import { taxesDue } from '../world.ts';

export type FindingKind = 'value' | 'classification' | 'origin' | 'quantity';

export interface LineTruth {
  line: number;
  kind: FindingKind;
  declared: string;
  established: string;
  /** duties and VAT the line evaded, USD */
  revenueUsd: number;
}

export interface DeclarationTruth {
  country: string;
  reference: string;
  tin: string;
  lodgedAt: string;
  fraudType: FraudType;
  revenueAtStakeUsd: number;
  /** the border's papers do not show it: only an audit of the books finds it */
  foundOnlyAfterRelease: boolean;
  lines: LineTruth[];
}

const KIND: Partial<Record<FraudType, FindingKind>> = { undervaluation: 'value', misclassification: 'classification', false_origin: 'origin', under_declared_quantity: 'quantity' };
const ONLY_AFTER: ReadonlySet<FraudType> = new Set(['undervaluation', 'false_origin']);

interface TruthItem {
  line: number;
  trueHsCode: string;
  declaredHsCode: string;
  trueOrigin: string;
  declaredOrigin: string;
  trueValueUsd: number;
  declaredValueUsd: number;
  trueDutyRate: number;
  declaredDutyRate: number;
  trueQuantity?: number;
}

/** The post-clearance truth of the import frauds of a run, by declaration reference. */
export function postClearanceTruth(records: Iterable<SimRecord>): Map<string, DeclarationTruth> {
  const out = new Map<string, DeclarationTruth>();
  for (const r of records) {
    if (r.kind !== 'declaration' || r.record.type !== 'IM') continue;
    const t: GroundTruth = r.truth;
    if (!t.fraudType || !KIND[t.fraudType] || !(t.revenueAtStake > 0)) continue;
    const d = t.details as { vatRate: number; items: TruthItem[] };
    const kind = KIND[t.fraudType]!;
    const lines: LineTruth[] = [];
    for (const it of d.items) {
      const due = taxesDue(it.trueValueUsd, it.trueDutyRate, d.vatRate) - taxesDue(it.declaredValueUsd, it.declaredDutyRate, d.vatRate);
      if (!(due > 0.005)) continue;
      const [declared, established] =
        kind === 'value' || kind === 'quantity'
          ? [`USD ${it.declaredValueUsd.toFixed(2)}`, `USD ${it.trueValueUsd.toFixed(2)}`]
          : kind === 'classification'
            ? [`HS ${it.declaredHsCode} (${it.declaredDutyRate}%)`, `HS ${it.trueHsCode} (${it.trueDutyRate}%)`]
            : [`origin ${it.declaredOrigin}`, `origin ${it.trueOrigin}`];
      lines.push({ line: it.line, kind, declared, established, revenueUsd: Math.round(due * 100) / 100 });
    }
    if (!lines.length) continue;
    out.set(`${t.country}|${t.reference}`, {
      country: t.country,
      reference: t.reference,
      tin: r.record.importer?.tin ?? r.record.declarant.tin,
      lodgedAt: r.record.lodgedAt,
      fraudType: t.fraudType,
      revenueAtStakeUsd: t.revenueAtStake,
      foundOnlyAfterRelease: ONLY_AFTER.has(t.fraudType),
      lines,
    });
  }
  return out;
}

/** What auditing a trader over [from, to) recovers by the truth (USD): every fraudulent line of its imports in the period, or of the declarations named. */
export function auditRecovery(truth: ReadonlyMap<string, DeclarationTruth>, country: string, tin: string, from: number, to: number, references?: ReadonlySet<string>): { revenueUsd: number; declarations: DeclarationTruth[] } {
  const found: DeclarationTruth[] = [];
  let revenue = 0;
  for (const d of truth.values()) {
    if (d.country !== country || d.tin !== tin) continue;
    const at = Date.parse(d.lodgedAt);
    if (at < from || at >= to) continue;
    if (references && !references.has(d.reference)) continue;
    found.push(d);
    revenue += d.lines.reduce((a, l) => a + l.revenueUsd, 0);
  }
  return { revenueUsd: Math.round(revenue * 100) / 100, declarations: found };
}
