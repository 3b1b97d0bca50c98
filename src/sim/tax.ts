/**
 * The tax administration's side of the simulated region: a periodic return per importer and month
 * (imports declared to tax, purchases, sales; in USD) made from the run's imports as the trader's
 * books have them: at their TRUE value, so a trader who undervalued or under-declared at customs
 * shows imports to tax above imports to customs (a value_gap recorded with cause `customs`). Tax-side
 * mismatches are planted besides and recorded as truth: imports under-declared to tax (value_gap),
 * imports declared to tax a month late (time_shift, both months), no return for a month with
 * imports (no_return), sales inconsistent with the month's imports (sales_inconsistent); fraudsters
 * more often. Reads the records a run emitted and draws from its own random stream: the customs
 * side of the run is unchanged.
 */
import type { SimRecord } from './records.ts';
import { Rng } from './random.ts';

export interface SimTaxReturn {
  country: string;
  tin: string;
  period: string;
  declaredImports: number;
  purchases: number;
  sales: number;
  currency: string;
}

export type PlantedKind = 'value_gap' | 'time_shift' | 'no_return' | 'sales_inconsistent';

export interface PlantedMismatch {
  country: string;
  tin: string;
  period: string;
  kind: PlantedKind;
  /** `customs`: the books show the true value of goods undervalued or under-declared at customs; `tax`: planted on the tax side */
  cause: 'customs' | 'tax';
}

export interface TaxSimOptions {
  seed: number;
  /** share of a fraudster's trader-months planted with a mismatch */
  fraudsterRate?: number;
  /** share of the other traders' trader-months planted */
  otherRate?: number;
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const nextPeriod = (p: string) => {
  const [y, m] = p.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
};

export function simulateTaxReturns(records: Iterable<SimRecord>, o: TaxSimOptions): { returns: SimTaxReturn[]; planted: PlantedMismatch[] } {
  const months = new Map<string, { country: string; tin: string; period: string; value: number; trueValue: number; fraudster: boolean }>();
  for (const r of records) {
    if (r.kind !== 'declaration' || r.record.type !== 'IM') continue;
    const tin = r.record.importer?.tin ?? r.record.declarant.tin;
    const period = new Date(r.record.lodgedAt).toISOString().slice(0, 7);
    const k = `${r.record.country}|${tin}|${period}`;
    const e = months.get(k) ?? { country: r.record.country, tin, period, value: 0, trueValue: 0, fraudster: false };
    const d = r.truth.details as { traderBehaviour?: string; exchangeRate?: number; items?: { trueValueUsd: number }[] };
    for (const it of r.record.items) e.value += it.customsValue / (it.currency === 'USD' ? 1 : (d.exchangeRate ?? 1));
    for (const it of d.items ?? []) e.trueValue += it.trueValueUsd;
    if (d.traderBehaviour === 'fraudster') e.fraudster = true;
    months.set(k, e);
  }
  const periods = [...new Set([...months.values()].map((m) => m.period))].sort();
  const last = periods.at(-1);
  const returns = new Map<string, SimTaxReturn>();
  const planted: PlantedMismatch[] = [];
  const plantedKeys = new Set<string>();
  const sorted = [...months.values()].sort((a, b) => a.country.localeCompare(b.country) || a.tin.localeCompare(b.tin) || a.period.localeCompare(b.period));
  for (const m of sorted) {
    const rng = Rng.derive(o.seed, `tax:${m.country}:${m.tin}:${m.period}`);
    const key = `${m.country}|${m.tin}|${m.period}`;
    const existing = returns.get(key);
    const books = m.trueValue || m.value;
    const purchases = r2(books * rng.uniform(0.2, 0.8));
    const ret: SimTaxReturn = existing ?? { country: m.country, tin: m.tin, period: m.period, declaredImports: 0, purchases, sales: 0, currency: 'USD' };
    ret.declaredImports = r2(ret.declaredImports + books * rng.uniform(0.98, 1.02));
    ret.sales = r2((books + purchases) * rng.uniform(1.1, 1.6));
    returns.set(key, ret);
    if (plantedKeys.has(key)) continue; // the second month of a time shift
    if (books > 0 && (books - m.value) / books > 0.15) {
      planted.push({ country: m.country, tin: m.tin, period: m.period, kind: 'value_gap', cause: 'customs' });
      plantedKeys.add(key);
      continue;
    }
    const rate = m.fraudster ? (o.fraudsterRate ?? 0.2) : (o.otherRate ?? 0.03);
    if (!rng.chance(rate)) continue;
    const kinds: PlantedKind[] = ['value_gap', 'no_return', 'sales_inconsistent'];
    const next = nextPeriod(m.period);
    if (m.period !== last && months.has(`${m.country}|${m.tin}|${next}`)) kinds.push('time_shift');
    const kind = rng.pick(kinds);
    if (kind === 'value_gap') ret.declaredImports = r2(books * rng.uniform(0.4, 0.7));
    else if (kind === 'sales_inconsistent') ret.sales = r2(books * rng.uniform(0.2, 0.5));
    else if (kind === 'no_return') returns.delete(key);
    else {
      const moved = r2(ret.declaredImports * rng.uniform(0.6, 0.9));
      ret.declaredImports = r2(ret.declaredImports - moved);
      const nk = `${m.country}|${m.tin}|${next}`;
      returns.set(nk, { country: m.country, tin: m.tin, period: next, declaredImports: moved, purchases: 0, sales: 0, currency: 'USD' });
      planted.push({ country: m.country, tin: m.tin, period: next, kind, cause: 'tax' });
      plantedKeys.add(nk);
    }
    planted.push({ country: m.country, tin: m.tin, period: m.period, kind, cause: 'tax' });
    plantedKeys.add(key);
  }
  return { returns: [...returns.values()], planted };
}
