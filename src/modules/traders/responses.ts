import { z } from 'zod';

/** Response shapes of the traders routes (the serializer keeps only the fields named here). */

export const aeoView = z.object({
  administration: z.string(),
  tin: z.string(),
  name: z.string().nullable(),
  programme: z.string(),
  status: z.string(),
  effective: z.string(),
  inForce: z.boolean(),
  since: z.string(),
  until: z.string().nullable(),
  reason: z.string(),
  revision: z.number(),
  changedBy: z.string(),
  changedAt: z.string(),
  source: z.enum(['local', 'partner']),
  messageId: z.string().nullable(),
});

export const aeoChangeView = z.object({
  administration: z.string(),
  revision: z.number(),
  changedBy: z.string(),
  changedAt: z.string(),
  source: z.enum(['local', 'partner']),
  messageId: z.string().nullable(),
  programme: z.string(),
  status: z.string(),
  since: z.string(),
  until: z.string().nullable(),
  reason: z.string(),
  name: z.string().nullable(),
});

export const traderAeoView = z.object({ country: z.string(), tin: z.string(), at: z.string(), here: aeoView.nullable(), partners: z.array(aeoView), changes: z.array(aeoChangeView) });

export const aeoSetView = z.object({
  aeo: aeoView,
  exchange: z.object({ id: z.string().nullable(), recipients: z.array(z.string()), redacted: z.array(z.string()) }).nullable(),
});

export const registerView = z.object({ country: z.string(), items: z.array(aeoView) });

const historyView = z.object({ declarations: z.number(), controls: z.number(), hits: z.number(), seizures: z.number(), firstSeen: z.string().nullable() });

export const traderProfileView = z.object({
  country: z.string(),
  tin: z.string(),
  known: z.boolean(),
  name: z.string().nullable(),
  partyCountry: z.string().nullable(),
  roles: z.array(z.string()),
  lastSeenAt: z.string().nullable(),
  asOf: z.string(),
  history: z.object({ asTrader: historyView, asDeclarant: historyView }),
});
