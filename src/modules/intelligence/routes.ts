import { z } from 'zod';
import type { App, AppDeps } from '../../server/deps.ts';
import { authorize, principalOf } from '../access/auth.ts';
import { IntelligenceService } from './service.ts';
import { declarationFacts } from '../declarations/reads.ts';
import { controlFacts } from '../risk/reads.ts';
import { tradersOn } from '../traders/service.ts';
import * as R from './responses.ts';
import { problems } from '../../core/problem.ts';

const id = z.object({ id: z.uuid({ message: 'must be a UUID' }) });
const when = z.iso.datetime({ offset: true }).optional();

/**
 * The model API under /api/v1/models: analysts train and propose, supervisors and managers
 * approve a promotion (never the proposer), anyone of the administration reads; the valuation
 * database under /api/v1/models/valuation.
 */
export async function intelligenceRoutes(app: App, deps: AppDeps & { intelligence?: IntelligenceService }): Promise<IntelligenceService> {
  // the server hands the service built by the composition root; routes assembled by hand in tests build one
  const svc = deps.intelligence ?? new IntelligenceService({ ...deps, traders: tradersOn(deps, { declarations: declarationFacts, controls: controlFacts }) });
  const tags = ['models'];

  app.get('/api/v1/models', { preHandler: authorize('models.read'), schema: { tags, summary: "The administration's models: champion, challenger, candidates, retired", querystring: z.object({ country: z.string().optional() }), response: { 200: R.modelList, ...problems } } }, async (req) =>
    ({ items: await svc.list(principalOf(req), req.query.country) }),
  );
  app.post(
    '/api/v1/models/train',
    {
      preHandler: authorize('models.train'),
      schema: {
        tags,
        summary: 'Train a model on the controlled declarations of a window; metrics on the random controls of its last days',
        body: z.object({ country: z.string().optional(), from: when, to: when, holdoutDays: z.number().int().min(1).max(365).optional(), params: z.record(z.string(), z.number()).optional() }),
        response: { 201: R.modelView, ...problems },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.train(principalOf(req), req.body)),
  );
  app.get('/api/v1/models/drift', { preHandler: authorize('models.read'), schema: { tags, summary: "Drift of the champion (or a model): precision on recent controls, population stability of key features", querystring: z.object({ country: z.string().optional(), days: z.coerce.number().int().min(1).max(365).optional(), id: z.uuid().optional() }), response: { 200: R.driftView, ...problems } } }, async (req) =>
    svc.drift(principalOf(req), req.query),
  );
  app.put(
    '/api/v1/models/exploration',
    { preHandler: authorize('models.train'), schema: { tags, summary: 'Share of declarations sent to exploration controls, at random or near the model boundary', body: z.strictObject({ country: z.string().optional(), rate: z.number().min(0).max(0.2), mode: z.enum(['random', 'uncertain']) }), response: { 200: R.explorationView, ...problems } } },
    async (req) => {
      const p = principalOf(req);
      return svc.setExploration(p, req.body.country ?? p.country, { rate: req.body.rate, mode: req.body.mode });
    },
  );
  app.post('/api/v1/models/valuation/refresh', { preHandler: authorize('models.train'), schema: { tags, summary: 'Recompute the reference prices from the accepted history', body: z.object({ country: z.string().optional(), days: z.number().int().min(7).max(1100).optional() }).optional(), response: { 200: R.valuationRefreshView, ...problems } } }, async (req) =>
    svc.refreshValuation(principalOf(req), req.body ?? {}),
  );
  app.get('/api/v1/models/valuation/:hs6', { preHandler: authorize('models.read'), schema: { tags, summary: 'Reference unit prices of an HS subheading: quartiles per origin and unit', params: z.object({ hs6: z.string().regex(/^\d{6}/, 'must start with 6 digits') }), querystring: z.object({ country: z.string().optional() }), response: { 200: R.referencePriceList, ...problems } } }, async (req) =>
    ({ items: await svc.referencePrices(principalOf(req), req.params.hs6, req.query.country) }),
  );
  app.get('/api/v1/models/:id', { preHandler: authorize('models.read'), schema: { tags, summary: 'A model: window, features, parameters, metrics, lifecycle', params: id, response: { 200: R.modelView, ...problems } } }, async (req) => svc.get(principalOf(req), req.params.id));
  app.post('/api/v1/models/:id/evaluate', { preHandler: authorize('models.evaluate'), schema: { tags, summary: 'Metrics on the random controls of a window', params: id, body: z.object({ from: when, to: when }).optional(), response: { 200: R.evaluationView, ...problems } } }, async (req) =>
    svc.evaluate(principalOf(req), req.params.id, req.body ?? {}),
  );
  app.post('/api/v1/models/:id/propose', { preHandler: authorize('models.train'), schema: { tags, summary: 'Propose a model as champion or challenger (a second person approves)', params: id, body: z.object({ role: z.enum(['champion', 'challenger']), note: z.string().max(2000).optional() }), response: { 200: R.modelView, ...problems } } }, async (req) =>
    svc.propose(principalOf(req), req.params.id, req.body.role, req.body.note),
  );
  app.post('/api/v1/models/:id/approve', { preHandler: authorize('models.approve'), schema: { tags, summary: 'Approve the proposed promotion (four eyes: not its proposer nor its trainer)', params: id, body: z.object({ note: z.string().max(2000).optional() }).optional(), response: { 200: R.modelView, ...problems } } }, async (req) =>
    svc.approve(principalOf(req), req.params.id, req.body?.note),
  );
  app.post('/api/v1/models/:id/reject', { preHandler: authorize('models.approve'), schema: { tags, summary: 'Reject the proposed promotion', params: id, body: z.object({ note: z.string().trim().min(5).max(2000) }), response: { 200: R.modelView, ...problems } } }, async (req) =>
    svc.reject(principalOf(req), req.params.id, req.body.note),
  );
  app.post('/api/v1/models/:id/retire', { preHandler: authorize('models.approve'), schema: { tags, summary: 'Retire the champion or challenger', params: id, body: z.object({ reason: z.string().trim().min(5).max(2000) }), response: { 200: R.modelView, ...problems } } }, async (req) =>
    svc.retire(principalOf(req), req.params.id, req.body.reason),
  );
  return svc;
}
