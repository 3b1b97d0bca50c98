/**
 * The KCS benchmark model: feature state + gradient-boosted trees in one versioned JSON bundle,
 * with training, scoring and plain-word explanations. Used by `centinela model` and the bench.
 */
import { trainGbdt, type GbdtParams, type RoundInfo } from './gbdt.ts';
import { buildKcsFeatures, fitKcsFeatures, kcsFeatureSpecs, type KcsFeatureState, type KcsFeatures, type KcsTable } from './kcs.ts';
import { evaluate, type EvalReport } from './metrics.ts';
import { GbdtModel, type GbdtModelJson } from './model.ts';

export const KCS_BUNDLE_FORMAT = 'centinela-kcs-model';

/** Hyperparameters chosen on a time-based split of the training file (Jan-Oct 2020 vs Nov-Dec 2020). */
export const KCS_DEFAULT_PARAMS: Partial<GbdtParams> = {
  rounds: 800,
  learningRate: 0.05,
  maxLeaves: 255,
  minDataInLeaf: 1,
  minChildWeight: 1,
  lambda: 1,
  minDataPerCategory: 20,
  colsample: 0.8,
  catSmooth: 40,
  minDataPerGroup: 40,
  maxCatThreshold: 64,
  earlyStoppingRounds: 100,
};

export interface KcsModelBundle {
  format: typeof KCS_BUNDLE_FORMAT;
  version: 1;
  trainedOn: { file: string; rows: number; until: string };
  validation?: EvalReport & { file: string };
  trainSeconds: number;
  features: KcsFeatureState;
  model: GbdtModelJson;
}

export interface KcsTrainResult {
  bundle: KcsModelBundle;
  model: GbdtModel;
  trainSeconds: number;
  validation?: EvalReport;
  validScores?: Float64Array;
  trainFeatures: KcsFeatures;
  validFeatures?: KcsFeatures;
}

export function trainKcsModel(
  train: KcsTable,
  opts: { valid?: KcsTable; params?: Partial<GbdtParams>; onRound?: (r: RoundInfo) => void } = {},
): KcsTrainResult {
  const state = fitKcsFeatures(train);
  const ftr = buildKcsFeatures(state, train, 'train');
  if (opts.valid && !opts.valid.labels) throw new Error(`${opts.valid.file}: missing column "Fraud" needed for validation`);
  const fva = opts.valid ? buildKcsFeatures(state, opts.valid, 'apply') : undefined;
  const t0 = performance.now();
  const model = trainGbdt({ x: ftr.x, y: ftr.y }, { ...KCS_DEFAULT_PARAMS, ...opts.params }, { valid: fva ? { x: fva.x, y: fva.y } : undefined, onRound: opts.onRound });
  const trainSeconds = (performance.now() - t0) / 1000;
  let validation: EvalReport | undefined;
  let validScores: Float64Array | undefined;
  if (fva && opts.valid) {
    validScores = model.predict(fva.x);
    validation = evaluate(fva.y, validScores, validScores);
  }
  const bundle: KcsModelBundle = {
    format: KCS_BUNDLE_FORMAT,
    version: 1,
    trainedOn: { file: train.file, rows: train.rows, until: state.trainedUntil },
    ...(validation && opts.valid ? { validation: { ...validation, file: opts.valid.file } } : {}),
    trainSeconds,
    features: state,
    model: model.toJSON(),
  };
  return { bundle, model, trainSeconds, validation, validScores, trainFeatures: ftr, validFeatures: fva };
}

export function loadKcsBundle(obj: unknown, file = 'model'): { bundle: KcsModelBundle; model: GbdtModel } {
  const b = obj as KcsModelBundle;
  if (!b || typeof b !== 'object' || b.format !== KCS_BUNDLE_FORMAT) throw new Error(`${file}: not a KCS model made by \`centinela model train --format kcs\``);
  if (b.version !== 1) throw new Error(`${file}: model bundle version ${b.version} is not supported`);
  return { bundle: b, model: GbdtModel.fromJSON(b.model) };
}

export function scoreKcs(bundle: KcsModelBundle, model: GbdtModel, table: KcsTable): { features: KcsFeatures; scores: Float64Array } {
  const features = buildKcsFeatures(bundle.features, table, 'apply');
  return { features, scores: model.predict(features.x) };
}

export interface Contribution {
  feature: string;
  label: string;
  value: string;
  /** contribution to the log-odds */
  contribution: number;
}

export interface Explanation {
  id: string;
  score: number;
  margin: number;
  expected: number;
  contributions: Contribution[];
}

/** TreeSHAP explanation of one declaration (contributions sorted by absolute size). */
export function explainKcs(bundle: KcsModelBundle, model: GbdtModel, table: KcsTable, id: string): Explanation {
  const row = table.columns['Declaration ID'].indexOf(id);
  if (row < 0) throw new Error(`${table.file}: no row with "Declaration ID" ${id}`);
  const features = buildKcsFeatures(bundle.features, table, 'apply');
  const phi = model.shap(features.x, row);
  const specs = kcsFeatureSpecs();
  const nf = specs.length;
  let margin = 0;
  for (let i = 0; i <= nf; i++) margin += phi[i];
  const contributions = specs
    .map((s, i) => ({ feature: s.name, label: s.label, value: features.describe(row, i), contribution: phi[i] }))
    .filter((c) => c.contribution !== 0)
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  return { id, score: 1 / (1 + Math.exp(-margin)), margin, expected: phi[nf], contributions };
}

/** Plain words for an officer. */
export function formatExplanation(e: Explanation, top = 8): string {
  const lines = [
    `Declaration ${e.id}: fraud risk ${(e.score * 100).toFixed(1)}% (average declaration ${((1 / (1 + Math.exp(-e.expected))) * 100).toFixed(1)}%).`,
    'What moved the score most:',
  ];
  for (const c of e.contributions.slice(0, top)) {
    const dir = c.contribution > 0 ? 'raises' : 'lowers';
    lines.push(`  ${c.label} = ${c.value}: ${dir} the risk (${c.contribution > 0 ? '+' : ''}${c.contribution.toFixed(3)} log-odds)`);
  }
  const rest = e.contributions.slice(top).reduce((s, c) => s + c.contribution, 0);
  if (e.contributions.length > top) lines.push(`  ${e.contributions.length - top} other features together: ${rest > 0 ? '+' : ''}${rest.toFixed(3)} log-odds`);
  return lines.join('\n');
}
