import { loadConfig, type Config } from '../core/config.ts';
import { openDatabase, type Database } from '../db/client.ts';

/** Options every database-touching command accepts. */
export interface DbOptions {
  databaseUrl?: string;
  dataDir?: string;
}

/**
 * Opens the database a command works on: `--database-url` or DATABASE_URL for PostgreSQL,
 * else the embedded database in `--data-dir` / CENTINELA_DATA_DIR / ./.centinela.
 * Migrations are applied.
 */
export async function openCliDatabase(opts: DbOptions = {}): Promise<{ database: Database; config: Config }> {
  const config = loadConfig({
    ...process.env,
    ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
    ...(opts.dataDir ? { CENTINELA_DATA_DIR: opts.dataDir } : {}),
  });
  const database = await openDatabase(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir },
  );
  return { database, config };
}

/** Adds `--database-url` and `--data-dir` to a command. */
export function withDbOptions<T extends { option(flags: string, desc: string): T }>(cmd: T): T {
  return cmd
    .option('--database-url <url>', 'PostgreSQL connection string (default: DATABASE_URL; else the embedded database)')
    .option('--data-dir <dir>', 'embedded database directory (default: CENTINELA_DATA_DIR or ./.centinela)');
}

/** Prints a CLI error plainly and exits non-zero. */
export function fail(message: string, code = 1): never {
  process.stderr.write(`centinela: ${message}\n`);
  process.exit(code);
}
