/**
 * The risk model on public data: Centinela's gradient-boosted trees trained on the Korea Customs
 * Service synthetic declarations (train file, 2020), scored on the valid file (2021-Q1): AUC and
 * precision / recall at 1, 2, 5 and 10% inspection, and training time. Where Debian's
 * python3-xgboost is installed, XGBoost runs in the same run on THE SAME engineered features
 * (written from TypeScript, categorical columns as integer codes), so the comparison is about
 * the learner; both early-stop on the valid file. Data: KCS_DIR or ../shared/data/kcs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RawMatrix } from '../src/modules/intelligence/binning.ts';
import { readKcs } from '../src/modules/intelligence/kcs.ts';
import { KCS_DEFAULT_PARAMS, trainKcsModel } from '../src/modules/intelligence/kcs-model.ts';
import { evaluate, type EvalReport } from '../src/modules/intelligence/metrics.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = '/usr/bin/python3';

export interface LearnerResult {
  name: string;
  report: EvalReport;
  trainSeconds: number;
  trees: number;
}

export interface ModelBenchResult {
  skipped?: string;
  ours?: LearnerResult;
  xgboost?: LearnerResult[];
  peerMissing?: string;
  ratios?: { auc: number; p1: number; p2: number; p5: number; p10: number; r1: number; r2: number; r5: number; r10: number; time: number; peer: string };
}

export function kcsDir(): string {
  return process.env.KCS_DIR ? path.resolve(process.env.KCS_DIR) : path.resolve(repoRoot, '../shared/data/kcs');
}

export function writeMatrix(x: RawMatrix, y: Float64Array, file: string) {
  const out = fs.openSync(file, 'w');
  const esc = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  fs.writeSync(out, x.features.map((f) => esc(f.name)).concat('label').join(',') + '\n');
  const parts: string[] = new Array(x.columns.length + 1);
  let buf = '';
  for (let r = 0; r < x.nRows; r++) {
    for (let f = 0; f < x.columns.length; f++) {
      const v = x.columns[f][r];
      parts[f] = Number.isNaN(v) ? '' : String(v);
    }
    parts[x.columns.length] = String(y[r]);
    buf += parts.join(',') + '\n';
    if (buf.length > 1 << 20) {
      fs.writeSync(out, buf);
      buf = '';
    }
  }
  fs.writeSync(out, buf);
  fs.closeSync(out);
}

function line(r: LearnerResult): string {
  const t = r.report.top.map((k) => `P@${k.pct}% ${k.precision.toFixed(4)} R@${k.pct}% ${k.recall.toFixed(4)}`).join('  ');
  return `${r.name.padEnd(26)} AUC ${r.report.auc.toFixed(4)}  ${t}  train ${r.trainSeconds.toFixed(1)} s (${r.trees} trees)`;
}

function peerAvailable(): string | undefined {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import xgboost, pandas'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : 'python3-xgboost / python3-pandas not installed (apt-get install -y python3-xgboost python3-pandas)';
}

export async function runModelBench(): Promise<ModelBenchResult> {
  console.log('model: gradient-boosted trees on the KCS synthetic declarations (train 2020, valid 2021-Q1)');
  const dir = kcsDir();
  const trainFile = path.join(dir, 'df_syn_train_eng.csv');
  const validFile = path.join(dir, 'df_syn_valid_eng.csv');
  if (!fs.existsSync(trainFile) || !fs.existsSync(validFile)) {
    const skipped = `KCS data not found in ${dir} (set KCS_DIR)`;
    console.log(`  skipped: ${skipped}`);
    return { skipped };
  }
  const train = readKcs(trainFile, { requireLabel: true });
  const valid = readKcs(validFile, { requireLabel: true });
  const seed = Number(process.env.CENTINELA_BENCH_SEED ?? 1);
  const r = trainKcsModel(train, { valid, params: { seed } });
  const ours: LearnerResult = { name: 'centinela gbdt', report: r.validation!, trainSeconds: r.trainSeconds, trees: r.model.json.trees.length };
  console.log(`  params: ${JSON.stringify({ ...KCS_DEFAULT_PARAMS, seed })}`);
  console.log(`  ${line(ours)}`);
  const result: ModelBenchResult = { ours };

  const missing = peerAvailable();
  if (missing) {
    console.log(`  peer XGBoost not run: ${missing}`);
    result.peerMissing = missing;
    return result;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-kcs-'));
  try {
    const trainCsv = path.join(tmp, 'train.csv');
    const validCsv = path.join(tmp, 'valid.csv');
    writeMatrix(r.trainFeatures.x, r.trainFeatures.y, trainCsv);
    writeMatrix(r.validFeatures!.x, r.validFeatures!.y, validCsv);
    const cats = r.trainFeatures.x.features.filter((f) => f.kind === 'categorical').map((f) => f.name);
    const modes = (process.env.CENTINELA_BENCH_XGB_MODES ?? 'codes,categorical').split(',').filter(Boolean);
    const peers: LearnerResult[] = [];
    for (const mode of modes) {
      const out = path.join(tmp, `xgb_${mode}.txt`);
      const stdout = execFileSync(
        PYTHON,
        [path.join(repoRoot, 'bench/xgb_peer.py'), '--train', trainCsv, '--valid', validCsv, '--out', out, '--categorical', cats.join(','), '--mode', mode, '--nthread', '2', '--seed', String(seed)],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
      );
      const info = JSON.parse(stdout.trim().split('\n').pop()!) as { seconds: number; best_iteration: number; xgboost: string };
      const scores = fs.readFileSync(out, 'utf8').trim().split('\n').map(Number);
      const peer: LearnerResult = {
        name: `xgboost ${info.xgboost} ${mode === 'codes' ? '(codes)' : '(categorical)'}`,
        report: evaluate(r.validFeatures!.y, scores),
        trainSeconds: info.seconds,
        trees: info.best_iteration,
      };
      console.log(`  ${line(peer)}`);
      peers.push(peer);
    }
    result.xgboost = peers;
    if (peers.length) {
      const best = peers.reduce((a, b) => (b.report.auc > a.report.auc ? b : a));
      const p = (rep: EvalReport, pct: number) => rep.top.find((t) => t.pct === pct)!.precision;
      const rc = (rep: EvalReport, pct: number) => rep.top.find((t) => t.pct === pct)!.recall;
      result.ratios = {
        peer: best.name,
        auc: ours.report.auc / best.report.auc,
        p1: p(ours.report, 1) / p(best.report, 1),
        p2: p(ours.report, 2) / p(best.report, 2),
        p5: p(ours.report, 5) / p(best.report, 5),
        p10: p(ours.report, 10) / p(best.report, 10),
        r1: rc(ours.report, 1) / rc(best.report, 1),
        r2: rc(ours.report, 2) / rc(best.report, 2),
        r5: rc(ours.report, 5) / rc(best.report, 5),
        r10: rc(ours.report, 10) / rc(best.report, 10),
        time: ours.trainSeconds / best.trainSeconds,
      };
      const q = result.ratios;
      const x = (v: number) => `${v.toFixed(3)}x`;
      console.log(`  ours / ${best.name} (tree_method=hist, lossguide, 255 leaves, eta 0.05, <=800 rounds, early stopping, nthread=2; ours on 2 threads):`);
      console.log(`    AUC ${x(q.auc)}  P@1% ${x(q.p1)}  P@2% ${x(q.p2)}  P@5% ${x(q.p5)}  P@10% ${x(q.p10)}  R@1% ${x(q.r1)}  R@2% ${x(q.r2)}  R@5% ${x(q.r5)}  R@10% ${x(q.r10)}  train time ${x(q.time)}`);
      const met = q.auc >= 1 && q.p5 >= 1 && q.p10 >= 1 && q.time <= 2;
      console.log(`    bar (AUC, P@5%, P@10% at least XGBoost's; training at most 2x its time): ${met ? 'met' : 'NOT met'}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await runModelBench();
}
