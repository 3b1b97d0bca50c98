import { z } from 'zod';
import { ADMINISTRATIONS } from '../../reference/types.ts';

/**
 * The payloads of the regional risk-cooperation messages (schema version 1 of each kind), as they
 * travel in the exchange's envelopes. Exported for whoever needs to build or check one (the
 * exchange's dead-letter tests, the demo). Fields a sender's sharing rules may remove (names of
 * people, contacts) are optional, so that a redacted payload still parses.
 */

export const PAYLOAD_VERSION = 1;

const iso = z.iso.datetime({ offset: true });
const administration = z.enum(ADMINISTRATIONS);
const country = z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 code');
const name = z.string().trim().min(1).max(200);
const text = (max: number) => z.string().trim().min(1).max(max);
/** no control characters (tabs and line breaks allowed) */
const noControl = (s: string) => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 127) return false;
  }
  return true;
};

export const RISK_TYPES = ['revenue', 'drugs', 'weapons', 'security', 'safety', 'ipr', 'environment', 'other'] as const;
export const RECOMMENDED_ACTIONS = ['inspect', 'scan', 'document_check', 'watch'] as const;
export const HANDLING_CODES = ['customs_only', 'law_enforcement', 'no_further'] as const;
export const INDICATOR_KINDS = ['undervaluation', 'misdeclared_origin', 'misclassification', 'concealment', 'document_fraud', 'route_deviation', 'new_trader', 'other'] as const;

/** Trader tax ids, plates and container numbers as they appear on declarations. */
export const TIN_RE = /^[A-Z0-9][A-Z0-9./-]{1,39}$/;
export const PLATE_RE = /^[A-Z0-9][A-Z0-9 -]{1,19}$/;
export const CONTAINER_NO_RE = /^[A-Z]{3}[UJZ]\d{7}$/;
export const HS_PREFIX_RE = /^\d{2,10}$/;
const office = z.string().regex(/^[A-Z]{2}[A-Z0-9]{3}$/, 'must be a UN/LOCODE, e.g. GTPRQ');

/** What a RIF is about: at least one of these. */
export const rifSubject = z
  .strictObject({
    traderTins: z.array(z.string().trim().toUpperCase().regex(TIN_RE, 'a tax identification number (letters, digits, . - /)')).max(20).default([]),
    plates: z.array(z.string().trim().toUpperCase().regex(PLATE_RE, 'a vehicle plate (letters, digits, spaces, -)')).max(20).default([]),
    containers: z.array(z.string().trim().toUpperCase().regex(CONTAINER_NO_RE, 'an ISO 6346 container number, e.g. MSCU1234565')).max(50).default([]),
    route: z
      .strictObject({
        dispatch: z.array(country).max(20).default([]).describe('countries of dispatch'),
        destination: z.array(country).max(20).default([]).describe('countries of destination'),
        offices: z.array(office).max(50).default([]).describe('offices of the route (any administration)'),
      })
      .default({ dispatch: [], destination: [], offices: [] }),
    goods: z
      .strictObject({
        hsCodes: z.array(z.string().regex(HS_PREFIX_RE, 'an HS code or its first digits (2 to 10 digits)')).max(50).default([]),
        description: z.string().trim().max(1000).refine(noControl, 'no control characters').optional(),
      })
      .default({ hsCodes: [] }),
  })
  .superRefine((s, ctx) => {
    if (!s.traderTins.length && !s.plates.length && !s.containers.length && !s.goods.hsCodes.length && !s.route.dispatch.length && !s.route.destination.length)
      ctx.addIssue({ code: 'custom', path: [], message: 'name at least one subject: a trader, a vehicle, a container, goods (HS codes) or a route (countries)' });
  });
export type RifSubject = z.output<typeof rifSubject>;

export const rifIndicators = z.strictObject({
  text: z.string().trim().min(5, 'say what an officer should look for (at least 5 characters)').max(4000).refine(noControl, 'no control characters'),
  items: z.array(z.strictObject({ kind: z.enum(INDICATOR_KINDS), value: text(500) })).max(30).default([]),
});

/** `rif.sent`: a risk information form to chosen partners. */
export const rifSentV1 = z.strictObject({
  rifId: z.uuid(),
  reference: text(64),
  /** the issuing administration (must be the envelope's sender) */
  administration,
  title: text(200),
  riskType: z.enum(RISK_TYPES),
  subject: rifSubject,
  indicators: rifIndicators,
  recommendedAction: z.enum(RECOMMENDED_ACTIONS),
  validFrom: iso,
  validTo: iso,
  handling: z.enum(HANDLING_CODES),
  feedbackRequested: z.boolean(),
  /** whom to ask (removed when the sharing rules redact contacts) */
  contact: text(300).optional(),
  /** the analyst who issued it (removed when the sharing rules redact names) */
  issuedBy: name.optional(),
});
export type RifSentPayload = z.output<typeof rifSentV1>;

