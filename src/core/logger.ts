import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { app: 'centinela' } });
}

/** A logger that says nothing: for tests and the CLI's quiet paths. */
export const silentLogger: Logger = pino({ level: 'silent' });
