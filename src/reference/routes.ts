import { z } from 'zod';
import { NotFoundError } from '../core/errors.ts';
import { authorize } from '../modules/access/auth.ts';
import type { App, AppDeps } from '../server/deps.ts';
import { ADMINISTRATIONS } from './types.ts';
import * as R from './responses.ts';
import { problems } from '../core/problem.ts';

/** Read-only reference data: customs offices, HS 2022, countries, currencies. */
export async function referenceRoutes(app: App, { ref }: AppDeps) {
  app.get(
    '/api/v1/reference/offices',
    {
      preHandler: authorize('reference.read'),
      schema: { tags: ['reference'], summary: 'Customs offices of the administrations, named by UN/LOCODE', querystring: z.object({ country: z.enum(ADMINISTRATIONS).optional() }), response: { 200: R.officeList, ...problems } },
    },
    async (req) => ({ items: ref.offices(req.query.country) }),
  );
  app.get(
    '/api/v1/reference/hs/:code',
    {
      preHandler: authorize('reference.read'),
      schema: { tags: ['reference'], summary: 'An HS 2022 chapter, heading or subheading', params: z.object({ code: z.string().regex(/^\d{2}(\d{2}){0,2}$/, 'must be 2, 4 or 6 digits') }), response: { 200: R.hsEntryView, ...problems } },
    },
    async (req) => {
      const e = ref.hs(req.params.code);
      if (!e) throw new NotFoundError(`HS 2022 code ${req.params.code}`);
      return e;
    },
  );
  app.get(
    '/api/v1/reference/countries/:code',
    { preHandler: authorize('reference.read'), schema: { tags: ['reference'], summary: 'A country (ISO 3166-1 alpha-2)', params: z.object({ code: z.string().regex(/^[A-Z]{2}$/) }), response: { 200: R.countryView, ...problems } } },
    async (req) => {
      const c = ref.country(req.params.code);
      if (!c) throw new NotFoundError(`country ${req.params.code}`);
      return c;
    },
  );
}
