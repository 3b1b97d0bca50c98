/**
 * Gradient-boosted decision trees for binary classification (log-loss), trained on binned
 * features: histogram-based, leaf-wise (best-first) growth, L2 regularisation, row and column
 * subsampling from a seeded PRNG, the histogram subtraction trick, LightGBM-style categorical
 * splits (categories ordered by gradient / (hessian + cat_smooth) within the node), and early
 * stopping on a validation set. Pure computation on typed arrays; no I/O.
 *
 * Speed: histograms hold (gradient, hessian) per bin (rows are counted from hessians, as
 * LightGBM does); every feature's bins live in one global index space, stored column-wise (large
 * nodes) and row-wise (small nodes); the smaller child is built from gradients gathered in node
 * order and the larger one is the parent minus it; rows are partitioned in place. The features
 * are split in two cost-balanced shards (shard.ts), one run on a worker thread over
 * SharedArrayBuffers (hist-worker.ts); shards are combined in feature order, so the model is the
 * same on one thread or two.
 */
import { availableParallelism } from 'node:os';
import { applyBins, binAt, fitBins, type BinInfo, type BinnedMatrix, type RawMatrix } from './binning.ts';
import { auc, logloss } from './metrics.ts';
import { GbdtModel, type GbdtModelJson, type TreeJson, MODEL_FORMAT, MODEL_VERSION } from './model.ts';
import { ShardWorker } from './hist-worker.ts';
import { Prng } from './prng.ts';
import { HistShard, JOB, RES, SPLIT_PARAMS, type ShardData } from './shard.ts';

export interface GbdtParams {
  /** boosting rounds (upper bound when early stopping) */
  rounds: number;
  learningRate: number;
  /** leaves per tree (leaf-wise growth stops there) */
  maxLeaves: number;
  /** depth limit; 0 = none */
  maxDepth: number;
  /** minimum sum of hessians in a leaf */
  minChildWeight: number;
  /** minimum rows in a leaf */
  minDataInLeaf: number;
  /** L2 regularisation on leaf values */
  lambda: number;
  /** minimum gain to split */
  minGain: number;
  /** share of rows drawn for each tree */
  subsample: number;
  /** share of features drawn for each tree */
  colsample: number;
  /** share of the tree's features drawn for each node (1 = all) */
  colsampleByNode: number;
  seed: number;
  /** bins per numeric feature, at most 256 (bin 0 is missing) */
  maxBin: number;
  /** bins per categorical feature (bin 0 groups missing, rare and unseen categories); above 256 uses uint16 storage */
  maxCatBin: number;
  /** categories with fewer training rows than this share bin 0 (the "other" group) */
  minDataPerCategory: number;
  /** smoothing of gradient / hessian ratios when ordering categories within a node */
  catSmooth: number;
  /** at most this many categories on the left of a categorical split */
  maxCatThreshold: number;
  /** extra L2 for categorical splits */
  catL2: number;
  /** a categorical split adds categories to the left in groups of at least this many rows */
  minDataPerGroup: number;
  /** categorical features with at most this many bins use one-vs-rest splits */
  maxCatToOnehot: number;
  /** stop when the validation metric has not improved for this many rounds (0 = never) */
  earlyStoppingRounds: number;
  metric: 'auc' | 'logloss';
}

export const DEFAULT_PARAMS: GbdtParams = {
  rounds: 500,
  learningRate: 0.05,
  maxLeaves: 31,
  maxDepth: 0,
  minChildWeight: 1e-3,
  minDataInLeaf: 20,
  lambda: 1,
  minGain: 0,
  subsample: 1,
  colsample: 1,
  colsampleByNode: 1,
  seed: 1,
  maxBin: 255,
  maxCatBin: 4096,
  minDataPerCategory: 5,
  catSmooth: 10,
  maxCatThreshold: 32,
  catL2: 10,
  minDataPerGroup: 50,
  maxCatToOnehot: 4,
  earlyStoppingRounds: 50,
  metric: 'auc',
};

export interface LabelledMatrix {
  x: RawMatrix;
  /** 0 / 1 */
  y: ArrayLike<number>;
}

