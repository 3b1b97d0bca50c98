import { and, asc, eq, gte, inArray, lt } from 'drizzle-orm';
import { schema, type Tx } from '../../db/client.ts';
import type { Declaration } from './schema.ts';

/**
 * Import declarations of an administration lodged in [from, to), optionally of some importers,
 * as stored: the read port post-clearance audit (selection, case scope) and the customs / tax
 * comparison use. Read-only, on the declarations module's own table.
 */
export async function importsLodged(tx: Tx, country: string, from: Date, to: Date, importerTins?: readonly string[]): Promise<{ id: string; reference: string; lodgedAt: Date; declaration: Declaration }[]> {
  const d = schema.declarations;
  const rows = await tx
    .select({ id: d.id, reference: d.reference, lodgedAt: d.lodgedAt, payload: d.payload })
    .from(d)
    .where(and(eq(d.country, country), eq(d.type, 'IM'), gte(d.lodgedAt, from), lt(d.lodgedAt, to), importerTins ? inArray(d.importerTin, importerTins.length ? [...importerTins] : ['']) : undefined))
    .orderBy(asc(d.lodgedAt), asc(d.id));
  return rows.map((r) => ({ id: r.id, reference: r.reference, lodgedAt: r.lodgedAt, declaration: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Declaration }));
}
