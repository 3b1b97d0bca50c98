import pg from 'pg';
import { describe } from 'vitest';
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

/** Every kind of database the repository tests are declared for. */
export const ALL_DB_KINDS: readonly DbKind[] = ['pglite', 'postgres'];

/**
 * The kinds of database the same repository tests run on in this environment.
 * @deprecated drops the PostgreSQL variant silently (only a printed line says so): declare the
 * variants with `describeEachDb`, which the runner then reports as skipped.
 */
export function testDbKinds(): DbKind[] {
  const pgAvail = postgresAvailability();
  if (!pgAvail.available) {
    warnOnce(pgAvail.reason!);
    return ['pglite'];
  }
  return ['pglite', 'postgres'];
}
let warned = false;
function warnOnce(reason: string) {
  if (warned) return;
  warned = true;
  console.log(`[centinela tests] ${reason}`);
}

/**
 * Declares the same suite once per kind of database (`%s` in the name is the kind): on PGlite
 * always, on PostgreSQL when CENTINELA_TEST_DATABASE_URL is set. Without the URL the PostgreSQL
 * suite is still declared and the runner reports its tests as skipped; under CI=true a missing URL
 * is an error (postgresAvailability throws), never a skip.
 */
export function describeEachDb(name: string, fn: (kind: DbKind) => void): void {
  const pgAvail = postgresAvailability();
  if (!pgAvail.available) warnOnce(pgAvail.reason!);
  for (const kind of ALL_DB_KINDS) {
    const skip = kind === 'postgres' && !pgAvail.available;
    describe.skipIf(skip)(name.replace('%s', kind), () => fn(kind));
  }
}

export function openTestDb(kind: DbKind): Promise<Database> {
  return kind === 'postgres' ? openTestPostgres() : openTestPglite();
}
