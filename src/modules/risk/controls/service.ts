import type { SQL } from 'drizzle-orm';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../core/errors.ts';
import { uuidv7 } from '../../../core/ids.ts';
import type { schema, Tx } from '../../../db/client.ts';
import { appendAudit, type AuditEntryInput } from '../../access/audit.ts';
import { inScope, requireCountry } from '../../access/scope.ts';
import type { Principal } from '../../access/types.ts';
import type { AssessmentReason, Declaration } from '../../declarations/schema.ts';
import type { AssessorDecision } from '../../declarations/service.ts';
import { randomDraw } from '../baseline.ts';
import { officersOf, type AssessmentInputs, type Channel, type OfficerOnDuty } from '../decision.ts';
import type { RiskDeps } from '../deps.ts';
import { effectiveness, type Effectiveness } from '../effectiveness.ts';
import { traderTinOf, traderView, type RiskConfig } from '../engine.ts';
import type { ControlResultInput, CriterionInput } from '../schema.ts';
import type { SelectivitySeed } from '../settings.ts';
import * as repo from './repository.ts';
import { controlView, resultView, rosterView } from './views.ts';

const actorId = (p: Principal) => `${p.kind}:${p.id}`;

/** What the controls room needs of selectivity: the seed of the draws and the settings. */
export interface ControlsPorts {
  seed(tx: Tx): Promise<SelectivitySeed>;
  getConfig(tx: Tx, country: string): Promise<RiskConfig>;
}

/**
 * The controls room: controls opened for red and yellow decisions and assigned at random to an
 * officer on duty, reassignments and overrides with reasons, results, the duty roster, the
 * effectiveness of selection, and the read views of a declaration's and a trader's risk.
 */
export class ControlsService {
  constructor(
    private readonly deps: RiskDeps,
    private readonly ports: ControlsPorts,
  ) {}

  /** Draws an officer at random among those on duty (HMAC of the control id under the secret seed). */
  private async draw(tx: Tx, country: string, office: string, controlId: string, attempt: number, exclude?: string | null, prefetched?: OfficerOnDuty[]) {
    const seed = await this.ports.seed(tx);
    const at = this.deps.clock.now();
    const onDuty = prefetched ? prefetched.filter((o) => o.id !== exclude) : await repo.onDuty(tx, country, office, at, exclude);
    const draw = randomDraw(seed.secret, `assign|${controlId}|${attempt}`);
    const officer = onDuty.length ? onDuty[Math.floor(draw * onDuty.length)] : null;
    return { officer, record: { at: at.toISOString(), seedId: seed.id, draw, onDuty: onDuty.map((o) => o.id), officerId: officer?.id ?? null } };
  }

