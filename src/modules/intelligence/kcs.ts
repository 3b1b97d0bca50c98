/**
 * The Korea Customs Service synthetic declarations (public benchmark): reading the CSV and
 * engineering features. Everything learnt from data (category dictionaries, reference unit
 * prices, trader history) comes from the TRAINING rows only and is kept in a serialisable state,
 * so that validation and scoring never see their own labels or the future.
 *
 * Trader history is time-ordered: a row's "prior" figures count only rows dated strictly before
 * it (never the row itself nor its own day); labels come from the training rows only.
 */
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { FeatureSpec, RawMatrix } from './binning.ts';

export const KCS_COLUMNS = [
  'Declaration ID',
  'Date',
  'Office ID',
  'Process Type',
  'Import Type',
  'Import Use',
  'Payment Type',
  'Mode of Transport',
  'Declarant ID',
  'Importer ID',
  'Seller ID',
  'Courier ID',
  'HS6 Code',
  'Country of Departure',
  'Country of Origin',
  'Tax Rate',
  'Tax Type',
  'Country of Origin Indicator',
  'Net Mass',
  'Item Price',
] as const;

export const KCS_LABEL = 'Fraud';

/** The KCS file, column by column (every value as the string in the file). */
export interface KcsTable {
  file: string;
  rows: number;
  columns: Record<string, string[]>;
  /** 0/1 per row, or null when the file has no `Fraud` column */
  labels: Float64Array | null;
}

export class KcsFormatError extends Error {}

/** Reads a KCS CSV. Throws KcsFormatError naming the file, column and line at fault. */
export function readKcs(file: string, opts: { requireLabel?: boolean } = {}): KcsTable {
  if (!fs.existsSync(file)) throw new KcsFormatError(`${file}: no such file`);
  const text = fs.readFileSync(file, 'utf8');
  return parseKcs(text, file, opts);
}

export function parseKcs(text: string, file = 'input', opts: { requireLabel?: boolean } = {}): KcsTable {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][];
  } catch (e) {
    throw new KcsFormatError(`${file}: not a readable CSV (${(e as Error).message})`);
  }
  if (!records.length) throw new KcsFormatError(`${file}: empty file (expected a header row with ${KCS_COLUMNS.join(', ')})`);
  const header = records[0].map((h) => h.trim());
  const missing = KCS_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) throw new KcsFormatError(`${file}: missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}`);
  const hasLabel = header.includes(KCS_LABEL);
  if (opts.requireLabel && !hasLabel) throw new KcsFormatError(`${file}: missing column "${KCS_LABEL}" (the label, 0 or 1) needed for training and evaluation`);
  const n = records.length - 1;
  const columns: Record<string, string[]> = {};
  for (const c of KCS_COLUMNS) {
    const j = header.indexOf(c);
    const col = new Array<string>(n);
    for (let i = 0; i < n; i++) col[i] = records[i + 1][j].trim();
    columns[c] = col;
  }
  let labels: Float64Array | null = null;
  if (hasLabel) {
    const j = header.indexOf(KCS_LABEL);
    labels = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = records[i + 1][j].trim();
      if (v !== '0' && v !== '1') throw new KcsFormatError(`${file} line ${i + 2}: column "${KCS_LABEL}" must be 0 or 1 (got "${v}")`);
      labels[i] = v === '1' ? 1 : 0;
    }
  }
  // values that must parse
  for (const c of ['Tax Rate', 'Net Mass', 'Item Price'] as const) {
    const col = columns[c];
    for (let i = 0; i < n; i++) {
      if (col[i] !== '' && !Number.isFinite(Number(col[i]))) throw new KcsFormatError(`${file} line ${i + 2}: column "${c}" must be a number (got "${col[i]}")`);
    }
  }
  const dates = columns['Date'];
  for (let i = 0; i < n; i++) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(dates[i]) || Number.isNaN(Date.parse(dates[i]))) throw new KcsFormatError(`${file} line ${i + 2}: column "Date" must be YYYY-MM-DD (got "${dates[i]}")`);
  }
  return { file, rows: n, columns, labels };
}

/** Categorical source columns (codes learnt from training; unseen values -> 0 "unknown"). */
const CAT_COLUMNS = [
  'Office ID',
  'Process Type',
  'Import Type',
  'Import Use',
  'Payment Type',
  'Mode of Transport',
  'Declarant ID',
  'Importer ID',
  'Seller ID',
  'Courier ID',
  'HS6 Code',
  'Country of Departure',
  'Country of Origin',
  'Tax Type',
  'Country of Origin Indicator',
] as const;

