import { DEFAULT_MAX_BATCH, LinkDownError, type InboundDelivery, type InboundHandlerFn, type SubscribeOptions, type Subscription, type Transport, type TransportPending, type WireMessage } from './transport.ts';

interface Stored {
  seq: number;
  msgId: string;
  data: string;
  delivered: number;
  recovery: boolean;
  /** not before (after a nak with a delay) */
  notBefore: number;
}

interface Stream {
  msgs: Stored[];
  seq: number;
  /** msgId → when it was published (de-duplication window) */
  dedup: Map<string, number>;
  waiters: (() => void)[];
}

/**
 * The in-process bus: one per process (the default) or one per test region. It keeps, per
 * recipient administration, the messages not yet acknowledged, like a JetStream work-queue stream:
 * a node that is cut off finds them on reconnection. It lives as long as the process does; what
 * the process loses on a crash the senders' outboxes publish again (see ExchangeService.start).
 */
export class MemoryBus {
  private streams = new Map<string, Stream>();
  constructor(readonly duplicateWindowMs = 2 * 3600_000) {}

  stream(recipient: string): Stream {
    let s = this.streams.get(recipient);
    if (!s) this.streams.set(recipient, (s = { msgs: [], seq: 0, dedup: new Map(), waiters: [] }));
    return s;
  }

  publish(m: WireMessage): { duplicate: boolean } {
    const s = this.stream(m.recipient);
    const now = Date.now();
    const seen = s.dedup.get(m.msgId);
    if (seen !== undefined && now - seen < this.duplicateWindowMs) return { duplicate: true };
    if (s.dedup.size > 100_000) for (const [k, t] of s.dedup) if (now - t >= this.duplicateWindowMs) s.dedup.delete(k);
    s.dedup.set(m.msgId, now);
    s.msgs.push({ seq: ++s.seq, msgId: m.msgId, data: m.data, delivered: 0, recovery: !!m.recovery, notBefore: 0 });
    const w = s.waiters.splice(0);
    for (const f of w) f();
    return { duplicate: false };
  }

  /** publishes raw text (tests: forged and replayed messages) */
  inject(recipient: string, data: string, msgId = `raw-${Math.random()}`): void {
    this.publish({ recipient, sender: '?', kind: '?', msgId, data });
  }
}

let defaultBus: MemoryBus | undefined;
/** The process's bus (a node serving several administrations in one process). */
export function processBus(): MemoryBus {
  return (defaultBus ??= new MemoryBus());
}

export class MemoryTransport implements Transport {
  readonly kind = 'memory' as const;
  readonly location = 'in-process';
  private up = false;
  private listeners: ((up: boolean) => void)[] = [];
  private subs = new Set<{ stopped: boolean; wake: () => void }>();

  constructor(readonly bus: MemoryBus = processBus()) {}

  async connect(): Promise<void> {
    if (this.up) return;
    this.up = true;
    for (const l of this.listeners) l(true);
  }
  async disconnect(): Promise<void> {
    if (!this.up) return;
    this.up = false;
    for (const s of this.subs) {
      s.stopped = true;
      s.wake();
    }
    this.subs.clear();
    for (const l of this.listeners) l(false);
  }
  isUp(): boolean {
    return this.up;
  }
  onLinkChange(listener: (up: boolean) => void): void {
    this.listeners.push(listener);
  }
  async ensureInbox(recipient: string): Promise<void> {
    if (!this.up) throw new LinkDownError();
    this.bus.stream(recipient);
  }
  async publish(m: WireMessage): Promise<{ duplicate: boolean }> {
    if (!this.up) throw new LinkDownError();
    return this.bus.publish(m);
  }
  async pending(recipient: string): Promise<TransportPending> {
    return { pending: this.bus.stream(recipient).msgs.length };
  }

  async subscribe(recipient: string, handler: InboundHandlerFn, opts: SubscribeOptions = {}): Promise<Subscription> {
    if (!this.up) throw new LinkDownError();
    const maxBatch = Math.max(1, opts.maxBatch ?? DEFAULT_MAX_BATCH);
    const stream = this.bus.stream(recipient);
    const state = { stopped: false, wake: () => {} };
    this.subs.add(state);
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(done, ms);
        t.unref();
        function done() {
          clearTimeout(t);
          resolve();
        }
        state.wake = done;
        stream.waiters.push(done);
      });
    const loop = async () => {
      while (!state.stopped) {
        const now = Date.now();
        // the messages not yet acknowledged, in order, up to the first one waiting out a nak's delay
        const head = stream.msgs[0];
        if (!head) {
          await sleep(1000);
          continue;
        }
        if (head.notBefore > now) {
          await sleep(head.notBefore - now);
          continue;
        }
        const batch: Stored[] = [];
        for (const m of stream.msgs) {
          if (batch.length >= maxBatch || m.notBefore > now) break;
          batch.push(m);
        }
        const settled = new Set<Stored>();
        const deliveries = batch.map((m): InboundDelivery => {
          m.delivered++;
          return {
            recipient,
            data: m.data,
            redelivered: m.delivered > 1 || m.recovery,
            ack: async () => {
              if (settled.has(m)) return;
              settled.add(m);
              const i = stream.msgs.indexOf(m);
              if (i >= 0) stream.msgs.splice(i, 1);
            },
            nak: async (delayMs = 0) => {
              if (settled.has(m)) return;
              settled.add(m);
              m.notBefore = Date.now() + delayMs;
            },
          };
        });
        try {
          await handler(deliveries);
        } catch {
          /* what was not acknowledged is delivered again */
        }
        for (const m of batch) if (!settled.has(m)) m.notBefore = Date.now() + 1000;
      }
    };
    const running = loop();
    return {
      stop: async () => {
        state.stopped = true;
        state.wake();
        this.subs.delete(state);
        await running;
      },
    };
  }
}
