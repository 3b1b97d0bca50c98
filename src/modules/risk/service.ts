import type { Tx } from '../../db/client.ts';
import type { AuditEntryInput } from '../access/audit.ts';
import { SYSTEM_PRINCIPAL, type Principal } from '../access/types.ts';
import type { Channel, Declaration, Manifest } from '../declarations/schema.ts';
import type { Assessor, AssessorDecision } from '../declarations/service.ts';
import { BacktestService } from './backtest/service.ts';
import type { Stage } from './cel.ts';
import { ControlsService } from './controls/service.ts';
import { CriteriaService } from './criteria/service.ts';
import type { RiskDecision } from './decision.ts';
import type { RiskDeps } from './deps.ts';
import { traderTinOf, type RiskConfig } from './engine.ts';
import { ReferencePrices } from './reference.ts';
import type { BacktestInput, ControlResultInput, CriterionEdit, CriterionInput } from './schema.ts';
import { riskAssessor } from './selectivity/assessor.ts';
import { SelectivityService, type ModelScorer } from './selectivity/service.ts';
import type { RiskOverrides } from './settings.ts';

export type { RiskDeps } from './deps.ts';
export type { AssessmentInputs, OfficerOnDuty, RiskDecision } from './decision.ts';
export type { ModelScorer } from './selectivity/service.ts';
export { recordCriterionFailures, type CriterionFailures } from './criteria/repository.ts';
export { versionView, type CriterionView } from './criteria/views.ts';

/**
 * The risk module's use cases, as one facade over its rooms: criteria/ (the four-eyes lifecycle,
 * versions, the compiled rule sets), selectivity/ (the assessor plugged into intake, manifest
 * marks, settings, reference prices, replay), controls/ (controls assigned at random, overrides,
 * reassignments, results, the duty roster, effectiveness, the read views) and backtest/. Each
 * room has its service and its repository; this class only builds them and forwards to them, so
 * that routes, the CLI and other modules keep one entry point.
 */
export class RiskService {
  readonly criteria: CriteriaService;
  readonly selectivity: SelectivityService;
  readonly controls: ControlsService;
  readonly backtests: BacktestService;

  constructor(readonly deps: RiskDeps) {
    const prices = new ReferencePrices();
    this.criteria = new CriteriaService(deps, prices);
    this.selectivity = new SelectivityService(deps, this.criteria, prices);
    this.controls = new ControlsService(deps, { seed: (tx) => this.selectivity.seed(tx), getConfig: (tx, country) => this.selectivity.getConfig(tx, country) });
    this.backtests = new BacktestService(deps, this.criteria, { prices: () => this.selectivity.ensurePrices(deps.db) });
  }

  /** the reference unit values criteria read (`prices.useSource(...)` plugs the valuation database in) */
  get prices(): ReferencePrices {
    return this.selectivity.prices;
  }

  setModelScorer(m: ModelScorer | null): void {
    this.selectivity.setModelScorer(m);
  }

  /** Reloads the reference unit values (valuation medians) from the stored history. */
  refreshReferencePrices(tx: Tx = this.deps.db): Promise<void> {
    return this.selectivity.refreshReferencePrices(tx);
  }

  // ------------------------------------------------------------------ configuration (selectivity)

  getConfig(tx: Tx, country: string): Promise<RiskConfig> {
    return this.selectivity.getConfig(tx, country);
  }
  setConfig(actor: Principal, country: string, patch: Partial<RiskConfig> | RiskOverrides, reason = 'settings changed'): Promise<RiskConfig> {
    return this.selectivity.setConfig(actor, country, patch, reason);
  }
  replaceConfig(actor: Principal, country: string, doc: RiskOverrides, reason: string): Promise<RiskConfig> {
    return this.selectivity.replaceConfig(actor, country, doc, reason);
  }
  listConfigVersions(actor: Principal, country: string) {
    return this.selectivity.listConfigVersions(actor, country);
  }
  revertConfig(actor: Principal, country: string, version: number, reason: string): Promise<RiskConfig> {
    return this.selectivity.revertConfig(actor, country, version, reason);
  }

  // ------------------------------------------------------------------ criteria

