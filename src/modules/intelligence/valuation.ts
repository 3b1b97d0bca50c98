/**
 * The valuation database: reference unit prices per administration × HS subheading × origin
 * (and unit basis), as robust statistics (quartiles, count) over the accepted history, that is
 * the declarations whose control found no value discrepancy (uncontrolled ones count as accepted).
 * Pure statistics and a lookup here; `refreshValuation` stores them in
 * `valuation_reference_prices`. Origin "*" pools every origin; unit "KGM" is USD per kg of net
 * mass; another unit code is USD per declared unit of that kind (e.g. "H87": per piece).
 */
import { sql } from 'drizzle-orm';
import { queryRows, schema, type Tx } from '../../db/client.ts';
import { usdSql } from '../risk/reference.ts';
import { importItemsSql } from '../declarations/reads.ts';
import { hitDeclarationsSql } from '../risk/reads.ts';

export const ALL_ORIGINS = '*';
export const PER_KG = 'KGM';

export interface ValuationStat {
  country: string;
  hs6: string;
  origin: string;
  unit: string;
  n: number;
  q1: number;
  median: number;
  q3: number;
}

export interface ValuationSample {
  country: string;
  hs6: string;
  origin: string;
  /** USD per kg of net mass */
  usdPerKg: number;
  /** USD per declared unit, with the unit code (skipped when the unit is KGM) */
  usdPerUnit?: number;
  unit?: string;
}

