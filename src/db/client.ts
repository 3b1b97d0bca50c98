import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql, type SQL } from 'drizzle-orm';
import pg from 'pg';
import * as schema from './schema/index.ts';

export { schema };
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction, or the database itself: anything queries can run on. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0] | Db;

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** where it lives: a directory for PGlite (or `memory`), the URL (without password) for PostgreSQL */
  location: string;
  close(): Promise<void>;
}

/** Rows of a raw SQL query, on either driver. */
export async function queryRows<T = Record<string, unknown>>(db: Tx, q: SQL): Promise<T[]> {
  const r = (await (db as Db).execute(q)) as unknown as { rows: T[] };
  return r.rows;
}

export async function migrateDatabase(d: Database): Promise<void> {
  if (d.kind === 'pglite') await migratePglite(d.db as any, { migrationsFolder: MIGRATIONS_DIR });
  else await migratePg(d.db as any, { migrationsFolder: MIGRATIONS_DIR });
}

export class DataDirLockedError extends Error {}

/**
 * Takes the data directory's lock file, so that a second server on the same embedded
 * database refuses to start instead of corrupting it. A lock left by a dead process is taken over.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, 'centinela.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
      fs.closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        try {
          const owner = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
          if (owner.pid === process.pid) fs.unlinkSync(lockPath);
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return release;
    } catch (e: any) {
      if (e.code !== 'EEXIST') throw e;
      let owner: { pid?: number; startedAt?: string } = {};
      try {
        owner = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
      } catch {
        /* unreadable lock: treat as stale */
      }
      if (owner.pid && owner.pid !== process.pid && isAlive(owner.pid)) {
        throw new DataDirLockedError(
          `The data directory ${dataDir} is in use by another Centinela process (pid ${owner.pid}, started ${owner.startedAt ?? '?'}). ` +
            `Stop that process, or point CENTINELA_DATA_DIR at another directory.`,
        );
      }
      if (owner.pid === process.pid) {
        throw new DataDirLockedError(`The data directory ${dataDir} is already open in this process.`);
      }
      fs.rmSync(lockPath, { force: true }); // stale lock from a process that died
    }
  }
  throw new DataDirLockedError(`Could not take the lock on ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: any) {
    return e.code === 'EPERM';
  }
}

export interface OpenOptions {
  /** PostgreSQL URL; absent: PGlite */
  databaseUrl?: string;
  /** PGlite data directory; absent (and no URL): in memory */
  dataDir?: string;
  migrate?: boolean;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  let d: Database;
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 8 });
    // an idle client whose connection the server ends (restart, admin command) must not crash the process:
    // the pool drops it and the next query opens a new one
    pool.on('error', (err) => process.stderr.write(`centinela: a PostgreSQL connection was closed by the server: ${err.message}\n`));
    // fail early with a readable message when the server is not there
    try {
      const c = await pool.connect();
      c.release();
    } catch (e: any) {
      await pool.end();
      throw new Error(`Cannot connect to PostgreSQL at ${redact(opts.databaseUrl)}: ${e.message}`);
    }
    d = {
      db: drizzlePg(pool, { schema }) as unknown as Db,
      kind: 'postgres',
      location: redact(opts.databaseUrl),
      close: () => pool.end(),
    };
  } else {
    let release = () => {};
    let client: PGlite;
    if (opts.dataDir) {
      release = acquireDataDirLock(opts.dataDir);
      try {
        client = new PGlite(path.join(opts.dataDir, 'pgdata'));
        await client.waitReady;
      } catch (e) {
        release();
        throw e;
      }
    } else {
      client = new PGlite();
      await client.waitReady;
    }
    d = {
      db: drizzlePglite(client, { schema }) as unknown as Db,
      kind: 'pglite',
      location: opts.dataDir ?? 'memory',
      close: async () => {
        await client.close();
        release();
      },
    };
  }
  if (opts.migrate !== false) await migrateDatabase(d);
  return d;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgresql://(unparseable URL)';
  }
}

export { sql };
