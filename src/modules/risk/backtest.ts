import { and, eq, inArray, sql } from 'drizzle-orm';
import { queryRows, schema, type Tx } from '../../db/client.ts';
import type { Declaration } from '../declarations/schema.ts';
import { celConsignment, celDeclaration, celTrader, type ConsignmentView, type Stage } from './cel.ts';
import { compilePredicate } from './compile.ts';
import { traderTinOf, traderView, type CriterionScope } from './engine.ts';
import { usdSql } from './reference.ts';

/**
 * A criterion run over the stored history of one administration before anyone approves it:
 * how many declarations it selects, how many of those were frauds (by recorded control results,
 * or by the simulator's ground truth where the history is simulated), precision and revenue.
 * Declarations are read in pages by key, and the criterion runs compiled.
 */
export interface BacktestResult {
  country: string;
  from: string;
  to: string;
  labels: 'results' | 'ground_truth';
  labelsNote: string;
  declarations: number;
  selected: number;
  selectionRate: number;
  /** selected declarations that have a label (a control result, or ground truth) */
  labelled: number;
  hits: number;
  precision: number | null;
  /** hits ÷ all frauds known in the period (ground truth only) */
  recall: number | null;
  revenueUsd: number;
  baseRate: number | null;
  lift: number | null;
  errors: number;
  seconds: number;
  examples: { reference: string; hit: boolean | null }[];
}

