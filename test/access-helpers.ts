import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { FixedClock } from '../src/core/clock.ts';
import type { Database } from '../src/db/client.ts';
import { registerAuth } from '../src/modules/access/auth.ts';
import { accessRoutes } from '../src/modules/access/routes.ts';
import { AccessService } from '../src/modules/access/service.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import type { App, AppDeps } from '../src/server/deps.ts';
import { problemErrorHandler } from '../src/server/errors.ts';

export const T0 = '2026-06-15T12:00:00Z';
export const CLI = SYSTEM_PRINCIPAL('GT', 'cli');
export const PASSWORD = 'correct horse battery';

/** The access routes alone, with the app's error handler: no reference data needed. */
export async function accessApp(database: Database, clock: FixedClock): Promise<{ app: App; service: AccessService }> {
  const deps = { database, db: database.db, clock, ref: {} as AppDeps['ref'], config: {} as AppDeps['config'] } as AppDeps;
  const app = Fastify().withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(problemErrorHandler);
  const service = new AccessService(deps);
  registerAuth(app, deps, service);
  app.get('/api/v1/health', async () => ({ status: 'ok' }));
  await accessRoutes(app, deps, service);
  await app.ready();
  return { app, service };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
