import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { DEFAULT_MAX_BATCH, LinkDownError, type InboundDelivery, type InboundHandlerFn, type SubscribeOptions, type Subscription, type Transport, type TransportPending, type WireMessage } from './transport.ts';

/**
 * The exchange over NATS JetStream.
 *
 * Subjects: `<prefix>.x.<recipient>.<sender>.<kind>` (e.g. `centinela.x.SV.GT.transit.event`):
 * one publication per recipient administration, the envelope (JSON) as the body and
 * `Nats-Msg-Id: <envelope id>:<recipient>` for de-duplication.
 *
 * Streams: one per recipient administration, `<PREFIX>_X_<recipient>` over `<prefix>.x.<recipient>.>`,
 * work-queue retention (a message stays until its recipient acknowledges it, however long the
 * recipient is away), file storage, a two-hour duplicate window. The recipient's node creates it;
 * in a supercluster it is placed in the recipient's own cluster.
 *
 * Consumers: one durable pull consumer per stream, `inbox`, explicit acks, delivering everything
 * in stream order. The node applies what has arrived in batches (in stream order, one inbox
 * transaction per batch) and acknowledges each message after that transaction committed, so a node
 * that was down for hours resumes where it stopped, in order.
 */
export interface NatsTransportOptions {
  url: string;
  /** subject prefix (lower case, dots allowed): isolates deployments and test runs; default `centinela` */
  prefix?: string;
  /** connection name shown by the server */
  name?: string;
  replicas?: number;
}

export function streamName(prefix: string, recipient: string): string {
  return `${prefix.replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase()}_X_${recipient}`;
}

export function natsSubject(prefix: string, recipient: string, sender: string, kind: string): string {
  return `${prefix}.x.${recipient}.${sender}.${kind}`;
}

const DURABLE = 'inbox';
/** how long a delivered message may stay unacknowledged before JetStream delivers it again */
const ACK_WAIT_MS = 15_000;
const MAX_ACK_PENDING = 1000;

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

export class NatsTransport implements Transport {
  readonly kind = 'nats' as const;
  readonly location: string;
  readonly prefix: string;
  private nc?: NatsConnection;
  private js?: JetStreamClient;
  private jsm?: JetStreamManager;
  private up = false;
  private listeners: ((up: boolean) => void)[] = [];
  private subs = new Set<ConsumerMessages>();

