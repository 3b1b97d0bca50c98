/**
 * Read-only queries behind the indicators: declarations and their current channel per day, per
 * office and per trader, and open transit alerts. Plain SQL that runs on PostgreSQL 15 and PGlite.
 * "Current channel" is the channel of a declaration's latest assessment, a supervisor's override applied.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import { queryRows, schema, type Tx } from '../../db/client.ts';
import { currentChannelOfAlias } from '../risk/channel.ts';

export const CHANNEL_KEYS = ['green', 'yellow', 'red', 'blue'] as const;
export type ChannelKey = (typeof CHANNEL_KEYS)[number];
export type ChannelCounts = Record<ChannelKey, number> & { total: number; unassessed: number };

export interface DeclarationScope {
  country: string;
  office?: string;
  from?: Date;
  to?: Date;
  /** a trader's TIN: importer, exporter or declarant */
  trader?: string;
}

function whereOf(f: DeclarationScope): SQL {
  const parts: SQL[] = [sql`d.country = ${f.country}`];
  if (f.office) parts.push(sql`d.office = ${f.office}`);
  if (f.from) parts.push(sql`d.lodged_at >= ${f.from.toISOString()}::timestamptz`);
  if (f.to) parts.push(sql`d.lodged_at < ${f.to.toISOString()}::timestamptz`);
  if (f.trader) parts.push(sql`(d.importer_tin = ${f.trader} or d.exporter_tin = ${f.trader} or d.declarant_tin = ${f.trader})`);
  return sql.join(parts, sql` and `);
}

/** declarations in scope joined to the current channel of their latest assessment (a supervisor's override applied) */
function current(f: DeclarationScope): SQL {
  return sql`
    select d.id, d.office, d.lodged_at, d.total_value, d.currency, d.importer_tin, d.exporter_tin, d.declarant_tin, a.channel
    from ${schema.declarations} d
    left join lateral (
      select ${currentChannelOfAlias('x')} as channel from ${schema.assessments} x
      where x.declaration_id = d.id
      order by x.decided_at desc, x.id desc
      limit 1
    ) a on true
    where ${whereOf(f)}`;
}

const counts = sql`
  count(*)::int as total,
  count(*) filter (where channel = 'green')::int as green,
  count(*) filter (where channel = 'yellow')::int as yellow,
  count(*) filter (where channel = 'red')::int as red,
  count(*) filter (where channel = 'blue')::int as blue,
  count(*) filter (where channel is null)::int as unassessed`;

function toCounts(r: Record<string, unknown>): ChannelCounts {
  return {
    total: Number(r.total ?? 0),
    green: Number(r.green ?? 0),
    yellow: Number(r.yellow ?? 0),
    red: Number(r.red ?? 0),
    blue: Number(r.blue ?? 0),
    unassessed: Number(r.unassessed ?? 0),
  };
}

/** Declarations per local day (in the administration's time zone) with their channels. */
export async function channelsPerDay(tx: Tx, f: DeclarationScope, timeZone: string): Promise<({ date: string } & ChannelCounts)[]> {
  const rows = await queryRows<Record<string, unknown>>(tx, sql`
    select to_char((c.lodged_at at time zone ${timeZone})::date, 'YYYY-MM-DD') as date, ${counts}
    from (${current(f)}) c
    group by 1 order by 1`);
  return rows.map((x) => ({ date: String(x.date), ...toCounts(x) }));
}

/** Declarations per office with their channels. */
export async function channelsPerOffice(tx: Tx, f: DeclarationScope): Promise<({ office: string } & ChannelCounts)[]> {
  const rows = await queryRows<Record<string, unknown>>(tx, sql`
    select c.office, ${counts}
    from (${current(f)}) c
    group by 1 order by 2 desc, 1`);
  return rows.map((x) => ({ office: String(x.office), ...toCounts(x) }));
}

export interface TraderSummary {
  counts: ChannelCounts;
  /** declared customs value per currency (declarations are in their own currency) */
  values: { currency: string; total: number }[];
  firstLodgedAt: string | null;
  lastLodgedAt: string | null;
  asImporter: number;
  asExporter: number;
  asDeclarant: number;
}

/** A trader's declarations in scope: channels, value, first and last, and in which capacity. */
export async function traderSummary(tx: Tx, f: DeclarationScope & { trader: string }): Promise<TraderSummary> {
  const rows = await queryRows<Record<string, unknown>>(tx, sql`
    select ${counts},
      min(c.lodged_at) as first, max(c.lodged_at) as last,
      count(*) filter (where c.importer_tin = ${f.trader})::int as imp,
      count(*) filter (where c.exporter_tin = ${f.trader})::int as exp,
      count(*) filter (where c.declarant_tin = ${f.trader})::int as decl
    from (${current(f)}) c`);
  const x = rows[0] ?? {};
  const values = await queryRows<{ currency: string; total: number }>(tx, sql`
    select c.currency, sum(c.total_value)::float8 as total from (${current(f)}) c group by 1 order by 2 desc`);
  const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());
  return {
    counts: toCounts(x),
    values: values.map((v) => ({ currency: String(v.currency), total: Number(v.total) })),
    firstLodgedAt: iso(x.first),
    lastLodgedAt: iso(x.last),
    asImporter: Number(x.imp ?? 0),
    asExporter: Number(x.exp ?? 0),
    asDeclarant: Number(x.decl ?? 0),
  };
}

