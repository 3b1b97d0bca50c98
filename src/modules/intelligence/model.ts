/**
 * A trained gradient-boosted tree model: versioned JSON form, prediction compiled to flat typed
 * arrays, and exact per-prediction explanations by TreeSHAP (path-dependent, Lundberg et al.
 * 2018, Algorithm 2): contributions plus the expected value sum to the raw margin.
 */
import { categoryLookup, type FeatureKind, type RawMatrix } from './binning.ts';

export const MODEL_FORMAT = 'centinela-gbdt';
export const MODEL_VERSION = 1;

export interface TreeJson {
  /** per node: the feature split on, or -1 for a leaf */
  feature: number[];
  /** numeric split: a value goes left when value <= threshold */
  threshold: number[];
  /** categorical split: the category codes going left (others right); null for numeric splits and leaves */
  catLeft: (number[] | null)[];
  /** 1 when missing values (numeric) or missing / rare / unseen categories go left */
  defaultLeft: number[];
  left: number[];
  right: number[];
  /** leaf values (learning rate applied); 0 for internal nodes */
  value: number[];
  /** training rows that reached the node */
  cover: number[];
  /** split gain (0 for leaves) */
  gain: number[];
}

export interface ModelFeature {
  name: string;
  kind: FeatureKind;
  /** categorical: the category codes the model knows; every other code is "other / unknown" */
  categories?: number[];
}

export interface GbdtModelJson {
  format: typeof MODEL_FORMAT;
  version: number;
  features: ModelFeature[];
  baseScore: number;
  params: Record<string, unknown>;
  bestIteration: number;
  trees: TreeJson[];
  trainedRows?: number;
  metric?: { name: string; value: number };
}

/** All trees flattened into typed arrays. */
interface Compiled {
  roots: Int32Array;
  depth: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
  cover: Float64Array;
  defaultLeft: Uint8Array;
  /** offset into catBits (a bitset over the feature's bins per categorical node), -1 for numeric */
  catOff: Int32Array;
  catBits: Uint32Array;
  /** per feature: code -> bin lookup (categorical), else empty */
  lut: Uint16Array[];
  isCat: Uint8Array;
}

export class GbdtModel {
  private compiled?: Compiled;

  constructor(readonly json: GbdtModelJson) {}

  static fromJSON(obj: unknown): GbdtModel {
    const j = obj as GbdtModelJson;
    if (!j || typeof j !== 'object' || j.format !== MODEL_FORMAT) throw new Error(`not a ${MODEL_FORMAT} model (format field missing or different)`);
    if (j.version !== MODEL_VERSION) throw new Error(`model format version ${j.version} is not supported (this build reads version ${MODEL_VERSION})`);
    if (!Array.isArray(j.trees) || !Array.isArray(j.features)) throw new Error('model has no trees or features');
    return new GbdtModel(j);
  }

  toJSON(): GbdtModelJson {
    return this.json;
  }

  get featureNames(): string[] {
    return this.json.features.map((f) => f.name);
  }

  private compile(): Compiled {
    if (this.compiled) return this.compiled;
    const { trees, features } = this.json;
    let total = 0;
    let catWords = 0;
    const words = features.map((f) => ((f.categories?.length ?? 0) + 1 + 31) >>> 5);
    for (const t of trees) {
      total += t.feature.length;
      t.catLeft.forEach((c, i) => {
        if (c) catWords += words[t.feature[i]];
      });
    }
    const lut = features.map((f) => (f.kind === 'categorical' ? categoryLookup(f.categories ?? []) : new Uint16Array(0)));
    const c: Compiled = {
      roots: new Int32Array(trees.length),
      depth: new Int32Array(trees.length),
      feature: new Int32Array(total),
      threshold: new Float64Array(total),
      left: new Int32Array(total),
      right: new Int32Array(total),
      value: new Float64Array(total),
      cover: new Float64Array(total),
      defaultLeft: new Uint8Array(total),
      catOff: new Int32Array(total).fill(-1),
      catBits: new Uint32Array(catWords),
      lut,
      isCat: Uint8Array.from(features.map((f) => (f.kind === 'categorical' ? 1 : 0))),
    };
    let base = 0;
    let co = 0;
    trees.forEach((t, ti) => {
      c.roots[ti] = base;
      for (let i = 0; i < t.feature.length; i++) {
        const g = base + i;
        const f = t.feature[i];
        c.feature[g] = f;
        c.value[g] = t.value[i];
        c.cover[g] = t.cover[i];
        if (f < 0) continue;
        c.left[g] = base + t.left[i];
        c.right[g] = base + t.right[i];
        c.threshold[g] = t.threshold[i];
        c.defaultLeft[g] = t.defaultLeft[i] ? 1 : 0;
        const cats = t.catLeft[i];
        if (cats) {
          c.catOff[g] = co;
          const l = lut[f];
          if (t.defaultLeft[i]) c.catBits[co] |= 1;
          for (const code of cats) {
            const b = code < l.length ? l[code] : 0;
            if (b) c.catBits[co + (b >>> 5)] |= 1 << (b & 31);
          }
          co += words[f];
        }
      }
      c.depth[ti] = treeDepth(t, 0);
      base += t.feature.length;
    });
    this.compiled = c;
    return c;
  }

