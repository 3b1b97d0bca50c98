/**
 * Audit selection, pure: from the releases of a period (declarations with their lines, channel,
 * model score), reference prices, the sensitive goods list and tax mismatches, a proposal per
 * trader with its expected revenue at stake, its reasons (each with its amount), an estimated
 * recovery and the audit hours it needs; then a plan under a capacity of hours with a share of
 * it drawn at random among the eligible traders.
 */
import { draw } from './draw.ts';

export type SelectionSource = 'model' | 'valuation' | 'sensitive' | 'tax_mismatch' | 'blue_channel' | 'random';
export const SELECTION_SOURCES: readonly SelectionSource[] = ['model', 'valuation', 'sensitive', 'tax_mismatch', 'blue_channel', 'random'];

export interface ReleasedLine {
  line: number;
  hsCode: string;
  origin: string;
  netMassKg: number;
  valueUsd: number;
  /** duty rate in percent */
  dutyRate: number;
}

export interface Release {
  declarationId: string;
  reference: string;
  lodgedAt: number;
  tin: string;
  name: string;
  channel: string;
  /** the model's probability of a discrepancy, when a model scored it */
  modelScore: number | null;
  /** a control already found a discrepancy (hit) or found none (false); null: not controlled */
  controlHit: boolean | null;
  lines: ReleasedLine[];
}

export interface SensitiveHit {
  hs: string;
  reason: string;
}

export interface MismatchInput {
  tin: string;
  period: string;
  kind: string;
  gapUsd: number;
  evidence: Record<string, unknown>;
}

export interface SelectionContext {
  /** VAT in percent */
  vat: number;
  /** the entry of the sensitive goods list covering an HS code, if any */
  sensitive(hs: string): SensitiveHit | null;
  /** reference unit value (median USD per kg) of an HS subheading and origin, null when unknown */
  referenceUsdPerKg(hs6: string, origin: string): number | null;
  /** mismatches with the tax administration per trader */
  mismatches: ReadonlyMap<string, readonly MismatchInput[]>;
  /** probability of a discrepancy when no model scored a declaration */
  baseRate?: number;
  /** share of the revenue at stake an audit recovers (collection, appeals) */
  recoveryRate?: number;
}

export interface Reason {
  code: SelectionSource;
  amountUsd: number;
  detail: Record<string, string | number | null>;
}

