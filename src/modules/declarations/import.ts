import fs from 'node:fs';
import readline from 'node:readline';
import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import type { Clock } from '../../core/clock.ts';
import { randomUUID } from 'node:crypto';
import { textErrors, type FieldError } from '../../core/errors.ts';
import { uuidv7 } from '../../core/ids.ts';
import { schema, type Db } from '../../db/client.ts';
import { appendAudit } from '../access/audit.ts';
import type { Principal } from '../access/types.ts';
import type { IntakePort, Rejection } from './service.ts';

export type ImportKind = 'declarations' | 'manifests';
export type ImportFormat = 'jsonl' | 'csv';

/** One record read from a file, with where it came from. */
export interface SourceRecord {
  /** 1-based number of the record in the file */
  record: number;
  /** first line of the file it came from */
  line: number;
  value?: unknown;
  /** set when the record could not even be read (bad JSON, bad CSV) */
  error?: FieldError;
}

export interface ImportRejection {
  record: number;
  line: number;
  reference?: string;
  errors: FieldError[];
}

export interface ImportReport {
  batchId: string;
  kind: ImportKind;
  format: ImportFormat;
  records: number;
  created: number;
  amended: number;
  unchanged: number;
  rejected: number;
  rejections: ImportRejection[];
  seconds: number;
}

export interface ImportProgress {
  records: number;
  created: number;
  amended: number;
  unchanged: number;
  rejected: number;
  bytesRead: number;
}

// ---------------------------------------------------------------- JSON Lines

export async function* readJsonLines(input: NodeJS.ReadableStream): AsyncGenerator<SourceRecord> {
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  let record = 0;
  for await (const text of rl) {
    line++;
    if (!text.trim()) continue;
    record++;
    try {
      yield { record, line, value: JSON.parse(text) };
    } catch (e) {
      yield { record, line, error: { path: '', code: 'invalid_json', message: `line ${line} is not valid JSON: ${(e as Error).message}` } };
    }
  }
}

// ---------------------------------------------------------------- CSV

/**
 * CSV layout: one row per item (declarations) or per consignment (manifests). Columns are the
 * contract's field paths: `reference`, `declarant.tin`, `transport.containers` (several separated
 * by `;` or spaces), `items.hsCode`... Consecutive rows with the same country and reference make
 * one record; its header fields are read from its first row.
 */
const CSV_LAYOUT: Record<ImportKind, { list: string; numeric: Set<string>; arrays: Set<string> }> = {
  declarations: {
    list: 'items',
    numeric: new Set(['transport.mode', 'items.line', 'items.quantity', 'items.netMassKg', 'items.grossMassKg', 'items.customsValue', 'items.dutyRate']),
    arrays: new Set(['transport.containers']),
  },
  manifests: {
    list: 'consignments',
    numeric: new Set(['mode', 'consignments.packages', 'consignments.grossMassKg']),
    arrays: new Set(['consignments.containers']),
  },
};

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function cell(key: string, raw: string, layout: (typeof CSV_LAYOUT)[ImportKind]): unknown {
  const v = raw.trim();
  if (layout.arrays.has(key)) return v.split(/[;\s]+/).filter(Boolean);
  if (layout.numeric.has(key) && NUMBER_RE.test(v)) return Number(v);
  return v;
}

function setPath(obj: Record<string, unknown>, key: string, value: unknown) {
  const parts = key.split('.');
  let o = obj;
  for (let i = 0; i < parts.length - 1; i++) o = (o[parts[i]] ??= {}) as Record<string, unknown>;
  o[parts[parts.length - 1]] = value;
}

