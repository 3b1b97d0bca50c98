import { doublePrecision, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

/**
 * The simulator's ground truth, kept apart from what customs sees: which records are
 * frauds, of what kind, and the revenue at stake. Only the demo and benchmarks fill it.
 */
export const groundTruth = pgTable(
  'sim_ground_truth',
  {
    country: text('country').notNull(),
    kind: text('kind').notNull(),
    reference: text('reference').notNull(),
    fraudType: text('fraud_type'),
    revenueAtStake: doublePrecision('revenue_at_stake').notNull(),
    details: jsonb('details').notNull(),
  },
  (t) => [primaryKey({ columns: [t.country, t.kind, t.reference] })],
);