  private checkMatrix(x: RawMatrix) {
    const fs = this.json.features;
    if (x.columns.length !== fs.length) throw new Error(`the model expects ${fs.length} features, the data has ${x.columns.length}`);
  }

  /** Raw margins (log-odds) for every row. */
  predictMargin(x: RawMatrix): Float64Array {
    this.checkMatrix(x);
    const c = this.compile();
    const out = new Float64Array(x.nRows);
    const cols = x.columns;
    const { roots, feature, threshold, left, right, value, defaultLeft, catOff, catBits, lut } = c;
    const base = this.json.baseScore;
    for (let r = 0; r < x.nRows; r++) {
      let s = base;
      for (let t = 0; t < roots.length; t++) {
        let node = roots[t];
        let f = feature[node];
        while (f >= 0) {
          const v = cols[f][r];
          let goLeft: boolean;
          const co = catOff[node];
          if (co >= 0) {
            const l = lut[f];
            const b = v >= 0 && v < l.length ? l[v] : 0;
            goLeft = (catBits[co + (b >>> 5)] & (1 << (b & 31))) !== 0;
          } else goLeft = v !== v ? defaultLeft[node] === 1 : v <= threshold[node];
          node = goLeft ? left[node] : right[node];
          f = feature[node];
        }
        s += value[node];
      }
      out[r] = s;
    }
    return out;
  }

  /** Probabilities of fraud. */
  predict(x: RawMatrix): Float64Array {
    const m = this.predictMargin(x);
    for (let i = 0; i < m.length; i++) m[i] = 1 / (1 + Math.exp(-m[i]));
    return m;
  }

  /** The margin of an empty coalition: the base score plus every tree's cover-weighted mean leaf. */
  expectedValue(): number {
    const c = this.compile();
    let s = this.json.baseScore;
    for (let t = 0; t < c.roots.length; t++) s += meanValue(c, c.roots[t]);
    return s;
  }

  /**
   * TreeSHAP contributions for one row: an array of length nFeatures + 1 whose last entry is the
   * expected value; the entries sum to the row's margin.
   */
  shap(x: RawMatrix, row: number): Float64Array {
    this.checkMatrix(x);
    const c = this.compile();
    const nf = this.json.features.length;
    const phi = new Float64Array(nf + 1);
    let maxDepth = 0;
    for (let t = 0; t < c.depth.length; t++) maxDepth = Math.max(maxDepth, c.depth[t]);
    const size = ((maxDepth + 3) * (maxDepth + 4)) / 2;
    const path: PathBuf = { feat: new Int32Array(size), zero: new Float64Array(size), one: new Float64Array(size), pw: new Float64Array(size) };
    const goesLeft = (node: number) => goLeftAt(c, x, row, node);
    for (let t = 0; t < c.roots.length; t++) {
      shapRecurse(c, goesLeft, phi, path, c.roots[t], 0, 0, 1, 1, -1);
    }
    phi[nf] = this.expectedValue();
    return phi;
  }

  /** Total split gain per feature (an overall importance). */
  gainImportance(): { name: string; gain: number }[] {
    const g = new Float64Array(this.json.features.length);
    for (const t of this.json.trees) for (let i = 0; i < t.feature.length; i++) if (t.feature[i] >= 0) g[t.feature[i]] += t.gain[i];
    return this.json.features.map((f, i) => ({ name: f.name, gain: g[i] })).sort((a, b) => b.gain - a.gain);
  }
}

function treeDepth(t: TreeJson, node: number): number {
  if (t.feature[node] < 0) return 0;
  return 1 + Math.max(treeDepth(t, t.left[node]), treeDepth(t, t.right[node]));
}

function meanValue(c: Compiled, node: number): number {
  if (c.feature[node] < 0) return c.value[node];
  const l = c.left[node];
  const r = c.right[node];
  const w = c.cover[node];
  if (w <= 0) return 0;
  return (c.cover[l] * meanValue(c, l) + c.cover[r] * meanValue(c, r)) / w;
}

