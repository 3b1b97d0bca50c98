/**
 * The declaration risk model as a versioned bundle (trees + category vocabularies + the
 * reference distributions drift is measured against + the exploration band), and the pure
 * pieces of its lifecycle: training on controlled declarations, metrics on random controls
 * (AUC, precision at 1/2/5/10%, calibration), exploration draws, population stability.
 */
import { createHash } from 'node:crypto';
import { trainGbdt, type GbdtParams } from './gbdt.ts';
import { auc, precisionRecallAt, type TopKMetric } from './metrics.ts';
import { GbdtModel, type GbdtModelJson } from './model.ts';
import { encode, FEATURE_SET, FEATURES, fitVocabulary, topContributions, type Contribution, type RawRow, type Vocabulary } from './features.ts';

export const RISK_MODEL_FORMAT = 'centinela-risk-model';

/** Parameters for the few thousand controlled declarations an administration labels in a few months. */
export const RISK_MODEL_PARAMS: Partial<GbdtParams> = {
  rounds: 150,
  learningRate: 0.05,
  maxLeaves: 7,
  minDataInLeaf: 10,
  minChildWeight: 1,
  lambda: 2,
  minDataPerCategory: 3,
  catSmooth: 20,
  minDataPerGroup: 10,
  maxCatThreshold: 16,
  subsample: 0.9,
  colsample: 0.9,
  earlyStoppingRounds: 0,
  metric: 'auc',
  seed: 7,
};

/** The features drift is watched on. */
export const DRIFT_FEATURES = ['unitValueRatio', 'valueUsd', 'dutyRate', 'manifestMassRatio', 'traderHitRate', 'chapter', 'origin', 'office'];

export interface DriftReferenceFeature {
  feature: string;
  kind: 'numeric' | 'categorical';
  /** numeric: bin upper edges (the last bin is open); categorical: the categories kept */
  edges?: number[];
  categories?: string[];
  /** shares per bin: numeric [bins..., missing], categorical [categories..., other, missing] */
  shares: number[];
}

export interface RiskModelBundle {
  format: typeof RISK_MODEL_FORMAT;
  version: 1;
  featureSet: typeof FEATURE_SET;
  vocab: Vocabulary;
  model: GbdtModelJson;
  /** score of the top `selectShare` of the training window's declarations: the model's decision boundary */
  boundary: number;
  selectShare: number;
  /** scores from band[0] to band[1] are "uncertain" (around the boundary); bandShare of declarations fall there */
  band: [number, number];
  bandShare: number;
  reference: DriftReferenceFeature[];
}

export interface Calibration {
  bins: { from: number; to: number; n: number; predicted: number; observed: number }[];
  brier: number;
}

export interface ModelMetrics {
  n: number;
  positives: number;
  auc: number | null;
  top: TopKMetric[];
  calibration: Calibration;
  /** revenue caught at each inspection share, where known */
  revenue?: { pct: number; caught: number; total: number }[];
}

// ------------------------------------------------------------------ training

export interface TrainSet {
  /** raw rows in time order */
  rows: RawRow[];
  y: number[];
}

export interface TrainedRiskModel {
  bundle: RiskModelBundle;
  model: GbdtModel;
  params: Partial<GbdtParams>;
  rounds: number;
  trainSeconds: number;
}

/**
 * Trains on controlled declarations (labels from their control results); the last `validShare`
 * of them in time is the early-stopping set. `population` (every declaration of the window,
 * controlled or not) sets the decision boundary, the exploration band and the drift reference.
 */
