/**
 * Transit event ingestion: events per second through Centinela (validation, movement resolution,
 * idempotency on the event id, hash chaining, detectors over every touched movement, alerts,
 * audit log), beside the limit measured in the same run on the same database: a plain bulk
 * insert of the same event rows into a table of the same shape, with nothing else.
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

export interface TransitBenchResult {
  database: string;
  events: number;
  ingestPerSecond: number;
  plainInsertPerSecond: number;
  ratio: number;
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

async function measure(database: Database, label: string, days: number, batch: number): Promise<TransitBenchResult> {
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
  const res = { database: label, events: recorded, ingestPerSecond: recorded / ingestSecs, plainInsertPerSecond: camel.length / plainSecs, ratio: recorded / ingestSecs / (camel.length / plainSecs) };
  console.log(
    `transit ${label.padEnd(10)} ${fmt(recorded)} events (${fmt(sim.movements.length)} transits), batches of ${batch}: ingest with detectors ${fmt(res.ingestPerSecond).padStart(7)} ev/s   plain bulk insert (limit) ${fmt(res.plainInsertPerSecond).padStart(7)} ev/s   ratio ${res.ratio.toFixed(2)}`,
  );
  return res;
}

export async function runTransitBench(days = Number(process.env.BENCH_TRANSIT_DAYS ?? 30), batch = Number(process.env.BENCH_TRANSIT_BATCH ?? 1000)): Promise<TransitBenchResult[]> {
  const out: TransitBenchResult[] = [];
  if (process.env.CENTINELA_TEST_DATABASE_URL) {
    const pgdb = await openTestPostgres();
    try {
      out.push(await measure(pgdb, 'PostgreSQL', days, batch));
    } finally {
      await pgdb.close();
    }
  } else {
    console.log('transit: CENTINELA_TEST_DATABASE_URL is not set, so this measures PGlite (in memory) instead of PostgreSQL');
    const lite = await openDatabase({});
    try {
      out.push(await measure(lite, 'PGlite', days, batch));
    } finally {
      await lite.close();
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) await runTransitBench();
