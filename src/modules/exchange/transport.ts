/**
 * How envelopes travel between nodes. Two implementations with the same semantics:
 * `NatsTransport` (JetStream: a stream per recipient administration, a durable consumer per
 * stream) and `MemoryTransport` (in-process, for a single node and tests). Both are durable per
 * recipient (a message published for a recipient waits until that recipient acknowledges it),
 * de-duplicate by message id, deliver in publication order per recipient (hence per subject), and
 * redeliver what was not acknowledged.
 */
export interface WireMessage {
  /** the recipient administration (one publication per recipient) */
  recipient: string;
  sender: string;
  kind: string;
  /** de-duplication id (`<envelope id>:<recipient>`) */
  msgId: string;
  /** the signed envelope, JSON */
  data: string;
  /** published again by a node recovering after a restart (the in-process transport keeps nothing across one) */
  recovery?: boolean;
}

export interface InboundDelivery {
  recipient: string;
  data: string;
  /** the transport delivers this message again (an earlier delivery was not acknowledged) */
  redelivered: boolean;
  ack(): Promise<void>;
  /** hand it back for redelivery after `delayMs` */
  nak(delayMs?: number): Promise<void>;
}

/**
 * Receives the recipient's messages in stream order, a batch at a time (what has arrived while the
 * previous batch was being applied, at most `maxBatch`); it settles each (ack or nak) before it
 * returns — an unsettled message is handed back for redelivery.
 */
export type InboundHandlerFn = (batch: InboundDelivery[]) => Promise<void>;

export interface SubscribeOptions {
  /** the most messages handed over at once (default 200) */
  maxBatch?: number;
}

export const DEFAULT_MAX_BATCH = 200;

export interface Subscription {
  stop(): Promise<void>;
}

export interface TransportPending {
  /** messages waiting for the recipient (not yet acknowledged) */
  pending: number;
}

export class LinkDownError extends Error {
  constructor(detail = 'the link to the exchange is down') {
    super(detail);
  }
}

export interface Transport {
  readonly kind: 'nats' | 'memory';
  /** where it connects (a NATS URL without credentials, or `in-process`) */
  readonly location: string;
  connect(): Promise<void>;
  /** drops the link (shutdown, or cutting a node off in a test); `connect` restores it */
  disconnect(): Promise<void>;
  isUp(): boolean;
  /** called on every change of the link (up or down) */
  onLinkChange(listener: (up: boolean) => void): void;
  /** creates (or checks) the recipient's stream and durable consumer */
  ensureInbox(recipient: string): Promise<void>;
  publish(m: WireMessage): Promise<{ duplicate: boolean }>;
  /** delivers the recipient's messages in order, in batches, to `handler` (which acks or naks each); the next batch follows once it returned */
  subscribe(recipient: string, handler: InboundHandlerFn, opts?: SubscribeOptions): Promise<Subscription>;
  /** how many messages wait for the recipient */
  pending(recipient: string): Promise<TransportPending>;
}
