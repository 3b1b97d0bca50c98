/**
 * Findings flow back into the trader's history: a declaration found non-compliant by a
 * post-clearance audit counts as a hit of its trader from the date of the finding (point in time),
 * beside the control results. `withAuditFindings` wraps the risk module's control facts for the
 * traders module (wired in the composition root); the traders module never reads pca's tables.
 */
import { and, eq, inArray, lt } from 'drizzle-orm';
import { schema, type Tx } from '../../db/client.ts';
import type { ResultEvent } from '../traders/history.ts';
import type { ControlFacts } from '../traders/sources.ts';

/** Findings of cases closed before `until` of an administration (of these declarations when given), one event per declaration, dated when it became known (the later of the finding and the closure). */
export async function auditFindingEvents(tx: Tx, country: string, until: Date, declarationIds?: string[]): Promise<ResultEvent[]> {
  if (declarationIds && !declarationIds.length) return [];
  const f = schema.pcaFindings;
  const out: ResultEvent[] = [];
  const seen = new Map<string, number>();
  const parts = declarationIds ? Array.from({ length: Math.ceil(declarationIds.length / 1000) }, (_, k) => declarationIds.slice(k * 1000, k * 1000 + 1000)) : [undefined];
  for (const ids of parts) {
    const c = schema.pcaCases;
    const rows = await tx
      .select({ declarationId: f.declarationId, foundAt: f.foundAt, closedAt: c.closedAt })
      .from(f)
      .innerJoin(c, eq(c.id, f.caseId))
      .where(and(eq(f.country, country), eq(c.status, 'closed'), lt(c.closedAt, until), ids ? inArray(f.declarationId, ids) : undefined));
    for (const r of rows) {
      // known once the case is closed: from then on, a hit of the trader
      const at = Math.max(r.foundAt.getTime(), r.closedAt!.getTime());
      const prev = seen.get(r.declarationId);
      if (prev === undefined || at < prev) seen.set(r.declarationId, at);
    }
  }
  for (const [declarationId, at] of seen) out.push({ declarationId, at, hit: true, seized: false });
  return out;
}

/** The control facts with audit findings added as results (a hit on the date found). */
export function withAuditFindings(controls: ControlFacts): ControlFacts {
  return {
    controlEvents: (tx, country, until, ids) => controls.controlEvents(tx, country, until, ids),
    resultEvents: async (tx, country, until, ids) => [...(await controls.resultEvents(tx, country, until, ids)), ...(await auditFindingEvents(tx, country, until, ids))],
  };
}
