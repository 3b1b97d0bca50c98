import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { queryRows, schema, type Tx } from '../../../db/client.ts';
import { currentChannel, currentChannelOfAlias } from '../channel.ts';
import { GENERATION_KEY } from '../criteria/repository.ts';
import type { Channel, OfficerOnDuty } from '../decision.ts';
import type { MarkInput, TraderStats } from '../engine.ts';
import type { OfficeDay } from './capacity.ts';
import { userIsActiveSql } from '../../access/reads.ts';
import { addCountsSql, counters as traderCounters, countersJsonSql } from '../../traders/counters.ts';

/** The drizzle queries of the selectivity room: settings, the decisions' context, the counters, consignment marks. */

export const configKey = (country: string) => `risk.config.${country}`;

/** The stored overrides of an administration's settings (undefined when it has none). */
export async function storedConfig(tx: Tx, country: string): Promise<unknown> {
  const r = await tx.select().from(schema.settings).where(eq(schema.settings.key, configKey(country)));
  return r[0]?.value;
}

/** One writer per administration at a time (for the transaction): versions are numbered without gaps. */
export async function lockConfig(tx: Tx, country: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${configKey(country)}))`);
}

export async function configVersions(tx: Tx, country: string) {
  return tx.select().from(schema.riskConfigVersions).where(eq(schema.riskConfigVersions.country, country)).orderBy(desc(schema.riskConfigVersions.version));
}

export async function configVersion(tx: Tx, country: string, version: number) {
  const [v] = await tx
    .select()
    .from(schema.riskConfigVersions)
    .where(and(eq(schema.riskConfigVersions.country, country), eq(schema.riskConfigVersions.version, version)));
  return v;
}

export async function lastConfigVersion(tx: Tx, country: string): Promise<number> {
  const [{ last }] = await queryRows<{ last: number | null }>(tx, sql`select max(version) as last from risk_config_versions where country = ${country}`);
  return Number(last ?? 0);
}

export async function saveConfig(tx: Tx, row: { country: string; version: number; settings: unknown; actor: string; reason: string; revertedFrom: number | null; now: Date }): Promise<void> {
  await tx
    .insert(schema.settings)
    .values({ key: configKey(row.country), value: row.settings, updatedAt: row.now })
    .onConflictDoUpdate({ target: schema.settings.key, set: { value: row.settings, updatedAt: row.now } });
  await tx.insert(schema.riskConfigVersions).values({ country: row.country, version: row.version, settings: row.settings, actor: row.actor, reason: row.reason, revertedFrom: row.revertedFrom, createdAt: row.now });
}

/** Everything the decisions of a batch read, with the office-day counters created and locked. */
export interface IntakeContextRows {
  generation: number;
  storedConfig: unknown;
  stats: Map<string, TraderStats>;
  marks: Map<string, MarkInput>;
  /** by office: the officers on duty now, by id */
  onDuty: Map<string, OfficerOnDuty[]>;
  capacity: Map<string, OfficeDay>;
}

/** A read part (declarations/service.ts ReadPart): common table expressions, columns, and how to read them back. */
export interface RiskReadPart<T> {
  ctes: SQL[];
  cols: SQL[];
  parse(row: Record<string, unknown>): T;
}

/**
 * Everything the decisions read, as one part of intake's read statement: settings (rule-set
 * generation, config), the traders' history, marks, who is on duty, and the office-day capacity
 * counters (created if absent and locked for the transaction).
 */
export function intakeContextPart(country: string, day: string, now: Date, tins: string[], docs: string[], offices: string[]): RiskReadPart<IntakeContextRows> {
  const list = (xs: string[]) => (xs.length ? sql.join(xs.map((x) => sql`${x}`), sql`, `) : sql`null`);
  const nowIso = now.toISOString();
  // the JSON the columns below build (numbers as the driver gives them: read through Number())
  type Row = {
    risk_settings: Record<string, unknown> | null;
    risk_traders: { tin: string; declarations: unknown; controls: unknown; hits: unknown; seizures: unknown; firstSeen: string }[] | null;
    risk_marks: { id: string; action: string; channel: string; manifestReference: string; transportDocument: string; reasons: unknown }[] | null;
    risk_duty: { office: string; id: string; name: string }[] | null;
    risk_capacity: { office: string; decisions: unknown; reds: unknown; yellows: unknown; demoted: unknown }[] | null;
  };
  return {
    ctes: [
      sql`risk_cap as (
          insert into risk_office_day (country, office, day, decisions, reds, yellows, demoted)
          values ${sql.join(offices.map((o) => sql`(${country}, ${o}, ${day}, 0, 0, 0, 0)`), sql`, `)}
          on conflict (country, office, day) do update set decisions = risk_office_day.decisions
          returning office, decisions, reds, yellows, demoted
        )`,
    ],
    cols: [
      sql`(select json_object_agg(key, value) from settings where key in (${GENERATION_KEY}, ${configKey(country)})) as risk_settings`,
      sql`${countersJsonSql(country, tins)} as risk_traders`,
      sql`(select json_agg(json_build_object('id', id, 'action', action, 'channel', channel, 'manifestReference', manifest_reference, 'transportDocument', transport_document, 'reasons', reasons) order by created_at)
             from consignment_marks where country = ${country} and transport_document in (${list(docs)})) as risk_marks`,
      sql`(select json_agg(json_build_object('office', r.office, 'id', r.officer_id, 'name', r.officer_name))
             from duty_roster r
             where r.country = ${country} and r.office in (${list(offices)}) and r.from_at <= ${nowIso} and r.to_at > ${nowIso} and ${userIsActiveSql(sql`r.officer_id`)}) as risk_duty`,
      sql`(select json_agg(risk_cap) from risk_cap) as risk_capacity`,
    ],
    parse: (row) => {
      const r = row as Row;
      const settings = r.risk_settings ?? {};
      const stats = new Map<string, TraderStats>();
      for (const t of r.risk_traders ?? []) stats.set(t.tin, { tin: t.tin, declarations: Number(t.declarations), controls: Number(t.controls), hits: Number(t.hits), seizures: Number(t.seizures), firstSeen: Date.parse(t.firstSeen) });
      const marks = new Map<string, MarkInput>();
      for (const m of r.risk_marks ?? []) {
        const v: MarkInput = { markId: m.id, action: m.action, channel: m.channel as Channel, manifestReference: m.manifestReference, transportDocument: m.transportDocument, reasons: m.reasons as string[] };
        marks.set(`${m.manifestReference}|${m.transportDocument}`, v);
        marks.set(`|${m.transportDocument}`, v);
      }
      const onDuty = new Map<string, OfficerOnDuty[]>();
      for (const o of offices) onDuty.set(o, []);
      for (const d of r.risk_duty ?? []) {
        const l = onDuty.get(d.office)!;
        if (!l.some((x) => x.id === d.id)) l.push({ id: d.id, name: d.name });
      }
      for (const l of onDuty.values()) l.sort((a, b) => (a.id < b.id ? -1 : 1));
      const capacity = new Map<string, OfficeDay>();
      for (const c of r.risk_capacity ?? []) capacity.set(c.office, { decisions: Number(c.decisions), reds: Number(c.reds), yellows: Number(c.yellows), demoted: Number(c.demoted) });
      return { generation: Number(settings[GENERATION_KEY] ?? 0), storedConfig: settings[configKey(country)], stats, marks, onDuty, capacity };
    },
  };
}

/** The decisions' context read on its own (one statement): when intake did not read it with its own. */
export async function intakeContext(tx: Tx, country: string, day: string, now: Date, tins: string[], docs: string[], offices: string[]): Promise<IntakeContextRows> {
  const part = intakeContextPart(country, day, now, tins, docs, offices);
  const [row] = await queryRows<Record<string, unknown>>(tx, sql`with ${sql.join(part.ctes, sql`, `)} select ${sql.join(part.cols, sql`, `)}`);
  return part.parse(row);
}

/**
 * The office-day and trader counters' increments (their rows are locked by the context read), as
 * plain data-modifying statements that intake runs with its other writes in one statement.
 */
export function counterWrites(country: string, day: string, now: Date, capacity: Map<string, OfficeDay>, traders: Map<string, { declarations: number; controls: number }>): SQL[] {
  const cap = [...capacity].filter(([, c]) => c.decisions);
  const tr = [...traders];
  const out: SQL[] = [];
  if (cap.length)
    out.push(sql`insert into risk_office_day (country, office, day, decisions, reds, yellows, demoted)
      values ${sql.join(cap.map(([o, c]) => sql`(${country}, ${o}, ${day}, ${c.decisions}, ${c.reds}, ${c.yellows}, ${c.demoted})`), sql`, `)}
      on conflict (country, office, day) do update set decisions = risk_office_day.decisions + excluded.decisions, reds = risk_office_day.reds + excluded.reds,
        yellows = risk_office_day.yellows + excluded.yellows, demoted = risk_office_day.demoted + excluded.demoted`);
  if (tr.length) out.push(addCountsSql(country, now, tr));
  return out;
}

/** Runs plain data-modifying statements as one (sibling data-modifying CTEs). */
export async function runWrites(tx: Tx, writes: SQL[]): Promise<void> {
  if (writes.length === 1) await tx.execute(writes[0]);
  else if (writes.length > 1) await tx.execute(sql`with ${sql.join(writes.map((w, i) => sql`${sql.raw(`w${i}`)} as (${w})`), sql`, `)} select 1`);
}

/** The office-day and trader counters, incremented at once (one statement). */
export async function writeCounters(tx: Tx, country: string, day: string, now: Date, capacity: Map<string, OfficeDay>, traders: Map<string, { declarations: number; controls: number }>): Promise<void> {
  await runWrites(tx, counterWrites(country, day, now, capacity, traders));
}

// ------------------------------------------------------------------ assessments

const A = schema.assessments;
export type AssessmentInsert = typeof schema.assessments.$inferInsert;

export function assessmentsInsert(tx: Tx, rows: AssessmentInsert[]): SQL[] {
  const out: SQL[] = [];
  for (let i = 0; i < rows.length; i += 2000) out.push(tx.insert(A).values(rows.slice(i, i + 2000)).getSQL());
  return out;
}

/** The assessment columns as the declaration screens read them, with the current channel (an override applied). */
function storedView(r: { a: typeof A.$inferSelect; current: string }) {
  return { ...r.a, decidedChannel: r.a.channel, channel: r.current, overridden: r.current !== r.a.channel };
}

/** The latest assessment of each declaration, `channel` the current channel and `decidedChannel` the decided one. */
export async function latestAssessments(tx: Tx, declarationIds: string[]) {
  if (declarationIds.length === 0) return [];
  const rows = await tx
    .selectDistinctOn([A.declarationId], { a: A, current: currentChannel(A.id, A.channel) })
    .from(A)
    .where(inArray(A.declarationId, declarationIds))
    .orderBy(A.declarationId, desc(A.decidedAt), desc(A.id));
  return rows.map(storedView);
}

/** Every assessment of a declaration, oldest first. */
export async function assessmentHistory(tx: Tx, declarationId: string) {
  const rows = await tx.select({ a: A, current: currentChannel(A.id, A.channel) }).from(A).where(eq(A.declarationId, declarationId)).orderBy(asc(A.decidedAt), asc(A.id));
  return rows.map(storedView);
}

/** A lateral subquery: the latest assessment of the declaration `declarationId` (channel — current —, risk_level, score, reasons). */
export function latestAssessmentOf(declarationId: SQL): SQL {
  return sql`select ${currentChannelOfAlias('la')} as channel, la.risk_level, la.score, la.reasons from assessments la where la.declaration_id = ${declarationId} order by la.decided_at desc, la.id desc limit 1`;
}

export async function traderStats(tx: Tx, country: string, tins: string[]): Promise<Map<string, TraderStats>> {
  return traderCounters(tx, country, tins);
}

/** An amended manifest is targeted again: its marks not yet picked up by a declaration go. */
export async function deleteOpenMarks(tx: Tx, manifestId: string): Promise<void> {
  await tx.delete(schema.consignmentMarks).where(and(eq(schema.consignmentMarks.manifestId, manifestId), isNull(schema.consignmentMarks.declarationId)));
}

export async function insertMarks(tx: Tx, rows: (typeof schema.consignmentMarks.$inferInsert)[]): Promise<void> {
  if (rows.length) await tx.insert(schema.consignmentMarks).values(rows);
}

export async function marks(tx: Tx, country: string, f: { manifestId?: string; limit?: number }) {
  const where = [eq(schema.consignmentMarks.country, country)];
  if (f.manifestId) where.push(eq(schema.consignmentMarks.manifestId, f.manifestId));
  return tx.select().from(schema.consignmentMarks).where(and(...where)).orderBy(desc(schema.consignmentMarks.createdAt)).limit(f.limit ?? 100);
}

// ------------------------------------------------------------------ replay

export async function assessment(tx: Tx, id: string) {
  const [a] = await tx.select().from(schema.assessments).where(eq(schema.assessments.id, id));
  return a;
}

export async function overridesOf(tx: Tx, assessmentId: string) {
  return tx.select().from(schema.channelOverrides).where(eq(schema.channelOverrides.assessmentId, assessmentId));
}

/** The criterion versions of a recorded rule set. */
export async function rulesetVersions(tx: Tx, rulesetId: string) {
  const [rsRow] = await tx.select().from(schema.riskRulesets).where(eq(schema.riskRulesets.id, rulesetId));
  const versionIds = (rsRow?.versionIds as string[]) ?? [];
  return versionIds.length ? tx.select().from(schema.riskCriterionVersions).where(inArray(schema.riskCriterionVersions.id, versionIds)) : [];
}
