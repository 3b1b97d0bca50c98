import type { Delivery } from '../exchange/contract.ts';
import type { ProposalScope, RifSubject } from './payloads.ts';
import type { IntelRow, ProposalAnswerRow, ProposalHitsRow, ProposalRow, RifAnswerRow, RifRow } from './repository.ts';

/** How cooperation records are shown (API). */

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** Per partner of an outbound record: was it withheld by the sharing rules, where is its delivery, what did they answer. */
function partnerRows(recipients: string[], deliveredTo: string[] | null, deliveries: Delivery[]) {
  return recipients.map((p) => {
    const d = deliveries.find((x) => x.recipient === p);
    const withheld = !!deliveredTo && !deliveredTo.includes(p);
    return { administration: p, withheld, delivery: withheld ? null : (d?.state ?? null), deliveryReason: d?.reason ?? null, deliveredAt: iso(d?.answeredAt ?? null) };
  });
}

export function rifView(r: RifRow, answers: RifAnswerRow[], deliveries: Delivery[], now: Date) {
  return {
    id: r.id,
    country: r.country,
    direction: r.direction as 'inbound' | 'outbound',
    sender: r.sender,
    reference: r.reference,
    title: r.title,
    riskType: r.riskType,
    subject: r.subject as RifSubject,
    indicators: r.indicators as { text: string; items: { kind: string; value: string }[] },
    recommendedAction: r.recommendedAction,
    validFrom: r.validFrom.toISOString(),
    validTo: r.validTo.toISOString(),
    expired: r.validTo <= now,
    handling: r.handling,
    contact: r.contact,
    feedbackRequested: r.feedbackRequested,
    recipients: r.recipients,
    redacted: r.redacted ?? [],
    messageId: r.messageId,
    status: r.status,
    author: r.author,
    createdAt: r.createdAt.toISOString(),
    decision: r.decision,
    decisionReason: r.decisionReason,
    criterionId: r.criterionId,
    answeredBy: r.answeredBy,
    answeredAt: iso(r.answeredAt),
    partners:
      r.direction === 'outbound'
        ? partnerRows(r.recipients, r.deliveredTo, deliveries).map((p) => {
            const a = answers.find((x) => x.partner === p.administration);
            return { ...p, decision: a?.decision ?? null, reason: a?.reason ?? null, criterionStatus: a?.criterionStatus ?? null, criterionName: a?.criterionName ?? null, answeredAt: iso(a?.answeredAt) };
          })
        : [],
  };
}

export function proposalView(r: ProposalRow, answers: ProposalAnswerRow[], hits: ProposalHitsRow[], deliveries: Delivery[]) {
  return {
    id: r.id,
    country: r.country,
    direction: r.direction as 'inbound' | 'outbound',
    sender: r.sender,
    reference: r.reference,
    name: r.name,
    rationale: r.rationale,
    expression: r.expression,
    scope: r.scope as ProposalScope,
    weight: r.weight,
    forcedChannel: r.forcedChannel,
    validTo: iso(r.validTo),
    recipients: r.recipients,
    redacted: r.redacted ?? [],
    messageId: r.messageId,
    status: r.status,
    author: r.author,
    createdAt: r.createdAt.toISOString(),
    decision: r.decision,
    decisionReason: r.decisionReason,
    adoptedScope: (r.adoptedScope ?? null) as { offices: string[]; types: string[]; stages: string[] } | null,
    criterionId: r.criterionId,
    answeredBy: r.answeredBy,
    answeredAt: iso(r.answeredAt),
    hitsReportedUntil: iso(r.hitsReportedUntil),
    members:
      r.direction === 'outbound'
        ? partnerRows(r.recipients, r.deliveredTo, deliveries).map((p) => {
            const a = answers.find((x) => x.member === p.administration);
            const periods = hits.filter((h) => h.member === p.administration);
            const sum = (k: 'evaluated' | 'hits' | 'controls' | 'controlsWithFindings') => periods.reduce((s, h) => s + h[k], 0);
            const evaluated = sum('evaluated');
            const hitCount = sum('hits');
            const controls = sum('controls');
            const findings = sum('controlsWithFindings');
            return {
              ...p,
              // the proposer's own administration gets its copy without the exchange
              delivery: p.administration === r.sender ? ('applied' as const) : p.delivery,
              decision: a?.decision ?? null,
              reason: a?.reason ?? null,
              scope: (a?.scope ?? null) as { offices: string[]; types: string[]; stages: string[] } | null,
              criterionStatus: periods.at(-1)?.criterionStatus ?? a?.criterionStatus ?? null,
              answeredAt: iso(a?.answeredAt),
              totals: periods.length
                ? { from: periods[0].periodFrom.toISOString(), to: periods.reduce((m, h) => (h.periodTo > m ? h.periodTo : m), periods[0].periodTo).toISOString(), evaluated, hits: hitCount, hitRate: evaluated ? hitCount / evaluated : null, controls, controlsWithFindings: findings, findingRate: controls ? findings / controls : null }
                : null,
              periods: periods.map((h) => ({ from: h.periodFrom.toISOString(), to: h.periodTo.toISOString(), evaluated: h.evaluated, hits: h.hits, controls: h.controls, controlsWithFindings: h.controlsWithFindings, reportedAt: h.reportedAt.toISOString() })),
            };
          })
        : [],
  };
}

export function intelView(r: IntelRow, deliveries: Delivery[]) {
  const rep = r.report as Record<string, unknown>;
  return {
    id: r.id,
    country: r.country,
    direction: r.direction as 'inbound' | 'outbound',
    sender: r.sender,
    kind: r.kind as 'seizure' | 'control_result',
    office: r.office,
    occurredAt: r.occurredAt.toISOString(),
    report: rep,
    recipients: r.recipients,
    redacted: r.redacted ?? [],
    messageId: r.messageId,
    controlId: r.controlId,
    author: r.author,
    createdAt: r.createdAt.toISOString(),
    watchCriterionId: r.watchCriterionId,
    partners: r.direction === 'outbound' ? partnerRows(r.recipients, r.deliveredTo, deliveries) : [],
  };
}
