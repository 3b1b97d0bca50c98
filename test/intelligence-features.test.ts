import { describe, expect, it } from 'vitest';
import { HistoryIndex, describeFeature, FEATURE_INDEX, type RawRow } from '../src/modules/intelligence/features.ts';
import { explore, psi } from '../src/modules/intelligence/lifecycle.ts';
import { computeValuation, undervaluation, ValuationIndex } from '../src/modules/intelligence/valuation.ts';

describe('intelligence features', () => {
  it('counts a trader history strictly before the lodgement time (no leakage)', () => {
    const h = new HistoryIndex();
    h.declaration('importer', 'T1', 100);
    h.declaration('importer', 'T1', 200);
    h.control('importer', 'T1', 200);
    h.hit('importer', 'T1', 250);
    expect(h.get('importer', 'T1', 200)).toEqual({ declarations: 1, controls: 0, hits: 0, seizures: 0, firstSeen: 100 });
    expect(h.get('importer', 'T1', 251)).toEqual({ declarations: 2, controls: 1, hits: 1, seizures: 0, firstSeen: 100 });
    expect(h.get('declarant', 'T1', 251).declarations).toBe(0);
  });

  it('reference prices: quartiles per HS6 × origin and pooled, the origin falling back to all origins', () => {
    const samples = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((v) => ({ country: 'GT', hs6: '610910', origin: v < 6 ? 'CN' : 'US', usdPerKg: v }));
    const ix = new ValuationIndex(computeValuation(samples, 5));
    expect(ix.get('GT', '610910', 'CN')).toMatchObject({ n: 5, q1: 2, median: 3, q3: 4 });
    expect(ix.get('GT', '610910', 'US')).toMatchObject({ origin: '*', n: 9, median: 5 });
    expect(undervaluation(1, ix.get('GT', '610910', 'CN'))).toMatchObject({ flagged: true });
    expect(ix.medians().get('GT')?.get('610910')).toBe(5);
  });

  it('reads features in plain words', () => {
    const row: RawRow = [];
    row[FEATURE_INDEX.unitValueRatio] = 0.4;
    row[FEATURE_INDEX.manifestMassRatio] = 0.78;
    expect(describeFeature(FEATURE_INDEX.unitValueRatio, row)).toBe('unit value 0.4× the reference price');
    expect(describeFeature(FEATURE_INDEX.manifestMassRatio, row)).toBe("declared mass 78% of the manifest's");
  });

  it('explores near the boundary at the configured share, and measures stability', () => {
    const b = { band: [0.2, 0.4] as [number, number], bandShare: 0.1 };
    expect(explore(0.3, 0.05, { rate: 0.01, mode: 'uncertain' }, b).selected).toBe(true);
    expect(explore(0.3, 0.05, { rate: 0.01, mode: 'uncertain' }, b).p).toBeCloseTo(0.1);
    expect(explore(0.9, 0.05, { rate: 0.01, mode: 'uncertain' }, b).selected).toBe(false);
    expect(explore(0.9, 0.005, { rate: 0.01, mode: 'random' }, b).selected).toBe(true);
    expect(psi([0.5, 0.5], [0.5, 0.5])).toBe(0);
    expect(psi([0.5, 0.5], [0.9, 0.1])).toBeGreaterThan(0.25);
  });
});