/** The name a trader last declared under, from the latest declaration naming its TIN. */
export async function traderName(tx: Tx, country: string, tin: string): Promise<{ name: string; country: string | null } | null> {
  const rows = await queryRows<Record<string, unknown>>(tx, sql`
    select d.importer_tin, d.exporter_tin, d.declarant_tin, d.payload
    from ${schema.declarations} d
    where d.country = ${country} and (d.importer_tin = ${tin} or d.exporter_tin = ${tin} or d.declarant_tin = ${tin})
    order by d.lodged_at desc limit 1`);
  const row = rows[0];
  if (!row) return null;
  type PartyJson = { tin?: string; name?: unknown; country?: string | null } | undefined;
  const p = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as { importer?: PartyJson; exporter?: PartyJson; declarant?: PartyJson };
  const party = [p.importer, p.exporter, p.declarant].find((x) => x && x.tin === tin);
  return party ? { name: String(party.name ?? tin), country: party.country ?? null } : { name: tin, country: null };
}

/** Open transit alerts concerning an administration, by kind and severity. */
export async function openAlerts(tx: Tx, country: string): Promise<{ kind: string; severity: string; count: number }[]> {
  const A = schema.transitAlerts;
  const r = await tx
    .select({ kind: A.kind, severity: A.severity, count: sql<number>`count(*)::int` })
    .from(A)
    .where(sql`${A.status} = 'open' and ${country} = any(${A.countries})`)
    .groupBy(A.kind, A.severity);
  return r.map((x) => ({ kind: x.kind, severity: x.severity, count: Number(x.count) }));
}

const SETTINGS_KEY = 'kpi.targets';

export interface StoredTargets {
  [country: string]: { default?: { red: number; yellow: number }; offices?: Record<string, { red: number; yellow: number }> };
}

export async function readTargets(tx: Tx): Promise<StoredTargets> {
  const [row] = await tx.select().from(schema.settings).where(eq(schema.settings.key, SETTINGS_KEY));
  return (row?.value as StoredTargets | undefined) ?? {};
}

export async function writeTargets(tx: Tx, value: StoredTargets, now: Date): Promise<void> {
  await tx
    .insert(schema.settings)
    .values({ key: SETTINGS_KEY, value, updatedAt: now })
    .onConflictDoUpdate({ target: schema.settings.key, set: { value, updatedAt: now } });
}

/** One control with its recorded result, for the control indicators. */
export interface ControlResultRow {
  date: string;
  office: string;
  channel: string;
  randomSelected: boolean;
  hit: boolean;
  seized: boolean;
  revenueUsd: number;
  /** hours from lodgement to the recorded result (release), or null */
  releaseHours: number | null;
}

/**
 * Controls with a recorded result of declarations lodged in the period (by local day of lodgement, as
 * the overview counts declarations), with the extra
 * revenue in USD and the hours from the declaration's lodgement to the result. `usd` converts a
 * value in a currency column to USD (the risk module's indicative rates).
 */
export async function controlResults(tx: Tx, f: { country: string; office?: string; from: Date; to: Date }, timeZone: string, usd: SQL): Promise<ControlResultRow[]> {
  const rows = await queryRows<Record<string, unknown>>(tx, sql`
    select to_char((d.lodged_at at time zone ${timeZone})::date, 'YYYY-MM-DD') as date, c.office, c.channel, c.random_selected as random, r.hit, r.goods_seized as seized,
      ${usd} as revenue,
      extract(epoch from (r.recorded_at - d.lodged_at)) / 3600.0 as hours
    from controls c join control_results r on r.control_id = c.id join declarations d on d.id = c.declaration_id
    where c.country = ${f.country} ${f.office ? sql`and c.office = ${f.office}` : sql``}
      and d.lodged_at >= ${f.from.toISOString()}::timestamptz and d.lodged_at < ${f.to.toISOString()}::timestamptz`);
  return rows.map((x) => ({
    date: String(x.date),
    office: String(x.office),
    channel: String(x.channel),
    randomSelected: !!x.random,
    hit: !!x.hit,
    seized: !!x.seized,
    revenueUsd: Number(x.revenue ?? 0),
    releaseHours: x.hours === null || x.hours === undefined ? null : Number(x.hours),
  }));
}

/** Controls still open (assigned or waiting) in the administration, or one office. */
export async function openControls(tx: Tx, country: string, office?: string): Promise<number> {
  const [r] = await queryRows<{ n: number }>(tx, sql`select count(*)::int as n from controls c where c.country = ${country} ${office ? sql`and c.office = ${office}` : sql``} and c.status in ('assigned', 'unassigned')`);
  return Number(r?.n ?? 0);
}
