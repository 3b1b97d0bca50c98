import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { schema, type Tx } from '../../db/client.ts';
import { defaultRiskConfig, type RiskConfig } from './engine.ts';

export interface SelectivitySeed {
  /** public name of the seed, recorded with each decision */
  id: string;
  /** the secret itself: never leaves the server */
  secret: string;
}

const KEY = 'selectivity.seed';

/** The installation's secret seed for random control, made once at first use. */
export async function selectivitySeed(db: Tx, clock: Clock): Promise<SelectivitySeed> {
  const found = await db.select().from(schema.settings).where(eq(schema.settings.key, KEY));
  if (found[0]) return found[0].value as SelectivitySeed;
  const now = clock.now();
  const value: SelectivitySeed = {
    id: `seed-${now.toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`,
    secret: randomBytes(32).toString('base64url'),
  };
  await db.insert(schema.settings).values({ key: KEY, value, updatedAt: now }).onConflictDoNothing();
  const again = await db.select().from(schema.settings).where(eq(schema.settings.key, KEY));
  return again[0].value as SelectivitySeed;
}

export { sql };

// ---------------------------------------------------------------- selectivity settings per administration

/**
 * The selectivity settings an administration may change, parsed at the edge: every number within
 * its range, unknown keys refused (by name). What is stored is the administration's overrides of
 * the defaults (a sparse document); the effective settings are the defaults with the overrides on
 * top. A key left out of the document takes its default again: that is how an override is removed.
 */
const share = (what: string) => z.number({ error: `must be a number: ${what}` }).min(0, 'must be at least 0').max(1, 'must be at most 1 (a share, not a percentage)');
const points = z.number().min(-100, 'must be at least -100').max(100, 'must be at most 100');
const score = z.number().min(0, 'must be at least 0').max(100, 'must be at most 100 (scores run from 0 to 100)');
const count = (max: number) => z.number().int('must be a whole number').min(0, 'must not be negative').max(max, `must be at most ${max}`);
export const OFFICE_CODE = /^[A-Z]{2}[A-Z0-9]{3}$/;
const officeCode = z.string().regex(OFFICE_CODE, 'must be a customs office code (UN/LOCODE, e.g. GTPRQ)');

export const capacitySchema = z.strictObject({
  red: share('expected share of reds in a day'),
  yellow: share('expected share of yellows in a day'),
  minPerDay: count(100_000),
});

/** The overrides document (PUT /api/v1/risk/config). */
export const riskOverridesSchema = z.strictObject({
  thresholds: z.strictObject({ medium: score, high: score, blue: score }).partial().optional(),
  randomRate: z.strictObject({ default: share('random control rate').optional(), offices: z.record(officeCode, share('random control rate')).optional() }).optional(),
  capacity: z.strictObject({ default: capacitySchema.partial().optional(), offices: z.record(officeCode, capacitySchema).optional() }).optional(),
  standing: z.strictObject({ new: points, regular: points, good: points, poor: points, aeo: points }).partial().optional(),
  modelWeight: z.number().min(0, 'must be at least 0').max(100, 'must be at most 100').optional(),
  review: z.strictObject({ minControls: count(1_000_000).min(1, 'must be at least 1'), minHitRate: share('hit rate') }).partial().optional(),
});
export type RiskOverrides = z.infer<typeof riskOverridesSchema>;

/** A change of the settings as sent: the whole overrides document and why. */
export const riskConfigChangeSchema = riskOverridesSchema.extend({
  reason: z.string().trim().min(5, 'must say why, in at least 5 characters').max(2000),
});

export const riskConfigRevertSchema = z.strictObject({
  version: z.number().int('must be a whole number').min(1, 'must be a version number (1 or more)'),
  reason: z.string().trim().min(5, 'must say why, in at least 5 characters').max(2000),
});

export interface ConfigProblem {
  path: string;
  code: string;
  message: string;
}

/** Rules across fields of the effective settings (thresholds ordered). */
export function effectiveProblems(c: RiskConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const t = c.thresholds;
  if (!(t.blue <= t.medium)) out.push({ path: 'thresholds.blue', code: 'thresholds_order', message: `must not exceed thresholds.medium (${t.medium}): blue <= medium < high` });
  if (!(t.medium < t.high)) out.push({ path: 'thresholds.medium', code: 'thresholds_order', message: `must be below thresholds.high (${t.high}): blue <= medium < high` });
  for (const [k, cap] of Object.entries({ default: c.capacity.default, ...c.capacity.offices })) {
    if (cap.red + cap.yellow > 1) out.push({ path: k === 'default' ? 'capacity.default' : `capacity.offices.${k}`, code: 'capacity_over_one', message: 'red + yellow must not exceed 1' });
  }
  return out;
}

/** The defaults with the overrides on top. */
export function applyOverrides(base: RiskConfig, v: RiskOverrides): RiskConfig {
  return {
    thresholds: { ...base.thresholds, ...v.thresholds },
    randomRate: { default: v.randomRate?.default ?? base.randomRate.default, offices: { ...base.randomRate.offices, ...v.randomRate?.offices } },
    capacity: { default: { ...base.capacity.default, ...v.capacity?.default }, offices: { ...base.capacity.offices, ...v.capacity?.offices } },
    standing: { ...base.standing, ...v.standing },
    modelWeight: v.modelWeight ?? base.modelWeight,
    review: { ...base.review, ...v.review },
  };
}

/**
 * What is stored, read defensively: a document stored before settings were parsed (or edited by
 * hand) may hold anything; each top-level part that does not parse is ignored (its defaults
 * apply), so that a bad setting can never make an assessment fail.
 */
export function readOverrides(stored: unknown): { overrides: RiskOverrides; ignored: string[] } {
  if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return { overrides: {}, ignored: [] };
  const whole = riskOverridesSchema.safeParse(stored);
  if (whole.success) return { overrides: whole.data, ignored: [] };
  const out: Record<string, unknown> = {};
  const ignored: string[] = [];
  const shape = riskOverridesSchema.shape as Record<string, z.ZodType>;
  for (const [k, v] of Object.entries(stored as Record<string, unknown>)) {
    const part = shape[k]?.safeParse(v);
    if (part?.success) out[k] = part.data;
    else ignored.push(k);
  }
  return { overrides: out as RiskOverrides, ignored };
}

/** The effective settings of an administration from what is stored; never throws. */
export function effectiveRiskConfig(randomControlRate: number, stored: unknown): RiskConfig {
  const base = defaultRiskConfig(randomControlRate);
  const { overrides } = readOverrides(stored);
  const c = applyOverrides(base, overrides);
  // a stored document out of order (from before the checks) falls back to the default thresholds
  if (effectiveProblems(c).some((p) => p.path.startsWith('thresholds'))) c.thresholds = base.thresholds;
  return c;
}
