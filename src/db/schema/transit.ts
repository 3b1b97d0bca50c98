import { bigint, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * A transit declaration (TIM / DUCA-T): goods moving under customs control from an office of
 * departure, along a planned route of the region's offices and crossings, to an office of
 * destination, within a time limit, under seal and guarantee.
 */
export const transitMovements = pgTable(
  'transit_movements',
  {
    id: uuid('id').primaryKey(),
    /** the administration of departure */
    country: text('country').notNull(),
    reference: text('reference').notNull(),
    mode: integer('mode').notNull(),
    officeOfDeparture: text('office_of_departure').notNull(),
    officeOfDestination: text('office_of_destination').notNull(),
    /** the planned checkpoints between departure and destination, office codes in order */
    route: jsonb('route').$type<string[]>().notNull(),
    /** every administration concerned: departure, transit countries, destination */
    countries: text('countries').array().notNull(),
    distanceKm: doublePrecision('distance_km').notNull(),
    departureAt: ts('departure_at').notNull(),
    /** the limit in force: the declared one when the office of departure set it, else the one Centinela proposes from the route */
    timeLimit: ts('time_limit').notNull(),
    /** the time limit as the office of departure set it on the declaration (null when it set none) */
    declaredTimeLimit: ts('declared_time_limit'),
    /** the limit Centinela computes from the route (distance, borders, mode) */
    proposedTimeLimit: ts('proposed_time_limit'),
    /** declared | proposed */
    timeLimitSource: text('time_limit_source').notNull().default('proposed'),
    /** when the arrival at destination happened (event time), once recorded */
    arrivedAt: ts('arrived_at'),
    plate: text('plate'),
    rfidTag: text('rfid_tag'),
    containers: jsonb('containers').$type<string[]>().notNull(),
    seals: jsonb('seals').$type<string[]>().notNull(),
    grossMassKg: doublePrecision('gross_mass_kg').notNull(),
    packages: integer('packages').notNull(),
    /** declared | in_transit | arrived | cancelled */
    status: text('status').notNull(),
    contentHash: text('content_hash').notNull(),
    payload: jsonb('payload').notNull(),
    /** the ledger's head: number of events chained and the last hash (detects removal of the last events) */
    eventCount: integer('event_count').notNull().default(0),
    headHash: text('head_hash').notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    /** null: declared at this node; else the partner administration whose node sent it over the exchange (a partner's record, kept so the detectors see the whole journey) */
    receivedFrom: text('received_from'),
    receivedAt: ts('received_at'),
    receivedMessageId: text('received_message_id'),
  },
  (t) => [
    unique('transit_movements_country_reference_uq').on(t.country, t.reference),
    index('transit_movements_status_idx').on(t.status, t.timeLimit),
    index('transit_movements_tag_idx').on(t.rfidTag),
    index('transit_movements_plate_idx').on(t.plate),
    index('transit_movements_containers_idx').using('gin', t.containers),
    index('transit_movements_seals_idx').using('gin', t.seals),
  ],
);

/**
 * Events of a ledger chain, in the order they were received (seq), each chained by hash to the
 * one before. A chain is a movement (`movement:<id>`) or a port arrival (`arrival:<country>/<manifest>`).
 */
export const transitEvents = pgTable(
  'transit_events',
  {
    chain: text('chain').notNull(),
    seq: integer('seq').notNull(),
    /** the sender's id of the event: ingestion is idempotent on it */
    eventId: text('event_id').notNull().unique(),
    movementId: uuid('movement_id'),
    type: text('type').notNull(),
    /** when it happened (events are ordered by this, not by arrival) */
    at: ts('at').notNull(),
    office: text('office'),
    country: text('country'),
    data: jsonb('data').notNull(),
    receivedAt: ts('received_at').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    /** null: recorded at this node; else the partner administration that reported it over the exchange (a partner's leg) */
    receivedFrom: text('received_from'),
    receivedMessageId: text('received_message_id'),
  },
  (t) => [primaryKey({ columns: [t.chain, t.seq] }), index('transit_events_movement_idx').on(t.movementId, t.at)],
);

/** The head of each port-arrival chain (movements keep theirs on the movement row). */
export const transitChains = pgTable('transit_chains', {
  chain: text('chain').primaryKey(),
  eventCount: integer('event_count').notNull(),
  headHash: text('head_hash').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

/** Discharges from vessels, one row per transport document, reconciled with manifests and declarations. */
export const portDischarges = pgTable(
  'port_discharges',
  {
    id: uuid('id').primaryKey(),
    eventId: text('event_id').notNull().unique(),
    country: text('country').notNull(),
    office: text('office').notNull(),
    manifestReference: text('manifest_reference').notNull(),
    transportDocument: text('transport_document').notNull(),
    packages: integer('packages').notNull(),
    grossMassKg: doublePrecision('gross_mass_kg').notNull(),
    containers: jsonb('containers').$type<string[]>().notNull(),
    dischargedAt: ts('discharged_at').notNull(),
    receivedAt: ts('received_at').notNull(),
  },
  (t) => [index('port_discharges_manifest_idx').on(t.country, t.manifestReference)],
);

/** Alerts raised by the transit and port detectors: one per (kind, subject, key), never duplicated. */
export const transitAlerts = pgTable(
  'transit_alerts',
  {
    id: uuid('id').primaryKey(),
    dedupeKey: text('dedupe_key').notNull().unique(),
    kind: text('kind').notNull(),
    severity: text('severity').notNull(),
    /** the administration that raised it (departure, or the port's) */
    country: text('country').notNull(),
    /** every administration concerned, for the regional exchange */
    countries: text('countries').array().notNull(),
    roles: jsonb('roles').notNull(),
    movementId: uuid('movement_id'),
    /** movement reference, or `<manifest>/<transport document>` for port alerts */
    subject: text('subject').notNull(),
    code: text('code').notNull(),
    params: jsonb('params').notNull(),
    evidence: jsonb('evidence').notNull(),
    /** open | withdrawn (a later event explained it away; kept, with the reason) */
    status: text('status').notNull(),
    raisedAt: ts('raised_at').notNull(),
    withdrawnAt: ts('withdrawn_at'),
    /** why it was withdrawn: { reason, params, explainedBy: eventIds, ledgerEventId } */
    withdrawal: jsonb('withdrawal'),
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    /** null: raised by this node's detectors; else the partner administration that raised it (its alert, as it sent it) */
    receivedFrom: text('received_from'),
    /** the partner's id of the alert */
    sourceAlertId: uuid('source_alert_id'),
    receivedAt: ts('received_at'),
    receivedMessageId: text('received_message_id'),
  },
  (t) => [
    index('transit_alerts_country_idx').on(t.country, t.raisedAt),
    index('transit_alerts_kind_idx').on(t.kind),
    index('transit_alerts_movement_idx').on(t.movementId, t.status),
    index('transit_alerts_source_idx').on(t.sourceAlertId),
  ],
);

/**
 * Partner messages about a movement this node does not know yet (an event reported by the next
 * country before the departure's declaration reached us): kept, and applied in order once the
 * declaration arrives.
 */
export const transitParked = pgTable(
  'transit_parked',
  {
    messageId: text('message_id').notNull(),
    recipient: text('recipient').notNull(),
    movementId: uuid('movement_id').notNull(),
    kind: text('kind').notNull(),
    sender: text('sender').notNull(),
    envelope: jsonb('envelope').notNull(),
    parkedAt: ts('parked_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.recipient] }), index('transit_parked_movement_idx').on(t.movementId, t.recipient)],
);

/** What this node sent to and received from partners about each movement (the monitor's exchange log). */
export const transitMessages = pgTable(
  'transit_messages',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    movementId: uuid('movement_id').notNull(),
    /** the exchange's message id (null when the sharing rules left no recipient) */
    messageId: text('message_id'),
    /** out | in */
    direction: text('direction').notNull(),
    kind: text('kind').notNull(),
    sender: text('sender').notNull(),
    recipients: text('recipients').array().notNull(),
    /** what it said, in short (event ids and types, alert kind and action…) */
    summary: jsonb('summary').notNull(),
    at: ts('at').notNull(),
  },
  (t) => [index('transit_messages_movement_idx').on(t.movementId, t.id)],
);

/** Detector thresholds per administration (missing keys take the defaults in code). */
export const transitThresholds = pgTable('transit_thresholds', {
  country: text('country').primaryKey(),
  values: jsonb('values').notNull(),
  updatedAt: ts('updated_at').notNull(),
  updatedBy: text('updated_by').notNull(),
});