/** `rif.answered`: a recipient's answer to a RIF. */
export const rifAnsweredV1 = z.strictObject({
  rifId: z.uuid(),
  /** the answering administration (must be the envelope's sender) */
  administration,
  decision: z.enum(['accepted', 'declined']),
  reason: text(2000).nullable(),
  /** the criterion the RIF became (accepted): its name and state when answered */
  criterion: z.strictObject({ id: z.uuid(), name: text(200), status: text(40), validTo: iso.nullable() }).nullable(),
  answeredAt: iso,
  answeredBy: name.optional(),
});
export type RifAnsweredPayload = z.output<typeof rifAnsweredV1>;

export const proposalScope = z.strictObject({
  types: z.array(z.enum(['IM', 'EX', 'TR'])).max(3).default([]),
  stages: z.array(z.enum(['declaration', 'transit'])).min(1).max(2).default(['declaration']),
});
export type ProposalScope = z.output<typeof proposalScope>;

/** `criterion.proposed`: a common regional criterion proposed by the regional working group. */
export const criterionProposedV1 = z.strictObject({
  proposalId: z.uuid(),
  reference: text(64),
  administration,
  name: z.string().trim().min(3).max(120),
  rationale: z.string().trim().min(5).max(2000),
  expression: z.string().trim().min(1).max(8000),
  scope: proposalScope,
  weight: z.number().min(0).max(100),
  forcedChannel: z.enum(['red', 'yellow', 'blue']).nullable(),
  validTo: iso.nullable(),
  proposedAt: iso,
  proposedBy: name.optional(),
});
export type CriterionProposedPayload = z.output<typeof criterionProposedV1>;

/** `criterion.answered`: a member's answer to a common criterion. */
export const criterionAnsweredV1 = z.strictObject({
  proposalId: z.uuid(),
  administration,
  decision: z.enum(['adopted', 'adapted', 'declined']),
  reason: text(2000).nullable(),
  /** the scope adopted (adapted: the member's own; offices are the member's) */
  scope: z.strictObject({ types: z.array(z.string()).max(3), stages: z.array(z.string()).max(3), offices: z.array(office).max(200) }).nullable(),
  criterion: z.strictObject({ id: z.uuid(), status: text(40) }).nullable(),
  answeredAt: iso,
});
export type CriterionAnsweredPayload = z.output<typeof criterionAnsweredV1>;

const count = z.number().int().min(0).max(1e12);

/** `criterion.hits`: how an adopted common criterion performed in a member over a period. */
export const criterionHitsV1 = z
  .strictObject({
    proposalId: z.uuid(),
    administration,
    periodFrom: iso,
    periodTo: iso,
    evaluated: count,
    hits: count,
    controls: count,
    controlsWithFindings: count,
    criterionStatus: text(40),
    reportedAt: iso,
  })
  .superRefine((h, ctx) => {
    if (!(new Date(h.periodTo) > new Date(h.periodFrom))) ctx.addIssue({ code: 'custom', path: ['periodTo'], message: 'the period ends after it starts' });
    if (h.hits > h.evaluated) ctx.addIssue({ code: 'custom', path: ['hits'], message: 'more hits than declarations evaluated' });
    if (h.controlsWithFindings > h.controls) ctx.addIssue({ code: 'custom', path: ['controlsWithFindings'], message: 'more controls with findings than controls' });
  });
export type CriterionHitsPayload = z.output<typeof criterionHitsV1>;

/**
 * `seizure.reported` and `control.result`: what a control found, of regional interest. The trader,
 * the officer and the notes are optional: the sender's sharing rules may remove them.
 */
export const controlReportV1 = z.strictObject({
  reportId: z.uuid(),
  administration,
  office,
  occurredAt: iso,
  channel: z.enum(['red', 'yellow', 'blue', 'green']),
  declarationType: z.enum(['IM', 'EX', 'TR']),
  declarationReference: text(64).optional(),
  outcome: z.enum(['no_discrepancy', 'discrepancy']),
  discrepancies: z.array(z.strictObject({ kind: text(40), note: text(2000).optional() })).max(200),
  goodsSeized: z.boolean(),
  seizureDescription: text(2000).optional(),
  extraDutiesAssessed: z.number().min(0).max(1e11),
  currency: z.string().regex(/^[A-Z]{3}$/),
  goods: z.array(z.strictObject({ hsCode: z.string().regex(/^\d{4,10}$/), description: text(500).optional(), origin: country, netMassKg: z.number().min(0).max(1e9), customsValue: z.number().min(0).max(1e12), currency: z.string().regex(/^[A-Z]{3}$/) })).max(200),
  route: z.strictObject({ dispatch: country.nullable(), destination: country.nullable() }),
  transport: z.strictObject({ mode: z.number().int().min(0).max(9).nullable(), conveyance: text(64).nullable(), containers: z.array(z.string().max(11)).max(500) }),
  trader: z.strictObject({ tin: text(40), name: text(200).optional(), country: country.optional() }).optional(),
  officer: name.optional(),
  notes: text(4000).optional(),
  sharedBy: name.optional(),
  /** why the sharer thinks partners should know */
  comment: text(2000).optional(),
});
export type ControlReportPayload = z.output<typeof controlReportV1>;
