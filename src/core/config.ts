import path from 'node:path';

export interface Config {
  port: number;
  host: string;
  /** PostgreSQL connection string; when absent, the embedded database (PGlite) is used. */
  databaseUrl?: string;
  /** where the embedded database and the lock file live */
  dataDir: string;
  /** share of declarations sent to random control by the baseline selectivity (0..1) */
  randomControlRate: number;
  logLevel: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const rate = Number(env.CENTINELA_RANDOM_CONTROL_RATE ?? 0.05);
  if (!(rate >= 0 && rate <= 1)) throw new Error(`CENTINELA_RANDOM_CONTROL_RATE must be between 0 and 1, got "${env.CENTINELA_RANDOM_CONTROL_RATE}"`);
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.CENTINELA_DATA_DIR ?? '.centinela'),
    randomControlRate: rate,
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}
