import { sql } from 'drizzle-orm';
import { queryRows, type Tx } from '../../db/client.ts';
import type { RiskConfig } from './engine.ts';
import { currentChannelOfAlias } from './channel.ts';
import { usdSql } from './reference.ts';
import type { Effectiveness, EffectivenessRow } from './views.ts';

export type { Effectiveness, EffectivenessRow };

/**
 * Effectiveness over a period: controls, hits, hit rate and extra revenue per criterion, office,
 * officer and channel; criteria flagged for review; and the compliance rate measured by random
 * control, with a 95% Wilson interval. Controls count when their result is recorded.
 */
export function wilson(k: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, c - h), Math.min(1, c + h)];
}

const revenue = usdSql(sql`(r.extra_duties + r.extra_taxes)`, sql`r.currency`);

/** A row of the aggregates below (numbers as the driver gives them: read through Number()). */
type AggRow = { key: string | null; label: string | null; controls: number; hits: number; seizures: number; revenue: number };

function rows(r: AggRow[]): EffectivenessRow[] {
  return r.map((x) => {
    const controls = Number(x.controls);
    const hits = Number(x.hits);
    return { key: x.key ?? '', label: x.label ?? x.key ?? '', controls, hits, hitRate: controls ? hits / controls : 0, seizures: Number(x.seizures), extraRevenueUsd: Math.round(Number(x.revenue) * 100) / 100 };
  });
}

export async function effectiveness(tx: Tx, country: string, from: Date, to: Date, config: RiskConfig): Promise<Effectiveness> {
  const period = sql`c.country = ${country} and c.created_at >= ${from.toISOString()} and c.created_at < ${to.toISOString()}`;
  const agg = sql`count(*)::int as controls, count(*) filter (where r.hit)::int as hits, count(*) filter (where r.goods_seized)::int as seizures, coalesce(sum(${revenue}), 0)::float8 as revenue`;
  const base = sql`from controls c join control_results r on r.control_id = c.id where ${period}`;
  const [byCriterion, byOffice, byOfficer, byChannel, overall, random, decisions, open] = await Promise.all([
    queryRows<AggRow>(
      tx,
      sql`select cc.criterion_id::text as key, max(k.name) as label, ${agg}
          from control_criteria cc join controls c on c.id = cc.control_id join control_results r on r.control_id = c.id
          left join risk_criteria k on k.id = cc.criterion_id
          where ${period} group by cc.criterion_id order by 4 desc`,
    ),
    queryRows<AggRow>(tx, sql`select c.office as key, c.office as label, ${agg} ${base} group by c.office order by 1`),
    queryRows<AggRow>(tx, sql`select r.officer_id as key, max(r.officer_name) as label, ${agg} ${base} group by r.officer_id order by 2`),
    queryRows<AggRow>(tx, sql`select c.channel as key, c.channel as label, ${agg} ${base} group by c.channel order by 1`),
    queryRows<AggRow>(tx, sql`select 'all' as key, 'all controls' as label, ${agg} ${base}`),
    queryRows<{ n: number; ok: number }>(tx, sql`select count(*)::int as n, count(*) filter (where not r.hit)::int as ok ${base} and c.random_selected`),
    queryRows<{ channel: string; n: number }>(
      tx,
      sql`select ${currentChannelOfAlias('a')} as channel, count(*)::int as n from assessments a where a.country = ${country} and a.decided_at >= ${from.toISOString()} and a.decided_at < ${to.toISOString()} group by 1`,
    ),
    queryRows<{ n: number }>(tx, sql`select count(*)::int as n from controls c where ${period} and c.status in ('assigned', 'unassigned')`),
  ]);
  const n = Number(random[0]?.n ?? 0);
  const ok = Number(random[0]?.ok ?? 0);
  const byChan: Record<string, number> = {};
  for (const d of decisions) byChan[d.channel] = Number(d.n);
  const { minControls, minHitRate } = config.review;
  return {
    country,
    from: from.toISOString(),
    to: to.toISOString(),
    decisions: { total: Object.values(byChan).reduce((a, b) => a + b, 0), byChannel: byChan },
    controlsOpen: Number(open[0]?.n ?? 0),
    byCriterion: rows(byCriterion).map((r) => {
      const flagged = r.controls >= minControls && r.hitRate < minHitRate;
      return { ...r, flaggedForReview: flagged, reviewReason: flagged ? `${r.hits} hits in ${r.controls} controls (${(r.hitRate * 100).toFixed(1)}%), below ${(minHitRate * 100).toFixed(1)}% over at least ${minControls} controls` : null };
    }),
    byOffice: rows(byOffice),
    byOfficer: rows(byOfficer),
    byChannel: rows(byChannel),
    randomControl: {
      controls: n,
      compliant: ok,
      complianceRate: n ? ok / n : null,
      ci95: n ? wilson(ok, n) : null,
      note: 'random control draws regardless of risk, so its compliance rate is an unbiased estimate for all declarations',
    },
    overall: rows(overall)[0] ?? { key: 'all', label: 'all controls', controls: 0, hits: 0, hitRate: 0, seizures: 0, extraRevenueUsd: 0 },
  };
}
