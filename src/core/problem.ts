import { z } from 'zod';

/**
 * The problem+json answer (RFC 9457) every error leaves as (see server/errors.ts), for the
 * response schemas of the routes. Loose objects: the serializer keeps every field a problem
 * carries, also those a particular error adds.
 */
export const fieldErrorView = z.looseObject({
  path: z.string().describe('JSON path of the field, e.g. items[2].hsCode'),
  code: z.string().describe('machine-readable code, e.g. unknown_hs_code'),
  message: z.string().describe('what is wrong, in plain words'),
});

export const problemView = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(fieldErrorView).optional().describe('each field at fault'),
    incident: z.string().optional().describe('under which the details are logged'),
  })
  .describe('problem+json (RFC 9457)');

/** The client-error answers of a route: spread into its `response` schemas. */
export const problems = { '4xx': problemView } as const;
