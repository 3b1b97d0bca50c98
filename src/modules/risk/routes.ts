import { z } from 'zod';
import { problems } from '../../core/problem.ts';
import type { App, AppDeps } from '../../server/deps.ts';
import { authorize, principalOf } from '../access/auth.ts';
import { administrationFor } from '../access/policy.ts';
import type { Assessor } from '../declarations/service.ts';
import { STAGES, type Stage } from './cel.ts';
import { backtestInput, controlResultInput, criterionEdit, criterionInput, overrideInput, periodQuery, reassignInput, rosterInput, STAGE_ENUM } from './schema.ts';
import * as R from './responses.ts';
import { RiskService } from './service.ts';
import { riskConfigChangeSchema, riskConfigRevertSchema } from './settings.ts';

const id = z.object({ id: z.uuid({ message: 'must be a UUID' }) });

/**
 * The risk API under /api/v1/risk: criteria (analysts write and submit, a second person
 * approves), checks and backtests, controls (officers record results, supervisors reassign and
 * override), the duty roster, effectiveness (managers), replay. Plugs the risk assessor into
 * intake when given one.
 */
export async function riskRoutes(app: App, deps: AppDeps & { intake?: { setAssessor(a: Assessor): void }; risk?: RiskService }): Promise<RiskService> {
  const risk = deps.risk ?? new RiskService(deps);
  if (deps.intake) deps.intake.setAssessor(risk.assessor());
  // running backtests stop with the server (their worker threads are terminated)
  app.addHook('onClose', async () => risk.cancelBacktests());
  const tags = ['risk'];

  app.get('/api/v1/risk/criteria', { preHandler: authorize('criteria.read'), schema: { tags, summary: 'List risk criteria', querystring: z.object({ country: z.string().optional(), status: z.string().optional() }), response: { 200: R.criterionList, ...problems } } }, async (req) =>
    ({ items: await risk.listCriteria(principalOf(req), req.query) }),
  );
  app.get('/api/v1/risk/criteria/:id', { preHandler: authorize('criteria.read'), schema: { tags, summary: 'A criterion with all its versions', params: id, response: { 200: R.criterionView, ...problems } } }, async (req) =>
    risk.getCriterion(principalOf(req), req.params.id),
  );
  app.post('/api/v1/risk/criteria', { preHandler: authorize('criteria.write'), schema: { tags, summary: 'Write a criterion (a draft; the expression is type-checked)', body: criterionInput, response: { 201: R.criterionView, ...problems } } }, async (req, reply) =>
    reply.code(201).send(await risk.createCriterion(principalOf(req), req.body)),
  );
  app.patch('/api/v1/risk/criteria/:id', { preHandler: authorize('criteria.write'), schema: { tags, summary: 'Edit a criterion: makes a new version (the active one keeps running until the new one is approved)', params: id, body: criterionEdit, response: { 200: R.criterionView, ...problems } } }, async (req) =>
    risk.editCriterion(principalOf(req), req.params.id, req.body),
  );
  app.post('/api/v1/risk/criteria/:id/submit', { preHandler: authorize('criteria.write'), schema: { tags, summary: 'Submit the draft version for approval', params: id, response: { 200: R.criterionView, ...problems } } }, async (req) =>
    risk.submitCriterion(principalOf(req), req.params.id),
  );
  app.post('/api/v1/risk/criteria/:id/approve', { preHandler: authorize('criteria.approve'), schema: { tags, summary: 'Approve the version awaiting approval (four eyes: never its author)', params: id, body: z.object({ note: z.string().max(2000).optional() }).optional(), response: { 200: R.criterionView, ...problems } } }, async (req) =>
    risk.approveCriterion(principalOf(req), req.params.id, req.body?.note),
  );
  app.post('/api/v1/risk/criteria/:id/reject', { preHandler: authorize('criteria.approve'), schema: { tags, summary: 'Reject the version awaiting approval', params: id, body: z.object({ note: z.string().trim().min(5).max(2000) }), response: { 200: R.criterionView, ...problems } } }, async (req) =>
    risk.rejectCriterion(principalOf(req), req.params.id, req.body.note),
  );
  app.post('/api/v1/risk/criteria/:id/suspend', { preHandler: authorize('criteria.suspend'), schema: { tags, summary: 'Suspend a running criterion', params: id, body: z.object({ reason: z.string().trim().min(5).max(2000) }), response: { 200: R.criterionView, ...problems } } }, async (req) =>
    risk.suspendCriterion(principalOf(req), req.params.id, req.body.reason),
  );
  app.post('/api/v1/risk/criteria/:id/resume', { preHandler: authorize('criteria.suspend'), schema: { tags, summary: 'Resume a suspended criterion (not by who suspended it)', params: id, body: z.object({ reason: z.string().trim().min(5).max(2000) }), response: { 200: R.criterionView, ...problems } } }, async (req) =>
    risk.resumeCriterion(principalOf(req), req.params.id, req.body.reason),
  );
  app.post('/api/v1/risk/check', { preHandler: authorize('criteria.check'), schema: { tags, summary: 'Type-check an expression without saving it', body: z.object({ expression: z.string().max(8000), stage: STAGE_ENUM.default('declaration') }), response: { 200: R.checkResult, ...problems } } }, async (req) =>
    risk.check(req.body.expression, req.body.stage as Stage),
  );
  app.post('/api/v1/risk/backtest', { preHandler: authorize('risk.backtest'), schema: { tags, summary: 'Run a draft expression or a criterion over up to a year of history, and answer when done (on worker threads; one backtest per administration at a time: 409 while another runs; cancelled if the client goes away)', body: backtestInput, response: { 200: R.backtestResult, ...problems } } }, async (req, reply) => {
    let job: string | null = null;
    // the client went away before the answer: the backtest is cancelled (its worker stopped)
    reply.raw.once('close', () => {
      if (job && !reply.raw.writableFinished) risk.abandonBacktest(job);
    });
    return risk.backtest(principalOf(req), req.body, (id) => (job = id));
  });
  app.post('/api/v1/risk/backtests', { preHandler: authorize('risk.backtest'), schema: { tags, summary: 'Start a backtest as a job: answers 202 at once with its id; poll GET /api/v1/risk/backtests/{id} for progress and the result, DELETE to cancel (one per administration at a time: 409 while another runs)', body: backtestInput, response: { 202: R.backtestJob, ...problems } } }, async (req, reply) =>
    reply.code(202).send(await risk.startBacktest(principalOf(req), req.body)),
  );
  app.get('/api/v1/risk/backtests/:id', { preHandler: authorize('risk.backtest'), schema: { tags, summary: 'A backtest job: status, progress, and its result once done', params: id, response: { 200: R.backtestJob, ...problems } } }, async (req) =>
    risk.getBacktest(principalOf(req), req.params.id),
  );
  app.delete('/api/v1/risk/backtests/:id', { preHandler: authorize('risk.backtest'), schema: { tags, summary: 'Cancel a running backtest (its worker thread is stopped)', params: id, response: { 200: R.backtestJob, ...problems } } }, async (req) =>
    risk.cancelBacktest(principalOf(req), req.params.id),
  );

  app.get('/api/v1/risk/controls', { preHandler: authorize('controls.queue'), schema: { tags, summary: "The caller's queue (an officer's own controls; a supervisor's administration)", querystring: z.object({ office: z.string().optional(), status: z.enum(['assigned', 'unassigned', 'done', 'cancelled']).optional(), limit: z.coerce.number().int().min(1).max(1000).optional() }), response: { 200: R.controlList, ...problems } } }, async (req) =>
    ({ items: await risk.queue(principalOf(req), req.query) }),
  );
  app.get('/api/v1/risk/controls/:id', { preHandler: authorize('controls.read'), schema: { tags, summary: 'A control, its reasons and result', params: id, response: { 200: R.controlDetail, ...problems } } }, async (req) =>
    risk.getControl(principalOf(req), req.params.id),
  );
  app.post('/api/v1/risk/controls/:id/result', { preHandler: authorize('controls.record'), schema: { tags, summary: 'Record what the control found (the assigned officer or a supervisor)', params: id, body: controlResultInput, response: { 201: R.controlResultView, ...problems } } }, async (req, reply) =>
    reply.code(201).send(await risk.recordResult(principalOf(req), req.params.id, req.body)),
  );
  app.post('/api/v1/risk/controls/:id/reassign', { preHandler: authorize('controls.reassign'), schema: { tags, summary: 'Reassign to another officer on duty, drawn at random (supervisor, with a reason)', params: id, body: reassignInput, response: { 200: R.controlDetail, ...problems } } }, async (req) =>
    risk.reassign(principalOf(req), req.params.id, req.body.reason),
  );
  app.post('/api/v1/risk/assessments/:id/override', { preHandler: authorize('assessments.override'), schema: { tags, summary: "Override a decision's channel (supervisor, with a reason code and words)", params: id, body: overrideInput, response: { 200: R.overrideResult, ...problems } } }, async (req) =>
    risk.override(principalOf(req), req.params.id, req.body),
  );
  app.get('/api/v1/risk/assessments/:id/replay', { preHandler: authorize('assessments.replay'), schema: { tags, summary: 'Recompute a decision from its recorded inputs and compare', params: id, response: { 200: R.replayResult, ...problems } } }, async (req) => {
    const r = await risk.replay(principalOf(req), req.params.id);
    // a decision of an engine this replay does not know has no recomputed draw (NaN): null on the wire
    return { ...r, recomputed: { ...r.recomputed, draw: Number.isNaN(r.recomputed.draw) ? null : r.recomputed.draw } };
  },
  );

  app.get('/api/v1/risk/roster', { preHandler: authorize('roster.read'), schema: { tags, summary: 'Officers on duty now or later', querystring: z.object({ office: z.string().optional(), at: z.iso.datetime({ offset: true }).optional() }), response: { 200: R.dutyList, ...problems } } }, async (req) =>
    ({ items: await risk.roster(principalOf(req), req.query) }),
  );
  app.post('/api/v1/risk/roster', { preHandler: authorize('roster.manage'), schema: { tags, summary: 'Put an officer on duty at an office (waiting controls are then assigned at random)', body: rosterInput, response: { 201: R.dutyAdded, ...problems } } }, async (req, reply) =>
    reply.code(201).send(await risk.addDuty(principalOf(req), req.body)),
  );
  app.delete('/api/v1/risk/roster/:id', { preHandler: authorize('roster.manage'), schema: { tags, summary: 'End a duty now', params: id, response: { 200: R.dutyView, ...problems } } }, async (req) =>
    risk.endDuty(principalOf(req), req.params.id),
  );

  app.get('/api/v1/risk/effectiveness', { preHandler: authorize('risk.effectiveness'), schema: { tags, summary: 'Hit rates, extra revenue and controls per criterion, office, officer and channel; random-control compliance', querystring: periodQuery, response: { 200: R.effectivenessView, ...problems } } }, async (req) =>
    risk.effectiveness(principalOf(req), req.query),
  );
  app.get('/api/v1/risk/marks', { preHandler: authorize('risk.marks'), schema: { tags, summary: 'Consignments marked before arrival', querystring: z.object({ country: z.string().optional(), manifestId: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(1000).optional() }), response: { 200: R.markList, ...problems } } }, async (req) =>
    ({ items: (await risk.listMarks(principalOf(req), req.query)).map(markView) }),
  );
  app.get('/api/v1/risk/config', { preHandler: authorize('riskConfig.read'), schema: { tags, summary: "The administration's selectivity settings", querystring: z.object({ country: z.string().optional() }), response: { 200: R.riskConfigView, ...problems } } }, async (req) =>
    {
      const country = administrationFor(principalOf(req), 'riskConfig.read', req.query.country);
      return risk.getConfig(risk.deps.db, country);
    },
  );
  app.put(
    '/api/v1/risk/config',
    {
      preHandler: authorize('riskConfig.write'),
      schema: {
        tags,
        summary: 'Replace the selectivity settings of your administration (thresholds, random rates, capacity, standing, model weight, review)',
        description:
          'The body is the WHOLE document of your administration\'s overrides of the defaults, plus `reason`: a key left out takes its default ' +
          'again (that is how an override, e.g. an office\'s random rate, is removed). Numbers are checked against their ranges ' +
          '(shares 0..1, scores 0..100, thresholds blue <= medium < high); unknown keys are refused by name. Every change is a new ' +
          'version (who, when, why, the document), listed by GET /api/v1/risk/config/versions and revertible by POST /api/v1/risk/config/revert. ' +
          'Answers the effective settings.',
        body: riskConfigChangeSchema,
        response: { 200: R.riskConfigView, ...problems },
      },
    },
    async (req) => {
      const { reason, ...doc } = req.body;
      return risk.replaceConfig(principalOf(req), principalOf(req).country, doc, reason);
    },
  );
  app.get('/api/v1/risk/config/versions', { preHandler: authorize('riskConfig.history'), schema: { tags, summary: 'Every change of the selectivity settings, newest first (who, when, why, the document)', querystring: z.object({ country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code').optional() }), response: { 200: R.riskConfigVersionList, ...problems } } }, async (req) =>
    ({ items: (await risk.listConfigVersions(principalOf(req), req.query.country ?? principalOf(req).country)).map(configVersionView) }),
  );
  app.post('/api/v1/risk/config/revert', { preHandler: authorize('riskConfig.write'), schema: { tags, summary: 'Put back the settings of an earlier version (recorded as a new version)', body: riskConfigRevertSchema, response: { 200: R.riskConfigView, ...problems } } }, async (req) =>
    risk.revertConfig(principalOf(req), principalOf(req).country, req.body.version, req.body.reason),
  );
  // read views for the web application's screens
  app.get('/api/v1/risk/declarations/:id', { preHandler: authorize('risk.decisions.read'), schema: { tags, summary: "What selectivity did with a declaration: the criteria versions that hit its latest assessment, overrides, its controls and their results (an officer sees only their own controls)", params: id, response: { 200: R.declarationRiskView, ...problems } } }, async (req) =>
    risk.declarationRisk(principalOf(req), req.params.id),
  );
  app.get('/api/v1/risk/traders/:tin', { preHandler: authorize('risk.decisions.read'), schema: { tags, summary: "A trader's standing in the risk engine (controls, hits, seizures) and the latest controls of its declarations with their results", params: z.object({ tin: z.string().regex(/^[A-Za-z0-9-]{3,32}$/, 'must be a tax identification number') }), querystring: z.object({ country: z.string().optional(), limit: z.coerce.number().int().min(1).max(200).optional() }), response: { 200: R.traderRiskView, ...problems } } }, async (req) =>
    risk.traderRisk(principalOf(req), req.params.tin, req.query),
  );
  void STAGES;
  return risk;
}

/** A consignment mark as answered: its jsonb lists are what targetManifests wrote (string arrays). */
function markView(m: { id: string; country: string; manifestId: string; manifestReference: string; manifestVersion: number; transportDocument: string; action: string; channel: string; reasons: unknown; versionIds: unknown; createdAt: Date; declarationId: string | null }): z.output<typeof R.markView> {
  return { ...m, action: m.action as z.output<typeof R.markView>['action'], channel: m.channel as z.output<typeof R.markView>['channel'], reasons: m.reasons as string[], versionIds: m.versionIds as string[], createdAt: m.createdAt.toISOString() };
}

function configVersionView(v: { country: string; version: number; settings: unknown; actor: string; reason: string; revertedFrom: number | null; createdAt: Date }): z.output<typeof R.riskConfigVersionView> {
  const settings = v.settings && typeof v.settings === 'object' && !Array.isArray(v.settings) ? (v.settings as Record<string, unknown>) : {};
  return { ...v, settings, createdAt: v.createdAt.toISOString() };
}
