import { Column, getTableName, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { schema } from '../../db/client.ts';

/**
 * A declaration's current channel, written once: the channel of its latest assessment, or the
 * channel a supervisor set on that assessment by the latest override. Every screen, list,
 * indicator and export that shows "the channel" reads it through this expression, so an
 * override shows everywhere (queue, declaration page, KPIs, effectiveness).
 *
 * `assessmentId` and `decidedChannel` are the columns (or SQL) of the assessment row in the query.
 */
export function currentChannel(assessmentId: AnyColumn | SQL, decidedChannel: AnyColumn | SQL): SQL<string> {
  return sql<string>`coalesce((select o.to_channel from ${schema.channelOverrides} o where o.assessment_id = ${qualified(assessmentId)} order by o.at desc, o.id desc limit 1), ${qualified(decidedChannel)})`;
}

/** A column always with its table's name: drizzle leaves columns unqualified in single-table queries, where the subquery would bind them to its own table. */
function qualified(c: AnyColumn | SQL): SQL {
  return c instanceof Column ? sql`${sql.identifier(getTableName(c.table))}.${sql.identifier(c.name)}` : c;
}

/** The same for raw SQL over an assessments table aliased `alias` (e.g. `a` in `from assessments a`). */
export function currentChannelOfAlias(alias: string): SQL<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new Error(`not an SQL alias: ${alias}`);
  return currentChannel(sql.raw(`${alias}.id`), sql.raw(`${alias}.channel`));
}
