import { and, asc, desc, eq, gt, inArray, isNull, lte, sql, type SQL } from 'drizzle-orm';
import type { Clock } from '../../core/clock.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../core/errors.ts';
import { uuidv7 } from '../../core/ids.ts';
import { queryRows, schema, type Db, type Tx } from '../../db/client.ts';
import { appendAudit, type AuditEntryInput } from '../access/audit.ts';
import { inScope, requireCountry } from '../access/scope.ts';
import { requireSecondPerson } from '../access/policy.ts';
import { SYSTEM_PRINCIPAL, type Principal } from '../access/types.ts';
import type { AssessmentReason, Channel, Declaration, Manifest, RiskLevel } from '../declarations/schema.ts';
import type { Assessor, AssessorDecision } from '../declarations/service.ts';
import { randomDraw } from './baseline.ts';
import { currentChannel } from './channel.ts';
import {
  celConsignment,
  celDeclaration,
  celManifest,
  celTrader,
  checkExpression,
  formatProblem,
  setEvaluationCountry,
  setReferenceLookups,
  type ConsignmentView,
  type Stage,
  type TraderView,
} from './cel.ts';
import {
  decide,
  defaultRiskConfig,
  demotable,
  maxChannel,
  redAllowed,
  RISK_ENGINE,
  RuleSet,
  stageOf,
  traderTinOf,
  traderView,
  type CriterionFailure,
  type CriterionScope,
  type MarkInput,
  type ModelInput,
  type RiskConfig,
  type TraderStats,
} from './engine.ts';
import { ReferencePrices } from './reference.ts';
import { backtest, type BacktestResult } from './backtest.ts';
import { BacktestJobs, type BacktestJobView } from './backtest-pool.ts';
import { DeclarationSnapshot } from './snapshot.ts';
import { effectiveness, type Effectiveness } from './effectiveness.ts';
import { replayAssessment, type ReplayResult } from './replay.ts';
import type { BacktestInput, ControlResultInput, CriterionEdit, CriterionInput } from './schema.ts';
import { applyOverrides, effectiveProblems, effectiveRiskConfig, readOverrides, riskOverridesSchema, selectivitySeed, type RiskOverrides, type SelectivitySeed } from './settings.ts';
import { toFieldErrors } from '../declarations/validate.ts';
import { localDay } from './localday.ts';
import { versionDef, versionsSinceApproved, type VersionRow } from './versions.ts';

export interface RiskDeps {
  db: Db;
  clock: Clock;
  config: { randomControlRate: number };
}

/** The model hook the intelligence issue fills: a probability of fraud per declaration, or null. */
export interface ModelScorer {
  version: string;
  /** a probability (recorded with `version`), or a full ModelInput (version, explanation, challenger, exploration) */
  score(tx: Tx, items: { id: string; declaration: Declaration }[]): Promise<(number | ModelInput | null)[]>;
}

type CriterionRow = typeof schema.riskCriteria.$inferSelect;

const GENERATION_KEY = 'risk.generation';
const configKey = (country: string) => `risk.config.${country}`;

const actorId = (p: Principal) => `${p.kind}:${p.id}`;

function mergeConfig(randomControlRate: number, stored: unknown): RiskConfig {
  return effectiveRiskConfig(randomControlRate, stored);
}

interface OfficeDay {
  decisions: number;
  reds: number;
  yellows: number;
  demoted: number;
}

/**
 * Capacity per office and (local) day: beyond the expected red rate, the lowest-scored reds that
 * no criterion forced become yellow. Starts from the counters as stored; returns the increments.
 */
function applyCapacity(stored: Map<string, OfficeDay>, country: string, day: string, list: { office: string; d: ReturnType<typeof decide>; inputs: AssessmentInputs }[], config: RiskConfig): Map<string, OfficeDay> {
  const state = new Map<string, OfficeDay>();
  const delta = new Map<string, OfficeDay>();
  // highest scores take the red places first
  const order = list.map((_, i) => i).sort((a, b) => Number(list[b].d.forced) - Number(list[a].d.forced) || list[b].d.score - list[a].d.score);
  for (const k of order) {
    const x = list[k];
    let s = state.get(x.office);
    if (!s) state.set(x.office, (s = { ...(stored.get(x.office) ?? { decisions: 0, reds: 0, yellows: 0, demoted: 0 }) }));
    let dl = delta.get(x.office);
    if (!dl) delta.set(x.office, (dl = { decisions: 0, reds: 0, yellows: 0, demoted: 0 }));
    const cap = config.capacity.offices[x.office] ?? config.capacity.default;
    if (x.d.channel === 'red') {
      const { allowed, limit } = redAllowed(s.reds, s.decisions, cap);
      const capState = { office: x.office, day, decisionsBefore: s.decisions, redsBefore: s.reds, limit, demoted: false } as NonNullable<AssessmentInputs['capacity']>;
      if (!allowed && demotable(x.d)) {
        x.d.channel = 'yellow';
        x.d.reasons.push({ code: 'capacity_demotion', text: `Demoted from red to yellow: the office ${x.office} reached its red capacity for ${day} (${s.reds} of ${limit})` });
        capState.demoted = true;
        capState.before = 'red';
        s.demoted++;
        dl.demoted++;
      }
      x.inputs.capacity = capState;
    }
    s.decisions++;
    dl.decisions++;
    if (x.d.channel === 'red') {
      s.reds++;
      dl.reds++;
    } else if (x.d.channel === 'yellow') {
      s.yellows++;
      dl.yellows++;
    }
  }
  void country;
  return delta;
}


/**
 * Counts the records criteria could not be evaluated on (per criterion version, with the last
 * error), in the intake's transaction: analysts see it on the criterion.
 */
export async function recordCriterionFailures(tx: Tx, country: string, now: Date, failures: (CriterionFailure & { reference?: string })[]): Promise<void> {
  const byVersion = new Map<string, { criterionId: string; n: number; budget: number; last: CriterionFailure & { reference?: string } }>();
  for (const f of failures) {
    if (!f.criterionId) continue;
    let x = byVersion.get(f.versionId);
    if (!x) byVersion.set(f.versionId, (x = { criterionId: f.criterionId, n: 0, budget: 0, last: f }));
    x.n++;
    if (f.code === 'budget_exceeded') x.budget++;
    x.last = f;
  }
  if (!byVersion.size) return;
  const nowIso = now.toISOString();
  // in version order: concurrent intakes lock the rows in the same order
  const rows = [...byVersion].sort(([a], [b]) => (a < b ? -1 : 1));
  await tx.execute(sql`insert into risk_criterion_errors (version_id, criterion_id, country, failures, budget_exceeded, first_at, last_at, last_code, last_error, last_reference)
    values ${sql.join(
      rows.map(([v, x]) => sql`(${v}::uuid, ${x.criterionId}::uuid, ${country}, ${x.n}, ${x.budget}, ${nowIso}, ${nowIso}, ${x.last.code ?? 'criterion_error'}, ${x.last.message}, ${x.last.reference ?? null})`),
      sql`, `,
    )}
    on conflict (version_id) do update set failures = risk_criterion_errors.failures + excluded.failures,
      budget_exceeded = risk_criterion_errors.budget_exceeded + excluded.budget_exceeded, last_at = excluded.last_at,
      last_code = excluded.last_code, last_error = excluded.last_error, last_reference = excluded.last_reference`);
}

/** What analysts see of a criterion's failures: records it could not be evaluated on, and the last error. */
export interface CriterionFailures {
  failures: number;
  budgetExceeded: number;
  lastAt: string;
  lastCode: string;
  lastError: string;
  lastReference: string | null;
  lastVersionId: string;
}

async function criterionFailures(tx: Tx, country: string, criterionId: string | null): Promise<Map<string, CriterionFailures>> {
  const rows = await tx
    .select()
    .from(schema.riskCriterionErrors)
    .where(criterionId ? eq(schema.riskCriterionErrors.criterionId, criterionId) : eq(schema.riskCriterionErrors.country, country))
    .orderBy(asc(schema.riskCriterionErrors.lastAt));
  const out = new Map<string, CriterionFailures>();
  for (const r of rows) {
    const x = out.get(r.criterionId);
    const last = { lastAt: r.lastAt.toISOString(), lastCode: r.lastCode, lastError: r.lastError, lastReference: r.lastReference, lastVersionId: r.versionId };
    if (x) out.set(r.criterionId, { ...x, failures: x.failures + Number(r.failures), budgetExceeded: x.budgetExceeded + Number(r.budgetExceeded), ...last });
    else out.set(r.criterionId, { failures: Number(r.failures), budgetExceeded: Number(r.budgetExceeded), ...last });
  }
  return out;
}

export interface AssessmentInputs {
  rulesetId: string;
  stage: Stage;
  at: string;
  criteria: { evaluated: number; hits: { v: string; c: string }[]; errors: CriterionFailure[] };
  model: ModelInput | null;
  trader: TraderView;
  random: { seedId: string; draw: number; rate: number; selected: boolean };
  mark: MarkInput | null;
  consignment: ConsignmentView | null;
  refPrices: Record<string, number>;
  config: RiskConfig;
  capacity: { office: string; day: string; decisionsBefore: number; redsBefore: number; limit: number; demoted: boolean; before?: Channel } | null;
  forced: boolean;
}

/**
 * The risk module's use cases: criteria and their four-eyes lifecycle, the selectivity assessor
 * plugged into intake, manifest targeting, controls with random assignment, supervisor
 * overrides and reassignments, results, effectiveness, backtests and replay.
 */
export class RiskService {
  readonly prices = new ReferencePrices();
  private rulesets = new Map<string, { gen: number; rs: RuleSet }>();
  private model: ModelScorer | null = null;
  /** per administration: the declarations as criteria see them, for backtests */
  private snapshots = new Map<string, DeclarationSnapshot>();
  /** backtests running or recently finished (one running per administration) */
  private backtestJobs = new BacktestJobs();
  private pricesRefreshMs = 3_600_000;
  private pricesLoading: Promise<void> | null = null;

