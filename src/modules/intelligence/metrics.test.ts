import { describe, expect, it } from 'vitest';
import { auc, inspectedCount, logloss, precisionRecallAt } from './metrics.ts';

describe('metrics', () => {
  it('AUC counts tied scores as half', () => {
    // pairs (pos, neg): (0.8, 0.8) tie = 0.5; (0.8, 0.1) = 1; (0.3, 0.8) = 0; (0.3, 0.1) = 1 -> 2.5 / 4
    expect(auc([1, 0, 1, 0], [0.8, 0.8, 0.3, 0.1])).toBeCloseTo(0.625, 12);
    expect(auc([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1])).toBe(1);
    expect(auc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1])).toBe(0);
    expect(auc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
    expect(auc([1, 1], [0.1, 0.2])).toBeNaN();
  });

  it('AUC matches the pairwise definition on random data with ties', () => {
    const n = 300;
    const y: number[] = [];
    const s: number[] = [];
    for (let i = 0; i < n; i++) {
      y.push((i * 7919) % 3 === 0 ? 1 : 0);
      s.push(((i * 104729) % 17) / 17);
    }
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (y[i] === 1 && y[j] === 0) {
      den++;
      num += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
    expect(auc(y, s)).toBeCloseTo(num / den, 12);
  });

  it('precision and recall at the top n%', () => {
    // 10 rows, 4 frauds; ranked: 0.9(1) 0.8(0) 0.7(1) 0.6(1) 0.5(0) ...
    const y = [1, 0, 1, 1, 0, 0, 0, 1, 0, 0];
    const s = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];
    const [p10, p20, p50] = precisionRecallAt(y, s, [10, 20, 50]);
    expect(p10).toMatchObject({ inspected: 1, hits: 1, precision: 1, recall: 0.25 });
    expect(p20).toMatchObject({ inspected: 2, hits: 1, precision: 0.5, recall: 0.25 });
    expect(p50).toMatchObject({ inspected: 5, hits: 3, precision: 0.6, recall: 0.75 });
    expect(inspectedCount(8134, 1)).toBe(81);
    expect(inspectedCount(10, 1)).toBe(1);
  });

  it('log-loss', () => {
    expect(logloss([1, 0], [0.5, 0.5])).toBeCloseTo(Math.log(2), 12);
    expect(logloss([1, 0], [0.9, 0.2])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 12);
  });
});
