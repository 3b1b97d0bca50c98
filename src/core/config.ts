import path from 'node:path';
import { ADMINISTRATIONS } from '../reference/types.ts';

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
  /**
   * The administrations this node serves (`CENTINELA_ADMINISTRATIONS=GT` or `GT,SV`; default all
   * seven, as the demo). Its database holds only their records plus what partners sent it.
   */
  administrations: string[];
  /** NATS server for the regional exchange (`CENTINELA_NATS_URL`); absent: the in-process transport */
  natsUrl?: string;
  /** subject and stream prefix on NATS (`CENTINELA_NATS_PREFIX`, default `centinela`): several deployments or test runs on one server */
  natsPrefix?: string;
  /** seals the exchange's private signing keys in the database (`CENTINELA_EXCHANGE_KEY_SECRET`); absent: stored as PEM */
  exchangeKeySecret?: string;
}

/** Parses `CENTINELA_ADMINISTRATIONS`: member codes separated by commas; an unknown code is named. */
export function parseAdministrations(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [...ADMINISTRATIONS];
  const codes = value.split(',').map((c) => c.trim().toUpperCase()).filter(Boolean);
  const unknown = codes.filter((c) => !(ADMINISTRATIONS as readonly string[]).includes(c));
  if (unknown.length) throw new Error(`CENTINELA_ADMINISTRATIONS: unknown administration ${unknown.join(', ')} (members: ${ADMINISTRATIONS.join(', ')})`);
  return [...new Set(codes)];
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
    administrations: parseAdministrations(env.CENTINELA_ADMINISTRATIONS),
    natsUrl: env.CENTINELA_NATS_URL || undefined,
    natsPrefix: env.CENTINELA_NATS_PREFIX || undefined,
    exchangeKeySecret: env.CENTINELA_EXCHANGE_KEY_SECRET || undefined,
  };
}
