/**
 * The AEO (Authorized Economic Operator) status of a trader per administration, and the `aeo.status`
 * message that carries a change to the partner administrations (mutual recognition, issue 12).
 * Pure: the schemas and the rules; storage is in repository.ts, the use cases in service.ts.
 */
import { z } from 'zod';

export const AEO_STATUSES = ['certified', 'suspended', 'revoked'] as const;
export type AeoStatusValue = (typeof AEO_STATUSES)[number];

const tin = z.string().trim().regex(/^[A-Za-z0-9-]{3,32}$/, 'must be a tax identification number of 3 to 32 letters, digits or hyphens');
const iso = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone' });

/** What a national admin or analyst sets (the administration is the route's). */
export const aeoStatusInput = z
  .strictObject({
    programme: z.string().trim().min(2, 'must name the programme, e.g. OEA-GT').max(60, 'must be at most 60 characters'),
    status: z.enum(AEO_STATUSES, 'must be certified, suspended or revoked'),
    since: iso.describe('when the status takes effect'),
    until: iso.nullable().optional().describe('when it ends (a certification\'s expiry, a suspension\'s end); absent: open-ended'),
    reason: z.string().trim().min(3, 'must give the reason in a few words').max(1000, 'must be at most 1000 characters'),
    name: z.string().trim().min(1).max(200, 'must be at most 200 characters').optional().describe('the trader\'s name (default: the name it last declared under)'),
  })
  .refine((v) => !v.until || Date.parse(v.until) > Date.parse(v.since), { path: ['until'], message: 'must be after `since`' });
export type AeoStatusInput = z.output<typeof aeoStatusInput>;

/** The `aeo.status` payload, schema version 1: the certifying administration's record of one trader. */
export const AEO_STATUS_SCHEMA_VERSION = 1;
export const aeoStatusPayload = z.strictObject({
  /** the administration that certified the trader: must be the message's sender */
  administration: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'),
  tin,
  name: z.string().max(200).nullable(),
  programme: z.string().min(2).max(60),
  status: z.enum(AEO_STATUSES),
  since: iso,
  until: iso.nullable(),
  reason: z.string().min(1).max(1000),
  /** increases with each change the administration makes: an older revision arriving late is ignored */
  revision: z.number().int().positive(),
  changedAt: iso,
});
export type AeoStatusPayload = z.output<typeof aeoStatusPayload>;

/** Is the status in force at `at`? (certified, started, not ended) */
export function inForce(s: { status: string; since: Date; until: Date | null }, at: Date): boolean {
  return s.status === 'certified' && s.since.getTime() <= at.getTime() && (s.until === null || s.until.getTime() > at.getTime());
}

/** The status as it is read at `at`: a certification that ended reads as `expired`, one not begun as `pending`. */
export function effectiveStatus(s: { status: string; since: Date; until: Date | null }, at: Date): AeoStatusValue | 'expired' | 'pending' {
  if (s.status !== 'certified') return s.status as AeoStatusValue;
  if (s.since.getTime() > at.getTime()) return 'pending';
  if (s.until !== null && s.until.getTime() <= at.getTime()) return 'expired';
  return 'certified';
}
