/**
 * Post-clearance audit measured on the simulated region (Guatemala, four months, imports only,
 * with the post-clearance truth and the tax returns with planted mismatches the simulator gives):
 * - the tax-mismatch detector's precision and recall on the planted mismatches (per trader and month);
 * - the month's plan (ranked by expected revenue at stake, 10% drawn at random) against a plan of
 *   the same capacity drawn entirely at random: recovery per audit hour by the truth.
 * The selection and the detector are the module's own pure functions (the service runs them on
 * what the declarations and risk modules give; test/pca-workflow.test.ts drives that path).
 */
import { describe, expect, it } from 'vitest';
import { computeValuation, ValuationIndex } from '../src/modules/intelligence/valuation.ts';
import { detectMismatches, type CustomsMonth, type TaxReturnUsd } from '../src/modules/pca/mismatch.ts';
import { buildPlan, propose, randomPlan, type MismatchInput, type Plan, type Release } from '../src/modules/pca/selection.ts';
import { VAT } from '../src/modules/pca/service.ts';
import { isSensitiveHs, toUsd } from '../src/modules/risk/reference.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { createSimulation, type SimRecord } from '../src/sim/generate.ts';
import { auditRecovery, postClearanceTruth } from '../src/sim/plan/pca.ts';
import { simulateTaxReturns } from '../src/sim/tax.ts';

const COUNTRY = 'GT';
const SEED = 11;

function region() {
  const sim = createSimulation({
    seed: SEED,
    days: 120,
    scale: 0.06,
    start: '2026-01-01',
    countries: [COUNTRY],
    ref: getReferenceData(),
    config: { typeShares: { IM: 1, EX: 0, TR: 0 }, importersPerRegion: 3000, behaviourShares: { compliant: 0.82, careless: 0.1, fraudster: 0.08 } },
  });
  const records: Extract<SimRecord, { kind: 'declaration' }>[] = [];
  for (const r of sim.records()) if (r.kind === 'declaration') records.push(r);
  return records;
}

