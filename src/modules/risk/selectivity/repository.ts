import { and, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { queryRows, schema, type Tx } from '../../../db/client.ts';
import type { ConsignmentView } from '../cel.ts';
import { GENERATION_KEY } from '../criteria/repository.ts';
import type { Channel, OfficerOnDuty } from '../decision.ts';
import type { MarkInput, TraderStats } from '../engine.ts';
import type { OfficeDay } from './capacity.ts';

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
  consignments: Map<string, ConsignmentView>;
  /** by office: the officers on duty now, by id */
  onDuty: Map<string, OfficerOnDuty[]>;
  capacity: Map<string, OfficeDay>;
}

/**
 * Everything the decisions read, in one statement: settings (rule-set generation, config), the
 * traders' history, marks and consignments, who is on duty, and the office-day capacity counters
 * (created if absent and locked for the transaction).
 */
export async function intakeContext(tx: Tx, country: string, day: string, now: Date, tins: string[], docs: string[], offices: string[]): Promise<IntakeContextRows> {
  const list = (xs: string[]) => (xs.length ? sql.join(xs.map((x) => sql`${x}`), sql`, `) : sql`null`);
  const nowIso = now.toISOString();
  const [r] = await queryRows<{ settings: Record<string, unknown> | null; traders: any[] | null; marks: any[] | null; consignments: any[] | null; duty: any[] | null; capacity: any[] | null }>(
    tx,
    sql`with cap as (
          insert into risk_office_day (country, office, day, decisions, reds, yellows, demoted)
          values ${sql.join(offices.map((o) => sql`(${country}, ${o}, ${day}, 0, 0, 0, 0)`), sql`, `)}
          on conflict (country, office, day) do update set decisions = risk_office_day.decisions
          returning office, decisions, reds, yellows, demoted
        )
        select
          (select json_object_agg(key, value) from settings where key in (${GENERATION_KEY}, ${configKey(country)})) as settings,
          (select json_agg(json_build_object('tin', tin, 'declarations', declarations, 'controls', controls, 'hits', hits, 'seizures', seizures, 'firstSeen', first_seen))
             from risk_trader_history where country = ${country} and tin in (${list(tins)})) as traders,
          (select json_agg(json_build_object('id', id, 'action', action, 'channel', channel, 'manifestReference', manifest_reference, 'transportDocument', transport_document, 'reasons', reasons) order by created_at)
             from consignment_marks where country = ${country} and transport_document in (${list(docs)})) as marks,
          (select json_agg(json_build_object('ref', m.reference, 'transportDocument', c.transport_document, 'shipper', c.shipper, 'consignee', c.consignee, 'consigneeTin', c.consignee_tin,
                    'description', c.description, 'hsCode', c.hs_code, 'packages', c.packages, 'grossMassKg', c.gross_mass_kg, 'containers', c.containers))
             from consignments c join manifests m on m.id = c.manifest_id
             where m.country = ${country} and c.transport_document in (${list(docs)})) as consignments,
          (select json_agg(json_build_object('office', r.office, 'id', r.officer_id, 'name', r.officer_name))
             from duty_roster r join users u on u.id = r.officer_id
             where r.country = ${country} and r.office in (${list(offices)}) and r.from_at <= ${nowIso} and r.to_at > ${nowIso} and u.active) as duty,
          (select json_agg(cap) from cap) as capacity`,
  );
  const settings = r.settings ?? {};
  const stats = new Map<string, TraderStats>();
  for (const t of r.traders ?? []) stats.set(t.tin, { tin: t.tin, declarations: Number(t.declarations), controls: Number(t.controls), hits: Number(t.hits), seizures: Number(t.seizures), firstSeen: Date.parse(t.firstSeen) });
  const marks = new Map<string, MarkInput>();
  for (const m of r.marks ?? []) {
    const v: MarkInput = { markId: m.id, action: m.action, channel: m.channel as Channel, manifestReference: m.manifestReference, transportDocument: m.transportDocument, reasons: m.reasons as string[] };
    marks.set(`${m.manifestReference}|${m.transportDocument}`, v);
    marks.set(`|${m.transportDocument}`, v);
  }
  const consignments = new Map<string, ConsignmentView>();
  for (const c of r.consignments ?? []) {
    const v: ConsignmentView = { transportDocument: c.transportDocument, shipper: c.shipper, consignee: c.consignee, consigneeTin: c.consigneeTin, description: c.description, hsCode: c.hsCode, packages: Number(c.packages), grossMassKg: Number(c.grossMassKg), containers: (c.containers ?? []) as string[] };
    consignments.set(`${c.ref}|${c.transportDocument}`, v);
    consignments.set(`|${c.transportDocument}`, v);
  }
  const onDuty = new Map<string, OfficerOnDuty[]>();
  for (const o of offices) onDuty.set(o, []);
  for (const d of r.duty ?? []) {
    const l = onDuty.get(d.office)!;
    if (!l.some((x) => x.id === d.id)) l.push({ id: d.id, name: d.name });
  }
  for (const l of onDuty.values()) l.sort((a, b) => (a.id < b.id ? -1 : 1));
  const capacity = new Map<string, OfficeDay>();
  for (const c of r.capacity ?? []) capacity.set(c.office, { decisions: Number(c.decisions), reds: Number(c.reds), yellows: Number(c.yellows), demoted: Number(c.demoted) });
  return { generation: Number(settings[GENERATION_KEY] ?? 0), storedConfig: settings[configKey(country)], stats, marks, consignments, onDuty, capacity };
}