export function trainRiskModel(train: TrainSet, population: RawRow[], opts: { params?: Partial<GbdtParams>; validShare?: number; selectShare?: number; bandShare?: number } = {}): TrainedRiskModel {
  const n = train.rows.length;
  if (n < 20) throw new Error(`training needs at least 20 controlled declarations with results (found ${n})`);
  const pos = train.y.reduce((s, v) => s + v, 0);
  if (pos < 2 || pos > n - 2) throw new Error(`training needs both outcomes: ${pos} of ${n} controls found a discrepancy`);
  const vocab = fitVocabulary(train.rows, 1);
  // a validation set for early stopping only when there is enough to spare: on a few thousand
  // labels a fixed number of small trees does better than stopping on a few hundred
  const cut = Math.floor(n * (1 - (opts.validShare ?? (n >= 5000 ? 0.2 : 0))));
  const vPos = train.y.slice(cut).reduce((s, v) => s + v, 0);
  const useValid = cut >= 10 && cut < n && vPos > 0 && vPos < n - cut;
  const params = { ...RISK_MODEL_PARAMS, ...(useValid ? { rounds: 600, earlyStoppingRounds: 40 } : {}), ...opts.params };
  const t0 = performance.now();
  const model = useValid
    ? trainGbdt({ x: encode(train.rows.slice(0, cut), vocab), y: train.y.slice(0, cut) }, params, { valid: { x: encode(train.rows.slice(cut), vocab), y: train.y.slice(cut) }, threads: 1 })
    : trainGbdt({ x: encode(train.rows, vocab), y: train.y }, params, { threads: 1 });
  const trainSeconds = (performance.now() - t0) / 1000;
  const pop = population.length ? population : train.rows;
  const scores = Array.from(model.predict(encode(pop, vocab))).sort((a, b) => b - a);
  const selectShare = opts.selectShare ?? 0.05;
  const bandShare = Math.min(0.5, opts.bandShare ?? 0.1);
  const at = (share: number) => scores[Math.min(scores.length - 1, Math.max(0, Math.floor(share * scores.length)))];
  const boundary = at(selectShare);
  const band: [number, number] = [at(selectShare + bandShare / 2), at(Math.max(0, selectShare - bandShare / 2))];
  const bundle: RiskModelBundle = {
    format: RISK_MODEL_FORMAT,
    version: 1,
    featureSet: FEATURE_SET,
    vocab,
    model: model.toJSON(),
    boundary,
    selectShare,
    band,
    bandShare: Math.min(bandShare, selectShare + bandShare / 2),
    reference: driftReference(pop),
  };
  return { bundle, model, params, rounds: model.json.trees.length, trainSeconds };
}

export function loadRiskBundle(obj: unknown): { bundle: RiskModelBundle; model: GbdtModel } {
  const b = obj as RiskModelBundle;
  if (!b || b.format !== RISK_MODEL_FORMAT) throw new Error('not a Centinela declaration risk model');
  if (b.featureSet !== FEATURE_SET) throw new Error(`model built on feature set ${b.featureSet}; this build computes ${FEATURE_SET}`);
  return { bundle: b, model: GbdtModel.fromJSON(b.model) };
}

// ------------------------------------------------------------------ scoring and explanations

export interface ScoredRow {
  score: number;
  explanation: Contribution[];
}

/** Scores rows and explains each by its top TreeSHAP contributions. */
export function scoreRows(bundle: RiskModelBundle, model: GbdtModel, rows: RawRow[], top = 5, explain = true): ScoredRow[] {
  const x = encode(rows, bundle.vocab);
  const p = model.predict(x);
  return rows.map((row, r) => ({ score: p[r], explanation: explain ? topContributions(model.shap(x, r), row, top) : [] }));
}

// ------------------------------------------------------------------ exploration

export interface ExplorationConfig {
  /** share of declarations sent to an exploration control (0 = none) */
  rate: number;
  /** random: any declaration; uncertain: declarations scored near the model's decision boundary */
  mode: 'random' | 'uncertain';
}

export const DEFAULT_EXPLORATION: ExplorationConfig = { rate: 0.01, mode: 'uncertain' };

/** A draw in [0, 1) from a key, reproducible (so a decision can be replayed). */
export function explorationDraw(key: string): number {
  const h = createHash('sha256').update(`explore|${key}`).digest();
  return h.readUIntBE(0, 6) / 2 ** 48;
}

/** Whether a scored declaration goes to exploration; with the probability used, for the record. */
export function explore(score: number, draw: number, cfg: ExplorationConfig, bundle: Pick<RiskModelBundle, 'band' | 'bandShare'>): { selected: boolean; p: number; inBand: boolean } {
  if (!(cfg.rate > 0)) return { selected: false, p: 0, inBand: false };
  if (cfg.mode === 'random') return { selected: draw < cfg.rate, p: cfg.rate, inBand: true };
  const inBand = score >= bundle.band[0] && score <= bundle.band[1];
  const p = Math.min(1, cfg.rate / Math.max(1e-6, bundle.bandShare));
  return { selected: inBand && draw < p, p, inBand };
}

// ------------------------------------------------------------------ metrics

