import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * The regional exchange's tables (src/modules/exchange). A node holds the signing keys of the
 * administrations it serves, the public keys of its partners, the sender's sharing rules, the
 * outbox (messages committed with the business change, per recipient delivery state) and the
 * inbox (ids applied once per recipient, dead letters kept with the reason).
 */

/** Signing keys of the administrations this node serves (Ed25519). The private key never leaves the node. */
export const exchangeOwnKeys = pgTable(
  'exchange_own_keys',
  {
    keyId: text('key_id').primaryKey(),
    administration: text('administration').notNull(),
    /** raw 32-byte Ed25519 public key, base64url */
    publicKey: text('public_key').notNull(),
    /** PKCS#8 PEM; `enc:v1:` + AES-256-GCM when CENTINELA_EXCHANGE_KEY_SECRET is set */
    privateKey: text('private_key').notNull(),
    createdAt: ts('created_at').notNull(),
    /** rotated out: no longer signs; partners accept what it signed before this instant */
    retiredAt: ts('retired_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('exchange_own_keys_admin_idx').on(t.administration)],
);

/** Public keys this node trusts: partners' (imported by a national admin) and its own administrations'. */
export const exchangePartnerKeys = pgTable(
  'exchange_partner_keys',
  {
    keyId: text('key_id').primaryKey(),
    administration: text('administration').notNull(),
    publicKey: text('public_key').notNull(),
    /** `local` (an administration this node serves) or `imported` */
    origin: text('origin').notNull(),
    createdAt: ts('created_at').notNull(),
    /** rotation: messages signed (sentAt) at or after this instant are refused */
    retiredAt: ts('retired_at'),
    /** revocation: every message under this key arriving after this instant is refused, whatever its date */
    revokedAt: ts('revoked_at'),
    revocationReason: text('revocation_reason'),
    registeredBy: text('registered_by').notNull(),
    registeredAt: ts('registered_at').notNull(),
  },
  (t) => [index('exchange_partner_keys_admin_idx').on(t.administration)],
);

/** Which kinds a partner may send to a local administration (no row: every kind). */
export const exchangePartners = pgTable(
  'exchange_partners',
  {
    recipient: text('recipient').notNull(),
    sender: text('sender').notNull(),
    kinds: text('kinds').array().notNull(),
    version: integer('version').notNull(),
    updatedBy: text('updated_by').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.recipient, t.sender] })],
);

/** The sender's sharing rules, versioned: the highest version is in force. */
export const exchangeSharingRules = pgTable(
  'exchange_sharing_rules',
  {
    sender: text('sender').notNull(),
    version: integer('version').notNull(),
    rules: jsonb('rules').notNull(),
    note: text('note'),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sender, t.version] })],
);

/** Messages this node sent (one row per message; delivery per recipient in exchange_deliveries). */
export const exchangeOutbox = pgTable(
  'exchange_outbox',
  {
    id: uuid('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    sender: text('sender').notNull(),
    recipients: text('recipients').array().notNull(),
    kind: text('kind').notNull(),
    schemaVersion: integer('schema_version').notNull(),
    subject: text('subject'),
    payload: jsonb('payload').notNull(),
    redacted: text('redacted').array().notNull(),
    sentAt: ts('sent_at').notNull(),
    /** set by the relay when it first signs the envelope; the same bytes are published on every retry */
    keyId: text('key_id'),
    signature: text('signature'),
  },
  (t) => [index('exchange_outbox_seq_idx').on(t.seq), index('exchange_outbox_sender_idx').on(t.sender, t.kind)],
);

/** Delivery of a sent message to one recipient: queued → sent → applied | refused. */
export const exchangeDeliveries = pgTable(
  'exchange_deliveries',
  {
    messageId: uuid('message_id').notNull(),
    recipient: text('recipient').notNull(),
    sender: text('sender').notNull(),
    kind: text('kind').notNull(),
    state: text('state').notNull(),
    reason: text('reason'),
    queuedAt: ts('queued_at').notNull(),
    sentAt: ts('sent_at'),
    answeredAt: ts('answered_at'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at'),
    lastError: text('last_error'),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.recipient] }), index('exchange_deliveries_state_idx').on(t.state, t.recipient)],
);

/** Messages applied here: each (message id, recipient) once. */
export const exchangeInbox = pgTable(
  'exchange_inbox',
  {
    messageId: uuid('message_id').notNull(),
    recipient: text('recipient').notNull(),
    sender: text('sender').notNull(),
    kind: text('kind').notNull(),
    subject: text('subject'),
    sentAt: ts('sent_at').notNull(),
    receivedAt: ts('received_at').notNull(),
    appliedAt: ts('applied_at').notNull(),
    /** the envelope as received (signed), for audit and for the Exchange page */
    envelope: jsonb('envelope').notNull(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.recipient] }), index('exchange_inbox_received_idx').on(t.recipient, t.receivedAt)],
);

/** Messages refused on arrival, with the reason: never applied, never dropped; re-examined after a fix. */
export const exchangeDeadLetters = pgTable(
  'exchange_dead_letters',
  {
    id: uuid('id').primaryKey(),
    /** null when the message could not even be read as an envelope */
    messageId: text('message_id'),
    recipient: text('recipient').notNull(),
    sender: text('sender'),
    kind: text('kind'),
    /** machine code: bad_signature, unknown_key, revoked_key, retired_key, replayed, kind_not_allowed, schema_version, bad_payload, malformed, refused_by_handler, handler_failed, not_addressed */
    code: text('code').notNull(),
    reason: text('reason').notNull(),
    /** the raw message as received (text), so it can be re-examined exactly */
    raw: text('raw').notNull(),
    receivedAt: ts('received_at').notNull(),
    /** open | applied (re-examined and applied) | discarded */
    status: text('status').notNull(),
    resolvedAt: ts('resolved_at'),
    resolvedBy: text('resolved_by'),
    examinations: integer('examinations').notNull().default(1),
  },
  (t) => [index('exchange_dead_letters_status_idx').on(t.recipient, t.status, t.receivedAt), index('exchange_dead_letters_msg_idx').on(t.messageId)],
);

/**
 * Answers owed to senders: written in the transaction that applied (or dead-lettered) a message,
 * sent in batches — one `exchange.receipt` message per sender carries up to 500 answers.
 */
export const exchangeReceipts = pgTable(
  'exchange_receipts',
  {
    messageId: uuid('message_id').notNull(),
    /** the local administration answering */
    recipient: text('recipient').notNull(),
    /** the administration the answer goes to (the message's sender) */
    sender: text('sender').notNull(),
    state: text('state').notNull(),
    code: text('code'),
    reason: text('reason'),
    digest: text('digest').notNull(),
    createdAt: ts('created_at').notNull(),
    /** the receipt message that carried it; null while owed */
    receiptId: uuid('receipt_id'),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.recipient, t.state] }), index('exchange_receipts_owed_idx').on(t.recipient, t.sender).where(sql`receipt_id is null`)],
);
