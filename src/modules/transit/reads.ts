/** What other modules read of the transit module's records (the indicators' open alert counts), so that no other module names its tables. */
import { sql } from 'drizzle-orm';
import { schema, type Tx } from '../../db/client.ts';

/** Open transit alerts concerning an administration, by kind and severity. */
export async function openAlertCounts(tx: Tx, country: string): Promise<{ kind: string; severity: string; count: number }[]> {
  const A = schema.transitAlerts;
  const r = await tx
    .select({ kind: A.kind, severity: A.severity, count: sql<number>`count(*)::int` })
    .from(A)
    .where(sql`${A.status} = 'open' and ${country} = any(${A.countries})`)
    .groupBy(A.kind, A.severity);
  return r.map((x) => ({ kind: x.kind, severity: x.severity, count: Number(x.count) }));
}