export interface RoundInfo {
  round: number;
  trainLoss: number;
  valid?: number;
  best?: number;
  bestRound?: number;
}

export interface TrainOptions {
  valid?: LabelledMatrix;
  /** called after every round */
  onRound?: (info: RoundInfo) => void;
  /**
   * threads for tree growing: 1, or 2 (the main thread and one worker, splitting the features).
   * Default: 2 where the machine has two cores or more and the data is large enough to pay for
   * the worker. The model does not depend on it.
   */
  threads?: number;
}

/** Checks parameters; throws an Error naming the parameter at fault. */
export function checkParams(p: GbdtParams): void {
  const bad = (name: string, rule: string) => {
    throw new Error(`${name} must be ${rule} (got ${String((p as unknown as Record<string, unknown>)[name])})`);
  };
  const int = (name: keyof GbdtParams, min: number, max = Infinity) => {
    const v = p[name] as number;
    if (!Number.isInteger(v) || v < min || v > max) bad(name, `a whole number from ${min}${max < Infinity ? ` to ${max}` : ''}`);
  };
  const num = (name: keyof GbdtParams, min: number, max: number, openMin = false) => {
    const v = p[name] as number;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (openMin && v === min)) bad(name, `a number in ${openMin ? '(' : '['}${min}, ${max}]`);
  };
  int('rounds', 1);
  num('learningRate', 0, 1, true);
  int('maxLeaves', 2, 65536);
  int('maxDepth', 0, 64);
  num('minChildWeight', 0, Infinity);
  int('minDataInLeaf', 1);
  num('lambda', 0, Infinity);
  num('minGain', 0, Infinity);
  num('subsample', 0, 1, true);
  num('colsample', 0, 1, true);
  num('colsampleByNode', 0, 1, true);
  int('seed', 0, 2 ** 32 - 1);
  int('maxBin', 3, 256);
  int('maxCatBin', 3, 65536);
  int('minDataPerCategory', 1);
  num('catSmooth', 0, Infinity);
  int('maxCatThreshold', 1);
  num('catL2', 0, Infinity);
  int('minDataPerGroup', 1);
  int('maxCatToOnehot', 1);
  int('earlyStoppingRounds', 0);
  if (p.metric !== 'auc' && p.metric !== 'logloss') bad('metric', '"auc" or "logloss"');
}

interface Split {
  gain: number;
  feature: number;
  /** bins going left (index = bin) */
  mask: Uint8Array;
  /** numeric: bins 1..threshold go left; -1 for categorical */
  threshold: number;
  GL: number;
  HL: number;
  CL: number;
}

interface Leaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  G: number;
  H: number;
  C: number;
  /** histogram slot in the shards, -1 = none */
  slot: number;
  split: Split | null;
}

