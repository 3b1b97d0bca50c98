/**
 * The traders' running counters (table risk_trader_history, owned here): selectivity reads them
 * and adds to them inside the statements it already runs at intake (so the number of statements per
 * declaration does not grow), control results add hits and seizures. The SQL fragments below are
 * the only text naming the table outside this module's repository.
 */
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { schema, type Tx } from '../../db/client.ts';
import type { TraderStats } from './history.ts';

const T = schema.traderCounters;

const list = (xs: string[]) => (xs.length ? sql.join(xs.map((x) => sql`${x}`), sql`, `) : sql`null`);

/** A scalar subquery: the counters of these traders as a JSON array (null when none), for a statement that reads more. */
export function countersJsonSql(country: string, tins: string[]): SQL {
  return sql`(select json_agg(json_build_object('tin', tin, 'declarations', declarations, 'controls', controls, 'hits', hits, 'seizures', seizures, 'firstSeen', first_seen))
             from risk_trader_history where country = ${country} and tin in (${list(tins)}))`;
}

/** Parses what `countersJsonSql` returned. */
export function parseCountersJson(rows: unknown): Map<string, TraderStats> {
  const stats = new Map<string, TraderStats>();
  for (const t of (rows ?? []) as { tin: string; declarations: unknown; controls: unknown; hits: unknown; seizures: unknown; firstSeen: string }[])
    stats.set(t.tin, { tin: t.tin, declarations: Number(t.declarations), controls: Number(t.controls), hits: Number(t.hits), seizures: Number(t.seizures), firstSeen: Date.parse(t.firstSeen) });
  return stats;
}

/** An insert … on conflict that adds declarations and controls, for use as a CTE body (`t as (…)`) in a larger statement. */
export function addCountsSql(country: string, now: Date, traders: [string, { declarations: number; controls: number }][]): SQL {
  const nowIso = now.toISOString();
  return sql`insert into risk_trader_history (country, tin, declarations, controls, hits, seizures, first_seen, last_seen)
      values ${sql.join(traders.map(([tin, t]) => sql`(${country}, ${tin}, ${t.declarations}, ${t.controls}, 0, 0, ${nowIso}, ${nowIso})`), sql`, `)}
      on conflict (country, tin) do update set declarations = risk_trader_history.declarations + excluded.declarations,
        controls = risk_trader_history.controls + excluded.controls, last_seen = excluded.last_seen`;
}

/** The current counters of some traders. */
export async function counters(tx: Tx, country: string, tins: string[]): Promise<Map<string, TraderStats>> {
  if (!tins.length) return new Map();
  const rows = await tx
    .select()
    .from(T)
    .where(and(eq(T.country, country), inArray(T.tin, tins)));
  return new Map(rows.map((r) => [r.tin, { tin: r.tin, declarations: r.declarations, controls: r.controls, hits: r.hits, seizures: r.seizures, firstSeen: r.firstSeen.getTime() }]));
}

/** A hit or a seizure counts in the trader's counters. */
export async function countOutcome(tx: Tx, country: string, tin: string, hit: boolean, seized: boolean): Promise<void> {
  await tx
    .update(T)
    .set({ hits: sql`${T.hits} + ${hit ? 1 : 0}`, seizures: sql`${T.seizures} + ${seized ? 1 : 0}` })
    .where(and(eq(T.country, country), eq(T.tin, tin)));
}

/** One trader's counters row as stored (undefined when it never declared). */
export async function counterRow(tx: Tx, country: string, tin: string): Promise<typeof T.$inferSelect | undefined> {
  const [h] = await tx
    .select()
    .from(T)
    .where(and(eq(T.country, country), eq(T.tin, tin)));
  return h;
}