  /**
   * After intake stored the assessments: red and yellow declarations get a control, assigned at
   * random among the officers on duty that the decision carries (`RiskDecision.onDuty`; read from
   * the roster when it carries none).
   */
  async openControls(tx: Tx, rows: { assessmentId: string; declarationId: string; version: number; declaration: Declaration; decision: AssessorDecision }[], actor: Principal, writes?: SQL[]): Promise<AuditEntryInput[]> {
    const now = this.deps.clock.now();
    const audit: AuditEntryInput[] = [];
    const ids = rows.filter((r) => r.version > 1).map((r) => r.declarationId);
    // a new version's decision replaces the controls of the earlier one still open (a first version has none)
    if (ids.length) {
      const open = await repo.cancelOpenControls(tx, ids, now);
      for (const o of open) audit.push({ actor, country: o.country, action: 'control.cancelled', entityType: 'control', entityId: o.id, after: { reason: 'the declaration was amended and assessed again' } });
    }
    const controlRows: repo.ControlInsert[] = [];
    const critRows: (typeof schema.controlCriteria.$inferInsert)[] = [];
    const markIds: { id: string; declarationId: string }[] = [];
    for (const r of rows) {
      const inputs = r.decision.inputs as unknown as Partial<AssessmentInputs>;
      if (inputs.mark) markIds.push({ id: inputs.mark.markId, declarationId: r.declarationId });
      if (r.decision.channel !== 'red' && r.decision.channel !== 'yellow') continue;
      const id = uuidv7(now.getTime());
      const d = r.declaration;
      const { officer, record } = await this.draw(tx, d.country, d.office, id, 0, null, officersOf(r.decision));
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
    // as statements for intake to run with its other writes (one statement), or at once
    const out = [...repo.controlWrites(tx, controlRows, critRows), ...markIds.map((m) => repo.linkMarkSql(tx, m.id, m.declarationId))];
    if (writes) writes.push(...out);
    else for (const w of out) await tx.execute(w);
    // the traders' control counters were incremented with the decisions (assess)
    return audit;
  }

  private async lockControl(tx: Tx, actor: Principal, id: string) {
    const c = await repo.lockControl(tx, id);
    if (!c || !inScope(actor, c.country)) throw new NotFoundError(`control ${id}`);
    return c;
  }

  async getControl(actor: Principal, id: string) {
    const db = this.deps.db;
    const c = await repo.findControl(db, id);
    if (!c || !inScope(actor, c.country)) throw new NotFoundError(`control ${id}`);
    if (actor.role === 'officer' && c.officerId !== actor.id) throw new NotFoundError(`control ${id}`);
    const result = await repo.resultOf(db, id);
    const a = await repo.findAssessment(db, c.assessmentId);
    return { ...controlView(c), reasons: (a?.reasons ?? []) as AssessmentReason[], result: result ? resultView(result) : null };
  }

  /**
   * A control with its result and the declaration it controlled, for sharing with partners (a
   * seizure or a control result of regional interest): the same visibility as `getControl`.
   */
  async controlForSharing(tx: Tx, actor: Principal, id: string) {
    const c = await repo.findControl(tx, id);
    if (!c || !inScope(actor, c.country)) throw new NotFoundError(`control ${id}`);
    if (actor.role === 'officer' && c.officerId !== actor.id) throw new NotFoundError(`control ${id}`);
    const result = await repo.resultOf(tx, id);
    const d = await repo.findDeclaration(tx, c.declarationId);
    return { control: controlView(c), result: result ? resultView(result) : null, reference: d?.reference ?? null, declaration: (d?.payload ?? null) as Declaration | null };
  }

  /** An officer's queue (their own assigned controls); supervisors see an office's or the whole administration's. */
  async queue(actor: Principal, f: { office?: string; status?: string; limit?: number } = {}) {
    const rows = await repo.queue(this.deps.db, {
      country: actor.kind === 'system' ? null : actor.country,
      officerId: actor.role === 'officer' ? actor.id : undefined,
      office: f.office,
      statuses: f.status ? [f.status] : ['assigned', 'unassigned'],
      limit: f.limit ?? 100,
    });
    const refs = await repo.declarationRefs(this.deps.db, rows.map((r) => r.declarationId));
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
      await repo.updateControl(tx, id, { officerId: officer.id, officerName: officer.name, status: 'assigned', assignments, updatedAt: now });
      await appendAudit(tx, { actor, country: c.country, action: 'control.reassigned', entityType: 'control', entityId: id, before: { officer: c.officerName }, after: { officer: officer.name, reason, draw: record.draw } }, this.deps.clock);
    });
    return this.getControl(actor, id);
  }

  /** Assigns the controls waiting at an office (after officers come on duty). */
  async assignWaiting(tx: Tx, actor: Principal, country: string, office: string): Promise<number> {
    const waiting = await repo.waitingControls(tx, country, office);
    let n = 0;
    for (const c of waiting) {
      const { officer, record } = await this.draw(tx, country, office, c.id, (c.assignments as unknown[]).length);
      if (!officer) break;
      await repo.updateControl(tx, c.id, { officerId: officer.id, officerName: officer.name, status: 'assigned', assignments: [...(c.assignments as unknown[]), record], updatedAt: this.deps.clock.now() });
      await appendAudit(tx, { actor, country, action: 'control.assigned', entityType: 'control', entityId: c.id, after: { officer: officer.name, draw: record.draw } }, this.deps.clock);
      n++;
    }
    return n;
  }

  /** A supervisor's channel override, with a reason code and words. */
  async override(actor: Principal, assessmentId: string, input: { channel: Channel; reasonCode: string; reason: string }) {
    return this.deps.db.transaction(async (tx) => {
      const a = await repo.findAssessment(tx, assessmentId, true);
      if (!a || !inScope(actor, a.country)) throw new NotFoundError(`assessment ${assessmentId}`);
      const from = (await repo.currentChannelOf(tx, assessmentId)) as Channel;
      if (from === input.channel) throw new ConflictError(`the declaration is already ${from}`);
      const now = this.deps.clock.now();
      const id = uuidv7(now.getTime());
      await repo.insertOverride(tx, { id, country: a.country, assessmentId, declarationId: a.declarationId, fromChannel: from, toChannel: input.channel, reasonCode: input.reasonCode, reason: input.reason, byId: actorId(actor), byName: actor.name, at: now });
      const c = await repo.lockControlOfAssessment(tx, assessmentId);
      const controlled = input.channel === 'red' || input.channel === 'yellow';
      let controlId = c?.id ?? null;
      if (c && c.status !== 'done') {
        await repo.updateControl(tx, c.id, { channel: input.channel, status: controlled ? (c.officerId ? 'assigned' : 'unassigned') : 'cancelled', updatedAt: now });
      } else if (!c && controlled) {
        const d = await repo.findDeclaration(tx, a.declarationId);
        controlId = uuidv7(now.getTime());
        const { officer, record } = await this.draw(tx, a.country, d.office, controlId, 0);
        const payload = d.payload as Declaration;
        await repo.insertControl(tx, {
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
      const row: repo.ResultInsert = {
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
      await repo.insertResult(tx, row);
      await repo.updateControl(tx, controlId, { status: 'done', updatedAt: now });
      if (c.traderTin && (hit || r.goodsSeized)) await repo.countTraderOutcome(tx, c.country, c.traderTin, hit, r.goodsSeized);
      await appendAudit(tx, { actor, country: c.country, action: 'control.result_recorded', entityType: 'control', entityId: controlId, after: { outcome: r.outcome, discrepancies: r.discrepancies.map((d) => d.kind), extraDuties: r.extraDutiesAssessed, extraTaxes: r.extraTaxesAssessed, goodsSeized: r.goodsSeized } }, this.deps.clock);
      return resultView(row as repo.ResultRow);
    });
  }

  async effectiveness(actor: Principal, f: { country?: string; from?: string; to?: string }): Promise<Effectiveness> {
    const country = f.country ?? actor.country;
    requireCountry(actor, country);
    const to = f.to ? new Date(f.to) : new Date(this.deps.clock.now().getTime() + 1);
    const from = f.from ? new Date(f.from) : new Date(to.getTime() - 30 * 86_400_000);
    return effectiveness(this.deps.db, country, from, to, await this.ports.getConfig(this.deps.db, country));
  }

  // ------------------------------------------------------------------ duty roster

  async addDuty(actor: Principal, input: { officerId: string; office: string; from: string; to: string }) {
    return this.deps.db.transaction(async (tx) => {
      const u = await repo.findUser(tx, input.officerId);
      if (!u || !inScope(actor, u.country)) throw new NotFoundError(`user ${input.officerId}`);
      if (u.role !== 'officer' && u.role !== 'supervisor') throw new ValidationError([{ path: 'officerId', code: 'not_an_officer', message: `${u.username} has the role ${u.role}: only officers (and supervisors) inspect` }]);
      if (!input.office.startsWith(u.country)) throw new ValidationError([{ path: 'office', code: 'office_of_other_country', message: `office ${input.office} is not of ${u.country}` }]);
      const from = new Date(input.from);
      const to = new Date(input.to);
      if (!(to > from)) throw new ValidationError([{ path: 'to', code: 'before_from', message: 'the end of the duty must be after its start' }]);
      const now = this.deps.clock.now();
      const row = { id: uuidv7(now.getTime()), country: u.country, office: input.office, officerId: u.id, officerName: u.displayName, fromAt: from, toAt: to, createdBy: actor.name, createdAt: now };
      await repo.insertDuty(tx, row);
      await appendAudit(tx, { actor, country: u.country, action: 'duty.added', entityType: 'duty_roster', entityId: row.id, after: { officer: u.username, office: row.office, from: input.from, to: input.to } }, this.deps.clock);
      const assigned = from <= now && now < to ? await this.assignWaiting(tx, actor, u.country, input.office) : 0;
      return { ...rosterView(row), assignedWaiting: assigned };
    });
  }

  async endDuty(actor: Principal, id: string) {
    return this.deps.db.transaction(async (tx) => {
      const r = await repo.lockDuty(tx, id);
      if (!r || !inScope(actor, r.country)) throw new NotFoundError(`duty ${id}`);
      const now = this.deps.clock.now();
      const to = r.toAt < now ? r.toAt : now;
      await repo.endDuty(tx, id, to);
      await appendAudit(tx, { actor, country: r.country, action: 'duty.ended', entityType: 'duty_roster', entityId: id, before: { to: r.toAt.toISOString() }, after: { to: to.toISOString() } }, this.deps.clock);
      return rosterView({ ...r, toAt: to });
    });
  }

  async roster(actor: Principal, f: { office?: string; at?: string } = {}) {
    const at = f.at ? new Date(f.at) : this.deps.clock.now();
    const rows = await repo.roster(this.deps.db, actor.country, at, f.office);
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
    const d = await repo.findDeclarationCountry(db, declarationId);
    if (!d || !inScope(actor, d.country)) throw new NotFoundError(`declaration ${declarationId}`);
    const a = await repo.latestAssessment(db, declarationId);
    const hits = ((a?.inputs as Partial<AssessmentInputs> | undefined)?.criteria?.hits ?? []).map((h) => h.v);
    const versions = await repo.criterionVersions(db, hits);
    const criteria = versions.map((v) => ({ criterionId: v.criterionId, versionId: v.id, version: v.version, name: v.name, reason: v.reason, weight: v.weight, forcedChannel: v.forcedChannel as CriterionInput['forcedChannel'] }));
    const overrides = a ? await repo.overridesOf(db, a.id) : [];
    const cs = await repo.controlsOfDeclaration(db, declarationId, actor.role === 'officer' ? actor.id : undefined);
    const results = await repo.resultsOf(db, cs.map((c) => c.id));
    const byControl = new Map(results.map((r) => [r.controlId, r]));
    return {
      declarationId,
      assessmentId: a?.id ?? null,
      criteria,
      overrides: overrides.map((o) => ({ id: o.id, from: o.fromChannel as Channel, to: o.toChannel as Channel, reasonCode: o.reasonCode, reason: o.reason, by: o.byName, at: o.at.toISOString() })),
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
    const h = await repo.traderHistory(db, country, tin);
    const now = this.deps.clock.now().getTime();
    const view = traderView(h ? { tin, declarations: h.declarations, controls: h.controls, hits: h.hits, seizures: h.seizures, firstSeen: h.firstSeen.getTime() } : undefined, tin, now);
    const rows = await repo.traderControls(db, country, tin, f.limit ?? 50);
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
