/**
 * The hot loop of tree growing, for one contiguous range of features (a "shard"): histogram
 * building (column-wise for large nodes, row-wise for small ones, from gradients gathered in node
 * order), the subtraction trick, and the best numeric / categorical split of each child.
 *
 * The trainer splits the features into shards by cost and runs one shard on the main thread and
 * the other on a worker thread over SharedArrayBuffers (see hist-worker.ts); with one thread, the
 * main thread runs every shard in turn. Each shard reads the same job and writes its own result
 * slots, and the trainer combines them in feature order, so a model is the same whatever the
 * number of threads.
 *
 * This file must stay self-contained (no imports, no module-level state): the worker receives
 * the class's source text.
 */

/** job layout (Float64Array, written by the trainer) */
export const JOB = {
  op: 0, // 0 = root (child A only), 1 = split
  aStart: 1,
  aEnd: 2,
  aSlot: 3, // histogram slot of child A (built from rows), -1 = none
  aFind: 4, // 1 = find the best split of child A
  aG: 5,
  aH: 6,
  aC: 7,
  bStart: 8,
  bEnd: 9,
  bSlot: 10, // histogram slot of child B, -1 = none
  bFromParent: 11, // 1 = slot bSlot holds the parent: B = parent - A (in place)
  bFind: 12,
  bG: 13,
  bH: 14,
  bC: 15,
  size: 16,
} as const;

/** result layout per shard and child (Float64Array) */
export const RES = { gain: 0, feature: 1, threshold: 2, GL: 3, HL: 4, CL: 5, size: 6 } as const;

/** split parameters, in this order, as a Float64Array */
export const SPLIT_PARAMS = ['lambda', 'minDataInLeaf', 'minChildWeight', 'catSmooth', 'catL2', 'maxCatThreshold', 'minDataPerGroup', 'maxCatToOnehot'] as const;

export interface ShardData {
  shard: number;
  n: number;
  nf: number;
  f0: number;
  f1: number;
  nBins: Int32Array;
  isCat: Uint8Array;
  /** global bin offsets per feature (nf + 1) */
  offset: Int32Array;
  /** column-major global bins: cbin[f * n + r] = offset[f] + bin */
  cbin: Uint16Array;
  /** row-major global bins: rbin[r * nf + f] */
  rbin: Uint16Array;
  /** gradient / hessian interleaved per row */
  gh: Float64Array;
  idx: Uint32Array;
  job: Float64Array;
  /** per child (2 x nf): 1 = the feature may be used for this child's split */
  featOn: Uint8Array;
  /** per shard x child x RES.size */
  res: Float64Array;
  /** per shard x child x maxBins: bins going left */
  resMask: Uint8Array;
  maxBins: number;
  params: Float64Array;
  /** a node with fewer rows than this builds its histogram row by row */
  rowWiseBelow: number;
}

export class HistShard {
  private readonly d: ShardData;
  private readonly lo: number;
  private readonly width: number;
  private readonly hists: Float64Array[] = [];
  private readonly og: Float64Array;
  private readonly catIdx: Int32Array;
  private readonly catRatio: Float64Array;
  private readonly sortBuf: number[] = [];
  // best split of the child being searched
  private bGain = 0;
  private bFeature = -1;
  private bThreshold = 0;
  private bGL = 0;
  private bHL = 0;
  private bCL = 0;
  private bCount = 0;
  private bDir = 0;
  private bDef = 0;
  private bBin = 0;

  constructor(d: ShardData) {
    this.d = d;
    this.lo = d.offset[d.f0];
    this.width = (d.offset[d.f1] - this.lo) * 2;
    this.og = new Float64Array(d.n * 2);
    this.catIdx = new Int32Array(d.maxBins);
    this.catRatio = new Float64Array(d.maxBins);
  }

  private hist(slot: number): Float64Array {
    let h = this.hists[slot];
    if (!h) {
      h = new Float64Array(this.width);
      this.hists[slot] = h;
    }
    return h;
  }

  run(): void {
    const j = this.d.job;
    const aSlot = j[3];
    const bSlot = j[10];
    if (aSlot >= 0) this.build(this.hist(aSlot), j[1], j[2]);
    if (j[0] === 1 && bSlot >= 0) {
      if (j[11] === 1) {
        if (aSlot >= 0) this.subtract(this.hist(bSlot), this.hist(aSlot));
      } else this.build(this.hist(bSlot), j[8], j[9]);
    }
    this.find(0, j[4] === 1 && aSlot >= 0 ? this.hists[aSlot] : null, j[5], j[6], j[7]);
    if (j[0] === 1) this.find(1, j[12] === 1 && bSlot >= 0 ? this.hists[bSlot] : null, j[13], j[14], j[15]);
  }

