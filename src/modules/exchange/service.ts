import { createHash } from 'node:crypto';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { ValidationError } from '../../core/errors.ts';
import { uuidv7 } from '../../core/ids.ts';
import type { Logger } from '../../core/logger.ts';
import { queryRows, schema, type Db, type Tx } from '../../db/client.ts';
import { MESSAGE_KINDS, type Delivery, type DeliveryState, type Enqueued, type Envelope, type Exchange, type InboundHandler, type MessageKind, type OutboundMessage } from './contract.ts';
import { envelopeSchema, signEnvelope, verifyEnvelope } from './envelope.ts';
import { applySharingRules, DEFAULT_RULES, type SharingRules } from './sharing.ts';
import { KeyRegistry } from './keys.ts';
import { receiptSchema, RECEIPT_VERSION, type Receipt, type ReceiptEntry } from './receipt.ts';
import type { InboundDelivery, Subscription, Transport } from './transport.ts';

/** Why an inbound message was refused (dead letter code). */
export const DEAD_LETTER_CODES = [
  'malformed',
  'not_addressed',
  'unknown_key',
  'key_mismatch',
  'revoked_key',
  'retired_key',
  'bad_signature',
  'kind_not_allowed',
  'replayed',
  'no_handler',
  'schema_version',
  'bad_payload',
  'refused_by_handler',
  'handler_failed',
] as const;
export type DeadLetterCode = (typeof DEAD_LETTER_CODES)[number];

export interface ExchangeOptions {
  db: Db;
  clock: Clock;
  /** the administrations this node serves */
  local: readonly string[];
  transport: Transport;
  logger?: Logger;
  /** seals the private keys at rest (CENTINELA_EXCHANGE_KEY_SECRET) */
  keySecret?: string;
  /** relay: rows per pass per recipient (default 256), poll interval (default 1000 ms), longest backoff (default 30 s) */
  relay?: { batch?: number; pollMs?: number; maxBackoffMs?: number };
  /**
   * inbox: attempts of a handler failing with an unexpected error before the message is
   * dead-lettered (default 8); the most messages applied in one transaction (default 200);
   * `onApplied` is told, after each commit, which message ids were applied (benchmarks, metrics)
   */
  inbox?: { maxAttempts?: number; retryBaseMs?: number; maxBatch?: number; onApplied?: (recipient: string, messageIds: string[]) => void };
}

export interface LinkStatus {
  transport: 'nats' | 'memory';
  location: string;
  up: boolean;
  /** when the link last went up or down */
  since: string;
  /** a person or a test cut the link on purpose (degraded mode) */
  severed: boolean;
  local: string[];
  /** deliveries waiting in the outbox */
  queued: number;
  oldestQueuedAt: string | null;
  lastSentAt: string | null;
  lastReceivedAt: string | null;
  deadLetters: number;
  lastError: string | null;
}

export interface OutcomeApplied {
  outcome: 'applied' | 'duplicate';
}
export interface OutcomeDead {
  outcome: 'dead';
  code: DeadLetterCode;
  reason: string;
  deadLetterId: string;
}
export type Outcome = OutcomeApplied | OutcomeDead | { outcome: 'retry'; error: string };

class Refusal extends Error {
  constructor(
    readonly code: DeadLetterCode,
    message: string,
    /** send a refused receipt to the claimed sender */
    readonly receipt = true,
  ) {
    super(message);
  }
}

/** An inbound message after the checks: refused, or ready to apply. */
interface Checked {
  env?: Envelope;
  partial: { id?: string; sender?: string; kind?: string };
  refusal?: Refusal;
  payload?: unknown;
  apply?: (tx: Tx, e: Envelope) => Promise<void>;
}

type ReceiptRow = typeof schema.exchangeReceipts.$inferInsert;

/** A refusal for what a message's handler threw; undefined for an unexpected error (retried). */
function asRefusal(err: unknown): Refusal | undefined {
  if (err instanceof Refusal) return err;
  if (err instanceof ValidationError) return new Refusal('refused_by_handler', err.errors.length ? `${err.message}: ${err.errors.map((x) => `${x.path}: ${x.message}`).join('; ')}` : err.message);
  return undefined;
}

const SAVEPOINT = sql.raw('savepoint exchange_message');
const ROLLBACK_TO_SAVEPOINT = sql.raw('rollback to savepoint exchange_message');

const digestOf = (signature: string) => createHash('sha256').update(signature).digest().subarray(0, 16).toString('base64url');
const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** how long answers wait to travel together */
const RECEIPT_DELAY_MS = 50;

/**
 * The regional exchange of one node: outbox (enqueue in the caller's transaction under the
 * sender's sharing rules), relay (signs and publishes after commit, retries with backoff, the
 * transport de-duplicates by id), inbox (verifies, applies each id once per recipient in its own
 * transaction, dead-letters what it refuses, answers with receipts), keys and partners.
 */
export class ExchangeService implements Exchange {
  readonly local: readonly string[];
  readonly keys: KeyRegistry;
  readonly transport: Transport;
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly log?: Logger;
  private readonly handlers = new Map<MessageKind, InboundHandler<unknown>>();
  private running = false;
  private severed = false;
  private subscribed = false;
  private subs: Subscription[] = [];
  private linkSince = new Date();
  private lastError: string | null = null;
  private lastSentAt: Date | null = null;
  private lastReceivedAt: Date | null = null;
  private relayWake?: () => void;
  private relayWoken = false;
  private supervisorWake?: () => void;
  private loops: Promise<void>[] = [];
  private inFlight = 0;
  private readonly batch: number;
  private readonly pollMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly maxBatch: number;
  private readonly onApplied?: (recipient: string, messageIds: string[]) => void;
  private kindsCache = new Map<string, { kinds: string[] | null; at: number }>();

  constructor(opts: ExchangeOptions) {
    this.db = opts.db;
    this.clock = opts.clock;
    this.local = [...opts.local];
    this.transport = opts.transport;
    this.log = opts.logger;
    this.keys = new KeyRegistry({ db: opts.db, clock: opts.clock, local: this.local, secret: opts.keySecret, onChange: () => this.kindsCache.clear() });
    this.batch = opts.relay?.batch ?? 256;
    this.pollMs = opts.relay?.pollMs ?? 1000;
    this.maxBackoffMs = opts.relay?.maxBackoffMs ?? 30_000;
    this.maxAttempts = opts.inbox?.maxAttempts ?? 8;
    this.retryBaseMs = opts.inbox?.retryBaseMs ?? 200;
    this.maxBatch = opts.inbox?.maxBatch ?? 200;
    this.onApplied = opts.inbox?.onApplied;
    this.transport.onLinkChange((up) => {
      this.linkSince = this.clock.now();
      this.log?.info({ up, transport: this.transport.kind }, up ? 'exchange: link up' : 'exchange: link down');
      if (up) {
        this.wakeRelay();
      }
    });
  }