/** A tree while growing: split on bins. */
interface BinTree {
  feature: number[];
  threshold: number[];
  mask: (Uint8Array | null)[];
  left: number[];
  right: number[];
  value: number[];
  cover: number[];
  gain: number[];
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Trains a model. Deterministic for params.seed. */
export function trainGbdt(train: LabelledMatrix, params: Partial<GbdtParams> = {}, opts: TrainOptions = {}): GbdtModel {
  const p: GbdtParams = { ...DEFAULT_PARAMS, ...params };
  checkParams(p);
  const n = train.x.nRows;
  if (n < 2) throw new Error('training needs at least 2 rows');
  const y = Float64Array.from(train.y);
  for (let i = 0; i < n; i++) if (y[i] !== 0 && y[i] !== 1) throw new Error(`label of row ${i} must be 0 or 1 (got ${y[i]})`);
  const info = fitBins(train.x, { maxBin: p.maxBin, maxCatBin: p.maxCatBin, minDataPerCategory: p.minDataPerCategory });
  const data = applyBins(train.x, info);

  const threads = opts.threads ?? (availableParallelism() > 1 && n * data.nFeatures >= 200_000 ? 2 : 1);
  const grower = new TreeGrower(data, p, threads);
  try {
    return boost(train, p, opts, info, data, grower);
  } finally {
    grower.close();
  }
}

function boost(train: LabelledMatrix, p: GbdtParams, opts: TrainOptions, info: BinInfo[], data: BinnedMatrix, grower: TreeGrower): GbdtModel {
  const n = data.nRows;
  const y = Float64Array.from(train.y);
  const validBins = opts.valid ? applyBins(opts.valid.x, info) : undefined;
  const validY = opts.valid ? Float64Array.from(opts.valid.y) : undefined;
  let pos = 0;
  for (let i = 0; i < n; i++) pos += y[i];
  const prior = Math.min(1 - 1e-6, Math.max(1e-6, pos / n));
  const baseScore = Math.log(prior / (1 - prior));
  const margin = new Float64Array(n).fill(baseScore);
  const validMargin = validBins ? new Float64Array(validBins.nRows).fill(baseScore) : undefined;
  const gh = grower.gh;
  const prng = new Prng(p.seed);
  const trees: BinTree[] = [];
  const inBag = new Uint8Array(n);
  let best = -Infinity;
  let bestRound = -1;
  const history: RoundInfo[] = [];

  for (let round = 0; round < p.rounds; round++) {
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const pr = sigmoid(margin[i]);
      gh[2 * i] = pr - y[i];
      gh[2 * i + 1] = Math.max(pr * (1 - pr), 1e-16);
      loss -= y[i] ? Math.log(Math.max(pr, 1e-15)) : Math.log(Math.max(1 - pr, 1e-15));
    }
    // rows for this tree
    let rows: Uint32Array;
    if (p.subsample < 1) {
      const buf = new Uint32Array(n);
      let k = 0;
      for (let i = 0; i < n; i++) {
        const take = prng.next() < p.subsample;
        inBag[i] = take ? 1 : 0;
        if (take) buf[k++] = i;
      }
      rows = buf.subarray(0, k);
    } else {
      rows = grower.allRows;
    }
    const feats = sampleFeatures(data.nFeatures, p.colsample, prng);
    const tree = grower.grow(rows, feats, prng);
    trees.push(tree);
    // update margins: in-bag rows from the partition, others by walking the tree
    grower.addLeafValues(tree, margin);
    if (p.subsample < 1) {
      for (let i = 0; i < n; i++) if (!inBag[i]) margin[i] += walkBinned(tree, data, i);
    }
    const info: RoundInfo = { round: round + 1, trainLoss: loss / n };
    if (validBins && validMargin && validY) {
      for (let i = 0; i < validBins.nRows; i++) validMargin[i] += walkBinned(tree, validBins, i);
      let score: number;
      if (p.metric === 'auc') score = auc(validY, validMargin);
      else {
        const probs = validMargin.map(sigmoid);
        score = -logloss(validY, probs);
      }
      info.valid = p.metric === 'auc' ? score : -score;
      if (score > best) {
        best = score;
        bestRound = round;
      }
      info.best = p.metric === 'auc' ? best : -best;
      info.bestRound = bestRound + 1;
      history.push(info);
      opts.onRound?.(info);
      if (p.earlyStoppingRounds > 0 && round - bestRound >= p.earlyStoppingRounds) break;
    } else {
      history.push(info);
      opts.onRound?.(info);
    }
  }
  const keep = validBins ? bestRound + 1 : trees.length;
  const json: GbdtModelJson = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    features: train.x.features.map((f, i) => {
      const b = info[i];
      return b.kind === 'categorical' ? { ...f, categories: b.categories } : { ...f };
    }),
    baseScore,
    params: { ...p },
    bestIteration: keep,
    trees: trees.slice(0, keep).map((t) => toRawTree(t, info)),
    trainedRows: n,
    metric: validBins ? { name: p.metric, value: p.metric === 'auc' ? best : -best } : undefined,
  };
  return new GbdtModel(json);
}

