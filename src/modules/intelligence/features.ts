/**
 * Features of a declaration for the risk model, from what customs sees when it is lodged: the
 * goods (HS chapter / heading / subheading of the main item), origin, dispatch, office, mode,
 * parties, value, mass, the unit value against the valuation database, duty rate, the manifest's
 * mass, and the trader's history counted strictly before the lodgement time (no leakage from the
 * future). Pure: callers hand in the declarations, a history index and the valuation index.
 * Categorical values become integer codes through a vocabulary fixed at training.
 */
import type { Declaration } from '../declarations/schema.ts';
import type { TraderTimeline } from '../traders/history.ts';
import { toUsd } from '../risk/reference.ts';
import type { FeatureSpec, RawMatrix } from './binning.ts';
import { PER_KG, type ValuationIndex } from './valuation.ts';

export const FEATURE_SET = 'centinela-decl-v1';

export interface FeatureDef extends FeatureSpec {
  /** plain words for an officer */
  label: string;
}

export const FEATURES: FeatureDef[] = [
  { name: 'chapter', kind: 'categorical', label: 'HS chapter' },
  { name: 'heading', kind: 'categorical', label: 'HS heading' },
  { name: 'subheading', kind: 'categorical', label: 'HS subheading' },
  { name: 'origin', kind: 'categorical', label: 'origin' },
  { name: 'dispatch', kind: 'categorical', label: 'country of dispatch' },
  { name: 'office', kind: 'categorical', label: 'office' },
  { name: 'mode', kind: 'categorical', label: 'mode of transport' },
  { name: 'type', kind: 'categorical', label: 'declaration type' },
  { name: 'declarant', kind: 'categorical', label: 'declarant' },
  { name: 'importer', kind: 'categorical', label: 'importer' },
  { name: 'seller', kind: 'categorical', label: 'seller' },
  { name: 'valueUsd', kind: 'numeric', label: 'declared value' },
  { name: 'netMassKg', kind: 'numeric', label: 'net mass' },
  { name: 'items', kind: 'numeric', label: 'number of items' },
  { name: 'unitValue', kind: 'numeric', label: 'unit value' },
  { name: 'unitValueRatio', kind: 'numeric', label: 'unit value against the reference price' },
  { name: 'unitValueVsQ1', kind: 'numeric', label: 'unit value against the lower quartile of the reference' },
  { name: 'minUnitValueRatio', kind: 'numeric', label: 'lowest item unit value against its reference' },
  { name: 'maxUnitValueRatio', kind: 'numeric', label: 'highest item unit value against its reference' },
  { name: 'dutyRate', kind: 'numeric', label: 'duty rate' },
  { name: 'preferenceFromElsewhere', kind: 'numeric', label: 'preferential origin dispatched from a third country' },
  { name: 'originNotDispatch', kind: 'numeric', label: 'origin differs from the country of dispatch' },
  { name: 'grossNetRatio', kind: 'numeric', label: 'gross to net mass' },
  { name: 'manifestMassRatio', kind: 'numeric', label: 'declared mass against the manifest' },
  { name: 'traderDeclarations', kind: 'numeric', label: "trader's past declarations" },
  { name: 'traderControls', kind: 'numeric', label: "trader's past controls" },
  { name: 'traderHits', kind: 'numeric', label: "trader's past controls with discrepancies" },
  { name: 'traderHitRate', kind: 'numeric', label: "trader's past hit rate" },
  { name: 'traderDays', kind: 'numeric', label: 'days since the trader was first seen' },
  { name: 'declarantControls', kind: 'numeric', label: "declarant's past controls" },
  { name: 'declarantHitRate', kind: 'numeric', label: "declarant's past hit rate" },
];
const F = Object.fromEntries(FEATURES.map((f, i) => [f.name, i])) as Record<string, number>;
const CATEGORICAL = FEATURES.map((f, i) => (f.kind === 'categorical' ? i : -1)).filter((i) => i >= 0);

// ------------------------------------------------------------------ trader history, leak-free

/**
 * The traders' history as of each lodgement (events strictly before it): the traders module owns
 * it (traders/history.ts), the features read it.
 */
export type { TraderHistory } from '../traders/history.ts';
export { TraderTimeline as HistoryIndex } from '../traders/history.ts';

// ------------------------------------------------------------------ vocabularies and the matrix

export interface FeatureRow {
  declaration: Declaration;
  /** lodgement time, ms */
  at: number;
  /** gross mass of the manifest consignment the declaration covers, when known */
  consignmentGrossKg?: number | null;
}

/** per categorical feature: the values seen at training, in code order */
export type Vocabulary = Record<string, string[]>;

/** the raw values of one declaration, before encoding (categoricals as strings) */
export type RawRow = (string | number)[];

const log1p = (x: number) => (x > 0 ? Math.log1p(x) : x === 0 ? 0 : NaN);