/** Keys whose time-ordered history (prior declarations, prior fraud rate) become features. */
const HISTORY_KEYS: { name: string; label: string; cols: string[] }[] = [
  { name: 'importer', label: 'importer', cols: ['Importer ID'] },
  { name: 'declarant', label: 'declarant', cols: ['Declarant ID'] },
  { name: 'seller', label: 'seller', cols: ['Seller ID'] },
  { name: 'hs6', label: 'HS6 subheading', cols: ['HS6 Code'] },
  { name: 'declarant_importer', label: 'declarant with this importer', cols: ['Declarant ID', 'Importer ID'] },
  { name: 'importer_hs6', label: 'importer with this HS6', cols: ['Importer ID', 'HS6 Code'] },
  { name: 'office', label: 'office', cols: ['Office ID'] },
  { name: 'origin', label: 'country of origin', cols: ['Country of Origin'] },
];

/** prior-rate smoothing: (frauds + m * prior) / (labelled + m), prior = fraud rate of all earlier labelled rows */
const RATE_SMOOTHING = 5;

type Counts = [declarations: number, labelled: number, frauds: number];

export interface KcsFeatureState {
  format: 'centinela-kcs-features';
  version: 1;
  /** per categorical column: the values seen in training; code = index + 1, 0 = unknown */
  dicts: Record<string, string[]>;
  /** median log unit price (training rows) per HS6, HS6 x origin, HS4 */
  medians: { hs6: Record<string, number>; hs6Origin: Record<string, number>; hs4: Record<string, number> };
  /** trader history at the end of the training period */
  history: Record<string, Record<string, Counts>>;
  baseRate: number;
  trainedUntil: string;
}

export interface KcsFeatures {
  x: RawMatrix;
  /** 0/1, or NaN where the file has no label */
  y: Float64Array;
  ids: string[];
  /** human-readable value of each feature for a row (decoded categories) */
  describe(row: number, feature: number): string;
}

/** Plain-word labels for the features, in matrix order. */
export function kcsFeatureSpecs(): (FeatureSpec & { label: string })[] {
  const specs: (FeatureSpec & { label: string })[] = [
    { name: 'tax_rate', kind: 'numeric', label: 'tax rate' },
    { name: 'log_net_mass', kind: 'numeric', label: 'net mass (log)' },
    { name: 'log_item_price', kind: 'numeric', label: 'item price (log)' },
    { name: 'log_unit_price', kind: 'numeric', label: 'unit price = price / mass (log)' },
    { name: 'log_tax_amount', kind: 'numeric', label: 'tax amount = price x rate (log)' },
    { name: 'unit_price_vs_hs6', kind: 'numeric', label: 'unit price against the HS6 median (log ratio)' },
    { name: 'unit_price_vs_hs6_origin', kind: 'numeric', label: 'unit price against the HS6 x origin median (log ratio)' },
    { name: 'unit_price_vs_hs4', kind: 'numeric', label: 'unit price against the HS4 median (log ratio)' },
    { name: 'month', kind: 'numeric', label: 'month' },
    { name: 'weekday', kind: 'numeric', label: 'weekday (0 = Sunday)' },
    { name: 'origin_differs', kind: 'numeric', label: 'origin differs from departure' },
  ];
  for (const c of CAT_COLUMNS) specs.push({ name: c, kind: 'categorical', label: c });
  specs.push({ name: 'HS2', kind: 'categorical', label: 'HS chapter (HS2)' });
  specs.push({ name: 'HS4', kind: 'categorical', label: 'HS heading (HS4)' });
  for (const k of HISTORY_KEYS) {
    specs.push({ name: `${k.name}_prior_count`, kind: 'numeric', label: `${k.label}: prior declarations` });
    specs.push({ name: `${k.name}_prior_fraud_rate`, kind: 'numeric', label: `${k.label}: prior fraud rate (smoothed)` });
    specs.push({ name: `${k.name}_prior_frauds`, kind: 'numeric', label: `${k.label}: prior frauds found` });
  }
  return specs;
}

const dayNumber = (d: string) => Math.floor(Date.parse(d + 'T00:00:00Z') / 86_400_000);

function derived(t: KcsTable, name: 'HS2' | 'HS4'): string[] {
  const len = name === 'HS2' ? 2 : 4;
  return t.columns['HS6 Code'].map((h) => h.slice(0, len));
}

function catColumn(t: KcsTable, name: string): string[] {
  return name === 'HS2' || name === 'HS4' ? derived(t, name) : t.columns[name];
}

function logUnitPrice(t: KcsTable, i: number): number {
  const p = Number(t.columns['Item Price'][i]);
  const m = Number(t.columns['Net Mass'][i]);
  return p > 0 && m > 0 ? Math.log(p / m) : NaN;
}

function keyOf(t: KcsTable, cols: string[], i: number): string {
  return cols.length === 1 ? t.columns[cols[0]][i] : cols.map((c) => t.columns[c][i]).join('\u0001');
}