  constructor(readonly deps: RiskDeps) {
    setReferenceLookups(this.prices);
  }

  setModelScorer(m: ModelScorer | null): void {
    this.model = m;
  }

  /** Reloads the reference unit values (valuation medians) from the stored history. */
  async refreshReferencePrices(tx: Tx = this.deps.db): Promise<void> {
    await this.prices.load(tx, this.deps.clock.now());
    setReferenceLookups(this.prices);
  }

  private async ensurePrices(tx: Tx): Promise<void> {
    if (this.prices.loadedAt && Date.now() - this.prices.loadedAt < this.pricesRefreshMs) return;
    this.pricesLoading ??= this.refreshReferencePrices(tx).finally(() => (this.pricesLoading = null));
    await this.pricesLoading;
  }

  private seedCache: SelectivitySeed | null = null;
  private async seed(tx: Tx): Promise<SelectivitySeed> {
    return (this.seedCache ??= await selectivitySeed(tx, this.deps.clock));
  }

  // ------------------------------------------------------------------ configuration

  async getConfig(tx: Tx, country: string): Promise<RiskConfig> {
    const r = await tx.select().from(schema.settings).where(eq(schema.settings.key, configKey(country)));
    return mergeConfig(this.deps.config.randomControlRate, r[0]?.value);
  }

  /**
   * Changes the settings by merging `patch` into the stored overrides, top-level key by key
   * (kept for callers inside the server; the API replaces the whole document: `replaceConfig`).
   */
  async setConfig(actor: Principal, country: string, patch: Partial<RiskConfig> | RiskOverrides, reason = 'settings changed'): Promise<RiskConfig> {
    return this.writeConfig(actor, country, reason, null, (current) => ({ ...current, ...(patch as RiskOverrides) }));
  }

  /** Replaces the administration's overrides with `doc` (a key left out takes its default again). */
  async replaceConfig(actor: Principal, country: string, doc: RiskOverrides, reason: string): Promise<RiskConfig> {
    return this.writeConfig(actor, country, reason, null, () => doc);
  }

  /** Every change of the settings, newest first. */
  async listConfigVersions(actor: Principal, country: string): Promise<{ country: string; version: number; settings: unknown; actor: string; reason: string; revertedFrom: number | null; createdAt: Date }[]> {
    requireCountry(actor, country);
    return this.deps.db.select().from(schema.riskConfigVersions).where(eq(schema.riskConfigVersions.country, country)).orderBy(desc(schema.riskConfigVersions.version));
  }

  /** Puts back the overrides of an earlier version, as a new version that says so. */
  async revertConfig(actor: Principal, country: string, version: number, reason: string): Promise<RiskConfig> {
    requireCountry(actor, country);
    const [v] = await this.deps.db
      .select()
      .from(schema.riskConfigVersions)
      .where(and(eq(schema.riskConfigVersions.country, country), eq(schema.riskConfigVersions.version, version)));
    if (!v) throw new ValidationError([{ path: 'version', code: 'unknown_version', message: `there is no version ${version} of the settings of ${country}` }]);
    return this.writeConfig(actor, country, reason, version, () => readOverrides(v.settings).overrides);
  }

