/**
 * Gradient-boosted decision trees for binary classification (log-loss), trained on binned
 * features: histogram-based, leaf-wise (best-first) growth, L2 regularisation, row and column
 * subsampling from a seeded PRNG, the histogram subtraction trick, LightGBM-style categorical
 * splits (categories ordered by gradient / (hessian + cat_smooth) within the node), and early
 * stopping on a validation set. Pure computation on typed arrays; no I/O.
 */
import { applyBins, binAt, fitBins, type BinInfo, type BinnedMatrix, type RawMatrix } from './binning.ts';
import { auc, logloss } from './metrics.ts';
import { GbdtModel, type GbdtModelJson, type TreeJson, MODEL_FORMAT, MODEL_VERSION } from './model.ts';
import { Prng } from './prng.ts';

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
}

/** Checks parameters; throws an Error naming the parameter at fault. */
export function checkParams(p: GbdtParams): void {
  const bad = (name: string, rule: string) => {
    throw new Error(`${name} must be ${rule} (got ${String((p as any)[name])})`);
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
  hist: Float64Array | null;
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
  const validBins = opts.valid ? applyBins(opts.valid.x, info) : undefined;
  const validY = opts.valid ? Float64Array.from(opts.valid.y) : undefined;

  const grower = new TreeGrower(data, p);
  let pos = 0;
  for (let i = 0; i < n; i++) pos += y[i];
  const prior = Math.min(1 - 1e-6, Math.max(1e-6, pos / n));
  const baseScore = Math.log(prior / (1 - prior));
  const margin = new Float64Array(n).fill(baseScore);
  const validMargin = validBins ? new Float64Array(validBins.nRows).fill(baseScore) : undefined;
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
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
      grad[i] = pr - y[i];
      hess[i] = Math.max(pr * (1 - pr), 1e-16);
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
    const tree = grower.grow(grad, hess, rows, feats, prng);
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

/** Grows one tree at a time on a binned matrix; buffers are allocated once and reused. */
class TreeGrower {
  readonly allRows: Uint32Array;
  private readonly n: number;
  private readonly nf: number;
  private readonly nBins: Int32Array;
  private readonly isCat: Uint8Array;
  private readonly offset: Int32Array;
  private readonly totalBins: number;
  private readonly idx: Uint32Array;
  private readonly tmp: Uint32Array;
  private readonly og: Float64Array;
  private readonly oh: Float64Array;
  private readonly pool: Float64Array[] = [];
  private feats: Int32Array = new Int32Array(0);
  private leaves: Leaf[] = [];
  private grad!: Float64Array;
  private hess!: Float64Array;
  private prng!: Prng;
  // scratch for categorical splits
  private readonly catIdx: Int32Array;
  private readonly catRatio: Float64Array;
  private readonly nodeFeats: Int32Array;

  constructor(
    private readonly data: BinnedMatrix,
    private readonly p: GbdtParams,
  ) {
    this.n = data.nRows;
    this.nf = data.nFeatures;
    this.nBins = Int32Array.from(data.info.map((i) => i.nBins));
    this.isCat = Uint8Array.from(data.info.map((i) => (i.kind === 'categorical' ? 1 : 0)));
    this.offset = new Int32Array(this.nf + 1);
    for (let f = 0; f < this.nf; f++) this.offset[f + 1] = this.offset[f] + this.nBins[f];
    this.totalBins = this.offset[this.nf];
    this.allRows = new Uint32Array(this.n);
    for (let i = 0; i < this.n; i++) this.allRows[i] = i;
    this.idx = new Uint32Array(this.n);
    this.tmp = new Uint32Array(this.n);
    this.og = new Float64Array(this.n);
    this.oh = new Float64Array(this.n);
    this.nodeFeats = new Int32Array(this.nf);
    let maxBins = 0;
    for (let f = 0; f < this.nf; f++) maxBins = Math.max(maxBins, this.nBins[f]);
    this.catIdx = new Int32Array(maxBins);
    this.catRatio = new Float64Array(maxBins);
  }

  private takeHist(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.totalBins * 3);
  }

  private releaseHist(h: Float64Array | null) {
    if (h) this.pool.push(h);
  }

  grow(grad: Float64Array, hess: Float64Array, rows: Uint32Array, feats: Int32Array, prng: Prng): BinTree {
    this.grad = grad;
    this.hess = hess;
    this.feats = feats;
    this.prng = prng;
    const m = rows.length;
    this.idx.set(rows);
    const tree: BinTree = { feature: [], threshold: [], mask: [], left: [], right: [], value: [], cover: [], gain: [] };
    const root = this.newNode(tree);
    let G = 0;
    let H = 0;
    for (let i = 0; i < m; i++) {
      G += grad[rows[i]];
      H += hess[rows[i]];
    }
    const rootLeaf: Leaf = { node: root, start: 0, end: m, depth: 0, G, H, C: m, hist: null, split: null };
    this.leaves = [rootLeaf];
    if (this.canSplit(rootLeaf)) {
      rootLeaf.hist = this.takeHist();
      this.buildHist(rootLeaf.hist, 0, m);
      rootLeaf.split = this.findSplit(rootLeaf);
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
      this.releaseHist(leaf.hist);
      leaf.hist = null;
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

  private buildHist(hist: Float64Array, start: number, end: number) {
    const { idx, og, oh, grad, hess, data, offset, feats } = this;
    const n = this.n;
    const bins = data.bins;
    const m = end - start;
    for (let fi = 0; fi < feats.length; fi++) {
      const f = feats[fi];
      hist.fill(0, offset[f] * 3, offset[f + 1] * 3);
    }
    for (let i = 0; i < m; i++) {
      const r = idx[start + i];
      og[i] = grad[r];
      oh[i] = hess[r];
    }
    const wideSlot = data.wideSlot;
    for (let fi = 0; fi < feats.length; fi++) {
      const f = feats[fi];
      const o = offset[f] * 3;
      const w = wideSlot[f];
      if (w < 0) {
        const base = f * n;
        for (let i = 0; i < m; i++) {
          const k = o + bins[base + idx[start + i]] * 3;
          hist[k] += og[i];
          hist[k + 1] += oh[i];
          hist[k + 2] += 1;
        }
      } else {
        const wide = data.wide;
        const base = w * n;
        for (let i = 0; i < m; i++) {
          const k = o + wide[base + idx[start + i]] * 3;
          hist[k] += og[i];
          hist[k + 1] += oh[i];
          hist[k + 2] += 1;
        }
      }
    }
  }

  private subtractHist(parent: Float64Array, child: Float64Array) {
    const { offset, feats } = this;
    for (let fi = 0; fi < feats.length; fi++) {
      const f = feats[fi];
      for (let k = offset[f] * 3, e = offset[f + 1] * 3; k < e; k++) parent[k] -= child[k];
    }
  }

  private findSplit(leaf: Leaf): Split | null {
    const hist = leaf.hist!;
    let best: Split | null = null;
    let feats = this.feats;
    if (this.p.colsampleByNode < 1) {
      const k = Math.max(1, Math.round(feats.length * this.p.colsampleByNode));
      const nf = this.nodeFeats;
      nf.set(feats);
      for (let i = 0; i < k; i++) {
        const j = i + this.prng.int(feats.length - i);
        const t = nf[i];
        nf[i] = nf[j];
        nf[j] = t;
      }
      feats = nf.subarray(0, k);
    }
    for (let fi = 0; fi < feats.length; fi++) {
      const f = feats[fi];
      const s = this.isCat[f] ? this.catSplit(hist, f, leaf) : this.numSplit(hist, f, leaf);
      if (s && (!best || s.gain > best.gain || (s.gain === best.gain && s.feature < best.feature))) best = s;
    }
    return best;
  }

  private numSplit(h: Float64Array, f: number, leaf: Leaf): Split | null {
    const { lambda, minDataInLeaf: minData, minChildWeight: minH } = this.p;
    const o = this.offset[f] * 3;
    const nb = this.nBins[f];
    const { G, H, C } = leaf;
    const parent = (G * G) / (H + lambda);
    const gm = h[o];
    const hm = h[o + 1];
    const cm = h[o + 2];
    let GL = 0;
    let HL = 0;
    let CL = 0;
    let bestGain = 0;
    let bestT = -1;
    let bestDef = 0;
    let bGL = 0;
    let bHL = 0;
    let bCL = 0;
    for (let t = 1; t <= nb - 2; t++) {
      const k = o + t * 3;
      GL += h[k];
      HL += h[k + 1];
      CL += h[k + 2];
      if (h[k + 2] === 0) continue;
      // missing goes right
      if (CL >= minData && HL >= minH) {
        const CR = C - CL;
        const HR = H - HL;
        if (CR >= minData && HR >= minH) {
          const GR = G - GL;
          const gain = (GL * GL) / (HL + lambda) + (GR * GR) / (HR + lambda) - parent;
          if (gain > bestGain) {
            bestGain = gain;
            bestT = t;
            bestDef = 0;
            bGL = GL;
            bHL = HL;
            bCL = CL;
          }
        }
      }
      if (cm > 0) {
        const gl = GL + gm;
        const hl = HL + hm;
        const cl = CL + cm;
        if (cl >= minData && hl >= minH) {
          const CR = C - cl;
          const HR = H - hl;
          if (CR >= minData && HR >= minH) {
            const GR = G - gl;
            const gain = (gl * gl) / (hl + lambda) + (GR * GR) / (HR + lambda) - parent;
            if (gain > bestGain) {
              bestGain = gain;
              bestT = t;
              bestDef = 1;
              bGL = gl;
              bHL = hl;
              bCL = cl;
            }
          }
        }
      }
    }
    if (bestT < 0) return null;
    const mask = new Uint8Array(nb);
    for (let b = 1; b <= bestT; b++) mask[b] = 1;
    // no missing values here in training: send missing to the heavier side
    mask[0] = cm > 0 ? bestDef : bCL >= C - bCL ? 1 : 0;
    return { gain: bestGain, feature: f, mask, threshold: bestT, GL: bGL, HL: bHL, CL: bCL };
  }

  private catSplit(h: Float64Array, f: number, leaf: Leaf): Split | null {
    const { lambda, minDataInLeaf: minData, minChildWeight: minH, catSmooth, catL2, maxCatThreshold, minDataPerGroup, maxCatToOnehot } = this.p;
    const o = this.offset[f] * 3;
    const nb = this.nBins[f];
    const { G, H, C } = leaf;
    let bestGain = 0;
    let bestCount = 0;
    let bestDir = 1;
    let bGL = 0;
    let bHL = 0;
    let bCL = 0;
    const idx = this.catIdx;
    if (nb <= maxCatToOnehot + 1) {
      const parent = (G * G) / (H + lambda);
      let bestBin = -1;
      for (let b = 0; b < nb; b++) {
        const k = o + b * 3;
        const GL = h[k];
        const HL = h[k + 1];
        const CL = h[k + 2];
        if (CL < minData || HL < minH || C - CL < minData || H - HL < minH) continue;
        const GR = G - GL;
        const gain = (GL * GL) / (HL + lambda) + (GR * GR) / (H - HL + lambda) - parent;
        if (gain > bestGain) {
          bestGain = gain;
          bestBin = b;
          bGL = GL;
          bHL = HL;
          bCL = CL;
        }
      }
      if (bestBin < 0) return null;
      const mask = new Uint8Array(nb);
      mask[bestBin] = 1;
      return { gain: bestGain, feature: f, mask, threshold: -1, GL: bGL, HL: bHL, CL: bCL };
    }
    // LightGBM-style: keep categories with enough rows in this node, order by smoothed gradient ratio
    const l2 = lambda + catL2;
    const parent = (G * G) / (H + l2);
    let used = 0;
    const ratio = this.catRatio;
    for (let b = 0; b < nb; b++) {
      const k = o + b * 3;
      if (h[k + 2] >= catSmooth && h[k + 2] > 0) {
        idx[used++] = b;
        ratio[b] = h[k] / (h[k + 1] + catSmooth);
      }
    }
    if (used < 2) return null;
    const sorted = Array.from(idx.subarray(0, used)).sort((a, b) => ratio[a] - ratio[b] || a - b);
    const maxNum = Math.min(maxCatThreshold, (used + 1) >> 1);
    const maxT = Math.max(Math.min(maxNum, used) - 1, 0);
    for (const dir of [1, -1]) {
      let GL = 0;
      let HL = 0;
      let CL = 0;
      let group = 0;
      let pos = dir === 1 ? 0 : used - 1;
      for (let i = 0; i <= maxT; i++) {
        const b = sorted[pos];
        pos += dir;
        const k = o + b * 3;
        GL += h[k];
        HL += h[k + 1];
        CL += h[k + 2];
        group += h[k + 2];
        if (CL < minData || HL < minH) continue;
        const CR = C - CL;
        if (CR < minData || CR < minDataPerGroup) break;
        const HR = H - HL;
        if (HR < minH) break;
        if (group < minDataPerGroup) continue;
        group = 0;
        const GR = G - GL;
        const gain = (GL * GL) / (HL + l2) + (GR * GR) / (HR + l2) - parent;
        if (gain > bestGain) {
          bestGain = gain;
          bestCount = i + 1;
          bestDir = dir;
          bGL = GL;
          bHL = HL;
          bCL = CL;
        }
      }
    }
    if (bestCount === 0) return null;
    const mask = new Uint8Array(nb);
    for (let i = 0; i < bestCount; i++) mask[bestDir === 1 ? sorted[i] : sorted[used - 1 - i]] = 1;
    return { gain: bestGain, feature: f, mask, threshold: -1, GL: bGL, HL: bHL, CL: bCL };
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
    const ws = this.data.wideSlot[s.feature];
    const col = ws < 0 ? this.data.bins : this.data.wide;
    const base = (ws < 0 ? s.feature : ws) * this.n;
    const mask = s.mask;
    let w = leaf.start;
    let t = 0;
    for (let i = leaf.start; i < leaf.end; i++) {
      const r = idx[i];
      if (mask[col[base + r]]) idx[w++] = r;
      else tmp[t++] = r;
    }
    idx.set(tmp.subarray(0, t), w);
    const mid = w;
    const l: Leaf = { node: ln, start: leaf.start, end: mid, depth: leaf.depth + 1, G: s.GL, H: s.HL, C: mid - leaf.start, hist: null, split: null };
    const r: Leaf = { node: rn, start: mid, end: leaf.end, depth: leaf.depth + 1, G: leaf.G - s.GL, H: leaf.H - s.HL, C: leaf.end - mid, hist: null, split: null };
    const small = l.C <= r.C ? l : r;
    const large = small === l ? r : l;
    const splitSmall = this.canSplit(small);
    const splitLarge = this.canSplit(large);
    const parentHist = leaf.hist;
    leaf.hist = null;
    if (splitLarge && parentHist) {
      const sh = this.takeHist();
      this.buildHist(sh, small.start, small.end);
      this.subtractHist(parentHist, sh);
      large.hist = parentHist;
      if (splitSmall) small.hist = sh;
      else this.releaseHist(sh);
    } else {
      this.releaseHist(parentHist);
      if (splitSmall) {
        small.hist = this.takeHist();
        this.buildHist(small.hist, small.start, small.end);
      }
      if (splitLarge) {
        large.hist = this.takeHist();
        this.buildHist(large.hist, large.start, large.end);
      }
    }
    if (small.hist) small.split = this.findSplit(small);
    if (large.hist) large.split = this.findSplit(large);
    for (const c of [small, large]) {
      if (!c.split) {
        this.releaseHist(c.hist);
        c.hist = null;
      }
    }
    return [l, r];
  }
}

export { GbdtModel };
export type { GbdtModelJson, TreeJson };
