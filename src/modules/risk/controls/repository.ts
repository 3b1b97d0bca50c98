import { and, asc, desc, eq, gt, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { queryRows, schema, type Tx } from '../../../db/client.ts';
import { currentChannel } from '../channel.ts';
import { userById, userIsActiveSql } from '../../access/reads.ts';
import { declarationRefs } from '../../declarations/service.ts';
import type { OfficerOnDuty } from '../decision.ts';

/** What controls read of declarations, through the declarations module. */
export { declarationRefs, findDeclaration, findDeclarationCountry } from '../../declarations/service.ts';
import { counterRow, countOutcome } from '../../traders/counters.ts';

/**
 * The drizzle queries of the controls room: controls, their criteria and results, overrides, the
 * duty roster, the traders' history counters. What it reads of other modules' tables (users on
 * duty, a declaration's reference and office) is read here only, in one place each.
 */

export type ControlRow = typeof schema.controls.$inferSelect;
export type ControlInsert = typeof schema.controls.$inferInsert;
export type ResultRow = typeof schema.controlResults.$inferSelect;
export type ResultInsert = typeof schema.controlResults.$inferInsert;
export type RosterRow = typeof schema.dutyRoster.$inferSelect;

/** The active officers on duty at an office at a time, by id. */
export async function onDuty(tx: Tx, country: string, office: string, at: Date, exclude?: string | null): Promise<OfficerOnDuty[]> {
  const rows = await tx
    .select({ id: schema.dutyRoster.officerId, name: schema.dutyRoster.officerName })
    .from(schema.dutyRoster)
    .where(and(eq(schema.dutyRoster.country, country), eq(schema.dutyRoster.office, office), lte(schema.dutyRoster.fromAt, at), gt(schema.dutyRoster.toAt, at), userIsActiveSql(sql`${schema.dutyRoster.officerId}`)));
  const seen = new Map<string, string>();
  for (const r of rows) if (r.id !== exclude) seen.set(r.id, r.name);
  return [...seen].map(([id, name]) => ({ id, name })).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Cancels the open controls of earlier versions of these declarations. */
export async function cancelOpenControls(tx: Tx, declarationIds: string[], now: Date): Promise<{ id: string; country: string }[]> {
  return tx
    .update(schema.controls)
    .set({ status: 'cancelled', updatedAt: now })
    .where(and(inArray(schema.controls.declarationId, declarationIds), inArray(schema.controls.status, ['unassigned', 'assigned'])))
    .returning({ id: schema.controls.id, country: schema.controls.country });
}

/** The inserts of controls and the criteria that selected them, as plain statements (chunked under the bind-parameter limit). */
export function controlWrites(tx: Tx, controlRows: ControlInsert[], critRows: (typeof schema.controlCriteria.$inferInsert)[]): SQL[] {
  const out: SQL[] = [];
  for (let k = 0; k < controlRows.length; k += 500) out.push(tx.insert(schema.controls).values(controlRows.slice(k, k + 500)).getSQL());
  for (let k = 0; k < critRows.length; k += 1000) out.push(tx.insert(schema.controlCriteria).values(critRows.slice(k, k + 1000)).onConflictDoNothing().getSQL());
  return out;
}

/** A consignment mark picked up by the declaration that covers it. */
export function linkMarkSql(tx: Tx, markId: string, declarationId: string): SQL {
  return tx.update(schema.consignmentMarks).set({ declarationId }).where(eq(schema.consignmentMarks.id, markId)).getSQL();
}

export async function lockControl(tx: Tx, id: string): Promise<ControlRow | undefined> {
  const [c] = await tx.select().from(schema.controls).where(eq(schema.controls.id, id)).for('update');
  return c;
}

export async function findControl(tx: Tx, id: string): Promise<ControlRow | undefined> {
  const [c] = await tx.select().from(schema.controls).where(eq(schema.controls.id, id));
  return c;
}

export async function resultOf(tx: Tx, controlId: string): Promise<ResultRow | undefined> {
  const [r] = await tx.select().from(schema.controlResults).where(eq(schema.controlResults.controlId, controlId));
  return r;
}

export async function findAssessment(tx: Tx, id: string, forUpdate = false) {
  const q = tx.select().from(schema.assessments).where(eq(schema.assessments.id, id));
  const [a] = forUpdate ? await q.for('update') : await q;
  return a;
}

/** The channel of an assessment as it stands (the last override's, or the decided one). */
export async function currentChannelOf(tx: Tx, assessmentId: string): Promise<string> {
  const [current] = await tx.select({ channel: currentChannel(schema.assessments.id, schema.assessments.channel) }).from(schema.assessments).where(eq(schema.assessments.id, assessmentId));
  return current.channel as string;
}

export async function queue(tx: Tx, f: { country: string | null; officerId?: string; office?: string; statuses: string[]; limit: number }): Promise<ControlRow[]> {
  const where = [];
  if (f.country !== null) where.push(eq(schema.controls.country, f.country));
  if (f.officerId) where.push(eq(schema.controls.officerId, f.officerId));
  if (f.office) where.push(eq(schema.controls.office, f.office));
  where.push(inArray(schema.controls.status, f.statuses));
  return tx
    .select()
    .from(schema.controls)
    .where(and(...where))
    .orderBy(desc(schema.controls.score), asc(schema.controls.createdAt))
    .limit(f.limit);
}

export async function updateControl(tx: Tx, id: string, set: Partial<ControlInsert>): Promise<void> {
  await tx.update(schema.controls).set(set).where(eq(schema.controls.id, id));
}

export async function insertControl(tx: Tx, row: ControlInsert): Promise<void> {
  await tx.insert(schema.controls).values(row);
}

export async function waitingControls(tx: Tx, country: string, office: string): Promise<ControlRow[]> {
  return tx.select().from(schema.controls).where(and(eq(schema.controls.country, country), eq(schema.controls.office, office), eq(schema.controls.status, 'unassigned'))).for('update');
}

export async function lockControlOfAssessment(tx: Tx, assessmentId: string): Promise<ControlRow | undefined> {
  const [c] = await tx.select().from(schema.controls).where(eq(schema.controls.assessmentId, assessmentId)).for('update');
  return c;
}

export async function insertOverride(tx: Tx, row: typeof schema.channelOverrides.$inferInsert): Promise<void> {
  await tx.insert(schema.channelOverrides).values(row);
}

export async function insertResult(tx: Tx, row: ResultInsert): Promise<void> {
  await tx.insert(schema.controlResults).values(row);
}

/** A hit or a seizure counts in the trader's history. */
export async function countTraderOutcome(tx: Tx, country: string, tin: string, hit: boolean, seized: boolean): Promise<void> {
  await countOutcome(tx, country, tin, hit, seized);
}

// ------------------------------------------------------------------ duty roster

/** A user (through the access module). */
export async function findUser(tx: Tx, id: string) {
  return userById(tx, id);
}

export async function insertDuty(tx: Tx, row: typeof schema.dutyRoster.$inferInsert): Promise<void> {
  await tx.insert(schema.dutyRoster).values(row);
}

export async function lockDuty(tx: Tx, id: string): Promise<RosterRow | undefined> {
  const [r] = await tx.select().from(schema.dutyRoster).where(eq(schema.dutyRoster.id, id)).for('update');
  return r;
}

export async function endDuty(tx: Tx, id: string, to: Date): Promise<void> {
  await tx.update(schema.dutyRoster).set({ toAt: to }).where(eq(schema.dutyRoster.id, id));
}

export async function roster(tx: Tx, country: string, at: Date, office?: string): Promise<RosterRow[]> {
  const where = [eq(schema.dutyRoster.country, country), gt(schema.dutyRoster.toAt, at)];
  if (office) where.push(eq(schema.dutyRoster.office, office));
  return tx.select().from(schema.dutyRoster).where(and(...where)).orderBy(asc(schema.dutyRoster.office), asc(schema.dutyRoster.fromAt));
}

// ------------------------------------------------------------------ read views

export async function latestAssessment(tx: Tx, declarationId: string) {
  const [a] = await tx.select().from(schema.assessments).where(eq(schema.assessments.declarationId, declarationId)).orderBy(desc(schema.assessments.decidedAt), desc(schema.assessments.id)).limit(1);
  return a;
}

export async function criterionVersions(tx: Tx, ids: string[]) {
  return ids.length ? tx.select().from(schema.riskCriterionVersions).where(inArray(schema.riskCriterionVersions.id, ids)) : [];
}

export async function overridesOf(tx: Tx, assessmentId: string) {
  return tx.select().from(schema.channelOverrides).where(eq(schema.channelOverrides.assessmentId, assessmentId)).orderBy(asc(schema.channelOverrides.at));
}

export async function controlsOfDeclaration(tx: Tx, declarationId: string, officerId?: string): Promise<ControlRow[]> {
  const where = [eq(schema.controls.declarationId, declarationId)];
  if (officerId) where.push(eq(schema.controls.officerId, officerId));
  return tx.select().from(schema.controls).where(and(...where)).orderBy(desc(schema.controls.createdAt));
}

export async function resultsOf(tx: Tx, controlIds: string[]): Promise<ResultRow[]> {
  return controlIds.length ? tx.select().from(schema.controlResults).where(inArray(schema.controlResults.controlId, controlIds)) : [];
}

export async function traderHistory(tx: Tx, country: string, tin: string) {
  return counterRow(tx, country, tin);
}

/** A trader's latest controls (not cancelled) with their results, and the reference of each declaration (from the declarations module). */
export async function traderControls(tx: Tx, country: string, tin: string, limit: number): Promise<Record<string, unknown>[]> {
  const rows = await queryRows<Record<string, unknown>>(
    tx,
    sql`select c.id, c.declaration_id as "declarationId", c.office, c.channel, c.status, c.random_selected as "randomSelected", c.score, c.created_at as "createdAt",
               r.outcome, r.hit, r.goods_seized as "goodsSeized", r.extra_duties + r.extra_taxes as "extra", r.currency, r.recorded_at as "recordedAt", r.discrepancies
        from controls c left join control_results r on r.control_id = c.id
        where c.country = ${country} and c.trader_tin = ${tin} and c.status <> 'cancelled'
        order by c.created_at desc limit ${limit}`,
  );
  const refs = new Map((await declarationRefs(tx, [...new Set(rows.map((r) => r.declarationId as string))])).map((d) => [d.id, d.reference]));
  return rows.map((r) => ({ ...r, reference: refs.get(r.declarationId as string) ?? null }));
}
