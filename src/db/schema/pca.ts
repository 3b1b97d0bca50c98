import { boolean, doublePrecision, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * Post-clearance audit (the `pca` module): sensitive goods lists under four eyes, auditors and
 * their declared conflicts of interest, monthly audit plans with ranked proposals, audit cases
 * (scope, document requests, findings per declaration line, amounts, closure), and the tax
 * administration's returns with the mismatches found against customs imports.
 */

/**
 * An HS heading (4 digits) or subheading (6) on an administration's sensitive goods list, with a
 * reason and a validity period. status: pending | active | rejected | withdrawal_pending | withdrawn.
 * Added and withdrawn under four eyes: the proposer never decides.
 */
export const pcaSensitiveGoods = pgTable(
  'pca_sensitive_goods',
  {
    id: uuid('id').primaryKey(),
    country: text('country').notNull(),
    hs: text('hs').notNull(),
    /** high_duty | excise | undervaluation | dual_use | other */
    reason: text('reason').notNull(),
    note: text('note').notNull(),
    validFrom: text('valid_from').notNull(),
    validTo: text('valid_to'),
    status: text('status').notNull(),
    proposedBy: text('proposed_by').notNull(),
    proposedByName: text('proposed_by_name').notNull(),
    proposedAt: ts('proposed_at').notNull(),
    decidedBy: text('decided_by'),
    decidedByName: text('decided_by_name'),
    decidedAt: ts('decided_at'),
    decisionNote: text('decision_note'),
    withdrawalBy: text('withdrawal_by'),
    withdrawalByName: text('withdrawal_by_name'),
    withdrawalReason: text('withdrawal_reason'),
  },
  (t) => [index('pca_sensitive_goods_country_idx').on(t.country, t.status)],
);

/** The auditors of an administration who take audit cases, with their monthly hours. */
export const pcaAuditors = pgTable(
  'pca_auditors',
  {
    id: uuid('id').primaryKey(),
    country: text('country').notNull(),
    /** the user account (role auditor) */
    userId: text('user_id').notNull(),
    name: text('name').notNull(),
    hoursPerMonth: doublePrecision('hours_per_month').notNull(),
    active: boolean('active').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [unique('pca_auditors_user_uq').on(t.country, t.userId)],
);

/** A declared conflict of interest between an auditor and a trader (ended, never deleted). */
export const pcaConflicts = pgTable(
  'pca_conflicts',
  {
    id: uuid('id').primaryKey(),
    country: text('country').notNull(),
    auditorUserId: text('auditor_user_id').notNull(),
    auditorName: text('auditor_name').notNull(),
    traderTin: text('trader_tin').notNull(),
    reason: text('reason').notNull(),
    declaredBy: text('declared_by').notNull(),
    declaredAt: ts('declared_at').notNull(),
    endedAt: ts('ended_at'),
    endReason: text('end_reason'),
  },
  (t) => [index('pca_conflicts_trader_idx').on(t.country, t.traderTin)],
);

/**
 * An administration's audit plan for a month: capacity (auditor hours), the share drawn at random
 * with its seed, and its approval by a second person. status: proposed | approved | rejected | superseded.
 */
export const pcaPlans = pgTable(
  'pca_plans',
  {
    id: uuid('id').primaryKey(),
    country: text('country').notNull(),
    month: text('month').notNull(),
    capacityHours: doublePrecision('capacity_hours').notNull(),
    randomShare: doublePrecision('random_share').notNull(),
    /** the secret the random draws of this plan come from (recorded: any draw can be recomputed) */
    seed: text('seed').notNull(),
    status: text('status').notNull(),
    /** inputs and totals: window, eligible traders, hours planned, expected recovery by source */
    summary: jsonb('summary').notNull(),
    createdBy: text('created_by').notNull(),
    createdByName: text('created_by_name').notNull(),
    createdAt: ts('created_at').notNull(),
    decidedBy: text('decided_by'),
    decidedByName: text('decided_by_name'),
    decidedAt: ts('decided_at'),
    decisionNote: text('decision_note'),
  },
  (t) => [index('pca_plans_country_month_idx').on(t.country, t.month)],
);

/**
 * One proposal of a plan: a trader over a period (and the declarations it covers), its expected
 * revenue at stake, estimated recovery, hours, reasons and the source of its selection
 * (model | valuation | sensitive | tax_mismatch | blue_channel | random). `selected`: within capacity.
 */
export const pcaPlanItems = pgTable(
  'pca_plan_items',
  {
    id: uuid('id').primaryKey(),
    planId: uuid('plan_id')
      .notNull()
      .references(() => pcaPlans.id),
    country: text('country').notNull(),
    rank: integer('rank').notNull(),
    traderTin: text('trader_tin').notNull(),
    traderName: text('trader_name').notNull(),
    periodFrom: ts('period_from').notNull(),
    periodTo: ts('period_to').notNull(),
    declarationIds: jsonb('declaration_ids').$type<string[]>().notNull(),
    source: text('source').notNull(),
    expectedRevenue: doublePrecision('expected_revenue').notNull(),
    estimatedRecovery: doublePrecision('estimated_recovery').notNull(),
    hours: doublePrecision('hours').notNull(),
    reasons: jsonb('reasons').notNull(),
    selected: boolean('selected').notNull(),
    /** the draw that chose it, for the random share */
    draw: doublePrecision('draw'),
  },
  (t) => [index('pca_plan_items_plan_idx').on(t.planId, t.rank)],
);

/**
 * An audit case: who is audited over what scope, the auditor drawn at random (the draw and who
 * was excluded for a conflict recorded in `assignment`), the timeline, the participants it is
 * shared with (the tax administration), the closure. status: open | closed.
 */
export const pcaCases = pgTable(
  'pca_cases',
  {
    id: uuid('id').primaryKey(),
    country: text('country').notNull(),
    reference: text('reference').notNull(),
    planId: uuid('plan_id'),
    planItemId: uuid('plan_item_id'),
    source: text('source').notNull(),
    traderTin: text('trader_tin').notNull(),
    traderName: text('trader_name').notNull(),
    scope: jsonb('scope').notNull(),
    status: text('status').notNull(),
    auditorUserId: text('auditor_user_id').notNull(),
    auditorName: text('auditor_name').notNull(),
    assignment: jsonb('assignment').notNull(),
    openedBy: text('opened_by').notNull(),
    openedAt: ts('opened_at').notNull(),
    dueAt: ts('due_at').notNull(),
    hoursPlanned: doublePrecision('hours_planned').notNull(),
    hoursSpent: doublePrecision('hours_spent').notNull(),
    sharedWith: jsonb('shared_with').$type<string[]>().notNull(),
    closedAt: ts('closed_at'),
    closure: jsonb('closure'),
  },
  (t) => [unique('pca_cases_reference_uq').on(t.country, t.reference), index('pca_cases_trader_idx').on(t.country, t.traderTin)],
);

/** The steps of a case as its participants see them (the audit log keeps the same, chained). */
export const pcaCaseEvents = pgTable(
  'pca_case_events',
  {
    id: uuid('id').primaryKey(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => pcaCases.id),
    at: ts('at').notNull(),
    actor: text('actor').notNull(),
    kind: text('kind').notNull(),
    detail: jsonb('detail').notNull(),
  },
  (t) => [index('pca_case_events_case_idx').on(t.caseId, t.at)],
);

/** A request for documents to the trader: what, by when, and when received. */
export const pcaDocumentRequests = pgTable(
  'pca_document_requests',
  {
    id: uuid('id').primaryKey(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => pcaCases.id),
    description: text('description').notNull(),
    requestedAt: ts('requested_at').notNull(),
    dueAt: ts('due_at').notNull(),
    receivedAt: ts('received_at'),
    note: text('note'),
  },
  (t) => [index('pca_document_requests_case_idx').on(t.caseId)],
);

/**
 * A finding on one declaration line: what (value, classification, origin, quantity, other), the
 * declared and established values, the extra duties, taxes and penalties assessed, the legal
 * basis, and the date it was found (labels for the model are point in time).
 */
export const pcaFindings = pgTable(
  'pca_findings',
  {
    id: uuid('id').primaryKey(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => pcaCases.id),
    country: text('country').notNull(),
    traderTin: text('trader_tin').notNull(),
    declarationId: text('declaration_id').notNull(),
    declarationReference: text('declaration_reference').notNull(),
    line: integer('line').notNull(),
    kind: text('kind').notNull(),
    description: text('description').notNull(),
    declared: text('declared'),
    established: text('established'),
    extraDuties: doublePrecision('extra_duties').notNull(),
    extraTaxes: doublePrecision('extra_taxes').notNull(),
    penalties: doublePrecision('penalties').notNull(),
    currency: text('currency').notNull(),
    legalBasis: text('legal_basis').notNull(),
    /** the channel the declaration was released in (blue or green found non-compliant afterwards) */
    releaseChannel: text('release_channel'),
    foundAt: ts('found_at').notNull(),
    recordedBy: text('recorded_by').notNull(),
  },
  (t) => [index('pca_findings_case_idx').on(t.caseId), index('pca_findings_country_found_idx').on(t.country, t.foundAt), index('pca_findings_trader_idx').on(t.country, t.traderTin)],
);

/** A periodic tax return as the tax administration sent it (one per taxpayer and month). */
export const pcaTaxReturns = pgTable(
  'pca_tax_returns',
  {
    id: uuid('id').primaryKey(),
    country: text('country').notNull(),
    tin: text('tin').notNull(),
    period: text('period').notNull(),
    declaredImports: doublePrecision('declared_imports').notNull(),
    purchases: doublePrecision('purchases').notNull(),
    sales: doublePrecision('sales').notNull(),
    currency: text('currency').notNull(),
    batchId: text('batch_id').notNull(),
    receivedAt: ts('received_at').notNull(),
  },
  (t) => [unique('pca_tax_returns_uq').on(t.country, t.tin, t.period)],
);

/**
 * A mismatch between customs and tax for a trader and period, found by the detector, with its
 * evidence. kind: value_gap | time_shift | no_return | sales_inconsistent.
 */
export const pcaTaxMismatches = pgTable(
  'pca_tax_mismatches',
  {
    id: uuid('id').primaryKey(),
    country: text('country').notNull(),
    tin: text('tin').notNull(),
    period: text('period').notNull(),
    kind: text('kind').notNull(),
    customsImportsUsd: doublePrecision('customs_imports_usd').notNull(),
    taxImportsUsd: doublePrecision('tax_imports_usd'),
    gapUsd: doublePrecision('gap_usd').notNull(),
    evidence: jsonb('evidence').notNull(),
    detectedAt: ts('detected_at').notNull(),
    runId: text('run_id').notNull(),
  },
  (t) => [index('pca_tax_mismatches_country_idx').on(t.country, t.period), index('pca_tax_mismatches_tin_idx').on(t.country, t.tin)],
);
