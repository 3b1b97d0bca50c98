/** The drizzle queries of the traders module on its own tables (AEO statuses and their changes). */
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { schema, type Tx } from '../../db/client.ts';

const S = schema.traderAeoStatuses;
const C = schema.traderAeoChanges;

export type AeoRow = typeof S.$inferSelect;
export type AeoChangeRow = typeof C.$inferSelect;

/** The record an administration holds about a trader certified by `administration`, locked for the transaction. */
export async function lockAeo(tx: Tx, observer: string, administration: string, tin: string): Promise<AeoRow | undefined> {
  const [r] = await tx
    .select()
    .from(S)
    .where(and(eq(S.observer, observer), eq(S.administration, administration), eq(S.tin, tin)))
    .for('update');
  return r;
}

/** Serialises writers of one record that does not exist yet (the row lock cannot). */
export async function lockAeoKey(tx: Tx, observer: string, administration: string, tin: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`trader.aeo|${observer}|${administration}|${tin}`}))`);
}

export async function saveAeo(tx: Tx, row: AeoRow): Promise<void> {
  await tx
    .insert(S)
    .values(row)
    .onConflictDoUpdate({
      target: [S.observer, S.administration, S.tin],
      set: { programme: row.programme, status: row.status, since: row.since, until: row.until, reason: row.reason, name: row.name, revision: row.revision, changedBy: row.changedBy, changedAt: row.changedAt, messageId: row.messageId },
    });
}

export async function insertChange(tx: Tx, row: AeoChangeRow): Promise<void> {
  await tx.insert(C).values(row);
}

/** Every AEO record an administration holds about a trader: its own and its partners'. */
export async function aeoOfTrader(tx: Tx, observer: string, tin: string): Promise<AeoRow[]> {
  return tx
    .select()
    .from(S)
    .where(and(eq(S.observer, observer), eq(S.tin, tin)))
    .orderBy(asc(S.administration));
}

/** The AEO register of an administration as it sees it (its own certifications, or a partner's). */
export async function register(tx: Tx, observer: string, f: { administration?: string; status?: string; limit: number }): Promise<AeoRow[]> {
  const where = [eq(S.observer, observer)];
  if (f.administration) where.push(eq(S.administration, f.administration));
  if (f.status) where.push(eq(S.status, f.status));
  return tx
    .select()
    .from(S)
    .where(and(...where))
    .orderBy(desc(S.changedAt))
    .limit(f.limit);
}

export async function changesOf(tx: Tx, observer: string, tin: string, limit: number): Promise<AeoChangeRow[]> {
  return tx
    .select()
    .from(C)
    .where(and(eq(C.observer, observer), eq(C.tin, tin)))
    .orderBy(desc(C.changedAt), desc(C.revision))
    .limit(limit);
}
