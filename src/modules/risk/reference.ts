import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { importUnitValueMedians } from '../declarations/service.ts';

/**
 * Reference data the risk engine needs beyond the foundation's: indicative exchange rates (to
 * compare values in one currency) and the sensitive goods list. The rates are indicative
 * (units of the currency per USD, early 2026) until an exchange-rate feed replaces them.
 */
export const INDICATIVE_RATES_PER_USD: Record<string, number> = {
  USD: 1,
  PAB: 1,
  GTQ: 7.7,
  HNL: 26,
  NIO: 36.7,
  CRC: 505,
  DOP: 62,
  MXN: 18.5,
  BZD: 2,
  EUR: 0.92,
  CNY: 7.2,
};

export function toUsd(value: number, currency: string): number {
  const r = INDICATIVE_RATES_PER_USD[currency];
  return r ? value / r : value;
}

/** SQL: a value column in USD, by the same indicative rates. */
export function usdSql(value: SQL, currency: SQL): SQL {
  const cases = Object.entries(INDICATIVE_RATES_PER_USD)
    .filter(([, r]) => r !== 1)
    .map(([c, r]) => sql`when ${sql.raw(`'${c}'`)} then ${value} / ${sql.raw(String(r))}`);
  return sql`(case ${currency} ${sql.join(cases, sql` `)} else ${value} end)`;
}

/** Sensitive goods: high revenue or safety risk (HS chapters and headings). */
const SENSITIVE_PREFIXES = ['2203', '2204', '2205', '2206', '2207', '2208', '24', '2710', '2711', '30', '61', '62', '64', '93', '3601', '3602', '3603', '3604', '2939', '7108', '8703'];

export function isSensitiveHs(hs: string): boolean {
  for (const p of SENSITIVE_PREFIXES) if (hs.startsWith(p)) return true;
  return false;
}

/** Where reference unit values come from when not from the query of ReferencePrices.load. */
export interface ReferencePriceSource {
  /** median USD per kg per administration and HS subheading; null = none (use the built-in query) */
  medians(tx: Tx, now: Date): Promise<Map<string, Map<string, number>> | null>;
}

/**
 * Reference unit values (median USD per kg of net mass) per HS subheading and administration,
 * from the declarations stored: the valuation database's first approximation. Subheadings with
 * fewer than `minSamples` declarations have none.
 */
export class ReferencePrices {
  private byCountry = new Map<string, Map<string, number>>();
  loadedAt = 0;
  private source: ReferencePriceSource | null = null;

  /**
   * Takes the medians from another source (the valuation database of the intelligence module)
   * instead of the query below; a source answering null leaves the query in charge.
   */
  useSource(s: ReferencePriceSource | null): void {
    this.source = s;
    this.loadedAt = 0;
  }

  refPrice(country: string, hs6: string): number {
    return this.byCountry.get(country)?.get(hs6) ?? 0;
  }

  /** the administration's table as plain data (for the backtest worker threads) */
  table(country: string): Record<string, number> {
    return Object.fromEntries(this.byCountry.get(country) ?? []);
  }

  set(country: string, prices: Map<string, number>): void {
    this.byCountry.set(country, prices);
  }

  /** from plain samples (value USD, net kg, HS): used by tests, the simulator and backtests */
  static fromSamples(samples: Iterable<{ country: string; hs6: string; usdPerKg: number }>, minSamples = 5): ReferencePrices {
    const acc = new Map<string, number[]>();
    for (const s of samples) {
      if (!(s.usdPerKg > 0)) continue;
      const k = `${s.country}|${s.hs6}`;
      let a = acc.get(k);
      if (!a) acc.set(k, (a = []));
      a.push(s.usdPerKg);
    }
    const rp = new ReferencePrices();
    for (const [k, a] of acc) {
      if (a.length < minSamples) continue;
      a.sort((x, y) => x - y);
      const [country, hs6] = k.split('|');
      let m = rp.byCountry.get(country);
      if (!m) rp.byCountry.set(country, (m = new Map()));
      m.set(hs6, a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2);
    }
    rp.loadedAt = Date.now();
    return rp;
  }

  /** medians over the stored import items of the last `days` days */
  async load(tx: Tx, now: Date, days = 365, minSamples = 5): Promise<void> {
    const fed = this.source ? await this.source.medians(tx, now) : null;
    if (fed) {
      this.byCountry = new Map([...fed].map(([c, m]) => [c, new Map(m)]));
      this.loadedAt = Date.now();
      return;
    }
    const since = new Date(now.getTime() - days * 86_400_000);
    // the stored import items, read by the declarations module (its service), in USD by these rates
    const rows = await importUnitValueMedians(tx, { since, minSamples, usd: usdSql });
    this.byCountry.clear();
    for (const r of rows) {
      let m = this.byCountry.get(r.country);
      if (!m) this.byCountry.set(r.country, (m = new Map()));
      m.set(r.hs6, Number(r.p));
    }
    this.loadedAt = Date.now();
  }
}
