/**
 * `npm run bench -- exchange`: the regional exchange, outbox commit → partner's inbox applied,
 * beside raw JetStream publish → consume of the same payloads on the same server (the limit).
 *
 * Two nodes (GT → SV), each with its own embedded database, in this process, over NATS
 * (CENTINELA_TEST_NATS_URL, else CENTINELA_NATS_URL, else nats://127.0.0.1:4222) under a prefix of
 * their own, deleted afterwards; the in-process transport is measured too.
 * - throughput: N messages committed to GT's outbox while the link is cut, then the link restored:
 *   messages per second from the restoration until the last one is applied at SV (relay, signing,
 *   JetStream, verification, the inbox applying what arrived in batches — one transaction, a
 *   savepoint per message — the receipts back);
 * - latency: messages committed one per transaction at a steady pace; commit → applied, p50 / p99;
 * - a node per thread: the same over JetStream with GT and SV each on its own worker thread (its own
 *   embedded database, NATS connection and event loop — bench/exchange-node-worker.ts), as each
 *   administration's node runs in its own process in a region; commit and applied times are taken
 *   in each thread as performance.timeOrigin + performance.now() (epoch milliseconds);
 * - the limit: the same payloads published to a work-queue stream (pipelined, acknowledged) and
 *   consumed with explicit acks on another connection.
 */
import { Worker } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { connect } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { systemClock } from '../src/core/clock.ts';
import { drizzleParsersOnce, migrateDatabase, schema, type Database, type Db } from '../src/db/client.ts';
import { ExchangeService } from '../src/modules/exchange/service.ts';
import { MemoryBus, MemoryTransport } from '../src/modules/exchange/memory-transport.ts';
import { NatsTransport } from '../src/modules/exchange/nats-transport.ts';
import type { Transport } from '../src/modules/exchange/transport.ts';
import { openTestPostgres, TEST_PG_URL } from '../src/db/testing.ts';
import type { KeyBundle } from '../src/modules/exchange/keys.ts';

const N = Number(process.env.BENCH_EXCHANGE_N ?? 2000);
const LAT_N = Number(process.env.BENCH_EXCHANGE_LATENCY_N ?? 300);

/** A seizure report of regional interest, as the cooperation module sends it (~0.7 kB). */
export function payload(i: number) {
  return {
    reportId: `SZ-GT-2026-${String(i).padStart(6, '0')}`,
    office: 'GTPRQ',
    occurredAt: '2026-06-15T10:30:00.000Z',
    goods: [
      { hsCode: '240220', description: 'Cigarettes containing tobacco', quantity: 480000, unit: 'pieces', valueUsd: 96000 },
      { hsCode: '220300', description: 'Beer made from malt', quantity: 1200, unit: 'litres', valueUsd: 2400 },
    ],
    conveyance: { plate: 'C-123BCD', plateCountry: 'GT', containers: ['MSCU1234565'], seals: ['GT-S-778812'] },
    route: ['GTPRQ', 'GT0PG', 'SV0AN', 'HN0AM'],
    trader: { tin: '4455667-8', name: 'Importadora del Pacífico, S.A.' },
    indicators: ['undervaluation', 'route_deviation', 'concealment'],
    narrative: 'Goods found in a false floor of the trailer during a red-channel inspection; the declared goods were plastic housewares.',
  };
}
export const payloadSchema = z.object({ reportId: z.string() }).loose();

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

let template: Promise<File | Blob> | undefined;
export async function nodeDb(): Promise<Database> {
  // as openDatabase opens an embedded database (from a migrated template, to start quickly)
  const open = (client: PGlite): Database => ({ db: drizzle(drizzleParsersOnce(client), { schema }) as unknown as Db, kind: 'pglite', location: 'memory', close: () => client.close() });
  template ??= (async () => {
    const c = new PGlite();
    await migrateDatabase(open(c));
    const dump = await c.dumpDataDir('none');
    await c.close();
    return dump;
  })();
  const client = new PGlite({ loadDataDir: await template });
  await client.waitReady;
  return open(client);
}

interface Measured {
  perSecond: number;
  p50: number;
  p99: number;
}

