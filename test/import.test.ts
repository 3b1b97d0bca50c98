import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { FixedClock } from '../src/core/clock.ts';
import { schema, type Database } from '../src/db/client.ts';
import { openTestDb, describeEachDb } from '../src/db/testing.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import { runImport } from '../src/modules/declarations/import.ts';
import { IntakeService } from '../src/flows/intake.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { mutate, NOW, validDeclaration } from './fixtures.ts';
import { createSimulation } from '../src/sim/generate.ts';
import { writeSimulation } from '../src/sim/write.ts';
import { importGroundTruth } from '../src/modules/declarations/truth.ts';

const actor = SYSTEM_PRINCIPAL('GT', 'test-import');

const CSV_HEADER =
  'reference,country,type,office,lodgedAt,declarant.tin,declarant.name,declarant.country,importer.tin,importer.name,importer.country,transport.mode,transport.containers,items.line,items.hsCode,items.description,items.origin,items.quantity,items.unit,items.netMassKg,items.grossMassKg,items.customsValue,items.currency';

describeEachDb('bulk import on %s', (kind) => {
  let database: Database;
  let intake: IntakeService;
  const clock = new FixedClock(NOW);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-import-'));

  beforeAll(async () => {
    database = await openTestDb(kind);
    intake = new IntakeService({ db: database.db, ref: getReferenceData(), clock, config: { randomControlRate: 0.05 } });
  });
  afterAll(async () => {
    await database?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const n = async (t: any) => Number((await database.db.select({ n: count() }).from(t))[0].n);

  it('imports JSON Lines, reports each rejected record by line, and is idempotent on re-import', async () => {
    const lines = [
      JSON.stringify(validDeclaration('GT-J-1')),
      '',
      '{ this is not json',
      JSON.stringify(mutate(validDeclaration('GT-J-2'), (d) => (d.items[1].netMassKg = 999))),
      JSON.stringify(validDeclaration('GT-J-3')),
    ];
    const file = path.join(dir, 'declarations.jsonl');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const deps = { db: database.db, clock, intake };
    const r = await runImport(deps, { kind: 'declarations', format: 'jsonl', source: { path: file }, actor, batchSize: 2 });
    expect(r).toMatchObject({ records: 4, created: 2, rejected: 2 });
    expect(r.rejections.map((x) => [x.record, x.line, x.errors[0].path])).toEqual([
      [2, 3, ''],
      [3, 4, 'items[1].netMassKg'],
    ]);
    expect(r.rejections[0].errors[0].code).toBe('invalid_json');
    expect(await n(schema.declarations)).toBe(2);

    const again = await runImport(deps, { kind: 'declarations', format: 'jsonl', source: { path: file }, actor });
    expect(again).toMatchObject({ created: 0, unchanged: 2, rejected: 2 });
    expect(await n(schema.declarations)).toBe(2);
    expect(await n(schema.importBatches)).toBe(2);
  });

  it('imports CSV with one row per item, grouping rows into declarations', async () => {
    const row = (ref: string, line: number, hs: string, net: string, gross: string, value: string) =>
      `${ref},GT,IM,GTPRQ,2026-06-14T09:30:00-06:00,BRK-1,Agencia,GT,4455667-8,Importadora Maya,GT,1,MSCU1234566,${line},${hs},Goods,CN,10,KGM,${net},${gross},${value},USD`;
    const csv = [
      CSV_HEADER,
      row('GT-C-1', 1, '851713', '10', '12', '1000'),
      row('GT-C-1', 2, '392690', '5', '6', '50'),
      row('GT-C-2', 1, '851713', '20', '10', '100'), // net above gross
      row('GT-C-3', 1, '851713', 'heavy', '10', '100'), // not a number
      row('GT-C-4', 1, '220830', '100', '110', '900'),
    ].join('\n');
    const r = await runImport({ db: database.db, clock, intake }, { kind: 'declarations', format: 'csv', source: { text: csv, name: 'test.csv' }, actor });
    expect(r).toMatchObject({ records: 4, created: 2, rejected: 2 });
    expect(r.rejections.map((x) => [x.reference, x.line, x.errors[0].path])).toEqual([
      ['GT-C-2', 4, 'items[0].netMassKg'],
      ['GT-C-3', 5, 'items[0].netMassKg'],
    ]);
    const items = await database.db.select().from(schema.declarationItems);
    expect(items.filter((i) => i.hsCode === '392690').length).toBeGreaterThan(0);
  });

  it('a CSV with a broken row is reported, not half-loaded', async () => {
    const csv = [CSV_HEADER, 'GT-BROKEN-1,GT,IM,"unterminated'].join('\n');
    const before = await n(schema.declarations);
    const r = await runImport({ db: database.db, clock, intake }, { kind: 'declarations', format: 'csv', source: { text: csv, name: 'broken.csv' }, actor });
    expect(r.rejected).toBe(1);
    expect(r.rejections[0].errors[0].code).toBe('invalid_csv');
    expect(await n(schema.declarations)).toBe(before);
  });

  it("loads the simulator's files through the same import path, every record accepted, truth kept apart", async () => {
    const out = path.join(dir, 'sim');
    const sim = createSimulation({ seed: 5, days: 3, scale: 0.05, start: '2026-06-01', ref: getReferenceData() });
    const summary = await writeSimulation(sim, { outDir: out, seed: 5, days: 3, scale: 0.05 });
    const simClock = new FixedClock('2026-06-10T00:00:00Z');
    const deps = { db: database.db, clock: simClock, intake: new IntakeService({ db: database.db, ref: getReferenceData(), clock: simClock, config: { randomControlRate: 0.05 } }) };
    const m = await runImport(deps, { kind: 'manifests', format: 'jsonl', source: { path: path.join(out, 'manifests.jsonl') }, actor });
    const d = await runImport(deps, { kind: 'declarations', format: 'jsonl', source: { path: path.join(out, 'declarations.jsonl') }, actor });
    expect(m).toMatchObject({ records: summary.manifests.total, created: summary.manifests.total, rejected: 0 });
    expect(d).toMatchObject({ records: summary.declarations.total, created: summary.declarations.total, rejected: 0 });
    // what customs sees carries no truth
    const stored = await database.db.select({ payload: schema.declarations.payload }).from(schema.declarations);
    expect(stored.some((r) => JSON.stringify(r.payload).includes('fraudType'))).toBe(false);
    const truthRows = await importGroundTruth(database.db, path.join(out, 'ground-truth.jsonl'));
    expect(truthRows).toBe(summary.declarations.total + summary.manifests.total);
    expect(await n(schema.groundTruth)).toBe(truthRows);
  });
});