function sampleFeatures(nf: number, share: number, prng: Prng): Int32Array {
  const all = new Int32Array(nf);
  for (let i = 0; i < nf; i++) all[i] = i;
  if (share >= 1) return all;
  const k = Math.max(1, Math.round(nf * share));
  for (let i = 0; i < k; i++) {
    const j = i + prng.int(nf - i);
    const t = all[i];
    all[i] = all[j];
    all[j] = t;
  }
  return all.slice(0, k).sort();
}

function walkBinned(t: BinTree, m: BinnedMatrix, r: number): number {
  let node = 0;
  while (t.feature[node] >= 0) {
    const b = binAt(m, t.feature[node], r);
    node = t.mask[node]![b] ? t.left[node] : t.right[node];
  }
  return t.value[node];
}

function toRawTree(t: BinTree, info: BinInfo[]): TreeJson {
  const out: TreeJson = { feature: [], threshold: [], catLeft: [], defaultLeft: [], left: [], right: [], value: [], cover: [], gain: [] };
  for (let i = 0; i < t.feature.length; i++) {
    const f = t.feature[i];
    out.feature.push(f);
    out.left.push(t.left[i]);
    out.right.push(t.right[i]);
    out.value.push(t.value[i]);
    out.cover.push(t.cover[i]);
    out.gain.push(t.gain[i]);
    if (f < 0) {
      out.threshold.push(0);
      out.catLeft.push(null);
      out.defaultLeft.push(0);
      continue;
    }
    const inf = info[f];
    const mask = t.mask[i]!;
    out.defaultLeft.push(mask[0]);
    if (inf.kind === 'numeric') {
      out.threshold.push(inf.edges[t.threshold[i] - 1]);
      out.catLeft.push(null);
    } else {
      out.threshold.push(0);
      const codes: number[] = [];
      for (let b = 1; b < inf.nBins; b++) if (mask[b]) codes.push(inf.categories[b - 1]);
      out.catLeft.push(codes.sort((a, b) => a - b));
    }
  }
  return out;
}

