import { asc, eq, inArray, sql } from 'drizzle-orm';
import { queryRows, schema, type Tx } from '../../../db/client.ts';
import { listAudit } from '../../access/repository.ts';
import type { CriterionFailure } from '../engine.ts';
import type { VersionRow } from './versions.ts';

/** The drizzle queries of the criteria room: criteria, their versions, their evaluation failures, the rule-set generation. */

export type CriterionRow = typeof schema.riskCriteria.$inferSelect;
export type VersionInsert = typeof schema.riskCriterionVersions.$inferInsert;

/** settings key of the rule-set generation (bumped by every approval, suspension and resumption) */
export const GENERATION_KEY = 'risk.generation';

export async function lockCriterion(tx: Tx, id: string): Promise<CriterionRow | undefined> {
  const [c] = await tx.select().from(schema.riskCriteria).where(eq(schema.riskCriteria.id, id)).for('update');
  return c;
}

export async function findCriterion(tx: Tx, id: string): Promise<CriterionRow | undefined> {
  const [c] = await tx.select().from(schema.riskCriteria).where(eq(schema.riskCriteria.id, id));
  return c;
}

export async function criteriaOf(tx: Tx, country: string): Promise<CriterionRow[]> {
  return tx.select().from(schema.riskCriteria).where(eq(schema.riskCriteria.country, country)).orderBy(asc(schema.riskCriteria.createdAt));
}

export async function insertCriterion(tx: Tx, row: typeof schema.riskCriteria.$inferInsert): Promise<void> {
  await tx.insert(schema.riskCriteria).values(row);
}

export async function updateCriterion(tx: Tx, id: string, set: Partial<typeof schema.riskCriteria.$inferInsert>): Promise<void> {
  await tx.update(schema.riskCriteria).set(set).where(eq(schema.riskCriteria.id, id));
}

export async function findVersion(tx: Tx, id: string | null): Promise<VersionRow | undefined> {
  if (!id) return undefined;
  const [v] = await tx.select().from(schema.riskCriterionVersions).where(eq(schema.riskCriterionVersions.id, id));
  return v;
}

export async function versionsById(tx: Tx, ids: string[]): Promise<VersionRow[]> {
  return ids.length ? tx.select().from(schema.riskCriterionVersions).where(inArray(schema.riskCriterionVersions.id, ids)) : [];
}

export async function versionsOf(tx: Tx, criterionId: string): Promise<VersionRow[]> {
  return tx.select().from(schema.riskCriterionVersions).where(eq(schema.riskCriterionVersions.criterionId, criterionId)).orderBy(asc(schema.riskCriterionVersions.version));
}

export async function lastVersionNumber(tx: Tx, criterionId: string): Promise<number> {
  const [{ max }] = await queryRows<{ max: number }>(tx, sql`select max(version)::int as max from risk_criterion_versions where criterion_id = ${criterionId}`);
  return Number(max);
}

export async function insertVersion(tx: Tx, row: VersionInsert): Promise<void> {
  await tx.insert(schema.riskCriterionVersions).values(row);
}

export async function updateVersion(tx: Tx, id: string, set: Partial<VersionInsert>): Promise<void> {
  await tx.update(schema.riskCriterionVersions).set(set).where(eq(schema.riskCriterionVersions.id, id));
}

/** Who suspended the criterion last (from the audit log: resuming needs someone else). */
export async function lastSuspendedBy(tx: Tx, id: string): Promise<string | null> {
  const [last] = await listAudit(tx, { entityType: 'risk_criterion', entityId: id, action: 'criterion.suspended', limit: 1 });
  return last?.actor ?? null;
}

export async function bumpGeneration(tx: Tx, now: Date): Promise<void> {
  await tx
    .insert(schema.settings)
    .values({ key: GENERATION_KEY, value: 1, updatedAt: now })
    .onConflictDoUpdate({ target: schema.settings.key, set: { value: sql`to_jsonb((${schema.settings.value}#>> '{}')::int + 1)`, updatedAt: now } });
}

export async function generation(tx: Tx): Promise<number> {
  const [r] = await tx.select({ v: schema.settings.value }).from(schema.settings).where(eq(schema.settings.key, GENERATION_KEY));
  return r ? Number(r.v) : 0;
}

/** The active version of every active criterion of an administration. */
export async function activeVersions(tx: Tx, country: string): Promise<VersionRow[]> {
  const rows = await queryRows<VersionRow & Record<string, unknown>>(
    tx,
    sql`select v.id, v.criterion_id as "criterionId", v.name, v.reason, v.expression, v.scope, v.weight, v.forced_channel as "forcedChannel",
               v.manifest_action as "manifestAction", v.valid_from as "validFrom", v.valid_to as "validTo"
        from risk_criteria c join risk_criterion_versions v on v.id = c.active_version_id
        where c.country = ${country} and c.status = 'active'`,
  );
  return rows.map((r) => ({ ...r, validFrom: new Date(r.validFrom as unknown as string), validTo: r.validTo ? new Date(r.validTo as unknown as string) : null }) as VersionRow);
}

