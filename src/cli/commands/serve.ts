import { Command } from 'commander';
import { systemClock } from '../../core/clock.ts';
import { loadConfig } from '../../core/config.ts';
import { createLogger } from '../../core/logger.ts';
import { DataDirLockedError, openDatabase } from '../../db/client.ts';
import { ensureDemoUsers } from '../../modules/access/service.ts';
import { getReferenceData } from '../../reference/index.ts';
import { buildApp } from '../../server/app.ts';
import { DEMO_DEFAULTS, isEmpty, seedDemoRegion } from '../demo.ts';
import { fail } from '../context.ts';

interface ServeOpts {
  port?: string;
  host?: string;
  demo?: boolean;
  databaseUrl?: string;
  dataDir?: string;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the Centinela server (API under /api/v1, OpenAPI at /api/docs)')
    .option('--port <port>', 'port to listen on (default: PORT or 8080)')
    .option('--host <host>', 'address to listen on (default: HOST or 0.0.0.0)')
    .option('--demo', 'demo mode: on first start, seed a simulated region and create demo accounts (printed at start)')
    .option('--database-url <url>', 'PostgreSQL connection string (default: DATABASE_URL; else the embedded database)')
    .option('--data-dir <dir>', 'embedded database directory (default: CENTINELA_DATA_DIR or ./.centinela)')
    .action(async (o: ServeOpts) => {
      const t0 = Date.now();
      const config = loadConfig({
        ...process.env,
        ...(o.port ? { PORT: o.port } : {}),
        ...(o.host ? { HOST: o.host } : {}),
        ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
        ...(o.dataDir ? { CENTINELA_DATA_DIR: o.dataDir } : {}),
      });
      const logger = createLogger(config.logLevel);
      let database;
      try {
        database = await openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
      } catch (e) {
        if (e instanceof DataDirLockedError) fail(e.message);
        throw e;
      }
      const ref = getReferenceData();
      const clock = systemClock;
      const deps = { database, db: database.db, ref, clock, config };
      const { app, intake, risk, intelligence } = await buildApp(deps, { logger });

      if (o.demo) {
        const accounts = await ensureDemoUsers(deps);
        if (await isEmpty(database.db)) {
          process.stderr.write(`demo: first start: seeding a simulated region into ${database.location} …\n`);
          await seedDemoRegion({ db: database.db, ref, clock, intake, risk, intelligence }, DEMO_DEFAULTS);
        }
        printDemoAccounts(accounts);
      }

      const shutdown = async (sig: string) => {
        logger.info({ sig }, 'shutting down');
        await app.close();
        await database.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));

      try {
        await app.listen({ port: config.port, host: config.host });
      } catch (e: any) {
        await database.close();
        fail(e.code === 'EADDRINUSE' ? `port ${config.port} is already in use: set PORT or --port` : e.message);
      }
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      const addr = `http://localhost:${(app.server.address() as any)?.port ?? config.port}`;
      process.stdout.write(
        `\nCentinela is running at ${addr}  (ready in ${secs} s, database: ${database.kind} ${database.location})\n` +
          `  API docs (OpenAPI): ${addr}/api/docs\n  Health:             ${addr}/api/v1/health\n\n`,
      );
    });
}

function printDemoAccounts(accounts: { username: string; role: string; country: string }[]) {
  const byCountry = new Map<string, string[]>();
  for (const a of accounts) {
    const l = byCountry.get(a.country) ?? [];
    l.push(`${a.username} (${a.role})`);
    byCountry.set(a.country, l);
  }
  process.stdout.write(`\nDemo accounts — password for all: centinela-demo (demo only; never use --demo in production)\n`);
  for (const [c, l] of byCountry) process.stdout.write(`  ${c}: ${l.join(', ')}\n`);
}
