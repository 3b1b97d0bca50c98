/**
 * Feature binning for histogram-based trees. Every feature becomes a column of uint8 bins
 * (column-major, one Uint8Array for all features), except high-cardinality categorical features
 * (importer, declarant, HS6...) with more than 256 kept categories, which get uint16 bins in a
 * second column-major array (up to `maxCatBin` bins). Bin 0 is reserved: for a numeric feature it
 * holds missing values (NaN); for a categorical feature it holds missing, rare (fewer than
 * `minDataPerCategory` rows) and unseen categories, grouped.
 */

export type FeatureKind = 'numeric' | 'categorical';

export interface FeatureSpec {
  name: string;
  kind: FeatureKind;
}

/**
 * A raw feature matrix: one Float64Array per feature (column-major). Numeric values may be NaN
 * (missing); categorical values are non-negative integer codes (NaN or negative = missing).
 */
export interface RawMatrix {
  nRows: number;
  features: FeatureSpec[];
  columns: Float64Array[];
}

export interface NumericBinInfo {
  kind: 'numeric';
  /** upper bounds: a value v goes to bin k + 1 where k is the first index with v <= edges[k]; above all, bin edges.length + 1 */
  edges: number[];
  nBins: number;
}

export interface CategoricalBinInfo {
  kind: 'categorical';
  /** the kept category codes; code categories[k] goes to bin k + 1; every other code to bin 0 */
  categories: number[];
  nBins: number;
}

export type BinInfo = NumericBinInfo | CategoricalBinInfo;

export interface BinnedMatrix {
  nRows: number;
  nFeatures: number;
  /** column-major: bins[f * nRows + r] (zero for wide features) */
  bins: Uint8Array;
  /** wide (more than 256 bins) categorical features: wide[wideSlot[f] * nRows + r] */
  wide: Uint16Array;
  /** per feature: its column in `wide`, or -1 */
  wideSlot: Int32Array;
  info: BinInfo[];
}

export interface BinningOptions {
  maxBin: number;
  /** bins for a categorical feature, at most 65536 (more than 256 uses uint16 storage) */
  maxCatBin: number;
  minDataPerCategory: number;
}

/** The bin of row r of feature f. */
export function binAt(m: BinnedMatrix, f: number, r: number): number {
  const w = m.wideSlot[f];
  return w < 0 ? m.bins[f * m.nRows + r] : m.wide[w * m.nRows + r];
}

/** Learns bin boundaries (numeric) and kept categories (categorical) from the training matrix. */
export function fitBins(m: RawMatrix, opts: BinningOptions): BinInfo[] {
  const maxBin = Math.min(256, Math.max(3, opts.maxBin));
  return m.features.map((spec, f) =>
    spec.kind === 'numeric'
      ? fitNumeric(m.columns[f], maxBin)
      : fitCategorical(m.columns[f], Math.min(65536, Math.max(3, opts.maxCatBin)), opts.minDataPerCategory),
  );
}

function fitNumeric(col: Float64Array, maxBin: number): NumericBinInfo {
  let n = 0;
  const vals = new Float64Array(col.length);
  for (let i = 0; i < col.length; i++) if (!Number.isNaN(col[i])) vals[n++] = col[i];
  const sorted = vals.subarray(0, n).sort();
  const distinct: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) counts[counts.length - 1]++;
    else {
      distinct.push(sorted[i]);
      counts.push(1);
    }
  }
  const edges: number[] = [];
  const slots = maxBin - 1; // bins 1..maxBin-1 for values
  if (distinct.length <= slots) {
    for (let i = 0; i + 1 < distinct.length; i++) edges.push(midpoint(distinct[i], distinct[i + 1]));
  } else {
    // greedy quantiles: close a bin once it holds ~n / slots rows; a heavy value gets a bin of its own
    let remaining = n;
    let binsLeft = slots;
    let acc = 0;
    for (let i = 0; i + 1 < distinct.length && binsLeft > 1; i++) {
      acc += counts[i];
      const target = remaining / binsLeft;
      if (acc >= target || counts[i + 1] >= target) {
        edges.push(midpoint(distinct[i], distinct[i + 1]));
        remaining -= acc;
        acc = 0;
        binsLeft--;
      }
    }
  }
  return { kind: 'numeric', edges, nBins: edges.length + 2 };
}

function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2;
  return m >= b ? a : m; // guard against rounding onto b
}

function fitCategorical(col: Float64Array, maxBin: number, minData: number): CategoricalBinInfo {
  const counts = new Map<number, number>();
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (!(v >= 0)) continue;
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const kept = [...counts.entries()]
    .filter(([, c]) => c >= minData)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, maxBin - 1)
    .map(([code]) => code);
  return { kind: 'categorical', categories: kept, nBins: kept.length + 1 };
}

/** Maps a raw matrix to bins with boundaries learnt by fitBins (for training and validation alike). */
export function applyBins(m: RawMatrix, info: BinInfo[]): BinnedMatrix {
  const n = m.nRows;
  const bins = new Uint8Array(n * info.length);
  const wideSlot = new Int32Array(info.length).fill(-1);
  let nWide = 0;
  info.forEach((inf, f) => {
    if (inf.nBins > 256) wideSlot[f] = nWide++;
  });
  const wide = new Uint16Array(n * nWide);
  for (let f = 0; f < info.length; f++) {
    const col = m.columns[f];
    const out = wideSlot[f] >= 0 ? wide.subarray(wideSlot[f] * n, (wideSlot[f] + 1) * n) : bins.subarray(f * n, (f + 1) * n);
    const inf = info[f];
    if (inf.kind === 'numeric') {
      const e = Float64Array.from(inf.edges);
      for (let r = 0; r < n; r++) out[r] = numericBin(e, col[r]);
    } else {
      const lut = categoryLookup(inf.categories);
      for (let r = 0; r < n; r++) {
        const v = col[r];
        out[r] = v >= 0 && v < lut.length ? lut[v] : 0;
      }
    }
  }
  return { nRows: n, nFeatures: info.length, bins, wide, wideSlot, info };
}

export function numericBin(edges: Float64Array, v: number): number {
  if (Number.isNaN(v)) return 0;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo + 1;
}

/** A dense lookup code -> bin (0 for codes not kept). */
export function categoryLookup(categories: number[]): Uint16Array {
  let max = -1;
  for (const c of categories) if (c > max) max = c;
  const lut = new Uint16Array(max + 1);
  categories.forEach((c, k) => (lut[c] = k + 1));
  return lut;
}
