/**
 * Import throughput: declarations per second through Centinela's intake (validation against the
 * contract and reference data, idempotent storage with history, items, assessment, audit log),
 * beside the limit measured in the same run on the same database: a plain bulk insert of the
 * same declaration and item rows, with no validation, history, assessment or audit; and, on PGlite,
 * what durability costs (fsync on, the default, against fsync off).
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
import { IntakeService } from '../src/flows/intake.ts';
import { declarationRow, itemRows } from '../src/modules/declarations/service.ts';
import type { Declaration, DeclarationInput } from '../src/modules/declarations/schema.ts';
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

export function benchDeclarations(n: number): { decls: DeclarationInput[]; clock: FixedClock } {
  const ref = getReferenceData();
  const start = new Date('2026-01-05T00:00:00Z');
  const decls: DeclarationInput[] = [];
  let last = start;
  for (const r of simulateRegion({ seed: 11, days: 365, scale: Math.max(0.05, n / 1500 / 30), start, ref })) {
    if (r.kind !== 'declaration') continue;
    decls.push(r.record);
    last = new Date(r.record.lodgedAt);
    if (decls.length >= n) break;
  }
  return { decls, clock: new FixedClock(last.getTime() + 86_400_000) };
}

/** Declarations per second through the intake service, `batch` declarations per call (one transaction each). */
async function intakeRate(database: Database, decls: DeclarationInput[], clock: FixedClock, batch: number): Promise<{ accepted: number; secs: number; intake: IntakeService }> {
  const intake = new IntakeService({ db: database.db, ref: getReferenceData(), clock, config: { randomControlRate: 0.05 } });
  const actor = SYSTEM_PRINCIPAL('GT', 'bench');
  const t = performance.now();
  let accepted = 0;
  for (let i = 0; i < decls.length; i += batch) {
    const r = await intake.submitDeclarations(decls.slice(i, i + batch), actor, 'bench');
    accepted += r.outcomes.length;
    if (r.rejections.length) throw new Error(`bench data rejected: ${JSON.stringify(r.rejections[0])}`);
  }
  return { accepted, secs: (performance.now() - t) / 1000, intake };
}

async function measure(database: Database, openFresh: () => Promise<Database>, decls: DeclarationInput[], clock: FixedClock, label: string): Promise<ImportBenchResult> {
  const batch = 500;
  const { accepted, secs: intakeSecs, intake } = await intakeRate(database, decls, clock, batch);
  let t: number;

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

/**
 * What durability costs on PGlite: the same intake on a data directory that flushes every commit to
 * the disk (Centinela's default: fsync on) and on one that does not (PGlite's own default, fsync off),
 * both in batches of 500 (bulk import) and one declaration per request (one commit each, the API case).
 */
async function durabilityCost(openDurable: () => Promise<Database>, openNoFsync: () => Promise<Database>, decls: DeclarationInput[], clock: FixedClock) {
  const bulk = decls.slice(0, Math.min(decls.length, 10_000));
  const single = decls.slice(0, Math.min(decls.length, Number(process.env.BENCH_SINGLE_DECLARATIONS ?? 500)));
  let fsyncs = 0;
  let fsyncMs = 0;
  const fsyncSync = fs.fsyncSync;
  const rate = async (open: () => Promise<Database>, ds: DeclarationInput[], batch: number) => {
    const d = await open();
    try {
      fsyncs = 0;
      fsyncMs = 0;
      const r = await intakeRate(d, ds, clock, batch);
      return { perSecond: r.accepted / r.secs, fsyncsPerDecl: fsyncs / r.accepted, fsyncMsPerDecl: fsyncMs / r.accepted };
    } finally {
      await d.close();
    }
  };
  // count the flushes the durable database makes, and the time they take
  (fs as { fsyncSync: typeof fs.fsyncSync }).fsyncSync = (fd: number) => {
    const t = performance.now();
    try {
      fsyncSync(fd);
    } finally {
      fsyncs++;
      fsyncMs += performance.now() - t;
    }
  };
  try {
    // alternate the two, twice, and keep the better run of each: a busy machine's noise favours neither
    const best = async (ds: DeclarationInput[], batch: number) => {
      const on = [];
      const off = [];
      for (let k = 0; k < 2; k++) {
        off.push(await rate(openNoFsync, ds, batch));
        on.push(await rate(openDurable, ds, batch));
      }
      const top = <T extends { perSecond: number }>(xs: T[]): T => xs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
      return { on: top(on), off: top(off) };
    };
    for (const [label, ds, batch] of [
      ['batches of 500', bulk, 500],
      ['one per commit', single, 1],
    ] as const) {
      const { on, off } = await best(ds as DeclarationInput[], batch);
      console.log(
        `import PGlite durability, ${label.padEnd(14)} (${fmt(ds.length)} decl): fsync on ${fmt(on.perSecond).padStart(6)} decl/s   fsync off (not durable, limit) ${fmt(off.perSecond).padStart(6)} decl/s   ratio ${(on.perSecond / off.perSecond).toFixed(2)}   ` +
          `(${on.fsyncsPerDecl.toFixed(3)} fsync, ${on.fsyncMsPerDecl.toFixed(2)} ms of fsync per declaration)`,
      );
    }
  } finally {
    (fs as { fsyncSync: typeof fs.fsyncSync }).fsyncSync = fsyncSync;
  }
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
  const openLiteNoFsync = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-bench-'));
    dirs.push(dir);
    return openDatabase({ dataDir: dir, unsafeNoFsync: true });
  };
  const lite = await openLite();
  try {
    out.push(await measure(lite, openLite, decls, clock, 'PGlite'));
    await durabilityCost(openLite, openLiteNoFsync, decls, clock);
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