  private build(h: Float64Array, start: number, end: number): void {
    const d = this.d;
    const { idx, gh, n, nf, f0, f1 } = d;
    const og = this.og;
    const m = end - start;
    const lo2 = this.lo * 2;
    h.fill(0);
    for (let i = 0; i < m; i++) {
      const r = idx[start + i] * 2;
      og[2 * i] = gh[r];
      og[2 * i + 1] = gh[r + 1];
    }
    if (m < d.rowWiseBelow) {
      const rbin = d.rbin;
      for (let i = 0; i < m; i++) {
        const base = idx[start + i] * nf;
        const g = og[2 * i];
        const hh = og[2 * i + 1];
        for (let f = f0; f < f1; f++) {
          const k = rbin[base + f] * 2 - lo2;
          h[k] += g;
          h[k + 1] += hh;
        }
      }
    } else {
      const cbin = d.cbin;
      for (let f = f0; f < f1; f++) {
        const base = f * n;
        for (let i = 0; i < m; i++) {
          const k = cbin[base + idx[start + i]] * 2 - lo2;
          h[k] += og[2 * i];
          h[k + 1] += og[2 * i + 1];
        }
      }
    }
  }

  private subtract(parent: Float64Array, child: Float64Array): void {
    for (let k = 0, e = parent.length; k < e; k++) parent[k] -= child[k];
  }

  private find(child: number, h: Float64Array | null, G: number, H: number, C: number): void {
    const d = this.d;
    const r = (d.shard * 2 + child) * 6;
    const res = d.res;
    res[r] = 0;
    res[r + 1] = -1;
    if (!h) return;
    this.bGain = 0;
    this.bFeature = -1;
    const on = d.featOn;
    const fo = child * d.nf;
    const mb = (d.shard * 2 + child) * d.maxBins;
    for (let f = d.f0; f < d.f1; f++) {
      if (!on[fo + f]) continue;
      const before = this.bFeature;
      if (d.isCat[f]) this.catSplit(h, f, G, H, C);
      else this.numSplit(h, f, G, H, C);
      if (this.bFeature !== before) {
        // a new best: write its mask now (later features only replace it on a strictly larger gain)
        const nb = d.nBins[f];
        const mask = d.resMask;
        mask.fill(0, mb, mb + nb);
        if (this.bThreshold >= 0) {
          for (let b = 1; b <= this.bThreshold; b++) mask[mb + b] = 1;
          mask[mb] = this.bDef;
        } else if (this.bCount < 0) {
          mask[mb + this.bBin] = 1;
        } else {
          const sorted = this.sortBuf;
          const used = sorted.length;
          for (let i = 0; i < this.bCount; i++) mask[mb + (this.bDir === 1 ? sorted[i] : sorted[used - 1 - i])] = 1;
        }
      }
    }
    res[r] = this.bGain;
    res[r + 1] = this.bFeature;
    res[r + 2] = this.bThreshold;
    res[r + 3] = this.bGL;
    res[r + 4] = this.bHL;
    res[r + 5] = this.bCL;
  }

  private numSplit(h: Float64Array, f: number, G: number, H: number, C: number): void {
    const p = this.d.params;
    const lambda = p[0];
    const minH = p[2];
    // rows are counted from hessians, as LightGBM does: count ~ hessian * C / H
    const cf = C / H;
    const minHD = Math.max(minH, (p[1] - 0.5) / cf);
    const o = (this.d.offset[f] - this.lo) * 2;
    const nb = this.d.nBins[f];
    const parent = (G * G) / (H + lambda);
    const gm = h[o];
    const hm = h[o + 1];
    const hasMissing = hm * cf >= 0.5;
    let GL = 0;
    let HL = 0;
    let bestGain = this.bGain;
    let bestT = -1;
    let bestDef = 0;
    let bGL = 0;
    let bHL = 0;
    const end = o + (nb - 1) * 2;
    for (let k = o + 2; k < end; k += 2) {
      GL += h[k];
      HL += h[k + 1];
      if (h[k + 1] === 0) continue;
      // missing goes right
      if (HL >= minHD) {
        const HR = H - HL;
        if (HR < minHD) break;
        const GR = G - GL;
        const gain = (GL * GL) / (HL + lambda) + (GR * GR) / (HR + lambda) - parent;
        if (gain > bestGain) {
          bestGain = gain;
          bestT = k;
          bestDef = 0;
          bGL = GL;
          bHL = HL;
        }
      }
      if (hasMissing) {
        const gl = GL + gm;
        const hl = HL + hm;
        if (hl >= minHD) {
          const HR = H - hl;
          if (HR < minHD) break;
          const GR = G - gl;
          const gain = (gl * gl) / (hl + lambda) + (GR * GR) / (HR + lambda) - parent;
          if (gain > bestGain) {
            bestGain = gain;
            bestT = k;
            bestDef = 1;
            bGL = gl;
            bHL = hl;
          }
        }
      }
    }
    const bCL = Math.round(bHL * cf);
    if (bestT < 0) return;
    this.bGain = bestGain;
    this.bFeature = f;
    this.bThreshold = (bestT - o) >> 1;
    // no missing values here in training: send missing to the heavier side
    this.bDef = hasMissing ? bestDef : bHL >= H - bHL ? 1 : 0;
    this.bGL = bGL;
    this.bHL = bHL;
    this.bCL = bCL;
  }

