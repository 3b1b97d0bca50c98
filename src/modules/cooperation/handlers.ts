import type { InboundHandler } from '../exchange/contract.ts';
import { controlReportV1, criterionAnsweredV1, criterionHitsV1, criterionProposedV1, PAYLOAD_VERSION, rifAnsweredV1, rifSentV1 } from './payloads.ts';
import type { CooperationService } from './service.ts';

/**
 * How the cooperation messages are applied on arrival (registered with the exchange by the
 * composition root). Each applies in the inbox's transaction, is safe to apply twice (keys on the
 * sender's ids) and refuses with a ValidationError — dead-lettered with the reason — what makes no
 * sense here: an answer to a RIF or a proposal this administration never sent, an administration
 * speaking for another, hit rates of a criterion the sender did not adopt.
 */
export function cooperationHandlers(svc: CooperationService): InboundHandler<unknown>[] {
  return [
    handler({ kind: 'rif.sent', schemaVersion: PAYLOAD_VERSION, payload: rifSentV1, apply: (tx, env, to) => svc.applyRifSent(tx, env, to) }),
    handler({ kind: 'rif.answered', schemaVersion: PAYLOAD_VERSION, payload: rifAnsweredV1, apply: (tx, env, to) => svc.applyRifAnswered(tx, env, to) }),
    handler({ kind: 'criterion.proposed', schemaVersion: PAYLOAD_VERSION, payload: criterionProposedV1, apply: (tx, env, to) => svc.applyCriterionProposed(tx, env, to) }),
    handler({ kind: 'criterion.answered', schemaVersion: PAYLOAD_VERSION, payload: criterionAnsweredV1, apply: (tx, env, to) => svc.applyCriterionAnswered(tx, env, to) }),
    handler({ kind: 'criterion.hits', schemaVersion: PAYLOAD_VERSION, payload: criterionHitsV1, apply: (tx, env, to) => svc.applyCriterionHits(tx, env, to) }),
    handler({ kind: 'seizure.reported', schemaVersion: PAYLOAD_VERSION, payload: controlReportV1, apply: (tx, env, to) => svc.applyControlReport(tx, env, to) }),
    handler({ kind: 'control.result', schemaVersion: PAYLOAD_VERSION, payload: controlReportV1, apply: (tx, env, to) => svc.applyControlReport(tx, env, to) }),
  ];
}

/** A handler of one payload type, registered beside others of other types. */
function handler<P>(h: InboundHandler<P>): InboundHandler<unknown> {
  return h as unknown as InboundHandler<unknown>;
}
