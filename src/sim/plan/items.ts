/**
 * The goods of a consignment: how much of what, from where, worth what — the true side of every
 * declaration line (the declared side starts equal; fraud and careless errors change it: fraud.ts).
 */
import type { Trader } from '../traders.ts';
import { preferenceFor, type HeadingInfo } from '../world.ts';
import type { DayPlan } from './day.ts';
import { round2, type ItemPlan } from './types.ts';

function nonPreferentialOrigin(ctx: DayPlan, h: HeadingInfo): string {
  const { rng, world, country } = ctx;
  const table = world.origins(h, country);
  for (let i = 0; i < 6; i++) {
    const o = table.pick(rng);
    if (!preferenceFor(country, o)) return o;
  }
  return 'CN';
}

/** where the goods truly come from (a fraudster's: where his fraud needs them to come from) */
export function trueOrigin(ctx: DayPlan, t: Trader, h: HeadingInfo, neighbour?: string): string {
  const { rng, world, country } = ctx;
  if (t.fraudType === 'false_origin') return 'CN';
  if (t.fraudType === 'misclassification') return nonPreferentialOrigin(ctx, h);
  if (neighbour && neighbour !== country && rng.chance(0.5)) return neighbour;
  return world.origins(h, country).pick(rng);
}

/** the goods of one consignment: items under one heading, true quantities and values */
export function makeItems(ctx: DayPlan, h: HeadingInfo, mode: 1 | 3 | 4, origin: string, bulkOk: boolean): { items: ItemPlan[]; containers: number; lcl: boolean } {
  const { rng, country } = ctx;
  let net: number;
  let nContainers = 0;
  let lcl = false;
  const bulk = h.bulk && bulkOk;
  if (mode === 1) {
    if (bulk) net = Math.min(4e7, Math.max(2e5, rng.logNormal(6e6, 0.7)));
    else if (rng.chance(0.4)) {
      lcl = true;
      net = Math.min(8000, Math.max(50, rng.logNormal(1500, 0.9)));
    } else {
      nContainers = Math.min(20, Math.floor(rng.pareto(1, 1.5)));
      const [lo, hi] =
        h.group === 'vehicles' ? [2500, 6000] : h.group === 'tech' || h.group === 'apparel' || h.group === 'pharma' ? [2500, 11000] : [8000, 22000];
      net = nContainers * rng.uniform(lo, hi);
    }
  } else if (mode === 3) {
    net = bulk ? rng.uniform(20000, 30000) : rng.uniform(3000, 22000);
    nContainers = !bulk && rng.chance(0.35) ? 1 : 0;
  } else {
    net = Math.min(15000, Math.max(1, rng.logNormal(120, 1.1)));
  }
  const k = Math.max(1, Math.min(rng.geometric(2.5), 2 * h.goods.length, 10));
  const weights: number[] = [];
  let wsum = 0;
  for (let i = 0; i < k; i++) {
    const w = Math.exp(rng.normal(0, 0.7));
    weights.push(w);
    wsum += w;
  }
  const items: ItemPlan[] = [];
  for (let i = 0; i < k; i++) {
    const g = h.goods.length === 1 ? h.goods[0] : rng.pick(h.goods);
    let itemNet = (net * weights[i]) / wsum;
    // keep the value of a consignment plausible for very dense goods (gold, phones)
    if (itemNet * g.medianUsdPerKg > 2e7) itemNet = (2e7 / g.medianUsdPerKg) * rng.uniform(0.2, 1);
    let quantity: number;
    if (g.unit === 'KGM') {
      itemNet = Math.max(0.5, round2(itemNet));
      quantity = itemNet;
    } else if (g.unit === 'LTR') {
      itemNet = Math.max(0.5, round2(itemNet));
      quantity = round2(itemNet / g.kgPerUnit);
    } else {
      quantity = Math.max(1, Math.round(itemNet / g.kgPerUnit));
      itemNet = Math.max(0.1, round2(quantity * g.kgPerUnit * rng.uniform(0.92, 1.08)));
    }
    const gross = Math.max(itemNet, round2(itemNet * (bulk ? 1 : rng.uniform(1.03, 1.15))));
    const price = g.medianUsdPerKg * Math.exp(g.priceSigma * rng.normal());
    const value = Math.max(1, round2(itemNet * price));
    const pref = preferenceFor(country, origin);
    const duty = pref ? 0 : g.duty;
    items.push({
      goods: g,
      origin,
      quantity,
      netKg: itemNet,
      grossKg: gross,
      valueUsd: value,
      dCode: g.code,
      dDescription: g.description,
      dOrigin: origin,
      dPreference: pref,
      dQuantity: quantity,
      dNetKg: itemNet,
      dGrossKg: gross,
      dValueUsd: value,
      dutyTrue: duty,
      dutyDeclared: duty,
    });
  }
  return { items, containers: nContainers, lcl };
}
