import { z } from 'zod';
import { DISCREPANCY_KINDS, MANIFEST_ACTIONS, STAGE_ENUM } from './schema.ts';

/**
 * Response shapes of every risk route, for the OpenAPI document and the web application's types
 * (web/src/api/types.ts infers them from here). The serializer validates every answer against
 * them and keeps only the fields named here, so they stay true. Times are ISO 8601 strings.
 */

const channel = z.enum(['green', 'blue', 'yellow', 'red']);
const riskLevel = z.enum(['low', 'medium', 'high']);
const stage = STAGE_ENUM;
const scope = z.object({ offices: z.array(z.string()), types: z.array(z.string()), stages: z.array(stage) });
const forcedChannel = z.enum(['red', 'yellow', 'blue']);

export const criterionVersionView = z.object({
  id: z.string(),
  version: z.number().int(),
  status: z.string().describe('draft | awaiting_approval | active | superseded | rejected | withdrawn'),
  name: z.string(),
  reason: z.string(),
  expression: z.string(),
  scope,
  weight: z.number(),
  forcedChannel: forcedChannel.nullable().describe('the channel a hit forces'),
  manifestAction: z.enum(MANIFEST_ACTIONS).nullable().describe('what a hit on a manifest asks for'),
  regional: z.boolean(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  author: z.string(),
  submittedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decisionNote: z.string().nullable(),
});

export const criterionView = z.object({
  id: z.string(),
  country: z.string(),
  name: z.string(),
  status: z.string().describe('draft | awaiting_approval | active | suspended | rejected | expired'),
  regional: z.boolean(),
  activeVersion: criterionVersionView.nullable(),
  pendingVersion: criterionVersionView.nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  versions: z.array(criterionVersionView).optional().describe('every version, oldest first (single-criterion answers)'),
  evaluationErrors: z
    .object({
      failures: z.number().int().describe('records the criterion could not be evaluated on (skipped for them; each decision says so with a criterion_error reason)'),
      budgetExceeded: z.number().int().describe('of which: stopped at the time budget of one evaluation'),
      lastAt: z.string(),
      lastCode: z.string().describe('criterion_error | budget_exceeded'),
      lastError: z.string(),
      lastReference: z.string().nullable(),
      lastVersionId: z.string(),
    })
    .nullable()
    .optional()
    .describe('records this criterion failed on, over all its versions (null: none)'),
});

export const criterionList = z.object({ items: z.array(criterionView) });

export const checkResult = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({
    ok: z.literal(false),
    problem: z.object({
      message: z.string(),
      messageEs: z.string().optional().describe('the message in Spanish, where there is one'),
      line: z.number().int(),
      column: z.number().int(),
      expected: z.string().optional(),
      unknown: z.string().optional(),
      suggestion: z.string().optional(),
      excerpt: z.string(),
    }),
  }),
]);

export const backtestResult = z.object({
  country: z.string(),
  from: z.string(),
  to: z.string(),
  labels: z.enum(['results', 'ground_truth']),
  labelsNote: z.string(),
  declarations: z.number().int(),
  selected: z.number().int(),
  selectionRate: z.number(),
  labelled: z.number().int(),
  hits: z.number().int(),
  precision: z.number().nullable(),
  recall: z.number().nullable(),
  revenueUsd: z.number(),
  baseRate: z.number().nullable(),
  lift: z.number().nullable(),
  errors: z.number().int().describe('declarations the expression could not be evaluated on (an error, or its time budget exceeded)'),
  budgetExceeded: z.number().int().optional().describe('of which: stopped at the time budget of one evaluation'),
  errorSamples: z.array(z.object({ reference: z.string(), message: z.string() })).optional().describe('the first few failures'),
  traderHistory: z.string().describe("how the trader's history the criterion sees was computed (as of each declaration)"),
  timing: z.object({ seconds: z.number(), loadSeconds: z.number(), loadedRecords: z.number().int(), scanSeconds: z.number(), snapshotRecords: z.number().int() }),
  seconds: z.number(),
  examples: z.array(z.object({ reference: z.string(), hit: z.boolean().nullable() })),
});

/** A random draw of the officer of a control (a reassignment carries its reason and who asked). */
export const assignmentView = z.object({
  at: z.string(),
  seedId: z.string().optional().describe('the public name of the selectivity seed the draw came from'),
  draw: z.number().describe('the draw in [0, 1): the officer is onDuty[floor(draw × onDuty.length)]'),
  onDuty: z.array(z.string()).optional().describe('ids of the officers on duty the draw chose among'),
  officerId: z.string().nullable().describe('null: nobody was on duty, the control waits'),
  reason: z.string().optional(),
  by: z.string().optional(),
});

