import type { schema } from '../../../db/client.ts';
import type { Channel } from '../../declarations/schema.ts';
import type { CriterionScope, CriterionVersionDef } from '../engine.ts';

export type VersionRow = typeof schema.riskCriterionVersions.$inferSelect;

/** A stored criterion version as the engine runs it. */
export function versionDef(v: VersionRow): CriterionVersionDef {
  return {
    versionId: v.id,
    criterionId: v.criterionId,
    name: v.name,
    reason: v.reason,
    expression: v.expression,
    scope: v.scope as CriterionScope,
    weight: v.weight,
    forcedChannel: (v.forcedChannel as Channel | null) ?? null,
    manifestAction: v.manifestAction,
    validFrom: v.validFrom.getTime(),
    validTo: v.validTo ? v.validTo.getTime() : null,
  };
}

/**
 * Four eyes: the versions an approval of `pending` takes into force — every version written
 * since the last approved one (the approved version that is or was active), up to `pending`.
 * An edit builds on the version before it, so each of their authors shaped what would run:
 * none of them may approve it (a colleague editing only the reason does not make the original
 * author of the expression a second person).
 */
export function versionsSinceApproved<V extends Pick<VersionRow, 'version' | 'status' | 'decidedAt'>>(all: readonly V[], pending: V): V[] {
  const approved = all.filter((v) => v.version < pending.version && v.decidedAt !== null && (v.status === 'active' || v.status === 'superseded'));
  const since = approved.length ? Math.max(...approved.map((v) => v.version)) : 0;
  return all.filter((v) => v.version > since && v.version <= pending.version);
}
