/**
 * The post-clearance side of a simulation written out: from the declarations and ground truth a
 * run wrote (write.ts), the tax administration's returns (`tax-returns.csv`, the file
 * `centinela pca import-tax` reads), the mismatches planted in them (`tax-planted.jsonl`) and the
 * post-clearance truth (`post-clearance-truth.jsonl`: what an audit of each fraudulent import
 * finds, line by line). Reads the files, so the customs side of the run is untouched.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { GroundTruth, SimRecord } from './records.ts';
import { postClearanceTruth } from './plan/pca.ts';
import { simulateTaxReturns } from './tax.ts';
import { SIM_FILES } from './write.ts';

export const TAX_FILES = { returns: 'tax-returns.csv', planted: 'tax-planted.jsonl', truth: 'post-clearance-truth.jsonl' } as const;

async function* lines(file: string): AsyncGenerator<string> {
  const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const l of rl) if (l.trim()) yield l;
}

export async function writeTaxSide(outDir: string, seed: number): Promise<{ returns: number; planted: number; frauds: number }> {
  const truth = new Map<string, GroundTruth>();
  for await (const l of lines(path.join(outDir, SIM_FILES.truth))) {
    const t = JSON.parse(l) as GroundTruth;
    if (t.kind === 'declaration') truth.set(`${t.country}|${t.reference}`, t);
  }
  const records: SimRecord[] = [];
  for await (const l of lines(path.join(outDir, SIM_FILES.declarations))) {
    const record = JSON.parse(l) as Extract<SimRecord, { kind: 'declaration' }>['record'];
    if (record.type !== 'IM') continue;
    const t = truth.get(`${record.country}|${record.reference}`);
    if (t) records.push({ kind: 'declaration', record, truth: t });
  }
  const tax = simulateTaxReturns(records, { seed });
  const pca = postClearanceTruth(records);
  const csv = ['country,tin,period,declaredImports,purchases,sales,currency', ...tax.returns.map((r) => [r.country, r.tin, r.period, r.declaredImports.toFixed(2), r.purchases.toFixed(2), r.sales.toFixed(2), r.currency].join(','))];
  fs.writeFileSync(path.join(outDir, TAX_FILES.returns), csv.join('\n') + '\n');
  fs.writeFileSync(path.join(outDir, TAX_FILES.planted), tax.planted.map((p) => JSON.stringify(p)).join('\n') + (tax.planted.length ? '\n' : ''));
  fs.writeFileSync(path.join(outDir, TAX_FILES.truth), [...pca.values()].map((d) => JSON.stringify(d)).join('\n') + (pca.size ? '\n' : ''));
  return { returns: tax.returns.length, planted: tax.planted.length, frauds: pca.size };
}
