import { doublePrecision, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { declarations } from './declarations.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * A decision is a record: channel, risk level, score, reasons, and every input used
 * (engine, random draw and its seed, rates) so that it can be replayed.
 */
export const assessments = pgTable(
  'assessments',
  {
    id: uuid('id').primaryKey(),
    country: text('country').notNull(),
    declarationId: uuid('declaration_id')
      .notNull()
      .references(() => declarations.id),
    declarationVersion: integer('declaration_version').notNull(),
    channel: text('channel').notNull(),
    riskLevel: text('risk_level').notNull(),
    score: doublePrecision('score').notNull(),
    reasons: jsonb('reasons').notNull(),
    engine: text('engine').notNull(),
    inputs: jsonb('inputs').notNull(),
    decidedAt: ts('decided_at').notNull(),
  },
  (t) => [
    index('assessments_declaration_idx').on(t.declarationId),
    index('assessments_country_decided_idx').on(t.country, t.decidedAt),
  ],
);

/** Settings of the installation, e.g. the secret seed random control draws from. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: ts('updated_at').notNull(),
});