/** Records a rule set (the criterion versions it holds), once. */
export async function saveRuleset(tx: Tx, row: { id: string; country: string; versionIds: string[]; createdAt: Date }): Promise<void> {
  await tx.insert(schema.riskRulesets).values(row).onConflictDoNothing();
}

/**
 * Counts the records criteria could not be evaluated on (per criterion version, with the last
 * error), in the intake's transaction: analysts see it on the criterion.
 */
export async function recordCriterionFailures(tx: Tx, country: string, now: Date, failures: (CriterionFailure & { reference?: string })[]): Promise<void> {
  const byVersion = new Map<string, { criterionId: string; n: number; budget: number; last: CriterionFailure & { reference?: string } }>();
  for (const f of failures) {
    if (!f.criterionId) continue;
    let x = byVersion.get(f.versionId);
    if (!x) byVersion.set(f.versionId, (x = { criterionId: f.criterionId, n: 0, budget: 0, last: f }));
    x.n++;
    if (f.code === 'budget_exceeded') x.budget++;
    x.last = f;
  }
  if (!byVersion.size) return;
  const nowIso = now.toISOString();
  // in version order: concurrent intakes lock the rows in the same order
  const rows = [...byVersion].sort(([a], [b]) => (a < b ? -1 : 1));
  await tx.execute(sql`insert into risk_criterion_errors (version_id, criterion_id, country, failures, budget_exceeded, first_at, last_at, last_code, last_error, last_reference)
    values ${sql.join(
      rows.map(([v, x]) => sql`(${v}::uuid, ${x.criterionId}::uuid, ${country}, ${x.n}, ${x.budget}, ${nowIso}, ${nowIso}, ${x.last.code ?? 'criterion_error'}, ${x.last.message}, ${x.last.reference ?? null})`),
      sql`, `,
    )}
    on conflict (version_id) do update set failures = risk_criterion_errors.failures + excluded.failures,
      budget_exceeded = risk_criterion_errors.budget_exceeded + excluded.budget_exceeded, last_at = excluded.last_at,
      last_code = excluded.last_code, last_error = excluded.last_error, last_reference = excluded.last_reference`);
}

/** What analysts see of a criterion's failures: records it could not be evaluated on, and the last error. */
export interface CriterionFailures {
  failures: number;
  budgetExceeded: number;
  lastAt: string;
  lastCode: string;
  lastError: string;
  lastReference: string | null;
  lastVersionId: string;
}

export async function criterionFailures(tx: Tx, country: string, criterionId: string | null): Promise<Map<string, CriterionFailures>> {
  const rows = await tx
    .select()
    .from(schema.riskCriterionErrors)
    .where(criterionId ? eq(schema.riskCriterionErrors.criterionId, criterionId) : eq(schema.riskCriterionErrors.country, country))
    .orderBy(asc(schema.riskCriterionErrors.lastAt));
  const out = new Map<string, CriterionFailures>();
  for (const r of rows) {
    const x = out.get(r.criterionId);
    const last = { lastAt: r.lastAt.toISOString(), lastCode: r.lastCode, lastError: r.lastError, lastReference: r.lastReference, lastVersionId: r.versionId };
    if (x) out.set(r.criterionId, { ...x, failures: x.failures + Number(r.failures), budgetExceeded: x.budgetExceeded + Number(r.budgetExceeded), ...last });
    else out.set(r.criterionId, { failures: Number(r.failures), budgetExceeded: Number(r.budgetExceeded), ...last });
  }
  return out;
}

/**
 * A criterion's figures over [from, to): assessments whose rule set held one of its versions,
 * assessments it hit, and controls it selected with a result recorded (and those with findings).
 */
export async function criterionStats(tx: Tx, country: string, criterionId: string, versionIds: string[], from: Date, to: Date): Promise<{ evaluated: number; hits: number; controls: number; controlsWithFindings: number }> {
  if (!versionIds.length) return { evaluated: 0, hits: 0, controls: 0, controlsWithFindings: 0 };
  const f = from.toISOString();
  const t = to.toISOString();
  const [a] = await queryRows<{ evaluated: number; hits: number }>(
    tx,
    sql`select count(*)::int as evaluated,
               count(*) filter (where a.inputs->'criteria'->'hits' @> ${JSON.stringify([{ c: criterionId }])}::jsonb)::int as hits
        from assessments a join risk_rulesets r on r.id = a.inputs->>'rulesetId'
        where a.country = ${country} and a.decided_at >= ${f} and a.decided_at < ${t}
          and r.version_ids ?| ${sql.raw(`array[${versionIds.map((v) => `'${v.replace(/[^0-9a-f-]/gi, '')}'`).join(',')}]`)}`,
  );
  const [c] = await queryRows<{ controls: number; findings: number }>(
    tx,
    sql`select count(*)::int as controls, count(*) filter (where r.hit)::int as findings
        from control_criteria cc join controls c on c.id = cc.control_id join control_results r on r.control_id = c.id
        where cc.criterion_id = ${criterionId} and c.country = ${country} and c.created_at >= ${f} and c.created_at < ${t}`,
  );
  return { evaluated: Number(a?.evaluated ?? 0), hits: Number(a?.hits ?? 0), controls: Number(c?.controls ?? 0), controlsWithFindings: Number(c?.findings ?? 0) };
}