/** The feature values of a declaration (categoricals as strings, numbers as numbers, NaN = missing). */
export function rawFeatures(r: FeatureRow, history: TraderTimeline, valuation: ValuationIndex): RawRow {
  const d = r.declaration;
  const country = d.country;
  let main = d.items[0];
  let mainUsd = -1;
  let value = 0;
  let net = 0;
  let gross = 0;
  let minRatio = NaN;
  let maxRatio = NaN;
  let maxDuty = 0;
  for (const it of d.items) {
    const usd = toUsd(it.customsValue, it.currency);
    value += usd;
    net += it.netMassKg;
    gross += it.grossMassKg;
    if (usd > mainUsd) {
      mainUsd = usd;
      main = it;
    }
    if ((it.dutyRate ?? 0) > maxDuty) maxDuty = it.dutyRate ?? 0;
    const s = valuation.get(country, it.hsCode.slice(0, 6), it.origin, PER_KG);
    if (s && s.median > 0 && it.netMassKg > 0) {
      const ratio = usd / it.netMassKg / s.median;
      if (Number.isNaN(minRatio) || ratio < minRatio) minRatio = ratio;
      if (Number.isNaN(maxRatio) || ratio > maxRatio) maxRatio = ratio;
    }
  }
  const hs = main.hsCode;
  const unitValue = main.netMassKg > 0 ? mainUsd / main.netMassKg : NaN;
  const ref = valuation.get(country, hs.slice(0, 6), main.origin, PER_KG);
  const dispatch = d.countryOfDispatch ?? '';
  const importerTin = d.type === 'IM' ? (d.importer?.tin ?? d.declarant.tin) : d.type === 'EX' ? (d.exporter?.tin ?? d.declarant.tin) : d.declarant.tin;
  const th = history.get('importer', importerTin, r.at);
  const dh = history.get('declarant', d.declarant.tin, r.at);
  const row: RawRow = new Array(FEATURES.length);
  row[F.chapter] = hs.slice(0, 2);
  row[F.heading] = hs.slice(0, 4);
  row[F.subheading] = hs.slice(0, 6);
  row[F.origin] = main.origin;
  row[F.dispatch] = dispatch;
  row[F.office] = d.office;
  row[F.mode] = String(d.transport.mode);
  row[F.type] = d.type;
  row[F.declarant] = d.declarant.tin;
  row[F.importer] = importerTin;
  row[F.seller] = d.seller?.name ?? '';
  row[F.valueUsd] = value;
  row[F.netMassKg] = net;
  row[F.items] = d.items.length;
  row[F.unitValue] = unitValue;
  row[F.unitValueRatio] = ref && ref.median > 0 ? unitValue / ref.median : NaN;
  row[F.unitValueVsQ1] = ref && ref.q1 > 0 ? unitValue / ref.q1 : NaN;
  row[F.minUnitValueRatio] = minRatio;
  row[F.maxUnitValueRatio] = maxRatio;
  row[F.dutyRate] = maxDuty;
  row[F.preferenceFromElsewhere] = d.items.some((i) => !!i.preference && dispatch !== '' && i.origin !== dispatch) ? 1 : 0;
  row[F.originNotDispatch] = dispatch !== '' && main.origin !== dispatch ? 1 : 0;
  row[F.grossNetRatio] = net > 0 ? gross / net : NaN;
  row[F.manifestMassRatio] = r.consignmentGrossKg && r.consignmentGrossKg > 0 ? gross / r.consignmentGrossKg : NaN;
  row[F.traderDeclarations] = th.declarations;
  row[F.traderControls] = th.controls;
  row[F.traderHits] = th.hits;
  row[F.traderHitRate] = th.controls ? th.hits / th.controls : NaN;
  row[F.traderDays] = Number.isNaN(th.firstSeen) ? NaN : (r.at - th.firstSeen) / 86_400_000;
  row[F.declarantControls] = dh.controls;
  row[F.declarantHitRate] = dh.controls ? dh.hits / dh.controls : NaN;
  return row;
}

/** The vocabularies of the categorical features: values seen at least minCount times in the training rows. */
export function fitVocabulary(rows: RawRow[], minCount = 1): Vocabulary {
  const v: Vocabulary = {};
  for (const f of CATEGORICAL) {
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r[f] as string, (counts.get(r[f] as string) ?? 0) + 1);
    v[FEATURES[f].name] = [...counts].filter(([k, n]) => k !== '' && n >= minCount).map(([k]) => k).sort();
  }
  return v;
}

