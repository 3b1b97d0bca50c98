import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../../core/errors.ts';
import { uuidv7 } from '../../../core/ids.ts';
import type { Tx } from '../../../db/client.ts';
import { appendAudit } from '../../access/audit.ts';
import { requireSecondPerson } from '../../access/policy.ts';
import { inScope, requireCountry } from '../../access/scope.ts';
import type { Principal } from '../../access/types.ts';
import { checkExpression, formatProblem, type ReferenceLookups, type Stage } from '../cel.ts';
import { RuleSet, type CriterionScope } from '../engine.ts';
import type { RiskDeps } from '../deps.ts';
import type { CriterionEdit, CriterionInput } from '../schema.ts';
import * as repo from './repository.ts';
import { versionDef, versionsSinceApproved } from './versions.ts';
import { auditVersion, criterionView, versionView } from './views.ts';

const actorId = (p: Principal) => `${p.kind}:${p.id}`;

/**
 * The criteria room: criteria written in CEL, checked as they are written, versioned, put into
 * force by a second person (four eyes), suspended and resumed; and the compiled rule set of an
 * administration's active criteria (cached until the generation moves).
 */
export class CriteriaService {
  private rulesets = new Map<string, { gen: number; rs: RuleSet }>();

  constructor(
    private readonly deps: RiskDeps,
    /** the reference lookups the compiled rule sets capture (selectivity's reference prices) */
    private readonly lookups?: ReferenceLookups,
  ) {}

  /** Checks an expression for every stage; a ValidationError naming the fault otherwise. */
  checkAll(expression: string, stages: Stage[], path = 'expression'): void {
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
    return this.deps.db.transaction((tx) => this.createCriterionIn(tx, actor, input));
  }

  /**
   * Writes a criterion in the caller's transaction (a partner's alert accepted, a common regional
   * criterion adopted: the business change and its answer to the partner commit together). With
   * `submit`, its first version goes straight to awaiting approval: the actor is its author, so a
   * second person puts it into force (four eyes, as for any criterion).
   */
  async createCriterionIn(tx: Tx, actor: Principal, input: CriterionInput, opts: { submit?: boolean; origin?: Record<string, unknown> } = {}) {
    const country = input.country ?? actor.country;
    requireCountry(actor, country);
    const scope = input.scope as CriterionScope;
    this.validateRule({ ...input, scope });
    const now = this.deps.clock.now();
    const id = uuidv7(now.getTime());
    const vid = uuidv7(now.getTime());
    const status = opts.submit ? 'awaiting_approval' : 'draft';
    await repo.insertCriterion(tx, { id, country, name: input.name, status, regional: input.regional, pendingVersionId: vid, createdBy: actor.name, createdAt: now, updatedAt: now });
    const v = this.versionRow(vid, id, country, 1, input, scope, actor, now);
    if (opts.submit) Object.assign(v, { status, submittedAt: now });
    await repo.insertVersion(tx, v);
    await appendAudit(tx, { actor, country, action: 'criterion.created', entityType: 'risk_criterion', entityId: id, after: { ...auditVersion(v), ...(opts.origin ? { origin: opts.origin } : {}) } }, this.deps.clock);
    if (opts.submit) await appendAudit(tx, { actor, country, action: 'criterion.submitted', entityType: 'risk_criterion', entityId: id, after: { versionId: vid, version: 1 } }, this.deps.clock);
    return this.getCriterionTx(tx, actor, id);
  }

  /**
   * How a criterion performed over a period (for partners: a common regional criterion's hit
   * rates): declarations assessed while one of its versions was in force, those it selected, and
   * the controls it selected that have a result, with and without findings.
   */
  async criterionStats(tx: Tx, country: string, criterionId: string, from: Date, to: Date) {
    const versionIds = (await repo.versionsOf(tx, criterionId)).filter((v) => v.country === country).map((v) => v.id);
    return repo.criterionStats(tx, country, criterionId, versionIds, from, to);
  }

