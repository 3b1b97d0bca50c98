import pg from 'pg';
import { openDatabase, type Database } from './client.ts';

/**
 * Databases for tests: PGlite in memory always; a fresh PostgreSQL database when
 * CENTINELA_TEST_DATABASE_URL is set (it must be under CI=true). Each call gets a database
 * of its own, dropped by `close()`.
 */
export const TEST_PG_URL = process.env.CENTINELA_TEST_DATABASE_URL;

export function postgresAvailability(): { available: boolean; reason?: string } {
  if (TEST_PG_URL) return { available: true };
  if (process.env.CI === 'true') {
    throw new Error('CI=true but CENTINELA_TEST_DATABASE_URL is not set: the PostgreSQL tests must run in CI');
  }
  return { available: false, reason: 'CENTINELA_TEST_DATABASE_URL is not set: skipping the PostgreSQL variant' };
}

let counter = 0;

export async function openTestPostgres(): Promise<Database> {
  if (!TEST_PG_URL) throw new Error('CENTINELA_TEST_DATABASE_URL is not set');
  const name = `centinela_t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(TEST_PG_URL);
  u.pathname = `/${name}`;
  const d = await openDatabase({ databaseUrl: u.toString() });
  const close = d.close;
  d.close = async () => {
    await close();
    const a = new pg.Client({ connectionString: TEST_PG_URL });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await a.end();
  };
  return d;
}

export async function openTestPglite(): Promise<Database> {
  return openDatabase({});
}

export type DbKind = 'pglite' | 'postgres';

/** The kinds of database the same repository tests run on in this environment. */
export function testDbKinds(): DbKind[] {
  const pgAvail = postgresAvailability();
  if (!pgAvail.available) {
    if (!warned) {
      warned = true;
      console.log(`[centinela tests] ${pgAvail.reason}`);
    }
    return ['pglite'];
  }
  return ['pglite', 'postgres'];
}
let warned = false;

export function openTestDb(kind: DbKind): Promise<Database> {
  return kind === 'postgres' ? openTestPostgres() : openTestPglite();
}