function goLeftAt(c: Compiled, x: RawMatrix, r: number, node: number): boolean {
  const f = c.feature[node];
  const v = x.columns[f][r];
  const co = c.catOff[node];
  if (co >= 0) {
    const l = c.lut[f];
    const b = v >= 0 && v < l.length ? l[v] : 0;
    return (c.catBits[co + (b >>> 5)] & (1 << (b & 31))) !== 0;
  }
  return Number.isNaN(v) ? c.defaultLeft[node] === 1 : v <= c.threshold[node];
}

interface PathBuf {
  feat: Int32Array;
  zero: Float64Array;
  one: Float64Array;
  pw: Float64Array;
}

// The unique path lives in PathBuf from offset `p` with `d + 1` elements (Lundberg et al., Algorithm 2).
function extendPath(b: PathBuf, p: number, d: number, zero: number, one: number, feat: number) {
  b.feat[p + d] = feat;
  b.zero[p + d] = zero;
  b.one[p + d] = one;
  b.pw[p + d] = d === 0 ? 1 : 0;
  for (let i = d - 1; i >= 0; i--) {
    b.pw[p + i + 1] += (one * b.pw[p + i] * (i + 1)) / (d + 1);
    b.pw[p + i] = (zero * b.pw[p + i] * (d - i)) / (d + 1);
  }
}

function unwindPath(b: PathBuf, p: number, d: number, k: number) {
  const one = b.one[p + k];
  const zero = b.zero[p + k];
  let next = b.pw[p + d];
  for (let i = d - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = b.pw[p + i];
      b.pw[p + i] = (next * (d + 1)) / ((i + 1) * one);
      next = tmp - (b.pw[p + i] * zero * (d - i)) / (d + 1);
    } else {
      b.pw[p + i] = (b.pw[p + i] * (d + 1)) / (zero * (d - i));
    }
  }
  for (let i = k; i < d; i++) {
    b.feat[p + i] = b.feat[p + i + 1];
    b.zero[p + i] = b.zero[p + i + 1];
    b.one[p + i] = b.one[p + i + 1];
  }
}

function unwoundSum(b: PathBuf, p: number, d: number, k: number): number {
  const one = b.one[p + k];
  const zero = b.zero[p + k];
  let next = b.pw[p + d];
  let total = 0;
  for (let i = d - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = (next * (d + 1)) / ((i + 1) * one);
      total += tmp;
      next = b.pw[p + i] - (tmp * zero * (d - i)) / (d + 1);
    } else {
      total += b.pw[p + i] / ((zero * (d - i)) / (d + 1));
    }
  }
  return total;
}

function shapRecurse(
  c: Compiled,
  goesLeft: (node: number) => boolean,
  phi: Float64Array,
  b: PathBuf,
  node: number,
  parentP: number,
  depth: number,
  zero: number,
  one: number,
  feat: number,
) {
  // copy the parent's path to a fresh segment, then extend it
  const p = parentP + depth; // parent segment has `depth` elements in use (depth - 1 + 1); ours starts after it
  if (depth > 0) {
    b.feat.copyWithin(p, parentP, parentP + depth);
    b.zero.copyWithin(p, parentP, parentP + depth);
    b.one.copyWithin(p, parentP, parentP + depth);
    b.pw.copyWithin(p, parentP, parentP + depth);
  }
  extendPath(b, p, depth, zero, one, feat);
  const f = c.feature[node];
  if (f < 0) {
    const v = c.value[node];
    for (let i = 1; i <= depth; i++) {
      const w = unwoundSum(b, p, depth, i);
      phi[b.feat[p + i]] += w * (b.one[p + i] - b.zero[p + i]) * v;
    }
    return;
  }
  const left = goesLeft(node);
  const hot = left ? c.left[node] : c.right[node];
  const cold = left ? c.right[node] : c.left[node];
  const w = c.cover[node];
  const hotZero = w > 0 ? c.cover[hot] / w : 0;
  const coldZero = w > 0 ? c.cover[cold] / w : 0;
  let inZero = 1;
  let inOne = 1;
  let d = depth;
  let k = 0;
  for (; k <= d; k++) if (b.feat[p + k] === f) break;
  if (k !== d + 1) {
    inZero = b.zero[p + k];
    inOne = b.one[p + k];
    unwindPath(b, p, d, k);
    d -= 1;
  }
  shapRecurse(c, goesLeft, phi, b, hot, p, d + 1, hotZero * inZero, inOne, f);
  shapRecurse(c, goesLeft, phi, b, cold, p, d + 1, coldZero * inZero, 0, f);
}