  // ------------------------------------------------------------------ the contract

  handle<P>(handler: InboundHandler<P>): void {
    if (handler.kind === 'exchange.receipt') throw new Error('exchange: receipts are handled by the exchange itself');
    if (this.handlers.has(handler.kind)) throw new Error(`exchange: a handler for ${handler.kind} is already registered`);
    this.handlers.set(handler.kind, handler as InboundHandler<unknown>);
  }

  /** Replaces the handler of a kind (tests that stand in for a module's handler). */
  replaceHandler<P>(handler: InboundHandler<P>): InboundHandler<unknown> | undefined {
    const prev = this.handlers.get(handler.kind);
    this.handlers.set(handler.kind, handler as InboundHandler<unknown>);
    return prev;
  }

  /** the kinds this node reads (registered handlers) */
  handledKinds(): MessageKind[] {
    return [...this.handlers.keys()];
  }

  async enqueue<P>(tx: Tx, msg: OutboundMessage<P>): Promise<Enqueued> {
    if (!this.local.includes(msg.sender)) throw new ValidationError([{ path: 'sender', code: 'not_local', message: `this node serves ${this.local.join(', ')}; it cannot send as ${msg.sender}` }]);
    if (!(MESSAGE_KINDS as readonly string[]).includes(msg.kind)) throw new ValidationError([{ path: 'kind', code: 'unknown_kind', message: `unknown message kind ${msg.kind}` }]);
    const handler = this.handlers.get(msg.kind);
    const schemaVersion = msg.schemaVersion ?? (msg.kind === 'exchange.receipt' ? RECEIPT_VERSION : handler?.schemaVersion ?? 1);
    if (handler && schemaVersion === handler.schemaVersion) {
      const r = handler.payload.safeParse(msg.payload);
      if (!r.success) throw new ValidationError(r.error.issues.map((i) => ({ path: ['payload', ...i.path].join('.'), code: 'invalid_payload', message: i.message })));
    }
    const requested = [...new Set(msg.recipients)].filter((r) => r !== msg.sender);
    const rules = msg.kind === 'exchange.receipt' ? DEFAULT_RULES : (await this.rulesInForce(tx, msg.sender)).rules;
    const shared = applySharingRules(rules, msg.kind, requested, msg.payload);
    if (!shared.recipients.length) return { id: null, recipients: [], redacted: shared.redacted };
    const id = uuidv7();
    const now = this.clock.now();
    await tx.insert(schema.exchangeOutbox).values({
      id,
      sender: msg.sender,
      recipients: shared.recipients,
      kind: msg.kind,
      schemaVersion,
      subject: msg.subject ?? null,
      payload: shared.payload as object,
      redacted: shared.redacted,
      sentAt: now,
    });
    await tx.insert(schema.exchangeDeliveries).values(shared.recipients.map((recipient) => ({ messageId: id, recipient, sender: msg.sender, kind: msg.kind, state: 'queued', queuedAt: now })));
    this.wakeRelay();
    return { id, recipients: shared.recipients, redacted: shared.redacted };
  }

  async deliveries(filter: { sender: string; messageId?: string; kind?: MessageKind; limit?: number; state?: DeliveryState; recipient?: string }): Promise<Delivery[]> {
    const d = schema.exchangeDeliveries;
    const conds = [eq(d.sender, filter.sender)];
    if (filter.messageId) conds.push(eq(d.messageId, filter.messageId));
    if (filter.kind) conds.push(eq(d.kind, filter.kind));
    else conds.push(sql`${d.kind} <> 'exchange.receipt'`);
    if (filter.state) conds.push(eq(d.state, filter.state));
    if (filter.recipient) conds.push(eq(d.recipient, filter.recipient));
    const rows = await this.db
      .select()
      .from(d)
      .where(and(...conds))
      .orderBy(desc(d.queuedAt), desc(d.messageId), d.recipient)
      .limit(Math.min(filter.limit ?? 100, 1000));
    return rows.map((r) => ({ messageId: r.messageId, recipient: r.recipient, kind: r.kind as MessageKind, state: r.state as DeliveryState, reason: r.reason, queuedAt: r.queuedAt, sentAt: r.sentAt, answeredAt: r.answeredAt }));
  }

  // ------------------------------------------------------------------ lifecycle

  /** Makes the local administrations' keys, connects (or keeps trying: degraded mode) and starts the relay and the consumers. */
  async start(): Promise<void> {
    if (this.running) return;
    await this.keys.ensureOwnKeys();
    if (this.transport.kind === 'memory') await this.recoverInProcess();
    this.running = true;
    this.loops.push(this.supervise(), this.relayLoop());
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.relayWake?.();
    this.supervisorWake?.();
    await Promise.all(this.loops);
    this.loops = [];
    await this.stopSubscriptions();
    await this.transport.disconnect();
  }

  /** Cuts this node off the bus (degraded mode, by hand or in a test): intake goes on, outbound messages queue. */
  async cut(): Promise<void> {
    this.severed = true;
    await this.stopSubscriptions();
    await this.transport.disconnect();
  }

  /** Restores the link cut by `cut()`: the node catches up both ways. */
  async restore(): Promise<void> {
    this.severed = false;
    this.supervisorWake?.();
    await this.waitFor(() => this.subscribed, 60_000, 'the link to come back');
  }

