/**
 * Post-clearance audit under /api/v1/pca: sensitive goods, auditors and conflicts of interest,
 * monthly plans (PDF, CSV), cases (workspace, report PDF), the tax administration's returns and
 * mismatches, a trader's audits, effectiveness. Thin handlers: the service decides.
 */
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { problems } from '../../core/problem.ts';
import type { App } from '../../server/deps.ts';
import { authorize, principalOf } from '../access/auth.ts';
import { administrationFor } from '../access/policy.ts';
import * as R from './responses.ts';
import * as S from './schema.ts';
import type { PcaService } from './service.ts';

const tags = ['pca'];
const id = z.object({ id: z.string().uuid('must be an id') });
const countryQuery = z.object({ country: S.administration.optional() });
const binary = z.any().describe('the file (application/pdf or text/csv)');

export async function pcaRoutes(app: App, deps: { pca: PcaService }): Promise<void> {
  const pca = deps.pca;
  if (!app.hasContentTypeParser('text/csv')) {
    app.addContentTypeParser(['application/x-ndjson', 'application/jsonl', 'application/x-jsonlines', 'text/csv'], { parseAs: 'string', bodyLimit: 256 * 1024 * 1024 }, (_req, body, done) => done(null, body));
  }

  // ---------------------------------------------------------------- sensitive goods
  app.get('/api/v1/pca/sensitive-goods', { preHandler: authorize('pca.read'), schema: { tags, summary: 'The sensitive goods list of the administration: every entry with its reason, validity and four-eyes state', querystring: countryQuery, response: { 200: R.sensitiveList, ...problems } } }, async (req) => ({
    items: await pca.listSensitive(principalOf(req), administrationFor(principalOf(req), 'pca.read', req.query.country)),
  }));
  app.post('/api/v1/pca/sensitive-goods', { preHandler: authorize('pca.sensitive.write'), schema: { tags, summary: 'Propose an HS heading or subheading for the sensitive goods list (a second person approves it)', body: S.sensitiveBody, response: { 201: R.sensitiveView, ...problems } } }, async (req, reply) => {
    const p = principalOf(req);
    const country = administrationFor(p, 'pca.sensitive.write', req.body.country);
    return reply.code(201).send(await pca.proposeSensitive(p, { ...req.body, country }));
  });
  app.post('/api/v1/pca/sensitive-goods/:id/decision', { preHandler: authorize('pca.sensitive.approve'), schema: { tags, summary: 'Approve or reject a proposed entry or withdrawal (four eyes: not its author)', params: id, body: S.decisionBody, response: { 200: R.sensitiveView, ...problems } } }, async (req) =>
    pca.decideSensitive(principalOf(req), req.params.id, req.body),
  );
  app.post('/api/v1/pca/sensitive-goods/:id/withdraw', { preHandler: authorize('pca.sensitive.write'), schema: { tags, summary: 'Ask to withdraw an active entry (a second person decides)', params: id, body: S.reasonBody, response: { 200: R.sensitiveView, ...problems } } }, async (req) =>
    pca.requestWithdrawal(principalOf(req), req.params.id, req.body.reason),
  );

  // ---------------------------------------------------------------- auditors and conflicts of interest
  app.get('/api/v1/pca/auditors', { preHandler: authorize('pca.read'), schema: { tags, summary: "The auditors' roster with monthly hours (the plan's capacity)", querystring: countryQuery, response: { 200: R.auditorList, ...problems } } }, async (req) => ({
    items: await pca.listAuditors(principalOf(req), administrationFor(principalOf(req), 'pca.read', req.query.country)),
  }));
  app.put('/api/v1/pca/auditors', { preHandler: authorize('pca.auditors.manage'), schema: { tags, summary: 'Put an auditor (a user with the role auditor) on the roster or change their hours', body: S.auditorBody, response: { 200: R.auditorView, ...problems } } }, async (req) => {
    const p = principalOf(req);
    return pca.setAuditor(p, { ...req.body, country: administrationFor(p, 'pca.auditors.manage', req.body.country) });
  });
  app.get('/api/v1/pca/conflicts', { preHandler: authorize('pca.read'), schema: { tags, summary: 'Declared conflicts of interest between auditors and traders', querystring: countryQuery.extend({ tin: S.tin.optional() }), response: { 200: R.conflictList, ...problems } } }, async (req) => ({
    items: await pca.listConflicts(principalOf(req), administrationFor(principalOf(req), 'pca.read', req.query.country), req.query.tin),
  }));
  app.post('/api/v1/pca/conflicts', { preHandler: authorize('pca.conflicts.declare'), schema: { tags, summary: 'Declare a conflict of interest (an auditor their own): the auditor is never drawn for that trader', body: S.conflictBody, response: { 201: R.conflictView, ...problems } } }, async (req, reply) => {
    const p = principalOf(req);
    return reply.code(201).send(await pca.declareConflict(p, { ...req.body, country: administrationFor(p, 'pca.conflicts.declare', req.body.country) }));
  });
  app.post('/api/v1/pca/conflicts/:id/end', { preHandler: authorize('pca.conflicts.declare'), schema: { tags, summary: 'End a declared conflict of interest, with the reason', params: id, body: S.reasonBody, response: { 200: R.conflictView, ...problems } } }, async (req) =>
    pca.endConflict(principalOf(req), req.params.id, req.body.reason),
  );

  // ---------------------------------------------------------------- plans
  app.get('/api/v1/pca/plans', { preHandler: authorize('pca.read'), schema: { tags, summary: 'Audit plans of the administration, newest month first', querystring: countryQuery, response: { 200: R.planList, ...problems } } }, async (req) => ({
    items: await pca.listPlans(principalOf(req), administrationFor(principalOf(req), 'pca.read', req.query.country)),
  }));
  app.post('/api/v1/pca/plans', { preHandler: authorize('pca.plan.write'), schema: { tags, summary: "Prepare the month's plan: proposals ranked by expected revenue at stake under the auditors' capacity, a random share drawn and recorded", body: S.planBody, response: { 201: R.planDetail, ...problems } } }, async (req, reply) => {
    const p = principalOf(req);
    return reply.code(201).send(await pca.createPlan(p, { ...req.body, country: administrationFor(p, 'pca.plan.write', req.body.country) }));
  });
  app.get('/api/v1/pca/plans/:id', { preHandler: authorize('pca.read'), schema: { tags, summary: 'A plan with its ranked proposals, reasons and the capacity line', params: id, response: { 200: R.planDetail, ...problems } } }, async (req) => pca.getPlan(principalOf(req), req.params.id));
  app.post('/api/v1/pca/plans/:id/decision', { preHandler: authorize('pca.plan.approve'), schema: { tags, summary: 'Approve or reject a plan (four eyes: not who prepared it)', params: id, body: S.decisionBody, response: { 200: R.planDetail, ...problems } } }, async (req) =>
    pca.decidePlan(principalOf(req), req.params.id, req.body),
  );
  app.get('/api/v1/pca/plans/:id/plan.pdf', { preHandler: authorize('pca.read'), schema: { tags, summary: 'The plan as PDF', params: id, produces: ['application/pdf'], response: { 200: binary, ...problems } } }, async (req, reply) => {
    const f = await pca.planPdf(principalOf(req), req.params.id);
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="${f.filename}"`).send(f.body);
  });
  app.get('/api/v1/pca/plans/:id/plan.csv', { preHandler: authorize('pca.read'), schema: { tags, summary: 'The plan as CSV', params: id, produces: ['text/csv'], response: { 200: binary, ...problems } } }, async (req, reply) => {
    const f = await pca.planCsv(principalOf(req), req.params.id);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${f.filename}"`).send(f.body);
  });

  // ---------------------------------------------------------------- cases
  app.get('/api/v1/pca/cases', { preHandler: authorize('pca.cases.read'), schema: { tags, summary: 'Audit cases (a tax participant: those shared with them)', querystring: countryQuery.extend({ status: z.enum(['open', 'closed']).optional() }), response: { 200: R.caseList, ...problems } } }, async (req) => ({
    items: await pca.listCases(principalOf(req), administrationFor(principalOf(req), 'pca.cases.read', req.query.country), { status: req.query.status }),
  }));
  app.post('/api/v1/pca/cases', { preHandler: authorize('pca.cases.open'), schema: { tags, summary: 'Open a case from a proposal of an approved plan (or for a trader and period): the auditor is drawn at random among those without a conflict of interest', body: S.openCaseBody, response: { 201: R.caseView, ...problems } } }, async (req, reply) => {
    const p = principalOf(req);
    const body = req.body.planItemId ? req.body : { ...req.body, country: administrationFor(p, 'pca.cases.open', req.body.country) };
    return reply.code(201).send(await pca.openCase(p, body));
  });
  app.get('/api/v1/pca/cases/:id', { preHandler: authorize('pca.cases.read'), schema: { tags, summary: 'The case workspace: scope, timeline, document requests, findings, totals', params: id, response: { 200: R.caseDetail, ...problems } } }, async (req) => pca.getCase(principalOf(req), req.params.id));
  app.get('/api/v1/pca/cases/:id/report.pdf', { preHandler: authorize('pca.cases.read'), schema: { tags, summary: 'The case report as PDF (findings, amounts, legal basis)', params: id, produces: ['application/pdf'], response: { 200: binary, ...problems } } }, async (req, reply) => {
    const f = await pca.caseReport(principalOf(req), req.params.id);
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="${f.filename}"`).send(f.body);
  });
  app.post('/api/v1/pca/cases/:id/document-requests', { preHandler: authorize('pca.cases.work'), schema: { tags, summary: 'Request documents from the trader, with a due date', params: id, body: S.documentRequestBody, response: { 201: R.documentRequestView, ...problems } } }, async (req, reply) =>
    reply.code(201).send(await pca.requestDocuments(principalOf(req), req.params.id, req.body)),
  );
  app.post('/api/v1/pca/cases/:id/document-requests/:requestId/received', { preHandler: authorize('pca.cases.work'), schema: { tags, summary: 'Record that requested documents arrived', params: id.extend({ requestId: z.string().uuid('must be an id') }), body: S.receiveBody, response: { 200: R.documentRequestView, ...problems } } }, async (req) =>
    pca.receiveDocuments(principalOf(req), req.params.id, req.params.requestId, req.body.note),
  );
  app.post('/api/v1/pca/cases/:id/findings', { preHandler: authorize('pca.cases.work'), schema: { tags, summary: 'Record a finding on a declaration line in scope: what, declared and established, duties, taxes and penalties, legal basis', params: id, body: S.findingBody, response: { 201: R.findingView, ...problems } } }, async (req, reply) =>
    reply.code(201).send(await pca.addFinding(principalOf(req), req.params.id, req.body)),
  );
  app.post('/api/v1/pca/cases/:id/hours', { preHandler: authorize('pca.cases.work'), schema: { tags, summary: 'Log audit hours spent on the case', params: id, body: S.hoursBody, response: { 200: R.caseView, ...problems } } }, async (req) =>
    pca.logHours(principalOf(req), req.params.id, req.body.hours, req.body.note),
  );
  app.post('/api/v1/pca/cases/:id/close', { preHandler: authorize('pca.cases.work'), schema: { tags, summary: 'Close the case with its outcome: findings then become labels for the model and part of the trader\'s record', params: id, body: S.closeBody, response: { 200: R.caseView, ...problems } } }, async (req) =>
    pca.closeCase(principalOf(req), req.params.id, req.body),
  );
  app.post('/api/v1/pca/cases/:id/share', { preHandler: authorize('pca.cases.share'), schema: { tags, summary: 'Share the case with a participant of the tax administration (read access to this case only)', params: id, body: S.shareBody, response: { 200: R.caseView, ...problems } } }, async (req) =>
    pca.shareCase(principalOf(req), req.params.id, req.body.userId),
  );

  // ---------------------------------------------------------------- feedback
  app.get('/api/v1/pca/traders/:tin', { preHandler: authorize('pca.read'), schema: { tags, summary: "A trader's post-clearance audit record: audits, findings, amounts assessed", params: z.object({ tin: S.tin }), querystring: countryQuery, response: { 200: R.traderAuditsView, ...problems } } }, async (req) =>
    pca.traderAudits(principalOf(req), administrationFor(principalOf(req), 'pca.read', req.query.country), req.params.tin),
  );
  app.get('/api/v1/pca/effectiveness', { preHandler: authorize('pca.effectiveness'), schema: { tags, summary: 'Recovery per audit hour by source of selection, and releases later found non-compliant by channel (cases closed in the window; default the last 365 days)', querystring: countryQuery.extend({ from: z.string().datetime({ offset: true }).optional(), to: z.string().datetime({ offset: true }).optional() }), response: { 200: R.effectivenessView, ...problems } } }, async (req) =>
    pca.effectiveness(principalOf(req), administrationFor(principalOf(req), 'pca.effectiveness', req.query.country), req.query),
  );

  // ---------------------------------------------------------------- the tax administration
  app.post('/api/v1/pca/tax-returns/import', { preHandler: authorize('pca.tax.import'), schema: { tags, summary: 'Periodic tax returns as CSV (text/csv) or JSON Lines (application/x-ndjson): tin, period, declaredImports, purchases, sales, currency; a report names each rejected record\'s fields', response: { 200: R.taxImportView, ...problems } } }, async (req) => {
    const ct = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const format = ct === 'text/csv' ? 'csv' : ['application/x-ndjson', 'application/jsonl', 'application/x-jsonlines'].includes(ct) ? 'jsonl' : null;
    if (!format) throw new AppError(415, 'unsupported-media-type', 'Unsupported media type', `content-type "${ct}" is not an import format: send application/x-ndjson (JSON Lines) or text/csv`, [{ path: 'content-type', code: 'unsupported_media_type', message: 'send application/x-ndjson (JSON Lines) or text/csv' }]);
    return pca.importTaxReturns(principalOf(req), { format, text: String(req.body ?? '') });
  });
  app.post('/api/v1/pca/tax-mismatches/detect', { preHandler: authorize('pca.tax.detect'), schema: { tags, summary: 'Compare imports declared to customs with tax returns per trader and month (value, time shift, missing return, sales)', body: S.detectBody, response: { 200: R.detectView, ...problems } } }, async (req) => {
    const p = principalOf(req);
    return pca.detectTaxMismatches(p, administrationFor(p, 'pca.tax.detect', req.body.country), req.body.from, req.body.to);
  });
  app.get('/api/v1/pca/tax-mismatches', { preHandler: authorize('pca.tax.read'), schema: { tags, summary: 'Mismatches between customs and tax with their evidence', querystring: countryQuery.extend({ period: S.month.optional(), tin: S.tin.optional(), limit: z.coerce.number().int().min(1).max(5000).optional() }), response: { 200: R.mismatchList, ...problems } } }, async (req) => ({
    items: await pca.listMismatches(principalOf(req), administrationFor(principalOf(req), 'pca.tax.read', req.query.country), req.query),
  }));
}
