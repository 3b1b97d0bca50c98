/**
 * What other modules read of the risk module's records, written here so that no other module
 * names its tables: the traders module's facts (its `ControlFacts` read port), the indicators' and
 * the model's analytical reads as SQL the caller composes with the declarations module's, and the
 * installation's settings store (kept in risk's `settings` table). Read-only but for settings.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import { queryRows, schema, type Tx } from '../../db/client.ts';
import type { ControlFacts } from '../traders/sources.ts';
import type { ControlEvent, ResultEvent } from '../traders/history.ts';
import { currentChannelOfAlias } from './channel.ts';

const ms = (v: unknown) => (v instanceof Date ? v.getTime() : Date.parse(String(v)));
const ofIds = (col: SQL, ids?: string[]) => (ids ? sql`and ${col} = any(${`{${ids.join(',')}}`}::uuid[])` : sql``);

// ------------------------------------------------------------------ traders (read port)

export const controlFacts: ControlFacts = {
  async controlEvents(tx: Tx, country: string, until: Date, declarationIds?: string[]): Promise<ControlEvent[]> {
    const rows = await queryRows<{ d: string; at: unknown }>(
      tx,
      sql`select c.declaration_id as d, c.created_at as at from controls c
          where c.country = ${country} and c.status <> 'cancelled' and c.created_at < ${until.toISOString()} ${ofIds(sql`c.declaration_id`, declarationIds)}`,
    );
    return rows.map((r) => ({ declarationId: r.d, at: ms(r.at) }));
  },
  async resultEvents(tx: Tx, country: string, until: Date, declarationIds?: string[]): Promise<ResultEvent[]> {
    const rows = await queryRows<{ d: string; at: unknown; hit: boolean; seized: boolean }>(
      tx,
      sql`select r.declaration_id as d, r.recorded_at as at, r.hit, r.goods_seized as seized from control_results r
          where r.country = ${country} and (r.hit or r.goods_seized) and r.recorded_at < ${until.toISOString()} ${ofIds(sql`r.declaration_id`, declarationIds)}`,
    );
    return rows.map((r) => ({ declarationId: r.d, at: ms(r.at), hit: !!r.hit, seized: !!r.seized }));
  },
};

// ------------------------------------------------------------------ SQL to compose

/** A scalar subquery: the current channel (override applied) of the declaration whose id is `declarationId`, null when never assessed. */
export function currentChannelSql(declarationId: SQL): SQL {
  return sql`(select ${currentChannelOfAlias('x')} from assessments x where x.declaration_id = ${declarationId} order by x.decided_at desc, x.id desc limit 1)`;
}

/**
 * Controls with a recorded result of an administration (or an office), as a subquery:
 * declaration_id, office, channel, random, hit, seized, revenue (via `usd`, over r.extra_duties,
 * r.extra_taxes, r.currency), recorded_at.
 */
export function controlResultsSql(country: string, office: string | undefined, usd: SQL): SQL {
  return sql`select c.declaration_id, c.office, c.channel, c.random_selected as random, r.hit, r.goods_seized as seized, ${usd} as revenue, r.recorded_at
    from controls c join control_results r on r.control_id = c.id
    where c.country = ${country} ${office ? sql`and c.office = ${office}` : sql``}`;
}

/**
 * Each declaration's first recorded result, as a subquery: declaration_id, hit, random (the control
 * was drawn by random control), revenue (extra duties and taxes).
 */
export function resultLabelsSql(country: string): SQL {
  return sql`select distinct on (r.declaration_id) r.declaration_id, r.hit, c.random_selected as random, (r.extra_duties + r.extra_taxes) as revenue
    from control_results r join controls c on c.id = r.control_id
    where r.country = ${country}
    order by r.declaration_id, r.recorded_at, r.id`;
}

/** The declarations of an administration a control found a discrepancy in, as a subquery: declaration_id. */
export function hitDeclarationsSql(country: string): SQL {
  return sql`select r.declaration_id from control_results r where r.country = ${country} and r.hit`;
}

/** Controls still open (assigned or waiting) in the administration, or one office. */
export async function openControlCount(tx: Tx, country: string, office?: string): Promise<number> {
  const [r] = await queryRows<{ n: number }>(tx, sql`select count(*)::int as n from controls c where c.country = ${country} ${office ? sql`and c.office = ${office}` : sql``} and c.status in ('assigned', 'unassigned')`);
  return Number(r?.n ?? 0);
}

// ------------------------------------------------------------------ the installation's settings

/** A stored setting (undefined when never set). */
export async function readSetting(tx: Tx, key: string): Promise<unknown> {
  const [row] = await tx.select().from(schema.settings).where(eq(schema.settings.key, key));
  return row?.value;
}

export async function writeSetting(tx: Tx, key: string, value: unknown, now: Date): Promise<void> {
  await tx
    .insert(schema.settings)
    .values({ key, value, updatedAt: now })
    .onConflictDoUpdate({ target: schema.settings.key, set: { value, updatedAt: now } });
}
