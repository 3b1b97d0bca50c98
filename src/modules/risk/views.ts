/**
 * What the risk API answers for effectiveness and backtests: plain types with no imports, so that
 * the web application (web/src/api/types.ts) uses the very same definitions as the server.
 */

export interface EffectivenessRow {
  key: string;
  label: string;
  controls: number;
  hits: number;
  hitRate: number;
  seizures: number;
  extraRevenueUsd: number;
}

export interface Effectiveness {
  country: string;
  from: string;
  to: string;
  decisions: { total: number; byChannel: Record<string, number> };
  controlsOpen: number;
  byCriterion: (EffectivenessRow & { flaggedForReview: boolean; reviewReason: string | null })[];
  byOffice: EffectivenessRow[];
  byOfficer: EffectivenessRow[];
  byChannel: EffectivenessRow[];
  randomControl: { controls: number; compliant: number; complianceRate: number | null; ci95: [number, number] | null; note: string };
  overall: EffectivenessRow;
}

export interface BacktestResult {
  country: string;
  from: string;
  to: string;
  labels: 'results' | 'ground_truth';
  labelsNote: string;
  declarations: number;
  selected: number;
  selectionRate: number;
  /** selected declarations that have a label (a control result, or ground truth) */
  labelled: number;
  hits: number;
  precision: number | null;
  /** hits ÷ all frauds known in the period (ground truth only) */
  recall: number | null;
  revenueUsd: number;
  baseRate: number | null;
  lift: number | null;
  /** declarations the expression could not be evaluated on (an error, or its time budget exceeded) */
  errors: number;
  /** of which: stopped at the time budget of one evaluation */
  budgetExceeded?: number;
  /** the first few failures, with the declaration they happened on */
  errorSamples?: { reference: string; message: string }[];
  /** how the trader's history criteria see was computed */
  traderHistory: string;
  /** where the time went: reading what changed into the snapshot, scanning it, the rest is labels */
  timing: { seconds: number; loadSeconds: number; loadedRecords: number; scanSeconds: number; snapshotRecords: number };
  seconds: number;
  examples: { reference: string; hit: boolean | null }[];
}