  private catSplit(h: Float64Array, f: number, G: number, H: number, C: number): void {
    const p = this.d.params;
    const lambda = p[0];
    const minData = p[1];
    const minH = p[2];
    const catSmooth = p[3];
    const catL2 = p[4];
    const maxCatThreshold = p[5];
    const minDataPerGroup = p[6];
    const maxCatToOnehot = p[7];
    const o = (this.d.offset[f] - this.lo) * 2;
    const cf = C / H;
    const nb = this.d.nBins[f];
    if (nb <= maxCatToOnehot + 1) {
      const parent = (G * G) / (H + lambda);
      let bestGain = this.bGain;
      let bestBin = -1;
      let bGL = 0;
      let bHL = 0;
      let bCL = 0;
      for (let b = 0; b < nb; b++) {
        const k = o + b * 2;
        const GL = h[k];
        const HL = h[k + 1];
        const CL = Math.round(HL * cf);
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
      if (bestBin < 0) return;
      this.bGain = bestGain;
      this.bFeature = f;
      this.bThreshold = -1;
      this.bCount = -1;
      this.bBin = bestBin;
      this.bGL = bGL;
      this.bHL = bHL;
      this.bCL = bCL;
      return;
    }
    // LightGBM-style: keep categories with enough rows in this node, order by smoothed gradient ratio
    const l2 = lambda + catL2;
    const parent = (G * G) / (H + l2);
    const idx = this.catIdx;
    const ratio = this.catRatio;
    let used = 0;
    const minCount = catSmooth > 0 ? catSmooth : 1e-300;
    for (let b = 0; b < nb; b++) {
      const k = o + b * 2;
      if (h[k + 1] * cf >= minCount) {
        idx[used++] = b;
        ratio[b] = h[k] / (h[k + 1] + catSmooth);
      }
    }
    if (used < 2) return;
    // sort by (ratio, bin): insertion sort when few categories pass the count filter
    if (used > 48) {
      const arr = this.sortBuf;
      arr.length = used;
      for (let i = 0; i < used; i++) arr[i] = idx[i];
      arr.sort((a, b) => ratio[a] - ratio[b] || a - b);
      for (let i = 0; i < used; i++) idx[i] = arr[i];
    } else for (let i = 1; i < used; i++) {
      const b = idx[i];
      const rb = ratio[b];
      let j = i - 1;
      while (j >= 0 && (ratio[idx[j]] > rb || (ratio[idx[j]] === rb && idx[j] > b))) {
        idx[j + 1] = idx[j];
        j--;
      }
      idx[j + 1] = b;
    }
    const maxNum = Math.min(maxCatThreshold, (used + 1) >> 1);
    const maxT = Math.max(Math.min(maxNum, used) - 1, 0);
    let bestGain = this.bGain;
    let bestCount = 0;
    let bestDir = 1;
    let bGL = 0;
    let bHL = 0;
    let bCL = 0;
    for (let dir = 1; dir >= -1; dir -= 2) {
      let GL = 0;
      let HL = 0;
      let CL = 0;
      let group = 0;
      let pos = dir === 1 ? 0 : used - 1;
      for (let i = 0; i <= maxT; i++) {
        const b = idx[pos];
        pos += dir;
        const k = o + b * 2;
        GL += h[k];
        HL += h[k + 1];
        const c = h[k + 1] * cf;
        CL += c;
        group += c;
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
    if (bestCount === 0) return;
    const sorted = this.sortBuf;
    sorted.length = used;
    for (let i = 0; i < used; i++) sorted[i] = idx[i];
    this.bGain = bestGain;
    this.bFeature = f;
    this.bThreshold = -1;
    this.bCount = bestCount;
    this.bDir = bestDir;
    this.bGL = bGL;
    this.bHL = bHL;
    this.bCL = Math.round(bCL);
  }
}