function quantile(sorted: number[], q: number): number {
  // linear interpolation between closest ranks, as PostgreSQL's percentile_cont
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Quartiles per (country, HS6, origin | "*", unit basis); groups with fewer than minSamples are left out. */
export function computeValuation(samples: Iterable<ValuationSample>, minSamples = 5): ValuationStat[] {
  const acc = new Map<string, number[]>();
  const push = (k: string, v: number) => {
    if (!(v > 0) || !Number.isFinite(v)) return;
    let a = acc.get(k);
    if (!a) acc.set(k, (a = []));
    a.push(v);
  };
  for (const s of samples) {
    for (const o of [s.origin, ALL_ORIGINS]) {
      push(`${s.country}|${s.hs6}|${o}|${PER_KG}`, s.usdPerKg);
      if (s.unit && s.unit !== PER_KG && s.usdPerUnit !== undefined) push(`${s.country}|${s.hs6}|${o}|${s.unit}`, s.usdPerUnit);
    }
  }
  const out: ValuationStat[] = [];
  for (const [k, a] of acc) {
    if (a.length < minSamples) continue;
    a.sort((x, y) => x - y);
    const [country, hs6, origin, unit] = k.split('|');
    out.push({ country, hs6, origin, unit, n: a.length, q1: quantile(a, 0.25), median: quantile(a, 0.5), q3: quantile(a, 0.75) });
  }
  return out.sort((a, b) => (a.country + a.hs6 + a.origin + a.unit < b.country + b.hs6 + b.origin + b.unit ? -1 : 1));
}

/** Looks reference prices up: the origin's own when it has enough history, else every origin's. */
export class ValuationIndex {
  private byKey = new Map<string, ValuationStat>();
  loadedAt = 0;

  constructor(stats: Iterable<ValuationStat> = []) {
    for (const s of stats) this.byKey.set(`${s.country}|${s.hs6}|${s.origin}|${s.unit}`, s);
  }

  get size(): number {
    return this.byKey.size;
  }

  get(country: string, hs6: string, origin: string, unit = PER_KG): ValuationStat | undefined {
    return this.byKey.get(`${country}|${hs6}|${origin}|${unit}`) ?? this.byKey.get(`${country}|${hs6}|${ALL_ORIGINS}|${unit}`);
  }

  /** median USD per kg per HS6 of every origin, per administration: the feed of the CEL `refUnitValue` */
  medians(): Map<string, Map<string, number>> {
    const m = new Map<string, Map<string, number>>();
    for (const s of this.byKey.values()) {
      if (s.origin !== ALL_ORIGINS || s.unit !== PER_KG) continue;
      let c = m.get(s.country);
      if (!c) m.set(s.country, (c = new Map()));
      c.set(s.hs6, s.median);
    }
    return m;
  }

  stats(): ValuationStat[] {
    return [...this.byKey.values()];
  }
}

/**
 * The undervaluation signal of a declared unit value against the reference: the ratio to the
 * median, and a flag when it is below `factor` × the first quartile (the robust lower fence).
 */
export function undervaluation(usdPerKg: number, s: ValuationStat | undefined, factor = 0.75): { ratio: number; belowQ1: number; flagged: boolean } | null {
  if (!s || !(usdPerKg > 0) || !(s.median > 0)) return null;
  return { ratio: usdPerKg / s.median, belowQ1: s.q1 > 0 ? usdPerKg / s.q1 : NaN, flagged: s.q1 > 0 && usdPerKg < factor * s.q1 };
}

// ------------------------------------------------------------------ storage

/** Recomputes the reference prices of an administration from its accepted import history in [from, to). */
export async function refreshValuation(tx: Tx, country: string, from: Date, to: Date, now: Date, minSamples = 5): Promise<{ groups: number }> {
  const usd = usdSql(sql`i.customs_value`, sql`i.currency`);
  // the declarations module's import items, less those of declarations a control found a discrepancy in (risk's)
  const accepted = sql`(${importItemsSql(country, from, to)}) i where i.declaration_id not in (${hitDeclarationsSql(country)})`;
  const rows = await queryRows<{ hs6: string; origin: string | null; unit: string; n: number; q: number[] }>(
    tx,
    sql`select substr(i.hs_code, 1, 6) as hs6, i.origin, ${PER_KG} as unit, count(*)::int as n,
               percentile_cont(array[0.25, 0.5, 0.75]) within group (order by ${usd} / i.net_mass_kg) as q
          from ${accepted}
          group by grouping sets ((substr(i.hs_code, 1, 6), i.origin), (substr(i.hs_code, 1, 6)))
          having count(*) >= ${minSamples}
        union all
        select substr(i.hs_code, 1, 6) as hs6, i.origin, i.unit, count(*)::int as n,
               percentile_cont(array[0.25, 0.5, 0.75]) within group (order by ${usd} / i.quantity) as q
          from ${accepted} and i.unit <> ${PER_KG} and i.quantity > 0
          group by grouping sets ((substr(i.hs_code, 1, 6), i.origin, i.unit), (substr(i.hs_code, 1, 6), i.unit))
          having count(*) >= ${minSamples}`,
  );
  await tx.delete(schema.valuationPrices).where(sql`${schema.valuationPrices.country} = ${country}`);
  const values = rows.map((r) => {
    const q = (typeof r.q === 'string' ? JSON.parse((r.q as string).replace('{', '[').replace('}', ']')) : r.q).map(Number) as number[];
    return { country, hs6: r.hs6, origin: r.origin ?? ALL_ORIGINS, unit: r.unit, n: Number(r.n), q1: q[0], median: q[1], q3: q[2], windowFrom: from, windowTo: to, refreshedAt: now };
  });
  for (let k = 0; k < values.length; k += 1000) await tx.insert(schema.valuationPrices).values(values.slice(k, k + 1000));
  return { groups: values.length };
}

export async function loadValuation(tx: Tx, countries?: string[]): Promise<ValuationIndex> {
  const rows = countries?.length
    ? await tx.select().from(schema.valuationPrices).where(sql`${schema.valuationPrices.country} in ${countries}`)
    : await tx.select().from(schema.valuationPrices);
  const ix = new ValuationIndex(rows.map((r) => ({ country: r.country, hs6: r.hs6, origin: r.origin, unit: r.unit, n: r.n, q1: r.q1, median: r.median, q3: r.q3 })));
  ix.loadedAt = Date.now();
  return ix;
}
