import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite, types as pgTypes, type QueryOptions } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';
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
  if (d.kind === 'pglite') await migratePglite(d.db as unknown as Parameters<typeof migratePglite>[0], { migrationsFolder: MIGRATIONS_DIR });
  else await migratePg(d.db as unknown as Parameters<typeof migratePg>[0], { migrationsFolder: MIGRATIONS_DIR });
}

export class DataDirLockedError extends Error {}

/** What a lock file says about the process that holds the data directory. */
interface LockOwner {
  pid?: number;
  /** the holder's start time in clock ticks since boot (/proc/<pid>/stat field 22); absent where /proc is missing */
  startTime?: number;
  /** the boot the start time counts from (/proc/sys/kernel/random/boot_id) */
  bootId?: string;
  startedAt?: string;
}

export interface LockOptions {
  /** where the process table is read (tests point it elsewhere); default `/proc` */
  procDir?: string;
}

/** A process's start time (field 22 of /proc/<pid>/stat, clock ticks since boot), or undefined where it cannot be read. */
export function processStartTime(pid: number, procDir = '/proc'): number | undefined {
  try {
    const stat = fs.readFileSync(path.join(procDir, String(pid), 'stat'), 'utf8');
    // field 2 (the command name) is in parentheses and may itself hold spaces and parentheses
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const v = Number(rest[22 - 3]);
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function bootId(procDir: string): string | undefined {
  try {
    return fs.readFileSync(path.join(procDir, 'sys', 'kernel', 'random', 'boot_id'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Data directories whose lock this process holds now (the only sure way to tell our lock from a dead namesake's). */
const heldHere = new Set<string>();

/**
 * Takes the data directory's lock file, so that a second server on the same embedded
 * database refuses to start instead of corrupting it. The lock names the holder by PID and
 * process start time: a lock whose PID is dead, or now belongs to another process (a PID that
 * was reused, e.g. PID 1 in a restarted container), is stale and taken over. Where /proc is
 * missing, a live PID alone keeps the lock.
 */
export function acquireDataDirLock(dataDir: string, opts: LockOptions = {}): () => void {
  const procDir = opts.procDir ?? '/proc';
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, 'centinela.lock');
  const key = fs.realpathSync(dataDir);
  if (heldHere.has(key)) throw new DataDirLockedError(`The data directory ${dataDir} is already open in this process.`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      const me: LockOwner = { pid: process.pid, startTime: processStartTime(process.pid, procDir), bootId: bootId(procDir), startedAt: new Date().toISOString() };
      fs.writeSync(fd, JSON.stringify(me));
      fs.closeSync(fd);
      heldHere.add(key);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        heldHere.delete(key);
        process.off('exit', release);
        try {
          const owner: LockOwner = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
          if (owner.pid === me.pid && owner.startTime === me.startTime && owner.startedAt === me.startedAt) fs.unlinkSync(lockPath);
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner: LockOwner = {};
      try {
        owner = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
      } catch {
        /* unreadable lock: treat as stale */
      }
      if (owner.pid && isHolderAlive(owner, procDir)) {
        throw new DataDirLockedError(
          `The data directory ${dataDir} is in use by another Centinela process (pid ${owner.pid}, started ${owner.startedAt ?? '?'}). ` +
            `Stop that process, or point CENTINELA_DATA_DIR at another directory.`,
        );
      }
      fs.rmSync(lockPath, { force: true }); // stale lock from a process that died
    }
  }
  throw new DataDirLockedError(`Could not take the lock on ${dataDir}`);
}

/** Whether the process a lock names still runs: its PID lives and, where /proc tells, it is the same process (same start time, same boot). */
function isHolderAlive(owner: LockOwner, procDir: string): boolean {
  const pid = owner.pid!;
  // our own PID on a lock this process does not hold: a previous process with our PID (PID 1 in a restarted container)
  if (pid === process.pid) return false;
  if (!isAlive(pid)) return false;
  const now = processStartTime(pid, procDir);
  if (now === undefined) return true; // no /proc (macOS, Windows) or not readable: the PID alone decides
  if (owner.bootId && bootId(procDir) && owner.bootId !== bootId(procDir)) return false;
  if (owner.startTime === undefined) return true; // a lock written before start times were recorded
  return owner.startTime === now;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface OpenOptions {
  /** PostgreSQL URL; absent: PGlite */
  databaseUrl?: string;
  /** PGlite data directory; absent (and no URL): in memory */
  dataDir?: string;
  migrate?: boolean;
  /**
   * PGlite data directory only: skip flushing commits to the disk (PGlite's own default, `fsync = off`):
   * a power cut or an OS crash may then lose acknowledged transactions. For benchmarks that measure its cost.
   */
  unsafeNoFsync?: boolean;
}

/**
 * PGlite's node file system with a working fsync. PGlite runs PostgreSQL compiled to WebAssembly,
 * whose file system layer (Emscripten NODEFS) writes through to the host's files but has no
 * fsync: PostgreSQL's fsync() returned without flushing anything, and fdatasync() is a no-op too.
 * This gives the NODEFS streams a real fsync (the host's fsync(2) on the same file), so that
 * `fsync = on` with `wal_sync_method = fsync` makes every commit reach the disk before it is
 * acknowledged, and checkpoints flush data files before the WAL that covers them is recycled.
 */
/** What the durable file layer uses of PGlite's Emscripten module. */
interface EmscriptenModule {
  NODEFS?: { stream_ops?: { fsync?: (stream: { nfd?: number }) => number } };
  FS: { ErrnoError: new (errno: number) => Error };
}

export class DurableNodeFS extends NodeFS {
  override async init(pg: PGlite, opts: Parameters<NodeFS['init']>[1]) {
    const r = await super.init(pg, opts);
    const emscriptenOpts = r.emscriptenOpts as { preRun?: ((mod: EmscriptenModule) => void)[] };
    emscriptenOpts.preRun = [
      ...(emscriptenOpts.preRun ?? []),
      (mod: EmscriptenModule) => {
        const ops = mod.NODEFS?.stream_ops;
        if (!ops) throw new Error('PGlite: the node file system was not found; cannot make commits durable');
        ops.fsync = (stream: { nfd?: number }) => {
          if (stream.nfd === undefined) return 0;
          try {
            fs.fsyncSync(stream.nfd);
            return 0;
          } catch (e) {
            // Emscripten errno numbers: EIO 29, EINVAL 28; PostgreSQL treats a failed fsync of data as fatal
            throw new mod.FS.ErrnoError((e as NodeJS.ErrnoException | undefined)?.code === 'EINVAL' ? 28 : 29);
          }
        };
      },
    ];
    return r;
  }
}

/** PostgreSQL start parameters for a durable PGlite: PGlite's own, without `-F` (fsync off), with commits flushed by fsync. */
export function durableStartParams(): string[] {
  const defaults: string[] = (PGlite as unknown as { defaultStartParams?: string[] }).defaultStartParams ?? ['--single', '-F', '-O', '-j', '-c', 'search_path=public', '-c', 'exit_on_error=false'];
  return [...defaults.filter((p) => p !== '-F'), '-c', 'fsync=on', '-c', 'synchronous_commit=on', '-c', 'wal_sync_method=fsync', '-c', 'full_page_writes=on'];
}

/**
 * Drizzle's PGlite driver passes its parsers (timestamps, dates and intervals kept as text) with
 * every query, and PGlite then merges them into a copy of its parser table for each result: about
 * 0.3 ms a statement, four times the statement itself. The same parsers are set once on the client
 * and dropped from each query (arrays of those types keep parsing their elements as before).
 */
export function drizzleParsersOnce(client: PGlite): PGlite {
  const keep = (v: string) => v;
  for (const [oid, arrayOid] of [[pgTypes.TIMESTAMP, 1115], [pgTypes.TIMESTAMPTZ, 1185], [pgTypes.INTERVAL, 1187], [pgTypes.DATE, 1182]] as const) {
    const element = client.parsers[oid] as ((v: string) => unknown) | undefined;
    // (PGlite sets its array parsers again after DDL that creates types: these stay)
    const array = (v: string) => pgTypes.arrayParser(v, element!, arrayOid);
    if (element) Object.defineProperty(client.parsers, arrayOid, { get: () => array, set: () => {}, enumerable: true, configurable: true });
    client.parsers[oid] = keep;
  }
  const strip = (o?: QueryOptions) => (o?.parsers ? { ...o, parsers: undefined } : o);
  const query = client.query.bind(client);
  client.query = ((q: string, params?: unknown[], o?: QueryOptions) => query(q, params, strip(o))) as PGlite['query'];
  const transaction = client.transaction.bind(client);
  client.transaction = ((fn: Parameters<PGlite['transaction']>[0]) =>
    transaction((tx) => {
      const txQuery = tx.query.bind(tx);
      tx.query = ((q: string, params?: unknown[], o?: QueryOptions) => txQuery(q, params, strip(o))) as typeof tx.query;
      return fn(tx);
    })) as PGlite['transaction'];
  return client;
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
    } catch (e) {
      await pool.end();
      throw new Error(`Cannot connect to PostgreSQL at ${redact(opts.databaseUrl)}: ${(e as Error).message}`);
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
        const pgdata = path.join(opts.dataDir, 'pgdata');
        const fresh = !fs.existsSync(path.join(pgdata, 'PG_VERSION'));
        client = opts.unsafeNoFsync
          ? new PGlite(pgdata)
          : new PGlite({ fs: new DurableNodeFS(pgdata), startParams: durableStartParams() });
        await client.waitReady;
        // a new database is written by PGlite's initdb without fsync: flush it once, so a crash cannot leave a half-made catalog
        if (fresh && !opts.unsafeNoFsync) fsyncTree(pgdata);
      } catch (e) {
        release();
        throw e;
      }
    } else {
      client = new PGlite();
      await client.waitReady;
    }
    d = {
      db: drizzlePglite(drizzleParsersOnce(client), { schema }) as unknown as Db,
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

/** fsync(2) every file and directory under `dir`. */
function fsyncTree(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) fsyncTree(p);
    else if (e.isFile()) {
      const fd = fs.openSync(p, 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
  }
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* directories cannot be opened for fsync on every platform (Windows) */
  }
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
