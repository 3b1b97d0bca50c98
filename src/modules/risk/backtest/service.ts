import { ConflictError, ValidationError } from '../../../core/errors.ts';
import { inScope, requireCountry } from '../../access/scope.ts';
import type { Principal } from '../../access/types.ts';
import type { Stage } from '../cel.ts';
import type { CriteriaService } from '../criteria/service.ts';
import type { RiskDeps } from '../deps.ts';
import type { CriterionScope } from '../engine.ts';
import type { ReferencePrices } from '../reference.ts';
import type { BacktestInput } from '../schema.ts';
import type { BacktestResult } from '../views.ts';
import { backtest } from './backtest.ts';
import { BacktestJobs, type BacktestJobView } from './pool.ts';
import { DeclarationSnapshot } from './snapshot.ts';

/** What the backtest room needs from elsewhere in risk: the reference prices, loaded. */
export interface BacktestPorts {
  prices(): Promise<ReferencePrices>;
}

/**
 * The backtest room: a draft expression (or a criterion's latest version) over up to a year of an
 * administration's history, on worker threads, as jobs (one running per administration).
 */
export class BacktestService {
  /** per administration: the declarations as criteria see them, for backtests */
  private snapshots = new Map<string, DeclarationSnapshot>();
  /** backtests running or recently finished (one running per administration) */
  private jobs = new BacktestJobs();

  constructor(
    private readonly deps: RiskDeps,
    private readonly criteria: CriteriaService,
    private readonly ports: BacktestPorts,
  ) {}

  /**
   * Runs a backtest and answers when it is done (the job API below answers at once and is
   * polled). `onJob` learns the job (e.g. to cancel it when the client goes away).
   */
  async backtest(actor: Principal, i: BacktestInput, onJob?: (id: string) => void): Promise<BacktestResult> {
    const { view, promise } = await this.startJob(actor, i);
    onJob?.(view.id);
    return promise;
  }

  /** Starts a backtest job (409 while another backtest of the administration runs). */
  async startBacktest(actor: Principal, i: BacktestInput): Promise<BacktestJobView> {
    return (await this.startJob(actor, i)).view;
  }

  getBacktest(actor: Principal, id: string): BacktestJobView {
    return this.jobs.get(id, (c) => inScope(actor, c));
  }

  cancelBacktest(actor: Principal, id: string): BacktestJobView {
    return this.jobs.cancel(id, (c) => inScope(actor, c), actor.name);
  }

  /** Cancels a job whose caller went away. */
  abandonBacktest(id: string): void {
    this.jobs.abandon(id);
  }

  /** Cancels the running backtests (the server is closing). */
  cancelBacktests(): void {
    this.jobs.cancelAll('cancelled: the server is shutting down');
  }

  private async startJob(actor: Principal, i: BacktestInput) {
    const country = i.country ?? actor.country;
    requireCountry(actor, country);
    let expression = i.expression;
    let stage: Stage = i.stage;
    let scope: Partial<CriterionScope> | undefined = i.scope as Partial<CriterionScope> | undefined;
    if (i.criterionId) {
      const c = await this.criteria.getCriterion(actor, i.criterionId);
      const v = c.pendingVersion ?? c.activeVersion;
      if (!v) throw new ConflictError(`criterion ${i.criterionId} has no version`);
      expression = v.expression;
      scope = v.scope;
      stage = (v.scope.stages.find((s) => s !== 'manifest') ?? 'declaration') as Stage;
    }
    if (!expression) throw new ValidationError([{ path: 'expression', code: 'required', message: 'give an expression or a criterionId' }]);
    if (stage === 'manifest') throw new ValidationError([{ path: 'stage', code: 'not_supported', message: 'backtests run over declarations' }]);
    this.criteria.checkAll(expression, [stage]);
    const to = i.to ? new Date(i.to) : this.deps.clock.now();
    const from = i.from ? new Date(i.from) : new Date(to.getTime() - 365 * 86_400_000);
    if (to.getTime() - from.getTime() > 366 * 86_400_000) throw new ValidationError([{ path: 'from', code: 'period_too_long', message: 'a backtest covers at most a year' }]);
    const prices = (await this.ports.prices()).table(country);
    let snapshot = this.snapshots.get(country);
    if (!snapshot) this.snapshots.set(country, (snapshot = new DeclarationSnapshot(country)));
    const snap = snapshot;
    const run = expression;
    return this.jobs.start(country, actor.name, (signal, onProgress) => backtest(this.deps.db, { country, expression: run, stage, scope, from, to, labels: i.labels, snapshot: snap, prices, signal, onProgress }));
  }
}
