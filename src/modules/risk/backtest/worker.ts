/**
 * The backtest's evaluation, on a worker thread (see pool.ts): a chunk of declarations,
 * each with the trader's history as of its lodging and its consignment, evaluated by one
 * compiled criterion under the per-evaluation budget (budget.ts). Everything here is plain data
 * in, plain data out: no database, no state but caches.
 */
import type { Declaration } from '../../declarations/schema.ts';
import { limits } from '../budget.ts';
import { celConsignment, celDeclaration, celTrader, evalContext, type ConsignmentView, type Stage, type TraderView } from '../cel.ts';
import { compilePredicate, type CompiledPredicate } from '../compile.ts';

export interface BacktestChunk {
  expression: string;
  stage: Stage;
  country: string;
  /** reference unit values (USD per kg) of the administration, by HS subheading */
  prices: Record<string, number>;
  /** the time budget of one evaluation, in ms */
  budgetMs: number;
  rows: { id: string; reference: string; decl: Declaration; trader: TraderView; consignment: ConsignmentView | null }[];
}

export interface BacktestChunkResult {
  selected: { id: string; reference: string }[];
  errors: number;
  budgetExceeded: number;
  /** the first few errors, with the declaration they happened on */
  samples: { reference: string; message: string }[];
}

const predicates = new Map<string, CompiledPredicate>();

export default function evaluateChunk(task: BacktestChunk): BacktestChunkResult {
  const key = `${task.stage}\u0000${task.expression}`;
  let pred = predicates.get(key);
  if (!pred) {
    if (predicates.size > 50) predicates.clear();
    predicates.set(key, (pred = compilePredicate(task.expression, task.stage)));
  }
  const prices = task.prices;
  // the chunk's own evaluation context: the administration, its reference prices and the time budget as sent
  const ctx = evalContext(task.country, { refPrice: (_country, hs6) => prices[hs6] ?? 0 }, { maxSteps: limits.maxSteps, ms: task.budgetMs });
  const out: BacktestChunkResult = { selected: [], errors: 0, budgetExceeded: 0, samples: [] };
  for (const r of task.rows) {
    try {
      if (pred({ decl: celDeclaration(r.decl, ctx.lookups), trader: celTrader(r.trader), consignment: celConsignment(r.consignment) }, ctx)) out.selected.push({ id: r.id, reference: r.reference });
    } catch (e) {
      out.errors++;
      if ((e as { code?: unknown })?.code === 'budget_exceeded') out.budgetExceeded++;
      if (out.samples.length < 5) out.samples.push({ reference: r.reference, message: String((e as Error)?.message ?? e).split('\n')[0].slice(0, 300) });
    }
  }
  return out;
}
