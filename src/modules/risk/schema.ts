import { z } from 'zod';
import { ADMINISTRATIONS } from '../../reference/types.ts';
import { CHANNELS, DECLARATION_TYPES } from '../declarations/schema.ts';

/** Request and response shapes of the risk API (and the service's inputs). */

export const STAGE_ENUM = z.enum(['declaration', 'transit', 'manifest']);
export const MANIFEST_ACTIONS = ['hold', 'scan', 'inspect'] as const;

const office = z.string().regex(/^[A-Z]{2}[A-Z0-9]{3}$/, 'must be a UN/LOCODE, e.g. GTPRQ');

export const scopeSchema = z.strictObject({
  offices: z.array(office).max(200).default([]),
  types: z.array(z.enum(DECLARATION_TYPES)).default([]),
  stages: z.array(STAGE_ENUM).min(1, 'name at least one stage: declaration, transit or manifest').default(['declaration']),
});

export const criterionInput = z.strictObject({
  country: z.enum(ADMINISTRATIONS).optional(),
  name: z.string().trim().min(3, 'at least 3 characters').max(120),
  reason: z.string().trim().min(5, 'say in plain words why this is a risk (at least 5 characters)').max(1000),
  expression: z.string().trim().min(1, 'must not be empty').max(8000),
  scope: scopeSchema.default({ offices: [], types: [], stages: ['declaration'] }),
  weight: z.number().min(0, 'must be 0 or more').max(100, 'at most 100 points').default(0),
  forcedChannel: z.enum(['red', 'yellow', 'blue']).nullable().default(null),
  manifestAction: z.enum(MANIFEST_ACTIONS).nullable().default(null),
  validFrom: z.iso.datetime({ offset: true }).optional(),
  validTo: z.iso.datetime({ offset: true }).nullable().optional(),
  regional: z.boolean().default(false),
});
export type CriterionInput = z.output<typeof criterionInput>;

export const criterionEdit = z.strictObject({
  name: z.string().trim().min(3, 'at least 3 characters').max(120).optional(),
  reason: z.string().trim().min(5).max(1000).optional(),
  expression: z.string().trim().min(1, 'must not be empty').max(8000).optional(),
  scope: scopeSchema.optional(),
  weight: z.number().min(0, 'must be 0 or more').max(100, 'at most 100 points').optional(),
  forcedChannel: z.enum(['red', 'yellow', 'blue']).nullable().optional(),
  manifestAction: z.enum(MANIFEST_ACTIONS).nullable().optional(),
  validFrom: z.iso.datetime({ offset: true }).optional(),
  validTo: z.iso.datetime({ offset: true }).nullable().optional(),
  regional: z.boolean().optional(),
});
export type CriterionEdit = z.output<typeof criterionEdit>;

export const DISCREPANCY_KINDS = ['value', 'classification', 'origin', 'quantity', 'prohibited', 'restricted', 'other'] as const;

export const controlResultInput = z
  .strictObject({
    outcome: z.enum(['no_discrepancy', 'discrepancy']),
    discrepancies: z
      .array(z.strictObject({ kind: z.enum(DISCREPANCY_KINDS), line: z.number().int().min(1).optional(), note: z.string().trim().min(1).max(2000) }))
      .max(200)
      .default([]),
    extraDutiesAssessed: z.number().min(0).max(1e11).default(0),
    extraTaxesAssessed: z.number().min(0).max(1e11).default(0),
    currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code').default('USD'),
    goodsSeized: z.boolean().default(false),
    seizureDescription: z.string().trim().max(2000).optional(),
    notes: z.string().trim().max(4000).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.outcome === 'discrepancy' && r.discrepancies.length === 0)
      ctx.addIssue({ code: 'custom', path: ['discrepancies'], message: 'a discrepancy outcome lists at least one discrepancy' });
    if (r.outcome === 'no_discrepancy' && (r.discrepancies.length || r.goodsSeized || r.extraDutiesAssessed || r.extraTaxesAssessed))
      ctx.addIssue({ code: 'custom', path: ['outcome'], message: 'no_discrepancy cannot carry discrepancies, seizures or extra duties' });
    if (r.goodsSeized && !r.seizureDescription) ctx.addIssue({ code: 'custom', path: ['seizureDescription'], message: 'describe the goods seized' });
  });
export type ControlResultInput = z.output<typeof controlResultInput>;

export const OVERRIDE_REASON_CODES = ['intelligence', 'capacity', 'perishable_goods', 'humanitarian', 'data_error', 'supervisor_judgement', 'other'] as const;

export const overrideInput = z.strictObject({
  channel: z.enum(CHANNELS),
  reasonCode: z.enum(OVERRIDE_REASON_CODES),
  reason: z.string().trim().min(10, 'give the reason in words (at least 10 characters)').max(2000),
});
export const reassignInput = z.strictObject({ reason: z.string().trim().min(10, 'give the reason in words (at least 10 characters)').max(2000) });

export const rosterInput = z.strictObject({
  officerId: z.uuid(),
  office,
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
});

export const periodQuery = z.object({
  country: z.enum(ADMINISTRATIONS).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

export const backtestInput = z.strictObject({
  country: z.enum(ADMINISTRATIONS).optional(),
  expression: z.string().trim().min(1).max(8000).optional(),
  criterionId: z.uuid().optional(),
  stage: z.enum(['declaration', 'transit']).default('declaration'),
  scope: scopeSchema.partial().optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  labels: z.enum(['auto', 'results', 'ground_truth']).default('auto'),
});
export type BacktestInput = z.output<typeof backtestInput>;
