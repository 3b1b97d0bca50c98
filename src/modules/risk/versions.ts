import type { schema } from '../../db/client.ts';
import type { Channel } from '../declarations/schema.ts';
import type { CriterionScope, CriterionVersionDef } from './engine.ts';

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
