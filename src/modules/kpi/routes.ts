/** Indicators under /api/v1/kpi: the dashboard's figures, a trader's record, channel targets. */
import { z } from 'zod';
import type { App, AppDeps } from '../../server/deps.ts';
import { authorize, principalOf } from '../access/auth.ts';
import { administrationFor, requireAdministration, type Action } from '../access/policy.ts';
import type { Principal } from '../access/types.ts';
import { ADMINISTRATIONS } from '../../reference/types.ts';
import { KpiService } from './service.ts';
import { declarationFacts } from '../declarations/reads.ts';
import { controlFacts } from '../risk/reads.ts';
import { tradersOn } from '../traders/service.ts';
import * as R from './responses.ts';
import { problems } from '../../core/problem.ts';

const tags = ['kpi'];
const administration = z.enum(ADMINISTRATIONS);
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(s)), 'is not a date');
const period = { from: date.optional().describe('first local day (YYYY-MM-DD), included'), to: date.optional().describe('last local day (YYYY-MM-DD), included; default today') };
const share = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');
/** The administration asked for: one's own, or any where the policy gives the action a regional reach. */
function countryOf(p: Principal, asked: string | undefined, action: Action = 'kpi.read'): string {
  return administrationFor(p, action, asked);
}

export async function kpiRoutes(app: App, deps: AppDeps, service?: KpiService): Promise<void> {
  // the server hands the service built by the composition root; routes assembled by hand in tests build one
  service ??= new KpiService({ ...deps, traders: tradersOn(deps, { declarations: declarationFacts, controls: controlFacts }) });
  app.get(
    '/api/v1/kpi/overview',
    {
      preHandler: authorize('kpi.read'),
      schema: {
        tags,
        summary: "Declarations per local day and per office with their current channel, and the channel targets: your administration's (any, for a regional analyst)",
        querystring: z.object({ country: administration.optional(), office: z.string().optional(), ...period }),
        response: { 200: R.overviewView, ...problems },
      },
    },
    async (req) => service.overview(countryOf(principalOf(req), req.query.country), req.query),
  );

  app.get(
    '/api/v1/kpi/alerts',
    {
      preHandler: authorize('kpi.alerts'),
      schema: {
        tags,
        summary: 'Open transit alerts concerning the administration, by kind and by severity',
        querystring: z.object({ country: administration.optional() }),
        response: { 200: R.alertSummaryView, ...problems },
      },
    },
    async (req) => service.alerts(countryOf(principalOf(req), req.query.country, 'kpi.alerts')),
  );

  app.get(
    '/api/v1/kpi/traders/:tin',
    {
      preHandler: authorize('kpi.traders'),
      schema: {
        tags,
        summary: "A trader's record in the administration: declarations by channel over a period (default the last 90 days) and since the first, per day and per office",
        params: z.object({ tin: z.string().regex(/^[A-Za-z0-9-]{3,32}$/, 'must be a tax identification number') }),
        querystring: z.object({ country: administration.optional(), ...period }),
        response: { 200: R.traderView, ...problems },
      },
    },
    async (req) => service.trader(countryOf(principalOf(req), req.query.country, 'kpi.traders'), req.params.tin, req.query),
  );

  app.get(
    '/api/v1/kpi/controls',
    {
      preHandler: authorize('kpi.read'),
      schema: {
        tags,
        summary: 'Controls with a recorded result, of declarations lodged over a period (default the last 30 days): hit rate and extra revenue per day, channel and office; random-control compliance with its 95 % interval; hours from lodgement to release by channel',
        querystring: z.object({ country: administration.optional(), office: z.string().optional(), ...period }),
        response: { 200: R.controlsView, ...problems },
      },
    },
    async (req) => service.controls(countryOf(principalOf(req), req.query.country), req.query),
  );

  app.get(
    '/api/v1/kpi/targets',
    {
      preHandler: authorize('kpi.read'),
      schema: { tags, summary: 'Expected red and yellow shares: the administration default and per office', querystring: z.object({ country: administration.optional() }), response: { 200: R.allTargetsView, ...problems } },
    },
    async (req) => service.targets(countryOf(principalOf(req), req.query.country)),
  );

  app.put(
    '/api/v1/kpi/targets/:country',
    {
      preHandler: authorize('kpi.targets.write'),
      schema: {
        tags,
        summary: "Set the expected red and yellow shares of your administration, or of one of its offices (written to the audit log)",
        params: z.object({ country: administration }),
        body: z.object({ office: z.string().nullable().optional().describe('an office (UN/LOCODE); absent for the administration default'), red: share, yellow: share }),
        response: { 200: R.allTargetsView, ...problems },
      },
    },
    async (req) => {
      const p = principalOf(req);
      requireAdministration(p, 'kpi.targets.write', req.params.country);
      return service.setTargets(p, req.params.country, req.body);
    },
  );
}
