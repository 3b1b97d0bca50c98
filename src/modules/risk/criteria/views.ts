import type { CriterionScope } from '../engine.ts';
import type { CriterionInput } from '../schema.ts';
import type { CriterionRow, VersionInsert } from './repository.ts';
import type { VersionRow } from './versions.ts';

/** How criteria and their versions are shown (API, audit log). */

export function auditVersion(v: VersionInsert | VersionRow) {
  return { versionId: v.id, version: v.version, name: v.name, expression: v.expression, scope: v.scope, weight: v.weight, forcedChannel: v.forcedChannel ?? null, validFrom: v.validFrom, validTo: v.validTo ?? null };
}

export function versionView(v: VersionRow) {
  return {
    id: v.id,
    version: v.version,
    status: v.status,
    name: v.name,
    reason: v.reason,
    expression: v.expression,
    scope: v.scope as CriterionScope,
    weight: v.weight,
    // written only from a parsed CriterionInput / CriterionEdit
    forcedChannel: v.forcedChannel as CriterionInput['forcedChannel'],
    manifestAction: v.manifestAction as CriterionInput['manifestAction'],
    regional: v.regional,
    validFrom: v.validFrom.toISOString(),
    validTo: v.validTo?.toISOString() ?? null,
    author: v.authorName,
    submittedAt: v.submittedAt?.toISOString() ?? null,
    decidedBy: v.decidedByName,
    decidedAt: v.decidedAt?.toISOString() ?? null,
    decisionNote: v.decisionNote,
  };
}

export function criterionView(c: CriterionRow, active: VersionRow | null, pending: VersionRow | null, now: Date) {
  const expired = c.status === 'active' && active?.validTo && active.validTo <= now;
  return {
    id: c.id,
    country: c.country,
    name: c.name,
    status: expired ? 'expired' : c.status,
    regional: c.regional,
    activeVersion: active ? versionView(active) : null,
    pendingVersion: pending ? versionView(pending) : null,
    createdBy: c.createdBy,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
export type CriterionView = ReturnType<typeof criterionView> & { versions?: ReturnType<typeof versionView>[] };
