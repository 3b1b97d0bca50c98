import { and, asc, desc, eq, gt, gte, isNull, lt, lte, ne, type SQL } from 'drizzle-orm';
import { schema, type Tx } from '../../db/client.ts';

const { users, apiKeys, sessions, auditLog } = schema;

export type UserRow = typeof users.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;

// ---- users

export async function findUserById(tx: Tx, id: string): Promise<UserRow | undefined> {
  const r = await tx.select().from(users).where(eq(users.id, id)).limit(1);
  return r[0];
}

export async function findUserByUsername(tx: Tx, username: string): Promise<UserRow | undefined> {
  const r = await tx.select().from(users).where(eq(users.username, username)).limit(1);
  return r[0];
}

/** Locks the row for the rest of the transaction, so that concurrent updates do not interleave. */
export async function lockUser(tx: Tx, id: string): Promise<UserRow | undefined> {
  const r = await tx.select().from(users).where(eq(users.id, id)).limit(1).for('update');
  return r[0];
}

export async function listUsers(
  tx: Tx,
  f: { country?: string; role?: string; active?: boolean; limit: number; offset: number },
): Promise<UserRow[]> {
  const conds: SQL[] = [];
  if (f.country) conds.push(eq(users.country, f.country));
  if (f.role) conds.push(eq(users.role, f.role));
  if (f.active !== undefined) conds.push(eq(users.active, f.active));
  return tx
    .select()
    .from(users)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(users.country), asc(users.username))
    .limit(f.limit)
    .offset(f.offset);
}

export async function insertUser(tx: Tx, row: UserRow): Promise<void> {
  await tx.insert(users).values(row);
}

export async function updateUser(
  tx: Tx,
  id: string,
  patch: Partial<Pick<UserRow, 'displayName' | 'role' | 'active' | 'passwordHash' | 'updatedAt'>>,
): Promise<void> {
  await tx.update(users).set(patch).where(eq(users.id, id));
}

// ---- sessions

export async function insertSession(tx: Tx, row: SessionRow): Promise<void> {
  await tx.insert(sessions).values(row);
}

export async function findSessionWithUser(
  tx: Tx,
  tokenHash: string,
): Promise<{ session: SessionRow; user: UserRow } | undefined> {
  const r = await tx
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.tokenHash, tokenHash))
    .limit(1);
  return r[0];
}

export async function deleteSession(tx: Tx, id: string): Promise<boolean> {
  const r = await tx.delete(sessions).where(eq(sessions.id, id)).returning({ id: sessions.id });
  return r.length > 0;
}

/** Ends a user's sessions (all, or all but one); returns how many. */
export async function deleteUserSessions(tx: Tx, userId: string, exceptSessionId?: string): Promise<number> {
  const r = await tx
    .delete(sessions)
    .where(exceptSessionId ? and(eq(sessions.userId, userId), ne(sessions.id, exceptSessionId)) : eq(sessions.userId, userId))
    .returning({ id: sessions.id });
  return r.length;
}

export async function deleteExpiredSessions(tx: Tx, userId: string, now: Date): Promise<void> {
  await tx.delete(sessions).where(and(eq(sessions.userId, userId), lte(sessions.expiresAt, now)));
}

// ---- API keys

export async function insertApiKey(tx: Tx, row: ApiKeyRow): Promise<void> {
  await tx.insert(apiKeys).values(row);
}

export async function findApiKeyByPrefix(tx: Tx, prefix: string): Promise<ApiKeyRow | undefined> {
  const r = await tx.select().from(apiKeys).where(eq(apiKeys.prefix, prefix)).limit(1);
  return r[0];
}

export async function findApiKeyById(tx: Tx, id: string): Promise<ApiKeyRow | undefined> {
  const r = await tx.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
  return r[0];
}

export async function listApiKeys(tx: Tx, f: { country?: string; includeRevoked: boolean }): Promise<ApiKeyRow[]> {
  const conds: SQL[] = [];
  if (f.country) conds.push(eq(apiKeys.country, f.country));
  if (!f.includeRevoked) conds.push(isNull(apiKeys.revokedAt));
  return tx
    .select()
    .from(apiKeys)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(apiKeys.country), asc(apiKeys.createdAt));
}

export async function revokeApiKey(tx: Tx, id: string, at: Date): Promise<void> {
  await tx.update(apiKeys).set({ revokedAt: at }).where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)));
}

// ---- audit log

export interface AuditFilter {
  country?: string;
  entityType?: string;
  entityId?: string;
  actor?: string;
  action?: string;
  from?: Date;
  to?: Date;
  /** keyset pagination: rows with seq below this */
  beforeSeq?: number;
  limit: number;
}

/** Newest first. */
export async function listAudit(tx: Tx, f: AuditFilter): Promise<AuditRow[]> {
  const conds: SQL[] = [];
  if (f.country) conds.push(eq(auditLog.country, f.country));
  if (f.entityType) conds.push(eq(auditLog.entityType, f.entityType));
  if (f.entityId) conds.push(eq(auditLog.entityId, f.entityId));
  if (f.actor) conds.push(eq(auditLog.actor, f.actor));
  if (f.action) conds.push(eq(auditLog.action, f.action));
  if (f.from) conds.push(gte(auditLog.at, f.from));
  if (f.to) conds.push(lt(auditLog.at, f.to));
  if (f.beforeSeq !== undefined) conds.push(lt(auditLog.seq, f.beforeSeq));
  return tx
    .select()
    .from(auditLog)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(auditLog.seq))
    .limit(f.limit);
}

/** A page of the log in chain order, after `afterSeq`. */
export async function auditPage(tx: Tx, afterSeq: number, limit: number): Promise<AuditRow[]> {
  return tx.select().from(auditLog).where(gt(auditLog.seq, afterSeq)).orderBy(asc(auditLog.seq)).limit(limit);
}
