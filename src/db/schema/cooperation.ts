import { boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/*
 * Regional risk cooperation (issue 11, point 5): risk information forms, common regional criteria,
 * seizures and control results of regional interest. Every row belongs to the administration that
 * holds it (`country`): the sender's copy (`direction = 'outbound'`) and each recipient's copy
 * (`direction = 'inbound'`) are separate rows, also when both administrations share one node, so
 * the key is (id, country). Partners' records arrive only through the exchange.
 */

/**
 * A risk information form (RIF): an alert one administration sends chosen partners. Outbound:
 * status `sent`; inbound: `received` | `accepted` (became a criterion of the recipient) |
 * `declined` (with a reason).
 */
export const coopRifs = pgTable(
  'coop_rifs',
  {
    id: uuid('id').notNull(),
    country: text('country').notNull(),
    /** outbound | inbound */
    direction: text('direction').notNull(),
    /** the issuing administration */
    sender: text('sender').notNull(),
    reference: text('reference').notNull(),
    title: text('title').notNull(),
    /** revenue | drugs | weapons | security | safety | ipr | environment | other */
    riskType: text('risk_type').notNull(),
    /** { traderTins, plates, containers, route: { dispatch, destination, offices }, goods: { hsCodes, description } } */
    subject: jsonb('subject').notNull(),
    /** { text, items: [{ kind, value }] } */
    indicators: jsonb('indicators').notNull(),
    /** inspect | scan | document_check | watch */
    recommendedAction: text('recommended_action').notNull(),
    validFrom: ts('valid_from').notNull(),
    validTo: ts('valid_to').notNull(),
    /** who else may see it: customs_only | law_enforcement | no_further */
    handling: text('handling').notNull(),
    contact: text('contact'),
    feedbackRequested: boolean('feedback_requested').notNull(),
    /** outbound: the partners chosen by the analyst */
    recipients: text('recipients').array().notNull(),
    /** outbound: the partners left after the sharing rules (null inbound) */
    deliveredTo: text('delivered_to').array(),
    /** outbound: payload paths the sharing rules removed */
    redacted: jsonb('redacted').$type<string[]>(),
    /** the exchange message that carried it */
    messageId: text('message_id'),
    status: text('status').notNull(),
    /** who wrote it (outbound) or who issued it as the sender said (inbound, null when redacted) */
    author: text('author'),
    createdAt: ts('created_at').notNull(),
    // ---- inbound: the recipient's answer
    decision: text('decision'),
    decisionReason: text('decision_reason'),
    criterionId: uuid('criterion_id'),
    answeredBy: text('answered_by'),
    answeredAt: ts('answered_at'),
    answerMessageId: text('answer_message_id'),
    /** inbound, accepted: the state of the criterion last reported to the sender (a new answer follows each change) */
    reportedCriterionStatus: text('reported_criterion_status'),
  },
  (t) => [primaryKey({ columns: [t.id, t.country] }), index('coop_rifs_country_idx').on(t.country, t.direction, t.createdAt)],
);

/** A partner's answer to a RIF this administration sent (the sender's side). */
export const coopRifAnswers = pgTable(
  'coop_rif_answers',
  {
    rifId: uuid('rif_id').notNull(),
    country: text('country').notNull(),
    partner: text('partner').notNull(),
    /** accepted | declined */
    decision: text('decision').notNull(),
    reason: text('reason'),
    /** the partner's criterion as it stood when they answered (awaiting_approval, active…) */
    criterionStatus: text('criterion_status'),
    criterionName: text('criterion_name'),
    answeredAt: ts('answered_at').notNull(),
    receivedAt: ts('received_at').notNull(),
    messageId: text('message_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.rifId, t.country, t.partner] })],
);

/**
 * A common regional criterion proposed by the regional working group. Outbound (the proposer's
 * copy): status `proposed`; inbound: `received` | `adopted` | `adapted` | `declined`. The
 * proposer's own administration, when a member, holds both copies (hence the direction in the key).
 */
export const coopProposals = pgTable(
  'coop_proposals',
  {
    id: uuid('id').notNull(),
    country: text('country').notNull(),
    direction: text('direction').notNull(),
    sender: text('sender').notNull(),
    reference: text('reference').notNull(),
    name: text('name').notNull(),
    rationale: text('rationale').notNull(),
    expression: text('expression').notNull(),
    /** { types, stages } suggested; offices are each administration's own */
    scope: jsonb('scope').notNull(),
    weight: doublePrecision('weight').notNull(),
    forcedChannel: text('forced_channel'),
    validTo: ts('valid_to'),
    recipients: text('recipients').array().notNull(),
    deliveredTo: text('delivered_to').array(),
    redacted: jsonb('redacted').$type<string[]>(),
    messageId: text('message_id'),
    status: text('status').notNull(),
    author: text('author'),
    createdAt: ts('created_at').notNull(),
    // ---- inbound: this administration's answer
    decision: text('decision'),
    decisionReason: text('decision_reason'),
    /** the scope adopted (the suggested one, or the adapted one) */
    adoptedScope: jsonb('adopted_scope'),
    criterionId: uuid('criterion_id'),
    answeredBy: text('answered_by'),
    answeredAt: ts('answered_at'),
    /** hit rates are reported up to here (end of the last period sent) */
    hitsReportedUntil: ts('hits_reported_until'),
  },
  (t) => [primaryKey({ columns: [t.id, t.country, t.direction] }), index('coop_proposals_country_idx').on(t.country, t.direction, t.createdAt)],
);

/** A member's answer to a common criterion (the proposer's side). */
export const coopProposalAnswers = pgTable(
  'coop_proposal_answers',
  {
    proposalId: uuid('proposal_id').notNull(),
    country: text('country').notNull(),
    member: text('member').notNull(),
    /** adopted | adapted | declined */
    decision: text('decision').notNull(),
    reason: text('reason'),
    scope: jsonb('scope'),
    criterionStatus: text('criterion_status'),
    answeredAt: ts('answered_at').notNull(),
    receivedAt: ts('received_at').notNull(),
    messageId: text('message_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.proposalId, t.country, t.member] })],
);

/** Hit rates of an adopted common criterion in one member over one period (the proposer's side). */
export const coopProposalHits = pgTable(
  'coop_proposal_hits',
  {
    proposalId: uuid('proposal_id').notNull(),
    country: text('country').notNull(),
    member: text('member').notNull(),
    periodFrom: ts('period_from').notNull(),
    periodTo: ts('period_to').notNull(),
    /** declarations assessed while the criterion was in force */
    evaluated: integer('evaluated').notNull(),
    /** of which the criterion selected */
    hits: integer('hits').notNull(),
    /** controls it selected that have a result */
    controls: integer('controls').notNull(),
    /** of which found a discrepancy */
    controlsWithFindings: integer('controls_with_findings').notNull(),
    criterionStatus: text('criterion_status'),
    reportedAt: ts('reported_at').notNull(),
    receivedAt: ts('received_at').notNull(),
    messageId: text('message_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.proposalId, t.country, t.member, t.periodFrom, t.periodTo] })],
);

/**
 * A seizure or control result of regional interest: the sharer's copy (outbound, from one of its
 * controls) and each recipient's (inbound, as redacted by the sender's sharing rules).
 */
export const coopIntel = pgTable(
  'coop_intel',
  {
    id: uuid('id').notNull(),
    country: text('country').notNull(),
    direction: text('direction').notNull(),
    sender: text('sender').notNull(),
    /** seizure | control_result */
    kind: text('kind').notNull(),
    office: text('office').notNull(),
    occurredAt: ts('occurred_at').notNull(),
    /** the report as sent (outbound: before redaction) or received (inbound: after it) */
    report: jsonb('report').notNull(),
    recipients: text('recipients').array().notNull(),
    deliveredTo: text('delivered_to').array(),
    redacted: jsonb('redacted').$type<string[]>(),
    messageId: text('message_id'),
    /** outbound: the control it came from */
    controlId: uuid('control_id'),
    author: text('author'),
    createdAt: ts('created_at').notNull(),
    /** inbound: the watch criterion an analyst made of it */
    watchCriterionId: uuid('watch_criterion_id'),
  },
  (t) => [primaryKey({ columns: [t.id, t.country] }), index('coop_intel_country_idx').on(t.country, t.direction, t.occurredAt), index('coop_intel_control_idx').on(t.controlId)],
);
