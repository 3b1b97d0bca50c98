import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sql } from 'drizzle-orm';
import { registerAuth } from '../modules/access/auth.ts';
import { accessRoutes } from '../modules/access/routes.ts';
import { throttleRoutes } from '../modules/access/throttle.ts';
import { declarationRoutes } from '../modules/declarations/routes.ts';
import type { IntakeService } from '../flows/intake.ts';
import { buildServices, type Services } from '../app/services.ts';
import { referenceRoutes } from '../reference/routes.ts';
import { transitRoutes } from '../modules/transit/routes.ts';
import { kpiRoutes } from '../modules/kpi/routes.ts';
import { tradersRoutes } from '../modules/traders/routes.ts';
import { riskRoutes } from '../modules/risk/routes.ts';
import type { RiskService } from '../modules/risk/service.ts';
import { intelligenceRoutes } from '../modules/intelligence/routes.ts';
import type { IntelligenceService } from '../modules/intelligence/service.ts';
import { pcaRoutes } from '../modules/pca/routes.ts';
import { cooperationRoutes } from '../modules/cooperation/routes.ts';
import type { CooperationService } from '../modules/cooperation/service.ts';
import { exchangeRoutes } from '../modules/exchange/routes.ts';
import type { ExchangeService } from '../modules/exchange/service.ts';
import { registerWeb } from './web.ts';
import { registerCompression, type CompressionOptions } from './compression.ts';
import type { App, AppDeps } from './deps.ts';
import { problemErrorHandler } from './errors.ts';
import { problemView } from '../core/problem.ts';
import { DOCS_CSP, edgeLimits, JSON_BODY, registerEdge, serverOptions, type EdgeLimits } from './edge.ts';

/** CENTINELA_TRUST_PROXY: unset (the peer's address is the source), `true`, a hop count, or addresses / CIDRs of the proxies. */
function trustProxy(env: NodeJS.ProcessEnv = process.env): boolean | string | undefined {
  const v = env.CENTINELA_TRUST_PROXY?.trim();
  if (!v || v === 'false') return undefined;
  if (v === 'true') return true;
  // a hop count is a number to proxy-addr (the types say string only)
  if (/^\d+$/.test(v)) return Number(v) as unknown as string;
  return v;
}

export const VERSION = '0.1.0';

export interface BuiltApp {
  app: App;
  intake: IntakeService;
  risk: RiskService;
  intelligence: IntelligenceService;
  /** the regional exchange (started with the server) */
  exchange: ExchangeService;
  /** regional risk cooperation (RIFs, common criteria, seizures and control results) */
  cooperation: CooperationService;
}

/** Assembles the HTTP API: plugins (auth, errors, OpenAPI) and every module's routes. */
export async function buildApp(deps: AppDeps, opts: { logger?: FastifyBaseLogger; services?: Services; limits?: EdgeLimits; compression?: CompressionOptions; /** false: do not start the exchange's relay and consumers with the server */ exchange?: boolean } = {}): Promise<BuiltApp> {
  const limits = opts.limits ?? edgeLimits();
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    // every JSON body; routes have smaller limits of their own (see edge.ts), imports larger ones
    bodyLimit: JSON_BODY,
    ...serverOptions(limits),
    // the source address of a sign-in, for throttling: only behind a proxy that sets X-Forwarded-For
    trustProxy: trustProxy(),
    ajv: undefined,
  }).withTypeProvider<ZodTypeProvider>();
  registerEdge(app, limits);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).type('application/problem+json').send({ type: 'https://centinela.dev/problems/not-found', title: 'Not found', status: 404, detail: `No route ${req.method} ${req.url}`, instance: req.url }),
  );
  // brotli / gzip for answers and assets, long-lived caching of hashed assets: before any route
  await registerCompression(app, opts.compression);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Centinela API',
        version: VERSION,
        description:
          'Integrated customs risk management for the administrations of Central America and the Dominican Republic. ' +
          'Authenticate with `Authorization: Bearer <token>` (from POST /api/v1/auth/login) or an API key (`X-API-Key: ck_...`). ' +
          'Errors are problem+json (RFC 9457) naming each field at fault.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: DOCS_CSP });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerAuth(app, deps);

  app.get(
    '/api/v1/health',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness and database reachability',
        security: [],
        response: { 200: z.object({ status: z.literal('ok'), version: z.string(), database: z.string(), time: z.string() }), 503: problemView.describe('the database does not answer (problem+json, with an incident id)') },
      },
    },
    async (req, reply) => {
      try {
        await deps.db.execute(sql`select 1`);
      } catch (e) {
        // a public route: the database's own message (addresses, user names) goes to the log only
        const incident = randomUUID();
        req.log.error({ err: e, incident }, 'health: database unreachable');
        return reply.code(503).type('application/problem+json').send({ type: 'https://centinela.dev/problems/unavailable', title: 'Database unreachable', status: 503, detail: `The database does not answer; logged as incident ${incident}`, incident });
      }
      return { status: 'ok' as const, version: VERSION, database: deps.database.kind, time: deps.clock.now().toISOString() };
    },
  );

  const { intake, risk, intelligence, traders, kpi, transit, pca, cooperation, exchange } = opts.services ?? buildServices(deps);
  await riskRoutes(app, { ...deps, risk });
  await intelligenceRoutes(app, { ...deps, intelligence });
  await accessRoutes(app, deps);
  await throttleRoutes(app, deps);
  await declarationRoutes(app, { ...deps, intake });
  await referenceRoutes(app, deps);
  await transitRoutes(app, deps, transit);
  await kpiRoutes(app, deps, kpi);
  await tradersRoutes(app, { ...deps, traders });
  await pcaRoutes(app, { pca });
  await cooperationRoutes(app, { cooperation });
  await exchangeRoutes(app, { ...deps, exchange });
  // the exchange's relay and consumers live as long as the server: started when it is ready, stopped when it closes
  if (opts.exchange !== false) {
    app.addHook('onReady', async () => {
      await exchange.start();
    });
    app.addHook('onClose', async () => {
      await exchange.stop();
    });
  }
  await registerWeb(app);

  await app.ready();
  return { app, intake, risk, intelligence, exchange, cooperation };
}
