import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const users = pgTable('users', {
  id: uuid('id').primaryKey(),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  role: text('role').notNull(),
  country: text('country').notNull(),
  passwordHash: text('password_hash').notNull(),
  active: boolean('active').notNull().default(true),
  createdAt: ts('created_at').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  /** the first characters of the key, shown to people to tell keys apart */
  prefix: text('prefix').notNull().unique(),
  keyHash: text('key_hash').notNull(),
  role: text('role').notNull(),
  country: text('country').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: ts('created_at').notNull(),
  revokedAt: ts('revoked_at'),
});

export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey(),
    tokenHash: text('token_hash').notNull().unique(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/**
 * Append-only audit log. Each row's hash covers its content and the previous row's hash,
 * so any edit or deletion breaks the chain. UPDATE and DELETE are refused by a trigger.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    id: uuid('id').notNull().unique(),
    at: ts('at').notNull(),
    actor: text('actor').notNull(),
    actorKind: text('actor_kind').notNull(),
    country: text('country'),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('audit_entity_idx').on(t.entityType, t.entityId)],
);

/**
 * Failed sign-ins, shared by every server process and kept across restarts (see
 * modules/access/throttle.ts): one row per (username, source) pair and per source address.
 */
export const loginThrottle = pgTable(
  'login_throttle',
  {
    key: text('key').primaryKey(),
    /** `pair` (username + source) or `source` */
    kind: text('kind').notNull(),
    failures: integer('failures').notNull().default(0),
    windowStart: ts('window_start').notNull(),
    lockedUntil: ts('locked_until'),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('login_throttle_updated_idx').on(t.updatedAt)],
);
