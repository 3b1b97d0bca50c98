import { describe, expect, it } from 'vitest';
import type { RawMatrix } from './binning.ts';
import { trainGbdt } from './gbdt.ts';
import { auc } from './metrics.ts';
import { GbdtModel, type TreeJson } from './model.ts';
import { Prng } from './prng.ts';

/** y depends on an XOR of two numeric features and on a 500-level categorical effect. */
function synthetic(n: number, seed: number, effects: Float64Array): { x: RawMatrix; y: Float64Array } {
  const rng = new Prng(seed);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const noise = new Float64Array(n);
  const cat = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = rng.next();
    b[i] = rng.next();
    noise[i] = rng.next() < 0.05 ? NaN : rng.next();
    cat[i] = rng.int(500);
    const xor = a[i] > 0.5 !== b[i] > 0.5 ? 1.5 : -1.5;
    const z = xor + effects[cat[i]];
    y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return {
    x: {
      nRows: n,
      features: [
        { name: 'a', kind: 'numeric' },
        { name: 'b', kind: 'numeric' },
        { name: 'noise', kind: 'numeric' },
        { name: 'cat', kind: 'categorical' },
      ],
      columns: [a, b, noise, cat],
    },
    y,
  };
}

function catEffects(): Float64Array {
  const rng = new Prng(99);
  return Float64Array.from({ length: 500 }, () => (rng.next() < 0.5 ? -2 : 2));
}

/** The best possible AUC: ranking by the true log-odds. */
function oracleAuc(d: { x: RawMatrix; y: Float64Array }, effects: Float64Array): number {
  const [a, b, , c] = d.x.columns;
  const z = Float64Array.from({ length: d.x.nRows }, (_, i) => (a[i] > 0.5 !== b[i] > 0.5 ? 1.5 : -1.5) + effects[c[i]]);
  return auc(d.y, z);
}

describe('gbdt', () => {
  const effects = catEffects();
  const train = synthetic(20_000, 1, effects);
  const valid = synthetic(5_000, 2, effects);
  const test = synthetic(5_000, 3, effects);

  it('learns an XOR interaction and a 500-category effect', () => {
    const model = trainGbdt(train, { rounds: 300, learningRate: 0.1, maxLeaves: 15, minDataInLeaf: 20 }, { valid });
    const got = auc(test.y, model.predictMargin(test.x));
    const best = oracleAuc(test, effects);
    expect(got).toBeGreaterThan(best - 0.02);
    expect(got).toBeGreaterThan(0.85);
    // the categorical feature is used through category-set splits
    expect(model.json.trees.some((t) => t.catLeft.some((c) => c && c.length > 1))).toBe(true);
  });

  it('is deterministic for a seed, and the seed matters', () => {
    const params = { rounds: 20, maxLeaves: 15, subsample: 0.7, colsample: 0.75, colsampleByNode: 0.8, seed: 7 };
    const m1 = JSON.stringify(trainGbdt(train, params));
    const m2 = JSON.stringify(trainGbdt(train, params));
    expect(m1).toBe(m2);
    expect(JSON.stringify(trainGbdt(train, { ...params, seed: 8 }))).not.toBe(m1);
  });

  it('gives the same model on one thread and on two (main thread + worker over shared memory)', () => {
    const params = { rounds: 15, maxLeaves: 31, colsample: 0.75, colsampleByNode: 0.8, seed: 3 };
    const one = JSON.stringify(trainGbdt(train, params, { threads: 1 }));
    const two = JSON.stringify(trainGbdt(train, params, { threads: 2 }));
    expect(two).toBe(one);
  });

  it('serialises to JSON and loads back with identical predictions', () => {
    const model = trainGbdt(train, { rounds: 30, maxLeaves: 31 });
    const loaded = GbdtModel.fromJSON(JSON.parse(JSON.stringify(model)));
    expect(Array.from(loaded.predictMargin(test.x))).toEqual(Array.from(model.predictMargin(test.x)));
    expect(() => GbdtModel.fromJSON({ format: 'other' })).toThrow(/not a centinela-gbdt model/);
    expect(() => GbdtModel.fromJSON({ ...model.toJSON(), version: 99 })).toThrow(/version 99/);
  });

  it('predicts unseen categories and missing values (they take the "other" branch)', () => {
    const model = trainGbdt(train, { rounds: 10, maxLeaves: 15 });
    const x: RawMatrix = { nRows: 2, features: train.x.features, columns: [Float64Array.of(0.2, NaN), Float64Array.of(0.7, NaN), Float64Array.of(NaN, NaN), Float64Array.of(123456, NaN)] };
    const p = model.predict(x);
    expect(p.every((v) => v > 0 && v < 1)).toBe(true);
  });

  it('names the parameter at fault', () => {
    expect(() => trainGbdt(train, { learningRate: 0 })).toThrow(/learningRate/);
    expect(() => trainGbdt(train, { maxLeaves: 1 })).toThrow(/maxLeaves/);
  });

  it('TreeSHAP contributions plus the expected value sum to the margin', () => {
    const model = trainGbdt(train, { rounds: 40, maxLeaves: 31 });
    const margin = model.predictMargin(test.x);
    for (const r of [0, 1, 2, 17, 256]) {
      const phi = model.shap(test.x, r);
      let s = 0;
      for (const v of phi) s += v;
      expect(s).toBeCloseTo(margin[r], 9);
    }
  });

  it('TreeSHAP equals brute-force Shapley values on a small model', () => {
    const model = trainGbdt(train, { rounds: 4, maxLeaves: 6, learningRate: 0.3 });
    const trees = model.json.trees;
    const M = train.x.features.length;
    const goLeft = (t: TreeJson, node: number, r: number) => {
      const f = t.feature[node];
      const v = test.x.columns[f][r];
      const cats = t.catLeft[node];
      if (cats) return cats.includes(v) || (t.defaultLeft[node] === 1 && !(model.json.features[f].categories ?? []).includes(v));
      return Number.isNaN(v) ? t.defaultLeft[node] === 1 : v <= t.threshold[node];
    };
    const cond = (t: TreeJson, node: number, r: number, S: number): number => {
      if (t.feature[node] < 0) return t.value[node];
      const f = t.feature[node];
      if (S & (1 << f)) return cond(t, goLeft(t, node, r) ? t.left[node] : t.right[node], r, S);
      const l = t.left[node];
      const rr = t.right[node];
      return (t.cover[l] * cond(t, l, r, S) + t.cover[rr] * cond(t, rr, r, S)) / t.cover[node];
    };
    const v = (r: number, S: number) => trees.reduce((s, t) => s + cond(t, 0, r, S), model.json.baseScore);
    const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
    for (const r of [0, 5, 9]) {
      const phi = model.shap(test.x, r);
      for (let i = 0; i < M; i++) {
        let exact = 0;
        for (let S = 0; S < 1 << M; S++) {
          if (S & (1 << i)) continue;
          let size = 0;
          for (let k = 0; k < M; k++) if (S & (1 << k)) size++;
          exact += ((fact(size) * fact(M - size - 1)) / fact(M)) * (v(r, S | (1 << i)) - v(r, S));
        }
        expect(phi[i]).toBeCloseTo(exact, 10);
      }
      expect(phi[M]).toBeCloseTo(v(r, 0), 10);
    }
  });
});