  constructor(private readonly opts: NatsTransportOptions) {
    this.location = redactUrl(opts.url);
    this.prefix = opts.prefix ?? 'centinela';
    if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/i.test(this.prefix)) throw new Error(`exchange: the NATS subject prefix "${this.prefix}" may hold letters, digits, - and _ separated by dots`);
  }

  private setUp(up: boolean) {
    if (up === this.up) return;
    this.up = up;
    for (const l of this.listeners) l(up);
  }

  async connect(): Promise<void> {
    if (this.nc && !this.nc.isClosed()) return;
    const nc = await connect({ servers: this.opts.url, name: this.opts.name ?? 'centinela-exchange', maxReconnectAttempts: -1, reconnectTimeWait: 1000, timeout: 5000 });
    this.nc = nc;
    this.js = jetstream(nc, { timeout: 10_000 });
    this.jsm = await jetstreamManager(nc);
    this.setUp(true);
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') this.setUp(false);
        else if (s.type === 'reconnect') this.setUp(true);
      }
    })().catch(() => {});
    void nc.closed().then(() => {
      if (this.nc === nc) this.setUp(false);
    });
  }

  async disconnect(): Promise<void> {
    const nc = this.nc;
    this.nc = undefined;
    for (const s of this.subs) s.stop();
    this.subs.clear();
    this.setUp(false);
    if (nc && !nc.isClosed()) await nc.close();
  }

  isUp(): boolean {
    return this.up && !!this.nc && !this.nc.isClosed();
  }

  onLinkChange(listener: (up: boolean) => void): void {
    this.listeners.push(listener);
  }

  private manager(): JetStreamManager {
    if (!this.jsm || !this.isUp()) throw new LinkDownError();
    return this.jsm;
  }

  async ensureInbox(recipient: string): Promise<void> {
    const jsm = this.manager();
    const name = streamName(this.prefix, recipient);
    const subjects = [`${this.prefix}.x.${recipient}.>`];
    try {
      await jsm.streams.info(name);
    } catch {
      await jsm.streams.add({
        name,
        subjects,
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
        discard: DiscardPolicy.New,
        duplicate_window: nanos(2 * 3600_000),
        num_replicas: this.opts.replicas ?? 1,
        description: `Centinela regional exchange: messages for ${recipient}`,
      });
    }
    const config = { ack_wait: nanos(ACK_WAIT_MS), max_ack_pending: MAX_ACK_PENDING };
    let existing: Awaited<ReturnType<typeof jsm.consumers.info>> | undefined;
    try {
      existing = await jsm.consumers.info(name, DURABLE);
    } catch {
      await jsm.consumers.add(name, { durable_name: DURABLE, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ...config, description: `inbox of ${recipient}` });
    }
    if (existing && (existing.config.max_ack_pending !== config.max_ack_pending || existing.config.ack_wait !== config.ack_wait)) await jsm.consumers.update(name, DURABLE, config);
  }

  async publish(m: WireMessage): Promise<{ duplicate: boolean }> {
    if (!this.js || !this.isUp()) throw new LinkDownError();
    const ack = await this.js.publish(natsSubject(this.prefix, m.recipient, m.sender, m.kind), m.data, { msgID: m.msgId });
    return { duplicate: ack.duplicate };
  }

  async pending(recipient: string): Promise<TransportPending> {
    const info = await this.manager().consumers.info(streamName(this.prefix, recipient), DURABLE);
    return { pending: info.num_pending + info.num_ack_pending };
  }

  async subscribe(recipient: string, handler: InboundHandlerFn, opts: SubscribeOptions = {}): Promise<Subscription> {
    if (!this.js || !this.isUp()) throw new LinkDownError();
    const maxBatch = Math.max(1, opts.maxBatch ?? DEFAULT_MAX_BATCH);
    const stream = streamName(this.prefix, recipient);
    // A session that ended with messages delivered and not acknowledged (a node cut off mid-way):
    // JetStream would hand them back only after the ack wait, behind newer ones. The consumer is
    // made again instead: the work-queue stream holds exactly what was not acknowledged, delivered
    // again from the start, in order; what the lost session had received is marked redelivered
    // (the inbox answers a copy it already applied, and applies nothing twice).
    let redeliveredUpTo = 0;
    const jsm = this.manager();
    const info = await jsm.consumers.info(stream, DURABLE);
    if (info.num_ack_pending > 0) {
      redeliveredUpTo = info.delivered.stream_seq;
      await jsm.consumers.delete(stream, DURABLE);
      await jsm.consumers.add(stream, { durable_name: DURABLE, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: nanos(ACK_WAIT_MS), max_ack_pending: MAX_ACK_PENDING, description: `inbox of ${recipient}` });
    }
    const consumer = await this.js.consumers.get(stream, DURABLE);
    const messages = await consumer.consume({ max_messages: 256 });
    this.subs.add(messages);
    let stopping = false;
    // what has arrived waits here, in order, while the previous batch is applied (at most
    // max_ack_pending messages: the server delivers no more until some are acknowledged)
    const arrived: JsMsg[] = [];
    let ended = false;
    let wake: (() => void) | undefined;
    const pump = (async () => {
      for await (const m of messages) {
        arrived.push(m);
        wake?.();
      }
    })()
      .catch(() => {})
      .finally(() => {
        ended = true;
        wake?.();
      });
    const running = (async () => {
      for (;;) {
        if (!arrived.length) {
          if (ended) break;
          await new Promise<void>((resolve) => {
            wake = resolve;
            if (arrived.length || ended) resolve();
          });
          wake = undefined;
          continue;
        }
        const batch = arrived.splice(0, maxBatch);
        if (stopping) {
          for (const m of batch) m.nak();
          continue;
        }
        const settled = new Set<JsMsg>();
        const deliveries = batch.map(
          (m): InboundDelivery => ({
            recipient,
            data: m.string(),
            redelivered: m.info.redelivered || m.info.streamSequence <= redeliveredUpTo,
            ack: async () => {
              if (settled.has(m)) return;
              settled.add(m);
              m.ack();
            },
            nak: async (delayMs = 0) => {
              if (settled.has(m)) return;
              settled.add(m);
              m.nak(delayMs);
            },
          }),
        );
        try {
          await handler(deliveries);
        } catch {
          /* not acknowledged */
        }
        for (const m of batch) if (!settled.has(m)) m.nak(1000);
      }
    })().catch(() => {});
    return {
      stop: async () => {
        stopping = true;
        this.subs.delete(messages);
        await messages.close().catch(() => {});
        await pump;
        await running;
      },
    };
  }

  /** Deletes every stream of this prefix (tests and benchmarks clean up after themselves). */
  async deleteStreams(): Promise<string[]> {
    const jsm = this.manager();
    const mine = `${this.prefix.replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase()}_X_`;
    const deleted: string[] = [];
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(mine)) {
        await jsm.streams.delete(name);
        deleted.push(name);
      }
    }
    return deleted;
  }
}