describe('post-clearance audit on the simulated region', () => {
  const records = region();
  const truth = postClearanceTruth(records);
  const tax = simulateTaxReturns(records, { seed: SEED });
  const imports = records.filter((r) => r.record.type === 'IM');

  // customs per importer and month, in USD, as the service computes it
  const customs = new Map<string, CustomsMonth>();
  for (const r of imports) {
    const tin = r.record.importer?.tin ?? r.record.declarant.tin;
    const period = new Date(r.record.lodgedAt).toISOString().slice(0, 7);
    const e = customs.get(`${tin}|${period}`) ?? { tin, period, importsUsd: 0, declarations: 0, references: [] };
    for (const it of r.record.items) e.importsUsd += toUsd(it.customsValue, it.currency);
    e.declarations++;
    e.references.push(r.record.reference);
    customs.set(`${tin}|${period}`, e);
  }
  const returns: TaxReturnUsd[] = tax.returns.map((t) => ({ tin: t.tin, period: t.period, declaredImportsUsd: toUsd(t.declaredImports, t.currency), purchasesUsd: toUsd(t.purchases, t.currency), salesUsd: toUsd(t.sales, t.currency) }));
  const periods = ['2026-01', '2026-02', '2026-03', '2026-04'];
  const found = detectMismatches([...customs.values()], returns, periods);

  it('finds the planted tax mismatches: precision and recall per trader and month', () => {
    const planted = new Set(tax.planted.filter((p) => periods.includes(p.period)).map((p) => `${p.tin}|${p.period}`));
    const flagged = new Set(found.map((m) => `${m.tin}|${m.period}`));
    const tp = [...flagged].filter((k) => planted.has(k)).length;
    const precision = tp / flagged.size;
    const recall = tp / planted.size;
    const byKind = new Map(tax.planted.map((p) => [`${p.tin}|${p.period}`, p.kind]));
    const sameKind = found.filter((m) => byKind.get(`${m.tin}|${m.period}`) === m.kind).length;
    console.log(`tax mismatches: ${planted.size} planted, ${flagged.size} flagged, ${tp} right: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}; kind right on ${sameKind} of ${tp}`);
    expect(planted.size).toBeGreaterThan(30);
    expect(precision).toBeGreaterThan(0.9);
    expect(recall).toBeGreaterThan(0.85);
    // both kinds of cause are in the truth: the books against customs, and the tax side
    expect(new Set(tax.planted.map((p) => p.cause))).toEqual(new Set(['customs', 'tax']));
  });

  it('the plan recovers more per audit hour than a random plan of the same capacity', () => {
    const from = Date.parse('2026-01-01T00:00:00Z');
    const to = Date.parse('2026-04-01T00:00:00Z');
    const window = imports.filter((r) => {
      const at = Date.parse(r.record.lodgedAt);
      return at >= from && at < to;
    });
    // the valuation database from the stored history of the window
    const valuation = new ValuationIndex(
      computeValuation(window.flatMap((r) => r.record.items.map((i) => ({ country: COUNTRY, hs6: i.hsCode.slice(0, 6), origin: i.origin, usdPerKg: toUsd(i.customsValue, i.currency) / i.netMassKg })))),
    );
    const releases: Release[] = window.map((r) => ({
      declarationId: r.record.reference,
      reference: r.record.reference,
      lodgedAt: Date.parse(r.record.lodgedAt),
      tin: r.record.importer?.tin ?? r.record.declarant.tin,
      name: r.record.importer?.name ?? r.record.declarant.name,
      channel: 'green',
      modelScore: null,
      controlHit: null,
      lines: r.record.items.map((i) => ({ line: i.line, hsCode: i.hsCode, origin: i.origin, netMassKg: i.netMassKg, valueUsd: toUsd(i.customsValue, i.currency), dutyRate: i.dutyRate ?? 0 })),
    }));
    const mismatches = new Map<string, MismatchInput[]>();
    for (const m of found.filter((x) => x.period < '2026-04')) mismatches.set(m.tin, [...(mismatches.get(m.tin) ?? []), m]);
    const proposals = propose(releases, {
      vat: VAT[COUNTRY],
      sensitive: (hs) => (isSensitiveHs(hs) ? { hs: hs.slice(0, 4), reason: 'excise' } : null),
      referenceUsdPerKg: (hs6, origin) => valuation.get(COUNTRY, hs6, origin)?.median ?? null,
      mismatches,
    });
    const totalHours = proposals.reduce((a, p) => a + p.hours, 0);
    const capacity = Math.round(totalHours * 0.1);
    const recovered = (plan: Plan) => {
      let usd = 0;
      let hours = 0;
      for (const it of plan.items.filter((x) => x.selected)) {
        usd += auditRecovery(truth, COUNTRY, it.tin, from, to, new Set(it.declarationIds)).revenueUsd;
        hours += it.hours;
      }
      return { usd, hours, perHour: usd / hours };
    };
    const bp = buildPlan(proposals, capacity, 0.1, `plan-${SEED}`);
    const plan = recovered(bp);
    const baselines = [1, 2, 3, 4, 5].map((k) => recovered(randomPlan(proposals, capacity, `random-${SEED}-${k}`)));
    const randomPerHour = baselines.reduce((a, b) => a + b.perHour, 0) / baselines.length;
    const ratio = plan.perHour / randomPerHour;
    console.log(
      `plan ${COUNTRY} 2026-04 (window Jan-Mar, ${releases.length} releases, ${proposals.length} traders, capacity ${capacity} h of ${Math.round(totalHours)} h): ` +
        `the plan recovers USD ${Math.round(plan.usd).toLocaleString('en-US')} in ${plan.hours} h = USD ${plan.perHour.toFixed(2)} per audit hour; ` +
        `a random plan of the same capacity USD ${randomPerHour.toFixed(2)} per hour (mean of 5 draws): ratio ${ratio.toFixed(2)}`,
    );
    expect(plan.hours).toBeLessThanOrEqual(capacity);
    expect(ratio).toBeGreaterThan(3);
    // the random share of the plan is drawn and recorded
    expect(bp.items.filter((x) => x.source === 'random' && x.selected).every((x) => typeof x.draw === 'number')).toBe(true);
    expect(bp.items.some((x) => x.source === 'random' && x.selected)).toBe(true);
  });
});
