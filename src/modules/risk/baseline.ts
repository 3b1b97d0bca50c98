import { createHmac } from 'node:crypto';
import type { AssessmentReason, Channel, RiskLevel } from '../declarations/schema.ts';

/**
 * The baseline selectivity: random control at a configured rate and nothing else.
 * It knows no risk: every declaration is low risk, and a share drawn at random goes to
 * physical control to measure real compliance. The risk engine replaces it.
 *
 * The draw is an HMAC of the declaration's identity under a secret seed, so it cannot be
 * predicted from outside, yet anyone holding the seed can replay it.
 */
export const BASELINE_ENGINE = 'baseline-random-v1';

export interface BaselineInput {
  seed: string;
  seedId: string;
  rate: number;
  country: string;
  reference: string;
  version: number;
}

export interface BaselineDecision {
  channel: Channel;
  riskLevel: RiskLevel;
  score: number;
  reasons: AssessmentReason[];
  engine: string;
  inputs: { seedId: string; draw: number; rate: number };
}

export function randomDraw(seed: string, key: string): number {
  const h = createHmac('sha256', seed).update(key).digest();
  // 53 bits -> [0, 1)
  return (h.readUInt32BE(0) * 2 ** 21 + (h.readUInt32BE(4) >>> 11)) / 2 ** 53;
}

export function baselineAssess(i: BaselineInput): BaselineDecision {
  const draw = randomDraw(i.seed, `${i.country}|${i.reference}|${i.version}`);
  const selected = draw < i.rate;
  const pct = `${+(i.rate * 100).toFixed(2)}%`;
  return {
    channel: selected ? 'red' : 'green',
    riskLevel: 'low',
    score: 0,
    reasons: selected
      ? [{ code: 'random_control', text: `Selected by random control (${pct} of declarations are inspected at random to measure compliance)` }]
      : [{ code: 'baseline', text: `Baseline selectivity: no risk criteria or model yet; not drawn for random control (rate ${pct})` }],
    engine: BASELINE_ENGINE,
    inputs: { seedId: i.seedId, draw, rate: i.rate },
  };
}
