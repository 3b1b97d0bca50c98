import { z } from 'zod';
import { ADMINISTRATIONS } from '../../reference/types.ts';
import { HANDLING_CODES, proposalScope, RECOMMENDED_ACTIONS, rifIndicators, rifSubject, RISK_TYPES } from './payloads.ts';

/** Inputs of the cooperation API (and of the service). */

const iso = z.iso.datetime({ offset: true });
const administration = z.enum(ADMINISTRATIONS);
const partners = z
  .array(administration)
  .min(1, 'choose at least one partner administration')
  .max(ADMINISTRATIONS.length)
  .refine((xs) => new Set(xs).size === xs.length, 'a partner is listed twice');
const reason = z.string().trim().min(5, 'give the reason in words (at least 5 characters)').max(2000);
const office = z.string().regex(/^[A-Z]{2}[A-Z0-9]{3}$/, 'must be a UN/LOCODE, e.g. GTPRQ');

export const rifInput = z
  .strictObject({
    /** the issuing administration (default: the analyst's) */
    country: administration.optional(),
    title: z.string().trim().min(5, 'at least 5 characters').max(200),
    riskType: z.enum(RISK_TYPES),
    subject: rifSubject,
    indicators: rifIndicators,
    recommendedAction: z.enum(RECOMMENDED_ACTIONS),
    validFrom: iso.optional(),
    validTo: iso,
    handling: z.enum(HANDLING_CODES).default('customs_only'),
    contact: z.string().trim().min(3).max(300).optional(),
    feedbackRequested: z.boolean().default(true),
    recipients: partners,
  })
  .superRefine((r, ctx) => {
    if (r.validFrom && !(new Date(r.validTo) > new Date(r.validFrom))) ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'the validity ends after it starts' });
  });
export type RifInput = z.output<typeof rifInput>;

/** The criterion a receiving analyst makes of an alert (a RIF or a partner's seizure): the proposal, reviewed. */
export const criterionReview = z.strictObject({
  name: z.string().trim().min(3, 'at least 3 characters').max(120).optional(),
  reason: z.string().trim().min(5).max(1000).optional(),
  expression: z.string().trim().min(1, 'must not be empty').max(8000).optional(),
  weight: z.number().min(0).max(100).optional(),
  forcedChannel: z.enum(['red', 'yellow', 'blue']).nullable().optional(),
  offices: z.array(office).max(200).optional(),
  types: z.array(z.enum(['IM', 'EX', 'TR'])).max(3).optional(),
  note: z.string().trim().max(2000).optional(),
});
export type CriterionReview = z.output<typeof criterionReview>;

export const declineInput = z.strictObject({ reason });

export const proposalInput = z.strictObject({
  country: administration.optional(),
  name: z.string().trim().min(3, 'at least 3 characters').max(120),
  rationale: z.string().trim().min(5, 'say why the region should run it (at least 5 characters)').max(2000),
  expression: z.string().trim().min(1, 'must not be empty').max(8000),
  scope: proposalScope.default({ types: [], stages: ['declaration'] }),
  weight: z.number().min(0, 'must be 0 or more').max(100, 'at most 100 points').default(0),
  forcedChannel: z.enum(['red', 'yellow', 'blue']).nullable().default(null),
  validTo: iso.nullable().default(null),
  recipients: partners,
});
export type ProposalInput = z.output<typeof proposalInput>;

/** Adopting a common criterion: as proposed, or adapted (its scope: offices, types, stages) with a reason. */
export const adoptInput = z
  .strictObject({
    scope: z.strictObject({ offices: z.array(office).max(200).default([]), types: z.array(z.enum(['IM', 'EX', 'TR'])).max(3).default([]), stages: z.array(z.enum(['declaration', 'transit'])).min(1).max(2).default(['declaration']) }).optional(),
    weight: z.number().min(0).max(100).optional(),
    forcedChannel: z.enum(['red', 'yellow', 'blue']).nullable().optional(),
    reason: reason.optional(),
  })
  .superRefine((a, ctx) => {
    if ((a.scope || a.weight !== undefined || a.forcedChannel !== undefined) && !a.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'say why you adapt the common criterion (at least 5 characters)' });
  });
export type AdoptInput = z.output<typeof adoptInput>;

export const hitsReportInput = z
  .strictObject({ from: iso.optional(), to: iso.optional() })
  .superRefine((r, ctx) => {
    if (r.from && r.to && !(new Date(r.to) > new Date(r.from))) ctx.addIssue({ code: 'custom', path: ['to'], message: 'the period ends after it starts' });
  });

export const shareInput = z.strictObject({
  controlId: z.uuid(),
  kind: z.enum(['seizure', 'control_result']),
  recipients: partners,
  comment: z.string().trim().min(3).max(2000).optional(),
});
export type ShareInput = z.output<typeof shareInput>;

export const watchInput = criterionReview.extend({ validTo: iso });
export type WatchInput = z.output<typeof watchInput>;

export const boxQuery = z.object({
  country: administration.optional(),
  box: z.enum(['inbox', 'outbox']).default('inbox'),
  status: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const intelQuery = z.object({
  country: administration.optional(),
  box: z.enum(['inbox', 'outbox']).default('inbox'),
  kind: z.enum(['seizure', 'control_result']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const countryQuery = z.object({ country: administration.optional() });
export const proposalQuery = countryQuery.extend({ box: z.enum(['inbox', 'outbox']).optional().describe('the member copy (inbox) or the group\'s (outbox); default: the member copy when there is one') });