/** Typed arrays on a SharedArrayBuffer when a worker will read them. */
function alloc<T>(ctor: { new (b: ArrayBufferLike): T; BYTES_PER_ELEMENT: number }, length: number, shared: boolean): T {
  const bytes = Math.max(8, length * ctor.BYTES_PER_ELEMENT);
  return new ctor(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}

/**
 * Contiguous feature ranges of about equal cost, one per thread. A feature costs its share of
 * histogram building (rows, the same for every feature) plus scanning and subtracting its bins.
 */
function featureShards(nBins: Int32Array, k: number): number[] {
  const nf = nBins.length;
  const cost = (f: number) => 600 + nBins[f];
  let total = 0;
  for (let f = 0; f < nf; f++) total += cost(f);
  const cuts = [0];
  let acc = 0;
  for (let f = 0; f < nf && cuts.length < k; f++) {
    acc += cost(f);
    if (acc >= (total * cuts.length) / k && f + 1 < nf) cuts.push(f + 1);
  }
  cuts.push(nf);
  return cuts;
}

/** Grows one tree at a time on a binned matrix; buffers are allocated once and reused. */
class TreeGrower {
  readonly allRows: Uint32Array;
  /** gradient / hessian interleaved per row (written by the trainer before each tree) */
  readonly gh: Float64Array;
  private readonly n: number;
  private readonly nf: number;
  private readonly nBins: Int32Array;
  private readonly offset: Int32Array;
  private readonly cbin: Uint16Array;
  private readonly idx: Uint32Array;
  private readonly tmp: Uint32Array;
  private readonly job: Float64Array;
  private readonly featOn: Uint8Array;
  private readonly res: Float64Array;
  private readonly resMask: Uint8Array;
  private readonly maxBins: number;
  private readonly nShards: number;
  /** shards run on this thread (all of them without a worker) */
  private readonly local: HistShard[] = [];
  private worker: ShardWorker | null = null;
  private readonly freeSlots: number[] = [];
  private readonly treeOn: Uint8Array;
  private feats: Int32Array = new Int32Array(0);
  private leaves: Leaf[] = [];
  private prng!: Prng;
  private readonly nodeFeats: Int32Array;

  constructor(
    private readonly data: BinnedMatrix,
    private readonly p: GbdtParams,
    threads: number,
  ) {
    const n = (this.n = data.nRows);
    const nf = (this.nf = data.nFeatures);
    this.nBins = Int32Array.from(data.info.map((i) => i.nBins));
    const isCat = Uint8Array.from(data.info.map((i) => (i.kind === 'categorical' ? 1 : 0)));
    this.offset = new Int32Array(nf + 1);
    for (let f = 0; f < nf; f++) this.offset[f + 1] = this.offset[f] + this.nBins[f];
    let maxBins = 0;
    for (let f = 0; f < nf; f++) maxBins = Math.max(maxBins, this.nBins[f]);
    this.maxBins = maxBins;
    // global bins fit in 16 bits unless very many categories are kept
    if (this.offset[nf] > 65536) threads = 1;
    const cuts = featureShards(this.nBins, threads > 1 && nf > 1 ? 2 : 1);
    this.nShards = cuts.length - 1;
    const shared = this.nShards > 1;
    const wideBins = this.offset[nf] > 65536;
    const cbin = wideBins ? new Uint32Array(n * nf) : alloc(Uint16Array, n * nf, shared);
    const rbin = wideBins ? new Uint32Array(n * nf) : alloc(Uint16Array, n * nf, shared);
    for (let f = 0; f < nf; f++) {
      const o = this.offset[f];
      for (let r = 0; r < n; r++) {
        const g = o + binAt(data, f, r);
        cbin[f * n + r] = g;
        rbin[r * nf + f] = g;
      }
    }
    this.cbin = cbin as Uint16Array;
    this.allRows = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.allRows[i] = i;
    this.idx = alloc(Uint32Array, n, shared);
    this.tmp = new Uint32Array(n);
    this.gh = alloc(Float64Array, 2 * n, shared);
    this.job = alloc(Float64Array, JOB.size, shared);
    this.featOn = alloc(Uint8Array, 2 * nf, shared);
    this.res = alloc(Float64Array, this.nShards * 2 * RES.size, shared);
    this.resMask = alloc(Uint8Array, this.nShards * 2 * maxBins, shared);
    this.treeOn = new Uint8Array(nf);
    this.nodeFeats = new Int32Array(nf);
    const params = Float64Array.from(SPLIT_PARAMS.map((k) => p[k]));
    const rowWiseBelow = Math.max(256, Math.floor(n / 16));
    const shardData = (s: number): ShardData => ({
      shard: s,
      n,
      nf,
      f0: cuts[s],
      f1: cuts[s + 1],
      nBins: this.nBins,
      isCat,
      offset: this.offset,
      cbin: cbin as Uint16Array,
      rbin: rbin as Uint16Array,
      gh: this.gh,
      idx: this.idx,
      job: this.job,
      featOn: this.featOn,
      res: this.res,
      resMask: this.resMask,
      maxBins,
      params,
      rowWiseBelow,
    });
    this.local.push(new HistShard(shardData(0)));
    if (this.nShards > 1) {
      this.worker = ShardWorker.start(shardData(1));
      if (!this.worker) this.local.push(new HistShard(shardData(1)));
    }
  }

  /** Stops the worker thread, if any. */
  close() {
    this.worker?.stop();
    this.worker = null;
  }

  private runJob() {
    this.worker?.post();
    for (const s of this.local) s.run();
    this.worker?.wait();
  }

  /** The best split of child c (0 = A, 1 = B) over all shards, in feature order. */
  private bestSplit(c: number): Split | null {
    const { res, resMask, maxBins } = this;
    let bs = -1;
    let bg = 0;
    for (let s = 0; s < this.nShards; s++) {
      const r = (s * 2 + c) * RES.size;
      if (res[r + RES.feature] >= 0 && res[r + RES.gain] > bg) {
        bg = res[r + RES.gain];
        bs = s;
      }
    }
    if (bs < 0) return null;
    const r = (bs * 2 + c) * RES.size;
    const f = res[r + RES.feature];
    const mb = (bs * 2 + c) * maxBins;
    return {
      gain: res[r + RES.gain],
      feature: f,
      mask: resMask.slice(mb, mb + this.nBins[f]),
      threshold: res[r + RES.threshold],
      GL: res[r + RES.GL],
      HL: res[r + RES.HL],
      CL: res[r + RES.CL],
    };
  }

  /** Marks the features child c may split on (per-node column sampling draws here). */
  private nodeFeatures(c: number) {
    const { featOn, nf } = this;
    if (this.p.colsampleByNode >= 1) {
      featOn.set(this.treeOn, c * nf);
      return;
    }
    const feats = this.feats;
    const k = Math.max(1, Math.round(feats.length * this.p.colsampleByNode));
    const nfs = this.nodeFeats;
    nfs.set(feats);
    for (let i = 0; i < k; i++) {
      const j = i + this.prng.int(feats.length - i);
      const t = nfs[i];
      nfs[i] = nfs[j];
      nfs[j] = t;
    }
    featOn.fill(0, c * nf, (c + 1) * nf);
    for (let i = 0; i < k; i++) featOn[c * nf + nfs[i]] = 1;
  }

  private takeSlot(): number {
    return this.freeSlots.pop()!;
  }

  grow(rows: Uint32Array, feats: Int32Array, prng: Prng): BinTree {
    const gh = this.gh;
    this.feats = feats;
    this.prng = prng;
    this.treeOn.fill(0);
    for (let i = 0; i < feats.length; i++) this.treeOn[feats[i]] = 1;
    this.freeSlots.length = 0;
    for (let s = this.p.maxLeaves + 1; s >= 0; s--) this.freeSlots.push(s);
    const m = rows.length;
    this.idx.set(rows);
    const tree: BinTree = { feature: [], threshold: [], mask: [], left: [], right: [], value: [], cover: [], gain: [] };
    const root = this.newNode(tree);
    let G = 0;
    let H = 0;
    for (let i = 0; i < m; i++) {
      G += gh[2 * rows[i]];
      H += gh[2 * rows[i] + 1];
    }
    const rootLeaf: Leaf = { node: root, start: 0, end: m, depth: 0, G, H, C: m, slot: -1, split: null };
    this.leaves = [rootLeaf];
    if (this.canSplit(rootLeaf)) {
      rootLeaf.slot = this.takeSlot();
      this.nodeFeatures(0);
      const j = this.job;
      j.fill(0);
      j[JOB.op] = 0;
      j[JOB.aStart] = 0;
      j[JOB.aEnd] = m;
      j[JOB.aSlot] = rootLeaf.slot;
      j[JOB.aFind] = 1;
      j[JOB.aG] = G;
      j[JOB.aH] = H;
      j[JOB.aC] = m;
      j[JOB.bSlot] = -1;
      this.runJob();
      rootLeaf.split = this.bestSplit(0);
      if (!rootLeaf.split) {
        this.freeSlots.push(rootLeaf.slot);
        rootLeaf.slot = -1;
      }
    }
    let nLeaves = 1;
    while (nLeaves < this.p.maxLeaves) {
      let bi = -1;
      let bg = this.p.minGain;
      for (let i = 0; i < this.leaves.length; i++) {
        const s = this.leaves[i].split;
        if (s && s.gain > bg) {
          bg = s.gain;
          bi = i;
        }
      }
      if (bi < 0) break;
      const leaf = this.leaves[bi];
      const [l, r] = this.applySplit(tree, leaf);
      this.leaves[bi] = l;
      this.leaves.push(r);
      nLeaves++;
    }
    for (const leaf of this.leaves) {
      tree.value[leaf.node] = (-leaf.G / (leaf.H + this.p.lambda)) * this.p.learningRate;
      tree.cover[leaf.node] = leaf.C;
    }
    return tree;
  }

  /** Adds each leaf's value to the margin of the rows it holds (the in-bag rows of the last tree). */
  addLeafValues(tree: BinTree, margin: Float64Array) {
    for (const leaf of this.leaves) {
      const v = tree.value[leaf.node];
      for (let i = leaf.start; i < leaf.end; i++) margin[this.idx[i]] += v;
    }
  }

  private newNode(t: BinTree): number {
    t.feature.push(-1);
    t.threshold.push(0);
    t.mask.push(null);
    t.left.push(-1);
    t.right.push(-1);
    t.value.push(0);
    t.cover.push(0);
    t.gain.push(0);
    return t.feature.length - 1;
  }

  private canSplit(l: Leaf): boolean {
    return l.C >= 2 * this.p.minDataInLeaf && l.H >= 2 * this.p.minChildWeight && (this.p.maxDepth === 0 || l.depth < this.p.maxDepth);
  }

  private applySplit(tree: BinTree, leaf: Leaf): [Leaf, Leaf] {
    const s = leaf.split!;
    const node = leaf.node;
    tree.feature[node] = s.feature;
    tree.threshold[node] = s.threshold;
    tree.mask[node] = s.mask;
    tree.gain[node] = s.gain;
    tree.cover[node] = leaf.C;
    const ln = this.newNode(tree);
    const rn = this.newNode(tree);
    tree.left[node] = ln;
    tree.right[node] = rn;
    // stable partition of the leaf's rows
    const { idx, tmp } = this;
    const col = this.cbin;
    const base = s.feature * this.n;
    const o = this.offset[s.feature];
    const mask = s.mask;
    let w = leaf.start;
    let t = 0;
    for (let i = leaf.start; i < leaf.end; i++) {
      const r = idx[i];
      if (mask[col[base + r] - o]) idx[w++] = r;
      else tmp[t++] = r;
    }
    idx.set(tmp.subarray(0, t), w);
    const mid = w;
    const l: Leaf = { node: ln, start: leaf.start, end: mid, depth: leaf.depth + 1, G: s.GL, H: s.HL, C: mid - leaf.start, slot: -1, split: null };
    const r: Leaf = { node: rn, start: mid, end: leaf.end, depth: leaf.depth + 1, G: leaf.G - s.GL, H: leaf.H - s.HL, C: leaf.end - mid, slot: -1, split: null };
    const small = l.C <= r.C ? l : r;
    const large = small === l ? r : l;
    const splitSmall = this.canSplit(small);
    const splitLarge = this.canSplit(large);
    const parentSlot = leaf.slot;
    leaf.slot = -1;
    const j = this.job;
    j[JOB.op] = 1;
    j[JOB.aStart] = small.start;
    j[JOB.aEnd] = small.end;
    j[JOB.aG] = small.G;
    j[JOB.aH] = small.H;
    j[JOB.aC] = small.C;
    j[JOB.bStart] = large.start;
    j[JOB.bEnd] = large.end;
    j[JOB.bG] = large.G;
    j[JOB.bH] = large.H;
    j[JOB.bC] = large.C;
    if (splitLarge && parentSlot >= 0) {
      small.slot = this.takeSlot();
      large.slot = parentSlot;
      j[JOB.aSlot] = small.slot;
      j[JOB.bSlot] = parentSlot;
      j[JOB.bFromParent] = 1;
    } else {
      if (parentSlot >= 0) this.freeSlots.push(parentSlot);
      small.slot = splitSmall ? this.takeSlot() : -1;
      large.slot = splitLarge ? this.takeSlot() : -1;
      j[JOB.aSlot] = small.slot;
      j[JOB.bSlot] = large.slot;
      j[JOB.bFromParent] = 0;
    }
    j[JOB.aFind] = splitSmall ? 1 : 0;
    j[JOB.bFind] = splitLarge ? 1 : 0;
    if (splitSmall) this.nodeFeatures(0);
    if (splitLarge) this.nodeFeatures(1);
    this.runJob();
    if (splitSmall) small.split = this.bestSplit(0);
    if (splitLarge) large.split = this.bestSplit(1);
    for (const c of [small, large]) {
      if (!c.split && c.slot >= 0) {
        this.freeSlots.push(c.slot);
        c.slot = -1;
      }
    }
    return [l, r];
  }
}

export { GbdtModel };
export type { GbdtModelJson, TreeJson };
