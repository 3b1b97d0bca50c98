/** Input schemas of the post-clearance audit routes (zod: a 400 names each field at fault). */
import { z } from 'zod';
import { ADMINISTRATIONS } from '../../reference/types.ts';

export const administration = z.enum(ADMINISTRATIONS, { error: `must be one of ${ADMINISTRATIONS.join(', ')}` });
export const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(s)), 'is not a date');
const text = (max: number) => z.string().trim().min(3, 'must say something (3 characters or more)').max(max, `must be at most ${max} characters`);
export const tin = z.string().regex(/^[A-Za-z0-9-]{3,32}$/, 'must be a tax identification number');
const amount = z.number().min(0, 'must not be negative').max(1e12, 'is too large');

export const SENSITIVE_REASONS = ['high_duty', 'excise', 'undervaluation', 'dual_use', 'other'] as const;
export const FINDING_KINDS = ['value', 'classification', 'origin', 'quantity', 'other'] as const;

export const sensitiveBody = z.strictObject({
  country: administration.optional(),
  hs: z.string().regex(/^(\d{4}|\d{6})$/, 'must be an HS heading (4 digits) or subheading (6 digits)'),
  reason: z.enum(SENSITIVE_REASONS, { error: `must be one of ${SENSITIVE_REASONS.join(', ')}` }),
  note: text(500),
  validFrom: day,
  validTo: day.nullable().optional(),
});
export const decisionBody = z.strictObject({ approve: z.boolean(), note: z.string().max(500).optional() });
export const reasonBody = z.strictObject({ reason: text(500) });

export const auditorBody = z.strictObject({
  country: administration.optional(),
  userId: z.string().min(1).max(64),
  hoursPerMonth: z.number().min(0, 'must not be negative').max(400, 'is more than a month holds'),
  active: z.boolean().default(true),
});
export const conflictBody = z.strictObject({ country: administration.optional(), auditorUserId: z.string().min(1).max(64).optional(), traderTin: tin, reason: text(500) });

export const planBody = z.strictObject({
  country: administration.optional(),
  month,
  capacityHours: z.number().positive('must be above 0').max(100_000).optional(),
  randomShare: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
  lookbackMonths: z.number().int().min(1).max(24).optional(),
});

export const openCaseBody = z.strictObject({
  planItemId: z.string().uuid('must be the id of a plan proposal').optional(),
  country: administration.optional(),
  traderTin: tin.optional(),
  from: day.optional(),
  to: day.optional(),
  description: z.string().max(1000).optional(),
  dueDays: z.number().int().min(1).max(730).optional(),
});
export const documentRequestBody = z.strictObject({ description: text(1000), dueDays: z.number().int().min(1).max(180).optional() });
export const receiveBody = z.strictObject({ note: z.string().max(1000).optional() });
export const findingBody = z.strictObject({
  declarationId: z.string().uuid('must be a declaration id'),
  line: z.number().int().min(1).max(999),
  kind: z.enum(FINDING_KINDS, { error: `must be one of ${FINDING_KINDS.join(', ')}` }),
  description: text(2000),
  declared: z.string().max(200).nullable().optional(),
  established: z.string().max(200).nullable().optional(),
  extraDuties: amount,
  extraTaxes: amount,
  penalties: amount.default(0),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
  legalBasis: text(500),
  foundAt: z.string().datetime({ offset: true, message: 'must be a date-time with its offset' }).optional(),
});
export const hoursBody = z.strictObject({ hours: z.number().positive('must be above 0').max(200, 'is more than one entry holds'), note: z.string().max(500).optional() });
export const closeBody = z.strictObject({ outcome: z.enum(['assessed', 'no_findings', 'discontinued'], { error: 'must be assessed, no_findings or discontinued' }), note: text(2000), legalBasis: text(500) });
export const shareBody = z.strictObject({ userId: z.string().min(1).max(64) });
export const detectBody = z.strictObject({ country: administration.optional(), from: month, to: month });
