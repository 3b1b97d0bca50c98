/**
 * Metrics for ranking declarations by risk: AUC (ties get the average rank), precision and
 * recall when the top n% are inspected, and log-loss. Pure functions over typed arrays.
 */

type Num = ArrayLike<number>;

/** Area under the ROC curve (Mann-Whitney U with average ranks for tied scores). NaN when one class is absent. */
export function auc(labels: Num, scores: Num): number {
  const n = labels.length;
  const order = sortedIndex(scores, false);
  let pos = 0;
  let rankSumPos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const avgRank = (i + j) / 2 + 1; // ranks are 1-based
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] > 0.5) {
        pos++;
        rankSumPos += avgRank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Row indices sorted by score (descending when desc), ties by row index, so the order is deterministic. */
export function sortedIndex(scores: Num, desc: boolean): Uint32Array {
  const n = scores.length;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const s = Float64Array.from(scores as ArrayLike<number>);
  return idx.sort(desc ? (a, b) => s[b] - s[a] || a - b : (a, b) => s[a] - s[b] || a - b);
}

/** How many declarations are inspected at pct% of n: round(n * pct / 100), at least 1. */
export function inspectedCount(n: number, pct: number): number {
  return Math.max(1, Math.round((n * pct) / 100));
}

export interface TopKMetric {
  pct: number;
  inspected: number;
  hits: number;
  precision: number;
  recall: number;
}

/** Rank by score (highest first), inspect the top pct%: precision = hits / inspected, recall = hits / all frauds. */
export function precisionRecallAt(labels: Num, scores: Num, pcts: number[] = [1, 2, 5, 10]): TopKMetric[] {
  const order = sortedIndex(scores, true);
  let totalPos = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > 0.5) totalPos++;
  return pcts.map((pct) => {
    const k = inspectedCount(labels.length, pct);
    let hits = 0;
    for (let i = 0; i < k; i++) if (labels[order[i]] > 0.5) hits++;
    return { pct, inspected: k, hits, precision: hits / k, recall: totalPos ? hits / totalPos : NaN };
  });
}

/** Mean binary log-loss of probabilities (clipped to [1e-15, 1 - 1e-15]). */
export function logloss(labels: Num, probs: Num): number {
  let s = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, probs[i]));
    s -= labels[i] > 0.5 ? Math.log(p) : Math.log(1 - p);
  }
  return s / labels.length;
}

export interface EvalReport {
  n: number;
  positives: number;
  auc: number;
  logloss?: number;
  top: TopKMetric[];
}

export function evaluate(labels: Num, scores: Num, probs?: Num): EvalReport {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > 0.5) positives++;
  return {
    n: labels.length,
    positives,
    auc: auc(labels, scores),
    ...(probs ? { logloss: logloss(labels, probs) } : {}),
    top: precisionRecallAt(labels, scores),
  };
}

/** One line per metric, for the CLI and the benchmark. */
export function formatReport(r: EvalReport): string {
  const lines = [`AUC ${r.auc.toFixed(4)}${r.logloss !== undefined ? `  logloss ${r.logloss.toFixed(4)}` : ''}  (${r.n} rows, ${r.positives} frauds)`];
  for (const t of r.top) {
    lines.push(`top ${String(t.pct).padStart(2)}% (${t.inspected} inspected): precision ${t.precision.toFixed(4)}  recall ${t.recall.toFixed(4)}`);
  }
  return lines.join('\n');
}
