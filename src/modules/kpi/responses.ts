import { z } from 'zod';

/** Response shapes of the indicator routes (the serializer keeps only the fields named here). */

export const targetsView = z.object({ red: z.number(), yellow: z.number() });
const counts = { total: z.number(), green: z.number(), yellow: z.number(), red: z.number(), blue: z.number(), unassessed: z.number() };
export const countsView = z.object(counts);
const dayView = z.object({ date: z.string(), ...counts });
const officeView = z.object({ office: z.string(), ...counts });
const summaryView = z.object({ counts: countsView, values: z.array(z.object({ currency: z.string(), total: z.number() })), firstLodgedAt: z.string().nullable(), lastLodgedAt: z.string().nullable(), asImporter: z.number(), asExporter: z.number(), asDeclarant: z.number() });
export const allTargetsView = z.object({ country: z.string(), default: targetsView, offices: z.record(z.string(), targetsView) });

export const overviewView = z.object({
  country: z.string(),
  office: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  timeZone: z.string(),
  targets: targetsView,
  totals: countsView,
  days: z.array(dayView),
  offices: z.array(officeView.extend({ targets: targetsView })),
});

export const alertSummaryView = z.object({ country: z.string(), open: z.number(), byKind: z.array(z.object({ kind: z.string(), count: z.number() })), bySeverity: z.array(z.object({ severity: z.string(), count: z.number() })) });

export const traderView = z.object({
  country: z.string(),
  tin: z.string(),
  known: z.boolean(),
  name: z.string().nullable(),
  partyCountry: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  timeZone: z.string(),
  period: summaryView,
  allTime: summaryView,
  days: z.array(dayView),
  offices: z.array(officeView),
});

const agg = { controls: z.number(), hits: z.number(), hitRate: z.number().nullable(), seizures: z.number(), extraRevenueUsd: z.number() };
const randomView = z.object({ controls: z.number(), compliant: z.number(), complianceRate: z.number().nullable(), ci95: z.tuple([z.number(), z.number()]).nullable() });
export const controlsView = z.object({
  country: z.string(),
  office: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  timeZone: z.string(),
  open: z.number(),
  totals: z.object(agg),
  random: randomView,
  days: z.array(z.object({ date: z.string(), ...agg })),
  byChannel: z.array(z.object({ channel: z.string().describe('green | yellow | red | blue'), ...agg })),
  byOffice: z.array(z.object({ office: z.string(), ...agg, random: randomView })),
  release: z.array(z.object({ channel: z.string().describe('green | yellow | red | blue'), n: z.number(), medianHours: z.number().nullable(), p90Hours: z.number().nullable() })),
});
