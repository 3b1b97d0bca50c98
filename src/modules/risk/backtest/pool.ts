import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { AppError, ConflictError, NotFoundError } from '../../../core/errors.ts';
import { uuidv7 } from '../../../core/ids.ts';
import type { BacktestChunk, BacktestChunkResult } from './worker.ts';
import type { BacktestResult } from '../views.ts';

/**
 * Backtests run off the request thread: the criterion is evaluated on worker threads (piscina;
 * the entry is worker.mjs, which loads worker.ts through tsx, so it runs the
 * same under `node bin/centinela.mjs`, tsx and vitest). A backtest is a job: one running per
 * administration at a time (a second one is refused with 409), its progress readable, cancellable,
 * and stopped at a hard wall-clock limit (a running worker is terminated, not asked).
 */

/** the wall-clock limit of one backtest */
export const BACKTEST_MAX_MS = Number(process.env.CENTINELA_BACKTEST_TIMEOUT_MS) > 0 ? Number(process.env.CENTINELA_BACKTEST_TIMEOUT_MS) : 10 * 60_000;
/** the time budget of one evaluation of the criterion on one declaration, in a backtest */
export const BACKTEST_EVAL_MS = 50;
/** finished jobs are kept this long for their answer to be read */
const KEEP_MS = 15 * 60_000;

let pool: Piscina | null = null;

