import { describe, expect, it } from 'vitest';
import { hashString, Rng, WeightedTable } from './random.ts';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('the seeded random source', () => {
  it('repeats itself for a seed and differs between seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 50 }, () => a.nextU32());
    expect(Array.from({ length: 50 }, () => b.nextU32())).toEqual(sa);
    expect(Array.from({ length: 50 }, () => c.nextU32())).not.toEqual(sa);
    expect(Rng.derive(1, 'x').nextU32()).toBe(Rng.derive(1, 'x').nextU32());
    expect(Rng.derive(1, 'x').nextU32()).not.toBe(Rng.derive(1, 'y').nextU32());
    expect(hashString('abc')).toBe(hashString('abc'));
  });

  it('gives uniform floats in [0, 1) and whole numbers within bounds', () => {
    const r = new Rng(7);
    const xs = Array.from({ length: 20_000 }, () => r.float());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(mean(xs)).toBeCloseTo(0.5, 1);
    const ints = Array.from({ length: 5000 }, () => r.int(3, 6));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5, 6]));
  });

  it('draws normal, log-normal, Pareto, Poisson and geometric values with the right centre', () => {
    const r = new Rng(11);
    const n = Array.from({ length: 20_000 }, () => r.normal(5, 2));
    expect(mean(n)).toBeCloseTo(5, 1);
    const sd = Math.sqrt(mean(n.map((x) => (x - 5) ** 2)));
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
    const ln = Array.from({ length: 20_001 }, () => r.logNormal(100, 0.5)).sort((a, b) => a - b);
    expect(ln[10_000]).toBeGreaterThan(95);
    expect(ln[10_000]).toBeLessThan(105);
    const p = Array.from({ length: 20_000 }, () => r.pareto(1, 2));
    expect(Math.min(...p)).toBeGreaterThanOrEqual(1);
    expect(mean(p)).toBeGreaterThan(1.8); // alpha/(alpha-1) = 2
    expect(mean(p)).toBeLessThan(2.2);
    expect(mean(Array.from({ length: 20_000 }, () => r.poisson(3.5)))).toBeCloseTo(3.5, 1);
    expect(mean(Array.from({ length: 5000 }, () => r.poisson(400))) / 400).toBeCloseTo(1, 2);
    expect(mean(Array.from({ length: 20_000 }, () => r.geometric(2.5)))).toBeCloseTo(2.5, 1);
  });

  it('picks from a weighted table in proportion to the weights', () => {
    const r = new Rng(3);
    const t = new WeightedTable(['a', 'b', 'c'], [1, 0, 3]);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 40_000; i++) counts[t.pick(r)]++;
    expect(counts.b).toBe(0);
    expect(counts.a / 40_000).toBeCloseTo(0.25, 1);
    expect(t.probability(2)).toBe(0.75);
    expect(() => new WeightedTable([], [])).toThrow();
    expect(() => new WeightedTable(['x'], [0])).toThrow();
  });
});