async function runExchange(makeTransport: () => Transport, open: () => Promise<Database> = nodeDb): Promise<Measured> {
  const gtDb = await open();
  const svDb = await open();
  const appliedAt = new Map<string, number>();
  let applied = 0;
  let onAll: (() => void) | undefined;
  let target = 0;
  const gt = new ExchangeService({ db: gtDb.db, clock: systemClock, local: ['GT'], transport: makeTransport() });
  const sv = new ExchangeService({
    db: svDb.db,
    clock: systemClock,
    local: ['SV'],
    transport: makeTransport(),
    // count commits, not handler calls: the inbox rows are written in the same transaction
    inbox: {
      onApplied: (_recipient, ids) => {
        const at = performance.now();
        for (const id of ids) appliedAt.set(id, at);
        applied += ids.length;
        if (applied >= target) onAll?.();
      },
    },
  });
  sv.handle({
    kind: 'seizure.reported',
    schemaVersion: 1,
    payload: payloadSchema,
    async apply(tx) {
      await tx.execute(sql`select 1`);
    },
  });
  await gt.keys.ensureOwnKeys();
  await sv.keys.ensureOwnKeys();
  await svDb.db.transaction(async (tx) => sv.keys.importBundle(tx, await gt.keys.exportBundle('GT'), 'bench'));
  await gtDb.db.transaction(async (tx) => gt.keys.importBundle(tx, await sv.keys.exportBundle('SV'), 'bench'));
  await gt.start();
  await sv.start();
  for (const x of [gt, sv]) while (!(await x.status()).up) await new Promise((r) => setTimeout(r, 10));

  try {
    // throughput: the outbox filled while cut off, then drained
    await gt.cut();
    for (let i = 0; i < N; i += 100) {
      await gtDb.db.transaction(async (tx) => {
        for (let j = i; j < Math.min(N, i + 100); j++) await gt.enqueue(tx, { sender: 'GT', recipients: ['SV'], kind: 'seizure.reported', payload: payload(j), schemaVersion: 1 });
      });
    }
    target = N;
    const done = new Promise<void>((r) => (onAll = r));
    const t0 = performance.now();
    await gt.restore();
    await done;
    const perSecond = N / ((performance.now() - t0) / 1000);

    // latency: one message per transaction at a steady pace (half the measured throughput, at most 200/s)
    const commitAt = new Map<string, number>();
    target = applied + LAT_N;
    const done2 = new Promise<void>((r) => (onAll = r));
    const gap = 1000 / Math.min(200, perSecond / 2);
    const start = performance.now();
    for (let i = 0; i < LAT_N; i++) {
      const due = start + i * gap;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const r = await gtDb.db.transaction((tx) => gt.enqueue(tx, { sender: 'GT', recipients: ['SV'], kind: 'seizure.reported', payload: payload(N + i), schemaVersion: 1 }));
      commitAt.set(r.id!, performance.now());
    }
    await done2;
    const lat = [...commitAt].map(([id, t]) => appliedAt.get(id)! - t).sort((a, b) => a - b);
    return { perSecond, p50: pct(lat, 50), p99: pct(lat, 99) };
  } finally {
    await gt.stop();
    await sv.stop();
    await gtDb.close();
    await svDb.close();
  }
}

/** Messages between the bench's thread and a node's (bench/exchange-node-worker.ts). */
export interface NodeWorkerData {
  role: 'GT' | 'SV';
  url: string;
  prefix: string;
}
export type NodeCommand =
  | { type: 'bundle'; bundle: KeyBundle }
  | { type: 'fill'; n: number }
  | { type: 'restore' }
  | { type: 'paced'; from: number; count: number; gap: number }
  | { type: 'stop' };
export type NodeEvent =
  | { type: 'bundle'; bundle: KeyBundle }
  | { type: 'ready' }
  | { type: 'filled' }
  | { type: 'restored'; at: number }
  | { type: 'committed'; commits: [string, number][] }
  | { type: 'applied'; ids: string[]; at: number }
  | { type: 'stopped' }
  | { type: 'error'; message: string };