  check(expression: string, stage: Stage) {
    return this.criteria.check(expression, stage);
  }
  createCriterion(actor: Principal, input: CriterionInput) {
    return this.criteria.createCriterion(actor, input);
  }
  /** A criterion written in the caller's transaction; with `submit`, awaiting a second person's approval at once. */
  createCriterionIn(tx: Tx, actor: Principal, input: CriterionInput, opts: { submit?: boolean; origin?: Record<string, unknown> } = {}) {
    return this.criteria.createCriterionIn(tx, actor, input, opts);
  }
  /** A criterion's figures over [from, to): assessed while in force, selected, controls with a result and with findings. */
  criterionStats(tx: Tx, country: string, criterionId: string, from: Date, to: Date) {
    return this.criteria.criterionStats(tx, country, criterionId, from, to);
  }
  editCriterion(actor: Principal, id: string, patch: CriterionEdit) {
    return this.criteria.editCriterion(actor, id, patch);
  }
  submitCriterion(actor: Principal, id: string) {
    return this.criteria.submitCriterion(actor, id);
  }
  approveCriterion(actor: Principal, id: string, note?: string) {
    return this.criteria.approveCriterion(actor, id, note);
  }
  rejectCriterion(actor: Principal, id: string, note: string) {
    return this.criteria.rejectCriterion(actor, id, note);
  }
  suspendCriterion(actor: Principal, id: string, reason: string) {
    return this.criteria.suspendCriterion(actor, id, reason);
  }
  resumeCriterion(actor: Principal, id: string, reason: string) {
    return this.criteria.resumeCriterion(actor, id, reason);
  }
  listCriteria(actor: Principal, f: { country?: string; status?: string } = {}) {
    return this.criteria.listCriteria(actor, f);
  }
  getCriterion(actor: Principal, id: string) {
    return this.criteria.getCriterion(actor, id);
  }
  ruleset(tx: Tx, country: string, generation?: number) {
    return this.criteria.ruleset(tx, country, generation);
  }

  // ------------------------------------------------------------------ the assessor (selectivity, then controls)

  /** The assessor the intake flow runs (src/flows/intake.ts; the composition root hands it over). */
  assessor(): Assessor {
    return riskAssessor(this.deps.clock, this.selectivity, this.controls);
  }

  /** The decisions of a batch; each carries the officers on duty that `openControls` draws from. */
  assess(tx: Tx, list: { id: string; version: number; declaration: Declaration }[]): Promise<RiskDecision[]> {
    return this.selectivity.assess(tx, list);
  }
  targetManifests(tx: Tx, list: { id: string; version: number; manifest: Manifest }[], actor: Principal): Promise<void> {
    return this.selectivity.targetManifests(tx, list, actor);
  }
  listMarks(actor: Principal, f: { country?: string; manifestId?: string; limit?: number }) {
    return this.selectivity.listMarks(actor, f);
  }
  replay(actor: Principal, assessmentId: string) {
    return this.selectivity.replay(actor, assessmentId);
  }

  // ------------------------------------------------------------------ controls

  openControls(tx: Tx, rows: { assessmentId: string; declarationId: string; version: number; declaration: Declaration; decision: AssessorDecision }[], actor: Principal): Promise<AuditEntryInput[]> {
    return this.controls.openControls(tx, rows, actor);
  }
  getControl(actor: Principal, id: string) {
    return this.controls.getControl(actor, id);
  }
  controlForSharing(tx: Tx, actor: Principal, id: string) {
    return this.controls.controlForSharing(tx, actor, id);
  }
  queue(actor: Principal, f: { office?: string; status?: string; limit?: number } = {}) {
    return this.controls.queue(actor, f);
  }
  reassign(actor: Principal, id: string, reason: string) {
    return this.controls.reassign(actor, id, reason);
  }
  assignWaiting(tx: Tx, actor: Principal, country: string, office: string): Promise<number> {
    return this.controls.assignWaiting(tx, actor, country, office);
  }
  override(actor: Principal, assessmentId: string, input: { channel: Channel; reasonCode: string; reason: string }) {
    return this.controls.override(actor, assessmentId, input);
  }
  recordResult(actor: Principal, controlId: string, r: ControlResultInput) {
    return this.controls.recordResult(actor, controlId, r);
  }
  effectiveness(actor: Principal, f: { country?: string; from?: string; to?: string }) {
    return this.controls.effectiveness(actor, f);
  }
  addDuty(actor: Principal, input: { officerId: string; office: string; from: string; to: string }) {
    return this.controls.addDuty(actor, input);
  }
  endDuty(actor: Principal, id: string) {
    return this.controls.endDuty(actor, id);
  }
  roster(actor: Principal, f: { office?: string; at?: string } = {}) {
    return this.controls.roster(actor, f);
  }
  declarationRisk(actor: Principal, declarationId: string) {
    return this.controls.declarationRisk(actor, declarationId);
  }
  traderRisk(actor: Principal, tin: string, f: { country?: string; limit?: number } = {}) {
    return this.controls.traderRisk(actor, tin, f);
  }

  // ------------------------------------------------------------------ backtests

  backtest(actor: Principal, i: BacktestInput, onJob?: (id: string) => void) {
    return this.backtests.backtest(actor, i, onJob);
  }
  startBacktest(actor: Principal, i: BacktestInput) {
    return this.backtests.startBacktest(actor, i);
  }
  getBacktest(actor: Principal, id: string) {
    return this.backtests.getBacktest(actor, id);
  }
  cancelBacktest(actor: Principal, id: string) {
    return this.backtests.cancelBacktest(actor, id);
  }
  abandonBacktest(id: string): void {
    this.backtests.abandonBacktest(id);
  }
  cancelBacktests(): void {
    this.backtests.cancelBacktests();
  }
}

export { SYSTEM_PRINCIPAL, traderTinOf };