export const discrepancyView = z.object({ kind: z.enum(DISCREPANCY_KINDS), line: z.number().int().optional().describe('the item line, when the discrepancy is on one'), note: z.string() });

export const controlView = z.object({
  id: z.string(),
  country: z.string(),
  assessmentId: z.string(),
  declarationId: z.string(),
  declarationVersion: z.number().int(),
  office: z.string(),
  channel,
  status: z.string().describe('unassigned | assigned | done | cancelled'),
  randomSelected: z.boolean(),
  riskLevel,
  score: z.number(),
  officerId: z.string().nullable(),
  officerName: z.string().nullable(),
  waitingReason: z.string().nullable(),
  assignments: z.array(assignmentView).describe('the random draws, first the one made when the control was opened'),
  createdAt: z.string(),
});

export const controlResultView = z.object({
  id: z.string(),
  controlId: z.string(),
  outcome: z.string().describe('no_discrepancy | discrepancy'),
  hit: z.boolean(),
  discrepancies: z.array(discrepancyView),
  extraDutiesAssessed: z.number(),
  extraTaxesAssessed: z.number(),
  currency: z.string(),
  goodsSeized: z.boolean(),
  seizureDescription: z.string().nullable(),
  notes: z.string().nullable(),
  officer: z.string(),
  recordedAt: z.string(),
});

export const controlDetail = controlView.extend({
  reasons: z.array(z.object({ code: z.string(), text: z.string(), weight: z.number().optional() })),
  result: controlResultView.nullable(),
});

export const controlList = z.object({
  items: z.array(controlView.extend({ reference: z.string().nullable().describe("the declaration's reference"), lodgedAt: z.string().nullable() })),
});

const effRow = z.object({ key: z.string(), label: z.string(), controls: z.number().int(), hits: z.number().int(), hitRate: z.number(), seizures: z.number().int(), extraRevenueUsd: z.number() });

export const effectivenessView = z.object({
  country: z.string(),
  from: z.string(),
  to: z.string(),
  decisions: z.object({ total: z.number().int(), byChannel: z.record(z.string(), z.number()) }),
  controlsOpen: z.number().int(),
  byCriterion: z.array(effRow.extend({ flaggedForReview: z.boolean(), reviewReason: z.string().nullable() })),
  byOffice: z.array(effRow),
  byOfficer: z.array(effRow),
  byChannel: z.array(effRow),
  randomControl: z.object({ controls: z.number().int(), compliant: z.number().int(), complianceRate: z.number().nullable(), ci95: z.tuple([z.number(), z.number()]).nullable(), note: z.string() }),
  overall: effRow,
});

export const overrideResult = z.object({ overrideId: z.string(), assessmentId: z.string(), declarationId: z.string(), from: channel, to: channel, controlId: z.string().nullable() });

