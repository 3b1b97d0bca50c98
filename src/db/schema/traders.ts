import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * A trader's running counters as selectivity sees them now (declarations, controls opened, hits,
 * seizures, first and last seen), kept up to date by intake and control results in the same
 * statements that write them. Owned by the traders module (the SQL name is historical). The
 * point-in-time history (as of any date) is rebuilt from the facts themselves: see traders/history.ts.
 */
export const traderCounters = pgTable(
  'risk_trader_history',
  {
    country: text('country').notNull(),
    tin: text('tin').notNull(),
    declarations: integer('declarations').notNull(),
    controls: integer('controls').notNull(),
    hits: integer('hits').notNull(),
    seizures: integer('seizures').notNull(),
    firstSeen: ts('first_seen').notNull(),
    lastSeen: ts('last_seen').notNull(),
  },
  (t) => [primaryKey({ columns: [t.country, t.tin] })],
);

/**
 * A trader's AEO (Authorized Economic Operator) status as one administration sees it.
 * `observer` is the administration holding the record; `administration` the one that certified the
 * trader. A local record has observer = administration (set by its national admin or analyst); a
 * partner's record (observer ≠ administration) arrived through the regional exchange (`aeo.status`)
 * and is only ever written by the inbox.
 */
export const traderAeoStatuses = pgTable(
  'trader_aeo_statuses',
  {
    observer: text('observer').notNull(),
    administration: text('administration').notNull(),
    tin: text('tin').notNull(),
    /** the programme's name, e.g. `OEA-GT` */
    programme: text('programme').notNull(),
    /** certified | suspended | revoked */
    status: text('status').notNull(),
    since: ts('since').notNull(),
    until: ts('until'),
    reason: text('reason').notNull(),
    /** the trader's name as the certifying administration knows it */
    name: text('name'),
    /** increases with every change the certifying administration makes (stale partner messages are ignored) */
    revision: integer('revision').notNull(),
    changedBy: text('changed_by').notNull(),
    changedAt: ts('changed_at').notNull(),
    /** the exchange message it arrived in (partner records) */
    messageId: uuid('message_id'),
  },
  (t) => [primaryKey({ columns: [t.observer, t.administration, t.tin] }), index('trader_aeo_statuses_tin_idx').on(t.tin)],
);

/** Every AEO status change, local or received, in order: the status on any past date can be shown. */
export const traderAeoChanges = pgTable(
  'trader_aeo_changes',
  {
    id: uuid('id').primaryKey(),
    observer: text('observer').notNull(),
    administration: text('administration').notNull(),
    tin: text('tin').notNull(),
    revision: integer('revision').notNull(),
    /** the status after the change: programme, status, since, until, reason, name */
    status: jsonb('status').notNull(),
    changedBy: text('changed_by').notNull(),
    changedAt: ts('changed_at').notNull(),
    messageId: uuid('message_id'),
  },
  (t) => [index('trader_aeo_changes_trader_idx').on(t.observer, t.administration, t.tin, t.revision)],
);
