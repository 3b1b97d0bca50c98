import { sql } from 'drizzle-orm';
import { queryRows, type Tx } from '../../../db/client.ts';
import { consignmentsOf, groundTruthOf, groundTruthTotals, hasGroundTruth } from '../../declarations/reads.ts';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { type ConsignmentView, type Stage } from '../cel.ts';
import { BACKTEST_EVAL_MS, BacktestStopped, runChunk } from './pool.ts';
import type { BacktestChunk, BacktestChunkResult } from './worker.ts';
import { traderView, type CriterionScope } from '../engine.ts';
import { DeclarationSnapshot } from './snapshot.ts';
import type { TraderStats } from '../../traders/history.ts';
import { usdSql } from '../reference.ts';
import type { BacktestResult } from '../views.ts';

export type { BacktestResult };

/**
 * A criterion run over the stored history of one administration before anyone approves it:
 * how many declarations it selects, how many of those were frauds (by recorded control results,
 * or by the simulator's ground truth where the history is simulated), precision and revenue.
 * Declarations come from an in-memory columnar snapshot of the administration (refreshed
 * incrementally), scanned in order of lodging so that the trader's history is the one each
 * declaration had then; the criterion runs compiled, on worker threads (pool.ts), in
 * chunks: the request thread only reads, prepares the chunks (yielding between them) and counts,
 * so that the server answers while a backtest runs. Each evaluation has its time budget; a
 * declaration the criterion fails on is counted in `errors` with a few samples.
 */
/**
 * Trader history as of a moment (the traders module's definition: declarations lodged before,
 * controls by their date, hits and seizures by the date recorded), rebuilt while the backtest
 * scans in time order: a merge of the snapshot's declarations with the controls' events.
 */
type TraderCounts = TraderStats;

/** declarations per chunk sent to a worker thread: at most, and so many chunks at least (progress) */
const CHUNK = 500;
const MIN_CHUNKS = 20;
/** chunks in flight at once (the pool queues them) */
const IN_FLIGHT = 4;

