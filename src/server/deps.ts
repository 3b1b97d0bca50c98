import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Clock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import type { Database, Db } from '../db/client.ts';
import type { ReferenceData } from '../reference/types.ts';

/** What every module's routes and services are given. */
export interface AppDeps {
  database: Database;
  db: Db;
  ref: ReferenceData;
  clock: Clock;
  config: Config;
}

/** The Fastify instance with zod types: routes get typed bodies, params and replies. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;
