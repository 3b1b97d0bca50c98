import { z } from 'zod';

/** Detector thresholds; each administration may override any of them (table transit_thresholds). */
export interface Thresholds {
  /** road distance = straight-line distance × this */
  roadFactor: number;
  /** speeds used to set the time limit, km/h of road distance, by mode */
  limitSpeedKmh: { road: number; rail: number; maritime: number };
  /** hours allowed per land border crossed (queues, controls) */
  borderAllowanceHours: number;
  /** fixed hours added to every time limit (loading, rest) */
  baseHours: number;
  /** a checkpoint reached this long after its expected time is overdue */
  checkpointToleranceHours: number;
  /**
   * an arrival this long after the time limit is overdue: the administration's tolerance on the
   * limit the office of departure declared (or, when it declared none, on the one Centinela proposes)
   */
  arrivalToleranceHours: number;
  /** a transit still open this long after its time limit was never closed */
  closureGraceHours: number;
  /** a skipped checkpoint is judged only once the later read is this old (reads from offline posts come late) */
  settleHours: number;
  /** weighings differing from the declared mass (or the previous weighing) by more than this */
  weightTolerancePct: number;
  /** straight-line speed between two located events above which travel is impossible */
  maxSpeedKmh: number;
  /** distances below this are not judged for speed (positioning error) */
  minDistanceKm: number;
  /** two reads of one tag closer in time than this and farther apart than cloneMinKm: a cloned tag */
  cloneWindowMinutes: number;
  cloneMinKm: number;
  /** goods discharged must be declared within this many days */
  declarationPeriodDays: number;
  /** a declared consignment should be discharged within this many days of arrival or lodgement */
  dischargeGraceDays: number;
  /** manifest vs discharge: packages may differ by at most this many, mass by at most this percentage */
  packagesTolerance: number;
  massTolerancePct: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  roadFactor: 1.3,
  limitSpeedKmh: { road: 30, rail: 25, maritime: 20 },
  borderAllowanceHours: 8,
  baseHours: 12,
  checkpointToleranceHours: 12,
  arrivalToleranceHours: 2,
  closureGraceHours: 72,
  settleHours: 48,
  weightTolerancePct: 3,
  maxSpeedKmh: 120,
  minDistanceKm: 25,
  cloneWindowMinutes: 60,
  cloneMinKm: 50,
  declarationPeriodDays: 15,
  dischargeGraceDays: 5,
  packagesTolerance: 0,
  massTolerancePct: 5,
};

const pos = z.number().positive('must be greater than zero');
const nonneg = z.number().nonnegative('must not be negative');

/** A partial override of the thresholds, as an administration sends it. */
export const thresholdsPatchSchema = z.strictObject({
  roadFactor: z.number().min(1, 'must be at least 1').max(3, 'must be at most 3').optional(),
  limitSpeedKmh: z.strictObject({ road: pos.max(120), rail: pos.max(120), maritime: pos.max(60) }).partial().optional(),
  borderAllowanceHours: nonneg.max(96).optional(),
  baseHours: nonneg.max(240).optional(),
  checkpointToleranceHours: nonneg.max(240).optional(),
  arrivalToleranceHours: nonneg.max(240).optional(),
  closureGraceHours: nonneg.max(2400).optional(),
  settleHours: nonneg.max(720).optional(),
  weightTolerancePct: pos.max(100).optional(),
  maxSpeedKmh: pos.max(1000).optional(),
  minDistanceKm: nonneg.max(500).optional(),
  cloneWindowMinutes: pos.max(1440).optional(),
  cloneMinKm: pos.max(2000).optional(),
  declarationPeriodDays: pos.max(365).optional(),
  dischargeGraceDays: pos.max(365).optional(),
  packagesTolerance: z.number().int('must be a whole number').nonnegative('must not be negative').optional(),
  massTolerancePct: pos.max(100).optional(),
});
export type ThresholdsPatch = z.infer<typeof thresholdsPatchSchema>;

export function mergeThresholds(patch: ThresholdsPatch | undefined | null): Thresholds {
  if (!patch) return DEFAULT_THRESHOLDS;
  return { ...DEFAULT_THRESHOLDS, ...patch, limitSpeedKmh: { ...DEFAULT_THRESHOLDS.limitSpeedKmh, ...(patch.limitSpeedKmh ?? {}) } } as Thresholds;
}