export async function* readCsv(input: NodeJS.ReadableStream, kind: ImportKind): AsyncGenerator<SourceRecord> {
  const layout = CSV_LAYOUT[kind];
  const parser = input.pipe(parseCsv({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: false, info: true, trim: false }));
  let current: { key: string; value: Record<string, unknown>; line: number } | undefined;
  let record = 0;
  const prefix = layout.list + '.';
  try {
    for await (const { record: row, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      const key = `${row.country ?? ''}|${row.reference ?? ''}`;
      if (!current || current.key !== key) {
        if (current) yield { record: ++record, line: current.line, value: current.value };
        current = { key, value: {}, line: info.lines };
        for (const [k, raw] of Object.entries(row)) {
          if (k.startsWith(prefix) || raw === undefined || raw.trim() === '') continue;
          setPath(current.value, k, cell(k, raw, layout));
        }
        current.value[layout.list] = [];
      }
      const child: Record<string, unknown> = {};
      for (const [k, raw] of Object.entries(row)) {
        if (!k.startsWith(prefix) || raw === undefined || raw.trim() === '') continue;
        setPath(child, k.slice(prefix.length), cell(k, raw, layout));
      }
      (current.value[layout.list] as unknown[]).push(child);
    }
  } catch (e) {
    if (current) yield { record: ++record, line: current.line, value: current.value };
    yield { record: ++record, line: (e as { lines?: number }).lines ?? 0, error: { path: '', code: 'invalid_csv', message: (e as Error).message } };
    return;
  }
  if (current) yield { record: ++record, line: current.line, value: current.value };
}

// ---------------------------------------------------------------- running an import

export interface ImportOptions {
  kind: ImportKind;
  format: ImportFormat;
  /** a file path, or a string holding the whole content */
  source: { path: string } | { text: string; name: string };
  actor: Principal;
  batchSize?: number;
  onProgress?: (p: ImportProgress) => void;
  /** where the details of a record the database refused go (never into the report) */
  onInternalError?: (incident: string, detail: string) => void;
}

const referenceOf = (v: unknown): string | undefined => {
  const r = (v as { reference?: unknown } | null)?.reference;
  return typeof r === 'string' && !textErrors(r).length ? r.slice(0, 100) : undefined;
};

/**
 * A rejection the database made (a storage error) is reported without its SQL, parameters or
 * message: a generic text and an incident id; the details go to `onInternalError` (the server's
 * log, the CLI's standard error).
 */
function withoutInternals(e: FieldError, onInternalError?: (incident: string, detail: string) => void): FieldError {
  if (e.code !== 'storage_error') return e;
  const incident = randomUUID();
  onInternalError?.(incident, e.message);
  return { path: e.path, code: e.code, message: `could not be stored, nothing was written (incident ${incident}; the details are in the server's log)` };
}

const logToStderr = (incident: string, detail: string) => void process.stderr.write(`import: incident ${incident}: ${detail}\n`);

export async function runImport(deps: { db: Db; clock: Clock; intake: Pick<IntakePort, 'submitDeclarations' | 'submitManifests'> }, o: ImportOptions): Promise<ImportReport> {
  const started = Date.now();
  const batchId = uuidv7();
  const startedAt = deps.clock.now();
  const sourceName = 'path' in o.source ? o.source.path : o.source.name;
  let bytesRead = 0;
  let input: NodeJS.ReadableStream;
  if ('path' in o.source) {
    const s = fs.createReadStream(o.source.path);
    s.on('data', (c) => (bytesRead += c.length));
    input = s;
  } else {
    input = Readable.from([o.source.text]);
    bytesRead = Buffer.byteLength(o.source.text);
  }
  const reader = o.format === 'csv' ? readCsv(input, o.kind) : readJsonLines(input);
  const size = o.batchSize ?? 500;
  const report: ImportReport = { batchId, kind: o.kind, format: o.format, records: 0, created: 0, amended: 0, unchanged: 0, rejected: 0, rejections: [], seconds: 0 };

  let batch: SourceRecord[] = [];
  const flush = async () => {
    if (!batch.length) return;
    // text the database cannot store (U+0000, other C0 controls, broken Unicode) rejects the
    // record, naming the field; the other records go through
    for (const b of batch) {
      if (b.error) continue;
      const bad = textErrors(b.value);
      if (bad.length) b.error = bad[0];
      if (bad.length > 1) (b as SourceRecord & { more?: FieldError[] }).more = bad.slice(1);
    }
    const readable = batch.filter((b) => !b.error);
    for (const b of batch) if (b.error) report.rejections.push({ record: b.record, line: b.line, reference: referenceOf(b.value), errors: [b.error, ...((b as SourceRecord & { more?: FieldError[] }).more ?? [])] });
    const res =
      o.kind === 'declarations'
        ? await deps.intake.submitDeclarations(readable.map((b) => b.value), o.actor, `import:${batchId}`)
        : await deps.intake.submitManifests(readable.map((b) => b.value), o.actor, `import:${batchId}`);
    for (const out of res.outcomes) report[out.status]++;
    for (const r of res.rejections as Rejection[]) {
      const src = readable[r.index];
      report.rejections.push({ record: src.record, line: src.line, reference: r.reference, errors: r.errors.map((e) => withoutInternals(e, o.onInternalError ?? logToStderr)) });
    }
    report.records += batch.length;
    report.rejected = report.rejections.length;
    batch = [];
    o.onProgress?.({ records: report.records, created: report.created, amended: report.amended, unchanged: report.unchanged, rejected: report.rejected, bytesRead });
  };
  for await (const rec of reader) {
    batch.push(rec);
    if (batch.length >= size) await flush();
  }
  await flush();
  report.rejections.sort((a, b) => a.record - b.record);
  report.seconds = (Date.now() - started) / 1000;

  await deps.db.transaction(async (tx) => {
    await tx.insert(schema.importBatches).values({
      id: batchId,
      kind: o.kind,
      format: o.format,
      source: sourceName,
      actor: o.actor.name,
      startedAt,
      finishedAt: deps.clock.now(),
      accepted: report.created,
      amended: report.amended,
      unchanged: report.unchanged,
      rejected: report.rejected,
      rejections: report.rejections.slice(0, 10_000),
    });
    await appendAudit(
      tx,
      {
        actor: o.actor,
        action: 'import.completed',
        entityType: 'import_batch',
        entityId: batchId,
        after: { kind: o.kind, format: o.format, source: sourceName, records: report.records, created: report.created, amended: report.amended, unchanged: report.unchanged, rejected: report.rejected },
      },
      deps.clock,
    );
  });
  return report;
}
