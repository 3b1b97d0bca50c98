/**
 * Read-only queries behind the indicators: declarations and their current channel per day, per
 * office and per trader, and open transit alerts. Plain SQL that runs on PostgreSQL 15 and PGlite.
 * "Current channel" is the channel of a declaration's latest assessment, a supervisor's override applied.
 * The indicators own no table: each query composes the SQL the owning modules write (declarations'
 * scope, risk's current channel and control results, transit's open alerts).
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Tx } from '../../db/client.ts';
import { declarationsSql } from '../declarations/reads.ts';
import { controlResultsSql, currentChannelSql, openControlCount, readSetting, writeSetting } from '../risk/reads.ts';
import { openAlertCounts } from '../transit/reads.ts';

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

/** declarations in scope with the current channel of their latest assessment (a supervisor's override applied) */
function current(f: DeclarationScope): SQL {
  return sql`select d.*, ${currentChannelSql(sql`d.id`)} as channel from (${declarationsSql(f)}) d`;
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

/** Open transit alerts concerning an administration, by kind and severity. */
export async function openAlerts(tx: Tx, country: string): Promise<{ kind: string; severity: string; count: number }[]> {
  return openAlertCounts(tx, country);
}

const SETTINGS_KEY = 'kpi.targets';

export interface StoredTargets {
  [country: string]: { default?: { red: number; yellow: number }; offices?: Record<string, { red: number; yellow: number }> };
}

export async function readTargets(tx: Tx): Promise<StoredTargets> {
  return ((await readSetting(tx, SETTINGS_KEY)) as StoredTargets | undefined) ?? {};
}

export async function writeTargets(tx: Tx, value: StoredTargets, now: Date): Promise<void> {
  await writeSetting(tx, SETTINGS_KEY, value, now);
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
    select to_char((d.lodged_at at time zone ${timeZone})::date, 'YYYY-MM-DD') as date, c.office, c.channel, c.random, c.hit, c.seized, c.revenue,
      extract(epoch from (c.recorded_at - d.lodged_at)) / 3600.0 as hours
    from (${controlResultsSql(f.country, f.office, usd)}) c join (${declarationsSql({ country: f.country, from: f.from, to: f.to })}) d on d.id = c.declaration_id`);
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
  return openControlCount(tx, country, office);
}