  private async waitFor(cond: () => boolean, timeoutMs: number, what: string) {
    const end = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`exchange: timed out waiting for ${what}${this.lastError ? ` (last error: ${this.lastError})` : ''}`);
      await sleep(20);
    }
  }

  private async stopSubscriptions() {
    const subs = this.subs;
    this.subs = [];
    this.subscribed = false;
    await Promise.all(subs.map((s) => s.stop().catch(() => {})));
  }

  /** Keeps the link: connects, makes the local inbox streams, subscribes; retries with backoff while the bus is away. */
  private async supervise(): Promise<void> {
    let backoff = 250;
    while (this.running) {
      if (!this.severed && !this.subscribed) {
        try {
          await this.transport.connect();
          for (const a of this.local) await this.transport.ensureInbox(a);
          for (const a of this.local) this.subs.push(await this.transport.subscribe(a, (batch) => this.onBatch(batch), { maxBatch: this.maxBatch }));
          this.subscribed = true;
          this.lastError = null;
          backoff = 250;
          await this.resetBackoffs();
          this.wakeRelay();
        } catch (e) {
          this.lastError = (e as Error).message;
          this.log?.warn({ err: e }, 'exchange: cannot reach the bus; retrying');
          await this.stopSubscriptions();
        }
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.subscribed || this.severed ? 2000 : backoff);
        t.unref();
        this.supervisorWake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      if (!this.subscribed) backoff = Math.min(backoff * 2, 10_000);
    }
  }

  /** The in-process bus keeps nothing across a restart: what was sent and not answered is published again. */
  private async recoverInProcess() {
    await this.db.execute(sql`update exchange_deliveries set state = 'queued', next_attempt_at = null where state = 'sent' and kind <> 'exchange.receipt' and sender in ${sqlList(this.local)}`);
  }

  private async resetBackoffs() {
    await this.db.execute(sql`update exchange_deliveries set next_attempt_at = null where state = 'queued' and next_attempt_at is not null`);
  }

  // ------------------------------------------------------------------ relay

  private receiptTimer?: NodeJS.Timeout;
  private lastReceiptFlush = 0;
  /** Answers are owed: the relay sends them a moment later, so that answers to a burst of messages travel together. */
  private receiptsOwed() {
    if (this.receiptTimer) return;
    this.receiptTimer = setTimeout(() => {
      this.receiptTimer = undefined;
      this.wakeRelay();
    }, RECEIPT_DELAY_MS);
    this.receiptTimer.unref();
  }

  private wakeRelay() {
    this.relayWoken = true;
    this.relayWake?.();
  }

  private async relayLoop(): Promise<void> {
    let quickRetries = 0;
    while (this.running) {
      let n = 0;
      try {
        // answers travel in batches: at most one flush per RECEIPT_DELAY_MS (a timer is set while some wait)
        let flushed = 0;
        if (Date.now() - this.lastReceiptFlush >= RECEIPT_DELAY_MS) {
          this.lastReceiptFlush = Date.now();
          flushed = await this.flushReceipts();
        } else this.receiptsOwed();
        n = flushed + (await this.relayPass());
      } catch (e) {
        this.lastError = (e as Error).message;
        this.log?.warn({ err: e }, 'exchange: relay pass failed');
      }
      if (n > 0) continue;
      // woken by an enqueue whose transaction may not have committed yet: look again shortly
      if (this.relayWoken) {
        this.relayWoken = false;
        quickRetries = 3;
      }
      const wait = quickRetries > 0 ? (quickRetries--, 5) : this.pollMs;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, wait);
        t.unref();
        this.relayWake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /** One pass of the relay: publishes what is due, per recipient in order; returns how many it published. */
  async relayPass(): Promise<number> {
    if (!this.transport.isUp() || this.severed) return 0;
    const recipients = await queryRows<{ recipient: string }>(this.db, sql`select distinct recipient from exchange_deliveries where state = 'queued'`);
    let published = 0;
    await Promise.all(recipients.map(async ({ recipient }) => (published += await this.relayRecipient(recipient))));
    return published;
  }

  private async relayRecipient(recipient: string): Promise<number> {
    const rows = await queryRows<{
      message_id: string;
      attempts: number;
      next_attempt_at: string | Date | null;
      sender: string;
      recipients: string[];
      kind: MessageKind;
      schema_version: number;
      subject: string | null;
      payload: unknown;
      sent_at: string | Date;
      key_id: string | null;
      signature: string | null;
    }>(
      this.db,
      sql`select d.message_id, d.attempts, d.next_attempt_at, o.sender, o.recipients, o.kind, o.schema_version, o.subject, o.payload, o.sent_at, o.key_id, o.signature
          from exchange_deliveries d join exchange_outbox o on o.id = d.message_id
          where d.state = 'queued' and d.recipient = ${recipient}
          order by o.seq limit ${this.batch}`,
    );
    if (!rows.length) return 0;
    const now = this.clock.now().getTime();
    // sign what has not been signed yet (the same bytes are then published on every retry)
    const toSign = rows.filter((r) => !r.signature);
    if (toSign.length) {
      const updates: { id: string; keyId: string; signature: string }[] = [];
      for (const r of toSign) {
        const k = await this.keys.signingKey(r.sender);
        const env = signEnvelope(this.envelopeOf(r, k.keyId), k.key);
        r.key_id = k.keyId;
        r.signature = env.signature;
        updates.push({ id: r.message_id, keyId: k.keyId, signature: env.signature });
      }
      await this.db.execute(sql`update exchange_outbox o set key_id = u.key_id, signature = u.signature
        from (select unnest(${pgArray(updates.map((u) => u.id))}::uuid[]) as id, unnest(${pgArray(updates.map((u) => u.keyId))}::text[]) as key_id, unnest(${pgArray(updates.map((u) => u.signature))}::text[]) as signature) u
        where o.id = u.id and o.signature is null`);
    }
    // a subject's messages go one after the other; a message waiting for its backoff holds back the later ones of its subject
    const chains = new Map<string, Promise<boolean>>();
    const blocked = new Set<string>();
    const sent: string[] = [];
    const failed: { id: string; attempts: number; error: string }[] = [];
    const work: Promise<unknown>[] = [];
    for (const r of rows) {
      const chainKey = r.subject ?? `#${r.message_id}`;
      if (blocked.has(chainKey)) continue;
      if (r.next_attempt_at && new Date(r.next_attempt_at).getTime() > now) {
        if (r.subject) blocked.add(chainKey);
        continue;
      }
      const prev = chains.get(chainKey) ?? Promise.resolve(true);
      const p = prev.then(async (ok) => {
        if (!ok) return false;
        try {
          const env = { ...this.envelopeOf(r, r.key_id!), signature: r.signature! };
          await this.transport.publish({ recipient, sender: r.sender, kind: r.kind, msgId: `${r.message_id}:${recipient}`, data: JSON.stringify(env) });
          sent.push(r.message_id);
          return true;
        } catch (e) {
          failed.push({ id: r.message_id, attempts: r.attempts + 1, error: (e as Error).message });
          return false;
        }
      });
      chains.set(chainKey, p);
      work.push(p);
    }
    await Promise.all(work);
    const at = this.clock.now();
    if (sent.length) {
      await this.db.execute(sql`update exchange_deliveries set state = 'sent', sent_at = ${at.toISOString()}, attempts = attempts + 1, last_error = null, next_attempt_at = null
        where recipient = ${recipient} and state = 'queued' and message_id = any(${pgArray(sent)}::uuid[])`);
      this.lastSentAt = at;
    }
    if (failed.length) {
      this.lastError = failed[0].error;
      for (const f of failed) {
        const delay = Math.min(this.maxBackoffMs, 250 * 2 ** Math.min(f.attempts, 12)) * (0.75 + Math.random() * 0.5);
        await this.db.execute(sql`update exchange_deliveries set attempts = ${f.attempts}, last_error = ${f.error.slice(0, 500)}, next_attempt_at = ${new Date(at.getTime() + delay).toISOString()}
          where message_id = ${f.id} and recipient = ${recipient} and state = 'queued'`);
      }
    }
    return sent.length;
  }

  private envelopeOf(r: { message_id: string; sender: string; recipients: string[]; kind: MessageKind; schema_version: number; sent_at: string | Date; subject: string | null; payload: unknown }, keyId: string): Omit<Envelope, 'signature'> {
    return { id: r.message_id, sender: r.sender, recipients: r.recipients, kind: r.kind, schemaVersion: r.schema_version, sentAt: new Date(r.sent_at).toISOString(), subject: r.subject, payload: r.payload, keyId };
  }

  // ------------------------------------------------------------------ inbox

  /**
   * A batch from the transport, in stream order: applied in one transaction, a savepoint per
   * message (a refused message is dead-lettered and rolls back only its own writes; the others
   * apply). A message whose handler fails unexpectedly stops the batch there: what came before it
   * commits, it is retried alone (with backoff, then dead-lettered), and the rest follows — so a
   * subject's messages are never applied out of order.
   */
  private async onBatch(batch: InboundDelivery[]): Promise<void> {
    this.inFlight += batch.length;
    let rest = batch;
    try {
      while (rest.length) {
        if (!this.running || this.severed) {
          for (const d of rest) await d.nak(1000);
          return;
        }
        const { settled, retry } = await this.applyBatch(rest[0].recipient, rest);
        for (const d of rest.slice(0, settled)) await d.ack();
        if (settled) this.lastReceivedAt = this.clock.now();
        this.inFlight -= settled;
        rest = rest.slice(settled);
        if (retry && rest.length) {
          const d = rest[0];
          rest = rest.slice(1);
          try {
            await this.onDelivery(d);
          } finally {
            this.inFlight--;
          }
        }
      }
    } finally {
      this.inFlight -= rest.length;
    }
  }

  /** One message alone, retried with backoff when its handler fails unexpectedly; acknowledged (or handed back) at the end. */
  private async onDelivery(d: InboundDelivery): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const out = await this.examine(d.recipient, d.data, { redelivered: d.redelivered, lastAttempt: attempt >= this.maxAttempts });
      if (out.outcome !== 'retry') break;
      if (!this.running || this.severed) {
        await d.nak(1000);
        return;
      }
      await sleep(this.retryBaseMs * 2 ** Math.min(attempt - 1, 6));
    }
    this.lastReceivedAt = this.clock.now();
    await d.ack();
  }

  /**
   * Applies the leading messages of `batch` in one transaction; returns how many are settled
   * (applied, answered again, or dead-lettered — committed), and whether the next one must be
   * retried alone (its handler failed unexpectedly, or the transaction did).
   */
  private async applyBatch(recipient: string, batch: InboundDelivery[]): Promise<{ settled: number; retry: boolean }> {
    const receivedAt = this.clock.now();
    // the checks that need no transaction (keys, partners, schemas: cached) come first
    const items: { d: InboundDelivery; c: Checked }[] = [];
    const ids = new Set<string>();
    try {
      for (const d of batch) {
        const c = await this.check(recipient, d.data, receivedAt);
        if (c.env) {
          // a second copy of an id in the same batch waits for the next one (it is judged against what the first did)
          if (ids.has(c.env.id)) break;
          ids.add(c.env.id);
        }
        items.push({ d, c });
      }
    } catch (err) {
      // a registry could not be read: the first message goes alone (with retries)
      this.lastError = (err as Error).message;
      return { settled: 0, retry: true };
    }
    const appliedIds: string[] = [];
    let settled = 0;
    let retry = false;
    let owedReceipts = false;
    try {
      await this.db.transaction(async (tx) => {
        const t = schema.exchangeInbox;
        const now = this.clock.now();
        // the inbox rows of the messages that passed the checks, in one statement; a row whose
        // message is then refused is deleted with it, so it commits with its handler's writes or not at all
        const candidates = items.filter((i) => !i.c.refusal).map((i) => i.c.env!);
        const inserted = new Set<string>();
        if (candidates.length) {
          const rows = await tx
            .insert(t)
            .values(candidates.map((e) => ({ messageId: e.id, recipient, sender: e.sender, kind: e.kind, subject: e.subject, sentAt: new Date(e.sentAt), receivedAt, appliedAt: now, envelope: e as unknown as object })))
            .onConflictDoNothing()
            .returning({ id: t.messageId });
          for (const r of rows) inserted.add(r.id);
        }
        const receipts: ReceiptRow[] = [];
        for (const { d, c } of items) {
          const e = c.env;
          if (c.refusal) {
            owedReceipts = (await this.deadLetterIn(tx, recipient, d.data, e, c.partial, c.refusal, receivedAt)).owed || owedReceipts;
            settled++;
            continue;
          }
          if (!e || !c.apply) throw new Error('exchange: a checked message without its envelope');
          if (!inserted.has(e.id)) {
            if (d.redelivered) {
              // the transport delivered it again (an acknowledgement was lost, or the sender recovered): answer again, apply nothing
              if (e.kind !== 'exchange.receipt') {
                await this.owe(tx, recipient, e, { messageId: e.id, state: 'applied', digest: digestOf(e.signature) }, true);
                owedReceipts = true;
              }
            } else {
              const seen = await tx.select({ at: t.appliedAt }).from(t).where(and(eq(t.messageId, e.id), eq(t.recipient, recipient)));
              const refusal = new Refusal('replayed', `message ${e.id} was already applied for ${recipient}${seen.length ? ` on ${new Date(seen[0].at).toISOString()}` : ''}: a replay`, false);
              await this.deadLetterIn(tx, recipient, d.data, e, c.partial, refusal, receivedAt);
            }
            settled++;
            continue;
          }
          // a savepoint per message: a failure rolls back this message's writes only. It is not
          // released (one statement fewer per message): the next one nests inside it, a rollback
          // goes to the latest of that name, and the transaction's commit keeps them all.
          await tx.execute(SAVEPOINT);
          try {
            await c.apply(tx, { ...e, payload: c.payload });
          } catch (err) {
            await tx.execute(ROLLBACK_TO_SAVEPOINT);
            // only this message's writes are undone; its inbox row goes with them
            await tx.delete(t).where(and(eq(t.messageId, e.id), eq(t.recipient, recipient)));
            const refusal = asRefusal(err);
            if (!refusal) {
              // unexpected: the messages after it wait (order per subject); it is retried alone
              const later = items.slice(settled + 1).map((i) => i.c.env?.id).filter((id): id is string => !!id && inserted.has(id));
              if (later.length) await tx.delete(t).where(and(eq(t.recipient, recipient), inArray(t.messageId, later)));
              retry = true;
              break;
            }
            owedReceipts = (await this.deadLetterIn(tx, recipient, d.data, e, c.partial, refusal, receivedAt)).owed || owedReceipts;
            settled++;
            continue;
          }
          if (e.kind !== 'exchange.receipt') receipts.push(this.receiptRow(recipient, e, { messageId: e.id, state: 'applied', digest: digestOf(e.signature) }));
          appliedIds.push(e.id);
          settled++;
        }
        if (receipts.length) {
          await tx.insert(schema.exchangeReceipts).values(receipts).onConflictDoNothing();
          owedReceipts = true;
        }
      });
    } catch (err) {
      // the transaction itself failed: nothing of it committed; the first message goes alone (with retries)
      this.lastError = (err as Error).message;
      this.log?.warn({ err, recipient }, 'exchange: applying a batch failed; retrying its messages one by one');
      return { settled: 0, retry: true };
    }
    if (owedReceipts) this.receiptsOwed();
    if (appliedIds.length) this.onApplied?.(recipient, appliedIds);
    return { settled, retry };
  }

  /** The checks of an inbound message that need no transaction: envelope, addressing, key, signature, partner registry, kind, schema. */
  private async check(recipient: string, raw: string, receivedAt: Date): Promise<Checked> {
    let env: Envelope | undefined;
    let partial: { id?: string; sender?: string; kind?: string } = {};
    try {
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        throw new Refusal('malformed', 'not JSON', false);
      }
      if (json && typeof json === 'object') {
        const j = json as Record<string, unknown>;
        partial = { id: typeof j.id === 'string' ? j.id : undefined, sender: typeof j.sender === 'string' ? j.sender : undefined, kind: typeof j.kind === 'string' ? j.kind : undefined };
      }
      const parsed = envelopeSchema.safeParse(json);
      if (!parsed.success) throw new Refusal('malformed', `not an envelope: ${zodSummary(parsed.error)}`, false);
      env = parsed.data as Envelope;
      if (!this.local.includes(recipient) || !env.recipients.includes(recipient)) throw new Refusal('not_addressed', `the message is addressed to ${env.recipients.join(', ')}, not to ${recipient}`, false);
      const key = await this.keys.partnerKey(env.keyId);
      if (!key) throw new Refusal('unknown_key', `unknown signing key ${env.keyId}: import ${env.sender}'s public keys (centinela exchange keys import), then re-examine`);
      if (key.administration !== env.sender) throw new Refusal('key_mismatch', `key ${env.keyId} belongs to ${key.administration}, not to the sender ${env.sender}`, false);
      if (!verifyEnvelope(env, key.object)) throw new Refusal('bad_signature', `the signature does not verify under ${env.keyId}`, false);
      if (key.revokedAt && key.revokedAt.getTime() <= receivedAt.getTime()) throw new Refusal('revoked_key', `key ${env.keyId} was revoked on ${key.revokedAt.toISOString()}${key.revocationReason ? ` (${key.revocationReason})` : ''}`);
      if (key.retiredAt && new Date(env.sentAt).getTime() >= key.retiredAt.getTime()) throw new Refusal('retired_key', `key ${env.keyId} was retired on ${key.retiredAt.toISOString()}; the message says it was sent on ${env.sentAt}`);
      if (env.kind !== 'exchange.receipt') {
        const allowed = await this.allowedKinds(recipient, env.sender);
        if (allowed && !allowed.includes(env.kind)) throw new Refusal('kind_not_allowed', `${env.sender} may not send ${env.kind} to ${recipient} (partner registry: ${allowed.join(', ') || 'nothing'})`);
      }
      if (env.kind === 'exchange.receipt') {
        if (env.schemaVersion !== RECEIPT_VERSION) throw new Refusal('schema_version', `receipt schema version ${env.schemaVersion}; this node reads ${RECEIPT_VERSION}`, false);
        const r = receiptSchema.safeParse(env.payload);
        if (!r.success) throw new Refusal('bad_payload', `receipt payload: ${zodSummary(r.error)}`, false);
        return { env, partial, payload: r.data, apply: (tx, e) => this.applyReceipt(tx, e as Envelope<Receipt>) };
      }
      const h = this.handlers.get(env.kind);
      if (!h) throw new Refusal('no_handler', `this node does not read ${env.kind} messages`);
      if (env.schemaVersion !== h.schemaVersion) throw new Refusal('schema_version', `${env.kind} schema version ${env.schemaVersion}; this node reads version ${h.schemaVersion}`);
      const r = h.payload.safeParse(env.payload);
      if (!r.success) throw new Refusal('bad_payload', `payload: ${zodSummary(r.error)}`);
      return { env, partial, payload: r.data, apply: (tx, e) => h.apply(tx, e, recipient) };
    } catch (err) {
      if (err instanceof Refusal) return { env, partial, refusal: err };
      throw err;
    }
  }

  /**
   * Examines a message for a local recipient and applies it, or dead-letters it with the reason.
   * `deadLetterId`: re-examining a dead letter (after a fix: a key imported, a handler registered).
   */
  async examine(recipient: string, raw: string, opts: { redelivered?: boolean; lastAttempt?: boolean; deadLetterId?: string; actor?: string } = {}): Promise<Outcome> {
    const receivedAt = this.clock.now();
    let env: Envelope | undefined;
    let partial: { id?: string; sender?: string; kind?: string } = {};
    try {
      const c = await this.check(recipient, raw, receivedAt);
      env = c.env;
      partial = c.partial;
      if (c.refusal) throw c.refusal;
      if (!c.env || !c.apply) throw new Error('exchange: a checked message without its envelope');
      const e = c.env;
      const apply = c.apply;
      const payload = c.payload;
      const applied = await this.db.transaction(async (tx) => {
        const ins = await tx
          .insert(schema.exchangeInbox)
          .values({ messageId: e.id, recipient, sender: e.sender, kind: e.kind, subject: e.subject, sentAt: new Date(e.sentAt), receivedAt, appliedAt: this.clock.now(), envelope: e as unknown as object })
          .onConflictDoNothing()
          .returning({ id: schema.exchangeInbox.messageId });
        if (!ins.length) return false;
        await apply(tx, { ...e, payload });
        if (e.kind !== 'exchange.receipt') await this.owe(tx, recipient, e, { messageId: e.id, state: 'applied', digest: digestOf(e.signature) });
        if (opts.deadLetterId) await this.resolveDeadLetter(tx, opts.deadLetterId, 'applied', opts.actor ?? 'exchange');
        return true;
      });
      if (!applied) {
        const seen = await this.db.select({ at: schema.exchangeInbox.appliedAt }).from(schema.exchangeInbox).where(and(eq(schema.exchangeInbox.messageId, e.id), eq(schema.exchangeInbox.recipient, recipient)));
        if (opts.redelivered && !opts.deadLetterId) {
          // the transport delivered it again (an acknowledgement was lost, or the sender recovered): answer again, apply nothing
          if (e.kind !== 'exchange.receipt') await this.owe(this.db, recipient, e, { messageId: e.id, state: 'applied', digest: digestOf(e.signature) }, true);
          return { outcome: 'duplicate' };
        }
        throw new Refusal('replayed', `message ${e.id} was already applied for ${recipient}${seen.length ? ` on ${new Date(seen[0].at).toISOString()}` : ''}: a replay`, false);
      }
      if (e.kind !== 'exchange.receipt') this.receiptsOwed();
      this.onApplied?.(recipient, [e.id]);
      return { outcome: 'applied' };
    } catch (err) {
      let refusal = asRefusal(err);
      if (!refusal) {
        if (!opts.lastAttempt && !opts.deadLetterId) {
          this.lastError = (err as Error).message;
          this.log?.warn({ err, recipient, id: env?.id }, 'exchange: applying a message failed; retrying');
          return { outcome: 'retry', error: (err as Error).message };
        }
        refusal = new Refusal('handler_failed', `applying failed: ${(err as Error).message}`, false);
      }
      const r = refusal;
      const { id: deadLetterId, owed } = await this.db.transaction((tx) => this.deadLetterIn(tx, recipient, raw, env, partial, r, receivedAt, opts.deadLetterId));
      if (owed) this.receiptsOwed();
      return { outcome: 'dead', code: refusal.code, reason: refusal.message, deadLetterId };
    }
  }

  /** Keeps a refused message as a dead letter (in the caller's transaction) and owes the sender the refusal when it can be trusted to come from it. */
  private async deadLetterIn(tx: Tx, recipient: string, raw: string, env: Envelope | undefined, partial: { id?: string; sender?: string; kind?: string }, r: Refusal, at: Date, existing?: string): Promise<{ id: string; owed: boolean }> {
    this.log?.warn({ recipient, code: r.code, reason: r.message, id: env?.id ?? partial.id }, 'exchange: message refused (dead letter)');
    let id = existing;
    if (id) {
      await tx.update(schema.exchangeDeadLetters).set({ code: r.code, reason: r.message, examinations: sql`${schema.exchangeDeadLetters.examinations} + 1` }).where(eq(schema.exchangeDeadLetters.id, id));
    } else {
      id = uuidv7();
      await tx.insert(schema.exchangeDeadLetters).values({
        id,
        messageId: (env?.id ?? partial.id)?.slice(0, 100) ?? null,
        recipient,
        sender: (env?.sender ?? partial.sender)?.slice(0, 10) ?? null,
        kind: (env?.kind ?? partial.kind)?.slice(0, 50) ?? null,
        code: r.code,
        reason: r.message.slice(0, 2000),
        raw,
        receivedAt: at,
        status: 'open',
      });
    }
    // the sender learns of the refusal, unless the message cannot be trusted to come from it, or is itself a receipt
    if (r.receipt && env && env.kind !== 'exchange.receipt' && this.local.includes(recipient)) {
      await this.owe(tx, recipient, env, { messageId: env.id, state: 'refused', code: r.code, reason: r.message.slice(0, 500), digest: digestOf(env.signature) });
      return { id, owed: true };
    }
    return { id, owed: false };
  }

  private receiptRow(from: string, env: Envelope, entry: ReceiptEntry): ReceiptRow {
    return { messageId: entry.messageId, recipient: from, sender: env.sender, state: entry.state, code: entry.code ?? null, reason: entry.reason ?? null, digest: entry.digest, createdAt: this.clock.now(), receiptId: null };
  }

  /** Records the answer owed to the sender, in the caller's transaction; the relay sends answers in batches. */
  private async owe(tx: Tx, from: string, env: Envelope, entry: ReceiptEntry, again = false) {
    const t = schema.exchangeReceipts;
    const row = this.receiptRow(from, env, entry);
    if (again) await tx.insert(t).values(row).onConflictDoUpdate({ target: [t.messageId, t.recipient, t.state], set: { receiptId: null } });
    else await tx.insert(t).values(row).onConflictDoNothing();
  }

  /** Sends the answers owed: one receipt message per (answering administration, sender), up to 500 answers each. */
  async flushReceipts(): Promise<number> {
    const pairs = await queryRows<{ recipient: string; sender: string }>(this.db, sql`select distinct recipient, sender from exchange_receipts where receipt_id is null limit 50`);
    let n = 0;
    for (const { recipient, sender } of pairs) {
      n += await this.db.transaction(async (tx) => {
        const t = schema.exchangeReceipts;
        const owed = await tx
          .select()
          .from(t)
          .where(and(eq(t.recipient, recipient), eq(t.sender, sender), sql`${t.receiptId} is null`))
          .orderBy(t.createdAt)
          .limit(500)
          .for('update', { skipLocked: true });
        if (!owed.length) return 0;
        const payload: Receipt = { receipts: owed.map((o) => ({ messageId: o.messageId, state: o.state as 'applied' | 'refused', ...(o.code ? { code: o.code } : {}), ...(o.reason ? { reason: o.reason } : {}), digest: o.digest })) };
        const r = await this.enqueue(tx, { sender: recipient, recipients: [sender], kind: 'exchange.receipt', payload, subject: null, schemaVersion: RECEIPT_VERSION });
        await tx.execute(sql`update exchange_receipts set receipt_id = ${r.id} where recipient = ${recipient} and sender = ${sender} and receipt_id is null and (message_id, state) in (select unnest(${pgArray(owed.map((o) => o.messageId))}::uuid[]), unnest(${pgArray(owed.map((o) => o.state))}::text[]))`);
        return owed.length;
      });
    }
    return n;
  }

  private async applyReceipt(tx: Tx, env: Envelope<Receipt>) {
    const entries = env.payload.receipts;
    const ids = [...new Set(entries.map((e) => e.messageId))];
    const sent = await tx
      .select({ id: schema.exchangeOutbox.id, signature: schema.exchangeOutbox.signature, sender: schema.exchangeOutbox.sender })
      .from(schema.exchangeOutbox)
      .where(inArray(schema.exchangeOutbox.id, ids));
    const digests = new Map(sent.filter((o) => o.signature && env.recipients.includes(o.sender)).map((o) => [o.id, digestOf(o.signature!)]));
    // an answer about a message this node did not send, or about other bytes under the same id, changes nothing
    const valid = entries.filter((e) => digests.get(e.messageId) === e.digest);
    const at = new Date(env.sentAt).toISOString();
    const applied = valid.filter((e) => e.state === 'applied').map((e) => e.messageId);
    if (applied.length) {
      await tx.execute(sql`update exchange_deliveries set state = 'applied', reason = null, answered_at = ${at}, sent_at = coalesce(sent_at, ${at})
        where recipient = ${env.sender} and state <> 'applied' and message_id = any(${pgArray(applied)}::uuid[])`);
    }
    for (const e of valid.filter((x) => x.state === 'refused')) {
      await tx.execute(sql`update exchange_deliveries set state = 'refused', reason = ${`${e.code ?? 'refused'}: ${e.reason ?? ''}`.trim()}, answered_at = ${at}, sent_at = coalesce(sent_at, ${at})
        where recipient = ${env.sender} and state <> 'applied' and message_id = ${e.messageId}`);
    }
  }

  private async allowedKinds(recipient: string, sender: string): Promise<string[] | null> {
    const k = `${recipient}|${sender}`;
    const c = this.kindsCache.get(k);
    if (c && Date.now() - c.at < 5000) return c.kinds;
    const rows = await this.db.select({ kinds: schema.exchangePartners.kinds }).from(schema.exchangePartners).where(and(eq(schema.exchangePartners.recipient, recipient), eq(schema.exchangePartners.sender, sender)));
    const kinds = rows.length ? rows[0].kinds : null;
    this.kindsCache.set(k, { kinds, at: Date.now() });
    return kinds;
  }

  // ------------------------------------------------------------------ dead letters

  async deadLetters(filter: { recipients: readonly string[]; status?: 'open' | 'applied' | 'discarded'; limit?: number }) {
    const t = schema.exchangeDeadLetters;
    const conds = [inArray(t.recipient, [...filter.recipients])];
    if (filter.status) conds.push(eq(t.status, filter.status));
    return this.db
      .select()
      .from(t)
      .where(and(...conds))
      .orderBy(desc(t.receivedAt), desc(t.id))
      .limit(Math.min(filter.limit ?? 100, 1000));
  }

  async deadLetter1(id: string) {
    const rows = await this.db.select().from(schema.exchangeDeadLetters).where(eq(schema.exchangeDeadLetters.id, id));
    return rows[0] ?? null;
  }

  /** Examines a dead letter again (after a key was imported, a partner allowed a kind…): applied, or kept with the new reason. */
  async reexamine(id: string, actor: string): Promise<Outcome> {
    const dl = await this.deadLetter1(id);
    if (!dl) throw new Error(`dead letter ${id} not found`);
    if (dl.status !== 'open') throw new ValidationError([{ path: 'id', code: 'not_open', message: `dead letter ${id} is ${dl.status}` }]);
    this.keys.invalidate();
    this.kindsCache.clear();
    return this.examine(dl.recipient, dl.raw, { deadLetterId: id, actor });
  }

  async discard(id: string, actor: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const rows = await tx.select().from(schema.exchangeDeadLetters).where(eq(schema.exchangeDeadLetters.id, id)).for('update');
      if (!rows.length) throw new Error(`dead letter ${id} not found`);
      if (rows[0].status !== 'open') throw new ValidationError([{ path: 'id', code: 'not_open', message: `dead letter ${id} is ${rows[0].status}` }]);
      await this.resolveDeadLetter(tx, id, 'discarded', actor);
    });
  }

  private async resolveDeadLetter(tx: Tx, id: string, status: 'applied' | 'discarded', actor: string) {
    await tx.update(schema.exchangeDeadLetters).set({ status, resolvedAt: this.clock.now(), resolvedBy: actor, examinations: sql`${schema.exchangeDeadLetters.examinations} + ${status === 'applied' ? 1 : 0}` }).where(eq(schema.exchangeDeadLetters.id, id));
  }

  // ------------------------------------------------------------------ sharing rules and partners

  async rulesInForce(tx: Tx, sender: string): Promise<{ version: number; rules: SharingRules; createdBy: string | null; createdAt: Date | null; note: string | null }> {
    const t = schema.exchangeSharingRules;
    const rows = await tx.select().from(t).where(eq(t.sender, sender)).orderBy(desc(t.version)).limit(1);
    if (!rows.length) return { version: 0, rules: DEFAULT_RULES, createdBy: null, createdAt: null, note: null };
    return { version: rows[0].version, rules: rows[0].rules as SharingRules, createdBy: rows[0].createdBy, createdAt: rows[0].createdAt, note: rows[0].note };
  }

  async rulesHistory(sender: string) {
    const t = schema.exchangeSharingRules;
    return this.db.select().from(t).where(eq(t.sender, sender)).orderBy(desc(t.version)).limit(100);
  }

  /** Saves a new version of the sender's sharing rules (the caller audits in the same transaction). */
  async saveRules(tx: Tx, sender: string, rules: SharingRules, note: string | undefined, actor: string): Promise<number> {
    this.requireLocal(sender, 'administration');
    await tx.execute(sql`select pg_advisory_xact_lock(7201410, hashtext(${sender}))`);
    const cur = await this.rulesInForce(tx, sender);
    const version = cur.version + 1;
    await tx.insert(schema.exchangeSharingRules).values({ sender, version, rules, note: note ?? null, createdBy: actor, createdAt: this.clock.now() });
    return version;
  }

  async partners(recipient: string) {
    const rows = await this.db.select().from(schema.exchangePartners).where(eq(schema.exchangePartners.recipient, recipient));
    return rows;
  }

  /** Sets which kinds `sender` may send to `recipient` (null: every kind). */
  async setPartnerKinds(tx: Tx, recipient: string, sender: string, kinds: MessageKind[] | null, actor: string): Promise<{ before: string[] | null; version: number }> {
    this.requireLocal(recipient, 'administration');
    const t = schema.exchangePartners;
    const cur = await tx.select().from(t).where(and(eq(t.recipient, recipient), eq(t.sender, sender))).for('update');
    const before = cur.length ? cur[0].kinds : null;
    const version = (cur[0]?.version ?? 0) + 1;
    if (kinds === null) await tx.delete(t).where(and(eq(t.recipient, recipient), eq(t.sender, sender)));
    else if (cur.length) await tx.update(t).set({ kinds, version, updatedBy: actor, updatedAt: this.clock.now() }).where(and(eq(t.recipient, recipient), eq(t.sender, sender)));
    else await tx.insert(t).values({ recipient, sender, kinds, version, updatedBy: actor, updatedAt: this.clock.now() });
    this.kindsCache.clear();
    return { before, version };
  }

  private requireLocal(admin: string, path: string) {
    if (!this.local.includes(admin)) throw new ValidationError([{ path, code: 'not_local', message: `this node serves ${this.local.join(', ')}, not ${admin}` }]);
  }

  // ------------------------------------------------------------------ status and listings

  async status(): Promise<LinkStatus> {
    const [q] = await queryRows<{ n: number | string; oldest: string | Date | null }>(this.db, sql`select count(*) as n, min(queued_at) as oldest from exchange_deliveries where state = 'queued' and sender in ${sqlList(this.local)}`);
    const [dl] = await queryRows<{ n: number | string }>(this.db, sql`select count(*) as n from exchange_dead_letters where status = 'open' and recipient in ${sqlList(this.local)}`);
    let lastSent = this.lastSentAt;
    let lastReceived = this.lastReceivedAt;
    if (!lastSent) lastSent = (await queryRows<{ at: string | Date | null }>(this.db, sql`select max(sent_at) as at from exchange_deliveries where sender in ${sqlList(this.local)}`))[0]?.at as Date | null;
    if (!lastReceived) lastReceived = (await queryRows<{ at: string | Date | null }>(this.db, sql`select max(received_at) as at from exchange_inbox where recipient in ${sqlList(this.local)}`))[0]?.at as Date | null;
    return {
      transport: this.transport.kind,
      location: this.transport.location,
      up: this.transport.isUp() && this.subscribed && !this.severed,
      since: this.linkSince.toISOString(),
      severed: this.severed,
      local: [...this.local],
      queued: Number(q?.n ?? 0),
      oldestQueuedAt: iso(q?.oldest),
      lastSentAt: iso(lastSent),
      lastReceivedAt: iso(lastReceived),
      deadLetters: Number(dl?.n ?? 0),
      lastError: this.lastError,
    };
  }

  /** Messages received and applied here, newest first. */
  async received(filter: { recipients: readonly string[]; kind?: MessageKind; limit?: number }) {
    const t = schema.exchangeInbox;
    const conds = [inArray(t.recipient, [...filter.recipients])];
    if (filter.kind) conds.push(eq(t.kind, filter.kind));
    else conds.push(sql`${t.kind} <> 'exchange.receipt'`);
    return this.db
      .select({ messageId: t.messageId, recipient: t.recipient, sender: t.sender, kind: t.kind, subject: t.subject, sentAt: t.sentAt, receivedAt: t.receivedAt, appliedAt: t.appliedAt })
      .from(t)
      .where(and(...conds))
      .orderBy(desc(t.receivedAt))
      .limit(Math.min(filter.limit ?? 100, 1000));
  }

  /** A sent message with its envelope fields (payload as it left, after redaction). */
  async sentMessage(id: string) {
    const rows = await this.db.select().from(schema.exchangeOutbox).where(eq(schema.exchangeOutbox.id, id));
    return rows[0] ?? null;
  }

  /** What still moves on this node: queued deliveries, messages waiting on the transport, a message being applied. */
  async backlog(): Promise<{ queued: number; inbound: Record<string, number>; applying: number; unsigned: number }> {
    const [q] = await queryRows<{ n: number | string }>(this.db, sql`select (select count(*) from exchange_deliveries where state = 'queued') + (select count(*) from exchange_receipts where receipt_id is null) as n`);
    const inbound: Record<string, number> = {};
    for (const a of this.local) inbound[a] = this.transport.isUp() ? (await this.transport.pending(a)).pending : -1;
    return { queued: Number(q?.n ?? 0), inbound, applying: this.inFlight, unsigned: 0 };
  }

  /** Dead letters still open for a recipient (tests, CLI). */
  async openDeadLetters(): Promise<number> {
    const [r] = await queryRows<{ n: number | string }>(this.db, sql`select count(*) as n from exchange_dead_letters where status = 'open'`);
    return Number(r?.n ?? 0);
  }
}

/** `($1, $2, …)` for an IN list. */
function sqlList(values: readonly string[]) {
  return sql`(${sql.join(values.map((v) => sql`${v}`), sql`, `)})`;
}

/** A text array parameter (`{a,b}`), valid on PGlite and node-postgres alike. */
function pgArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

function zodSummary(e: z.ZodError): string {
  return e.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

