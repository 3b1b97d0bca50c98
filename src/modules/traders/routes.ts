/** Traders under /api/v1/traders: who a trader is, its history as of a date, its AEO status here and in partners. */
import { z } from 'zod';
import type { App, AppDeps } from '../../server/deps.ts';
import { problems } from '../../core/problem.ts';
import { ADMINISTRATIONS } from '../../reference/types.ts';
import { authorize, principalOf } from '../access/auth.ts';
import { administrationFor } from '../access/policy.ts';
import { AEO_STATUSES, aeoStatusInput } from './aeo.ts';
import * as R from './responses.ts';
import type { TradersService } from './service.ts';
import type { TraderHistory } from './history.ts';

const tags = ['traders'];
const administration = z.enum(ADMINISTRATIONS);
const tin = z.string().regex(/^[A-Za-z0-9-]{3,32}$/, 'must be a tax identification number');
const at = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone' });

const history = (h: TraderHistory) => ({ declarations: h.declarations, controls: h.controls, hits: h.hits, seizures: h.seizures, firstSeen: Number.isNaN(h.firstSeen) ? null : new Date(h.firstSeen).toISOString() });

export async function tradersRoutes(app: App, deps: AppDeps & { traders: TradersService }): Promise<void> {
  const svc = deps.traders;

  app.get(
    '/api/v1/traders/:tin',
    {
      preHandler: authorize('traders.read'),
      schema: {
        tags,
        summary: "Who the trader is in the administration (the name and capacities it last declared under) and its history as of a date (default now): declarations, controls by their date, hits and seizures by the date recorded",
        params: z.object({ tin }),
        querystring: z.object({ country: administration.optional(), at: at.optional().describe('the history as of this instant (events strictly before it)') }),
        response: { 200: R.traderProfileView, ...problems },
      },
    },
    async (req) => {
      const country = administrationFor(principalOf(req), 'traders.read', req.query.country);
      const asOf = req.query.at ? new Date(req.query.at) : deps.clock.now();
      const [who, h] = await Promise.all([svc.identity(country, req.params.tin), svc.historyAsOf(country, req.params.tin, asOf)]);
      return { ...who, asOf: asOf.toISOString(), history: { asTrader: history(h.importer), asDeclarant: history(h.declarant) } };
    },
  );

  app.get(
    '/api/v1/traders/:tin/aeo',
    {
      preHandler: authorize('traders.read'),
      schema: {
        tags,
        summary: "The trader's AEO status in the administration and as partner administrations certified it (received through the regional exchange), with the latest changes",
        params: z.object({ tin }),
        querystring: z.object({ country: administration.optional(), at: at.optional().describe('read the statuses at this instant (default now)') }),
        response: { 200: R.traderAeoView, ...problems },
      },
    },
    async (req) => {
      const p = principalOf(req);
      return svc.aeo(p, administrationFor(p, 'traders.read', req.query.country), req.params.tin, { at: req.query.at });
    },
  );

  app.put(
    '/api/v1/traders/:tin/aeo/:country',
    {
      preHandler: authorize('traders.aeo.write'),
      schema: {
        tags,
        summary: "Certify, suspend or revoke the trader's AEO status in your administration: written to the audit log and queued as `aeo.status` to the partner administrations in the same transaction",
        params: z.object({ tin, country: administration }),
        body: aeoStatusInput,
        response: { 200: R.aeoSetView, ...problems },
      },
    },
    async (req) => svc.setAeo(principalOf(req), req.params.country, req.params.tin, req.body),
  );

  app.get(
    '/api/v1/traders/aeo/register',
    {
      preHandler: authorize('traders.read'),
      schema: {
        tags,
        summary: 'The AEO register the administration holds: its own certifications and those partners sent (filter by certifying administration and status)',
        querystring: z.object({
          country: administration.optional(),
          administration: administration.optional().describe('the certifying administration'),
          status: z.enum(AEO_STATUSES).optional(),
          limit: z.coerce.number().int().min(1).max(1000).optional(),
        }),
        response: { 200: R.registerView, ...problems },
      },
    },
    async (req) => {
      const p = principalOf(req);
      return svc.register(p, administrationFor(p, 'traders.read', req.query.country), req.query);
    },
  );
}