/** Encodes raw rows into the model's matrix (unknown categories are missing: the "other" bin). */
export function encode(rows: RawRow[], vocab: Vocabulary): RawMatrix {
  const n = rows.length;
  const columns = FEATURES.map(() => new Float64Array(n));
  const lookups = FEATURES.map((f) => (f.kind === 'categorical' ? new Map((vocab[f.name] ?? []).map((k, i) => [k, i])) : null));
  for (let r = 0; r < n; r++) {
    const row = rows[r];
    for (let f = 0; f < FEATURES.length; f++) {
      const lu = lookups[f];
      columns[f][r] = lu ? (lu.get(row[f] as string) ?? NaN) : (row[f] as number);
    }
  }
  // values and masses on a log scale: the trees do not mind, drift bins and explanations read better
  for (const f of [F.valueUsd, F.netMassKg, F.unitValue]) for (let r = 0; r < n; r++) columns[f][r] = log1p(columns[f][r]);
  return { nRows: n, features: FEATURES.map(({ name, kind }) => ({ name, kind })), columns };
}

// ------------------------------------------------------------------ plain words

const pct = (x: number) => `${Math.round(x * 100)}%`;
const times = (x: number) => `${x < 0.1 ? x.toFixed(2) : x.toFixed(1)}×`;
const usd = (x: number) => (x >= 1e6 ? `USD ${(x / 1e6).toFixed(1)} M` : x >= 1e3 ? `USD ${(x / 1e3).toFixed(1)} k` : `USD ${x.toFixed(2)}`);

/** What a feature's value says, in words an officer reads ("unit value 0.4× the reference price"). */
export function describeFeature(f: number, row: RawRow): string {
  const v = row[f];
  const name = FEATURES[f].name;
  if (typeof v === 'string') {
    if (name === 'subheading') return `HS subheading ${v.slice(0, 4)}.${v.slice(4)}`;
    if (name === 'mode') return `mode of transport ${v}`;
    return v === '' ? `no ${FEATURES[f].label}` : `${FEATURES[f].label} ${v}`;
  }
  if (Number.isNaN(v)) {
    if (name.includes('Ratio') || name === 'unitValueVsQ1') return `no reference price for the ${name === 'manifestMassRatio' ? 'manifest' : 'goods'}`;
    if (name === 'traderHitRate' || name === 'declarantHitRate') return `${name === 'traderHitRate' ? 'trader' : 'declarant'} never controlled before`;
    if (name === 'traderDays') return 'trader not seen before';
    return `${FEATURES[f].label} unknown`;
  }
  switch (name) {
    case 'valueUsd':
      return `declared value ${usd(v)}`;
    case 'netMassKg':
      return `net mass ${v.toFixed(0)} kg`;
    case 'items':
      return `${v} item${v === 1 ? '' : 's'}`;
    case 'unitValue':
      return `unit value ${usd(v)}/kg`;
    case 'unitValueRatio':
      return `unit value ${times(v)} the reference price`;
    case 'unitValueVsQ1':
      return `unit value ${times(v)} the reference's lower quartile`;
    case 'minUnitValueRatio':
      return `lowest item unit value ${times(v)} its reference`;
    case 'maxUnitValueRatio':
      return `highest item unit value ${times(v)} its reference`;
    case 'dutyRate':
      return `duty rate ${v}%`;
    case 'preferenceFromElsewhere':
      return v ? 'preferential origin claimed on goods dispatched from a third country' : 'no preference claimed from a third country';
    case 'originNotDispatch':
      return v ? 'origin differs from the country of dispatch' : 'origin is the country of dispatch';
    case 'grossNetRatio':
      return `gross mass ${times(v)} the net`;
    case 'manifestMassRatio':
      return `declared mass ${pct(v)} of the manifest's`;
    case 'traderDeclarations':
      return `trader's ${v} past declarations`;
    case 'traderControls':
      return `trader controlled ${v} times before`;
    case 'traderHits':
      return `trader's past controls found discrepancies ${v} times`;
    case 'traderHitRate':
      return `trader's past hit rate ${pct(v)}`;
    case 'traderDays':
      return `trader first seen ${Math.round(v)} days ago`;
    case 'declarantControls':
      return `declarant's declarations controlled ${v} times before`;
    case 'declarantHitRate':
      return `declarant's past hit rate ${pct(v)}`;
  }
  return `${FEATURES[f].label} ${v}`;
}

export interface Contribution {
  feature: string;
  /** plain words with the value */
  text: string;
  /** change of the log-odds of fraud */
  contribution: number;
}

/** The top contributions (TreeSHAP values) of a row, largest first, in plain words. */
export function topContributions(phi: ArrayLike<number>, row: RawRow, top = 5): Contribution[] {
  const idx: number[] = [];
  for (let f = 0; f < FEATURES.length; f++) if (Math.abs(phi[f]) >= 0.005) idx.push(f);
  idx.sort((a, b) => Math.abs(phi[b]) - Math.abs(phi[a]) || a - b);
  return idx.slice(0, top).map((f) => ({ feature: FEATURES[f].name, text: describeFeature(f, row), contribution: Math.round(phi[f] * 100) / 100 }));
}

export function formatContribution(c: Contribution): string {
  return `${c.text}: ${c.contribution > 0 ? '+' : ''}${c.contribution.toFixed(2)}`;
}

export const FEATURE_INDEX = F;