  /** One versioned, audited change: parsed, checked across fields, stored with who, when and why. */
  private async writeConfig(actor: Principal, country: string, reason: string, revertedFrom: number | null, next: (current: RiskOverrides) => RiskOverrides): Promise<RiskConfig> {
    requireCountry(actor, country);
    return this.deps.db.transaction(async (tx) => {
      // one writer per administration at a time: versions are numbered without gaps
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${configKey(country)}))`);
      const r = await tx.select().from(schema.settings).where(eq(schema.settings.key, configKey(country)));
      const current = readOverrides(r[0]?.value).overrides;
      const parsed = riskOverridesSchema.safeParse(next(current));
      if (!parsed.success) throw new ValidationError(toFieldErrors(parsed.error));
      const doc = parsed.data;
      const base = defaultRiskConfig(this.deps.config.randomControlRate);
      const after = applyOverrides(base, doc);
      const problems = effectiveProblems(after);
      if (problems.length) throw new ValidationError(problems);
      const before = mergeConfig(this.deps.config.randomControlRate, r[0]?.value);
      const now = this.deps.clock.now();
      const [{ last }] = await queryRows<{ last: number | null }>(tx, sql`select max(version) as last from risk_config_versions where country = ${country}`);
      const version = Number(last ?? 0) + 1;
      await tx
        .insert(schema.settings)
        .values({ key: configKey(country), value: doc, updatedAt: now })
        .onConflictDoUpdate({ target: schema.settings.key, set: { value: doc, updatedAt: now } });
      await tx.insert(schema.riskConfigVersions).values({ country, version, settings: doc, actor: actor.name, reason, revertedFrom, createdAt: now });
      await appendAudit(
        tx,
        { actor, country, action: revertedFrom === null ? 'risk.config_changed' : 'risk.config_reverted', entityType: 'risk_config', entityId: country, before, after: { ...after, version, reason, ...(revertedFrom === null ? {} : { revertedFrom }) } },
        this.deps.clock,
      );
      return after;
    });
  }

  // ------------------------------------------------------------------ criteria

  private checkAll(expression: string, stages: Stage[], path = 'expression'): void {
    const errors: FieldError[] = [];
    for (const st of stages) {
      const r = checkExpression(expression, st);
      if (!r.ok) {
        errors.push({ path, code: 'invalid_expression', message: `${stages.length > 1 ? `[stage ${st}] ` : ''}${formatProblem(r.problem)}` });
        const p = r.problem;
        Object.assign(errors[errors.length - 1], { line: p.line, column: p.column, ...(p.expected ? { expected: p.expected } : {}), ...(p.suggestion ? { suggestion: p.suggestion } : {}), ...(p.unknown ? { unknown: p.unknown } : {}) });
        break;
      }
    }
    if (errors.length) throw new ValidationError(errors, `The expression does not check: ${errors[0].message.split('\n')[0]}`);
  }

  private validateRule(v: { scope: CriterionScope; weight: number; forcedChannel: string | null; manifestAction: string | null; expression: string }): void {
    const errs: FieldError[] = [];
    const manifest = v.scope.stages.includes('manifest');
    if (manifest && v.scope.stages.length > 1) errs.push({ path: 'scope.stages', code: 'mixed_stages', message: 'a manifest criterion sees other data than a declaration criterion: give it the manifest stage alone' });
    if (manifest && !v.manifestAction) errs.push({ path: 'manifestAction', code: 'required', message: 'a manifest criterion says what to do with the consignment: hold, scan or inspect' });
    if (!manifest && v.manifestAction) errs.push({ path: 'manifestAction', code: 'not_applicable', message: 'only manifest criteria mark consignments' });
    if (!manifest && v.weight === 0 && !v.forcedChannel) errs.push({ path: 'weight', code: 'no_effect', message: 'give the criterion a weight or a forced channel, or it changes nothing' });
    if (errs.length) throw new ValidationError(errs);
    this.checkAll(v.expression, v.scope.stages);
  }

  /** Checks an expression without saving it (for editors). */
  check(expression: string, stage: Stage) {
    return checkExpression(expression, stage);
  }

  async createCriterion(actor: Principal, input: CriterionInput) {
    const country = input.country ?? actor.country;
    requireCountry(actor, country);
    const scope = input.scope as CriterionScope;
    this.validateRule({ ...input, scope });
    const now = this.deps.clock.now();
    return this.deps.db.transaction(async (tx) => {
      const id = uuidv7(now.getTime());
      const vid = uuidv7(now.getTime());
      await tx.insert(schema.riskCriteria).values({ id, country, name: input.name, status: 'draft', regional: input.regional, pendingVersionId: vid, createdBy: actor.name, createdAt: now, updatedAt: now });
      const v = this.versionRow(vid, id, country, 1, input, scope, actor, now);
      await tx.insert(schema.riskCriterionVersions).values(v);
      await appendAudit(tx, { actor, country, action: 'criterion.created', entityType: 'risk_criterion', entityId: id, after: auditVersion(v) }, this.deps.clock);
      return this.getCriterionTx(tx, actor, id);
    });
  }

  private versionRow(id: string, criterionId: string, country: string, version: number, i: CriterionInput | (CriterionEdit & Pick<CriterionInput, 'name' | 'reason' | 'expression'>), scope: CriterionScope, actor: Principal, now: Date): typeof schema.riskCriterionVersions.$inferInsert {
    return {
      id,
      criterionId,
      country,
      version,
      status: 'draft',
      name: i.name,
      reason: i.reason,
      expression: i.expression,
      scope,
      weight: i.weight ?? 0,
      forcedChannel: i.forcedChannel ?? null,
      manifestAction: i.manifestAction ?? null,
      regional: i.regional ?? false,
      validFrom: i.validFrom ? new Date(i.validFrom) : now,
      validTo: i.validTo ? new Date(i.validTo) : null,
      authorId: actorId(actor),
      authorName: actor.name,
      createdAt: now,
    };
  }

  private async lockCriterion(tx: Tx, actor: Principal, id: string): Promise<CriterionRow> {
    const [c] = await tx.select().from(schema.riskCriteria).where(eq(schema.riskCriteria.id, id)).for('update');
    if (!c || !inScope(actor, c.country)) throw new NotFoundError(`criterion ${id}`);
    return c;
  }

  private async version(tx: Tx, id: string | null): Promise<VersionRow | undefined> {
    if (!id) return undefined;
    const [v] = await tx.select().from(schema.riskCriterionVersions).where(eq(schema.riskCriterionVersions.id, id));
    return v;
  }

  /** Every change makes a new version; an active version keeps running until the new one is approved. */
  async editCriterion(actor: Principal, id: string, patch: CriterionEdit) {
    return this.deps.db.transaction(async (tx) => {
      const c = await this.lockCriterion(tx, actor, id);
      const base = (await this.version(tx, c.pendingVersionId)) ?? (await this.version(tx, c.activeVersionId));
      if (!base) throw new ConflictError('the criterion has no version to edit');
      const merged = {
        name: patch.name ?? base.name,
        reason: patch.reason ?? base.reason,
        expression: patch.expression ?? base.expression,
        weight: patch.weight ?? base.weight,
        forcedChannel: patch.forcedChannel !== undefined ? patch.forcedChannel : (base.forcedChannel as CriterionInput['forcedChannel']),
        manifestAction: patch.manifestAction !== undefined ? patch.manifestAction : (base.manifestAction as CriterionInput['manifestAction']),
        regional: patch.regional ?? base.regional,
        validFrom: patch.validFrom ?? base.validFrom.toISOString(),
        validTo: patch.validTo !== undefined ? patch.validTo : (base.validTo?.toISOString() ?? null),
      };
      const scope = (patch.scope ?? base.scope) as CriterionScope;
      this.validateRule({ ...merged, scope });
      const now = this.deps.clock.now();
      const [{ max }] = await queryRows<{ max: number }>(tx, sql`select max(version)::int as max from risk_criterion_versions where criterion_id = ${id}`);
      if (c.pendingVersionId) await tx.update(schema.riskCriterionVersions).set({ status: 'withdrawn' }).where(eq(schema.riskCriterionVersions.id, c.pendingVersionId));
      const vid = uuidv7(now.getTime());
      const v = this.versionRow(vid, id, c.country, Number(max) + 1, merged, scope, actor, now);
      await tx.insert(schema.riskCriterionVersions).values(v);
      const status = c.activeVersionId && c.status === 'active' ? 'active' : c.status === 'suspended' ? 'suspended' : 'draft';
      await tx.update(schema.riskCriteria).set({ pendingVersionId: vid, name: merged.name, status, updatedAt: now }).where(eq(schema.riskCriteria.id, id));
      await appendAudit(tx, { actor, country: c.country, action: 'criterion.edited', entityType: 'risk_criterion', entityId: id, before: base ? auditVersion(base) : null, after: auditVersion(v) }, this.deps.clock);
      return this.getCriterionTx(tx, actor, id);
    });
  }

  async submitCriterion(actor: Principal, id: string) {
    return this.deps.db.transaction(async (tx) => {
      const c = await this.lockCriterion(tx, actor, id);
      const v = await this.version(tx, c.pendingVersionId);
      if (!v || v.status !== 'draft') throw new ConflictError(`criterion ${id} has no draft version to submit${v ? ` (version ${v.version} is ${v.status})` : ''}`);
      const now = this.deps.clock.now();
      await tx.update(schema.riskCriterionVersions).set({ status: 'awaiting_approval', submittedAt: now }).where(eq(schema.riskCriterionVersions.id, v.id));
      await tx.update(schema.riskCriteria).set({ status: c.status === 'draft' || c.status === 'rejected' ? 'awaiting_approval' : c.status, updatedAt: now }).where(eq(schema.riskCriteria.id, id));
      await appendAudit(tx, { actor, country: c.country, action: 'criterion.submitted', entityType: 'risk_criterion', entityId: id, after: { versionId: v.id, version: v.version } }, this.deps.clock);
      return this.getCriterionTx(tx, actor, id);
    });
  }

  /** Four eyes: the approver is never the author of the version. */
  async approveCriterion(actor: Principal, id: string, note?: string) {
    return this.deps.db.transaction(async (tx) => {
      const c = await this.lockCriterion(tx, actor, id);
      const v = await this.version(tx, c.pendingVersionId);
      if (!v || v.status !== 'awaiting_approval') throw new ConflictError(`criterion ${id} has no version awaiting approval${v ? ` (version ${v.version} is ${v.status}: submit it first)` : ''}`);
      // four eyes (policy.ts): a person, and none of the authors of the versions since the last approved one
      const all = await tx.select().from(schema.riskCriterionVersions).where(eq(schema.riskCriterionVersions.criterionId, id)).orderBy(asc(schema.riskCriterionVersions.version));
      const authored = versionsSinceApproved(all, v);
      const mine = authored.filter((x) => x.authorId === actorId(actor)).map((x) => x.version);
      if (mine.length)
        throw new ForbiddenError(`four eyes: you wrote version ${mine.join(', ')} of "${v.name}", which approving version ${v.version} would put into force, so someone else (a supervisor or another analyst) must approve it`);
      requireSecondPerson(actor, { keys: authored.map((x) => x.authorId) }, `version ${v.version} of "${v.name}"`);
      const now = this.deps.clock.now();
      if (c.activeVersionId) await tx.update(schema.riskCriterionVersions).set({ status: 'superseded' }).where(eq(schema.riskCriterionVersions.id, c.activeVersionId));
      await tx.update(schema.riskCriterionVersions).set({ status: 'active', decidedBy: actorId(actor), decidedByName: actor.name, decidedAt: now, decisionNote: note ?? null }).where(eq(schema.riskCriterionVersions.id, v.id));
      await tx.update(schema.riskCriteria).set({ status: 'active', activeVersionId: v.id, pendingVersionId: null, name: v.name, regional: v.regional, updatedAt: now }).where(eq(schema.riskCriteria.id, id));
      await this.bumpGeneration(tx);
      await appendAudit(tx, { actor, country: c.country, action: 'criterion.approved', entityType: 'risk_criterion', entityId: id, before: { activeVersionId: c.activeVersionId }, after: { activeVersionId: v.id, version: v.version, author: v.authorName, note: note ?? null } }, this.deps.clock);
      return this.getCriterionTx(tx, actor, id);
    });
  }

  async rejectCriterion(actor: Principal, id: string, note: string) {
    return this.deps.db.transaction(async (tx) => {
      const c = await this.lockCriterion(tx, actor, id);
      const v = await this.version(tx, c.pendingVersionId);
      if (!v || v.status !== 'awaiting_approval') throw new ConflictError(`criterion ${id} has no version awaiting approval`);
      if (v.authorId === actorId(actor)) throw new ForbiddenError('four eyes: the author cannot decide on their own version; withdraw it by editing instead');
      const now = this.deps.clock.now();
      await tx.update(schema.riskCriterionVersions).set({ status: 'rejected', decidedBy: actorId(actor), decidedByName: actor.name, decidedAt: now, decisionNote: note }).where(eq(schema.riskCriterionVersions.id, v.id));
      await tx.update(schema.riskCriteria).set({ status: c.activeVersionId ? c.status : 'rejected', pendingVersionId: null, updatedAt: now }).where(eq(schema.riskCriteria.id, id));
      await appendAudit(tx, { actor, country: c.country, action: 'criterion.rejected', entityType: 'risk_criterion', entityId: id, after: { versionId: v.id, version: v.version, note } }, this.deps.clock);
      return this.getCriterionTx(tx, actor, id);
    });
  }

  async suspendCriterion(actor: Principal, id: string, reason: string) {
    return this.setRunning(actor, id, false, reason);
  }

  /** Resuming needs four eyes too: not the person who suspended it. */
  async resumeCriterion(actor: Principal, id: string, reason: string) {
    return this.setRunning(actor, id, true, reason);
  }

  private async setRunning(actor: Principal, id: string, run: boolean, reason: string) {
    return this.deps.db.transaction(async (tx) => {
      const c = await this.lockCriterion(tx, actor, id);
      if (run ? c.status !== 'suspended' : c.status !== 'active') throw new ConflictError(`criterion ${id} is ${c.status}`);
      if (!c.activeVersionId) throw new ConflictError(`criterion ${id} has no approved version`);
      const now = this.deps.clock.now();
      if (run) {
        const [last] = await tx
          .select()
          .from(schema.auditLog)
          .where(and(eq(schema.auditLog.entityType, 'risk_criterion'), eq(schema.auditLog.entityId, id), eq(schema.auditLog.action, 'criterion.suspended')))
          .orderBy(desc(schema.auditLog.seq))
          .limit(1);
        if (last && last.actor === actor.name) throw new ForbiddenError('four eyes: someone other than who suspended the criterion must resume it');
      }
      await tx.update(schema.riskCriteria).set({ status: run ? 'active' : 'suspended', updatedAt: now }).where(eq(schema.riskCriteria.id, id));
      await this.bumpGeneration(tx);
      await appendAudit(tx, { actor, country: c.country, action: run ? 'criterion.resumed' : 'criterion.suspended', entityType: 'risk_criterion', entityId: id, before: { status: c.status }, after: { status: run ? 'active' : 'suspended', reason } }, this.deps.clock);
      return this.getCriterionTx(tx, actor, id);
    });
  }

  async listCriteria(actor: Principal, f: { country?: string; status?: string } = {}) {
    const country = f.country ?? actor.country;
    requireCountry(actor, country);
    const rows = await this.deps.db.select().from(schema.riskCriteria).where(eq(schema.riskCriteria.country, country)).orderBy(asc(schema.riskCriteria.createdAt));
    const ids = rows.flatMap((r) => [r.activeVersionId, r.pendingVersionId]).filter((x): x is string => !!x);
    const versions = ids.length ? await this.deps.db.select().from(schema.riskCriterionVersions).where(inArray(schema.riskCriterionVersions.id, ids)) : [];
    const byId = new Map(versions.map((v) => [v.id, v]));
    const now = this.deps.clock.now();
    const failures = await criterionFailures(this.deps.db, country, null);
    return rows
      .map((r) => ({ ...criterionView(r, byId.get(r.activeVersionId ?? '') ?? null, byId.get(r.pendingVersionId ?? '') ?? null, now), evaluationErrors: failures.get(r.id) ?? null }))
      .filter((c) => !f.status || c.status === f.status);
  }

  async getCriterion(actor: Principal, id: string) {
    return this.getCriterionTx(this.deps.db, actor, id);
  }

  private async getCriterionTx(tx: Tx, actor: Principal, id: string) {
    const [c] = await tx.select().from(schema.riskCriteria).where(eq(schema.riskCriteria.id, id));
    if (!c || !inScope(actor, c.country)) throw new NotFoundError(`criterion ${id}`);
    const versions = await tx.select().from(schema.riskCriterionVersions).where(eq(schema.riskCriterionVersions.criterionId, id)).orderBy(asc(schema.riskCriterionVersions.version));
    const byId = new Map(versions.map((v) => [v.id, v]));
    const failures = await criterionFailures(tx, c.country, id);
    return {
      ...criterionView(c, byId.get(c.activeVersionId ?? '') ?? null, byId.get(c.pendingVersionId ?? '') ?? null, this.deps.clock.now()),
      evaluationErrors: failures.get(id) ?? null,
      versions: versions.map(versionView),
    };
  }

  private async bumpGeneration(tx: Tx): Promise<void> {
    const now = this.deps.clock.now();
    await tx
      .insert(schema.settings)
      .values({ key: GENERATION_KEY, value: 1, updatedAt: now })
      .onConflictDoUpdate({ target: schema.settings.key, set: { value: sql`to_jsonb((${schema.settings.value}#>> '{}')::int + 1)`, updatedAt: now } });
  }

  private async generation(tx: Tx): Promise<number> {
    const [r] = await tx.select({ v: schema.settings.value }).from(schema.settings).where(eq(schema.settings.key, GENERATION_KEY));
    return r ? Number(r.v) : 0;
  }

  /** The active criteria of an administration, compiled (cached until an approval or suspension). */
  async ruleset(tx: Tx, country: string, generation?: number): Promise<RuleSet> {
    const gen = generation ?? (await this.generation(tx));
    const cached = this.rulesets.get(country);
    if (cached && cached.gen === gen) return cached.rs;
    const rows = await queryRows<VersionRow & Record<string, unknown>>(
      tx,
      sql`select v.id, v.criterion_id as "criterionId", v.name, v.reason, v.expression, v.scope, v.weight, v.forced_channel as "forcedChannel",
                 v.manifest_action as "manifestAction", v.valid_from as "validFrom", v.valid_to as "validTo"
          from risk_criteria c join risk_criterion_versions v on v.id = c.active_version_id
          where c.country = ${country} and c.status = 'active'`,
    );
    const defs = rows.map((r) => versionDef({ ...r, validFrom: new Date(r.validFrom as unknown as string), validTo: r.validTo ? new Date(r.validTo as unknown as string) : null } as VersionRow));
    const rs = new RuleSet(country, defs);
    await tx
      .insert(schema.riskRulesets)
      .values({ id: rs.id, country, versionIds: rs.versionIds, createdAt: this.deps.clock.now() })
      .onConflictDoNothing();
    this.rulesets.set(country, { gen, rs });
    return rs;
  }

  // ------------------------------------------------------------------ the assessor

  /** The selectivity assessor to plug into intake (`intake.setAssessor(risk.assessor())`). */
  assessor(): Assessor {
    return {
      assess: (tx, list) => this.assess(tx, list),
      recorded: (tx, rows, actor) => this.openControls(tx, rows, actor),
      assessManifests: (tx, list, actor) => this.targetManifests(tx, list, actor),
    };
  }

  async assess(tx: Tx, list: { id: string; version: number; declaration: Declaration }[]): Promise<AssessorDecision[]> {
    await this.ensurePrices(tx);
    const now = this.deps.clock.now();
    const at = now.getTime();
    const seed = await this.seed(tx);
    const out: AssessorDecision[] = new Array(list.length);
    const modelScores = this.model ? await this.model.score(tx, list.map((x) => ({ id: x.id, declaration: x.declaration }))) : null;
    const byCountry = new Map<string, number[]>();
    list.forEach((x, i) => {
      const g = byCountry.get(x.declaration.country);
      if (g) g.push(i);
      else byCountry.set(x.declaration.country, [i]);
    });
    const onDuty = new Map<string, { id: string; name: string }[]>();
    for (const [country, idx] of byCountry) {
      const day = localDay(country, now);
      const tins = [...new Set(idx.map((i) => traderTinOf(list[i].declaration)))];
      const docs = [...new Set(idx.map((i) => list[i].declaration.transportDocument).filter((d): d is string => !!d))];
      const offices = [...new Set(idx.map((i) => list[i].declaration.office))];
      // everything the decisions read, in one statement: settings (rule-set generation, config),
      // the traders' history, marks and consignments, who is on duty, and the office-day
      // capacity counters (created if absent and locked for the transaction)
      const ctx = await this.intakeContext(tx, country, day, now, tins, docs, offices);
      for (const [office, officers] of ctx.onDuty) onDuty.set(`${country}|${office}`, officers);
      const rs = await this.ruleset(tx, country, ctx.generation);
      const config = ctx.config;
      const { stats, marks, consignments } = ctx;
      setEvaluationCountry(country);
      const decided: { i: number; d: ReturnType<typeof decide>; inputs: AssessmentInputs }[] = [];
      const failures: (CriterionFailure & { reference: string })[] = [];
      for (const i of idx) {
        const { declaration: d, version } = list[i];
        const stage = stageOf(d.type);
        const tin = traderTinOf(d);
        const tv = traderView(stats.get(tin), tin, at);
        const doc = d.transportDocument;
        const cons = doc ? (consignments.get(`${d.manifestReference ?? ''}|${doc}`) ?? consignments.get(`|${doc}`) ?? null) : null;
        const markRow = doc ? (marks.get(`${d.manifestReference ?? ''}|${doc}`) ?? marks.get(`|${doc}`)) : undefined;
        const mark: MarkInput | null = markRow ?? null;
        const cd = celDeclaration(d);
        const ev = rs.evaluate(stage, d.office, d.type, at, { decl: cd, trader: celTrader(tv), consignment: celConsignment(cons) });
        const rate = config.randomRate.offices[d.office] ?? config.randomRate.default;
        const draw = randomDraw(seed.secret, `${country}|${d.reference}|${version}`);
        const ms = modelScores?.[i];
        const model = this.model && ms !== null && ms !== undefined ? (typeof ms === 'number' ? { version: this.model.version, score: ms } : ms) : null;
        const dd = decide({ hits: ev.hits, errors: ev.errors, model, trader: tv, draw, randomRate: rate, mark, config });
        for (const e of ev.errors) failures.push({ ...e, reference: d.reference });
        const refPrices: Record<string, number> = {};
        for (const it of cd.items) refPrices[it.subheading] = it.refUnitValue;
        decided.push({
          i,
          d: dd,
          inputs: {
            rulesetId: rs.id,
            stage,
            at: now.toISOString(),
            criteria: { evaluated: ev.evaluated, hits: ev.hits.map((h) => ({ v: h.versionId, c: h.criterionId })), errors: ev.errors },
            model,
            trader: tv,
            random: { seedId: seed.id, draw, rate, selected: dd.randomSelected },
            mark,
            consignment: cons,
            refPrices,
            config,
            capacity: null,
            forced: dd.forced,
          },
        });
      }
      const capacity = applyCapacity(ctx.capacity, country, day, decided.map((x) => ({ office: list[x.i].declaration.office, d: x.d, inputs: x.inputs })), config);
      for (const x of decided) out[x.i] = { channel: x.d.channel, riskLevel: x.d.riskLevel, score: x.d.score, reasons: x.d.reasons, engine: RISK_ENGINE, inputs: x.inputs as unknown as Record<string, unknown> };
      // the trader's history counts its new declarations, and the controls about to open (red and yellow)
      const traders = new Map<string, { declarations: number; controls: number }>();
      for (const x of decided) {
        const tin = traderTinOf(list[x.i].declaration);
        let t = traders.get(tin);
        if (!t) traders.set(tin, (t = { declarations: 0, controls: 0 }));
        if (list[x.i].version === 1) t.declarations++;
        if (x.d.channel === 'red' || x.d.channel === 'yellow') t.controls++;
      }
      for (const [tin, t] of traders) if (!t.declarations && !t.controls) traders.delete(tin);
      await this.writeCounters(tx, country, day, now, capacity, traders);
      if (failures.length) await recordCriterionFailures(tx, country, now, failures);
    }
    this.dutyByTx.set(tx, onDuty);
    return out;
  }

  /** On-duty officers read with the decisions' context, for the controls opened in the same transaction. */
  private dutyByTx = new WeakMap<Tx, Map<string, { id: string; name: string }[]>>();

  private async intakeContext(tx: Tx, country: string, day: string, now: Date, tins: string[], docs: string[], offices: string[]) {
    const list = (xs: string[]) => (xs.length ? sql.join(xs.map((x) => sql`${x}`), sql`, `) : sql`null`);
    const nowIso = now.toISOString();
    const [r] = await queryRows<{ settings: Record<string, unknown> | null; traders: any[] | null; marks: any[] | null; consignments: any[] | null; duty: any[] | null; capacity: any[] | null }>(
      tx,
      sql`with cap as (
            insert into risk_office_day (country, office, day, decisions, reds, yellows, demoted)
            values ${sql.join(offices.map((o) => sql`(${country}, ${o}, ${day}, 0, 0, 0, 0)`), sql`, `)}
            on conflict (country, office, day) do update set decisions = risk_office_day.decisions
            returning office, decisions, reds, yellows, demoted
          )
          select
            (select json_object_agg(key, value) from settings where key in (${GENERATION_KEY}, ${configKey(country)})) as settings,
            (select json_agg(json_build_object('tin', tin, 'declarations', declarations, 'controls', controls, 'hits', hits, 'seizures', seizures, 'firstSeen', first_seen))
               from risk_trader_history where country = ${country} and tin in (${list(tins)})) as traders,
            (select json_agg(json_build_object('id', id, 'action', action, 'channel', channel, 'manifestReference', manifest_reference, 'transportDocument', transport_document, 'reasons', reasons) order by created_at)
               from consignment_marks where country = ${country} and transport_document in (${list(docs)})) as marks,
            (select json_agg(json_build_object('ref', m.reference, 'transportDocument', c.transport_document, 'shipper', c.shipper, 'consignee', c.consignee, 'consigneeTin', c.consignee_tin,
                      'description', c.description, 'hsCode', c.hs_code, 'packages', c.packages, 'grossMassKg', c.gross_mass_kg, 'containers', c.containers))
               from consignments c join manifests m on m.id = c.manifest_id
               where m.country = ${country} and c.transport_document in (${list(docs)})) as consignments,
            (select json_agg(json_build_object('office', r.office, 'id', r.officer_id, 'name', r.officer_name))
               from duty_roster r join users u on u.id = r.officer_id
               where r.country = ${country} and r.office in (${list(offices)}) and r.from_at <= ${nowIso} and r.to_at > ${nowIso} and u.active) as duty,
            (select json_agg(cap) from cap) as capacity`,
    );
    const settings = r.settings ?? {};
    const stats = new Map<string, TraderStats>();
    for (const t of r.traders ?? []) stats.set(t.tin, { tin: t.tin, declarations: Number(t.declarations), controls: Number(t.controls), hits: Number(t.hits), seizures: Number(t.seizures), firstSeen: Date.parse(t.firstSeen) });
    const marks = new Map<string, MarkInput>();
    for (const m of r.marks ?? []) {
      const v: MarkInput = { markId: m.id, action: m.action, channel: m.channel as Channel, manifestReference: m.manifestReference, transportDocument: m.transportDocument, reasons: m.reasons as string[] };
      marks.set(`${m.manifestReference}|${m.transportDocument}`, v);
      marks.set(`|${m.transportDocument}`, v);
    }
    const consignments = new Map<string, ConsignmentView>();
    for (const c of r.consignments ?? []) {
      const v: ConsignmentView = { transportDocument: c.transportDocument, shipper: c.shipper, consignee: c.consignee, consigneeTin: c.consigneeTin, description: c.description, hsCode: c.hsCode, packages: Number(c.packages), grossMassKg: Number(c.grossMassKg), containers: (c.containers ?? []) as string[] };
      consignments.set(`${c.ref}|${c.transportDocument}`, v);
      consignments.set(`|${c.transportDocument}`, v);
    }
    const onDuty = new Map<string, { id: string; name: string }[]>();
    for (const o of offices) onDuty.set(o, []);
    for (const d of r.duty ?? []) {
      const l = onDuty.get(d.office)!;
      if (!l.some((x) => x.id === d.id)) l.push({ id: d.id, name: d.name });
    }
    for (const l of onDuty.values()) l.sort((a, b) => (a.id < b.id ? -1 : 1));
    const capacity = new Map<string, OfficeDay>();
    for (const c of r.capacity ?? []) capacity.set(c.office, { decisions: Number(c.decisions), reds: Number(c.reds), yellows: Number(c.yellows), demoted: Number(c.demoted) });
    return { generation: Number(settings[GENERATION_KEY] ?? 0), config: mergeConfig(this.deps.config.randomControlRate, settings[configKey(country)]), stats, marks, consignments, onDuty, capacity };
  }

  /** The office-day and trader counters, incremented in one statement (their rows are locked by the context read). */
  private async writeCounters(tx: Tx, country: string, day: string, now: Date, capacity: Map<string, OfficeDay>, traders: Map<string, { declarations: number; controls: number }>) {
    const cap = [...capacity].filter(([, c]) => c.decisions);
    const tr = [...traders];
    const parts: SQL[] = [];
    if (cap.length)
      parts.push(sql`c as (insert into risk_office_day (country, office, day, decisions, reds, yellows, demoted)
        values ${sql.join(cap.map(([o, c]) => sql`(${country}, ${o}, ${day}, ${c.decisions}, ${c.reds}, ${c.yellows}, ${c.demoted})`), sql`, `)}
        on conflict (country, office, day) do update set decisions = risk_office_day.decisions + excluded.decisions, reds = risk_office_day.reds + excluded.reds,
          yellows = risk_office_day.yellows + excluded.yellows, demoted = risk_office_day.demoted + excluded.demoted)`);
    if (tr.length) {
      const nowIso = now.toISOString();
      parts.push(sql`t as (insert into risk_trader_history (country, tin, declarations, controls, hits, seizures, first_seen, last_seen)
        values ${sql.join(tr.map(([tin, t]) => sql`(${country}, ${tin}, ${t.declarations}, ${t.controls}, 0, 0, ${nowIso}, ${nowIso})`), sql`, `)}
        on conflict (country, tin) do update set declarations = risk_trader_history.declarations + excluded.declarations,
          controls = risk_trader_history.controls + excluded.controls, last_seen = excluded.last_seen)`);
    }
    if (parts.length) await tx.execute(sql`with ${sql.join(parts, sql`, `)} select 1`);
  }

  private async traderStats(tx: Tx, country: string, tins: string[]): Promise<Map<string, TraderStats>> {
    if (!tins.length) return new Map();
    const rows = await tx
      .select()
      .from(schema.riskTraderHistory)
      .where(and(eq(schema.riskTraderHistory.country, country), inArray(schema.riskTraderHistory.tin, tins)));
    return new Map(rows.map((r) => [r.tin, { tin: r.tin, declarations: r.declarations, controls: r.controls, hits: r.hits, seizures: r.seizures, firstSeen: r.firstSeen.getTime() }]));
  }

  // ------------------------------------------------------------------ manifests: pre-arrival targeting

  async targetManifests(tx: Tx, list: { id: string; version: number; manifest: Manifest }[], actor: Principal): Promise<void> {
    const now = this.deps.clock.now();
    const audit: AuditEntryInput[] = [];
    for (const x of list) {
      const m = x.manifest;
      const rs = await this.ruleset(tx, m.country);
      if (!rs.candidates('manifest', m.office, '*').length && !rs.candidates('manifest', m.office, 'IM').length) continue;
      // an amended manifest is targeted again; marks already picked up by a declaration stay
      await tx.delete(schema.consignmentMarks).where(and(eq(schema.consignmentMarks.manifestId, x.id), isNull(schema.consignmentMarks.declarationId)));
      const cm = celManifest(m);
      const tins = [...new Set(m.consignments.map((c) => c.consigneeTin).filter((t): t is string => !!t))];
      const stats = await this.traderStats(tx, m.country, tins);
      const rows: (typeof schema.consignmentMarks.$inferInsert)[] = [];
      const manifestFailures: (CriterionFailure & { reference: string })[] = [];
      for (const c of m.consignments) {
        const tin = c.consigneeTin ?? '';
        const tv = traderView(stats.get(tin), tin, now.getTime());
        const ev = rs.evaluate('manifest', m.office, 'IM', now.getTime(), { manifest: cm, consignment: celConsignment(c), trader: celTrader(tv) });
        for (const e of ev.errors) manifestFailures.push({ ...e, reference: `${m.reference}/${c.transportDocument}` });
        if (!ev.hits.length) continue;
        const ACTION_ORDER = ['hold', 'scan', 'inspect'];
        const action = ev.hits.map((h) => h.manifestAction ?? 'inspect').sort((a, b) => ACTION_ORDER.indexOf(b) - ACTION_ORDER.indexOf(a))[0];
        const channel = ev.hits.reduce<Channel>((ch, h) => maxChannel(ch, h.forcedChannel ?? 'red'), 'yellow');
        const id = uuidv7(now.getTime());
        rows.push({
          id,
          country: m.country,
          manifestId: x.id,
          manifestReference: m.reference,
          manifestVersion: x.version,
          transportDocument: c.transportDocument,
          action,
          channel,
          reasons: ev.hits.map((h) => `${h.name}: ${h.reason}`),
          versionIds: ev.hits.map((h) => h.versionId),
          createdAt: now,
        });
        audit.push({ actor, country: m.country, action: 'consignment.marked', entityType: 'consignment', entityId: `${m.reference}/${c.transportDocument}`, after: { markId: id, action, channel, versionIds: ev.hits.map((h) => h.versionId) } });
      }
      if (rows.length) await tx.insert(schema.consignmentMarks).values(rows);
      if (manifestFailures.length) await recordCriterionFailures(tx, m.country, now, manifestFailures);
    }
    await appendAudit(tx, audit, this.deps.clock);
  }

  async listMarks(actor: Principal, f: { country?: string; manifestId?: string; limit?: number }) {
    const country = f.country ?? actor.country;
    requireCountry(actor, country);
    const where = [eq(schema.consignmentMarks.country, country)];
    if (f.manifestId) where.push(eq(schema.consignmentMarks.manifestId, f.manifestId));
    return this.deps.db.select().from(schema.consignmentMarks).where(and(...where)).orderBy(desc(schema.consignmentMarks.createdAt)).limit(f.limit ?? 100);
  }

  // ------------------------------------------------------------------ controls

  private async onDuty(tx: Tx, country: string, office: string, at: Date, exclude?: string | null): Promise<{ id: string; name: string }[]> {
    const rows = await tx
      .select({ id: schema.dutyRoster.officerId, name: schema.dutyRoster.officerName })
      .from(schema.dutyRoster)
      .innerJoin(schema.users, eq(schema.users.id, schema.dutyRoster.officerId))
      .where(and(eq(schema.dutyRoster.country, country), eq(schema.dutyRoster.office, office), lte(schema.dutyRoster.fromAt, at), gt(schema.dutyRoster.toAt, at), eq(schema.users.active, true)));
    const seen = new Map<string, string>();
    for (const r of rows) if (r.id !== exclude) seen.set(r.id, r.name);
    return [...seen].map(([id, name]) => ({ id, name })).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** Draws an officer at random among those on duty (HMAC of the control id under the secret seed). */
  private async draw(tx: Tx, country: string, office: string, controlId: string, attempt: number, exclude?: string | null, prefetched?: { id: string; name: string }[]) {
    const seed = await this.seed(tx);
    const at = this.deps.clock.now();
    const onDuty = prefetched ? prefetched.filter((o) => o.id !== exclude) : await this.onDuty(tx, country, office, at, exclude);
    const draw = randomDraw(seed.secret, `assign|${controlId}|${attempt}`);
    const officer = onDuty.length ? onDuty[Math.floor(draw * onDuty.length)] : null;
    return { officer, record: { at: at.toISOString(), seedId: seed.id, draw, onDuty: onDuty.map((o) => o.id), officerId: officer?.id ?? null } };
  }

  /** After intake stored the assessments: red and yellow declarations get a control, assigned at random. */
  async openControls(tx: Tx, rows: { assessmentId: string; declarationId: string; version: number; declaration: Declaration; decision: AssessorDecision }[], actor: Principal): Promise<AuditEntryInput[]> {
    const now = this.deps.clock.now();
    const audit: AuditEntryInput[] = [];
    const ids = rows.filter((r) => r.version > 1).map((r) => r.declarationId);
    const duty = this.dutyByTx.get(tx);
    // a new version's decision replaces the controls of the earlier one still open (a first version has none)
    if (ids.length) {
      const open = await tx
        .update(schema.controls)
        .set({ status: 'cancelled', updatedAt: now })
        .where(and(inArray(schema.controls.declarationId, ids), inArray(schema.controls.status, ['unassigned', 'assigned'])))
        .returning({ id: schema.controls.id, country: schema.controls.country });
      for (const o of open) audit.push({ actor, country: o.country, action: 'control.cancelled', entityType: 'control', entityId: o.id, after: { reason: 'the declaration was amended and assessed again' } });
    }
    const controlRows: (typeof schema.controls.$inferInsert)[] = [];
    const critRows: (typeof schema.controlCriteria.$inferInsert)[] = [];
    const markIds: { id: string; declarationId: string }[] = [];
    for (const r of rows) {
      const inputs = r.decision.inputs as unknown as Partial<AssessmentInputs>;
      if (inputs.mark) markIds.push({ id: inputs.mark.markId, declarationId: r.declarationId });
      if (r.decision.channel !== 'red' && r.decision.channel !== 'yellow') continue;
      const id = uuidv7(now.getTime());
      const d = r.declaration;
      const { officer, record } = await this.draw(tx, d.country, d.office, id, 0, null, duty?.get(`${d.country}|${d.office}`));
      controlRows.push({
        id,
        country: d.country,
        assessmentId: r.assessmentId,
        declarationId: r.declarationId,
        declarationVersion: r.version,
        office: d.office,
        channel: r.decision.channel,
        status: officer ? 'assigned' : 'unassigned',
        randomSelected: !!inputs.random?.selected,
        riskLevel: r.decision.riskLevel,
        score: r.decision.score,
        traderTin: traderTinOf(d),
        officerId: officer?.id ?? null,
        officerName: officer?.name ?? null,
        assignments: [record],
        createdAt: now,
        updatedAt: now,
      });
      for (const h of inputs.criteria?.hits ?? []) critRows.push({ controlId: id, criterionId: h.c, versionId: h.v });
      audit.push({ actor, country: d.country, action: officer ? 'control.assigned' : 'control.waiting', entityType: 'control', entityId: id, after: { declarationId: r.declarationId, channel: r.decision.channel, office: d.office, officer: officer?.name ?? null, draw: record.draw, onDuty: record.onDuty.length } });
    }
    if (controlRows.length + critRows.length <= 2000 && controlRows.length) {
      // one statement for the controls and the criteria that selected them
      await tx.execute(
        critRows.length
          ? sql`with c as (${tx.insert(schema.controls).values(controlRows).getSQL()}), k as (${tx.insert(schema.controlCriteria).values(critRows).onConflictDoNothing().getSQL()}) select 1`
          : tx.insert(schema.controls).values(controlRows).getSQL(),
      );
    } else {
      for (let k = 0; k < controlRows.length; k += 500) await tx.insert(schema.controls).values(controlRows.slice(k, k + 500));
      for (let k = 0; k < critRows.length; k += 1000) await tx.insert(schema.controlCriteria).values(critRows.slice(k, k + 1000)).onConflictDoNothing();
    }
    for (const m of markIds) await tx.update(schema.consignmentMarks).set({ declarationId: m.declarationId }).where(eq(schema.consignmentMarks.id, m.id));
    // the traders' control counters were incremented with the decisions (assess)
    return audit;
  }

  private async lockControl(tx: Tx, actor: Principal, id: string) {
    const [c] = await tx.select().from(schema.controls).where(eq(schema.controls.id, id)).for('update');
    if (!c || !inScope(actor, c.country)) throw new NotFoundError(`control ${id}`);
    return c;
  }

  async getControl(actor: Principal, id: string) {
    const [c] = await this.deps.db.select().from(schema.controls).where(eq(schema.controls.id, id));
    if (!c || !inScope(actor, c.country)) throw new NotFoundError(`control ${id}`);
    if (actor.role === 'officer' && c.officerId !== actor.id) throw new NotFoundError(`control ${id}`);
    const [result] = await this.deps.db.select().from(schema.controlResults).where(eq(schema.controlResults.controlId, id));
    const [a] = await this.deps.db.select().from(schema.assessments).where(eq(schema.assessments.id, c.assessmentId));
    return { ...controlView(c), reasons: (a?.reasons ?? []) as AssessmentReason[], result: result ? resultView(result) : null };
  }

  /** An officer's queue (their own assigned controls); supervisors see an office's or the whole administration's. */
  async queue(actor: Principal, f: { office?: string; status?: string; limit?: number } = {}) {
    const where = [eq(schema.controls.country, actor.country)];
    if (actor.kind === 'system') where.length = 0;
    if (actor.role === 'officer') where.push(eq(schema.controls.officerId, actor.id));
    if (f.office) where.push(eq(schema.controls.office, f.office));
    where.push(inArray(schema.controls.status, f.status ? [f.status] : ['assigned', 'unassigned']));
    const rows = await this.deps.db
      .select()
      .from(schema.controls)
      .where(and(...where))
      .orderBy(desc(schema.controls.score), asc(schema.controls.createdAt))
      .limit(f.limit ?? 100);
    const refs = rows.length
      ? await this.deps.db.select({ id: schema.declarations.id, reference: schema.declarations.reference, lodgedAt: schema.declarations.lodgedAt }).from(schema.declarations).where(inArray(schema.declarations.id, rows.map((r) => r.declarationId)))
      : [];
    const byId = new Map(refs.map((r) => [r.id, r]));
    return rows.map((r) => ({ ...controlView(r), reference: byId.get(r.declarationId)?.reference ?? null, lodgedAt: byId.get(r.declarationId)?.lodgedAt.toISOString() ?? null }));
  }

  /** Reassignment by a supervisor, with a reason: the new officer is drawn at random among the others on duty. */
  async reassign(actor: Principal, id: string, reason: string) {
    await this.deps.db.transaction(async (tx) => {
      const c = await this.lockControl(tx, actor, id);
      if (c.status === 'done' || c.status === 'cancelled') throw new ConflictError(`control ${id} is ${c.status}`);
      const attempts = (c.assignments as unknown[]).length;
      const { officer, record } = await this.draw(tx, c.country, c.office, id, attempts, c.officerId);
      if (!officer) throw new ConflictError(`nobody else is on duty at ${c.office}: add an officer to the duty roster first`);
      const now = this.deps.clock.now();
      const assignments = [...(c.assignments as unknown[]), { ...record, reason, by: actor.name }];
      await tx.update(schema.controls).set({ officerId: officer.id, officerName: officer.name, status: 'assigned', assignments, updatedAt: now }).where(eq(schema.controls.id, id));
      await appendAudit(tx, { actor, country: c.country, action: 'control.reassigned', entityType: 'control', entityId: id, before: { officer: c.officerName }, after: { officer: officer.name, reason, draw: record.draw } }, this.deps.clock);
    });
    return this.getControl(actor, id);
  }

  /** Assigns the controls waiting at an office (after officers come on duty). */
  async assignWaiting(tx: Tx, actor: Principal, country: string, office: string): Promise<number> {
    const waiting = await tx.select().from(schema.controls).where(and(eq(schema.controls.country, country), eq(schema.controls.office, office), eq(schema.controls.status, 'unassigned'))).for('update');
    let n = 0;
    for (const c of waiting) {
      const { officer, record } = await this.draw(tx, country, office, c.id, (c.assignments as unknown[]).length);
      if (!officer) break;
      await tx.update(schema.controls).set({ officerId: officer.id, officerName: officer.name, status: 'assigned', assignments: [...(c.assignments as unknown[]), record], updatedAt: this.deps.clock.now() }).where(eq(schema.controls.id, c.id));
      await appendAudit(tx, { actor, country, action: 'control.assigned', entityType: 'control', entityId: c.id, after: { officer: officer.name, draw: record.draw } }, this.deps.clock);
      n++;
    }
    return n;
  }

  /** A supervisor's channel override, with a reason code and words. */
  async override(actor: Principal, assessmentId: string, input: { channel: Channel; reasonCode: string; reason: string }) {
    return this.deps.db.transaction(async (tx) => {
      const [a] = await tx.select().from(schema.assessments).where(eq(schema.assessments.id, assessmentId)).for('update');
      if (!a || !inScope(actor, a.country)) throw new NotFoundError(`assessment ${assessmentId}`);
      const [current] = await tx.select({ channel: currentChannel(schema.assessments.id, schema.assessments.channel) }).from(schema.assessments).where(eq(schema.assessments.id, assessmentId));
      const from = current.channel as Channel;
      if (from === input.channel) throw new ConflictError(`the declaration is already ${from}`);
      const now = this.deps.clock.now();
      const id = uuidv7(now.getTime());
      await tx.insert(schema.channelOverrides).values({ id, country: a.country, assessmentId, declarationId: a.declarationId, fromChannel: from, toChannel: input.channel, reasonCode: input.reasonCode, reason: input.reason, byId: actorId(actor), byName: actor.name, at: now });
      const [c] = await tx.select().from(schema.controls).where(eq(schema.controls.assessmentId, assessmentId)).for('update');
      const controlled = input.channel === 'red' || input.channel === 'yellow';
      let controlId = c?.id ?? null;
      if (c && c.status !== 'done') {
        await tx.update(schema.controls).set({ channel: input.channel, status: controlled ? (c.officerId ? 'assigned' : 'unassigned') : 'cancelled', updatedAt: now }).where(eq(schema.controls.id, c.id));
      } else if (!c && controlled) {
        const [d] = await tx.select().from(schema.declarations).where(eq(schema.declarations.id, a.declarationId));
        controlId = uuidv7(now.getTime());
        const { officer, record } = await this.draw(tx, a.country, d.office, controlId, 0);
        const payload = d.payload as Declaration;
        await tx.insert(schema.controls).values({
          id: controlId,
          country: a.country,
          assessmentId,
          declarationId: a.declarationId,
          declarationVersion: a.declarationVersion,
          office: d.office,
          channel: input.channel,
          status: officer ? 'assigned' : 'unassigned',
          randomSelected: false,
          riskLevel: a.riskLevel,
          score: a.score,
          traderTin: traderTinOf(payload),
          officerId: officer?.id ?? null,
          officerName: officer?.name ?? null,
          assignments: [record],
          createdAt: now,
          updatedAt: now,
        });
      }
      await appendAudit(tx, { actor, country: a.country, action: 'assessment.overridden', entityType: 'assessment', entityId: assessmentId, before: { channel: from }, after: { channel: input.channel, reasonCode: input.reasonCode, reason: input.reason, controlId } }, this.deps.clock);
      return { overrideId: id, assessmentId, declarationId: a.declarationId, from, to: input.channel, controlId };
    });
  }

  /** The assigned officer (or a supervisor) records what the control found. */
  async recordResult(actor: Principal, controlId: string, r: ControlResultInput) {
    return this.deps.db.transaction(async (tx) => {
      const c = await this.lockControl(tx, actor, controlId);
      if (actor.role === 'officer' && c.officerId !== actor.id) throw new ForbiddenError(`control ${controlId} is assigned to ${c.officerName ?? 'nobody yet'}: only that officer or a supervisor records its result`);
      if (c.status === 'done') throw new ConflictError(`control ${controlId} already has its result`);
      if (c.status === 'cancelled') throw new ConflictError(`control ${controlId} was cancelled`);
      const now = this.deps.clock.now();
      const hit = r.outcome === 'discrepancy';
      const row: typeof schema.controlResults.$inferInsert = {
        id: uuidv7(now.getTime()),
        controlId,
        country: c.country,
        declarationId: c.declarationId,
        office: c.office,
        channel: c.channel,
        outcome: r.outcome,
        hit,
        discrepancies: r.discrepancies,
        extraDuties: r.extraDutiesAssessed,
        extraTaxes: r.extraTaxesAssessed,
        currency: r.currency,
        goodsSeized: r.goodsSeized,
        seizureDescription: r.seizureDescription ?? null,
        notes: r.notes ?? null,
        officerId: actorId(actor),
        officerName: actor.name,
        traderTin: c.traderTin,
        recordedAt: now,
      };
      await tx.insert(schema.controlResults).values(row);
      await tx.update(schema.controls).set({ status: 'done', updatedAt: now }).where(eq(schema.controls.id, controlId));
      if (c.traderTin && (hit || r.goodsSeized))
        await tx
          .update(schema.riskTraderHistory)
          .set({ hits: sql`${schema.riskTraderHistory.hits} + ${hit ? 1 : 0}`, seizures: sql`${schema.riskTraderHistory.seizures} + ${r.goodsSeized ? 1 : 0}` })
          .where(and(eq(schema.riskTraderHistory.country, c.country), eq(schema.riskTraderHistory.tin, c.traderTin)));
      await appendAudit(tx, { actor, country: c.country, action: 'control.result_recorded', entityType: 'control', entityId: controlId, after: { outcome: r.outcome, discrepancies: r.discrepancies.map((d) => d.kind), extraDuties: r.extraDutiesAssessed, extraTaxes: r.extraTaxesAssessed, goodsSeized: r.goodsSeized } }, this.deps.clock);
      return resultView(row as typeof schema.controlResults.$inferSelect);
    });
  }

  // ------------------------------------------------------------------ effectiveness, backtest, replay

  async effectiveness(actor: Principal, f: { country?: string; from?: string; to?: string }): Promise<Effectiveness> {
    const country = f.country ?? actor.country;
    requireCountry(actor, country);
    const to = f.to ? new Date(f.to) : new Date(this.deps.clock.now().getTime() + 1);
    const from = f.from ? new Date(f.from) : new Date(to.getTime() - 30 * 86_400_000);
    return effectiveness(this.deps.db, country, from, to, await this.getConfig(this.deps.db, country));
  }

  /**
   * A draft expression (or a stored criterion's latest version) over up to a year of an
   * administration's history, evaluated on worker threads; answers when it is done (the job
   * API below answers at once and is polled). `onJob` learns the job (e.g. to cancel it when the
   * client goes away).
   */
  async backtest(actor: Principal, i: BacktestInput, onJob?: (id: string) => void): Promise<BacktestResult> {
    const { view, promise } = await this.startBacktestJob(actor, i);
    onJob?.(view.id);
    return promise;
  }

  /** Starts a backtest job (409 while another backtest of the administration runs). */
  async startBacktest(actor: Principal, i: BacktestInput): Promise<BacktestJobView> {
    return (await this.startBacktestJob(actor, i)).view;
  }

  getBacktest(actor: Principal, id: string): BacktestJobView {
    return this.backtestJobs.get(id, (c) => inScope(actor, c));
  }

  cancelBacktest(actor: Principal, id: string): BacktestJobView {
    return this.backtestJobs.cancel(id, (c) => inScope(actor, c), actor.name);
  }

  /** Cancels a job whose caller went away. */
  abandonBacktest(id: string): void {
    this.backtestJobs.abandon(id);
  }

  /** Cancels the running backtests (the server is closing). */
  cancelBacktests(): void {
    this.backtestJobs.cancelAll('cancelled: the server is shutting down');
  }

  private async startBacktestJob(actor: Principal, i: BacktestInput) {
    const country = i.country ?? actor.country;
    requireCountry(actor, country);
    let expression = i.expression;
    let stage: Stage = i.stage;
    let scope: Partial<CriterionScope> | undefined = i.scope as Partial<CriterionScope> | undefined;
    if (i.criterionId) {
      const c = await this.getCriterion(actor, i.criterionId);
      const v = c.pendingVersion ?? c.activeVersion;
      if (!v) throw new ConflictError(`criterion ${i.criterionId} has no version`);
      expression = v.expression;
      scope = v.scope;
      stage = (v.scope.stages.find((s) => s !== 'manifest') ?? 'declaration') as Stage;
    }
    if (!expression) throw new ValidationError([{ path: 'expression', code: 'required', message: 'give an expression or a criterionId' }]);
    if (stage === 'manifest') throw new ValidationError([{ path: 'stage', code: 'not_supported', message: 'backtests run over declarations' }]);
    this.checkAll(expression, [stage]);
    const to = i.to ? new Date(i.to) : this.deps.clock.now();
    const from = i.from ? new Date(i.from) : new Date(to.getTime() - 365 * 86_400_000);
    if (to.getTime() - from.getTime() > 366 * 86_400_000) throw new ValidationError([{ path: 'from', code: 'period_too_long', message: 'a backtest covers at most a year' }]);
    await this.ensurePrices(this.deps.db);
    let snapshot = this.snapshots.get(country);
    if (!snapshot) this.snapshots.set(country, (snapshot = new DeclarationSnapshot(country)));
    const snap = snapshot;
    const prices = this.prices.table(country);
    return this.backtestJobs.start(country, actor.name, (signal, onProgress) =>
      backtest(this.deps.db, { country, expression, stage, scope, from, to, labels: i.labels, snapshot: snap, prices, signal, onProgress }),
    );
  }

  async replay(actor: Principal, assessmentId: string): Promise<ReplayResult> {
    return replayAssessment(this.deps.db, this.deps.clock, assessmentId, this.prices, actor.kind === 'system' ? undefined : actor.country);
  }

  // ------------------------------------------------------------------ duty roster

  async addDuty(actor: Principal, input: { officerId: string; office: string; from: string; to: string }) {
    return this.deps.db.transaction(async (tx) => {
      const [u] = await tx.select().from(schema.users).where(eq(schema.users.id, input.officerId));
      if (!u || !inScope(actor, u.country)) throw new NotFoundError(`user ${input.officerId}`);
      if (u.role !== 'officer' && u.role !== 'supervisor') throw new ValidationError([{ path: 'officerId', code: 'not_an_officer', message: `${u.username} has the role ${u.role}: only officers (and supervisors) inspect` }]);
      if (!input.office.startsWith(u.country)) throw new ValidationError([{ path: 'office', code: 'office_of_other_country', message: `office ${input.office} is not of ${u.country}` }]);
      const from = new Date(input.from);
      const to = new Date(input.to);
      if (!(to > from)) throw new ValidationError([{ path: 'to', code: 'before_from', message: 'the end of the duty must be after its start' }]);
      const now = this.deps.clock.now();
      const row = { id: uuidv7(now.getTime()), country: u.country, office: input.office, officerId: u.id, officerName: u.displayName, fromAt: from, toAt: to, createdBy: actor.name, createdAt: now };
      await tx.insert(schema.dutyRoster).values(row);
      await appendAudit(tx, { actor, country: u.country, action: 'duty.added', entityType: 'duty_roster', entityId: row.id, after: { officer: u.username, office: row.office, from: input.from, to: input.to } }, this.deps.clock);
      const assigned = from <= now && now < to ? await this.assignWaiting(tx, actor, u.country, input.office) : 0;
      return { ...rosterView(row), assignedWaiting: assigned };
    });
  }

  async endDuty(actor: Principal, id: string) {
    return this.deps.db.transaction(async (tx) => {
      const [r] = await tx.select().from(schema.dutyRoster).where(eq(schema.dutyRoster.id, id)).for('update');
      if (!r || !inScope(actor, r.country)) throw new NotFoundError(`duty ${id}`);
      const now = this.deps.clock.now();
      const to = r.toAt < now ? r.toAt : now;
      await tx.update(schema.dutyRoster).set({ toAt: to }).where(eq(schema.dutyRoster.id, id));
      await appendAudit(tx, { actor, country: r.country, action: 'duty.ended', entityType: 'duty_roster', entityId: id, before: { to: r.toAt.toISOString() }, after: { to: to.toISOString() } }, this.deps.clock);
      return rosterView({ ...r, toAt: to });
    });
  }

  async roster(actor: Principal, f: { office?: string; at?: string } = {}) {
    const at = f.at ? new Date(f.at) : this.deps.clock.now();
    const where = [eq(schema.dutyRoster.country, actor.country), gt(schema.dutyRoster.toAt, at)];
    if (f.office) where.push(eq(schema.dutyRoster.office, f.office));
    const rows = await this.deps.db.select().from(schema.dutyRoster).where(and(...where)).orderBy(asc(schema.dutyRoster.office), asc(schema.dutyRoster.fromAt));
    return rows.map(rosterView);
  }

  // ------------------------------------------------------------------ read views for the screens

  /**
   * What the risk engine did with a declaration, for its page: the criteria (versions) that hit its
   * latest assessment, the supervisor overrides, and its controls with their results. Officers see
   * only controls assigned to them (as with GET /controls/:id).
   */
  async declarationRisk(actor: Principal, declarationId: string) {
    const db = this.deps.db;
    const [d] = await db.select({ id: schema.declarations.id, country: schema.declarations.country }).from(schema.declarations).where(eq(schema.declarations.id, declarationId));
    if (!d || !inScope(actor, d.country)) throw new NotFoundError(`declaration ${declarationId}`);
    const [a] = await db.select().from(schema.assessments).where(eq(schema.assessments.declarationId, declarationId)).orderBy(desc(schema.assessments.decidedAt), desc(schema.assessments.id)).limit(1);
    const hits = ((a?.inputs as Partial<AssessmentInputs> | undefined)?.criteria?.hits ?? []).map((h) => h.v);
    const versions = hits.length ? await db.select().from(schema.riskCriterionVersions).where(inArray(schema.riskCriterionVersions.id, hits)) : [];
    const criteria = versions.map((v) => ({ criterionId: v.criterionId, versionId: v.id, version: v.version, name: v.name, reason: v.reason, weight: v.weight, forcedChannel: v.forcedChannel }));
    const overrides = a ? await db.select().from(schema.channelOverrides).where(eq(schema.channelOverrides.assessmentId, a.id)).orderBy(asc(schema.channelOverrides.at)) : [];
    const where = [eq(schema.controls.declarationId, declarationId)];
    if (actor.role === 'officer') where.push(eq(schema.controls.officerId, actor.id));
    const cs = await db.select().from(schema.controls).where(and(...where)).orderBy(desc(schema.controls.createdAt));
    const results = cs.length ? await db.select().from(schema.controlResults).where(inArray(schema.controlResults.controlId, cs.map((c) => c.id))) : [];
    const byControl = new Map(results.map((r) => [r.controlId, r]));
    return {
      declarationId,
      assessmentId: a?.id ?? null,
      criteria,
      overrides: overrides.map((o) => ({ id: o.id, from: o.fromChannel, to: o.toChannel, reasonCode: o.reasonCode, reason: o.reason, by: o.byName, at: o.at.toISOString() })),
      controls: cs.map((c) => {
        const r = byControl.get(c.id);
        return { ...controlView(c), result: r ? resultView(r) : null };
      }),
    };
  }

  /** A trader's standing as the engine sees it, and the latest controls of its declarations with their results. */
  async traderRisk(actor: Principal, tin: string, f: { country?: string; limit?: number } = {}) {
    const country = f.country ?? actor.country;
    requireCountry(actor, country);
    const db = this.deps.db;
    const [h] = await db.select().from(schema.riskTraderHistory).where(and(eq(schema.riskTraderHistory.country, country), eq(schema.riskTraderHistory.tin, tin)));
    const now = this.deps.clock.now().getTime();
    const view = traderView(h ? { tin, declarations: h.declarations, controls: h.controls, hits: h.hits, seizures: h.seizures, firstSeen: h.firstSeen.getTime() } : undefined, tin, now);
    const rows = await queryRows<Record<string, unknown>>(
      db,
      sql`select c.id, c.declaration_id as "declarationId", d.reference, c.office, c.channel, c.status, c.random_selected as "randomSelected", c.score, c.created_at as "createdAt",
                 r.outcome, r.hit, r.goods_seized as "goodsSeized", r.extra_duties + r.extra_taxes as "extra", r.currency, r.recorded_at as "recordedAt", r.discrepancies
          from controls c join declarations d on d.id = c.declaration_id left join control_results r on r.control_id = c.id
          where c.country = ${country} and c.trader_tin = ${tin} and c.status <> 'cancelled'
          order by c.created_at desc limit ${f.limit ?? 50}`,
    );
    const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
    return {
      country,
      tin,
      known: !!h,
      standing: view.standing,
      declarations: view.declarations,
      controls: view.controls,
      hits: view.hits,
      hitRate: view.controls ? view.hits / view.controls : null,
      seizures: view.seizures,
      firstSeen: h ? h.firstSeen.toISOString() : null,
      lastSeen: h ? h.lastSeen.toISOString() : null,
      recent: rows.map((r) => ({
        id: r.id as string,
        declarationId: r.declarationId as string,
        reference: r.reference as string,
        office: r.office as string,
        channel: r.channel as Channel,
        status: r.status as string,
        randomSelected: !!r.randomSelected,
        score: Number(r.score),
        createdAt: iso(r.createdAt)!,
        result: r.outcome
          ? { outcome: r.outcome as string, hit: !!r.hit, goodsSeized: !!r.goodsSeized, extra: Number(r.extra), currency: r.currency as string, recordedAt: iso(r.recordedAt)!, kinds: ((r.discrepancies as { kind: string }[] | null) ?? []).map((x) => x.kind) }
          : null,
      })),
    };
  }
}

// ------------------------------------------------------------------ views

function auditVersion(v: typeof schema.riskCriterionVersions.$inferInsert) {
  return { versionId: v.id, version: v.version, name: v.name, expression: v.expression, scope: v.scope, weight: v.weight, forcedChannel: v.forcedChannel ?? null, validFrom: v.validFrom, validTo: v.validTo ?? null };
}

export function versionView(v: VersionRow) {
  return {
    id: v.id,
    version: v.version,
    status: v.status,
    name: v.name,
    reason: v.reason,
    expression: v.expression,
    scope: v.scope as CriterionScope,
    weight: v.weight,
    forcedChannel: v.forcedChannel,
    manifestAction: v.manifestAction,
    regional: v.regional,
    validFrom: v.validFrom.toISOString(),
    validTo: v.validTo?.toISOString() ?? null,
    author: v.authorName,
    submittedAt: v.submittedAt?.toISOString() ?? null,
    decidedBy: v.decidedByName,
    decidedAt: v.decidedAt?.toISOString() ?? null,
    decisionNote: v.decisionNote,
  };
}

function criterionView(c: CriterionRow, active: VersionRow | null, pending: VersionRow | null, now: Date) {
  const expired = c.status === 'active' && active?.validTo && active.validTo <= now;
  return {
    id: c.id,
    country: c.country,
    name: c.name,
    status: expired ? 'expired' : c.status,
    regional: c.regional,
    activeVersion: active ? versionView(active) : null,
    pendingVersion: pending ? versionView(pending) : null,
    createdBy: c.createdBy,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
export type CriterionView = ReturnType<typeof criterionView> & { versions?: ReturnType<typeof versionView>[] };

function controlView(c: typeof schema.controls.$inferSelect) {
  return {
    id: c.id,
    country: c.country,
    assessmentId: c.assessmentId,
    declarationId: c.declarationId,
    declarationVersion: c.declarationVersion,
    office: c.office,
    channel: c.channel as Channel,
    status: c.status,
    randomSelected: c.randomSelected,
    riskLevel: c.riskLevel as RiskLevel,
    score: c.score,
    officerId: c.officerId,
    officerName: c.officerName,
    waitingReason: c.status === 'unassigned' ? `no officer is on duty at ${c.office}: the control waits until one is added to the duty roster` : null,
    assignments: c.assignments as unknown[],
    createdAt: c.createdAt.toISOString(),
  };
}

function resultView(r: typeof schema.controlResults.$inferSelect) {
  return {
    id: r.id,
    controlId: r.controlId,
    outcome: r.outcome,
    hit: r.hit,
    discrepancies: r.discrepancies as unknown[],
    extraDutiesAssessed: r.extraDuties,
    extraTaxesAssessed: r.extraTaxes,
    currency: r.currency,
    goodsSeized: r.goodsSeized,
    seizureDescription: r.seizureDescription,
    notes: r.notes,
    officer: r.officerName,
    recordedAt: r.recordedAt.toISOString(),
  };
}

function rosterView(r: typeof schema.dutyRoster.$inferSelect) {
  return { id: r.id, country: r.country, office: r.office, officerId: r.officerId, officerName: r.officerName, from: r.fromAt.toISOString(), to: r.toAt.toISOString() };
}

export { SYSTEM_PRINCIPAL, traderTinOf };
