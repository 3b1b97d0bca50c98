import { z } from 'zod';

/**
 * Response shapes of the cooperation API, for the OpenAPI document (the serializer validates every
 * answer against them, so they stay true).
 */

const delivery = z.enum(['queued', 'sent', 'applied', 'refused']).nullable().describe('where the message to this partner is (null: not known yet)');
const partner = {
  administration: z.string(),
  withheld: z.boolean().describe('the sender\'s sharing rules did not let it go to this partner'),
  delivery,
  deliveryReason: z.string().nullable().describe('why the partner refused the message (dead letter), when refused'),
  deliveredAt: z.string().nullable(),
};
const criterionSummary = z
  .object({ id: z.string(), name: z.string(), status: z.string().describe('draft | awaiting_approval | active | suspended | rejected | expired'), expression: z.string().nullable(), validTo: z.string().nullable(), author: z.string().nullable(), decidedBy: z.string().nullable() })
  .nullable()
  .describe('the criterion made of it here, as it stands now');
const draft = z
  .object({ name: z.string(), reason: z.string(), expression: z.string().nullable(), weight: z.number(), forcedChannel: z.string().nullable(), validTo: z.string().optional() })
  .nullable()
  .describe('the criterion proposed to the analyst (to review and edit before saving)');

const subject = z.object({
  traderTins: z.array(z.string()),
  plates: z.array(z.string()),
  containers: z.array(z.string()),
  route: z.object({ dispatch: z.array(z.string()), destination: z.array(z.string()), offices: z.array(z.string()) }),
  goods: z.object({ hsCodes: z.array(z.string()), description: z.string().optional() }),
});

export const rifView = z.object({
  id: z.string(),
  country: z.string().describe('the administration holding this copy'),
  direction: z.enum(['inbound', 'outbound']),
  sender: z.string(),
  reference: z.string(),
  title: z.string(),
  riskType: z.string(),
  subject,
  indicators: z.object({ text: z.string(), items: z.array(z.object({ kind: z.string(), value: z.string() })) }),
  recommendedAction: z.string().describe('inspect | scan | document_check | watch'),
  validFrom: z.string(),
  validTo: z.string(),
  expired: z.boolean(),
  handling: z.string(),
  contact: z.string().nullable(),
  feedbackRequested: z.boolean(),
  recipients: z.array(z.string()),
  redacted: z.array(z.string()).describe('payload paths the sender\'s sharing rules removed'),
  messageId: z.string().nullable(),
  status: z.string().describe('outbound: sent; inbound: received | accepted | declined'),
  author: z.string().nullable(),
  createdAt: z.string(),
  decision: z.string().nullable(),
  decisionReason: z.string().nullable(),
  criterionId: z.string().nullable(),
  answeredBy: z.string().nullable(),
  answeredAt: z.string().nullable(),
  partners: z.array(z.object({ ...partner, decision: z.string().nullable(), reason: z.string().nullable(), criterionStatus: z.string().nullable(), criterionName: z.string().nullable(), answeredAt: z.string().nullable() })).describe('outbound: each partner\'s delivery and answer'),
});
export const rifDetail = rifView.extend({ criterion: criterionSummary, draft });
export const rifList = z.object({ items: z.array(rifView) });

const scope3 = z.object({ offices: z.array(z.string()), types: z.array(z.string()), stages: z.array(z.string()) });
const period = z.object({ from: z.string(), to: z.string(), evaluated: z.number().int(), hits: z.number().int(), controls: z.number().int(), controlsWithFindings: z.number().int(), reportedAt: z.string() });

export const proposalView = z.object({
  id: z.string(),
  country: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  sender: z.string(),
  reference: z.string(),
  name: z.string(),
  rationale: z.string(),
  expression: z.string(),
  scope: z.object({ types: z.array(z.string()), stages: z.array(z.string()) }),
  weight: z.number(),
  forcedChannel: z.string().nullable(),
  validTo: z.string().nullable(),
  recipients: z.array(z.string()),
  redacted: z.array(z.string()),
  messageId: z.string().nullable(),
  status: z.string().describe('outbound: proposed; inbound: received | adopted | adapted | declined'),
  author: z.string().nullable(),
  createdAt: z.string(),
  decision: z.string().nullable(),
  decisionReason: z.string().nullable(),
  adoptedScope: scope3.nullable(),
  criterionId: z.string().nullable(),
  answeredBy: z.string().nullable(),
  answeredAt: z.string().nullable(),
  hitsReportedUntil: z.string().nullable(),
  members: z
    .array(
      z.object({
        ...partner,
        decision: z.string().nullable().describe('adopted | adapted | declined (null: not answered yet)'),
        reason: z.string().nullable(),
        scope: scope3.nullable(),
        criterionStatus: z.string().nullable(),
        answeredAt: z.string().nullable(),
        totals: z
          .object({ from: z.string(), to: z.string(), evaluated: z.number().int(), hits: z.number().int(), hitRate: z.number().nullable(), controls: z.number().int(), controlsWithFindings: z.number().int(), findingRate: z.number().nullable() })
          .nullable()
          .describe('over every period reported'),
        periods: z.array(period),
      }),
    )
    .describe('outbound: each member\'s answer and hit rates'),
});
export const proposalDetail = proposalView.extend({ criterion: criterionSummary });
export const proposalList = z.object({ items: z.array(proposalView) });

export const hitsReport = z.object({
  proposalId: z.string(),
  periodFrom: z.string(),
  periodTo: z.string(),
  evaluated: z.number().int(),
  hits: z.number().int(),
  controls: z.number().int(),
  controlsWithFindings: z.number().int(),
  criterionStatus: z.string(),
  messageId: z.string().nullable(),
});

export const intelView = z.object({
  id: z.string(),
  country: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  sender: z.string(),
  kind: z.enum(['seizure', 'control_result']),
  office: z.string(),
  occurredAt: z.string(),
  report: z.record(z.string(), z.unknown()).describe('the report as sent (outbound) or as received after the sender\'s redaction (inbound)'),
  recipients: z.array(z.string()),
  redacted: z.array(z.string()),
  messageId: z.string().nullable(),
  controlId: z.string().nullable(),
  author: z.string().nullable(),
  createdAt: z.string(),
  watchCriterionId: z.string().nullable(),
  partners: z.array(z.object(partner)),
});
export const intelDetail = intelView.extend({ criterion: criterionSummary, draft });
export const intelList = z.object({ items: z.array(intelView) });
