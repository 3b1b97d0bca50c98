/**
 * Import throughput: declarations per second through Centinela's intake (validation against the
 * contract and reference data, idempotent storage with history, items, assessment, audit log),
 * beside the limit measured in the same run on the same database: a plain bulk insert of the
 * same declaration and item rows, with no validation, history, assessment or audit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FixedClock } from '../src/core/clock.ts';
import { uuidv7 } from '../src/core/ids.ts';
import { openDatabase, sql, type Database } from '../src/db/client.ts';
import { openTestPostgres } from '../src/db/testing.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import { insertChunked } from '../src/modules/declarations/repository.ts';
import { IntakeService } from '../src/modules/declarations/service.ts';
import type { Declaration } from '../src/modules/declarations/schema.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { doublePrecision, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { simulateRegion } from '../src/sim/generate.ts';

export interface ImportBenchResult {
  database: string;
  declarations: number;
  intakePerSecond: number;
  plainInsertPerSecond: number;
  ratio: number;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export function benchDeclarations(n: number): { decls: any[]; clock: FixedClock } {
  const ref = getReferenceData();
  const start = new Date('2026-01-05T00:00:00Z');
  const decls: any[] = [];
  let last = start;
  for (const r of simulateRegion({ seed: 11, days: 365, scale: Math.max(0.05, n / 1500 / 30), start, ref })) {
    if (r.kind !== 'declaration') continue;
    decls.push(r.record);
    last = new Date((r.record as any).lodgedAt);
    if (decls.length >= n) break;
  }
  return { decls, clock: new FixedClock(last.getTime() + 86_400_000) };
}

async function measure(database: Database, decls: any[], clock: FixedClock, label: string): Promise<ImportBenchResult> {
  const intake = new IntakeService({ db: database.db, ref: getReferenceData(), clock, config: { randomControlRate: 0.05 } });
  const actor = SYSTEM_PRINCIPAL('GT', 'bench');
  const batch = 500;
  let t = performance.now();
  let accepted = 0;
  for (let i = 0; i < decls.length; i += batch) {
    const r = await intake.submitDeclarations(decls.slice(i, i + batch), actor, 'bench');
    accepted += r.outcomes.length;
    if (r.rejections.length) throw new Error(`bench data rejected: ${JSON.stringify(r.rejections[0])}`);
  }
  const intakeSecs = (performance.now() - t) / 1000;

  // the limit: the same rows inserted plainly into fresh tables of the same shape
  await database.db.execute(sql.raw('create table bench_decl (like declarations including all)'));
  await database.db.execute(sql.raw('create table bench_items (like declaration_items including all)'));
  const parsed = decls.map((d) => intake.contracts.declaration.parse(d) as Declaration);
  t = performance.now();
  const now = clock.now();
  for (let i = 0; i < parsed.length; i += batch) {
    const chunk = parsed.slice(i, i + batch);
    const rows = chunk.map((d) => ({
      id: uuidv7(),
      country: d.country,
      reference: d.reference,
      type: d.type,
      office: d.office,
      lodged_at: new Date(d.lodgedAt),
      declarant_tin: d.declarant.tin,
      importer_tin: d.importer?.tin ?? null,
      exporter_tin: d.exporter?.tin ?? null,
      item_count: d.items.length,
      total_value: d.items.reduce((s, x) => s + x.customsValue, 0),
      currency: d.items[0].currency,
      version: 1,
      content_hash: '',
      payload: d,
      received_at: now,
      updated_at: now,
    }));
    await database.db.transaction(async (tx) => {
      await insertChunked(tx, benchDecl, rows.map(camel));
      await insertChunked(
        tx,
        benchItems,
        chunk.flatMap((d, k) =>
          d.items.map((it) => ({ declarationId: rows[k].id, line: it.line, hsCode: it.hsCode, origin: it.origin, quantity: it.quantity, unit: it.unit, netMassKg: it.netMassKg, grossMassKg: it.grossMassKg, customsValue: it.customsValue, currency: it.currency, dutyRate: it.dutyRate ?? null })),
        ),
      );
    });
  }
  const plainSecs = (performance.now() - t) / 1000;
  const res = {
    database: label,
    declarations: accepted,
    intakePerSecond: accepted / intakeSecs,
    plainInsertPerSecond: decls.length / plainSecs,
    ratio: accepted / intakeSecs / (decls.length / plainSecs),
  };
  console.log(
    `import ${label.padEnd(10)} intake ${fmt(res.intakePerSecond).padStart(7)} decl/s   plain bulk insert (limit) ${fmt(res.plainInsertPerSecond).padStart(7)} decl/s   ratio ${res.ratio.toFixed(2)}`,
  );
  return res;
}

// tables of the same shape as declarations / declaration_items, for the plain insert
const ts = (n: string) => timestamp(n, { withTimezone: true, precision: 3 });
const benchDecl = pgTable('bench_decl', {
  id: uuid('id').primaryKey(),
  country: text('country').notNull(),
  reference: text('reference').notNull(),
  type: text('type').notNull(),
  office: text('office').notNull(),
  lodgedAt: ts('lodged_at').notNull(),
  declarantTin: text('declarant_tin').notNull(),
  importerTin: text('importer_tin'),
  exporterTin: text('exporter_tin'),
  itemCount: integer('item_count').notNull(),
  totalValue: doublePrecision('total_value').notNull(),
  currency: text('currency').notNull(),
  version: integer('version').notNull(),
  contentHash: text('content_hash').notNull(),
  payload: jsonb('payload').notNull(),
  receivedAt: ts('received_at').notNull(),
  updatedAt: ts('updated_at').notNull(),
});
const benchItems = pgTable('bench_items', {
  declarationId: uuid('declaration_id').notNull(),
  line: integer('line').notNull(),
  hsCode: text('hs_code').notNull(),
  origin: text('origin').notNull(),
  quantity: doublePrecision('quantity').notNull(),
  unit: text('unit').notNull(),
  netMassKg: doublePrecision('net_mass_kg').notNull(),
  grossMassKg: doublePrecision('gross_mass_kg').notNull(),
  customsValue: doublePrecision('customs_value').notNull(),
  currency: text('currency').notNull(),
  dutyRate: doublePrecision('duty_rate'),
});

function camel(r: Record<string, unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) o[k.replace(/_([a-z])/g, (_m, c) => c.toUpperCase())] = v;
  return o;
}

export async function runImportBench(n = Number(process.env.BENCH_DECLARATIONS ?? 20_000)): Promise<ImportBenchResult[]> {
  const t0 = performance.now();
  const { decls, clock } = benchDeclarations(n);
  const items = decls.reduce((s, d) => s + d.items.length, 0);
  console.log(`import: ${fmt(decls.length)} simulated declarations (${fmt(items)} items), generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const out: ImportBenchResult[] = [];

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-bench-'));
  const lite = await openDatabase({ dataDir: dir });
  try {
    out.push(await measure(lite, decls, clock, 'PGlite'));
  } finally {
    await lite.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  if (process.env.CENTINELA_TEST_DATABASE_URL) {
    const pgdb = await openTestPostgres();
    try {
      out.push(await measure(pgdb, decls, clock, 'PostgreSQL'));
    } finally {
      await pgdb.close();
    }
  } else {
    console.log('import PostgreSQL: skipped (set CENTINELA_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test)');
  }
  return out;
}
