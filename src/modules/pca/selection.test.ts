import { describe, expect, it } from 'vitest';
import { draw } from './draw.ts';
import { detectMismatches } from './mismatch.ts';
import { planCsv } from './report.ts';
import { buildPlan, propose, taxesOn, type Release } from './selection.ts';

const release = (tin: string, valueUsd: number, o: Partial<Release> = {}): Release => ({
  declarationId: `${tin}-${valueUsd}`,
  reference: `R-${tin}-${valueUsd}`,
  lodgedAt: 0,
  tin,
  name: `Trader ${tin}`,
  channel: 'green',
  modelScore: null,
  controlHit: null,
  lines: [{ line: 1, hsCode: '85171300', origin: 'CN', netMassKg: 100, valueUsd, dutyRate: 10 }],
  ...o,
});
const ctx = { vat: 12, sensitive: () => null, referenceUsdPerKg: () => null, mismatches: new Map() };

describe('audit selection', () => {
  it('states each reason with its amount and leaves out what a control already found', () => {
    const [p, ...rest] = propose([release('A', 10_000, { modelScore: 0.5 }), release('B', 10_000, { controlHit: true })], { ...ctx, referenceUsdPerKg: () => 200 });
    expect(rest).toEqual([]);
    expect(p.tin).toBe('A');
    const model = 0.5 * taxesOn(10_000, 10, 12);
    const valuation = 0.8 * taxesOn(200 * 100 - 10_000, 10, 12);
    expect(p.reasons.map((r) => r.code)).toEqual(['valuation', 'model']);
    expect(p.reasons[0].amountUsd).toBeCloseTo(valuation, 2);
    expect(p.reasons[1].amountUsd).toBeCloseTo(model, 2);
    expect(p.expectedRevenueUsd).toBeCloseTo(model + valuation, 1);
  });

  it('keeps the plan within capacity, draws the random share from the recorded seed, ranks by expected revenue', () => {
    const proposals = propose(Array.from({ length: 30 }, (_, i) => release(`T${i}`, 1000 * (i + 1))), ctx);
    const plan = buildPlan(proposals, 100, 0.3, 'seed-1');
    const selected = plan.items.filter((x) => x.selected);
    expect(selected.reduce((a, x) => a + x.hours, 0)).toBeLessThanOrEqual(100);
    const random = selected.filter((x) => x.source === 'random');
    expect(random.reduce((a, x) => a + x.hours, 0)).toBeLessThanOrEqual(30);
    for (const r of random) expect(r.draw).toBe(draw('seed-1', `random|${r.tin}`));
    expect(buildPlan(proposals, 100, 0.3, 'seed-1').items.map((x) => x.tin)).toEqual(plan.items.map((x) => x.tin));
    const ranked = selected.map((x) => x.expectedRevenueUsd);
    expect(ranked).toEqual([...ranked].sort((a, b) => b - a));
    expect(plan.items.map((x) => x.rank)).toEqual(plan.items.map((_, i) => i + 1));
  });

  it('writes the plan as CSV without letting a cell run as a formula', () => {
    const csv = planCsv({ country: 'GT', month: '2026-06', status: 'approved', capacityHours: 10, hoursPlanned: 10, randomShare: 0, createdBy: 'a', decidedBy: 'b', items: [{ rank: 1, traderTin: '1-1', traderName: '=HYPERLINK("x")', source: 'model', expectedRevenue: 1, estimatedRecovery: 1, hours: 10, selected: true, reasons: [] }] });
    expect(csv.split('\n')[1]).toBe(`1,1-1,"'=HYPERLINK(""x"")",model,1.00,1.00,10,yes,`);
  });
});

describe('customs against tax', () => {
  const c = (tin: string, period: string, importsUsd: number) => ({ tin, period, importsUsd, declarations: 1, references: [`${tin}-${period}`] });
  const r = (tin: string, period: string, declaredImportsUsd: number, salesUsd = declaredImportsUsd * 2) => ({ tin, period, declaredImportsUsd, purchasesUsd: 0, salesUsd });
  it('tells a value gap, a time shift, a missing return and inconsistent sales apart, and leaves the consistent alone', () => {
    const found = detectMismatches(
      [c('GAP', '2026-01', 100_000), c('SHIFT', '2026-01', 100_000), c('SHIFT', '2026-02', 50_000), c('NONE', '2026-01', 30_000), c('SALES', '2026-01', 80_000), c('OK', '2026-01', 60_000), c('SMALL', '2026-01', 500)],
      [r('GAP', '2026-01', 50_000), r('SHIFT', '2026-01', 20_000, 300_000), r('SHIFT', '2026-02', 130_000), r('SALES', '2026-01', 80_000, 20_000), r('OK', '2026-01', 61_000)],
      ['2026-01'],
    );
    expect(found.map((m) => `${m.tin}:${m.kind}`).sort()).toEqual(['GAP:value_gap', 'NONE:no_return', 'SALES:sales_inconsistent', 'SHIFT:time_shift']);
    expect(found.find((m) => m.tin === 'SHIFT')!.evidence.shiftedTo).toBe('2026-02');
  });
});