function medianOf(v: number[]): number {
  v.sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Learns the feature state from the training table (labels required). */
export function fitKcsFeatures(train: KcsTable): KcsFeatureState {
  if (!train.labels) throw new KcsFormatError(`${train.file}: missing column "${KCS_LABEL}" needed for training`);
  const dicts: Record<string, string[]> = {};
  for (const c of [...CAT_COLUMNS, 'HS2', 'HS4']) {
    const col = catColumn(train, c);
    dicts[c] = [...new Set(col)].sort();
  }
  const groups = { hs6: new Map<string, number[]>(), hs6Origin: new Map<string, number[]>(), hs4: new Map<string, number[]>() };
  for (let i = 0; i < train.rows; i++) {
    const u = logUnitPrice(train, i);
    if (Number.isNaN(u)) continue;
    const hs6 = train.columns['HS6 Code'][i];
    const keys = { hs6, hs6Origin: hs6 + '|' + train.columns['Country of Origin'][i], hs4: hs6.slice(0, 4) };
    for (const g of ['hs6', 'hs6Origin', 'hs4'] as const) {
      const arr = groups[g].get(keys[g]);
      if (arr) arr.push(u);
      else groups[g].set(keys[g], [u]);
    }
  }
  const medians = { hs6: {} as Record<string, number>, hs6Origin: {} as Record<string, number>, hs4: {} as Record<string, number> };
  for (const g of ['hs6', 'hs6Origin', 'hs4'] as const) {
    for (const [k, v] of groups[g]) if (v.length >= 3) medians[g][k] = medianOf(v);
  }
  const history: Record<string, Record<string, Counts>> = {};
  for (const k of HISTORY_KEYS) {
    const h: Record<string, Counts> = {};
    for (let i = 0; i < train.rows; i++) {
      const key = keyOf(train, k.cols, i);
      const c = (h[key] ??= [0, 0, 0]);
      c[0]++;
      c[1]++;
      c[2] += train.labels[i];
    }
    history[k.name] = h;
  }
  let frauds = 0;
  for (let i = 0; i < train.rows; i++) frauds += train.labels[i];
  const dates = train.columns['Date'];
  let last = dates[0];
  for (const d of dates) if (d > last) last = d;
  return { format: 'centinela-kcs-features', version: 1, dicts, medians, history, baseRate: frauds / train.rows, trainedUntil: last };
}

/**
 * Builds the feature matrix.
 * - mode 'train' (the table the state was fitted on): history is replayed in date order from
 *   nothing; a row sees the rows of earlier days only, with their labels.
 * - mode 'apply' (validation or scoring): history starts from the whole training period; rows
 *   of the table itself add to the declaration counts of later days but never to the labels.
 */
export function buildKcsFeatures(state: KcsFeatureState, t: KcsTable, mode: 'train' | 'apply'): KcsFeatures {
  if (mode === 'train' && !t.labels) throw new KcsFormatError(`${t.file}: missing column "${KCS_LABEL}" needed for training`);
  const specs = kcsFeatureSpecs();
  const n = t.rows;
  const cols = specs.map(() => new Float64Array(n));
  let f = 0;
  const num = (fn: (i: number) => number) => {
    const c = cols[f++];
    for (let i = 0; i < n; i++) c[i] = fn(i);
  };
  const rate = t.columns['Tax Rate'].map((v) => (v === '' ? NaN : Number(v)));
  const mass = t.columns['Net Mass'].map((v) => (v === '' ? NaN : Number(v)));
  const price = t.columns['Item Price'].map((v) => (v === '' ? NaN : Number(v)));
  const lup = new Float64Array(n);
  for (let i = 0; i < n; i++) lup[i] = logUnitPrice(t, i);
  const hs6 = t.columns['HS6 Code'];
  const origin = t.columns['Country of Origin'];
  const days = t.columns['Date'].map(dayNumber);
  num((i) => rate[i]);
  num((i) => (mass[i] >= 0 ? Math.log1p(mass[i]) : NaN));
  num((i) => (price[i] >= 0 ? Math.log1p(price[i]) : NaN));
  num((i) => lup[i]);
  num((i) => (price[i] >= 0 && rate[i] >= 0 ? Math.log1p((price[i] * rate[i]) / 100) : NaN));
  const rel = (m: Record<string, number>, key: (i: number) => string) => (i: number) => {
    const med = m[key(i)];
    return med === undefined || Number.isNaN(lup[i]) ? NaN : lup[i] - med;
  };
  num(rel(state.medians.hs6, (i) => hs6[i]));
  num(rel(state.medians.hs6Origin, (i) => hs6[i] + '|' + origin[i]));
  num(rel(state.medians.hs4, (i) => hs6[i].slice(0, 4)));
  num((i) => new Date(days[i] * 86_400_000).getUTCMonth() + 1);
  num((i) => new Date(days[i] * 86_400_000).getUTCDay());
  num((i) => (t.columns['Country of Departure'][i] === origin[i] ? 0 : 1));
  for (const c of [...CAT_COLUMNS, 'HS2', 'HS4']) {
    const dict = new Map(state.dicts[c].map((v, k) => [v, k + 1]));
    const src = catColumn(t, c);
    num((i) => dict.get(src[i]) ?? 0);
  }
  // history, replayed day by day
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => days[a] - days[b] || a - b);
  // the smoothing prior is time-ordered too: the fraud rate of all labelled rows of earlier days
  const prior = new Float64Array(n);
  {
    let labelled = mode === 'apply' ? state.history[HISTORY_KEYS[0].name] && Object.values(state.history[HISTORY_KEYS[0].name]).reduce((a, c) => a + c[1], 0) : 0;
    let found = mode === 'apply' ? labelled * state.baseRate : 0;
    let s = 0;
    while (s < n) {
      let e = s;
      while (e < n && days[order[e]] === days[order[s]]) e++;
      for (let j = s; j < e; j++) prior[order[j]] = (found + 1) / (labelled + 2);
      if (mode === 'train') {
        for (let j = s; j < e; j++) {
          labelled++;
          found += t.labels![order[j]];
        }
      }
      s = e;
    }
  }
  for (const k of HISTORY_KEYS) {
    const cCount = cols[f++];
    const cRate = cols[f++];
    const cFrauds = cols[f++];
    const acc = new Map<string, Counts>();
    if (mode === 'apply') for (const [key, v] of Object.entries(state.history[k.name] ?? {})) acc.set(key, [v[0], v[1], v[2]]);
    const keys = new Array<string>(n);
    for (let i = 0; i < n; i++) keys[i] = keyOf(t, k.cols, i);
    let s = 0;
    while (s < n) {
      let e = s;
      while (e < n && days[order[e]] === days[order[s]]) e++;
      for (let j = s; j < e; j++) {
        const i = order[j];
        const c = acc.get(keys[i]);
        cCount[i] = c ? Math.log1p(c[0]) : 0;
        cRate[i] = c ? (c[2] + RATE_SMOOTHING * prior[i]) / (c[1] + RATE_SMOOTHING) : prior[i];
        cFrauds[i] = c ? c[2] : 0;
      }
      for (let j = s; j < e; j++) {
        const i = order[j];
        let c = acc.get(keys[i]);
        if (!c) acc.set(keys[i], (c = [0, 0, 0]));
        c[0]++;
        if (mode === 'train') {
          c[1]++;
          c[2] += t.labels![i];
        }
      }
      s = e;
    }
  }
  const x: RawMatrix = { nRows: n, features: specs.map(({ name, kind }) => ({ name, kind })), columns: cols };
  const y = t.labels ? Float64Array.from(t.labels) : new Float64Array(n).fill(NaN);
  const catStart = specs.findIndex((s) => s.kind === 'categorical');
  const describe = (row: number, feature: number): string => {
    const spec = specs[feature];
    const v = cols[feature][row];
    if (spec.kind === 'categorical') {
      const c = spec.name;
      const src = catColumn(t, c)[row];
      return v === 0 ? `${src || '(empty)'} (not seen in training)` : src || '(empty)';
    }
    if (Number.isNaN(v)) return 'missing';
    if (spec.name.endsWith('_prior_count')) return String(Math.round(Math.expm1(v)));
    if (spec.name.endsWith('_prior_fraud_rate')) return `${(v * 100).toFixed(1)}%`;
    if (feature < catStart && spec.name.startsWith('log_')) return `${v.toFixed(2)} (= ${Math.expm1(v).toPrecision(4)})`;
    return Number.isInteger(v) ? String(v) : v.toFixed(3);
  };
  return { x, y, ids: t.columns['Declaration ID'], describe };
}

/** Rows of a table by a predicate, as a new table (e.g. a time-based split). */
export function filterKcs(t: KcsTable, keep: (i: number) => boolean, name = t.file): KcsTable {
  const idx: number[] = [];
  for (let i = 0; i < t.rows; i++) if (keep(i)) idx.push(i);
  const columns: Record<string, string[]> = {};
  for (const [c, v] of Object.entries(t.columns)) columns[c] = idx.map((i) => v[i]);
  return { file: name, rows: idx.length, columns, labels: t.labels ? Float64Array.from(idx, (i) => t.labels![i]) : null };
}

export function kcsFeatureLabel(name: string): string {
  return kcsFeatureSpecs().find((s) => s.name === name)?.label ?? name;
}
