/** The simulator's settings: volumes, shares of trade and of trader behaviour, the size of each fraud. */
import type { PopulationConfig } from './traders.ts';

export interface SimConfig extends PopulationConfig {
  /** declarations a day across the region at scale 1 */
  declarationsPerDay: number;
  typeShares: { IM: number; EX: number; TR: number };
  /** share of a careless trader's declarations that carry a small error */
  carelessErrorRate: number;
  /** declared value ÷ true value for undervaluation: [min, max] */
  undervaluationFactor: [number, number];
  /** declared quantity ÷ true quantity for under-declared quantity: [min, max] */
  underDeclaredQuantityFactor: [number, number];
  /** share of declarations whose value is stated in the local currency (where it is not the USD) */
  localCurrencyShare: number;
  /** share of manifest consignments declared the day after arrival rather than the same day */
  nextDayLodgementShare: number;
  /** share of sea and air consignments that arrive and are never declared */
  undeclaredConsignmentShare: number;
}

export const DEFAULT_SIM_CONFIG: SimConfig = {
  declarationsPerDay: 1500,
  typeShares: { IM: 0.7, EX: 0.2, TR: 0.1 },
  behaviourShares: { compliant: 0.85, careless: 0.1, fraudster: 0.05 },
  fraudRate: 0.6,
  importFraudTypes: { undervaluation: 0.35, misclassification: 0.2, false_origin: 0.2, under_declared_quantity: 0.25 },
  carelessErrorRate: 0.3,
  undervaluationFactor: [0.3, 0.65],
  underDeclaredQuantityFactor: [0.5, 0.8],
  localCurrencyShare: 0.12,
  nextDayLodgementShare: 0.3,
  undeclaredConsignmentShare: 0.02,
  importersPerRegion: 8000,
  exportersPerRegion: 2000,
  transitPrincipalsPerRegion: 400,
  brokersPerRegion: 400,
  volumeAlpha: 1.2,
};

/** Merges a partial config over the defaults (nested share tables merge key by key). */
export function resolveConfig(partial: Partial<SimConfig> = {}): SimConfig {
  return {
    ...DEFAULT_SIM_CONFIG,
    ...partial,
    typeShares: { ...DEFAULT_SIM_CONFIG.typeShares, ...partial.typeShares },
    behaviourShares: { ...DEFAULT_SIM_CONFIG.behaviourShares, ...partial.behaviourShares },
    importFraudTypes: { ...DEFAULT_SIM_CONFIG.importFraudTypes, ...partial.importFraudTypes },
  };
}
