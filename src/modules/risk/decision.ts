import type { AssessmentReason, Channel, RiskLevel } from '../declarations/schema.ts';
import type { AssessorDecision } from '../declarations/service.ts';
import type { ConsignmentView, Stage, TraderView } from './cel.ts';
import type { CriterionFailure, MarkInput, ModelInput, RiskConfig } from './engine.ts';

/**
 * The types the rooms of risk share: what a selectivity decision is and records (selectivity/
 * writes it, controls/ opens controls from it, backtests and replay read it back), the channels
 * and reasons it speaks of, and the officers on duty it hands to the controls.
 */
export type { AssessmentReason, Channel, RiskLevel };
export type { CriterionFailure, MarkInput, ModelInput, RiskConfig };

/** An officer on duty at an office (drawn from at random to carry out a control). */
export interface OfficerOnDuty {
  id: string;
  name: string;
}

/** Everything a decision used, recorded with it (`assessments.inputs`), so that it can be replayed. */
export interface AssessmentInputs {
  rulesetId: string;
  stage: Stage;
  at: string;
  criteria: { evaluated: number; hits: { v: string; c: string }[]; errors: CriterionFailure[] };
  model: ModelInput | null;
  trader: TraderView;
  random: { seedId: string; draw: number; rate: number; selected: boolean };
  mark: MarkInput | null;
  consignment: ConsignmentView | null;
  refPrices: Record<string, number>;
  config: RiskConfig;
  capacity: { office: string; day: string; decisionsBefore: number; redsBefore: number; limit: number; demoted: boolean; before?: Channel } | null;
  forced: boolean;
}

/**
 * The risk engine's decision for one declaration version, as intake stores it, plus what the
 * controls opened for it need and intake does not store: the officers on duty at its office when
 * it was decided (read with the decision's context, in the same transaction).
 */
export interface RiskDecision extends AssessorDecision {
  onDuty?: OfficerOnDuty[];
}

/** The officers on duty a decision carries (undefined when it carries none: then the roster is read). */
export function officersOf(decision: AssessorDecision): OfficerOnDuty[] | undefined {
  return (decision as RiskDecision).onDuty;
}