  private versionRow(id: string, criterionId: string, country: string, version: number, i: CriterionInput | (CriterionEdit & Pick<CriterionInput, 'name' | 'reason' | 'expression'>), scope: CriterionScope, actor: Principal, now: Date): repo.VersionInsert {
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

  private async lockCriterion(tx: Tx, actor: Principal, id: string): Promise<repo.CriterionRow> {
    const c = await repo.lockCriterion(tx, id);
    if (!c || !inScope(actor, c.country)) throw new NotFoundError(`criterion ${id}`);
    return c;
  }

  /** Every change makes a new version; an active version keeps running until the new one is approved. */
  async editCriterion(actor: Principal, id: string, patch: CriterionEdit) {
    return this.deps.db.transaction(async (tx) => {
      const c = await this.lockCriterion(tx, actor, id);
      const base = (await repo.findVersion(tx, c.pendingVersionId)) ?? (await repo.findVersion(tx, c.activeVersionId));
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
      const max = await repo.lastVersionNumber(tx, id);
      if (c.pendingVersionId) await repo.updateVersion(tx, c.pendingVersionId, { status: 'withdrawn' });
      const vid = uuidv7(now.getTime());
      const v = this.versionRow(vid, id, c.country, max + 1, merged, scope, actor, now);
      await repo.insertVersion(tx, v);
      const status = c.activeVersionId && c.status === 'active' ? 'active' : c.status === 'suspended' ? 'suspended' : 'draft';
      await repo.updateCriterion(tx, id, { pendingVersionId: vid, name: merged.name, status, updatedAt: now });
      await appendAudit(tx, { actor, country: c.country, action: 'criterion.edited', entityType: 'risk_criterion', entityId: id, before: base ? auditVersion(base) : null, after: auditVersion(v) }, this.deps.clock);
      return this.getCriterionTx(tx, actor, id);
    });
  }

  async submitCriterion(actor: Principal, id: string) {
    return this.deps.db.transaction(async (tx) => {
      const c = await this.lockCriterion(tx, actor, id);
      const v = await repo.findVersion(tx, c.pendingVersionId);
      if (!v || v.status !== 'draft') throw new ConflictError(`criterion ${id} has no draft version to submit${v ? ` (version ${v.version} is ${v.status})` : ''}`);
      const now = this.deps.clock.now();
      await repo.updateVersion(tx, v.id, { status: 'awaiting_approval', submittedAt: now });
      await repo.updateCriterion(tx, id, { status: c.status === 'draft' || c.status === 'rejected' ? 'awaiting_approval' : c.status, updatedAt: now });
      await appendAudit(tx, { actor, country: c.country, action: 'criterion.submitted', entityType: 'risk_criterion', entityId: id, after: { versionId: v.id, version: v.version } }, this.deps.clock);
      return this.getCriterionTx(tx, actor, id);
    });
  }

  /** Four eyes: the approver is never the author of the version. */
  async approveCriterion(actor: Principal, id: string, note?: string) {
    return this.deps.db.transaction(async (tx) => {
      const c = await this.lockCriterion(tx, actor, id);
      const v = await repo.findVersion(tx, c.pendingVersionId);
      if (!v || v.status !== 'awaiting_approval') throw new ConflictError(`criterion ${id} has no version awaiting approval${v ? ` (version ${v.version} is ${v.status}: submit it first)` : ''}`);
      // four eyes (policy.ts): a person, and none of the authors of the versions since the last approved one
      const all = await repo.versionsOf(tx, id);
      const authored = versionsSinceApproved(all, v);
      const mine = authored.filter((x) => x.authorId === actorId(actor)).map((x) => x.version);
      if (mine.length)
        throw new ForbiddenError(`four eyes: you wrote version ${mine.join(', ')} of "${v.name}", which approving version ${v.version} would put into force, so someone else (a supervisor or another analyst) must approve it`);
      requireSecondPerson(actor, { keys: authored.map((x) => x.authorId) }, `version ${v.version} of "${v.name}"`);
      const now = this.deps.clock.now();
      if (c.activeVersionId) await repo.updateVersion(tx, c.activeVersionId, { status: 'superseded' });
      await repo.updateVersion(tx, v.id, { status: 'active', decidedBy: actorId(actor), decidedByName: actor.name, decidedAt: now, decisionNote: note ?? null });
      await repo.updateCriterion(tx, id, { status: 'active', activeVersionId: v.id, pendingVersionId: null, name: v.name, regional: v.regional, updatedAt: now });
      await repo.bumpGeneration(tx, now);
      await appendAudit(tx, { actor, country: c.country, action: 'criterion.approved', entityType: 'risk_criterion', entityId: id, before: { activeVersionId: c.activeVersionId }, after: { activeVersionId: v.id, version: v.version, author: v.authorName, note: note ?? null } }, this.deps.clock);
      return this.getCriterionTx(tx, actor, id);
    });
  }

  async rejectCriterion(actor: Principal, id: string, note: string) {
    return this.deps.db.transaction(async (tx) => {
      const c = await this.lockCriterion(tx, actor, id);
      const v = await repo.findVersion(tx, c.pendingVersionId);
      if (!v || v.status !== 'awaiting_approval') throw new ConflictError(`criterion ${id} has no version awaiting approval`);
      if (v.authorId === actorId(actor)) throw new ForbiddenError('four eyes: the author cannot decide on their own version; withdraw it by editing instead');
      const now = this.deps.clock.now();
      await repo.updateVersion(tx, v.id, { status: 'rejected', decidedBy: actorId(actor), decidedByName: actor.name, decidedAt: now, decisionNote: note });
      await repo.updateCriterion(tx, id, { status: c.activeVersionId ? c.status : 'rejected', pendingVersionId: null, updatedAt: now });
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
      if (run && (await repo.lastSuspendedBy(tx, id)) === actor.name) throw new ForbiddenError('four eyes: someone other than who suspended the criterion must resume it');
      await repo.updateCriterion(tx, id, { status: run ? 'active' : 'suspended', updatedAt: now });
      await repo.bumpGeneration(tx, now);
      await appendAudit(tx, { actor, country: c.country, action: run ? 'criterion.resumed' : 'criterion.suspended', entityType: 'risk_criterion', entityId: id, before: { status: c.status }, after: { status: run ? 'active' : 'suspended', reason } }, this.deps.clock);
      return this.getCriterionTx(tx, actor, id);
    });
  }

  async listCriteria(actor: Principal, f: { country?: string; status?: string } = {}) {
    const country = f.country ?? actor.country;
    requireCountry(actor, country);
    const db = this.deps.db;
    const rows = await repo.criteriaOf(db, country);
    const ids = rows.flatMap((r) => [r.activeVersionId, r.pendingVersionId]).filter((x): x is string => !!x);
    const versions = await repo.versionsById(db, ids);
    const byId = new Map(versions.map((v) => [v.id, v]));
    const now = this.deps.clock.now();
    const failures = await repo.criterionFailures(db, country, null);
    return rows
      .map((r) => ({ ...criterionView(r, byId.get(r.activeVersionId ?? '') ?? null, byId.get(r.pendingVersionId ?? '') ?? null, now), evaluationErrors: failures.get(r.id) ?? null }))
      .filter((c) => !f.status || c.status === f.status);
  }

  async getCriterion(actor: Principal, id: string) {
    return this.getCriterionTx(this.deps.db, actor, id);
  }

  private async getCriterionTx(tx: Tx, actor: Principal, id: string) {
    const c = await repo.findCriterion(tx, id);
    if (!c || !inScope(actor, c.country)) throw new NotFoundError(`criterion ${id}`);
    const versions = await repo.versionsOf(tx, id);
    const byId = new Map(versions.map((v) => [v.id, v]));
    const failures = await repo.criterionFailures(tx, c.country, id);
    return {
      ...criterionView(c, byId.get(c.activeVersionId ?? '') ?? null, byId.get(c.pendingVersionId ?? '') ?? null, this.deps.clock.now()),
      evaluationErrors: failures.get(id) ?? null,
      versions: versions.map(versionView),
    };
  }

  /** The active criteria of an administration, compiled (cached until an approval or suspension). */
  async ruleset(tx: Tx, country: string, generation?: number): Promise<RuleSet> {
    const gen = generation ?? (await repo.generation(tx));
    const cached = this.rulesets.get(country);
    if (cached && cached.gen === gen) return cached.rs;
    const defs = (await repo.activeVersions(tx, country)).map(versionDef);
    const rs = new RuleSet(country, defs, { lookups: this.lookups });
    await repo.saveRuleset(tx, { id: rs.id, country, versionIds: rs.versionIds, createdAt: this.deps.clock.now() });
    this.rulesets.set(country, { gen, rs });
    return rs;
  }
}
