import { z } from 'zod';

/** Response shapes of the reference routes (the serializer keeps only the fields named here). */

export const officeView = z.object({
  code: z.string(),
  country: z.string(),
  name: z.string(),
  kind: z.enum(['seaport', 'airport', 'land_border', 'inland']),
  lat: z.number().optional(),
  lon: z.number().optional(),
  inUnLocode: z.boolean().describe('false when the code was assigned by Centinela for a border post that has none'),
  crossing: z.object({ name: z.string(), neighbour: z.string() }).optional().describe('for land border posts: the crossing and the neighbouring country'),
});
export const officeList = z.object({ items: z.array(officeView) });

export const hsEntryView = z.object({
  code: z.string().describe('2, 4 or 6 digits'),
  description: z.string(),
  level: z.union([z.literal(2), z.literal(4), z.literal(6)]),
  section: z.string().describe('Roman numeral I..XXI'),
  parent: z.string().describe("the parent code ('' for chapters)"),
});

export const countryView = z.object({
  alpha2: z.string(),
  alpha3: z.string(),
  numeric: z.string(),
  name: z.string(),
  nameEs: z.string(),
  currencies: z.array(z.string()),
});
