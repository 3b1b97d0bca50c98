import { z } from 'zod';
import type { App, AppDeps } from '../../server/deps.ts';
import { principalOf, requireCountry, requireRole } from '../access/auth.ts';
import type { IntakeService } from '../declarations/service.ts';
import { STAGES, type Stage } from './cel.ts';
import { backtestInput, controlResultInput, criterionEdit, criterionInput, overrideInput, periodQuery, reassignInput, rosterInput, STAGE_ENUM } from './schema.ts';
import * as R from './responses.ts';
import { RiskService } from './service.ts';

const ANALYSTS = ['risk_analyst', 'admin'] as const;
const DECIDERS = ['supervisor', 'risk_analyst', 'admin'] as const;
const READ_CRITERIA = ['risk_analyst', 'supervisor', 'manager', 'auditor', 'admin', 'regional_analyst'] as const;
const id = z.object({ id: z.uuid({ message: 'must be a UUID' }) });
const any = z.any();

/**
 * The risk API under /api/v1/risk: criteria (analysts write and submit, a second person
 * approves), checks and backtests, controls (officers record results, supervisors reassign and
 * override), the duty roster, effectiveness (managers), replay. Plugs the risk assessor into
 * intake when given one.
 */
export async function riskRoutes(app: App, deps: AppDeps & { intake?: IntakeService; risk?: RiskService }): Promise<RiskService> {
  const risk = deps.risk ?? new RiskService(deps);
  if (deps.intake) deps.intake.setAssessor(risk.assessor());
  const tags = ['risk'];

  app.get('/api/v1/risk/criteria', { preHandler: requireRole(...READ_CRITERIA), schema: { tags, summary: 'List risk criteria', querystring: z.object({ country: z.string().optional(), status: z.string().optional() }), response: { 200: R.criterionList } } }, async (req) =>
    ({ items: await risk.listCriteria(principalOf(req), req.query) }),
  );
  app.get('/api/v1/risk/criteria/:id', { preHandler: requireRole(...READ_CRITERIA), schema: { tags, summary: 'A criterion with all its versions', params: id, response: { 200: R.criterionView } } }, async (req) =>
    risk.getCriterion(principalOf(req), req.params.id),
  );
  app.post('/api/v1/risk/criteria', { preHandler: requireRole(...ANALYSTS), schema: { tags, summary: 'Write a criterion (a draft; the expression is type-checked)', body: criterionInput, response: { 201: R.criterionView } } }, async (req, reply) =>
    reply.code(201).send(await risk.createCriterion(principalOf(req), req.body)),
  );
  app.patch('/api/v1/risk/criteria/:id', { preHandler: requireRole(...ANALYSTS), schema: { tags, summary: 'Edit a criterion: makes a new version (the active one keeps running until the new one is approved)', params: id, body: criterionEdit, response: { 200: R.criterionView } } }, async (req) =>
    risk.editCriterion(principalOf(req), req.params.id, req.body),
  );
  app.post('/api/v1/risk/criteria/:id/submit', { preHandler: requireRole(...ANALYSTS), schema: { tags, summary: 'Submit the draft version for approval', params: id, response: { 200: R.criterionView } } }, async (req) =>
    risk.submitCriterion(principalOf(req), req.params.id),
  );
  app.post('/api/v1/risk/criteria/:id/approve', { preHandler: requireRole(...DECIDERS), schema: { tags, summary: 'Approve the version awaiting approval (four eyes: never its author)', params: id, body: z.object({ note: z.string().max(2000).optional() }).optional(), response: { 200: R.criterionView } } }, async (req) =>
    risk.approveCriterion(principalOf(req), req.params.id, req.body?.note),
  );
  app.post('/api/v1/risk/criteria/:id/reject', { preHandler: requireRole(...DECIDERS), schema: { tags, summary: 'Reject the version awaiting approval', params: id, body: z.object({ note: z.string().trim().min(5).max(2000) }), response: { 200: R.criterionView } } }, async (req) =>
    risk.rejectCriterion(principalOf(req), req.params.id, req.body.note),
  );
  app.post('/api/v1/risk/criteria/:id/suspend', { preHandler: requireRole(...DECIDERS), schema: { tags, summary: 'Suspend a running criterion', params: id, body: z.object({ reason: z.string().trim().min(5).max(2000) }), response: { 200: R.criterionView } } }, async (req) =>
    risk.suspendCriterion(principalOf(req), req.params.id, req.body.reason),
  );
  app.post('/api/v1/risk/criteria/:id/resume', { preHandler: requireRole(...DECIDERS), schema: { tags, summary: 'Resume a suspended criterion (not by who suspended it)', params: id, body: z.object({ reason: z.string().trim().min(5).max(2000) }), response: { 200: R.criterionView } } }, async (req) =>
    risk.resumeCriterion(principalOf(req), req.params.id, req.body.reason),
  );
  app.post('/api/v1/risk/check', { preHandler: requireRole(...ANALYSTS, 'supervisor'), schema: { tags, summary: 'Type-check an expression without saving it', body: z.object({ expression: z.string().max(8000), stage: STAGE_ENUM.default('declaration') }), response: { 200: R.checkResult } } }, async (req) =>
    risk.check(req.body.expression, req.body.stage as Stage),
  );
  app.post('/api/v1/risk/backtest', { preHandler: requireRole('risk_analyst', 'supervisor', 'manager', 'admin'), schema: { tags, summary: 'Run a draft expression or a criterion over up to a year of history', body: backtestInput, response: { 200: R.backtestResult } } }, async (req) =>
    risk.backtest(principalOf(req), req.body),
  );

  app.get('/api/v1/risk/controls', { preHandler: requireRole('officer', 'supervisor'), schema: { tags, summary: "The caller's queue (an officer's own controls; a supervisor's administration)", querystring: z.object({ office: z.string().optional(), status: z.enum(['assigned', 'unassigned', 'done', 'cancelled']).optional(), limit: z.coerce.number().int().min(1).max(1000).optional() }), response: { 200: R.controlList } } }, async (req) =>
    ({ items: await risk.queue(principalOf(req), req.query) }),
  );
  app.get('/api/v1/risk/controls/:id', { preHandler: requireRole('officer', 'supervisor', 'manager', 'auditor', 'risk_analyst'), schema: { tags, summary: 'A control, its reasons and result', params: id, response: { 200: R.controlDetail } } }, async (req) =>
    risk.getControl(principalOf(req), req.params.id),
  );
  app.post('/api/v1/risk/controls/:id/result', { preHandler: requireRole('officer', 'supervisor'), schema: { tags, summary: 'Record what the control found (the assigned officer or a supervisor)', params: id, body: controlResultInput, response: { 201: R.controlResultView } } }, async (req, reply) =>
    reply.code(201).send(await risk.recordResult(principalOf(req), req.params.id, req.body)),
  );
  app.post('/api/v1/risk/controls/:id/reassign', { preHandler: requireRole('supervisor'), schema: { tags, summary: 'Reassign to another officer on duty, drawn at random (supervisor, with a reason)', params: id, body: reassignInput, response: { 200: R.controlDetail } } }, async (req) =>
    risk.reassign(principalOf(req), req.params.id, req.body.reason),
  );
  app.post('/api/v1/risk/assessments/:id/override', { preHandler: requireRole('supervisor'), schema: { tags, summary: "Override a decision's channel (supervisor, with a reason code and words)", params: id, body: overrideInput, response: { 200: R.overrideResult } } }, async (req) =>
    risk.override(principalOf(req), req.params.id, req.body),
  );
  app.get('/api/v1/risk/assessments/:id/replay', { preHandler: requireRole('supervisor', 'risk_analyst', 'auditor', 'manager', 'admin'), schema: { tags, summary: 'Recompute a decision from its recorded inputs and compare', params: id, response: { 200: any } } }, async (req) =>
    risk.replay(principalOf(req), req.params.id),
  );

  app.get('/api/v1/risk/roster', { preHandler: requireRole('supervisor', 'officer', 'manager', 'admin'), schema: { tags, summary: 'Officers on duty now or later', querystring: z.object({ office: z.string().optional(), at: z.iso.datetime({ offset: true }).optional() }), response: { 200: any } } }, async (req) =>
    ({ items: await risk.roster(principalOf(req), req.query) }),
  );
  app.post('/api/v1/risk/roster', { preHandler: requireRole('supervisor', 'admin'), schema: { tags, summary: 'Put an officer on duty at an office (waiting controls are then assigned at random)', body: rosterInput, response: { 201: any } } }, async (req, reply) =>
    reply.code(201).send(await risk.addDuty(principalOf(req), req.body)),
  );
  app.delete('/api/v1/risk/roster/:id', { preHandler: requireRole('supervisor', 'admin'), schema: { tags, summary: 'End a duty now', params: id, response: { 200: any } } }, async (req) =>
    risk.endDuty(principalOf(req), req.params.id),
  );

  app.get('/api/v1/risk/effectiveness', { preHandler: requireRole('manager', 'supervisor', 'risk_analyst', 'auditor', 'admin'), schema: { tags, summary: 'Hit rates, extra revenue and controls per criterion, office, officer and channel; random-control compliance', querystring: periodQuery, response: { 200: R.effectivenessView } } }, async (req) =>
    risk.effectiveness(principalOf(req), req.query),
  );
  app.get('/api/v1/risk/marks', { preHandler: requireRole('risk_analyst', 'supervisor', 'officer', 'admin'), schema: { tags, summary: 'Consignments marked before arrival', querystring: z.object({ country: z.string().optional(), manifestId: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(1000).optional() }), response: { 200: any } } }, async (req) =>
    ({ items: await risk.listMarks(principalOf(req), req.query) }),
  );
  app.get('/api/v1/risk/config', { preHandler: requireRole('risk_analyst', 'supervisor', 'manager', 'admin'), schema: { tags, summary: "The administration's selectivity settings", querystring: z.object({ country: z.string().optional() }), response: { 200: any } } }, async (req) =>
    {
      const country = req.query.country ?? principalOf(req).country;
      requireCountry(principalOf(req), country);
      return risk.getConfig(risk.deps.db, country);
    },
  );
  app.put('/api/v1/risk/config', { preHandler: requireRole('supervisor', 'admin'), schema: { tags, summary: 'Change selectivity settings (thresholds, random rates, capacity, review)', body: z.record(z.string(), z.any()), response: { 200: any } } }, async (req) =>
    risk.setConfig(principalOf(req), principalOf(req).country, req.body),
  );
  // read views for the web application's screens
  const READ_DECLARATIONS = ['admin', 'risk_analyst', 'officer', 'supervisor', 'auditor', 'manager', 'regional_analyst'] as const;
  app.get('/api/v1/risk/declarations/:id', { preHandler: requireRole(...READ_DECLARATIONS), schema: { tags, summary: "What selectivity did with a declaration: the criteria versions that hit its latest assessment, overrides, its controls and their results (an officer sees only their own controls)", params: id, response: { 200: any } } }, async (req) =>
    risk.declarationRisk(principalOf(req), req.params.id),
  );
  app.get('/api/v1/risk/traders/:tin', { preHandler: requireRole(...READ_DECLARATIONS), schema: { tags, summary: "A trader's standing in the risk engine (controls, hits, seizures) and the latest controls of its declarations with their results", params: z.object({ tin: z.string().regex(/^[A-Za-z0-9-]{3,32}$/, 'must be a tax identification number') }), querystring: z.object({ country: z.string().optional(), limit: z.coerce.number().int().min(1).max(200).optional() }), response: { 200: any } } }, async (req) =>
    risk.traderRisk(principalOf(req), req.params.tin, req.query),
  );
  void STAGES;
  return risk;
}
