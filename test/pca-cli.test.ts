/**
 * `centinela pca import-tax`: tax returns from a file, progress counting records stored, each bad
 * record named with its field, then the mismatch detector over the months asked.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { openDatabase, schema } from '../src/db/client.ts';
import { pcaCommand } from '../src/cli/commands/pca.ts';
import { simulateCommand } from '../src/cli/commands/simulate.ts';
import { runCli } from './cli-harness.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

it('imports tax returns, reports progress and rejections by field, and detects mismatches', async () => {
  const file = path.join(tmp, 'returns-2026-05.csv');
  fs.writeFileSync(file, ['tin,period,declaredImports,purchases,sales,currency', '4455667-8,2026-05,1000,200,3000,USD', '4455667-8,2026-5,1000,200,3000,USD', '7788990-1,2026-05,-5,200,3000,USD', '7788990-1,2026-05,800,200,3000,usd'].join('\n') + '\n');
  const dataDir = path.join(tmp, 'db');
  const report = path.join(tmp, 'rejected.jsonl');
  const r = await runCli(pcaCommand, ['import-tax', file, '--country', 'SV', '--data-dir', dataDir, '--detect', '2026-05:2026-05', '--report', report]);
  expect(r.code).toBe(2);
  expect(r.err).toContain('4 records: 1 stored, 3 rejected');
  expect(r.err).toContain('record 2 (line 3): period: must be a month, YYYY-MM');
  expect(r.err).toContain('record 3 (line 4): declaredImports: must not be negative');
  expect(r.err).toContain('currency: must be an ISO 4217 code');
  expect(r.err).toMatch(/mismatches SV 2026-05\.\.2026-05: \d+/);
  expect(fs.readFileSync(report, 'utf8').trim().split('\n').map((l) => JSON.parse(l).errors[0].path)).toEqual(['period', 'declaredImports', 'currency']);
  const db = await openDatabase({ dataDir });
  try {
    const rows = await db.db.select().from(schema.pcaTaxReturns).where(eq(schema.pcaTaxReturns.country, 'SV'));
    expect(rows.map((x) => [x.tin, x.period, x.declaredImports])).toEqual([['4455667-8', '2026-05', 1000]]);
  } finally {
    await db.close();
  }

  // the simulator writes the tax side of a run; the same command loads it whole
  const out = path.join(tmp, 'sim');
  const sim = await runCli(simulateCommand, ['--seed', '5', '--days', '40', '--scale', '0.04', '--start', '2026-01-05', '--countries', 'GT', '--out', out, '--tax']);
  expect(sim.code).toBe(0);
  const m = /simulate: ([\d,]+) tax returns \(([\d,]+) with a planted mismatch\), ([\d,]+) import frauds/.exec(sim.err);
  expect(m, sim.err).not.toBeNull();
  const returns = Number(m![1].replaceAll(',', ''));
  expect(returns).toBeGreaterThan(50);
  expect(fs.readFileSync(path.join(out, 'tax-returns.csv'), 'utf8').trim().split('\n')).toHaveLength(returns + 1);
  expect(fs.readFileSync(path.join(out, 'post-clearance-truth.jsonl'), 'utf8').trim().split('\n')).toHaveLength(Number(m![3].replaceAll(',', '')));
  const loaded = await runCli(pcaCommand, ['import-tax', path.join(out, 'tax-returns.csv'), '--data-dir', dataDir]);
  expect(loaded.code, loaded.err).toBe(0);
  expect(loaded.err).toContain(`${returns.toLocaleString('en-US')} records: ${returns.toLocaleString('en-US')} stored, 0 rejected`);
}, 120_000);