/** A node on a worker thread, driven by messages; `next(type)` waits for that event. */
class NodeThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<string, (e: NodeEvent) => void>();
  private readonly early = new Map<string, NodeEvent>();
  private failure: Error | undefined;
  constructor(data: NodeWorkerData, onApplied?: (ids: string[], at: number) => void) {
    // tsx's loader does not follow into worker threads on Node 20: the worker registers it, then loads the node
    const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(new URL('./exchange-node-worker.ts', import.meta.url).href)}); })`;
    this.worker = new Worker(boot, { eval: true, workerData: data });
    this.worker.on('message', (e: NodeEvent) => {
      if (e.type === 'applied') return onApplied?.(e.ids, e.at);
      if (e.type === 'error') return this.fail(new Error(`node ${data.role}: ${e.message}`));
      const w = this.waiting.get(e.type);
      if (w) {
        this.waiting.delete(e.type);
        w(e);
      } else this.early.set(e.type, e);
    });
    this.worker.on('error', (err) => this.fail(err));
  }
  private fail(err: Error) {
    this.failure = err;
    for (const w of this.waiting.values()) w({ type: 'error', message: err.message });
    this.waiting.clear();
  }
  send(cmd: NodeCommand) {
    this.worker.postMessage(cmd);
  }
  async next<T extends NodeEvent['type']>(type: T): Promise<Extract<NodeEvent, { type: T }>> {
    if (this.failure) throw this.failure;
    const e = this.early.get(type) ?? (await new Promise<NodeEvent>((r) => this.waiting.set(type, r)));
    this.early.delete(type);
    if (e.type === 'error') throw this.failure ?? new Error(e.message);
    return e as Extract<NodeEvent, { type: T }>;
  }
  async stop() {
    if (!this.failure) {
      this.send({ type: 'stop' });
      await this.next('stopped').catch(() => {});
    }
    await this.worker.terminate();
  }
}

/** As runExchange over JetStream, with GT and SV each on its own thread. */
async function runExchangeThreads(url: string, prefix: string): Promise<Measured> {
  const appliedAt = new Map<string, number>();
  let applied = 0;
  let lastAt = 0;
  let target = Infinity;
  let onAll: (() => void) | undefined;
  const gt = new NodeThread({ role: 'GT', url, prefix });
  const sv = new NodeThread({ role: 'SV', url, prefix }, (ids, at) => {
    for (const id of ids) appliedAt.set(id, at);
    applied += ids.length;
    lastAt = at;
    if (applied >= target) onAll?.();
  });
  try {
    const [gtBundle, svBundle] = await Promise.all([gt.next('bundle'), sv.next('bundle')]);
    gt.send({ type: 'bundle', bundle: svBundle.bundle });
    sv.send({ type: 'bundle', bundle: gtBundle.bundle });
    await Promise.all([gt.next('ready'), sv.next('ready')]);

    // throughput: the outbox filled while cut off, then drained (restoration in GT's thread → last commit in SV's)
    gt.send({ type: 'fill', n: N });
    await gt.next('filled');
    target = N;
    const done = new Promise<void>((r) => (onAll = r));
    gt.send({ type: 'restore' });
    const { at: t0 } = await gt.next('restored');
    await done;
    const perSecond = N / ((lastAt - t0) / 1000);

    // latency: one message per transaction at the same steady pace as runExchange's
    target = applied + LAT_N;
    const done2 = new Promise<void>((r) => (onAll = r));
    gt.send({ type: 'paced', from: N, count: LAT_N, gap: 1000 / Math.min(200, perSecond / 2) });
    const { commits } = await gt.next('committed');
    await done2;
    const lat = commits.map(([id, t]) => appliedAt.get(id)! - t).sort((a, b) => a - b);
    return { perSecond, p50: pct(lat, 50), p99: pct(lat, 99) };
  } finally {
    await Promise.all([gt.stop(), sv.stop()]);
  }
}

async function runRawJetStream(url: string, prefix: string): Promise<Measured> {
  const pub = await connect({ servers: url, name: 'centinela bench publisher' });
  const sub = await connect({ servers: url, name: 'centinela bench consumer' });
  const jsm = await jetstreamManager(pub);
  const stream = `${prefix.toUpperCase()}_RAW`;
  await jsm.streams.add({ name: stream, subjects: [`${prefix}.raw.>`], retention: RetentionPolicy.Workqueue, storage: StorageType.File });
  await jsm.consumers.add(stream, { durable_name: 'raw', ack_policy: AckPolicy.Explicit, max_ack_pending: 1000 });
  const js = jetstream(pub);
  const consumer = await jetstream(sub).consumers.get(stream, 'raw');
  const bodies = Array.from({ length: N + LAT_N }, (_, i) => JSON.stringify(payload(i)));
  try {
    const received = new Map<number, number>();
    let count = 0;
    let target = N;
    let onAll: (() => void) | undefined;
    const msgs = await consumer.consume({ max_messages: 256 });
    void (async () => {
      for await (const m of msgs) {
        received.set(Number(m.subject.split('.').pop()), performance.now());
        m.ack();
        if (++count >= target) onAll?.();
      }
    })();
    const done = new Promise<void>((r) => (onAll = r));
    const t0 = performance.now();
    // pipelined: up to 256 publishes awaiting their acknowledgement
    const inflight = new Set<Promise<unknown>>();
    for (let i = 0; i < N; i++) {
      const p = js.publish(`${prefix}.raw.${i}`, bodies[i], { msgID: `raw-${i}` });
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
      if (inflight.size >= 256) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    await done;
    const perSecond = N / ((performance.now() - t0) / 1000);
    // latency at the same steady pace as the exchange's
    target = N + LAT_N;
    const done2 = new Promise<void>((r) => (onAll = r));
    const sentAt = new Map<number, number>();
    const gap = 1000 / 200;
    const start = performance.now();
    for (let i = N; i < N + LAT_N; i++) {
      const wait = start + (i - N) * gap - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      sentAt.set(i, performance.now());
      await js.publish(`${prefix}.raw.${i}`, bodies[i], { msgID: `raw-${i}` });
    }
    await done2;
    const lat = [...sentAt].map(([i, t]) => received.get(i)! - t).sort((a, b) => a - b);
    await msgs.close();
    return { perSecond, p50: pct(lat, 50), p99: pct(lat, 99) };
  } finally {
    await jsm.streams.delete(stream).catch(() => {});
    await pub.close();
    await sub.close();
  }
}

const f = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));

export async function runExchangeBench(): Promise<void> {
  const url = process.env.CENTINELA_TEST_NATS_URL ?? process.env.CENTINELA_NATS_URL ?? 'nats://127.0.0.1:4222';
  const prefix = `bench_${process.pid}_${Date.now().toString(36)}`;
  console.log(`exchange: ${N} seizure reports (${JSON.stringify(payload(0)).length} B of payload) GT → SV, two nodes on embedded databases in one thread, then a node per thread`);
  let reachable = true;
  try {
    const nc = await connect({ servers: url, timeout: 3000 });
    await nc.close();
  } catch {
    reachable = false;
    console.log(`  NATS is not reachable at ${url}: start one with \`nats-server -js\` (or set CENTINELA_TEST_NATS_URL); measuring the in-process transport only`);
  }
  const rows: [string, Measured][] = [];
  if (reachable) {
    const raw = await runRawJetStream(url, `${prefix}_raw`);
    rows.push(['raw JetStream publish → consume (the limit)', raw]);
    try {
      const viaNats = await runExchange(() => new NatsTransport({ url, prefix: `${prefix}_x`, name: 'centinela bench' }));
      rows.push(['exchange over JetStream, both nodes on one thread (embedded databases)', viaNats]);
      if (TEST_PG_URL) rows.push(['  the same, each node on PostgreSQL', await runExchange(() => new NatsTransport({ url, prefix: `${prefix}_x`, name: 'centinela bench' }), openTestPostgres)]);
      rows.push(['exchange over JetStream, a node per thread (embedded databases)', await runExchangeThreads(url, `${prefix}_t`)]);
    } finally {
      for (const p of [`${prefix}_x`, `${prefix}_t`]) {
        const bus = new NatsTransport({ url, prefix: p });
        await bus.connect();
        await bus.deleteStreams();
        await bus.disconnect();
      }
    }
  }
  const memBus = new MemoryBus();
  rows.push(['exchange in-process: outbox commit → inbox applied', await runExchange(() => new MemoryTransport(memBus))]);
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`  ${'path'.padEnd(w)}  ${'msg/s'.padStart(8)}  ${'p50 ms'.padStart(7)}  ${'p99 ms'.padStart(7)}`);
  for (const [name, m] of rows) console.log(`  ${name.padEnd(w)}  ${f(m.perSecond).padStart(8)}  ${m.p50.toFixed(1).padStart(7)}  ${m.p99.toFixed(1).padStart(7)}`);
  if (reachable) {
    const limit = rows[0][1].perSecond;
    for (const [name, m] of rows.slice(1)) console.log(`  ${name.trim()} / raw JetStream: ${((m.perSecond / limit) * 100).toFixed(1)} % of the limit (target ≥ 30 %)`);
  }
}
