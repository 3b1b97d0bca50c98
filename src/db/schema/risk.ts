import { bigint, boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { users } from './access.ts';
import { declarations, manifests } from './declarations.ts';

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

/**
 * A risk criterion (risk profile): its identity and lifecycle. The rule itself lives in its
 * versions; `activeVersionId` is the version that runs, `pendingVersionId` one awaiting approval.
 * status: draft | awaiting_approval | active | suspended | rejected (expired is read from the
 * active version's validity period).
 */
export const riskCriteria = pgTable(
  'risk_criteria',
  {
    id: uuid('id').primaryKey(),
    country: text('country').notNull(),
    name: text('name').notNull(),
    status: text('status').notNull(),
    regional: boolean('regional').notNull().default(false),
    activeVersionId: uuid('active_version_id'),
    pendingVersionId: uuid('pending_version_id'),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('risk_criteria_country_idx').on(t.country, t.status)],
);

/** One version of a criterion: what runs, and who wrote and approved it. Never edited once submitted. */
export const riskCriterionVersions = pgTable(
  'risk_criterion_versions',
  {
    id: uuid('id').primaryKey(),
    criterionId: uuid('criterion_id')
      .notNull()
      .references(() => riskCriteria.id),
    country: text('country').notNull(),
    version: integer('version').notNull(),
    /** draft | awaiting_approval | active | superseded | rejected | withdrawn */
    status: text('status').notNull(),
    name: text('name').notNull(),
    reason: text('reason').notNull(),
    expression: text('expression').notNull(),
    /** { offices: string[], types: string[], stages: string[] } (empty = all) */
    scope: jsonb('scope').notNull(),
    weight: doublePrecision('weight').notNull(),
    forcedChannel: text('forced_channel'),
    /** for manifest criteria: hold | scan | inspect */
    manifestAction: text('manifest_action'),
    regional: boolean('regional').notNull().default(false),
    validFrom: ts('valid_from').notNull(),
    validTo: ts('valid_to'),
    authorId: text('author_id').notNull(),
    authorName: text('author_name').notNull(),
    submittedAt: ts('submitted_at'),
    decidedBy: text('decided_by'),
    decidedByName: text('decided_by_name'),
    decidedAt: ts('decided_at'),
    decisionNote: text('decision_note'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [unique('risk_criterion_versions_uq').on(t.criterionId, t.version), index('risk_criterion_versions_country_idx').on(t.country, t.status)],
);

/** The set of criterion versions a decision was evaluated against (one row per distinct set). */
export const riskRulesets = pgTable('risk_rulesets', {
  id: text('id').primaryKey(),
  country: text('country').notNull(),
  versionIds: jsonb('version_ids').notNull(),
  createdAt: ts('created_at').notNull(),
});

/** Officers on duty at an office over a period: assignment draws among them. */
export const dutyRoster = pgTable(
  'duty_roster',
  {
    id: uuid('id').primaryKey(),
    country: text('country').notNull(),
    office: text('office').notNull(),
    officerId: uuid('officer_id')
      .notNull()
      .references(() => users.id),
    officerName: text('officer_name').notNull(),
    fromAt: ts('from_at').notNull(),
    toAt: ts('to_at').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('duty_roster_office_idx').on(t.country, t.office, t.fromAt)],
);

/**
 * A control a declaration was sent to (red: physical, yellow: documentary, blue: post-clearance
 * audit), its officer (drawn at random) and state: unassigned | assigned | done | cancelled.
 */
export const controls = pgTable(
  'controls',
  {
    id: uuid('id').primaryKey(),
    country: text('country').notNull(),
    assessmentId: uuid('assessment_id')
      .notNull()
      .references(() => assessments.id),
    declarationId: uuid('declaration_id')
      .notNull()
      .references(() => declarations.id),
    declarationVersion: integer('declaration_version').notNull(),
    office: text('office').notNull(),
    channel: text('channel').notNull(),
    status: text('status').notNull(),
    /** drawn by random control (the unbiased sample) */
    randomSelected: boolean('random_selected').notNull(),
    riskLevel: text('risk_level').notNull(),
    score: doublePrecision('score').notNull(),
    traderTin: text('trader_tin'),
    officerId: uuid('officer_id'),
    officerName: text('officer_name'),
    /** the assignment draws, each {at, draw, seedId, onDuty, officerId, reason?} */
    assignments: jsonb('assignments').notNull().default([]),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    unique('controls_assessment_uq').on(t.assessmentId),
    index('controls_office_idx').on(t.country, t.office, t.status),
    index('controls_officer_idx').on(t.officerId, t.status),
    index('controls_declaration_idx').on(t.declarationId),
  ],
);

/** Which criteria selected a control: for hit rates per criterion. */
export const controlCriteria = pgTable(
  'control_criteria',
  {
    controlId: uuid('control_id')
      .notNull()
      .references(() => controls.id),
    criterionId: uuid('criterion_id').notNull(),
    versionId: uuid('version_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.controlId, t.versionId] }), index('control_criteria_criterion_idx').on(t.criterionId)],
);

/** What the officer found. Labels for the model later: one row per control, queryable. */
export const controlResults = pgTable(
  'control_results',
  {
    id: uuid('id').primaryKey(),
    controlId: uuid('control_id')
      .notNull()
      .references(() => controls.id),
    country: text('country').notNull(),
    declarationId: uuid('declaration_id').notNull(),
    office: text('office').notNull(),
    channel: text('channel').notNull(),
    /** no_discrepancy | discrepancy */
    outcome: text('outcome').notNull(),
    hit: boolean('hit').notNull(),
    discrepancies: jsonb('discrepancies').notNull(),
    extraDuties: doublePrecision('extra_duties').notNull(),
    extraTaxes: doublePrecision('extra_taxes').notNull(),
    currency: text('currency').notNull(),
    goodsSeized: boolean('goods_seized').notNull(),
    seizureDescription: text('seizure_description'),
    notes: text('notes'),
    officerId: text('officer_id').notNull(),
    officerName: text('officer_name').notNull(),
    traderTin: text('trader_tin'),
    recordedAt: ts('recorded_at').notNull(),
  },
  (t) => [
    unique('control_results_control_uq').on(t.controlId),
    index('control_results_country_idx').on(t.country, t.recordedAt),
    index('control_results_trader_idx').on(t.country, t.traderTin),
  ],
);

/** A supervisor's channel override of a decision, with the reason code and words. */
export const channelOverrides = pgTable(
  'channel_overrides',
  {
    id: uuid('id').primaryKey(),
    country: text('country').notNull(),
    assessmentId: uuid('assessment_id')
      .notNull()
      .references(() => assessments.id),
    declarationId: uuid('declaration_id').notNull(),
    fromChannel: text('from_channel').notNull(),
    toChannel: text('to_channel').notNull(),
    reasonCode: text('reason_code').notNull(),
    reason: text('reason').notNull(),
    byId: text('by_id').notNull(),
    byName: text('by_name').notNull(),
    at: ts('at').notNull(),
  },
  (t) => [index('channel_overrides_assessment_idx').on(t.assessmentId)],
);

/**
 * Pre-arrival targeting: a consignment of a manifest marked (hold | scan | inspect) by manifest
 * criteria. The declaration that covers it (by transport document) inherits the mark.
 */
export const consignmentMarks = pgTable(
  'consignment_marks',
  {
    id: uuid('id').primaryKey(),
    country: text('country').notNull(),
    manifestId: uuid('manifest_id')
      .notNull()
      .references(() => manifests.id),
    manifestReference: text('manifest_reference').notNull(),
    manifestVersion: integer('manifest_version').notNull(),
    transportDocument: text('transport_document').notNull(),
    action: text('action').notNull(),
    channel: text('channel').notNull(),
    reasons: jsonb('reasons').notNull(),
    versionIds: jsonb('version_ids').notNull(),
    createdAt: ts('created_at').notNull(),
    /** the declaration that picked the mark up */
    declarationId: uuid('declaration_id'),
  },
  (t) => [index('consignment_marks_doc_idx').on(t.country, t.transportDocument), index('consignment_marks_manifest_idx').on(t.manifestId)],
);

/** Decisions per office and day, for capacity. */
export const riskOfficeDay = pgTable(
  'risk_office_day',
  {
    country: text('country').notNull(),
    office: text('office').notNull(),
    day: text('day').notNull(),
    decisions: integer('decisions').notNull(),
    reds: integer('reds').notNull(),
    yellows: integer('yellows').notNull(),
    demoted: integer('demoted').notNull(),
  },
  (t) => [primaryKey({ columns: [t.country, t.office, t.day] })],
);

/** Every change of an administration's selectivity settings: who, when, why, the whole document. */
export const riskConfigVersions = pgTable(
  'risk_config_versions',
  {
    country: text('country').notNull(),
    version: integer('version').notNull(),
    /** the administration's overrides of the defaults, as stored after this change */
    settings: jsonb('settings').notNull(),
    actor: text('actor').notNull(),
    reason: text('reason').notNull(),
    revertedFrom: integer('reverted_from'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.country, t.version] })],
);


/**
 * Criteria that could not be evaluated on a record (an error, their time budget exceeded, an
 * expression that no longer compiles): counted per criterion version, with the last error, so
 * that analysts see it. The record itself carries a `criterion_error` reason.
 */
export const riskCriterionErrors = pgTable(
  'risk_criterion_errors',
  {
    versionId: uuid('version_id').primaryKey(),
    criterionId: uuid('criterion_id').notNull(),
    country: text('country').notNull(),
    failures: bigint('failures', { mode: 'number' }).notNull().default(0),
    budgetExceeded: bigint('budget_exceeded', { mode: 'number' }).notNull().default(0),
    firstAt: ts('first_at').notNull(),
    lastAt: ts('last_at').notNull(),
    lastCode: text('last_code').notNull(),
    lastError: text('last_error').notNull(),
    lastReference: text('last_reference'),
  },
  (t) => [index('risk_criterion_errors_criterion_idx').on(t.criterionId)],
);
