/**
 * Reading periodic tax returns (CSV with a header row, or JSON Lines), one record at a time: a bad
 * record is rejected naming each field at fault; the others go on. Fields: tin, period (YYYY-MM),
 * declaredImports, purchases, sales, currency, and country (optional: the sender's administration).
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { z } from 'zod';
import { textErrors, type FieldError } from '../../core/errors.ts';
import { ADMINISTRATIONS } from '../../reference/types.ts';
import { readJsonLines } from '../declarations/import.ts';

const amount = z.number({ error: 'must be a number' }).min(0, 'must not be negative').max(1e13, 'is too large');
export const taxReturnSchema = z.strictObject({
  country: z.enum(ADMINISTRATIONS, { error: `must be one of ${ADMINISTRATIONS.join(', ')}` }).optional(),
  tin: z.string({ error: 'is required' }).regex(/^[A-Za-z0-9-]{3,32}$/, 'must be a tax identification number (3-32 letters, digits, dashes)'),
  period: z
    .string({ error: 'is required' })
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM'),
  declaredImports: amount,
  purchases: amount,
  sales: amount,
  currency: z.string({ error: 'is required' }).regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
});
export type TaxRecordInput = z.output<typeof taxReturnSchema>;
export type TaxRecord = TaxRecordInput & { country: string };

export interface TaxImportReport {
  batchId: string;
  format: 'csv' | 'jsonl';
  records: number;
  stored: number;
  rejected: number;
  rejections: { record: number; line: number; errors: FieldError[] }[];
}

type Read = { record: number; line: number; value: TaxRecordInput & { country?: string } } | { record: number; line: number; errors: FieldError[] };

const NUMERIC = new Set(['declaredImports', 'purchases', 'sales']);
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function check(record: number, line: number, v: unknown): Read {
  const bad = textErrors(v);
  if (bad.length) return { record, line, errors: bad };
  const r = taxReturnSchema.safeParse(v);
  if (r.success) return { record, line, value: r.data };
  return { record, line, errors: r.error.issues.map((i) => ({ path: i.path.join('.') || '', code: i.code, message: `${i.path.join('.') || 'record'}: ${i.message}` })) };
}

export async function* readTaxRecords(o: { format: 'csv' | 'jsonl'; text?: string; path?: string }): AsyncGenerator<Read> {
  const input: NodeJS.ReadableStream = o.path ? fs.createReadStream(o.path) : Readable.from([o.text ?? '']);
  if (o.format === 'jsonl') {
    for await (const s of readJsonLines(input)) {
      if (s.error) yield { record: s.record, line: s.line, errors: [s.error] };
      else yield check(s.record, s.line, s.value);
    }
    return;
  }
  const parser = input.pipe(parseCsv({ columns: true, bom: true, skip_empty_lines: true, info: true, trim: true }));
  let record = 0;
  try {
    for await (const { record: row, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      record++;
      const v: Record<string, unknown> = {};
      for (const [k, raw] of Object.entries(row)) {
        if (raw === '') continue;
        v[k] = NUMERIC.has(k) && NUMBER_RE.test(raw) ? Number(raw) : raw;
      }
      yield check(record, info.lines, v);
    }
  } catch (e) {
    yield { record: record + 1, line: (e as { lines?: number }).lines ?? 0, errors: [{ path: '', code: 'invalid_csv', message: (e as Error).message }] };
  }
}
