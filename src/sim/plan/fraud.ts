/**
 * The fraud patterns and careless errors: what a fraudster changes on the declared side of a
 * declaration (undervaluation, misclassification, false origin, under-declared quantity, transit
 * diversion), and the small mistakes of a careless trader. Risk criteria written from these
 * patterns: src/demo/risk.ts.
 */
import type { SimConfig } from '../config.ts';
import type { ImportFraudType, Trader } from '../traders.ts';
import { preferenceFor, type FraudType } from '../world.ts';
import type { DayPlan } from './day.ts';
import { partyOf, round2, type DeclPlan } from './types.ts';

/** what a careless trader writes instead of a description */
const VAGUE = ['MERCANCIA GENERAL', 'VARIOS', 'REPUESTOS', 'ARTICULOS DIVERSOS', 'MATERIALES'];

/** applies the trader's fraud (or careless error) to the declared side of the items */
export function applyBehaviour(ctx: DayPlan, p: DeclPlan, t: Trader, allowed: readonly string[]): void {
  const { rng, cfg, world, pop, country, aw } = ctx;
  if (t.behaviour === 'fraudster' && t.fraudType && rng.chance(t.fraudRate)) {
    p.fraudType = t.fraudType;
    switch (t.fraudType) {
      case 'undervaluation': {
        const f = rng.uniform(cfg.undervaluationFactor[0], cfg.undervaluationFactor[1]);
        for (const it of p.items) it.dValueUsd = Math.max(1, round2(it.valueUsd * f * rng.uniform(0.95, 1.05)));
        break;
      }
      case 'misclassification':
        for (const it of p.items) {
          const d = it.goods.decoy;
          if (!d) continue;
          it.dCode = d.code;
          it.dDescription = d.description;
          it.dutyDeclared = it.dPreference ? 0 : d.duty;
        }
        break;
      case 'false_origin': {
        const neighbour = p.mode === 3 ? p.dispatch : undefined;
        let o = neighbour && preferenceFor(country, neighbour) ? neighbour : 'US';
        if (!neighbour) {
          const r = rng.float();
          if (r < 0.35) {
            const partner = aw.partners.pick(rng);
            if (preferenceFor(country, partner)) o = partner;
          } else if (r < 0.5 && preferenceFor(country, 'MX')) o = 'MX';
        }
        for (const it of p.items) {
          it.dOrigin = o;
          it.dPreference = preferenceFor(country, o);
          it.dutyDeclared = it.dPreference ? 0 : it.goods.duty;
        }
        p.seller = partyOf(rng.pick(pop.foreign(o)));
        break;
      }
      case 'under_declared_quantity': {
        const f = rng.uniform(cfg.underDeclaredQuantityFactor[0], cfg.underDeclaredQuantityFactor[1]);
        for (const it of p.items) {
          const pieces = it.goods.unit === 'H87' || it.goods.unit === 'PR';
          if (pieces && it.quantity * f < 1) {
            // too few pieces to leave any out: the truth is that more came than the papers say
            const trueQ = Math.max(it.quantity + 1, Math.round(it.quantity / f));
            const k = trueQ / it.quantity;
            it.quantity = trueQ;
            it.netKg = round2(it.netKg * k);
            it.grossKg = Math.max(it.netKg, round2(it.grossKg * k));
            it.valueUsd = round2(it.valueUsd * k);
            continue;
          }
          it.dQuantity = pieces ? Math.min(it.quantity - 1, Math.max(1, Math.floor(it.quantity * f))) : Math.max(0.01, round2(it.quantity * f));
          const share = it.dQuantity / it.quantity;
          it.dNetKg = Math.max(0.01, round2(it.netKg * share));
          it.dGrossKg = Math.max(it.dNetKg, round2(it.grossKg * share));
          it.dValueUsd = Math.max(1, round2(it.valueUsd * share));
        }
        break;
      }
      case 'transit_diversion':
        p.diverted = true;
        break;
    }
    return;
  }
  if (t.behaviour !== 'careless' || !rng.chance(cfg.carelessErrorRate)) return;
  let kind = rng.pick(allowed);
  const it = p.items[0];
  if (kind === 'sibling_subheading') {
    const sibs = world.subheadingsOf(it.goods.heading).filter((s) => s !== it.goods.code);
    if (sibs.length === 0) kind = 'gross_mass_typo';
    else it.dCode = rng.pick(sibs);
  }
  if (kind === 'wrong_origin') {
    if (it.dPreference) kind = 'description_vague';
    else {
      const o = rng.pick(['CN', 'TW', 'KR', 'VN', 'IN', 'DE', 'JP'].filter((x) => x !== it.origin));
      for (const x of p.items) x.dOrigin = o;
    }
  }
  if (kind === 'gross_mass_typo') it.dGrossKg = Math.max(it.dNetKg, round2(it.grossKg * rng.uniform(0.9, 1.1)));
  else if (kind === 'value_rounding') for (const x of p.items) x.dValueUsd = Math.max(1, Math.floor(x.dValueUsd / 100) * 100);
  else if (kind === 'description_vague') it.dDescription = rng.pick(VAGUE);
  p.errors.push(kind);
}

/** The fraud types a config can produce (for summaries and tests). */
export function activeFraudTypes(cfg: SimConfig): FraudType[] {
  const out: FraudType[] = (Object.entries(cfg.importFraudTypes) as [ImportFraudType, number][]).filter(([, w]) => w > 0).map(([k]) => k);
  if (cfg.typeShares.TR > 0) out.push('transit_diversion');
  return out;
}