/** The office-day and trader counters, incremented in one statement (their rows are locked by the context read). */
export async function writeCounters(tx: Tx, country: string, day: string, now: Date, capacity: Map<string, OfficeDay>, traders: Map<string, { declarations: number; controls: number }>): Promise<void> {
  const cap = [...capacity].filter(([, c]) => c.decisions);
  const tr = [...traders];
  const parts: SQL[] = [];
  if (cap.length)
    parts.push(sql`c as (insert into risk_office_day (country, office, day, decisions, reds, yellows, demoted)
      values ${sql.join(cap.map(([o, c]) => sql`(${country}, ${o}, ${day}, ${c.decisions}, ${c.reds}, ${c.yellows}, ${c.demoted})`), sql`, `)}
      on conflict (country, office, day) do update set decisions = risk_office_day.decisions + excluded.decisions, reds = risk_office_day.reds + excluded.reds,
        yellows = risk_office_day.yellows + excluded.yellows, demoted = risk_office_day.demoted + excluded.demoted)`);
  if (tr.length) {
    const nowIso = now.toISOString();
    parts.push(sql`t as (insert into risk_trader_history (country, tin, declarations, controls, hits, seizures, first_seen, last_seen)
      values ${sql.join(tr.map(([tin, t]) => sql`(${country}, ${tin}, ${t.declarations}, ${t.controls}, 0, 0, ${nowIso}, ${nowIso})`), sql`, `)}
      on conflict (country, tin) do update set declarations = risk_trader_history.declarations + excluded.declarations,
        controls = risk_trader_history.controls + excluded.controls, last_seen = excluded.last_seen)`);
  }
  if (parts.length) await tx.execute(sql`with ${sql.join(parts, sql`, `)} select 1`);
}

export async function traderStats(tx: Tx, country: string, tins: string[]): Promise<Map<string, TraderStats>> {
  if (!tins.length) return new Map();
  const rows = await tx
    .select()
    .from(schema.riskTraderHistory)
    .where(and(eq(schema.riskTraderHistory.country, country), inArray(schema.riskTraderHistory.tin, tins)));
  return new Map(rows.map((r) => [r.tin, { tin: r.tin, declarations: r.declarations, controls: r.controls, hits: r.hits, seizures: r.seizures, firstSeen: r.firstSeen.getTime() }]));
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

/** The content of a declaration version as it was assessed. */
export async function declarationPayload(tx: Tx, declarationId: string, version: number): Promise<unknown> {
  const [ver] = await tx.select().from(schema.declarationVersions).where(and(eq(schema.declarationVersions.declarationId, declarationId), eq(schema.declarationVersions.version, version)));
  return ver.payload;
}

/** The criterion versions of a recorded rule set. */
export async function rulesetVersions(tx: Tx, rulesetId: string) {
  const [rsRow] = await tx.select().from(schema.riskRulesets).where(eq(schema.riskRulesets.id, rulesetId));
  const versionIds = (rsRow?.versionIds as string[]) ?? [];
  return versionIds.length ? tx.select().from(schema.riskCriterionVersions).where(inArray(schema.riskCriterionVersions.id, versionIds)) : [];
}
