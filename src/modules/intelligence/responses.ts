import { z } from 'zod';

/**
 * Response shapes of the model routes. The serializer keeps only the fields named here; a
 * model's parameters and stored metrics are records, kept whole. Metrics computed on few rows
 * can be NaN (written as null in JSON): those numbers accept NaN.
 */

/** a number that may be NaN (JSON: null) */
const num = z.union([z.number(), z.nan()]);

export const modelView = z.object({
  id: z.string(),
  country: z.string(),
  name: z.string(),
  status: z.string().describe('candidate | champion | challenger | retired'),
  proposedRole: z.string().nullable().optional().describe('absent in the answer to a training'),
  window: z.object({ from: z.string(), to: z.string(), holdoutFrom: z.string() }),
  features: z.array(z.object({ name: z.string(), kind: z.string(), label: z.string() })),
  params: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), z.unknown()).describe('metrics on the holdout at training (randomControls, allControls, holdout, training)'),
  trainedBy: z.string(),
  trainedAt: z.string(),
  proposedBy: z.string().nullable().optional().describe('absent in the answer to a training'),
  proposedAt: z.string().nullable(),
  decidedBy: z.string().nullable().optional().describe('absent in the answer to a training'),
  decidedAt: z.string().nullable(),
  decisionNote: z.string().nullable().optional().describe('absent in the answer to a training'),
  retiredAt: z.string().nullable(),
});

export const modelList = z.object({ items: z.array(modelView) });

const topK = z.object({ pct: z.number(), inspected: z.number(), hits: z.number(), precision: num, recall: num });

export const modelMetricsView = z.object({
  n: z.number(),
  positives: z.number(),
  auc: num.nullable(),
  top: z.array(topK),
  calibration: z.object({ bins: z.array(z.object({ from: num, to: num, n: z.number(), predicted: num, observed: num })), brier: num }),
  revenue: z.array(z.object({ pct: z.number(), caught: num, total: num })).optional().describe('revenue caught at each inspection share, where known'),
});

export const evaluationView = z.object({
  model: z.string(),
  from: z.string(),
  to: z.string(),
  randomControls: modelMetricsView,
  allControls: modelMetricsView,
  holdout: z.object({ declarations: z.number(), controlled: z.number(), random: z.number() }),
});

export const driftView = z.object({
  model: z.string(),
  country: z.string(),
  window: z.object({ from: z.string(), to: z.string(), declarations: z.number(), controls: z.number() }),
  precision: z.object({
    recentControls: modelMetricsView,
    hitRateAboveBoundary: z.number().nullable(),
    hitRateOfAllControls: z.number().nullable(),
    atTraining: z.array(z.looseObject({ pct: z.number(), precision: num })),
  }),
  stability: z.array(z.object({ feature: z.string(), psi: num, level: z.enum(['stable', 'shifting', 'shifted']) })),
});

export const explorationView = z.object({ rate: z.number(), mode: z.enum(['random', 'uncertain']) });

export const valuationRefreshView = z.object({ country: z.string(), groups: z.number(), from: z.string(), to: z.string() });

export const referencePriceList = z.object({
  items: z.array(z.object({ country: z.string(), hs6: z.string(), origin: z.string(), unit: z.string(), n: z.number(), q1: z.number(), median: z.number(), q3: z.number() })),
});