/** worker threads: one core is left to the server (intake, the API) */
function threads(): number {
  const env = Number(process.env.CENTINELA_BACKTEST_THREADS);
  if (env > 0) return Math.floor(env);
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

function backtestPool(): Piscina {
  if (!pool) {
    pool = new Piscina({
      filename: new URL('./worker.mjs', import.meta.url).href,
      minThreads: 0,
      maxThreads: threads(),
      idleTimeout: 30_000,
      // the worker's heap is bounded too: a criterion cannot exhaust the server's memory
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
  }
  return pool;
}

/** Evaluates one chunk on a worker thread; an abort terminates the thread running it. */
export function runChunk(task: BacktestChunk, signal: AbortSignal): Promise<BacktestChunkResult> {
  return backtestPool().run(task, { signal }) as Promise<BacktestChunkResult>;
}

/** Stops the worker threads (the CLI, tests and server shutdown). */
export async function closeBacktestPool(): Promise<void> {
  const p = pool;
  pool = null;
  await p?.destroy();
}

/**
 * Why a backtest stopped before its end; what a caller awaiting it is answered: 409 when it was
 * cancelled, 503 when it ran past its time limit.
 */
export class BacktestStopped extends AppError {
  constructor(
    readonly code: 'cancelled' | 'timeout',
    message: string,
  ) {
    super(code === 'cancelled' ? 409 : 503, code === 'cancelled' ? 'backtest-cancelled' : 'backtest-timeout', code === 'cancelled' ? 'Backtest cancelled' : 'Backtest stopped at its time limit', message);
  }
}

export type BacktestJobStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface BacktestJobView {
  id: string;
  country: string;
  status: BacktestJobStatus;
  /** declarations evaluated so far, of `total` in the period and scope */
  progress: { done: number; total: number; fraction: number };
  createdBy: string;
  startedAt: string;
  finishedAt: string | null;
  /** the wall-clock limit, in seconds */
  limitSeconds: number;
  result: BacktestResult | null;
  error: { code: string; message: string } | null;
}

interface Job {
  view: BacktestJobView;
  controller: AbortController;
  promise: Promise<BacktestResult>;
  finished: number;
}

export type BacktestRun = (signal: AbortSignal, progress: (done: number, total: number) => void) => Promise<BacktestResult>;

export class BacktestJobs {
  private jobs = new Map<string, Job>();
  private running = new Map<string, Job>();

  constructor(private readonly maxMs = BACKTEST_MAX_MS) {}

  /** Starts a backtest of an administration; 409 while another one of it runs. */
  start(country: string, createdBy: string, run: BacktestRun): { view: BacktestJobView; promise: Promise<BacktestResult> } {
    this.prune();
    const busy = this.running.get(country);
    if (busy) {
      const v = busy.view;
      throw new ConflictError(
        `a backtest of ${country} is already running (job ${v.id}, started by ${v.createdBy} at ${v.startedAt}, ${Math.round(v.progress.fraction * 100)}% done): one backtest per administration at a time; wait for it (GET /api/v1/risk/backtests/${v.id}) or cancel it (DELETE) / ya hay un backtest de ${country} en curso: uno por administración a la vez; espere a que termine o cancélelo`,
      );
    }
    const controller = new AbortController();
    const view: BacktestJobView = {
      id: uuidv7(Date.now()),
      country,
      status: 'running',
      progress: { done: 0, total: 0, fraction: 0 },
      createdBy,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      limitSeconds: Math.round(this.maxMs / 1000),
      result: null,
      error: null,
    };
    const timer = setTimeout(() => controller.abort(new BacktestStopped('timeout', `the backtest was stopped after ${Math.round(this.maxMs / 1000)} s, its time limit`)), this.maxMs);
    timer.unref?.();
    const job: Job = { view, controller, promise: undefined as unknown as Promise<BacktestResult>, finished: 0 };
    const progress = (done: number, total: number) => {
      view.progress = { done, total, fraction: total ? Math.min(1, done / total) : 0 };
    };
    job.promise = (async () => {
      try {
        const r = await run(controller.signal, progress);
        if (controller.signal.aborted) throw controller.signal.reason;
        view.status = 'done';
        view.result = r;
        view.progress = { ...view.progress, done: view.progress.total, fraction: 1 };
        return r;
      } catch (e) {
        const stopped = controller.signal.aborted ? (controller.signal.reason as unknown) : e;
        if (stopped instanceof BacktestStopped) {
          view.status = stopped.code === 'cancelled' ? 'cancelled' : 'failed';
          view.error = { code: stopped.code, message: stopped.message };
          throw stopped;
        }
        view.status = 'failed';
        view.error = { code: (e as { code?: string })?.code ?? 'backtest_failed', message: String((e as Error)?.message ?? e) };
        throw e;
      } finally {
        clearTimeout(timer);
        view.finishedAt = new Date().toISOString();
        job.finished = Date.now();
        if (this.running.get(country) === job) this.running.delete(country);
      }
    })();
    // a job nobody awaits must not be an unhandled rejection
    job.promise.catch(() => undefined);
    this.jobs.set(view.id, job);
    this.running.set(country, job);
    return { view, promise: job.promise };
  }

  /** The job, if it belongs to an administration `visible` accepts (404 otherwise: existence is not revealed). */
  get(id: string, visible: (country: string) => boolean): BacktestJobView {
    const j = this.jobs.get(id);
    if (!j || !visible(j.view.country)) throw new NotFoundError(`backtest ${id}`);
    return j.view;
  }

  /** Cancels a running job (its worker thread is terminated); a finished one is left as it is. */
  cancel(id: string, visible: (country: string) => boolean, by: string): BacktestJobView {
    const j = this.jobs.get(id);
    if (!j || !visible(j.view.country)) throw new NotFoundError(`backtest ${id}`);
    if (j.view.status === 'running') j.controller.abort(new BacktestStopped('cancelled', `cancelled by ${by}`));
    return j.view;
  }

  /** Cancels the job if it is still running (e.g. its caller went away). */
  abandon(id: string): void {
    const j = this.jobs.get(id);
    if (j && j.view.status === 'running') j.controller.abort(new BacktestStopped('cancelled', 'cancelled: the client that started it went away'));
  }

  /** Cancels every running job (the server is closing). */
  cancelAll(why: string): void {
    for (const j of this.running.values()) j.controller.abort(new BacktestStopped('cancelled', why));
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, j] of this.jobs) if (j.finished && now - j.finished > KEEP_MS) this.jobs.delete(id);
  }
}