export function calibration(y: ArrayLike<number>, p: ArrayLike<number>, bins = 5): Calibration {
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[a] - p[b]);
  const out: Calibration['bins'] = [];
  let brier = 0;
  for (let i = 0; i < n; i++) brier += (p[i] - y[i]) ** 2;
  for (let b = 0; b < bins && n; b++) {
    const lo = Math.floor((b * n) / bins);
    const hi = Math.floor(((b + 1) * n) / bins);
    if (hi <= lo) continue;
    let sp = 0;
    let sy = 0;
    for (let k = lo; k < hi; k++) {
      sp += p[order[k]];
      sy += y[order[k]];
    }
    out.push({ from: p[order[lo]], to: p[order[hi - 1]], n: hi - lo, predicted: sp / (hi - lo), observed: sy / (hi - lo) });
  }
  return { bins: out, brier: n ? brier / n : NaN };
}

/** Metrics of scores against outcomes (on random controls: the unbiased sample). */
export function modelMetrics(y: ArrayLike<number>, p: ArrayLike<number>, revenue?: ArrayLike<number>): ModelMetrics {
  const n = y.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i] > 0.5 ? 1 : 0;
  const a = n ? auc(y, p) : NaN;
  const m: ModelMetrics = { n, positives, auc: Number.isNaN(a) ? null : a, top: n ? precisionRecallAt(y, p) : [], calibration: calibration(y, p) };
  if (revenue && n) {
    const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => p[j] - p[i] || i - j);
    let total = 0;
    for (let i = 0; i < n; i++) total += revenue[i];
    m.revenue = [1, 2, 5, 10].map((pct) => {
      const k = Math.max(1, Math.round((n * pct) / 100));
      let caught = 0;
      for (let i = 0; i < k; i++) caught += revenue[order[i]];
      return { pct, caught, total };
    });
  }
  return m;
}

// ------------------------------------------------------------------ population stability

function featureIndex(name: string): number {
  const i = FEATURES.findIndex((f) => f.name === name);
  if (i < 0) throw new Error(`unknown feature ${name}`);
  return i;
}

/** Reference distributions (deciles of numeric features, top categories) of a population. */
export function driftReference(rows: RawRow[]): DriftReferenceFeature[] {
  return DRIFT_FEATURES.map((name) => {
    const f = featureIndex(name);
    if (FEATURES[f].kind === 'categorical') {
      const counts = new Map<string, number>();
      for (const r of rows) if (r[f] !== '') counts.set(r[f] as string, (counts.get(r[f] as string) ?? 0) + 1);
      const categories = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 12).map(([k]) => k);
      return { feature: name, kind: 'categorical' as const, categories, shares: distribution(rows, f, { categories }) };
    }
    const vals = rows.map((r) => r[f] as number).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    const edges = [...new Set(Array.from({ length: 9 }, (_, k) => vals[Math.floor(((k + 1) * vals.length) / 10)]).filter((v) => v !== undefined))];
    return { feature: name, kind: 'numeric' as const, edges, shares: distribution(rows, f, { edges }) };
  });
}

function distribution(rows: RawRow[], f: number, ref: { edges?: number[]; categories?: string[] }): number[] {
  if (ref.categories) {
    const ix = new Map(ref.categories.map((c, i) => [c, i]));
    const c = new Array(ref.categories.length + 2).fill(0);
    for (const r of rows) c[r[f] === '' ? c.length - 1 : (ix.get(r[f] as string) ?? c.length - 2)]++;
    return c.map((x) => x / Math.max(1, rows.length));
  }
  const edges = ref.edges ?? [];
  const c = new Array(edges.length + 2).fill(0);
  for (const r of rows) {
    const v = r[f] as number;
    if (Number.isNaN(v)) {
      c[c.length - 1]++;
      continue;
    }
    let k = 0;
    while (k < edges.length && v > edges[k]) k++;
    c[k]++;
  }
  return c.map((x) => x / Math.max(1, rows.length));
}

/** Population stability index: below 0.1 stable, 0.1 to 0.25 shifting, above 0.25 shifted. */
export function psi(expected: number[], actual: number[]): number {
  let s = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i], 1e-4);
    const a = Math.max(actual[i], 1e-4);
    s += (a - e) * Math.log(a / e);
  }
  return s;
}

export function driftReport(reference: DriftReferenceFeature[], recent: RawRow[]): { feature: string; psi: number; level: 'stable' | 'shifting' | 'shifted' }[] {
  return reference.map((r) => {
    const v = psi(r.shares, distribution(recent, featureIndex(r.feature), r));
    return { feature: r.feature, psi: Math.round(v * 1e4) / 1e4, level: v < 0.1 ? ('stable' as const) : v < 0.25 ? ('shifting' as const) : ('shifted' as const) };
  });
}
