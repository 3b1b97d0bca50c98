import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { systemClock } from '../../core/clock.ts';
import { loadConfig } from '../../core/config.ts';
import { createLogger } from '../../core/logger.ts';
import { DataDirLockedError, openDatabase } from '../../db/client.ts';
import { ensureDemoUsers } from '../../modules/access/service.ts';
import { getReferenceData } from '../../reference/index.ts';
import { buildApp } from '../../server/app.ts';
import { DEMO_DEFAULTS, demoSeedingStatus, incompleteDemoMessage, readDemoState, seedDemoRegion } from '../../demo/seed.ts';
import { fail } from '../context.ts';

interface ServeOpts {
  port?: string;
  host?: string;
  demo?: boolean;
  resetDemo?: boolean;
  databaseUrl?: string;
  dataDir?: string;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the Centinela server (API under /api/v1, OpenAPI at /api/docs)')
    .option('--port <port>', 'port to listen on (default: PORT or 8080)')
    .option('--host <host>', 'address to listen on (default: HOST; else 127.0.0.1 with --demo, 0.0.0.0 without)')
    .option('--demo', 'demo mode: on first start, seed a simulated region and create demo accounts (printed at start)')
    .option('--reset-demo', 'with --demo on the embedded database: delete it and seed the demo again (after an interrupted first start)')
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
      if (o.resetDemo && !o.demo) fail('--reset-demo resets the demo: use it with --demo');
      const binding = chooseHost({ host: o.host, demo: o.demo }, process.env);
      config.host = binding.host;
      const open = async () => {
        try {
          return await openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
        } catch (e) {
          if (e instanceof DataDirLockedError) fail(e.message);
          throw e;
        }
      };
      let database = await open();
      let firstStart = false;
      if (o.demo) {
        const { status, state } = await demoSeedingStatus(database.db);
        if (status === 'incomplete' || (o.resetDemo && status !== 'empty')) {
          if (!o.resetDemo) {
            await database.close();
            fail(incompleteDemoMessage(database.location, state, database.kind));
          }
          if (database.kind !== 'pglite') {
            await database.close();
            fail(`--reset-demo deletes only the embedded database; on PostgreSQL, drop and create ${database.location} again, then start with --demo`);
          }
          await database.close();
          process.stderr.write(`demo: --reset-demo: deleting the embedded database in ${config.dataDir} and seeding the demo again\n`);
          fs.rmSync(path.join(config.dataDir, 'pgdata'), { recursive: true, force: true });
          database = await open();
          firstStart = true;
        } else firstStart = status === 'empty';
      } else {
        const state = await readDemoState(database.db);
        if (state?.status === 'seeding') process.stderr.write(`centinela: warning: ${incompleteDemoMessage(database.location, state, database.kind)}\n`);
      }
      const ref = getReferenceData();
      const clock = systemClock;
      const deps = { database, db: database.db, ref, clock, config };
      const { app, intake, risk, intelligence } = await buildApp(deps, { logger });

      if (o.demo) {
        const accounts = await ensureDemoUsers(deps);
        if (firstStart) {
          process.stderr.write(
            `demo: first start: seeding a simulated region into ${database.location} …\n` +
              `demo: this takes ${seedingEstimate()} (five steps: ${DEMO_STEPS_TEXT}); let it finish: an interrupted seeding is not resumed (start over with --reset-demo)\n`,
          );
          // the node seeds only the administrations it serves (CENTINELA_ADMINISTRATIONS)
          await seedDemoRegion({ db: database.db, ref, clock, intake, risk, intelligence, administrations: config.administrations }, DEMO_DEFAULTS);
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

      if (binding.warning) process.stderr.write(`${binding.warning}\n`);
      try {
        await app.listen({ port: config.port, host: config.host });
      } catch (e) {
        await database.close();
        const err = e as NodeJS.ErrnoException;
        fail(err.code === 'EADDRINUSE' ? `port ${config.port} is already in use: set PORT or --port` : err.message);
      }
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      const addr = `http://localhost:${(app.server.address() as import('node:net').AddressInfo | null)?.port ?? config.port}`;
      process.stdout.write(
        `\nCentinela is running at ${addr}  (ready in ${secs} s, database: ${database.kind} ${database.location})\n` +
          `  API docs (OpenAPI): ${addr}/api/docs\n  Health:             ${addr}/api/v1/health\n\n`,
      );
    });
}

/**
 * How long the demo's first start will seed on this machine: about 20 s on an idle machine of two
 * cores (`npm run bench -- startup`); on a busy one, between 20 s × √busy and 20 s × busy, where
 * busy is the load per core (measured: 78 s at a load of 8 on 2 cores, 63 s at 11).
 */
export function seedingEstimate(load = os.loadavg()[0], cores = os.cpus().length): string {
  const busy = load / Math.max(1, cores);
  const text = (secs: number) => (secs < 90 ? `${Math.round(secs / 5) * 5} s` : `${Math.round(secs / 60)} minutes`);
  if (busy <= 1.25) return 'about 20 s';
  return `${text(20 * Math.sqrt(busy))} to ${text(20 * busy)} (this machine is busy: load ${load.toFixed(1)} on ${cores} cores)`;
}

const DEMO_STEPS_TEXT = 'criteria, declarations, transit, control results, models';

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * The address the server listens on: `--host`, else HOST, else 127.0.0.1 in demo mode (its accounts
 * share a published password, so only this machine may reach them) and 0.0.0.0 otherwise. A demo
 * bound to any other address gets a warning: its accounts can be used by anyone who reaches it.
 */
export function chooseHost(o: { host?: string; demo?: boolean }, env: NodeJS.ProcessEnv = process.env): { host: string; warning?: string } {
  const chosen = o.host || env.HOST || undefined;
  const host = chosen ?? (o.demo ? '127.0.0.1' : '0.0.0.0');
  if (o.demo && !isLoopback(host)) {
    return {
      host,
      warning:
        `WARNING: the demo listens on ${host} (set by ${o.host ? '--host' : 'HOST'}): its accounts, with the shared password centinela-demo, ` +
        `can be used by anyone who can reach this address. Unset HOST (the demo then listens on 127.0.0.1 only) unless this network is yours alone.`,
    };
  }
  return { host };
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
