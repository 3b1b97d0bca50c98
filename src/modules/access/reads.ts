/**
 * What other modules read of the access module's users, written here so that no other module
 * names its tables: a user as stored (the duty roster checks who goes on duty), and the test that
 * a user is active, as SQL another module composes into its own query (officers on duty are
 * drawn among active users only). Read-only.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { findUserById, type UserRow } from './repository.ts';

/** A user as stored (undefined when there is none). */
export function userById(tx: Tx, id: string): Promise<UserRow | undefined> {
  return findUserById(tx, id);
}

/** SQL: true when the user whose id is `userId` (a column or value of the caller's query) exists and is active. */
export function userIsActiveSql(userId: SQL): SQL {
  return sql`exists (select 1 from users u where u.id = ${userId} and u.active)`;
}
