import { doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * A trained risk model of an administration, and its lifecycle:
 * candidate -> proposed (as champion or challenger) -> champion | challenger -> retired, or rejected.
 * Promotion needs a second person (four eyes). The bundle holds the trees, the category
 * vocabularies and the reference distributions drift is measured against.
 */
export const intelligenceModels = pgTable(
  'intelligence_models',
  {
    id: uuid('id').primaryKey(),
    country: text('country').notNull(),
    /** the version name decisions record, e.g. GT-20260615-01 */
    name: text('name').notNull().unique(),
    status: text('status').notNull(),
    /** champion | challenger while proposed */
    proposedRole: text('proposed_role'),
    windowFrom: ts('window_from').notNull(),
    windowTo: ts('window_to').notNull(),
    holdoutFrom: ts('holdout_from').notNull(),
    features: jsonb('features').notNull(),
    params: jsonb('params').notNull(),
    metrics: jsonb('metrics').notNull(),
    bundle: jsonb('bundle').notNull(),
    trainedBy: text('trained_by').notNull(),
    trainedAt: ts('trained_at').notNull(),
    proposedBy: text('proposed_by'),
    proposedByName: text('proposed_by_name'),
    proposedAt: ts('proposed_at'),
    decidedBy: text('decided_by'),
    decidedByName: text('decided_by_name'),
    decidedAt: ts('decided_at'),
    decisionNote: text('decision_note'),
    retiredAt: ts('retired_at'),
  },
  (t) => [index('intelligence_models_country_idx').on(t.country, t.status)],
);

/** Reference unit prices (the valuation database): quartiles per HS subheading × origin ("*" = all) × unit basis (KGM = per kg). */
export const valuationPrices = pgTable(
  'valuation_reference_prices',
  {
    country: text('country').notNull(),
    hs6: text('hs6').notNull(),
    origin: text('origin').notNull(),
    unit: text('unit').notNull(),
    n: integer('n').notNull(),
    q1: doublePrecision('q1').notNull(),
    median: doublePrecision('median').notNull(),
    q3: doublePrecision('q3').notNull(),
    windowFrom: ts('window_from').notNull(),
    windowTo: ts('window_to').notNull(),
    refreshedAt: ts('refreshed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.country, t.hs6, t.origin, t.unit] })],
);
