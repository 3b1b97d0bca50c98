/**
 * Customs against tax, pure: per trader and month, the imports declared to customs (USD) against
 * the periodic tax return (declared imports, purchases, sales). Kinds:
 * - no_return: imports to customs above a floor, no tax return for the month;
 * - time_shift: the month's gap is made good by the next or previous month (imports declared to
 *   tax in another period);
 * - value_gap: imports declared to tax differ from customs beyond the tolerance;
 * - sales_inconsistent: sales well below the month's imports and purchases.
 */
export type MismatchKind = 'value_gap' | 'time_shift' | 'no_return' | 'sales_inconsistent';
export const MISMATCH_KINDS: readonly MismatchKind[] = ['value_gap', 'time_shift', 'no_return', 'sales_inconsistent'];

export interface TaxReturnUsd {
  tin: string;
  period: string;
  declaredImportsUsd: number;
  purchasesUsd: number;
  salesUsd: number;
}

export interface CustomsMonth {
  tin: string;
  period: string;
  importsUsd: number;
  declarations: number;
  references: string[];
}

export interface Mismatch {
  tin: string;
  period: string;
  kind: MismatchKind;
  customsImportsUsd: number;
  taxImportsUsd: number | null;
  gapUsd: number;
  evidence: Record<string, unknown>;
}

export interface MismatchThresholds {
  /** relative gap between customs and tax imports tolerated (exchange rates, timing of invoices) */
  tolerance: number;
  /** imports below this (USD) in a month raise nothing */
  floorUsd: number;
  /** sales below this share of the month's imports are inconsistent */
  salesShare: number;
}

export const DEFAULT_THRESHOLDS: MismatchThresholds = { tolerance: 0.12, floorUsd: 2000, salesShare: 0.75 };

export function shiftPeriod(period: string, months: number): string {
  const [y, m] = period.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + months, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

const r2 = (x: number) => Math.round(x * 100) / 100;

export function detectMismatches(customs: readonly CustomsMonth[], returns: readonly TaxReturnUsd[], periods: readonly string[], t: MismatchThresholds = DEFAULT_THRESHOLDS): Mismatch[] {
  const c = new Map(customs.map((x) => [`${x.tin}|${x.period}`, x]));
  const r = new Map(returns.map((x) => [`${x.tin}|${x.period}`, x]));
  const inScope = new Set(periods);
  const tins = new Set([...customs.map((x) => x.tin), ...returns.map((x) => x.tin)]);
  const out: Mismatch[] = [];
  const imp = (tin: string, p: string) => c.get(`${tin}|${p}`)?.importsUsd ?? 0;
  for (const tin of [...tins].sort()) {
    for (const period of periods) {
      const cm = c.get(`${tin}|${period}`);
      const ret = r.get(`${tin}|${period}`);
      const customsUsd = cm?.importsUsd ?? 0;
      const evidence: Record<string, unknown> = {
        customs: { importsUsd: r2(customsUsd), declarations: cm?.declarations ?? 0, references: cm?.references.slice(0, 20) ?? [] },
        taxReturn: ret ? { declaredImportsUsd: r2(ret.declaredImportsUsd), purchasesUsd: r2(ret.purchasesUsd), salesUsd: r2(ret.salesUsd) } : null,
      };
      if (!ret) {
        if (customsUsd >= t.floorUsd) out.push({ tin, period, kind: 'no_return', customsImportsUsd: r2(customsUsd), taxImportsUsd: null, gapUsd: r2(customsUsd), evidence });
        continue;
      }
      if (customsUsd < t.floorUsd && ret.declaredImportsUsd < t.floorUsd) continue;
      const gap = customsUsd - ret.declaredImportsUsd;
      const rel = Math.abs(gap) / Math.max(customsUsd, ret.declaredImportsUsd, 1);
      if (rel > t.tolerance) {
        // declared to tax in the month before or after?
        let shifted: string | null = null;
        for (const k of [1, -1]) {
          const other = shiftPeriod(period, k);
          const ro = r.get(`${tin}|${other}`);
          if (!ro) continue;
          const co = imp(tin, other);
          const pair = customsUsd + co;
          const pairTax = ret.declaredImportsUsd + ro.declaredImportsUsd;
          const otherGap = co - ro.declaredImportsUsd;
          if (pair > 0 && Math.abs(pair - pairTax) / pair <= t.tolerance && Math.sign(otherGap) === -Math.sign(gap)) {
            shifted = other;
            break;
          }
        }
        if (shifted) out.push({ tin, period, kind: 'time_shift', customsImportsUsd: r2(customsUsd), taxImportsUsd: r2(ret.declaredImportsUsd), gapUsd: r2(gap), evidence: { ...evidence, shiftedTo: shifted, relativeGap: r2(rel) } });
        else out.push({ tin, period, kind: 'value_gap', customsImportsUsd: r2(customsUsd), taxImportsUsd: r2(ret.declaredImportsUsd), gapUsd: r2(gap), evidence: { ...evidence, relativeGap: r2(rel) } });
      }
      if (customsUsd >= t.floorUsd && ret.salesUsd < t.salesShare * customsUsd) {
        out.push({ tin, period, kind: 'sales_inconsistent', customsImportsUsd: r2(customsUsd), taxImportsUsd: r2(ret.declaredImportsUsd), gapUsd: r2(customsUsd - ret.salesUsd), evidence: { ...evidence, salesToImports: r2(ret.salesUsd / customsUsd) } });
      }
    }
  }
  return out.filter((m) => inScope.has(m.period));
}