export async function backtest(
  tx: Tx,
  o: { country: string; expression: string; stage: Stage; scope?: Partial<CriterionScope>; from: Date; to: Date; labels: 'auto' | 'results' | 'ground_truth'; pageSize?: number },
): Promise<BacktestResult> {
  const t0 = performance.now();
  const pred = compilePredicate(o.expression, o.stage);
  const types = o.scope?.types?.length ? o.scope.types : o.stage === 'transit' ? ['TR'] : ['IM', 'EX'];
  const offices = o.scope?.offices?.length ? o.scope.offices : null;
  let labels: 'results' | 'ground_truth' = o.labels === 'ground_truth' ? 'ground_truth' : 'results';
  if (o.labels === 'auto') {
    const [g] = await queryRows<{ n: number }>(tx, sql`select count(*)::int as n from (select 1 from sim_ground_truth where country = ${o.country} and kind = 'declaration' limit 1) x`);
    labels = Number(g.n) > 0 ? 'ground_truth' : 'results';
  }
  // trader history as it stands now (the engine's counters)
  const th = new Map<string, { tin: string; declarations: number; controls: number; hits: number; seizures: number; firstSeen: number | null }>();
  for (const r of await tx.select().from(schema.riskTraderHistory).where(eq(schema.riskTraderHistory.country, o.country)))
    th.set(r.tin, { tin: r.tin, declarations: r.declarations, controls: r.controls, hits: r.hits, seizures: r.seizures, firstSeen: r.firstSeen.getTime() });
  const usesConsignment = /\bconsignment\b/.test(o.expression);
  const now = o.to.getTime();
  const pageSize = o.pageSize ?? 5000;
  let after = '00000000-0000-0000-0000-000000000000';
  let declarations = 0;
  let errors = 0;
  const selected: { id: string; reference: string }[] = [];
  for (;;) {
    const page = await queryRows<{ id: string; payload: Declaration }>(
      tx,
      sql`select id, payload from declarations
          where country = ${o.country} and lodged_at >= ${o.from.toISOString()} and lodged_at < ${o.to.toISOString()}
            and type in (${sql.join(types.map((t) => sql`${t}`), sql`, `)}) ${offices ? sql`and office in (${sql.join(offices.map((x) => sql`${x}`), sql`, `)})` : sql``}
            and id > ${after}
          order by id limit ${pageSize}`,
    );
    if (!page.length) break;
    after = page[page.length - 1].id;
    let cons = new Map<string, ConsignmentView>();
    if (usesConsignment) {
      const docs = [...new Set(page.map((p) => p.payload.transportDocument).filter((d): d is string => !!d))];
      if (docs.length) {
        const rows = await tx
          .select({ c: schema.consignments })
          .from(schema.consignments)
          .innerJoin(schema.manifests, eq(schema.manifests.id, schema.consignments.manifestId))
          .where(and(eq(schema.manifests.country, o.country), inArray(schema.consignments.transportDocument, docs)));
        cons = new Map(rows.map((r) => [r.c.transportDocument, { ...r.c, containers: r.c.containers as string[] }]));
      }
    }
    for (const p of page) {
      declarations++;
      const d = typeof p.payload === 'string' ? (JSON.parse(p.payload) as Declaration) : p.payload;
      const tin = traderTinOf(d);
      try {
        if (pred({ decl: celDeclaration(d), trader: celTrader(traderView(th.get(tin), tin, now)), consignment: celConsignment(d.transportDocument ? cons.get(d.transportDocument) : null) }))
          selected.push({ id: p.id, reference: d.reference });
      } catch {
        errors++;
      }
    }
  }
  // labels of the selected ones
  let labelled = 0;
  let hits = 0;
  let revenueUsd = 0;
  let recall: number | null = null;
  let baseRate: number | null = null;
  const hitOf = new Map<string, boolean>();
  for (let k = 0; k < selected.length; k += 5000) {
    const chunk = selected.slice(k, k + 5000);
    if (labels === 'ground_truth') {
      const rows = await queryRows<{ reference: string; fraud: boolean; revenue: number }>(
        tx,
        sql`select reference, fraud_type is not null as fraud, revenue_at_stake as revenue from sim_ground_truth
            where country = ${o.country} and kind = 'declaration' and reference in (${sql.join(chunk.map((c) => sql`${c.reference}`), sql`, `)})`,
      );
      for (const r of rows) {
        labelled++;
        hitOf.set(r.reference, r.fraud);
        if (r.fraud) {
          hits++;
          revenueUsd += Number(r.revenue);
        }
      }
    } else {
      const rows = await queryRows<{ declaration_id: string; hit: boolean; revenue: number }>(
        tx,
        sql`select r.declaration_id, bool_or(r.hit) as hit, sum(${usdSql(sql`(r.extra_duties + r.extra_taxes)`, sql`r.currency`)})::float8 as revenue
            from control_results r where r.declaration_id in (${sql.join(chunk.map((c) => sql`${c.id}::uuid`), sql`, `)}) group by r.declaration_id`,
      );
      const refOf = new Map(chunk.map((c) => [c.id, c.reference]));
      for (const r of rows) {
        labelled++;
        hitOf.set(refOf.get(r.declaration_id)!, r.hit);
        if (r.hit) {
          hits++;
          revenueUsd += Number(r.revenue);
        }
      }
    }
  }
  if (labels === 'ground_truth') {
    const [t] = await queryRows<{ n: number; frauds: number }>(
      tx,
      sql`select count(*)::int as n, count(*) filter (where g.fraud_type is not null)::int as frauds
          from declarations d join sim_ground_truth g on g.country = d.country and g.kind = 'declaration' and g.reference = d.reference
          where d.country = ${o.country} and d.lodged_at >= ${o.from.toISOString()} and d.lodged_at < ${o.to.toISOString()}
            and d.type in (${sql.join(types.map((t) => sql`${t}`), sql`, `)})`,
    );
    if (Number(t.frauds)) recall = hits / Number(t.frauds);
    if (Number(t.n)) baseRate = Number(t.frauds) / Number(t.n);
  } else {
    const [t] = await queryRows<{ n: number; hits: number }>(
      tx,
      sql`select count(*)::int as n, count(*) filter (where r.hit)::int as hits from control_results r join controls c on c.id = r.control_id
          where c.country = ${o.country} and c.random_selected and r.recorded_at >= ${o.from.toISOString()} and r.recorded_at < ${o.to.toISOString()}`,
    );
    if (Number(t.n)) baseRate = Number(t.hits) / Number(t.n);
  }
  const precision = labelled ? hits / labelled : null;
  return {
    country: o.country,
    from: o.from.toISOString(),
    to: o.to.toISOString(),
    labels,
    labelsNote:
      labels === 'ground_truth'
        ? "hits are the simulator's ground truth (sim_ground_truth): every selected declaration is labelled"
        : 'hits are recorded control results: only selected declarations that were controlled are labelled; base rate from random control',
    declarations,
    selected: selected.length,
    selectionRate: declarations ? selected.length / declarations : 0,
    labelled,
    hits,
    precision,
    recall,
    revenueUsd: Math.round(revenueUsd * 100) / 100,
    baseRate,
    lift: precision !== null && baseRate ? precision / baseRate : null,
    errors,
    seconds: (performance.now() - t0) / 1000,
    examples: selected.slice(0, 10).map((s) => ({ reference: s.reference, hit: hitOf.get(s.reference) ?? null })),
  };
}
