import { z } from 'zod';
import { CHANNELS, RISK_LEVELS } from './schema.ts';

/**
 * Response shapes of the declaration and manifest routes. The serializer keeps only the fields
 * named here (a field left out is silently dropped from the answer): the stored payloads are
 * loose objects, so every field of the contract reaches the caller as it was stored.
 */

const channel = z.enum(CHANNELS);
const riskLevel = z.enum(RISK_LEVELS);

export const reasonView = z.object({ code: z.string(), text: z.string(), weight: z.number().optional() });

/** The assessment answered on intake. */
export const intakeAssessmentView = z.object({ channel, riskLevel, score: z.number(), reasons: z.array(reasonView) });

export const declarationOutcomeView = z.object({
  id: z.string(),
  status: z.enum(['created', 'amended', 'unchanged']),
  reference: z.string(),
  country: z.string(),
  version: z.number(),
  assessment: intakeAssessmentView,
});

export const manifestOutcomeView = z.object({
  id: z.string(),
  status: z.enum(['created', 'amended', 'unchanged']),
  reference: z.string(),
  country: z.string(),
  version: z.number(),
});

export const importReportView = z.object({
  batchId: z.string(),
  kind: z.string(),
  format: z.string(),
  records: z.number(),
  created: z.number(),
  amended: z.number(),
  unchanged: z.number(),
  rejected: z.number(),
  rejections: z.array(
    z.object({
      record: z.number(),
      line: z.number(),
      reference: z.string().optional(),
      errors: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })),
    }),
  ),
  seconds: z.number(),
});

export const declarationRowView = z.object({
  id: z.string(),
  country: z.string(),
  reference: z.string(),
  type: z.string(),
  office: z.string(),
  lodgedAt: z.string(),
  declarantTin: z.string(),
  importerTin: z.string().nullable(),
  exporterTin: z.string().nullable(),
  itemCount: z.number(),
  totalValue: z.number(),
  currency: z.string(),
  version: z.number(),
  channel: channel.nullable().describe('the current channel: a supervisor override applied (null: not assessed)'),
  riskLevel: z.string().nullable(),
  score: z.number().nullable(),
  reasons: z.array(reasonView).nullable(),
});

export const declarationPage = z.object({ items: z.array(declarationRowView), nextCursor: z.string().nullable().describe('pass as cursor for the next page (null: last page)') });

const partyView = z.looseObject({ tin: z.string(), name: z.string(), country: z.string().optional() });
const itemView = z.looseObject({
  line: z.number(),
  hsCode: z.string(),
  description: z.string(),
  origin: z.string(),
  quantity: z.number(),
  unit: z.string(),
  netMassKg: z.number(),
  grossMassKg: z.number(),
  customsValue: z.number(),
  currency: z.string(),
  dutyRate: z.number().optional(),
  preference: z.string().optional(),
});

/** A declaration as stored (the DeclarationInput contract, normalized). */
export const declarationPayloadView = z.looseObject({
  reference: z.string(),
  country: z.string(),
  type: z.string(),
  procedure: z.string().optional(),
  office: z.string(),
  lodgedAt: z.string(),
  declarant: partyView,
  importer: partyView.optional(),
  exporter: partyView.optional(),
  seller: partyView.optional(),
  countryOfDispatch: z.string().optional(),
  countryOfDestination: z.string().optional(),
  manifestReference: z.string().optional(),
  transportDocument: z.string().optional(),
  transport: z.looseObject({ mode: z.number(), conveyance: z.string().optional(), nationality: z.string().optional(), containers: z.array(z.string()) }),
  items: z.array(itemView),
});

/** A manifest as stored (the ManifestInput contract, normalized). */
export const manifestPayloadView = z.looseObject({
  reference: z.string(),
  country: z.string(),
  office: z.string(),
  mode: z.number(),
  carrier: z.string(),
  conveyance: z.string(),
  voyage: z.string().optional(),
  arrivalAt: z.string(),
  consignments: z.array(
    z.looseObject({
      transportDocument: z.string(),
      shipper: z.string(),
      consignee: z.string(),
      consigneeTin: z.string().optional(),
      description: z.string(),
      hsCode: z.string().optional(),
      packages: z.number(),
      grossMassKg: z.number(),
      containers: z.array(z.string()),
      portOfLoading: z.string().optional(),
    }),
  ),
});

const assessmentBase = {
  id: z.string(),
  riskLevel: z.string(),
  score: z.number(),
  reasons: z.array(reasonView),
  engine: z.string(),
  inputs: z.record(z.string(), z.unknown()).describe('every input the decision used, to replay it'),
  decidedAt: z.string(),
  declarationVersion: z.number(),
};

export const assessmentView = z.object({
  ...assessmentBase,
  channel: channel.describe("the current channel: a supervisor's override applied"),
  decidedChannel: channel.describe('the channel the assessment decided, before any override'),
  overridden: z.boolean(),
});

export const declarationView = z.object({
  id: z.string(),
  country: z.string(),
  reference: z.string(),
  version: z.number(),
  receivedAt: z.string(),
  updatedAt: z.string(),
  declaration: declarationPayloadView,
  assessment: assessmentView.nullable(),
});

export const declarationHistoryView = z.object({
  id: z.string(),
  reference: z.string(),
  versions: z.array(z.object({ version: z.number(), contentHash: z.string(), receivedAt: z.string(), source: z.string(), declaration: declarationPayloadView })),
  assessments: z.array(z.object({ ...assessmentBase, channel: channel.describe('the channel decided (overrides are not part of the history of assessments)') })),
});

export const manifestRowView = z.object({
  id: z.string(),
  country: z.string(),
  reference: z.string(),
  office: z.string(),
  mode: z.string().describe('UN Rec. 19 transport mode, as stored (text)'),
  carrier: z.string(),
  conveyance: z.string(),
  arrivalAt: z.string(),
  consignmentCount: z.number(),
  version: z.number(),
});

export const manifestList = z.object({ items: z.array(manifestRowView) });

export const manifestView = z.object({
  id: z.string(),
  country: z.string(),
  reference: z.string(),
  version: z.number(),
  manifest: manifestPayloadView,
  versions: z.array(z.object({ version: z.number(), contentHash: z.string(), receivedAt: z.string(), source: z.string() })),
});
