import { z } from 'zod';
import type { App } from '../../server/deps.ts';
import { authorize, principalOf } from '../access/auth.ts';
import { problems } from '../../core/problem.ts';
import * as R from './responses.ts';
import { adoptInput, boxQuery, countryQuery, proposalQuery, criterionReview, declineInput, hitsReportInput, intelQuery, proposalInput, rifInput, shareInput, watchInput } from './schema.ts';
import type { CooperationService } from './service.ts';

const id = z.object({ id: z.uuid({ message: 'must be a UUID' }) });

/**
 * The cooperation API under /api/v1/cooperation: risk information forms (send, inbox / outbox,
 * accept as a criterion or decline), common regional criteria (propose, adopt / adapt / decline,
 * hit rates), and seizures and control results of regional interest (share, list, watch). Starts
 * the periodic hit-rate reports of adopted common criteria (stopped with the server).
 */
export async function cooperationRoutes(app: App, deps: { cooperation: CooperationService; periodicReports?: boolean }): Promise<void> {
  const coop = deps.cooperation;
  if (deps.periodicReports !== false) {
    const stop = coop.startPeriodicReports(3_600_000, (e) => app.log.error({ err: e }, 'cooperation: periodic hit-rate report failed'));
    app.addHook('onClose', async () => stop());
  }
  const tags = ['cooperation'];

  // ---- risk information forms
  app.get('/api/v1/cooperation/rifs', { preHandler: authorize('coop.rif.read'), schema: { tags, summary: 'Risk information forms received (inbox) or sent (outbox, with each partner\'s delivery and answer)', querystring: boxQuery, response: { 200: R.rifList , ...problems } } }, async (req) =>
    ({ items: await coop.listRifs(principalOf(req), req.query) }),
  );
  app.post('/api/v1/cooperation/rifs', { preHandler: authorize('coop.rif.send'), schema: { tags, summary: 'Send a risk information form to partner administrations (queued with the exchange in the same transaction)', body: rifInput, response: { 201: R.rifDetail , ...problems } } }, async (req, reply) =>
    reply.code(201).send(await coop.sendRif(principalOf(req), req.body)),
  );
  app.get('/api/v1/cooperation/rifs/:id', { preHandler: authorize('coop.rif.read'), schema: { tags, summary: 'A risk information form: partners\' answers and deliveries (sent), or the criterion proposed from it (received)', params: id, querystring: countryQuery, response: { 200: R.rifDetail , ...problems } } }, async (req) =>
    coop.getRif(principalOf(req), req.params.id, req.query.country),
  );
  app.post('/api/v1/cooperation/rifs/:id/accept', { preHandler: authorize('coop.rif.answer'), schema: { tags, summary: 'Accept a received RIF: it becomes a time-limited criterion awaiting a second person\'s approval; the answer goes back to the sender', params: id, querystring: countryQuery, body: criterionReview, response: { 200: R.rifDetail , ...problems } } }, async (req) =>
    coop.acceptRif(principalOf(req), req.params.id, req.body, req.query.country),
  );
  app.post('/api/v1/cooperation/rifs/:id/decline', { preHandler: authorize('coop.rif.answer'), schema: { tags, summary: 'Decline a received RIF with a reason (sent back to the sender)', params: id, querystring: countryQuery, body: declineInput, response: { 200: R.rifDetail , ...problems } } }, async (req) =>
    coop.declineRif(principalOf(req), req.params.id, req.body.reason, req.query.country),
  );

  // ---- common regional criteria
  app.get('/api/v1/cooperation/criteria', { preHandler: authorize('coop.criteria.read'), schema: { tags, summary: 'Common regional criteria received (inbox) or proposed (outbox, with members\' answers and hit rates)', querystring: boxQuery, response: { 200: R.proposalList , ...problems } } }, async (req) =>
    ({ items: await coop.listProposals(principalOf(req), req.query) }),
  );
  app.post('/api/v1/cooperation/criteria', { preHandler: authorize('coop.criteria.propose'), schema: { tags, summary: 'Propose a common regional criterion to member administrations (regional working group)', body: proposalInput, response: { 201: R.proposalDetail , ...problems } } }, async (req, reply) =>
    reply.code(201).send(await coop.proposeCriterion(principalOf(req), req.body)),
  );
  app.get('/api/v1/cooperation/criteria/:id', { preHandler: authorize('coop.criteria.read'), schema: { tags, summary: 'A common criterion: members\' answers and hit rates (proposed), or this administration\'s answer and criterion (received)', params: id, querystring: proposalQuery, response: { 200: R.proposalDetail , ...problems } } }, async (req) =>
    coop.getProposal(principalOf(req), req.params.id, req.query.country, req.query.box),
  );
  app.post('/api/v1/cooperation/criteria/:id/adopt', { preHandler: authorize('coop.criteria.answer'), schema: { tags, summary: 'Adopt a common criterion, as proposed or with its scope adapted (with a reason): a criterion awaiting a second person\'s approval', params: id, querystring: countryQuery, body: adoptInput, response: { 200: R.proposalDetail , ...problems } } }, async (req) =>
    coop.adoptProposal(principalOf(req), req.params.id, req.body, req.query.country),
  );
  app.post('/api/v1/cooperation/criteria/:id/decline', { preHandler: authorize('coop.criteria.answer'), schema: { tags, summary: 'Decline a common criterion with a reason', params: id, querystring: countryQuery, body: declineInput, response: { 200: R.proposalDetail , ...problems } } }, async (req) =>
    coop.declineProposal(principalOf(req), req.params.id, req.body.reason, req.query.country),
  );
  app.post('/api/v1/cooperation/criteria/:id/hits', { preHandler: authorize('coop.criteria.report'), schema: { tags, summary: 'Send the hit rates of an adopted common criterion to the proposer now (default: since the last report)', params: id, querystring: countryQuery, body: hitsReportInput.optional(), response: { 200: R.hitsReport , ...problems } } }, async (req) =>
    coop.reportHits(principalOf(req), req.params.id, req.body ?? {}, req.query.country),
  );

  // ---- seizures and control results of regional interest
  app.get('/api/v1/cooperation/intel', { preHandler: authorize('coop.intel.read'), schema: { tags, summary: 'Seizures and control results received from partners (inbox) or shared (outbox)', querystring: intelQuery, response: { 200: R.intelList , ...problems } } }, async (req) =>
    ({ items: await coop.listIntel(principalOf(req), req.query) }),
  );
  app.post('/api/v1/cooperation/intel', { preHandler: authorize('coop.intel.share'), schema: { tags, summary: 'Share a control\'s seizure or result with findings with partners (the sharing rules redact what they say)', body: shareInput, response: { 201: R.intelDetail , ...problems } } }, async (req, reply) =>
    reply.code(201).send(await coop.shareControl(principalOf(req), req.body)),
  );
  app.get('/api/v1/cooperation/intel/:id', { preHandler: authorize('coop.intel.read'), schema: { tags, summary: 'A seizure or control result shared or received', params: id, querystring: countryQuery, response: { 200: R.intelDetail , ...problems } } }, async (req) =>
    coop.getIntel(principalOf(req), req.params.id, req.query.country),
  );
  app.post('/api/v1/cooperation/intel/:id/watch', { preHandler: authorize('coop.intel.watch'), schema: { tags, summary: 'Turn a partner\'s seizure or control result into a watch criterion (awaiting a second person\'s approval)', params: id, querystring: countryQuery, body: watchInput, response: { 200: R.intelDetail , ...problems } } }, async (req) =>
    coop.watchFromIntel(principalOf(req), req.params.id, req.body, req.query.country),
  );
}
