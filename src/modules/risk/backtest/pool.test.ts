import { afterAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../../core/errors.ts';
import { BacktestJobs, BacktestStopped, closeBacktestPool, runChunk } from './pool.ts';
import type { BacktestChunk } from './worker.ts';
import { compilePredicate } from '../compile.ts';

/**
 * Backtests off the request thread: the worker threads evaluate chunks; a job has a hard
 * wall-clock limit past which its worker is terminated, can be cancelled, and only one runs per
 * administration at a time.
 */

const decl = (items: number) => ({
  reference: 'GT-POOL-1',
  country: 'GT',
  type: 'IM',
  office: 'GTPRQ',
  lodgedAt: '2026-06-14T09:30:00-06:00',
  declarant: { tin: 'BRK-1', name: 'Agencia', country: 'GT' },
  importer: { tin: '4455667-8', name: `${'a'.repeat(40)}!`, country: 'GT' },
  transport: { mode: 1, containers: [] },
  items: Array.from({ length: items }, (_, i) => ({ line: i + 1, hsCode: '85171300', description: 'Smartphones', origin: 'CN', quantity: 5, unit: 'H87', netMassKg: 15, grossMassKg: 18, customsValue: 6250, currency: 'USD', dutyRate: 0 })),
});
const trader = { tin: '4455667-8', declarations: 0, controls: 0, hits: 0, hitRate: 0, seizures: 0, daysSinceFirstSeen: 0, aeo: false, standing: 'new' };
const chunk = (expression: string, items = 2, budgetMs = 50): BacktestChunk => ({
  expression,
  stage: 'declaration',
  country: 'GT',
  prices: { '851713': 100 },
  budgetMs,
  rows: [{ id: 'id-1', reference: 'GT-POOL-1', decl: decl(items) as any, trader, consignment: null }],
});
/**
 * 999^3 steps with no budget: one node cel-js alone evaluates (map) sends the whole expression
 * to cel-js, whose loops count no steps. Never allowed by the check; here it stands for a worker
 * that does not come back.
 */
const HANG = 'decl.items.map(x, x.line).size() > 0 && decl.items.exists(a, decl.items.exists(b, decl.items.exists(c, a.line == b.line + c.line + 5000)))';

afterAll(() => closeBacktestPool());

describe('backtest worker threads', () => {
  it('evaluate a chunk like the request thread would, regexes on RE2, reference prices as given', async () => {
    const r = await runChunk(chunk('decl.importer.name.matches("^(a+)+$") || decl.items.exists(i, i.refUnitValue == 100.0)'), new AbortController().signal);
    expect(r).toEqual({ selected: [{ id: 'id-1', reference: 'GT-POOL-1' }], errors: 0, budgetExceeded: 0, samples: [] });
    const e = await runChunk(chunk('decl.items[5].origin == "CN"'), new AbortController().signal);
    expect(e.errors).toBe(1);
    expect(e.samples[0]).toMatchObject({ reference: 'GT-POOL-1' });
  });

  it('a job past its wall-clock limit is stopped and its worker terminated; the pool goes on', async () => {
    expect(compilePredicate(HANG, 'declaration').compiled).toBe(false);
    const jobs = new BacktestJobs(1000);
    const t0 = performance.now();
    const { view, promise } = jobs.start('GT', 'test', (signal) => runChunk(chunk(HANG, 999, 1e9), signal).then(() => ({}) as any));
    await expect(promise).rejects.toBeInstanceOf(BacktestStopped);
    await expect(promise).rejects.toMatchObject({ code: 'timeout', status: 503 });
    // a backtracking engine or an unbounded loop would hold the thread for minutes
    expect(performance.now() - t0).toBeLessThan(30_000);
    expect(view.status).toBe('failed');
    expect(view.error).toMatchObject({ code: 'timeout' });
    expect(view.error!.message).toMatch(/stopped after 1 s, its time limit/);
    // the thread was terminated, not left spinning: a new task is answered at once
    const r = await runChunk(chunk('decl.type == "IM"'), new AbortController().signal);
    expect(r.selected).toHaveLength(1);
  });

  it('one job per administration; cancel stops it; another administration runs meanwhile', async () => {
    const jobs = new BacktestJobs(60_000);
    const gt = jobs.start('GT', 'ana', (signal) => runChunk(chunk(HANG, 999, 1e9), signal).then(() => ({}) as any));
    expect(() => jobs.start('GT', 'beto', async () => ({}) as any)).toThrow(ConflictError);
    expect(() => jobs.start('GT', 'beto', async () => ({}) as any)).toThrow(/a backtest of GT is already running .* one backtest per administration at a time/);
    const sv = jobs.start('SV', 'sv.ana', async () => ({ country: 'SV' }) as any);
    await expect(sv.promise).resolves.toMatchObject({ country: 'SV' });
    expect(jobs.get(sv.view.id, () => true).status).toBe('done');
    // not visible from another administration: not found
    expect(() => jobs.get(gt.view.id, (c) => c === 'SV')).toThrow(/not found/);
    expect(() => jobs.cancel(gt.view.id, (c) => c === 'SV', 'sv.ana')).toThrow(/not found/);
    jobs.cancel(gt.view.id, (c) => c === 'GT', 'beto');
    await expect(gt.promise).rejects.toMatchObject({ code: 'cancelled', status: 409 });
    expect(gt.view).toMatchObject({ status: 'cancelled', error: { code: 'cancelled', message: 'cancelled by beto' } });
    // the administration may start again
    const again = jobs.start('GT', 'beto', async () => ({ country: 'GT' }) as any);
    await expect(again.promise).resolves.toMatchObject({ country: 'GT' });
  });
});
