import { z } from 'zod';

/**
 * Response shapes of the main risk routes, for the OpenAPI document (the serializer validates
 * every answer against them, so they stay true).
 */

const channel = z.enum(['green', 'blue', 'yellow', 'red']);
const riskLevel = z.enum(['low', 'medium', 'high']);
const scope = z.object({ offices: z.array(z.string()), types: z.array(z.string()), stages: z.array(z.enum(['declaration', 'transit', 'manifest'])) });

export const criterionVersionView = z.object({
  id: z.string(),
  version: z.number().int(),
  status: z.string().describe('draft | awaiting_approval | active | superseded | rejected | withdrawn'),
  name: z.string(),
  reason: z.string(),
  expression: z.string(),
  scope,
  weight: z.number(),
  forcedChannel: z.string().nullable(),
  manifestAction: z.string().nullable(),
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
  assignments: z.array(z.unknown()).describe('the random draws: {at, seedId, draw, onDuty, officerId, reason?, by?}'),
  createdAt: z.string(),
});

export const controlResultView = z.object({
  id: z.string(),
  controlId: z.string(),
  outcome: z.string(),
  hit: z.boolean(),
  discrepancies: z.array(z.unknown()),
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
