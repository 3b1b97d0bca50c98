import type { z } from 'zod';
import type { Tx } from '../../db/client.ts';

/**
 * The regional exchange's contract: what the rest of Centinela may rely on. Modules that send or
 * receive partner messages (transit, risk, traders) depend on these types only; the exchange module
 * implements them (envelope signing, keys, outbox, relay, transports, inbox, dead letters).
 *
 * A node serves one or more administrations (`CENTINELA_ADMINISTRATIONS`). Every message between
 * administrations — also between two administrations served by the same node — goes through the
 * same path: the sender's outbox (same transaction as the business change) → the transport (NATS
 * JetStream, or the in-process transport) → the recipient's inbox (verified, applied once).
 */

/** What flows between administrations. */
export const MESSAGE_KINDS = [
  /** a transit declared at departure: to every country on the route and the destination */
  'transit.declared',
  /** an event at a border post / office (arrival, exit, seal check, weight…): to the next country and the departure office */
  'transit.event',
  /** a transit alert raised, revised or withdrawn: to every administration concerned by the movement */
  'transit.alert',
  /** the movement closed by the destination's arrival: to the departure and every route country */
  'transit.closed',
  /** a risk information form (structured alert) sent to chosen partners */
  'rif.sent',
  /** a receiving analyst's answer to a RIF: accepted (became a criterion) or declined with a reason */
  'rif.answered',
  /** a seizure of regional interest, redacted per the sender's sharing rules */
  'seizure.reported',
  /** a control result of regional interest, redacted per the sender's sharing rules */
  'control.result',
  /** a common regional criterion proposed by the regional working group */
  'criterion.proposed',
  /** an administration's answer to a common criterion: adopted, adapted (scope changed) or declined */
  'criterion.answered',
  /** hit rates of an adopted common criterion, back to the proposer */
  'criterion.hits',
  /** an AEO status change (certified, suspended, revoked…) for mutual recognition */
  'aeo.status',
  /** internal: the recipient's receipt that a message was applied (or dead-lettered), back to the sender */
  'exchange.receipt',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** A signed message between administrations. */
export interface Envelope<P = unknown> {
  /** UUIDv7, unique across the region; the inbox applies each id once per recipient */
  id: string;
  /** the sending administration (ISO 3166-1 alpha-2, e.g. `GT`) */
  sender: string;
  /** the recipient administrations (after the sender's sharing rules) */
  recipients: string[];
  kind: MessageKind;
  /** the payload schema's version, for that kind */
  schemaVersion: number;
  /** when the sender committed it (ISO 8601, UTC) */
  sentAt: string;
  /** ordering key: messages with the same subject are applied in the order they were sent (e.g. a movement's id); null when order does not matter */
  subject: string | null;
  payload: P;
  /** the sender's signing key id (registry of partners' public keys) */
  keyId: string;
  /** Ed25519 signature, base64url, over the canonical JSON of every other field */
  signature: string;
}

/** A message a module queues; the exchange fills id, time, key and signature. */
export interface OutboundMessage<P = unknown> {
  sender: string;
  recipients: string[];
  kind: MessageKind;
  payload: P;
  subject?: string | null;
  /** the payload schema's version (default: the version of the handler registered for the kind on this node, else 1) */
  schemaVersion?: number;
}

export interface Enqueued {
  /** null when the sharing rules left no recipient (nothing queued) */
  id: string | null;
  /** the recipients that remained after the sharing rules */
  recipients: string[];
  /** payload paths the sharing rules removed (e.g. `officer`, `controls.0.officer`) */
  redacted: string[];
}

/** How a kind of message is applied when it arrives. */
export interface InboundHandler<P = unknown> {
  kind: MessageKind;
  /** the payload schema version this handler reads; a message with another version is dead-lettered */
  schemaVersion: number;
  /** the payload's schema: a message whose payload does not parse is dead-lettered with the zod issue */
  payload: z.ZodType<P>;
  /**
   * Applies the message for one local recipient administration, inside the inbox's transaction
   * (the inbox records the id in the same transaction: applied exactly once). Throw a
   * `ValidationError` (core/errors.ts) to refuse it: the transaction rolls back and the message is
   * dead-lettered with the error's message as the reason. Any other error is retried later.
   */
  apply(tx: Tx, envelope: Envelope<P>, recipient: string): Promise<void>;
}

/** Delivery state of a message, per recipient, as its sender sees it. */
export type DeliveryState = 'queued' | 'sent' | 'applied' | 'refused';
export interface Delivery {
  messageId: string;
  recipient: string;
  kind: MessageKind;
  state: DeliveryState;
  /** why the recipient refused it (dead letter reason), when refused */
  reason: string | null;
  queuedAt: Date;
  sentAt: Date | null;
  answeredAt: Date | null;
}

/** The exchange as other modules use it. */
export interface Exchange {
  /** the administrations this node serves */
  readonly local: readonly string[];
  /**
   * Queues a message in the caller's transaction: it commits with the business change or not at
   * all. The sender's sharing rules filter the recipients and redact fields. Works the same whether
   * the link is up or down (the relay publishes later).
   */
  enqueue<P>(tx: Tx, msg: OutboundMessage<P>): Promise<Enqueued>;
  /** Registers how a kind is applied on arrival (once per kind, at composition time). */
  handle<P>(handler: InboundHandler<P>): void;
  /** Delivery state per recipient of messages this node sent (newest first), optionally of one message / kind. */
  deliveries(filter: { sender: string; messageId?: string; kind?: MessageKind; limit?: number }): Promise<Delivery[]>;
}
