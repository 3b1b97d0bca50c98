import { NotFoundError } from '../../../core/errors.ts';
import type { Tx } from '../../../db/client.ts';
import type { Declaration } from '../../declarations/schema.ts';
import { declarationPayload } from '../../declarations/service.ts';
import { randomDraw } from '../baseline.ts';
import { celConsignment, celDeclaration, celTrader, evalContext } from '../cel.ts';
import { decide, demotable, RISK_ENGINE, RuleSet } from '../engine.ts';
import type { AssessmentInputs } from '../decision.ts';
import { selectivitySeed } from '../settings.ts';
import { versionDef } from '../criteria/versions.ts';
import * as repo from './repository.ts';
import type { Clock } from '../../../core/clock.ts';

/**
 * Replays a decision from what it recorded: the declaration version, the rule set (criterion
 * versions), the trader's history and reference prices as they were, the model score, the random
 * draw (recomputed from the seed) and the capacity state. Answers whether it comes out the same.
 */
export interface ReplayResult {
  assessmentId: string;
  engine: string;
  matches: boolean;
  recorded: { channel: string; riskLevel: string; score: number; hits: string[] };
  recomputed: { channel: string; riskLevel: string; score: number; hits: string[]; draw: number };
  differences: string[];
  overrides: { from: string; to: string; reasonCode: string; reason: string; by: string; at: string }[];
}

export async function replayAssessment(tx: Tx, clock: Clock, id: string, country?: string): Promise<ReplayResult> {
  const a = await repo.assessment(tx, id);
  if (!a || (country && a.country !== country)) throw new NotFoundError(`assessment ${id}`);
  const overrides = (await repo.overridesOf(tx, id)).map((o) => ({ from: o.fromChannel, to: o.toChannel, reasonCode: o.reasonCode, reason: o.reason, by: o.byName, at: o.at.toISOString() }));
  const recordedHits = ((a.inputs as Partial<AssessmentInputs>).criteria?.hits ?? []).map((h) => h.v).sort();
  const recorded = { channel: a.channel, riskLevel: a.riskLevel, score: a.score, hits: recordedHits };
  if (a.engine !== RISK_ENGINE) {
    return { assessmentId: id, engine: a.engine, matches: false, recorded, recomputed: { ...recorded, draw: NaN }, differences: [`decided by ${a.engine}, which this replay does not know`], overrides };
  }
  const inputs = a.inputs as AssessmentInputs;
  const d = (await declarationPayload(tx, a.declarationId, a.declarationVersion)) as Declaration;
  const versions = await repo.rulesetVersions(tx, inputs.rulesetId);
  const rs = new RuleSet(
    a.country,
    versions.map(versionDef),
  );
  // its own evaluation context: the reference prices as recorded with the decision
  const ctx = evalContext(a.country, { refPrice: (_c, hs6) => inputs.refPrices[hs6] ?? 0 });
  const ev = rs.evaluate(inputs.stage, d.office, d.type, Date.parse(inputs.at), { decl: celDeclaration(d, ctx.lookups), trader: celTrader(inputs.trader), consignment: celConsignment(inputs.consignment) }, ctx);
  const seed = await selectivitySeed(tx, clock);
  const differences: string[] = [];
  if (seed.id !== inputs.random.seedId) differences.push(`the decision used seed ${inputs.random.seedId}, this installation has ${seed.id}`);
  const draw = randomDraw(seed.secret, `${d.country}|${d.reference}|${a.declarationVersion}`);
  if (draw !== inputs.random.draw) differences.push(`random draw ${draw} differs from the recorded ${inputs.random.draw}`);
  const dd = decide({ hits: ev.hits, model: inputs.model, trader: inputs.trader, draw, randomRate: inputs.random.rate, mark: inputs.mark, config: inputs.config });
  if (inputs.capacity?.demoted && demotable(dd)) dd.channel = 'yellow';
  const hits = ev.hits.map((h) => h.versionId).sort();
  if (hits.join() !== recordedHits.join()) differences.push(`criteria hit: recorded ${recordedHits.join(', ') || 'none'}, now ${hits.join(', ') || 'none'}`);
  if (ev.evaluated !== inputs.criteria.evaluated) differences.push(`criteria evaluated: recorded ${inputs.criteria.evaluated}, now ${ev.evaluated}`);
  if (dd.channel !== a.channel) differences.push(`channel: recorded ${a.channel}, now ${dd.channel}`);
  if (dd.riskLevel !== a.riskLevel) differences.push(`risk level: recorded ${a.riskLevel}, now ${dd.riskLevel}`);
  if (Math.abs(dd.score - a.score) > 1e-9) differences.push(`score: recorded ${a.score}, now ${dd.score}`);
  return { assessmentId: id, engine: a.engine, matches: differences.length === 0, recorded, recomputed: { channel: dd.channel, riskLevel: dd.riskLevel, score: dd.score, hits, draw }, differences, overrides };
}
