import { z } from 'zod';

/** Response shapes of the post-clearance audit routes (the serializer keeps only the fields named here). */

const detail = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));

export const sensitiveView = z.object({
  id: z.string(),
  country: z.string(),
  hs: z.string(),
  reason: z.string(),
  note: z.string(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  status: z.string(),
  proposedBy: z.string(),
  proposedAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decisionNote: z.string().nullable(),
  withdrawalBy: z.string().nullable(),
  withdrawalReason: z.string().nullable(),
});
export const sensitiveList = z.object({ items: z.array(sensitiveView) });

export const auditorView = z.object({ id: z.string(), country: z.string(), userId: z.string(), name: z.string(), hoursPerMonth: z.number(), active: z.boolean(), updatedAt: z.string() });
export const auditorList = z.object({ items: z.array(auditorView) });

export const conflictView = z.object({
  id: z.string(),
  country: z.string(),
  auditorUserId: z.string(),
  auditorName: z.string(),
  traderTin: z.string(),
  reason: z.string(),
  declaredBy: z.string(),
  declaredAt: z.string(),
  endedAt: z.string().nullable(),
  endReason: z.string().nullable(),
});
export const conflictList = z.object({ items: z.array(conflictView) });

const sourceTotals = z.record(z.string(), z.object({ items: z.number(), hours: z.number(), expectedRevenue: z.number(), estimatedRecovery: z.number() }));
export const planView = z.object({
  id: z.string(),
  country: z.string(),
  month: z.string(),
  status: z.string(),
  capacityHours: z.number(),
  hoursPlanned: z.number(),
  randomShare: z.number(),
  seed: z.string().describe('the secret every random draw of the plan comes from: HMAC-SHA256(seed, "random|" + TIN)'),
  eligible: z.number(),
  releases: z.number(),
  window: z.object({ from: z.string(), to: z.string() }),
  bySource: sourceTotals,
  createdBy: z.string(),
  createdAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decisionNote: z.string().nullable(),
});
export const planItemView = z.object({
  id: z.string(),
  rank: z.number(),
  traderTin: z.string(),
  traderName: z.string(),
  periodFrom: z.string(),
  periodTo: z.string(),
  declarations: z.number(),
  source: z.string(),
  expectedRevenue: z.number().describe('USD'),
  estimatedRecovery: z.number().describe('USD'),
  hours: z.number(),
  reasons: z.array(z.object({ code: z.string(), amountUsd: z.number(), detail })),
  selected: z.boolean().describe('within the capacity of the plan'),
  draw: z.number().nullable(),
});
export const planDetail = planView.extend({ items: z.array(planItemView) });
export const planList = z.object({ items: z.array(planView) });

const totalsView = z.array(z.object({ currency: z.string(), extraDuties: z.number(), extraTaxes: z.number(), penalties: z.number(), total: z.number() }));
export const caseView = z.object({
  id: z.string(),
  country: z.string(),
  reference: z.string(),
  planId: z.string().nullable(),
  planItemId: z.string().nullable(),
  source: z.string(),
  traderTin: z.string(),
  traderName: z.string(),
  status: z.string(),
  auditorUserId: z.string(),
  auditorName: z.string(),
  assignment: z.object({ seed: z.string(), draw: z.number(), candidates: z.array(z.string()), excludedForConflict: z.array(z.string()), chosen: z.string(), at: z.string() }),
  openedBy: z.string(),
  openedAt: z.string(),
  dueAt: z.string(),
  hoursPlanned: z.number(),
  hoursSpent: z.number(),
  sharedWith: z.array(z.string()),
  closedAt: z.string().nullable(),
  closure: z.object({ outcome: z.string(), note: z.string(), legalBasis: z.string(), totals: totalsView, closedBy: z.string() }).nullable(),
});
export const caseList = z.object({ items: z.array(caseView) });
export const documentRequestView = z.object({ id: z.string(), description: z.string(), requestedAt: z.string(), dueAt: z.string(), receivedAt: z.string().nullable(), note: z.string().nullable() });
export const findingView = z.object({
  id: z.string(),
  declarationId: z.string(),
  declarationReference: z.string(),
  line: z.number(),
  kind: z.string(),
  description: z.string(),
  declared: z.string().nullable(),
  established: z.string().nullable(),
  extraDuties: z.number(),
  extraTaxes: z.number(),
  penalties: z.number(),
  currency: z.string(),
  legalBasis: z.string(),
  releaseChannel: z.string().nullable(),
  foundAt: z.string(),
  recordedBy: z.string(),
});
export const caseDetail = caseView.extend({
  scope: z.object({ from: z.string(), to: z.string(), description: z.string(), declarations: z.array(z.object({ id: z.string(), reference: z.string(), lodgedAt: z.string(), lines: z.array(z.number()), channel: z.string().nullable() })) }),
  events: z.array(z.object({ id: z.string(), at: z.string(), actor: z.string(), kind: z.string(), detail: z.record(z.string(), z.unknown()) })),
  documentRequests: z.array(documentRequestView),
  findings: z.array(findingView),
  totals: totalsView,
});

export const traderAuditsView = z.object({
  country: z.string(),
  tin: z.string(),
  asOf: z.string(),
  audits: z.number(),
  closed: z.number(),
  closedWithFindings: z.number(),
  findings: z.number(),
  assessedUsd: z.number(),
  lastFindingAt: z.string().nullable(),
  declarationsFoundNonCompliant: z.number(),
});

export const effectivenessView = z.object({
  country: z.string(),
  from: z.string(),
  to: z.string(),
  totals: z.object({ cases: z.number(), hours: z.number(), recoveredUsd: z.number(), recoveryPerHour: z.number() }),
  bySource: z.array(z.object({ source: z.string(), cases: z.number(), withFindings: z.number(), hours: z.number(), recoveredUsd: z.number(), hitRate: z.number(), recoveryPerHour: z.number() })),
  byReleaseChannel: z.array(z.object({ channel: z.string(), audited: z.number(), nonCompliant: z.number(), nonComplianceRate: z.number() })),
});

export const taxImportView = z.object({
  batchId: z.string(),
  format: z.string(),
  records: z.number(),
  stored: z.number(),
  rejected: z.number(),
  rejections: z.array(z.object({ record: z.number(), line: z.number(), errors: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })) })),
});
export const detectView = z.object({ runId: z.string(), country: z.string(), periods: z.array(z.string()), mismatches: z.number(), byKind: z.record(z.string(), z.number()) });
export const mismatchView = z.object({ id: z.string(), country: z.string(), tin: z.string(), period: z.string(), kind: z.string(), customsImportsUsd: z.number(), taxImportsUsd: z.number().nullable(), gapUsd: z.number(), evidence: z.record(z.string(), z.unknown()), detectedAt: z.string() });
export const mismatchList = z.object({ items: z.array(mismatchView) });
