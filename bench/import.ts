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
import { openDatabase, schema, type Database } from '../src/db/client.ts';
import { openTestPostgres } from '../src/db/testing.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import { insertChunked } from '../src/modules/declarations/repository.ts';
import { declarationRow, IntakeService, itemRows } from '../src/modules/declarations/service.ts';
import type { Declaration } from '../src/modules/declarations/schema.ts';
import { getReferenceData } from '../src/reference/index.ts';
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

async function measure(database: Database, openFresh: () => Promise<Database>, decls: any[], clock: FixedClock, label: string): Promise<ImportBenchResult> {
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

  // the limit: the same rows inserted plainly into a second, fresh database of the same kind:
  // declaration and item rows only, no validation, history, assessment or audit
  const parsed = decls.map((d) => intake.contracts.declaration.parse(d) as Declaration);
  const plain = await openFresh();
  try {
    t = performance.now();
    const now = clock.now();
    for (let i = 0; i < parsed.length; i += batch) {
      const chunk = parsed.slice(i, i + batch).map((d) => ({ d, id: uuidv7() }));
      await plain.db.transaction(async (tx) => {
        await insertChunked(tx, schema.declarations, chunk.map(({ d, id }) => declarationRow(id, d, 1, '', now)));
        await insertChunked(tx, schema.declarationItems, chunk.flatMap(({ d, id }) => itemRows(id, d)));
      });
    }
  } finally {
    await plain.close();
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

export async function runImportBench(n = Number(process.env.BENCH_DECLARATIONS ?? 20_000)): Promise<ImportBenchResult[]> {
  const t0 = performance.now();
  const { decls, clock } = benchDeclarations(n);
  const items = decls.reduce((s, d) => s + d.items.length, 0);
  console.log(`import: ${fmt(decls.length)} simulated declarations (${fmt(items)} items), generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const out: ImportBenchResult[] = [];

  const dirs: string[] = [];
  const openLite = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-bench-'));
    dirs.push(dir);
    return openDatabase({ dataDir: dir });
  };
  const lite = await openLite();
  try {
    out.push(await measure(lite, openLite, decls, clock, 'PGlite'));
  } finally {
    await lite.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }

  if (process.env.CENTINELA_TEST_DATABASE_URL) {
    const pgdb = await openTestPostgres();
    try {
      out.push(await measure(pgdb, openTestPostgres, decls, clock, 'PostgreSQL'));
    } finally {
      await pgdb.close();
    }
  } else {
    console.log('import PostgreSQL: skipped (set CENTINELA_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test)');
  }
  return out;
}