export async function backtest(
  tx: Tx,
  o: {
    country: string;
    expression: string;
    stage: Stage;
    scope?: Partial<CriterionScope>;
    from: Date;
    to: Date;
    labels: 'auto' | 'results' | 'ground_truth';
    snapshot?: DeclarationSnapshot;
    /** the administration's reference unit values by HS subheading */
    prices?: Record<string, number>;
    signal?: AbortSignal;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<BacktestResult> {
  const t0 = performance.now();
  const signal = o.signal ?? new AbortController().signal;
  const stopIfAborted = () => {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new BacktestStopped('cancelled', 'cancelled');
  };
  const types = o.scope?.types?.length ? o.scope.types : o.stage === 'transit' ? ['TR'] : ['IM', 'EX'];
  const typeSet = new Set(types);
  const offices = o.scope?.offices?.length ? new Set(o.scope.offices) : null;
  let labels: 'results' | 'ground_truth' = o.labels === 'ground_truth' ? 'ground_truth' : 'results';
  if (o.labels === 'auto') {
    labels = (await hasGroundTruth(tx, o.country)) ? 'ground_truth' : 'results';
  }
  // the declarations, from the snapshot (refreshed incrementally; built the first time)
  const snap = o.snapshot ?? new DeclarationSnapshot(o.country);
  const refreshed = await snap.refresh(tx);
  const tLoaded = performance.now();
  // the trader's history as it was before each declaration: its earlier declarations, the
  // controls opened and the results recorded before it was lodged (never today's counters)
  const ctl = await queryRows<{ tin: string; at: string | Date }>(
    tx,
    sql`select trader_tin as tin, created_at as at from controls where country = ${o.country} and trader_tin is not null and created_at < ${o.to.toISOString()} order by created_at`,
  );
  const res = await queryRows<{ tin: string; at: string | Date; hit: boolean; seized: boolean }>(
    tx,
    sql`select trader_tin as tin, recorded_at as at, hit, goods_seized as seized from control_results where country = ${o.country} and trader_tin is not null and recorded_at < ${o.to.toISOString()} order by recorded_at`,
  );
  const ms = (x: string | Date) => (x instanceof Date ? x.getTime() : Date.parse(x));
  const usesConsignment = /\bconsignment\b/.test(o.expression);
  const cons = new Map<string, ConsignmentView>();
  if (usesConsignment) {
    for (const c of await consignmentsOf(tx, o.country)) cons.set(c.transportDocument, { ...c, containers: c.containers as string[] });
  }
  const from = o.from.getTime();
  const to = o.to.getTime();
  const traders = new Map<string, TraderCounts>();
  const counts = (tin: string) => {
    let t = traders.get(tin);
    if (!t) traders.set(tin, (t = { tin, declarations: 0, controls: 0, hits: 0, seizures: 0, firstSeen: null }));
    return t;
  };
  let ci = 0;
  let ri = 0;
  let declarations = 0;
  let errors = 0;
  let budgetExceeded = 0;
  const errorSamples: { reference: string; message: string }[] = [];
  const selected: { id: string; reference: string }[] = [];
  const order = snap.byLodging();
  const lodged = snap.lodgedAt.a;
  const inScope = (row: number, at: number) => at >= from && typeSet.has(snap.type(row)) && (!offices || offices.has(snap.office(row)));
  let total = 0;
  for (let k = 0; k < order.length; k++) {
    const at = lodged[order[k]];
    if (at >= to) break;
    if (inScope(order[k], at)) total++;
  }
  o.onProgress?.(0, total);
  const chunkSize = Math.max(1, Math.min(CHUNK, Math.ceil(total / MIN_CHUNKS)));
  stopIfAborted();
  // chunks go to the worker threads in order; their answers are put back in order
  const prices = o.prices ?? {};
  const pending: Promise<BacktestChunkResult>[] = [];
  let done = 0;
  let rows: BacktestChunk['rows'] = [];
  const send = async () => {
    const task: BacktestChunk = { expression: o.expression, stage: o.stage, country: o.country, prices, budgetMs: BACKTEST_EVAL_MS, rows };
    const n = rows.length;
    rows = [];
    const p = runChunk(task, signal).then((r) => {
      done += n;
      o.onProgress?.(done, total);
      return r;
    });
    p.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    pending.push(p);
    // at most IN_FLIGHT chunks ahead of the workers; the request thread yields between chunks
    if (pending.length >= IN_FLIGHT) await pending[pending.length - IN_FLIGHT];
    await yieldToLoop();
    stopIfAborted();
  };
  for (let k = 0; k < order.length; k++) {
    const row = order[k];
    const at = lodged[row];
    if (at >= to) break;
    while (ci < ctl.length && ms(ctl[ci].at) < at) counts(ctl[ci++].tin).controls++;
    while (ri < res.length && ms(res[ri].at) < at) {
      const t = counts(res[ri].tin);
      if (res[ri].hit) t.hits++;
      if (res[ri].seized) t.seizures++;
      ri++;
    }
    const tin = snap.tin[row];
    const t = counts(tin);
    if (inScope(row, at)) {
      declarations++;
      const d = snap.declaration(row);
      rows.push({ id: snap.id[row], reference: d.reference, decl: d, trader: traderView(t, tin, at), consignment: (d.transportDocument ? cons.get(d.transportDocument) : null) ?? null });
      if (rows.length >= chunkSize) await send();
    }
    t.declarations++;
    if (t.firstSeen === null) t.firstSeen = at;
  }
  if (rows.length) await send();
  let results: BacktestChunkResult[];
  try {
    results = await Promise.all(pending);
  } catch (e) {
    stopIfAborted();
    throw e;
  }
  for (const r of results) {
    for (const s of r.selected) selected.push(s);
    errors += r.errors;
    budgetExceeded += r.budgetExceeded;
    for (const x of r.samples) if (errorSamples.length < 5) errorSamples.push(x);
  }
  const tScanned = performance.now();
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
      const rows = await groundTruthOf(tx, o.country, chunk.map((c) => c.reference));
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
    const t = await groundTruthTotals(tx, o.country, o.from, o.to, types);
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
    budgetExceeded,
    errorSamples,
    traderHistory: 'as of each declaration: its earlier declarations, and the controls opened and results recorded before it was lodged (not the trader\'s current standing, which would leak the future into the past)',
    timing: { seconds: (performance.now() - t0) / 1000, loadSeconds: (tLoaded - t0) / 1000, loadedRecords: refreshed.read, scanSeconds: (tScanned - tLoaded) / 1000, snapshotRecords: snap.size },
    seconds: (performance.now() - t0) / 1000,
    examples: selected.slice(0, 10).map((s) => ({ reference: s.reference, hit: hitOf.get(s.reference) ?? null })),
  };
}