/** A backtest run as a job: POST /api/v1/risk/backtests starts it, GET polls it, DELETE cancels it. */
export const backtestJob = z.object({
  id: z.string(),
  country: z.string(),
  status: z.enum(['running', 'done', 'failed', 'cancelled']),
  progress: z.object({ done: z.number().int(), total: z.number().int(), fraction: z.number() }).describe('declarations evaluated so far'),
  createdBy: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  limitSeconds: z.number().describe('the wall-clock limit: past it the backtest is stopped'),
  result: backtestResult.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

/** GET /api/v1/risk/assessments/{id}/replay: a decision recomputed from what it recorded. */
const replayedDecision = z.object({ channel: z.string(), riskLevel: z.string(), score: z.number(), hits: z.array(z.string()).describe('ids of the criterion versions that hit') });
export const replayResult = z.object({
  assessmentId: z.string(),
  engine: z.string().describe('the engine that made the decision, e.g. centinela-risk/2'),
  matches: z.boolean().describe('the recomputed decision is the recorded one'),
  recorded: replayedDecision,
  recomputed: replayedDecision.extend({ draw: z.number().nullable().describe('the random draw recomputed from the seed (null: the engine is not known to this replay)') }),
  differences: z.array(z.string()).describe('each difference found, in words'),
  overrides: z.array(z.object({ from: z.string(), to: z.string(), reasonCode: z.string(), reason: z.string(), by: z.string(), at: z.string() })).describe('supervisor overrides of the decision since'),
});

/** An officer's duty at an office (the roster). */
export const dutyView = z.object({ id: z.string(), country: z.string(), office: z.string(), officerId: z.string(), officerName: z.string(), from: z.string(), to: z.string() });
export const dutyList = z.object({ items: z.array(dutyView) });
export const dutyAdded = dutyView.extend({ assignedWaiting: z.number().int().describe('waiting controls of the office assigned at random to officers now on duty') });

/** A consignment marked before arrival from its manifest. */
export const markView = z.object({
  id: z.string(),
  country: z.string(),
  manifestId: z.string(),
  manifestReference: z.string(),
  manifestVersion: z.number().int(),
  transportDocument: z.string(),
  action: z.enum(MANIFEST_ACTIONS),
  channel,
  reasons: z.array(z.string()).describe('each criterion that hit: "name: reason"'),
  versionIds: z.array(z.string()).describe('the criterion versions that hit'),
  createdAt: z.string(),
  declarationId: z.string().nullable().describe('the declaration that picked the mark up (null: none yet)'),
});
export const markList = z.object({ items: z.array(markView) });

/** The effective selectivity settings of an administration (the defaults with its overrides on top). */
const capacityView = z.object({ red: z.number(), yellow: z.number(), minPerDay: z.number().int() });
export const riskConfigView = z.object({
  thresholds: z.object({ medium: z.number(), high: z.number(), blue: z.number() }).describe('score thresholds: blue <= medium < high'),
  randomRate: z.object({ default: z.number(), offices: z.record(z.string(), z.number()) }).describe('share of declarations controlled at random, by office'),
  capacity: z.object({ default: capacityView, offices: z.record(z.string(), capacityView) }).describe("expected shares of red and yellow in an office's day"),
  standing: z.object({ new: z.number(), regular: z.number(), good: z.number(), poor: z.number(), aeo: z.number() }).describe('score points by trader standing'),
  modelWeight: z.number().describe('points a model score of 1.0 adds'),
  review: z.object({ minControls: z.number().int(), minHitRate: z.number() }).describe('criteria flagged for review: hit rate below minHitRate over at least minControls controls'),
});

export const riskConfigVersionView = z.object({
  country: z.string(),
  version: z.number().int(),
  settings: z.record(z.string(), z.unknown()).describe("the administration's overrides of the defaults after this change (the document PUT /api/v1/risk/config takes)"),
  actor: z.string(),
  reason: z.string(),
  revertedFrom: z.number().int().nullable().describe('the version this change put back, if it was a revert'),
  createdAt: z.string(),
});
export const riskConfigVersionList = z.object({ items: z.array(riskConfigVersionView) });

/** GET /api/v1/risk/declarations/{id}: what selectivity did with a declaration. */
export const declarationRiskView = z.object({
  declarationId: z.string(),
  assessmentId: z.string().nullable().describe('its latest assessment (null: not assessed)'),
  criteria: z.array(z.object({ criterionId: z.string(), versionId: z.string(), version: z.number().int(), name: z.string(), reason: z.string(), weight: z.number(), forcedChannel: forcedChannel.nullable() })).describe('the criterion versions that hit the latest assessment'),
  overrides: z.array(z.object({ id: z.string(), from: channel, to: channel, reasonCode: z.string().describe('intelligence | capacity | perishable_goods | humanitarian | data_error | supervisor_judgement | other'), reason: z.string(), by: z.string(), at: z.string() })),
  controls: z.array(controlView.extend({ result: controlResultView.nullable() })).describe("its controls (an officer sees only their own)"),
});

/** GET /api/v1/risk/traders/{tin}: a trader's standing and the latest controls of its declarations. */
export const traderRiskView = z.object({
  country: z.string(),
  tin: z.string(),
  known: z.boolean().describe('the engine has seen declarations of this trader'),
  standing: z.string().describe('new | regular | good | poor (aeo: an authorised economic operator)'),
  declarations: z.number().int(),
  controls: z.number().int(),
  hits: z.number().int(),
  hitRate: z.number().nullable(),
  seizures: z.number().int(),
  firstSeen: z.string().nullable(),
  lastSeen: z.string().nullable(),
  recent: z.array(
    z.object({
      id: z.string(),
      declarationId: z.string(),
      reference: z.string(),
      office: z.string(),
      channel,
      status: z.string().describe('unassigned | assigned | done'),
      randomSelected: z.boolean(),
      score: z.number(),
      createdAt: z.string(),
      result: z
        .object({ outcome: z.string().describe('no_discrepancy | discrepancy'), hit: z.boolean(), goodsSeized: z.boolean(), extra: z.number().describe('extra duties and taxes assessed'), currency: z.string(), recordedAt: z.string(), kinds: z.array(z.string()).describe('kinds of the discrepancies found') })
        .nullable(),
    }),
  ),
});