export interface Proposal {
  tin: string;
  name: string;
  declarationIds: string[];
  releases: number;
  expectedRevenueUsd: number;
  estimatedRecoveryUsd: number;
  hours: number;
  reasons: Reason[];
  source: SelectionSource;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Duties and VAT on a value (USD) at a duty rate and VAT in percent. */
export function taxesOn(valueUsd: number, dutyPct: number, vatPct: number): number {
  const duty = (valueUsd * dutyPct) / 100;
  return duty + ((valueUsd + duty) * vatPct) / 100;
}

/** Audit hours for a trader over a period: a base for opening and closing, more per declaration. */
export function auditHours(declarations: number): number {
  return Math.min(120, 12 + 1.5 * declarations);
}

/** The proposal for each trader with releases in the period (green, blue, or controlled without a finding). */
export function propose(releases: readonly Release[], ctx: SelectionContext): Proposal[] {
  const base = ctx.baseRate ?? 0.04;
  const recovery = ctx.recoveryRate ?? 0.8;
  const byTrader = new Map<string, Release[]>();
  for (const r of releases) {
    if (r.controlHit === true) continue; // already found at the border
    const list = byTrader.get(r.tin);
    if (list) list.push(r);
    else byTrader.set(r.tin, [r]);
  }
  const out: Proposal[] = [];
  for (const [tin, rs] of byTrader) {
    const acc: Record<SelectionSource, { amount: number; detail: Record<string, string | number | null> }> = {
      model: { amount: 0, detail: {} },
      valuation: { amount: 0, detail: {} },
      sensitive: { amount: 0, detail: {} },
      tax_mismatch: { amount: 0, detail: {} },
      blue_channel: { amount: 0, detail: {} },
      random: { amount: 0, detail: {} },
    };
    let scored = 0;
    let scoreSum = 0;
    let gapLines = 0;
    let sensitiveLines = 0;
    const sensitiveHs = new Set<string>();
    let blue = 0;
    for (const r of rs) {
      const p = r.controlHit === false ? (r.modelScore ?? base) * 0.3 : (r.modelScore ?? base);
      if (r.modelScore !== null) {
        scored++;
        scoreSum += r.modelScore;
      }
      if (r.channel === 'blue') blue++;
      for (const l of r.lines) {
        const t = taxesOn(l.valueUsd, l.dutyRate, ctx.vat);
        acc.model.amount += p * t;
        const ref = ctx.referenceUsdPerKg(l.hsCode.slice(0, 6), l.origin);
        if (ref && l.netMassKg > 0) {
          const unit = l.valueUsd / l.netMassKg;
          if (unit < 0.75 * ref) {
            const gapUsd = ref * l.netMassKg - l.valueUsd;
            acc.valuation.amount += 0.8 * taxesOn(gapUsd, l.dutyRate, ctx.vat);
            gapLines++;
          }
        }
        const s = ctx.sensitive(l.hsCode);
        if (s) {
          acc.sensitive.amount += 0.5 * p * t;
          sensitiveLines++;
          sensitiveHs.add(`${s.hs} (${s.reason})`);
        }
        if (r.channel === 'blue') acc.blue_channel.amount += 0.1 * t;
      }
    }
    const mm = ctx.mismatches.get(tin) ?? [];
    // imports declared to tax above customs: the books show more than the border saw (undervaluation,
    // under-declared quantity): duties and VAT at stake at customs. Other mismatches put mainly tax
    // revenue at stake (a case shared with the tax administration): a smaller weight here.
    const dutyMean = rs.reduce((a, r) => a + r.lines.reduce((b, l) => b + l.dutyRate * l.valueUsd, 0), 0) / Math.max(1, rs.reduce((a, r) => a + r.lines.reduce((b, l) => b + l.valueUsd, 0), 0));
    for (const m of mm) acc.tax_mismatch.amount += m.kind === 'value_gap' && m.gapUsd < 0 ? 0.8 * taxesOn(-m.gapUsd, dutyMean, ctx.vat) : 0.05 * taxesOn(Math.abs(m.gapUsd), 0, ctx.vat);
    acc.model.detail = { declarations: rs.length, scored, meanScore: scored ? round2(scoreSum / scored) : null };
    acc.valuation.detail = { linesBelowReference: gapLines };
    acc.sensitive.detail = { lines: sensitiveLines, goods: [...sensitiveHs].slice(0, 5).join(', ') || null };
    acc.tax_mismatch.detail = { mismatches: mm.length, kinds: [...new Set(mm.map((m) => m.kind))].join(', ') || null, periods: [...new Set(mm.map((m) => m.period))].join(', ') || null };
    acc.blue_channel.detail = { blueReleases: blue };
    const reasons: Reason[] = (Object.entries(acc) as [SelectionSource, (typeof acc)['model']][])
      .filter(([, v]) => v.amount > 0.005)
      .map(([code, v]) => ({ code, amountUsd: round2(v.amount), detail: v.detail }))
      .sort((a, b) => b.amountUsd - a.amountUsd);
    const expected = reasons.reduce((a, r) => a + r.amountUsd, 0);
    out.push({
      tin,
      name: rs[0].name,
      declarationIds: rs.map((r) => r.declarationId),
      releases: rs.length,
      expectedRevenueUsd: round2(expected),
      estimatedRecoveryUsd: round2(expected * recovery),
      hours: auditHours(rs.length),
      reasons,
      source: reasons[0]?.code ?? 'model',
    });
  }
  // traders with a mismatch but no release in the period (importing without a tax return comes with releases; a tax gap may not)
  return out.sort((a, b) => b.expectedRevenueUsd - a.expectedRevenueUsd || a.tin.localeCompare(b.tin));
}

export interface PlannedItem extends Proposal {
  rank: number;
  selected: boolean;
  /** the draw of the random share (null for proposals ranked by risk) */
  draw: number | null;
}

export interface Plan {
  items: PlannedItem[];
  capacityHours: number;
  randomHours: number;
  hoursPlanned: number;
  eligible: number;
}

/**
 * The plan: first the random share (traders drawn by `draw(seed, tin)`, lowest first, until the
 * random hours are used), then the ranked proposals by expected revenue while capacity lasts.
 * Proposals that do not fit stay on the list below the line (`selected: false`).
 */
export function buildPlan(proposals: readonly Proposal[], capacityHours: number, randomShare: number, seed: string): Plan {
  const randomHours = capacityHours * randomShare;
  const drawn = proposals.map((p) => ({ p, u: draw(seed, `random|${p.tin}`) })).sort((a, b) => a.u - b.u);
  const items: PlannedItem[] = [];
  const taken = new Set<string>();
  let used = 0;
  let randomUsed = 0;
  for (const { p, u } of drawn) {
    if (randomUsed >= randomHours) break;
    if (randomUsed + p.hours > randomHours + 1e-9) continue;
    randomUsed += p.hours;
    taken.add(p.tin);
    items.push({ ...p, source: 'random', rank: 0, selected: true, draw: u });
  }
  used = randomUsed;
  for (const p of proposals) {
    if (taken.has(p.tin)) continue;
    const fits = used + p.hours <= capacityHours + 1e-9;
    if (fits) used += p.hours;
    items.push({ ...p, rank: 0, selected: fits, draw: null });
  }
  // ranked by expected revenue; the random share keeps its place by the same measure
  items.sort((a, b) => Number(b.selected) - Number(a.selected) || b.expectedRevenueUsd - a.expectedRevenueUsd || a.tin.localeCompare(b.tin));
  items.forEach((it, i) => (it.rank = i + 1));
  return { items, capacityHours, randomHours, hoursPlanned: used, eligible: proposals.length };
}

/** A plan of the same capacity made entirely at random (the baseline the risk-ranked plan is measured against). */
export function randomPlan(proposals: readonly Proposal[], capacityHours: number, seed: string): Plan {
  return buildPlan(proposals, capacityHours, 1, seed);
}
