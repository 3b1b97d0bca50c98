/**
 * A Centinela for browser tests: the built web app and the API on a random port, over an in-memory
 * PGlite seeded small (a simulated week of the region, a few transits with a tampered seal), and
 * Debian's Chromium driven by playwright-core (never a downloaded browser).
 */
import fs from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { chromium, type Browser } from 'playwright-core';
import { DEMO_DEFAULTS, seedDemo } from '../../src/demo/seed.ts';
import { seedDemoCriteria, seedDemoResults } from '../../src/demo/risk.ts';
import type { RiskService } from '../../src/modules/risk/service.ts';
import { systemClock } from '../../src/core/clock.ts';
import { loadConfig } from '../../src/core/config.ts';
import { openTestPglite } from '../../src/db/testing.ts';
import type { Database } from '../../src/db/client.ts';
import { registerAuth } from '../../src/modules/access/auth.ts';
import { accessRoutes } from '../../src/modules/access/routes.ts';
import { AccessService, ensureDemoUsers } from '../../src/modules/access/service.ts';
import { SYSTEM_PRINCIPAL } from '../../src/modules/access/types.ts';
import { declarationRoutes } from '../../src/modules/declarations/routes.ts';
import { IntakeService } from '../../src/flows/intake.ts';
import { kpiRoutes } from '../../src/modules/kpi/routes.ts';
import { transitRoutes } from '../../src/modules/transit/routes.ts';
import { TransitService } from '../../src/modules/transit/service.ts';
import { getReferenceData } from '../../src/reference/index.ts';
import { referenceRoutes } from '../../src/reference/routes.ts';
import { buildApp } from '../../src/server/app.ts';
import type { App, AppDeps } from '../../src/server/deps.ts';
import { problemErrorHandler } from '../../src/server/errors.ts';
import { registerWeb } from '../../src/server/web.ts';
import { simulateTransit } from '../../src/sim/transit/index.ts';
import { withCheckDigit } from '../../src/modules/declarations/container.ts';

export const CHROMIUM = process.env.CENTINELA_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM);
export const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots');
export const DEMO_PASSWORD = 'centinela-demo';

export interface Centinela {
  url: string;
  apiKey: string;
  database: Database;
  close(): Promise<void>;
}

/** The app as `npm start` assembles it when kpi and web are wired into buildApp; else the same parts put together here. */
export async function assemble(deps: AppDeps): Promise<{ app: App; intake: IntakeService; risk?: RiskService }> {
  const built = await buildApp(deps);
  if (built.app.hasRoute({ method: 'GET', url: '/api/v1/kpi/overview' }) && built.app.hasRoute({ method: 'GET', url: '/*' })) return built;
  await built.app.close();
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler((req, reply) => reply.code(404).type('application/problem+json').send({ title: 'Not found', status: 404, detail: `No route ${req.method} ${req.url}` }));
  registerAuth(app, deps);
  const intake = new IntakeService(deps);
  await accessRoutes(app, deps);
  await declarationRoutes(app, { ...deps, intake });
  await referenceRoutes(app, deps);
  await transitRoutes(app, deps);
  await kpiRoutes(app, deps);
  await registerWeb(app);
  await app.ready();
  return { app, intake };
}

/** A transit GT → SV → HN that left two days ago and whose seal was found broken in El Salvador. */
async function seedTransit(deps: AppDeps): Promise<void> {
  const transit = new TransitService(deps);
  const actor = SYSTEM_PRINCIPAL('GT', 'browser-test');
  const now = deps.clock.now().getTime();
  // a few simulated transits across the region for the map, all over by now
  const sim = simulateTransit({ seed: 11, start: new Date(now - 6 * 86_400_000), days: 2, ref: deps.ref, movementsPerDay: 5, arrivalsPerDay: 0, anomalyRate: 0.3, lateRate: 0, duplicateRate: 0 });
  await transit.declareMovements(sim.movements, actor);
  await transit.ingestEvents(sim.events, actor, 'browser-test');
  const t0 = now - 2 * 86_400_000;
  const at = (h: number) => new Date(t0 + h * 3_600_000).toISOString();
  const mv = { country: 'GT', reference: 'TRGT-WEB-1' };
  await transit.declareMovement(
    {
      reference: mv.reference,
      country: 'GT',
      mode: 3,
      officeOfDeparture: 'GTPRQ',
      officeOfDestination: 'HNSLO',
      route: ['GT0PA', 'SV0HA', 'SV0AM', 'HN0AM'],
      departureAt: at(0),
      conveyance: { plate: 'C123ABC', plateCountry: 'GT', rfidTag: 'E280-WEB-0001', containers: [withCheckDigit('MSCU123456')] },
      seals: ['SGT100001', 'SGT100002'],
      guarantee: { reference: 'G-1', amount: 25000, currency: 'USD' },
      goods: { description: 'Electrodomésticos', packages: 120, grossMassKg: 18000 },
    },
    actor,
  );
  await transit.ingestEvents(
    [
      { eventId: 'web-dep', type: 'departure', at: at(0), movement: mv, office: 'GTPRQ' },
      { eventId: 'web-r1', type: 'rfid_read', at: at(3.5), tag: 'E280-WEB-0001', office: 'GT0PA', direction: 'exit' },
      { eventId: 'web-r2', type: 'rfid_read', at: at(4.2), tag: 'E280-WEB-0001', office: 'SV0HA', direction: 'entry' },
      { eventId: 'web-s2', type: 'seal_check', at: at(4.4), movement: mv, office: 'SV0HA', seals: [{ number: 'SGT100001', intact: true }, { number: 'SGT100002', intact: false }] },
      { eventId: 'web-r3', type: 'rfid_read', at: at(11), tag: 'E280-WEB-0001', office: 'SV0AM', direction: 'exit' },
    ],
    actor,
    'browser-test',
  );
}

export async function startCentinela(o: { days?: number; scale?: number } = {}): Promise<Centinela> {
  const database = await openTestPglite();
  const deps: AppDeps = { database, db: database.db, ref: getReferenceData(), clock: systemClock, config: loadConfig({}) };
  const { app, intake, risk } = await assemble(deps);
  await ensureDemoUsers(deps, ['GT']);
  // the risk engine as the demo has it: criteria from the simulator's fraud patterns, officers on duty, results for most controls
  const now = deps.clock.now();
  if (risk) await seedDemoCriteria({ db: database.db, clock: deps.clock, ref: deps.ref, risk }, new Date(now.getTime() - ((o.days ?? 7) + 1) * 86_400_000), new Date(now.getTime() + 2 * 86_400_000));
  await seedDemo({ db: database.db, ref: deps.ref, clock: deps.clock, intake }, { seed: DEMO_DEFAULTS.seed, days: o.days ?? 7, scale: o.scale ?? 0.02 });
  if (risk) await seedDemoResults({ db: database.db, risk });
  await seedTransit(deps);
  const { key } = await new AccessService(deps).createApiKey(SYSTEM_PRINCIPAL('GT', 'browser-test'), { name: 'SAT-GT test', role: 'system', country: 'GT' });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: address,
    apiKey: key,
    database,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}
