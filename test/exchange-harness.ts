/**
 * A region of Centinela nodes in one test process: each node has its own database and its own
 * `Services` (from buildServices, with `exchange`), its administrations' signing keys made, and
 * every other node's public keys imported — the same trust a real region sets up with
 * `centinela exchange keys export | import`.
 *
 * ```ts
 * import { startRegion, regionTransports } from './exchange-harness.ts';
 *
 * describe.each(regionTransports())('transit hand-off over %s', (transport) => {
 *   let region: Region;
 *   beforeAll(async () => {
 *     region = await startRegion({
 *       transport, // 'memory' (in-process bus) or 'nats' (CENTINELA_TEST_NATS_URL, streams under a unique prefix)
 *       nodes: [
 *         { name: 'gt', administrations: ['GT'] },
 *         { name: 'sv', administrations: ['SV'] },
 *         { name: 'hn', administrations: ['HN'] },
 *       ],
 *       // optional: clock (shared FixedClock…), db: 'pglite' | 'postgres', beforeStart(node) to register
 *       // extra handlers (node.exchange.handle(...)) before the consumers start
 *     });
 *   }, 60_000);
 *   afterAll(() => region?.close()); // stops the nodes, deletes this run's NATS streams, closes the databases
 *
 *   it('…', async () => {
 *     const gt = region.node('gt');
 *     await gt.db.transaction((tx) => gt.services.exchange.enqueue(tx, { sender: 'GT', recipients: ['SV'], kind: 'rif.sent', payload }));
 *     await region.settle(); // every outbox published, every inbox drained, receipts back (error names what is stuck)
 *     expect(await region.node('sv').exchange.deadLetters({ recipients: ['SV'] })).toEqual([]);
 *   });
 * });
 * ```
 *
 * `node.cut()` takes a node off the bus (degraded mode: it keeps working, its outbound messages
 * queue, messages for it wait in its stream); `node.restore()` brings it back and it catches up.
 * `region.bus` is the in-process bus (memory transport), `region.nats` a NATS connection helper
 * (nats transport) — both for tests that inject raw messages (forgeries, replays).
 */
import { FixedClock, systemClock, type Clock } from '../src/core/clock.ts';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrateDatabase, schema, type Database, type Db } from '../src/db/client.ts';
import { openTestDb, type DbKind } from '../src/db/testing.ts';
import { buildServices, type Services } from '../src/app/services.ts';
import { getReferenceData } from '../src/reference/index.ts';
import type { ExchangeService } from '../src/modules/exchange/service.ts';
import { MemoryBus, MemoryTransport } from '../src/modules/exchange/memory-transport.ts';
import { NatsTransport } from '../src/modules/exchange/nats-transport.ts';
import type { Transport } from '../src/modules/exchange/transport.ts';

export { FixedClock };

export const TEST_NATS_URL = process.env.CENTINELA_TEST_NATS_URL;

export type RegionTransport = 'memory' | 'nats';

/**
 * The transports to run a suite on: the in-process one always; NATS when CENTINELA_TEST_NATS_URL
 * is set (it must be under CI=true: a missing URL is an error there, not a skip).
 */
export function regionTransports(): RegionTransport[] {
  if (TEST_NATS_URL) return ['memory', 'nats'];
  if (process.env.CI === 'true') throw new Error('CI=true but CENTINELA_TEST_NATS_URL is not set: the NATS exchange tests must run in CI');
  return ['memory'];
}

export interface RegionNodeSpec {
  name: string;
  administrations: string[];
}

export interface RegionOptions {
  nodes: RegionNodeSpec[];
  transport?: RegionTransport;
  /** NATS server (default CENTINELA_TEST_NATS_URL) */
  natsUrl?: string;
  /** subject / stream prefix (default: unique per run) */
  prefix?: string;
  /** database of every node (default PGlite in memory) */
  db?: DbKind;
  /** one clock for every node (default the system clock) */
  clock?: Clock;
  /** relay poll interval (ms, default 200 in tests) and inbox retries */
  relayPollMs?: number;
  inboxMaxAttempts?: number;
  /** runs for each node after its services are built and before its exchange starts */
  beforeStart?: (node: RegionNode) => void | Promise<void>;
  /** false: build and trust, but do not start the exchanges (call node.exchange.start()) */
  start?: boolean;
}

export interface RegionNode {
  name: string;
  administrations: string[];
  database: Database;
  db: Db;
  clock: Clock;
  services: Services;
  exchange: ExchangeService;
  transport: Transport;
  /** takes the node off the bus: intake goes on, outbound queues, inbound waits in its stream */
  cut(): Promise<void>;
  /** puts it back: it catches up both ways */
  restore(): Promise<void>;
}

export interface Region {
  nodes: RegionNode[];
  node(name: string): RegionNode;
  /** the node serving an administration */
  nodeOf(administration: string): RegionNode;
  transport: RegionTransport;
  prefix: string;
  /** the in-process bus (memory transport) */
  bus?: MemoryBus;
  /** publishes raw text to a recipient's stream, bypassing every outbox (forgeries and replays in tests) */
  inject(recipient: string, data: string, msgId?: string): Promise<void>;
  /** waits until every outbox is published, every inbox drained and nothing is being applied */
  settle(opts?: { timeoutMs?: number }): Promise<void>;
  close(): Promise<void>;
}

let runs = 0;

function pgliteDatabase(client: PGlite): Database {
  return { db: drizzle(client, { schema }) as unknown as Db, kind: 'pglite', location: 'memory', close: () => client.close() };
}

