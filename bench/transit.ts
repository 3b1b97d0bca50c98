/**
 * Transit event ingestion: events per second through Centinela (validation, movement resolution,
 * idempotency on the event id, hash chaining, detectors over every touched movement, alerts and
 * their withdrawal, audit log), beside the limit measured in the same run on the same database:
 * a plain bulk insert of the same event rows into a table of the same shape, with nothing else.
 * And as border posts send them, over HTTP to the real server: one event per request from one
 * post (latency p50 / p99), a burst from several posts at once, and buffered batches.
 */
import { FixedClock } from '../src/core/clock.ts';
import { openDatabase, sql, type Database } from '../src/db/client.ts';
import { openTestPostgres } from '../src/db/testing.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import { insertChunked } from '../src/modules/transit/repository.ts';
import { TransitService } from '../src/modules/transit/service.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { simulateTransit } from '../src/sim/transit/index.ts';
import { jsonb, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { loadConfig } from '../src/core/config.ts';
import { AccessService } from '../src/modules/access/service.ts';
import { buildApp } from '../src/server/app.ts';
import { ADMINISTRATIONS } from '../src/reference/types.ts';
import type { TransitSimulation } from '../src/sim/transit/index.ts';

export interface TransitBenchResult {
  database: string;
  events: number;
  ingestPerSecond: number;
  plainInsertPerSecond: number;
  ratio: number;
  http?: HttpStreamResult;
}

export interface HttpStreamResult {
  /** one post, one event per request, waiting for each answer */
  streamed: { events: number; perSecond: number; p50Ms: number; p99Ms: number };
  /** several posts at once (a shift change), one event per request each */
  burst: { posts: number; events: number; perSecond: number; p50Ms: number; p99Ms: number };
  /** posts that buffer: many events per request to /events/batch */
  batched: { batch: number; events: number; perSecond: number };
}

const pct = (xs: number[], p: number) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

/**
 * Events over HTTP to the real server (buildApp: auth by API key, the edge limits, problem+json),
 * on a database of their own with the same transits declared: `n` streamed by one post, `n` more
 * as a burst from `posts` posts at once, the rest of up to `n * 4` in batches of `batch`.
 */
async function streamOverHttp(database: Database, sim: TransitSimulation, n: number, posts: number, batch: number): Promise<HttpStreamResult> {
  const ref = getReferenceData();
  const clock = new FixedClock(sim.evaluateAt);
  const deps = { database, db: database.db, ref, clock, config: loadConfig({}) };
  const service = new TransitService({ db: database.db, ref, clock });
  const admin = SYSTEM_PRINCIPAL('GT', 'bench');
  await service.declareMovements(sim.movements, admin);
  // each administration's posts send with a key of their own (a post records at its administration's offices)
  const access = new AccessService(deps);
  const keys = new Map<string, string>();
  for (const c of ADMINISTRATIONS) keys.set(c, (await access.createApiKey(SYSTEM_PRINCIPAL(c, 'bench'), { name: `posts ${c}`, role: 'system', country: c })).key);
  const keyFor = (body: unknown) => {
    const first = (Array.isArray((body as { events?: unknown[] }).events) ? (body as { events: { office?: string }[] }).events[0] : (body as { office?: string })) ?? {};
    return keys.get((first.office && ref.office(first.office)?.country) || 'GT')!;
  };
  const { app } = await buildApp(deps);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const post = async (path: string, body: unknown): Promise<number> => {
    const t0 = performance.now();
    const r = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': keyFor(body) }, body: JSON.stringify(body) });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${path} answered ${r.status}: ${text.slice(0, 500)}`);
    return performance.now() - t0;
  };
  try {
    const events = sim.events;
    // one post
    const lat: number[] = [];
    let t = performance.now();
    for (const e of events.slice(0, n)) lat.push(await post('/api/v1/transit/events', e));
    const streamSecs = (performance.now() - t) / 1000;
    // a burst: `posts` posts at once, each streaming its share
    const burst = events.slice(n, 2 * n);
    const burstLat: number[] = [];
    t = performance.now();
    await Promise.all(
      Array.from({ length: posts }, async (_x, k) => {
        for (let i = k; i < burst.length; i += posts) burstLat.push(await post('/api/v1/transit/events', burst[i]));
      }),
    );
    const burstSecs = (performance.now() - t) / 1000;
    // buffered batches
    const rest = events.slice(2 * n, 4 * n);
    const byPost = new Map<string, typeof rest>();
    for (const e of rest) {
      const c = (e.office && ref.office(e.office)?.country) || 'GT';
      byPost.set(c, [...(byPost.get(c) ?? []), e]);
    }
    t = performance.now();
    for (const list of byPost.values()) for (let i = 0; i < list.length; i += batch) await post('/api/v1/transit/events/batch', { events: list.slice(i, i + batch) });
    const batchSecs = (performance.now() - t) / 1000;
    return {
      streamed: { events: lat.length, perSecond: lat.length / streamSecs, p50Ms: pct(lat, 50), p99Ms: pct(lat, 99) },
      burst: { posts, events: burst.length, perSecond: burst.length / burstSecs, p50Ms: pct(burstLat, 50), p99Ms: pct(burstLat, 99) },
      batched: { batch, events: rest.length, perSecond: rest.length / batchSecs },
    };
  } finally {
    await app.close();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ts = (n: string) => timestamp(n, { withTimezone: true, precision: 3 });
const benchEvents = pgTable('bench_transit_events', {
  chain: text('chain').notNull(),
  seq: integer('seq').notNull(),
  eventId: text('event_id').notNull(),
  movementId: uuid('movement_id'),
  type: text('type').notNull(),
  at: ts('at').notNull(),
  office: text('office'),
  country: text('country'),
  data: jsonb('data').notNull(),
  receivedAt: ts('received_at').notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
});

async function measure(database: Database, label: string, days: number, batch: number, httpDb?: Database): Promise<TransitBenchResult> {
  const ref = getReferenceData();
  const sim = simulateTransit({ seed: 3, start: new Date('2026-03-01T00:00:00Z'), days, ref, movementsPerDay: 60, arrivalsPerDay: 0 });
  const clock = new FixedClock(sim.evaluateAt);
  const service = new TransitService({ db: database.db, ref, clock });
  const actor = SYSTEM_PRINCIPAL('GT', 'bench');
  await service.declareMovements(sim.movements, actor);
  let t = performance.now();
  let recorded = 0;
  for (let i = 0; i < sim.events.length; i += batch) recorded += (await service.ingestEvents(sim.events.slice(i, i + batch), actor, 'bench')).recorded;
  const ingestSecs = (performance.now() - t) / 1000;

  // the limit: the very rows Centinela stored, inserted plainly into a table of the same shape
  const rows = (await database.db.execute(sql`select * from transit_events order by received_at, chain, seq`)) as unknown as { rows: Record<string, unknown>[] };
  const camel = rows.rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.replace(/_([a-z])/g, (_m, c) => c.toUpperCase()), v])));
  for (const r of camel) for (const k of ['at', 'receivedAt']) r[k] = new Date(r[k] as string);
  await database.db.execute(sql.raw('create table bench_transit_events (like transit_events including all)'));
  t = performance.now();
  for (let i = 0; i < camel.length; i += batch) await database.db.transaction((tx) => insertChunked(tx, benchEvents, camel.slice(i, i + batch)));
  const plainSecs = (performance.now() - t) / 1000;
  const res: TransitBenchResult = { database: label, events: recorded, ingestPerSecond: recorded / ingestSecs, plainInsertPerSecond: camel.length / plainSecs, ratio: recorded / ingestSecs / (camel.length / plainSecs) };
  console.log(
    `transit ${label.padEnd(10)} ${fmt(recorded)} events (${fmt(sim.movements.length)} transits), batches of ${batch}: ingest with detectors ${fmt(res.ingestPerSecond).padStart(7)} ev/s   plain bulk insert (limit) ${fmt(res.plainInsertPerSecond).padStart(7)} ev/s   ratio ${res.ratio.toFixed(2)}`,
  );
  if (httpDb) {
    const h = await streamOverHttp(httpDb, sim, Number(process.env.BENCH_TRANSIT_STREAM ?? 1000), Number(process.env.BENCH_TRANSIT_POSTS ?? 8), Number(process.env.BENCH_TRANSIT_POST_BATCH ?? 200));
    res.http = h;
    const ms = (x: number) => x.toFixed(1);
    console.log(
      `transit ${label.padEnd(10)} over HTTP: streamed by one post ${fmt(h.streamed.perSecond).padStart(5)} ev/s (p50 ${ms(h.streamed.p50Ms)} ms, p99 ${ms(h.streamed.p99Ms)} ms, ${fmt(h.streamed.events)} events)   burst from ${h.burst.posts} posts ${fmt(h.burst.perSecond).padStart(5)} ev/s (p50 ${ms(h.burst.p50Ms)} ms, p99 ${ms(h.burst.p99Ms)} ms)   buffered batches of ${h.batched.batch} ${fmt(h.batched.perSecond).padStart(6)} ev/s   beside bulk ${fmt(res.ingestPerSecond)} ev/s and plain insert ${fmt(res.plainInsertPerSecond)} ev/s`,
    );
  }
  return res;
}

export async function runTransitBench(days = Number(process.env.BENCH_TRANSIT_DAYS ?? 30), batch = Number(process.env.BENCH_TRANSIT_BATCH ?? 1000)): Promise<TransitBenchResult[]> {
  const out: TransitBenchResult[] = [];
  if (process.env.CENTINELA_TEST_DATABASE_URL) {
    const pgdb = await openTestPostgres();
    const httpDb = await openTestPostgres();
    try {
      out.push(await measure(pgdb, 'PostgreSQL', days, batch, httpDb));
    } finally {
      await pgdb.close();
      await httpDb.close();
    }
  } else {
    console.log('transit: CENTINELA_TEST_DATABASE_URL is not set, so this measures PGlite (in memory) instead of PostgreSQL');
    const lite = await openDatabase({});
    const httpDb = await openDatabase({});
    try {
      out.push(await measure(lite, 'PGlite', days, batch, httpDb));
    } finally {
      await lite.close();
      await httpDb.close();
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) await runTransitBench();