/** Migrating an embedded database takes seconds on a loaded machine: migrate once per process, then start each node from a copy. */
let template: Promise<File | Blob> | undefined;
async function openNodeDb(kind: DbKind): Promise<Database> {
  if (kind === 'postgres') return openTestDb(kind);
  template ??= (async () => {
    const client = new PGlite();
    await client.waitReady;
    await migrateDatabase(pgliteDatabase(client));
    const dump = await client.dumpDataDir('none');
    await client.close();
    return dump;
  })();
  const client = new PGlite({ loadDataDir: await template });
  await client.waitReady;
  return pgliteDatabase(client);
}

export async function startRegion(opts: RegionOptions): Promise<Region> {
  const kind = opts.transport ?? 'memory';
  const natsUrl = opts.natsUrl ?? TEST_NATS_URL;
  if (kind === 'nats' && !natsUrl) throw new Error('startRegion: transport nats needs natsUrl or CENTINELA_TEST_NATS_URL');
  const prefix = opts.prefix ?? `t${process.pid}_${Date.now().toString(36)}_${runs++}`;
  const bus = kind === 'memory' ? new MemoryBus() : undefined;
  const ref = getReferenceData();
  const nodes: RegionNode[] = [];
  const closeAll = async () => {
    for (const n of nodes) await n.exchange.stop().catch(() => {});
    if (kind === 'nats') {
      const admin = new NatsTransport({ url: natsUrl!, prefix, name: 'centinela test cleanup' });
      await admin.connect();
      await admin.deleteStreams().catch(() => {});
      await admin.disconnect();
    }
    for (const n of nodes) await n.database.close().catch(() => {});
  };
  try {
    for (const spec of opts.nodes) {
      const database = await openNodeDb(opts.db ?? 'pglite');
      const clock = opts.clock ?? systemClock;
      const transport: Transport = kind === 'memory' ? new MemoryTransport(bus) : new NatsTransport({ url: natsUrl!, prefix, name: `centinela test ${spec.name}` });
      const services = buildServices({ db: database.db, ref, clock, config: { randomControlRate: 0, administrations: spec.administrations }, transport });
      const exchange = services.exchange;
      // faster polling in tests; everything else as in production
      Object.assign(exchange as unknown as { pollMs: number; maxAttempts: number; retryBaseMs: number }, { pollMs: opts.relayPollMs ?? 200, maxAttempts: opts.inboxMaxAttempts ?? 8, retryBaseMs: 20 });
      const node: RegionNode = {
        name: spec.name,
        administrations: spec.administrations,
        database,
        db: database.db,
        clock,
        services,
        exchange,
        transport,
        cut: () => exchange.cut(),
        restore: () => exchange.restore(),
      };
      nodes.push(node);
      await exchange.keys.ensureOwnKeys();
    }
    // trust: every node imports every other node's administrations' public keys
    for (const from of nodes) {
      for (const a of from.administrations) {
        const bundle = await from.exchange.keys.exportBundle(a);
        for (const to of nodes) if (to !== from) await to.db.transaction((tx) => to.exchange.keys.importBundle(tx, bundle, 'region-harness'));
      }
    }
    for (const n of nodes) await opts.beforeStart?.(n);
    if (opts.start !== false) {
      for (const n of nodes) await n.exchange.start();
      // wait until every node is on the bus (its streams exist before anyone publishes to them)
      const end = Date.now() + 20_000;
      for (const n of nodes) {
        while (!(await n.exchange.status()).up) {
          if (Date.now() > end) throw new Error(`startRegion: node ${n.name} did not reach the bus: ${(await n.exchange.status()).lastError ?? '?'}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }
  } catch (e) {
    await closeAll();
    throw e;
  }

  let injector: NatsTransport | undefined;
  const region: Region = {
    nodes,
    transport: kind,
    prefix,
    bus,
    node(name) {
      const n = nodes.find((x) => x.name === name);
      if (!n) throw new Error(`no node ${name} in this region (${nodes.map((x) => x.name).join(', ')})`);
      return n;
    },
    nodeOf(administration) {
      const n = nodes.find((x) => x.administrations.includes(administration));
      if (!n) throw new Error(`no node serves ${administration}`);
      return n;
    },
    async inject(recipient, data, msgId = `raw-${Math.random().toString(36).slice(2)}`) {
      if (bus) return bus.inject(recipient, data, msgId);
      if (!injector) {
        injector = new NatsTransport({ url: natsUrl!, prefix, name: 'centinela test injector' });
        await injector.connect();
      }
      await injector.publish({ recipient, sender: 'XX', kind: 'raw', msgId, data });
    },
    async settle({ timeoutMs = 20_000 } = {}) {
      const end = Date.now() + timeoutMs;
      let quiet = 0;
      for (;;) {
        const stuck: string[] = [];
        for (const n of nodes) {
          const b = await n.exchange.backlog();
          const parts: string[] = [];
          if (b.queued) parts.push(`${b.queued} queued in the outbox`);
          for (const [a, p] of Object.entries(b.inbound)) if (p !== 0) parts.push(p < 0 ? `${a}: link down` : `${a}: ${p} waiting in the inbox stream`);
          if (b.applying) parts.push(`${b.applying} being applied`);
          if (parts.length) {
            const s = await n.exchange.status();
            stuck.push(`node ${n.name}: ${parts.join(', ')}${s.lastError ? ` (last error: ${s.lastError})` : ''}`);
          }
        }
        if (!stuck.length) {
          if (++quiet >= 3) return;
        } else quiet = 0;
        if (Date.now() > end) throw new Error(`region.settle: still moving after ${timeoutMs} ms: ${stuck.join('; ')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      if (injector) await injector.disconnect();
      await closeAll();
    },
  };
  return region;
}
