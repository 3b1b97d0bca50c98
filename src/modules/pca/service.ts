/**
 * Post-clearance audit: the sensitive goods lists (four eyes), auditors and their conflicts of
 * interest, the monthly audit plan (ranked proposals under capacity, a random share, approval by
 * a second person), audit cases (auditor drawn at random, scope, document requests, findings per
 * declaration line, closure), the tax administration's returns and the mismatches against
 * customs, the reports, and what flows back: labels for the model (point in time), the trader's
 * audit record, effectiveness by source of selection and by channel of release.
 *
 * Other modules' data comes through their read ports (declarations/imports-read.ts, risk/releases.ts,
 * the intelligence service's valuation index); this module reads and writes only its own tables.
 */
import { and, asc, desc, eq, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Clock } from '../../core/clock.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { uuidv7 } from '../../core/ids.ts';
import { schema, type Db, type Tx } from '../../db/client.ts';
import { appendAudit } from '../access/audit.ts';
import { mayActOn, principalKey, requireAdministration, requireSecondPerson, type Action } from '../access/policy.ts';
import type { Principal } from '../access/types.ts';
import { importsLodged } from '../declarations/imports-read.ts';
import type { AuditLabelSource } from '../intelligence/dataset.ts';
import type { IntelligenceService } from '../intelligence/service.ts';
import { toUsd } from '../risk/reference.ts';
import { releaseOutcomes } from '../risk/releases.ts';
import { draw, newSeed } from './draw.ts';
import { DEFAULT_THRESHOLDS, detectMismatches, shiftPeriod, type CustomsMonth, type TaxReturnUsd } from './mismatch.ts';
import { caseReportPdf, planCsv, planPdf, type CaseReportData, type PlanReportData } from './report.ts';
import { buildPlan, propose, type MismatchInput, type Release, type SensitiveHit } from './selection.ts';
import { readTaxRecords, type TaxImportReport, type TaxRecord } from './tax-import.ts';

const DAY = 86_400_000;
/** standard VAT per administration, percent */
export const VAT: Record<string, number> = { GT: 12, SV: 13, HN: 15, NI: 15, CR: 13, PA: 7, DO: 18 };

export interface AuditorDirectory {
  /** the user account behind an id, if any */
  user(id: string): Promise<{ id: string; name: string; role: string; country: string; active: boolean } | null>;
}

export interface PcaDeps {
  db: Db;
  clock: Clock;
  /** the valuation database (reference prices) */
  intelligence: Pick<IntelligenceService, 'valuationIndex'>;
  directory?: AuditorDirectory;
  /** the trader's running counters (the traders module): a case closed with findings counts as a hit */
  outcomes?: { countOutcome(tx: Tx, country: string, tin: string, hit: boolean, seized: boolean): Promise<void> };
}

type SensitiveRow = typeof schema.pcaSensitiveGoods.$inferSelect;
type PlanRow = typeof schema.pcaPlans.$inferSelect;
type ItemRow = typeof schema.pcaPlanItems.$inferSelect;
type CaseRow = typeof schema.pcaCases.$inferSelect;
type FindingRow = typeof schema.pcaFindings.$inferSelect;

export interface CaseScope {
  from: string;
  to: string;
  description: string;
  declarations: { id: string; reference: string; lodgedAt: string; lines: number[]; channel: string | null }[];
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const monthStart = (month: string) => new Date(`${month}-01T00:00:00Z`);
const monthOf = (d: Date) => d.toISOString().slice(0, 7);

export class PcaService {
  constructor(readonly deps: PcaDeps) {}

  private now() {
    return this.deps.clock.now();
  }

  private async event(tx: Tx, caseId: string, actor: Principal, kind: string, detail: Record<string, unknown>) {
    await tx.insert(schema.pcaCaseEvents).values({ id: uuidv7(this.now().getTime()), caseId, at: this.now(), actor: actor.name, kind, detail });
  }

  // ================================================================ sensitive goods (four eyes)

  async listSensitive(actor: Principal, country: string) {
    requireAdministration(actor, 'pca.read', country);
    const rows = await this.deps.db.select().from(schema.pcaSensitiveGoods).where(eq(schema.pcaSensitiveGoods.country, country)).orderBy(asc(schema.pcaSensitiveGoods.hs), asc(schema.pcaSensitiveGoods.proposedAt));
    return rows.map(sensitiveView);
  }

  async proposeSensitive(actor: Principal, i: { country: string; hs: string; reason: string; note: string; validFrom: string; validTo?: string | null }) {
    requireAdministration(actor, 'pca.sensitive.write', i.country);
    if (i.validTo && i.validTo < i.validFrom) throw new ValidationError([{ path: 'validTo', code: 'before_valid_from', message: 'validTo must not be before validFrom' }]);
    const now = this.now();
    const row: SensitiveRow = {
      id: uuidv7(now.getTime()),
      country: i.country,
      hs: i.hs,
      reason: i.reason,
      note: i.note,
      validFrom: i.validFrom,
      validTo: i.validTo ?? null,
      status: 'pending',
      proposedBy: principalKey(actor),
      proposedByName: actor.name,
      proposedAt: now,
      decidedBy: null,
      decidedByName: null,
      decidedAt: null,
      decisionNote: null,
      withdrawalBy: null,
      withdrawalByName: null,
      withdrawalReason: null,
    };
    await this.deps.db.transaction(async (tx) => {
      const open = await tx
        .select({ id: schema.pcaSensitiveGoods.id })
        .from(schema.pcaSensitiveGoods)
        .where(and(eq(schema.pcaSensitiveGoods.country, i.country), eq(schema.pcaSensitiveGoods.hs, i.hs), inArray(schema.pcaSensitiveGoods.status, ['pending', 'active', 'withdrawal_pending'])));
      if (open.length) throw new ConflictError(`HS ${i.hs} is already on the list of ${i.country} or awaiting a decision`);
      await tx.insert(schema.pcaSensitiveGoods).values(row);
      await appendAudit(tx, { actor, country: i.country, action: 'pca.sensitive.proposed', entityType: 'pca_sensitive_goods', entityId: row.id, after: sensitiveView(row) }, this.deps.clock);
    });
    return sensitiveView(row);
  }

  private async sensitiveRow(tx: Tx, actor: Principal, id: string, action: Action): Promise<SensitiveRow> {
    const [r] = await tx.select().from(schema.pcaSensitiveGoods).where(eq(schema.pcaSensitiveGoods.id, id)).for('update');
    if (!r || !mayActOn(actor, action, r.country)) throw new NotFoundError(`sensitive goods entry ${id}`);
    return r;
  }

  /** A second person decides: a proposal becomes active (or rejected), a withdrawal takes effect (or is refused). */
  async decideSensitive(actor: Principal, id: string, i: { approve: boolean; note?: string }) {
    return this.deps.db.transaction(async (tx) => {
      const r = await this.sensitiveRow(tx, actor, id, 'pca.sensitive.approve');
      if (r.status !== 'pending' && r.status !== 'withdrawal_pending') throw new ConflictError(`sensitive goods entry HS ${r.hs} is ${r.status}: nothing to decide`);
      const authors = r.status === 'pending' ? [r.proposedBy] : [r.withdrawalBy ?? ''];
      requireSecondPerson(actor, { keys: authors }, `the sensitive goods entry HS ${r.hs}`);
      const status = r.status === 'pending' ? (i.approve ? 'active' : 'rejected') : i.approve ? 'withdrawn' : 'active';
      const now = this.now();
      await tx.update(schema.pcaSensitiveGoods).set({ status, decidedBy: principalKey(actor), decidedByName: actor.name, decidedAt: now, decisionNote: i.note ?? null }).where(eq(schema.pcaSensitiveGoods.id, id));
      const after = { ...r, status, decidedByName: actor.name, decidedAt: now, decisionNote: i.note ?? null };
      await appendAudit(tx, { actor, country: r.country, action: `pca.sensitive.${status === 'active' && r.status === 'pending' ? 'approved' : status}`, entityType: 'pca_sensitive_goods', entityId: id, before: { status: r.status }, after: sensitiveView(after as SensitiveRow) }, this.deps.clock);
      return sensitiveView(after as SensitiveRow);
    });
  }

  async requestWithdrawal(actor: Principal, id: string, reason: string) {
    return this.deps.db.transaction(async (tx) => {
      const r = await this.sensitiveRow(tx, actor, id, 'pca.sensitive.write');
      if (r.status !== 'active') throw new ConflictError(`sensitive goods entry HS ${r.hs} is ${r.status}: only an active entry is withdrawn`);
      await tx.update(schema.pcaSensitiveGoods).set({ status: 'withdrawal_pending', withdrawalBy: principalKey(actor), withdrawalByName: actor.name, withdrawalReason: reason }).where(eq(schema.pcaSensitiveGoods.id, id));
      const after = { ...r, status: 'withdrawal_pending', withdrawalByName: actor.name, withdrawalReason: reason };
      await appendAudit(tx, { actor, country: r.country, action: 'pca.sensitive.withdrawal_requested', entityType: 'pca_sensitive_goods', entityId: id, before: { status: r.status }, after: sensitiveView(after as SensitiveRow) }, this.deps.clock);
      return sensitiveView(after as SensitiveRow);
    });
  }

  /**
   * The list in force on a day, as a lookup (the read port audit selection uses, and criteria could):
   * the most specific active entry (subheading before heading) valid on `day` (YYYY-MM-DD).
   */
  async sensitiveLookup(tx: Tx, country: string, day: string): Promise<(hs: string) => SensitiveHit | null> {
    const rows = await tx.select().from(schema.pcaSensitiveGoods).where(and(eq(schema.pcaSensitiveGoods.country, country), inArray(schema.pcaSensitiveGoods.status, ['active', 'withdrawal_pending'])));
    const valid = rows.filter((r) => r.validFrom <= day && (!r.validTo || r.validTo >= day));
    const by = new Map(valid.map((r) => [r.hs, r]));
    return (hs: string) => {
      const r = by.get(hs.slice(0, 6)) ?? by.get(hs.slice(0, 4));
      return r ? { hs: r.hs, reason: r.reason } : null;
    };
  }

  // ================================================================ auditors and conflicts of interest

  async listAuditors(actor: Principal, country: string) {
    requireAdministration(actor, 'pca.read', country);
    const rows = await this.deps.db.select().from(schema.pcaAuditors).where(eq(schema.pcaAuditors.country, country)).orderBy(asc(schema.pcaAuditors.name));
    return rows.map((r) => ({ id: r.id, country: r.country, userId: r.userId, name: r.name, hoursPerMonth: r.hoursPerMonth, active: r.active, updatedAt: r.updatedAt.toISOString() }));
  }

  /** Puts an auditor (a user with the role auditor) on the administration's roster, or changes their hours. */
  async setAuditor(actor: Principal, i: { country: string; userId: string; hoursPerMonth: number; active: boolean }) {
    requireAdministration(actor, 'pca.auditors.manage', i.country);
    const u = this.deps.directory ? await this.deps.directory.user(i.userId) : null;
    if (this.deps.directory && (!u || u.country !== i.country || u.role !== 'auditor' || !u.active))
      throw new ValidationError([{ path: 'userId', code: 'not_an_auditor', message: `userId: no active auditor of ${i.country} with this id` }]);
    const name = u?.name ?? i.userId;
    const now = this.now();
    return this.deps.db.transaction(async (tx) => {
      const [before] = await tx.select().from(schema.pcaAuditors).where(and(eq(schema.pcaAuditors.country, i.country), eq(schema.pcaAuditors.userId, i.userId)));
      const id = before?.id ?? uuidv7(now.getTime());
      if (before) await tx.update(schema.pcaAuditors).set({ hoursPerMonth: i.hoursPerMonth, active: i.active, name, updatedAt: now }).where(eq(schema.pcaAuditors.id, id));
      else await tx.insert(schema.pcaAuditors).values({ id, country: i.country, userId: i.userId, name, hoursPerMonth: i.hoursPerMonth, active: i.active, updatedAt: now });
      const after = { id, country: i.country, userId: i.userId, name, hoursPerMonth: i.hoursPerMonth, active: i.active, updatedAt: now.toISOString() };
      await appendAudit(tx, { actor, country: i.country, action: 'pca.auditor.set', entityType: 'pca_auditor', entityId: id, before: before ? { hoursPerMonth: before.hoursPerMonth, active: before.active } : null, after }, this.deps.clock);
      return after;
    });
  }

  async listConflicts(actor: Principal, country: string, tin?: string) {
    requireAdministration(actor, 'pca.read', country);
    const c = schema.pcaConflicts;
    const rows = await this.deps.db.select().from(c).where(and(eq(c.country, country), tin ? eq(c.traderTin, tin) : undefined)).orderBy(desc(c.declaredAt));
    return rows.map(conflictView);
  }

  /** An auditor declares a conflict of interest with a trader (their own; a supervisor or manager for anyone). */
  async declareConflict(actor: Principal, i: { country: string; auditorUserId?: string; traderTin: string; reason: string }) {
    requireAdministration(actor, 'pca.conflicts.declare', i.country);
    const auditorUserId = i.auditorUserId ?? actor.id;
    if (actor.role === 'auditor' && auditorUserId !== actor.id) throw new ForbiddenError('an auditor declares their own conflicts of interest; a supervisor or manager declares another\'s');
    const now = this.now();
    return this.deps.db.transaction(async (tx) => {
      const [a] = await tx.select().from(schema.pcaAuditors).where(and(eq(schema.pcaAuditors.country, i.country), eq(schema.pcaAuditors.userId, auditorUserId)));
      if (!a) throw new ValidationError([{ path: 'auditorUserId', code: 'not_on_roster', message: `auditorUserId: ${auditorUserId} is not on the auditors' roster of ${i.country}` }]);
      const row = { id: uuidv7(now.getTime()), country: i.country, auditorUserId, auditorName: a.name, traderTin: i.traderTin, reason: i.reason, declaredBy: actor.name, declaredAt: now, endedAt: null, endReason: null };
      await tx.insert(schema.pcaConflicts).values(row);
      await appendAudit(tx, { actor, country: i.country, action: 'pca.conflict.declared', entityType: 'pca_conflict', entityId: row.id, after: conflictView(row) }, this.deps.clock);
      return conflictView(row);
    });
  }

  async endConflict(actor: Principal, id: string, reason: string) {
    return this.deps.db.transaction(async (tx) => {
      const [r] = await tx.select().from(schema.pcaConflicts).where(eq(schema.pcaConflicts.id, id)).for('update');
      if (!r || !mayActOn(actor, 'pca.conflicts.declare', r.country)) throw new NotFoundError(`conflict of interest ${id}`);
      if (actor.role === 'auditor' && r.auditorUserId !== actor.id) throw new ForbiddenError('an auditor ends only their own declarations');
      if (r.endedAt) throw new ConflictError('this conflict of interest has already ended');
      const now = this.now();
      await tx.update(schema.pcaConflicts).set({ endedAt: now, endReason: reason }).where(eq(schema.pcaConflicts.id, id));
      const after = conflictView({ ...r, endedAt: now, endReason: reason });
      await appendAudit(tx, { actor, country: r.country, action: 'pca.conflict.ended', entityType: 'pca_conflict', entityId: id, before: conflictView(r), after }, this.deps.clock);
      return after;
    });
  }

  // ================================================================ selection inputs (through other modules' services)

  /** Releases of import declarations lodged in [from, to): lines in USD, channel, scores, control results. */
  async releases(tx: Tx, country: string, from: Date, to: Date, tins?: string[]): Promise<Release[]> {
    const decls = await importsLodged(tx, country, from, to, tins);
    const outcomes = await releaseOutcomes(tx, decls.map((d) => d.id));
    return decls.map((d) => {
      const o = outcomes.get(d.id);
      const dec = d.declaration;
      const tin = dec.importer?.tin ?? dec.declarant.tin;
      return {
        declarationId: d.id,
        reference: d.reference,
        lodgedAt: d.lodgedAt.getTime(),
        tin,
        name: dec.importer?.name ?? dec.declarant.name,
        channel: o?.channel ?? 'green',
        modelScore: o?.modelScore ?? null,
        controlHit: o && o.controlled ? o.hit : null,
        lines: dec.items.map((it) => ({ line: it.line, hsCode: it.hsCode, origin: it.origin, netMassKg: it.netMassKg, valueUsd: toUsd(it.customsValue, it.currency), dutyRate: it.dutyRate ?? 0 })),
      };
    });
  }

  // ================================================================ the audit plan

  async createPlan(actor: Principal, i: { country: string; month: string; capacityHours?: number; randomShare?: number; lookbackMonths?: number }) {
    requireAdministration(actor, 'pca.plan.write', i.country);
    const db = this.deps.db;
    const start = monthStart(i.month);
    const lookback = i.lookbackMonths ?? 3;
    const from = monthStart(shiftPeriod(i.month, -lookback));
    const to = start;
    let capacity = i.capacityHours;
    if (capacity === undefined) {
      const auditors = await db.select().from(schema.pcaAuditors).where(and(eq(schema.pcaAuditors.country, i.country), eq(schema.pcaAuditors.active, true)));
      capacity = auditors.reduce((a, r) => a + r.hoursPerMonth, 0);
      if (!capacity) throw new ValidationError([{ path: 'capacityHours', code: 'no_capacity', message: `capacityHours: no active auditor on the roster of ${i.country}; give the capacity or add auditors` }]);
    }
    const randomShare = i.randomShare ?? 0.1;
    const releases = await this.releases(db, i.country, from, to);
    const sensitive = await this.sensitiveLookup(db, i.country, to.toISOString().slice(0, 10));
    const valuation = await this.deps.intelligence.valuationIndex(db);
    const mismatches = await db.select().from(schema.pcaTaxMismatches).where(and(eq(schema.pcaTaxMismatches.country, i.country), gte(schema.pcaTaxMismatches.period, monthOf(from)), lt(schema.pcaTaxMismatches.period, i.month)));
    const byTin = new Map<string, MismatchInput[]>();
    for (const m of mismatches) byTin.set(m.tin, [...(byTin.get(m.tin) ?? []), { tin: m.tin, period: m.period, kind: m.kind, gapUsd: m.gapUsd, evidence: m.evidence as Record<string, unknown> }]);
    const proposals = propose(releases, {
      vat: VAT[i.country] ?? 13,
      sensitive,
      referenceUsdPerKg: (hs6, origin) => valuation.get(i.country, hs6, origin)?.median ?? null,
      mismatches: byTin,
    });
    const seed = newSeed();
    const plan = buildPlan(proposals, capacity, randomShare, seed);
    const now = this.now();
    const planId = uuidv7(now.getTime());
    const bySource: Record<string, { items: number; hours: number; expectedRevenue: number; estimatedRecovery: number }> = {};
    for (const it of plan.items.filter((x) => x.selected)) {
      const s = (bySource[it.source] ??= { items: 0, hours: 0, expectedRevenue: 0, estimatedRecovery: 0 });
      s.items++;
      s.hours += it.hours;
      s.expectedRevenue = Math.round((s.expectedRevenue + it.expectedRevenueUsd) * 100) / 100;
      s.estimatedRecovery = Math.round((s.estimatedRecovery + it.estimatedRecoveryUsd) * 100) / 100;
    }
    const summary = { window: { from: from.toISOString(), to: to.toISOString() }, releases: releases.length, eligible: plan.eligible, hoursPlanned: plan.hoursPlanned, randomHours: plan.randomHours, bySource, mismatchesUsed: mismatches.length };
    const row: PlanRow = { id: planId, country: i.country, month: i.month, capacityHours: capacity, randomShare, seed, status: 'proposed', summary, createdBy: principalKey(actor), createdByName: actor.name, createdAt: now, decidedBy: null, decidedByName: null, decidedAt: null, decisionNote: null };
    await db.transaction(async (tx) => {
      // a newer proposal for the same month supersedes one not yet decided
      const older = await tx.select({ id: schema.pcaPlans.id }).from(schema.pcaPlans).where(and(eq(schema.pcaPlans.country, i.country), eq(schema.pcaPlans.month, i.month), eq(schema.pcaPlans.status, 'proposed')));
      if (older.length) await tx.update(schema.pcaPlans).set({ status: 'superseded' }).where(inArray(schema.pcaPlans.id, older.map((o) => o.id)));
      await tx.insert(schema.pcaPlans).values(row);
      const items = plan.items.map((it) => ({
        id: uuidv7(now.getTime()),
        planId,
        country: i.country,
        rank: it.rank,
        traderTin: it.tin,
        traderName: it.name,
        periodFrom: from,
        periodTo: to,
        declarationIds: it.declarationIds,
        source: it.source,
        expectedRevenue: it.expectedRevenueUsd,
        estimatedRecovery: it.estimatedRecoveryUsd,
        hours: it.hours,
        reasons: it.reasons,
        selected: it.selected,
        draw: it.draw,
      }));
      for (let k = 0; k < items.length; k += 500) await tx.insert(schema.pcaPlanItems).values(items.slice(k, k + 500));
      await appendAudit(tx, { actor, country: i.country, action: 'pca.plan.proposed', entityType: 'pca_plan', entityId: planId, before: older.length ? { superseded: older.map((o) => o.id) } : null, after: { month: i.month, capacityHours: capacity, randomShare, seed, summary } }, this.deps.clock);
    });
    return this.getPlan(actor, planId);
  }

  private async planRow(tx: Tx, actor: Principal, id: string, action: Action = 'pca.read', lock = false): Promise<PlanRow> {
    const q = tx.select().from(schema.pcaPlans).where(eq(schema.pcaPlans.id, id));
    const [r] = lock ? await q.for('update') : await q;
    if (!r || !mayActOn(actor, action, r.country)) throw new NotFoundError(`audit plan ${id}`);
    return r;
  }

  async listPlans(actor: Principal, country: string) {
    requireAdministration(actor, 'pca.read', country);
    const rows = await this.deps.db.select().from(schema.pcaPlans).where(eq(schema.pcaPlans.country, country)).orderBy(desc(schema.pcaPlans.month), desc(schema.pcaPlans.createdAt));
    return rows.map((r) => planView(r));
  }

  async getPlan(actor: Principal, id: string) {
    const r = await this.planRow(this.deps.db, actor, id);
    const items = await this.deps.db.select().from(schema.pcaPlanItems).where(eq(schema.pcaPlanItems.planId, id)).orderBy(asc(schema.pcaPlanItems.rank));
    return { ...planView(r), items: items.map(itemView) };
  }

  /** Four eyes: whoever prepared the plan does not approve it. */
  async decidePlan(actor: Principal, id: string, i: { approve: boolean; note?: string }) {
    await this.deps.db.transaction(async (tx) => {
      const r = await this.planRow(tx, actor, id, 'pca.plan.approve', true);
      if (r.status !== 'proposed') throw new ConflictError(`audit plan ${r.country} ${r.month} is ${r.status}: nothing to decide`);
      requireSecondPerson(actor, { keys: [r.createdBy] }, `the audit plan ${r.country} ${r.month}`);
      const status = i.approve ? 'approved' : 'rejected';
      const now = this.now();
      if (i.approve) {
        const prior = await tx.select({ id: schema.pcaPlans.id }).from(schema.pcaPlans).where(and(eq(schema.pcaPlans.country, r.country), eq(schema.pcaPlans.month, r.month), eq(schema.pcaPlans.status, 'approved')));
        if (prior.length) await tx.update(schema.pcaPlans).set({ status: 'superseded' }).where(inArray(schema.pcaPlans.id, prior.map((p) => p.id)));
      }
      await tx.update(schema.pcaPlans).set({ status, decidedBy: principalKey(actor), decidedByName: actor.name, decidedAt: now, decisionNote: i.note ?? null }).where(eq(schema.pcaPlans.id, id));
      await appendAudit(tx, { actor, country: r.country, action: `pca.plan.${status}`, entityType: 'pca_plan', entityId: id, before: { status: r.status }, after: { status, month: r.month, note: i.note ?? null, createdBy: r.createdByName } }, this.deps.clock);
    });
    return this.getPlan(actor, id);
  }

  private async planReportData(actor: Principal, id: string): Promise<PlanReportData> {
    const p = await this.getPlan(actor, id);
    return {
      country: p.country,
      month: p.month,
      status: p.status,
      capacityHours: p.capacityHours,
      hoursPlanned: p.hoursPlanned,
      randomShare: p.randomShare,
      createdBy: p.createdBy,
      decidedBy: p.decidedBy,
      items: p.items.map((it) => ({ rank: it.rank, traderTin: it.traderTin, traderName: it.traderName, source: it.source, expectedRevenue: it.expectedRevenue, estimatedRecovery: it.estimatedRecovery, hours: it.hours, selected: it.selected, reasons: it.reasons })),
    };
  }

  async planPdf(actor: Principal, id: string) {
    const d = await this.planReportData(actor, id);
    return { filename: `plan-${d.country}-${d.month}.pdf`, body: await planPdf(d) };
  }

  async planCsv(actor: Principal, id: string) {
    const d = await this.planReportData(actor, id);
    return { filename: `plan-${d.country}-${d.month}.csv`, body: planCsv(d) };
  }

  // ================================================================ cases

  /**
   * Opens a case from a selected proposal of an approved plan, or for a trader and period named
   * (a referral); the auditor is drawn at random among the active auditors of the roster without
   * a conflict of interest with the trader, and the draw recorded.
   */
  async openCase(actor: Principal, i: { planItemId?: string; country?: string; traderTin?: string; from?: string; to?: string; description?: string; dueDays?: number }) {
    const db = this.deps.db;
    let country: string;
    let tin: string;
    let name: string;
    let from: Date;
    let to: Date;
    let source = 'referral';
    let planId: string | null = null;
    let item: ItemRow | null = null;
    if (i.planItemId) {
      const [it] = await db.select().from(schema.pcaPlanItems).where(eq(schema.pcaPlanItems.id, i.planItemId));
      if (!it || !mayActOn(actor, 'pca.cases.open', it.country)) throw new NotFoundError(`plan proposal ${i.planItemId}`);
      const [p] = await db.select().from(schema.pcaPlans).where(eq(schema.pcaPlans.id, it.planId));
      if (p.status !== 'approved') throw new ConflictError(`the plan ${p.country} ${p.month} is ${p.status}: a second person approves it before cases open from it`);
      if (!it.selected) throw new ConflictError(`the proposal for ${it.traderName} is below the capacity line of the plan`);
      item = it;
      country = it.country;
      tin = it.traderTin;
      name = it.traderName;
      from = it.periodFrom;
      to = it.periodTo;
      source = it.source;
      planId = it.planId;
    } else {
      if (!i.country || !i.traderTin || !i.from || !i.to) throw new ValidationError([{ path: i.country ? (i.traderTin ? (i.from ? 'to' : 'from') : 'traderTin') : 'country', code: 'required', message: 'a case is opened from planItemId, or for country, traderTin, from and to' }]);
      requireAdministration(actor, 'pca.cases.open', i.country);
      country = i.country;
      tin = i.traderTin;
      from = new Date(i.from);
      to = new Date(i.to);
      if (!(to > from)) throw new ValidationError([{ path: 'to', code: 'before_from', message: 'to must be after from' }]);
      name = tin;
    }
    const releases = await this.releases(db, country, from, to, [tin]);
    if (item) {
      const want = new Set(item.declarationIds);
      releases.splice(0, releases.length, ...releases.filter((r) => want.has(r.declarationId)));
    }
    if (!item && releases[0]) name = releases[0].name;
    const scope: CaseScope = {
      from: from.toISOString(),
      to: to.toISOString(),
      description: i.description ?? `Import declarations of ${name} lodged from ${from.toISOString().slice(0, 10)} to ${to.toISOString().slice(0, 10)}`,
      declarations: releases.map((r) => ({ id: r.declarationId, reference: r.reference, lodgedAt: new Date(r.lodgedAt).toISOString(), lines: r.lines.map((l) => l.line), channel: r.channel })),
    };
    const now = this.now();
    const id = uuidv7(now.getTime());
    return db.transaction(async (tx) => {
      if (item) {
        const open = await tx.select({ id: schema.pcaCases.id }).from(schema.pcaCases).where(eq(schema.pcaCases.planItemId, item.id));
        if (open.length) throw new ConflictError(`a case is already open for this proposal (${open[0].id})`);
      }
      const auditors = await tx.select().from(schema.pcaAuditors).where(and(eq(schema.pcaAuditors.country, country), eq(schema.pcaAuditors.active, true))).orderBy(asc(schema.pcaAuditors.userId));
      const conflicts = await tx.select().from(schema.pcaConflicts).where(and(eq(schema.pcaConflicts.country, country), eq(schema.pcaConflicts.traderTin, tin), isNull(schema.pcaConflicts.endedAt)));
      const excluded = new Set(conflicts.map((c) => c.auditorUserId));
      const eligible = auditors.filter((a) => !excluded.has(a.userId));
      if (!eligible.length) throw new ConflictError(`no auditor of ${country} without a declared conflict of interest with ${tin} is on the roster`);
      const seed = newSeed();
      const u = draw(seed, id);
      const chosen = eligible[Math.floor(u * eligible.length)];
      const assignment = { seed, draw: u, candidates: eligible.map((a) => a.userId), excludedForConflict: [...excluded].filter((x) => auditors.some((a) => a.userId === x)), chosen: chosen.userId, at: now.toISOString() };
      const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(schema.pcaCases).where(eq(schema.pcaCases.country, country));
      const reference = `${country}-PCA-${now.getUTCFullYear()}-${String(Number(n) + 1).padStart(5, '0')}`;
      const row: CaseRow = {
        id,
        country,
        reference,
        planId,
        planItemId: item?.id ?? null,
        source,
        traderTin: tin,
        traderName: name,
        scope,
        status: 'open',
        auditorUserId: chosen.userId,
        auditorName: chosen.name,
        assignment,
        openedBy: actor.name,
        openedAt: now,
        dueAt: new Date(now.getTime() + (i.dueDays ?? 90) * DAY),
        hoursPlanned: item?.hours ?? 24,
        hoursSpent: 0,
        sharedWith: [],
        closedAt: null,
        closure: null,
      };
      await tx.insert(schema.pcaCases).values(row);
      await this.event(tx, id, actor, 'opened', { auditor: chosen.name, declarations: scope.declarations.length, source });
      await appendAudit(tx, { actor, country, action: 'pca.case.opened', entityType: 'pca_case', entityId: id, after: { reference, traderTin: tin, source, planItemId: item?.id ?? null, assignment, scope: { from: scope.from, to: scope.to, declarations: scope.declarations.length } } }, this.deps.clock);
      return caseView(row);
    });
  }

  /** A case the principal may see: its administration's staff, or a participant it was shared with. */
  private async caseRow(tx: Tx, actor: Principal, id: string, action: Action, lock = false): Promise<CaseRow> {
    const q = tx.select().from(schema.pcaCases).where(eq(schema.pcaCases.id, id));
    const [r] = lock ? await q.for('update') : await q;
    if (!r || !mayActOn(actor, action, r.country)) throw new NotFoundError(`audit case ${id}`);
    if (actor.role === 'tax_liaison' && !(r.sharedWith as string[]).includes(actor.id)) throw new NotFoundError(`audit case ${id}`);
    return r;
  }

  /** The assigned auditor works the case; a supervisor may too. */
  private requireWorker(actor: Principal, r: CaseRow) {
    if (actor.kind === 'system' || actor.role === 'supervisor') return;
    if (actor.id !== r.auditorUserId) throw new ForbiddenError(`case ${r.reference} is assigned to ${r.auditorName}: only they (or a supervisor) work it`);
  }

  private requireOpen(r: CaseRow) {
    if (r.status !== 'open') throw new ConflictError(`case ${r.reference} is ${r.status}`);
  }

  async listCases(actor: Principal, country: string, f: { status?: string } = {}) {
    requireAdministration(actor, 'pca.cases.read', country);
    const c = schema.pcaCases;
    let rows = await this.deps.db.select().from(c).where(and(eq(c.country, country), f.status ? eq(c.status, f.status) : undefined)).orderBy(desc(c.openedAt));
    if (actor.role === 'tax_liaison') rows = rows.filter((r) => (r.sharedWith as string[]).includes(actor.id));
    return rows.map(caseView);
  }

  async getCase(actor: Principal, id: string) {
    const r = await this.caseRow(this.deps.db, actor, id, 'pca.cases.read');
    const [events, requests, findings] = await Promise.all([
      this.deps.db.select().from(schema.pcaCaseEvents).where(eq(schema.pcaCaseEvents.caseId, id)).orderBy(asc(schema.pcaCaseEvents.at), asc(schema.pcaCaseEvents.id)),
      this.deps.db.select().from(schema.pcaDocumentRequests).where(eq(schema.pcaDocumentRequests.caseId, id)).orderBy(asc(schema.pcaDocumentRequests.requestedAt)),
      this.deps.db.select().from(schema.pcaFindings).where(eq(schema.pcaFindings.caseId, id)).orderBy(asc(schema.pcaFindings.foundAt), asc(schema.pcaFindings.id)),
    ]);
    return {
      ...caseView(r),
      scope: r.scope as CaseScope,
      events: events.map((e) => ({ id: e.id, at: e.at.toISOString(), actor: e.actor, kind: e.kind, detail: e.detail as Record<string, unknown> })),
      documentRequests: requests.map((d) => ({ id: d.id, description: d.description, requestedAt: d.requestedAt.toISOString(), dueAt: d.dueAt.toISOString(), receivedAt: iso(d.receivedAt), note: d.note })),
      findings: findings.map(findingView),
      totals: totals(findings),
    };
  }

  async requestDocuments(actor: Principal, id: string, i: { description: string; dueDays?: number }) {
    return this.deps.db.transaction(async (tx) => {
      const r = await this.caseRow(tx, actor, id, 'pca.cases.work', true);
      this.requireWorker(actor, r);
      this.requireOpen(r);
      const now = this.now();
      const row = { id: uuidv7(now.getTime()), caseId: id, description: i.description, requestedAt: now, dueAt: new Date(now.getTime() + (i.dueDays ?? 15) * DAY), receivedAt: null, note: null };
      await tx.insert(schema.pcaDocumentRequests).values(row);
      await this.event(tx, id, actor, 'documents_requested', { description: i.description, dueAt: row.dueAt.toISOString() });
      await appendAudit(tx, { actor, country: r.country, action: 'pca.case.documents_requested', entityType: 'pca_case', entityId: id, after: { requestId: row.id, description: i.description, dueAt: row.dueAt.toISOString() } }, this.deps.clock);
      return { id: row.id, description: row.description, requestedAt: now.toISOString(), dueAt: row.dueAt.toISOString(), receivedAt: null, note: null };
    });
  }

  async receiveDocuments(actor: Principal, id: string, requestId: string, note?: string) {
    return this.deps.db.transaction(async (tx) => {
      const r = await this.caseRow(tx, actor, id, 'pca.cases.work', true);
      this.requireWorker(actor, r);
      this.requireOpen(r);
      const [d] = await tx.select().from(schema.pcaDocumentRequests).where(and(eq(schema.pcaDocumentRequests.id, requestId), eq(schema.pcaDocumentRequests.caseId, id)));
      if (!d) throw new NotFoundError(`document request ${requestId}`);
      if (d.receivedAt) throw new ConflictError('these documents were already received');
      const now = this.now();
      await tx.update(schema.pcaDocumentRequests).set({ receivedAt: now, note: note ?? null }).where(eq(schema.pcaDocumentRequests.id, requestId));
      await this.event(tx, id, actor, 'documents_received', { description: d.description, note: note ?? null });
      await appendAudit(tx, { actor, country: r.country, action: 'pca.case.documents_received', entityType: 'pca_case', entityId: id, after: { requestId, note: note ?? null } }, this.deps.clock);
      return { id: d.id, description: d.description, requestedAt: d.requestedAt.toISOString(), dueAt: d.dueAt.toISOString(), receivedAt: now.toISOString(), note: note ?? null };
    });
  }

  /** A finding on one line of a declaration in the case's scope. */
  async addFinding(
    actor: Principal,
    id: string,
    i: { declarationId: string; line: number; kind: string; description: string; declared?: string | null; established?: string | null; extraDuties: number; extraTaxes: number; penalties: number; currency: string; legalBasis: string; foundAt?: string },
  ) {
    return this.deps.db.transaction(async (tx) => {
      const r = await this.caseRow(tx, actor, id, 'pca.cases.work', true);
      this.requireWorker(actor, r);
      this.requireOpen(r);
      const scope = r.scope as CaseScope;
      const d = scope.declarations.find((x) => x.id === i.declarationId);
      if (!d) throw new ValidationError([{ path: 'declarationId', code: 'out_of_scope', message: `declarationId: not among the ${scope.declarations.length} declarations in the scope of case ${r.reference}` }]);
      if (!d.lines.includes(i.line)) throw new ValidationError([{ path: 'line', code: 'no_such_line', message: `line: declaration ${d.reference} has lines ${d.lines.join(', ')}` }]);
      const now = this.now();
      const foundAt = i.foundAt ? new Date(i.foundAt) : now;
      if (foundAt.getTime() > now.getTime()) throw new ValidationError([{ path: 'foundAt', code: 'in_the_future', message: 'foundAt: a finding cannot be dated in the future' }]);
      const row: FindingRow = {
        id: uuidv7(now.getTime()),
        caseId: id,
        country: r.country,
        traderTin: r.traderTin,
        declarationId: d.id,
        declarationReference: d.reference,
        line: i.line,
        kind: i.kind,
        description: i.description,
        declared: i.declared ?? null,
        established: i.established ?? null,
        extraDuties: i.extraDuties,
        extraTaxes: i.extraTaxes,
        penalties: i.penalties,
        currency: i.currency,
        legalBasis: i.legalBasis,
        releaseChannel: d.channel,
        foundAt,
        recordedBy: actor.name,
      };
      await tx.insert(schema.pcaFindings).values(row);
      await this.event(tx, id, actor, 'finding', { declaration: d.reference, line: i.line, kind: i.kind, amount: i.extraDuties + i.extraTaxes + i.penalties, currency: i.currency });
      await appendAudit(tx, { actor, country: r.country, action: 'pca.case.finding_recorded', entityType: 'pca_case', entityId: id, after: findingView(row) }, this.deps.clock);
      return findingView(row);
    });
  }

  async logHours(actor: Principal, id: string, hours: number, note?: string) {
    return this.deps.db.transaction(async (tx) => {
      const r = await this.caseRow(tx, actor, id, 'pca.cases.work', true);
      this.requireWorker(actor, r);
      this.requireOpen(r);
      const spent = Math.round((r.hoursSpent + hours) * 100) / 100;
      await tx.update(schema.pcaCases).set({ hoursSpent: spent }).where(eq(schema.pcaCases.id, id));
      await this.event(tx, id, actor, 'hours', { hours, total: spent, note: note ?? null });
      await appendAudit(tx, { actor, country: r.country, action: 'pca.case.hours_logged', entityType: 'pca_case', entityId: id, before: { hoursSpent: r.hoursSpent }, after: { hoursSpent: spent, note: note ?? null } }, this.deps.clock);
      return caseView({ ...r, hoursSpent: spent });
    });
  }

  async closeCase(actor: Principal, id: string, i: { outcome: 'assessed' | 'no_findings' | 'discontinued'; note: string; legalBasis: string }) {
    return this.deps.db.transaction(async (tx) => {
      const r = await this.caseRow(tx, actor, id, 'pca.cases.work', true);
      this.requireWorker(actor, r);
      this.requireOpen(r);
      const findings = await tx.select().from(schema.pcaFindings).where(eq(schema.pcaFindings.caseId, id));
      if (i.outcome === 'assessed' && !findings.length) throw new ValidationError([{ path: 'outcome', code: 'no_findings', message: 'outcome: assessed needs at least one finding; close with no_findings otherwise' }]);
      if (i.outcome === 'no_findings' && findings.length) throw new ValidationError([{ path: 'outcome', code: 'has_findings', message: `outcome: the case has ${findings.length} finding(s)` }]);
      const now = this.now();
      const closure = { outcome: i.outcome, note: i.note, legalBasis: i.legalBasis, totals: totals(findings), closedBy: actor.name };
      await tx.update(schema.pcaCases).set({ status: 'closed', closedAt: now, closure }).where(eq(schema.pcaCases.id, id));
      if (findings.length && this.deps.outcomes) await this.deps.outcomes.countOutcome(tx, r.country, r.traderTin, true, false);
      await this.event(tx, id, actor, 'closed', { outcome: i.outcome, findings: findings.length });
      await appendAudit(tx, { actor, country: r.country, action: 'pca.case.closed', entityType: 'pca_case', entityId: id, before: { status: r.status }, after: closure }, this.deps.clock);
      return caseView({ ...r, status: 'closed', closedAt: now, closure });
    });
  }

  /** Shares a case with a participant of the tax administration (read access to this case only). */
  async shareCase(actor: Principal, id: string, userId: string) {
    const u = this.deps.directory ? await this.deps.directory.user(userId) : null;
    return this.deps.db.transaction(async (tx) => {
      const r = await this.caseRow(tx, actor, id, 'pca.cases.share', true);
      if (actor.role === 'auditor' && actor.id !== r.auditorUserId) throw new ForbiddenError(`case ${r.reference} is assigned to ${r.auditorName}: only they, a supervisor or a manager share it`);
      if (this.deps.directory && (!u || u.role !== 'tax_liaison' || u.country !== r.country || !u.active))
        throw new ValidationError([{ path: 'userId', code: 'not_a_tax_participant', message: `userId: no active tax administration participant (role tax_liaison) of ${r.country} with this id` }]);
      const shared = r.sharedWith as string[];
      if (shared.includes(userId)) throw new ConflictError('the case is already shared with this participant');
      const next = [...shared, userId];
      await tx.update(schema.pcaCases).set({ sharedWith: next }).where(eq(schema.pcaCases.id, id));
      await this.event(tx, id, actor, 'shared', { with: u?.name ?? userId });
      await appendAudit(tx, { actor, country: r.country, action: 'pca.case.shared', entityType: 'pca_case', entityId: id, before: { sharedWith: shared }, after: { sharedWith: next } }, this.deps.clock);
      return caseView({ ...r, sharedWith: next });
    });
  }

  async caseReport(actor: Principal, id: string) {
    const c = await this.getCase(actor, id);
    const data: CaseReportData = {
      reference: c.reference,
      country: c.country,
      trader: { tin: c.traderTin, name: c.traderName },
      auditor: c.auditorName,
      openedAt: c.openedAt,
      closedAt: c.closedAt,
      status: c.status,
      source: c.source,
      scope: { from: c.scope.from, to: c.scope.to, declarations: c.scope.declarations.length, description: c.scope.description },
      documentRequests: c.documentRequests,
      findings: c.findings,
      closure: c.closure ? { outcome: c.closure.outcome, note: c.closure.note, legalBasis: c.closure.legalBasis } : null,
      generatedAt: this.now().toISOString(),
    };
    return { filename: `${c.reference}.pdf`, body: await caseReportPdf(data) };
  }

  // ================================================================ what flows back

  /**
   * Labels for the model, point in time: every declaration in the scope of a case closed before
   * `asOf`, lodged in [from, to): a discrepancy (with the amounts) when a finding dated before
   * `asOf` covers it, compliant otherwise. The intelligence module reads it (`useAuditLabels`).
   */
  auditLabelSource(): AuditLabelSource {
    return {
      labels: async (tx, country, from, to, asOf) => {
        const out = new Map<string, { hit: boolean; revenue: number }>();
        const cases = await tx.select().from(schema.pcaCases).where(and(eq(schema.pcaCases.country, country), eq(schema.pcaCases.status, 'closed'), lt(schema.pcaCases.closedAt, asOf)));
        if (!cases.length) return out;
        for (const c of cases) {
          for (const d of (c.scope as CaseScope).declarations) {
            const t = Date.parse(d.lodgedAt);
            if (t >= from.getTime() && t < to.getTime()) out.set(d.id, { hit: false, revenue: 0 });
          }
        }
        const findings = await tx.select().from(schema.pcaFindings).where(and(inArray(schema.pcaFindings.caseId, cases.map((c) => c.id)), lt(schema.pcaFindings.foundAt, asOf)));
        for (const f of findings) {
          const l = out.get(f.declarationId);
          if (!l) continue;
          l.hit = true;
          l.revenue += toUsd(f.extraDuties + f.extraTaxes, f.currency);
        }
        return out;
      },
    };
  }

  /** A trader's audit record at a time (the read port the traders module and risk may use). */
  async traderRecord(tx: Tx, country: string, tin: string, asOf: Date = new Date(this.now().getTime() + 1)) {
    const cases = await tx.select().from(schema.pcaCases).where(and(eq(schema.pcaCases.country, country), eq(schema.pcaCases.traderTin, tin), lt(schema.pcaCases.openedAt, asOf)));
    const findings = await tx.select().from(schema.pcaFindings).where(and(eq(schema.pcaFindings.country, country), eq(schema.pcaFindings.traderTin, tin), lt(schema.pcaFindings.foundAt, asOf)));
    const closed = cases.filter((c) => c.status === 'closed' && c.closedAt && c.closedAt < asOf);
    const withFindings = new Set(findings.map((f) => f.caseId));
    return {
      country,
      tin,
      asOf: asOf.toISOString(),
      audits: cases.length,
      closed: closed.length,
      closedWithFindings: closed.filter((c) => withFindings.has(c.id)).length,
      findings: findings.length,
      assessedUsd: Math.round(findings.reduce((a, f) => a + toUsd(f.extraDuties + f.extraTaxes + f.penalties, f.currency), 0) * 100) / 100,
      lastFindingAt: iso(findings.map((f) => f.foundAt).sort((a, b) => b.getTime() - a.getTime())[0]),
      declarationsFoundNonCompliant: new Set(findings.map((f) => f.declarationId)).size,
    };
  }

  async traderAudits(actor: Principal, country: string, tin: string) {
    requireAdministration(actor, 'pca.read', country);
    return this.traderRecord(this.deps.db, country, tin);
  }

  /**
   * Effectiveness of post-clearance audit over cases closed in [from, to): recovery per audit hour
   * by source of selection (model, random, tax mismatch, blue channel...), and releases later
   * found non-compliant by the channel they were released in (a blue or green release found
   * non-compliant counts against that channel).
   */
  async effectiveness(actor: Principal, country: string, f: { from?: string; to?: string } = {}) {
    requireAdministration(actor, 'pca.effectiveness', country);
    const to = f.to ? new Date(f.to) : new Date(this.now().getTime() + 1);
    const from = f.from ? new Date(f.from) : new Date(to.getTime() - 365 * DAY);
    const c = schema.pcaCases;
    const cases = await this.deps.db.select().from(c).where(and(eq(c.country, country), eq(c.status, 'closed'), gte(c.closedAt, from), lt(c.closedAt, to)));
    const findings = cases.length ? await this.deps.db.select().from(schema.pcaFindings).where(inArray(schema.pcaFindings.caseId, cases.map((x) => x.id))) : [];
    const byCase = new Map<string, FindingRow[]>();
    for (const x of findings) byCase.set(x.caseId, [...(byCase.get(x.caseId) ?? []), x]);
    const bySource = new Map<string, { source: string; cases: number; withFindings: number; hours: number; recoveredUsd: number }>();
    for (const x of cases) {
      const s = bySource.get(x.source) ?? { source: x.source, cases: 0, withFindings: 0, hours: 0, recoveredUsd: 0 };
      const fs = byCase.get(x.id) ?? [];
      s.cases++;
      if (fs.length) s.withFindings++;
      s.hours += x.hoursSpent || x.hoursPlanned;
      s.recoveredUsd += fs.reduce((a, y) => a + toUsd(y.extraDuties + y.extraTaxes + y.penalties, y.currency), 0);
      bySource.set(x.source, s);
    }
    const round = (v: number) => Math.round(v * 100) / 100;
    const sources = [...bySource.values()].map((s) => ({ ...s, recoveredUsd: round(s.recoveredUsd), hitRate: s.cases ? round(s.withFindings / s.cases) : 0, recoveryPerHour: s.hours ? round(s.recoveredUsd / s.hours) : 0 })).sort((a, b) => b.recoveryPerHour - a.recoveryPerHour);
    const channels = new Map<string, { channel: string; audited: number; nonCompliant: number }>();
    const nonCompliant = new Set(findings.map((x) => x.declarationId));
    for (const x of cases) {
      for (const d of (x.scope as CaseScope).declarations) {
        const ch = d.channel ?? 'unknown';
        const e = channels.get(ch) ?? { channel: ch, audited: 0, nonCompliant: 0 };
        e.audited++;
        if (nonCompliant.has(d.id)) e.nonCompliant++;
        channels.set(ch, e);
      }
    }
    const all = sources.reduce((a, s) => ({ hours: a.hours + s.hours, rec: a.rec + s.recoveredUsd, cases: a.cases + s.cases }), { hours: 0, rec: 0, cases: 0 });
    return {
      country,
      from: from.toISOString(),
      to: to.toISOString(),
      totals: { cases: all.cases, hours: all.hours, recoveredUsd: round(all.rec), recoveryPerHour: all.hours ? round(all.rec / all.hours) : 0 },
      bySource: sources,
      byReleaseChannel: [...channels.values()].map((e) => ({ ...e, nonComplianceRate: e.audited ? round(e.nonCompliant / e.audited) : 0 })).sort((a, b) => a.channel.localeCompare(b.channel)),
    };
  }

  // ================================================================ the tax administration

  /** Imports periodic tax returns (CSV or JSON Lines): each bad record rejected naming its field, the rest stored (one per taxpayer and month, the latest wins). */
  async importTaxReturns(actor: Principal, o: { format: 'csv' | 'jsonl'; text?: string; path?: string; country?: string; onProgress?: (p: { records: number; stored: number; rejected: number }) => void }): Promise<TaxImportReport> {
    const batchId = uuidv7(this.now().getTime());
    const report: TaxImportReport = { batchId, format: o.format, records: 0, stored: 0, rejected: 0, rejections: [] };
    let batch: TaxRecord[] = [];
    const flush = async () => {
      if (!batch.length) return;
      const rows = batch;
      batch = [];
      const now = this.now();
      await this.deps.db.transaction(async (tx) => {
        for (const r of rows) {
          await tx
            .insert(schema.pcaTaxReturns)
            .values({ id: uuidv7(now.getTime()), country: r.country, tin: r.tin, period: r.period, declaredImports: r.declaredImports, purchases: r.purchases, sales: r.sales, currency: r.currency, batchId, receivedAt: now })
            .onConflictDoUpdate({ target: [schema.pcaTaxReturns.country, schema.pcaTaxReturns.tin, schema.pcaTaxReturns.period], set: { declaredImports: r.declaredImports, purchases: r.purchases, sales: r.sales, currency: r.currency, batchId, receivedAt: now } });
        }
      });
      report.stored += rows.length;
      o.onProgress?.({ records: report.records, stored: report.stored, rejected: report.rejected });
    };
    for await (const rec of readTaxRecords(o)) {
      report.records++;
      if ('errors' in rec) {
        report.rejections.push({ record: rec.record, line: rec.line, errors: rec.errors });
        report.rejected++;
        continue;
      }
      const country = rec.value.country ?? o.country ?? actor.country;
      if (!mayActOn(actor, 'pca.tax.import', country)) {
        report.rejections.push({ record: rec.record, line: rec.line, errors: [{ path: 'country', code: 'out_of_reach', message: `country: you act for administration ${actor.country} and may not send returns of ${country}` }] });
        report.rejected++;
        continue;
      }
      batch.push({ ...rec.value, country: country as TaxRecord['country'] & string });
      if (batch.length >= 500) await flush();
    }
    await flush();
    await appendAudit(this.deps.db, { actor, action: 'pca.tax.imported', entityType: 'pca_tax_batch', entityId: batchId, after: { format: o.format, records: report.records, stored: report.stored, rejected: report.rejected } }, this.deps.clock);
    return report;
  }

  /** Customs imports per importer and month (USD), from the declarations service. */
  private async customsMonths(tx: Tx, country: string, from: Date, to: Date): Promise<CustomsMonth[]> {
    const decls = await importsLodged(tx, country, from, to);
    const m = new Map<string, CustomsMonth>();
    for (const d of decls) {
      const tin = d.declaration.importer?.tin ?? d.declaration.declarant.tin;
      const period = monthOf(d.lodgedAt);
      const k = `${tin}|${period}`;
      const e = m.get(k) ?? { tin, period, importsUsd: 0, declarations: 0, references: [] };
      for (const it of d.declaration.items) e.importsUsd += toUsd(it.customsValue, it.currency);
      e.declarations++;
      e.references.push(d.reference);
      m.set(k, e);
    }
    return [...m.values()];
  }

  /** Runs the detector over months [fromMonth, toMonth] (the neighbours read for time shifts); the run replaces earlier findings of those months. */
  async detectTaxMismatches(actor: Principal, country: string, fromMonth: string, toMonth: string) {
    requireAdministration(actor, 'pca.tax.detect', country);
    if (toMonth < fromMonth) throw new ValidationError([{ path: 'to', code: 'before_from', message: 'to must not be before from' }]);
    const periods: string[] = [];
    for (let p = fromMonth; p <= toMonth && periods.length < 60; p = shiftPeriod(p, 1)) periods.push(p);
    const db = this.deps.db;
    const wFrom = monthStart(shiftPeriod(fromMonth, -1));
    const wTo = monthStart(shiftPeriod(toMonth, 2));
    const customs = await this.customsMonths(db, country, wFrom, wTo);
    const rs = await db.select().from(schema.pcaTaxReturns).where(and(eq(schema.pcaTaxReturns.country, country), gte(schema.pcaTaxReturns.period, shiftPeriod(fromMonth, -1)), lt(schema.pcaTaxReturns.period, shiftPeriod(toMonth, 2))));
    const returns: TaxReturnUsd[] = rs.map((r) => ({ tin: r.tin, period: r.period, declaredImportsUsd: toUsd(r.declaredImports, r.currency), purchasesUsd: toUsd(r.purchases, r.currency), salesUsd: toUsd(r.sales, r.currency) }));
    const found = detectMismatches(customs, returns, periods, DEFAULT_THRESHOLDS);
    const now = this.now();
    const runId = uuidv7(now.getTime());
    await db.transaction(async (tx) => {
      await tx.delete(schema.pcaTaxMismatches).where(and(eq(schema.pcaTaxMismatches.country, country), inArray(schema.pcaTaxMismatches.period, periods)));
      const rows = found.map((m) => ({ id: uuidv7(now.getTime()), country, tin: m.tin, period: m.period, kind: m.kind, customsImportsUsd: m.customsImportsUsd, taxImportsUsd: m.taxImportsUsd, gapUsd: m.gapUsd, evidence: m.evidence, detectedAt: now, runId }));
      for (let k = 0; k < rows.length; k += 500) await tx.insert(schema.pcaTaxMismatches).values(rows.slice(k, k + 500));
      const byKind: Record<string, number> = {};
      for (const m of found) byKind[m.kind] = (byKind[m.kind] ?? 0) + 1;
      await appendAudit(tx, { actor, country, action: 'pca.tax.mismatches_detected', entityType: 'pca_tax_run', entityId: runId, after: { periods, traders: new Set(customs.map((c) => c.tin)).size, returns: returns.length, mismatches: found.length, byKind, thresholds: DEFAULT_THRESHOLDS } }, this.deps.clock);
    });
    const byKind: Record<string, number> = {};
    for (const m of found) byKind[m.kind] = (byKind[m.kind] ?? 0) + 1;
    return { runId, country, periods, mismatches: found.length, byKind };
  }

  async listMismatches(actor: Principal, country: string, f: { period?: string; tin?: string; limit?: number } = {}) {
    requireAdministration(actor, 'pca.tax.read', country);
    const m = schema.pcaTaxMismatches;
    const rows = await this.deps.db
      .select()
      .from(m)
      .where(and(eq(m.country, country), f.period ? eq(m.period, f.period) : undefined, f.tin ? eq(m.tin, f.tin) : undefined))
      .orderBy(desc(m.period), desc(sql`abs(${m.gapUsd})`))
      .limit(f.limit ?? 500);
    return rows.map((r) => ({ id: r.id, country: r.country, tin: r.tin, period: r.period, kind: r.kind, customsImportsUsd: r.customsImportsUsd, taxImportsUsd: r.taxImportsUsd, gapUsd: r.gapUsd, evidence: r.evidence as Record<string, unknown>, detectedAt: r.detectedAt.toISOString() }));
  }
}

// ---------------------------------------------------------------- views

export function sensitiveView(r: SensitiveRow) {
  return {
    id: r.id,
    country: r.country,
    hs: r.hs,
    reason: r.reason,
    note: r.note,
    validFrom: r.validFrom,
    validTo: r.validTo,
    status: r.status,
    proposedBy: r.proposedByName,
    proposedAt: r.proposedAt.toISOString(),
    decidedBy: r.decidedByName,
    decidedAt: iso(r.decidedAt),
    decisionNote: r.decisionNote,
    withdrawalBy: r.withdrawalByName,
    withdrawalReason: r.withdrawalReason,
  };
}

function conflictView(r: typeof schema.pcaConflicts.$inferSelect) {
  return { id: r.id, country: r.country, auditorUserId: r.auditorUserId, auditorName: r.auditorName, traderTin: r.traderTin, reason: r.reason, declaredBy: r.declaredBy, declaredAt: r.declaredAt.toISOString(), endedAt: iso(r.endedAt), endReason: r.endReason };
}

function planView(r: PlanRow) {
  const s = r.summary as { hoursPlanned: number; eligible: number; releases: number; window: { from: string; to: string }; bySource: Record<string, { items: number; hours: number; expectedRevenue: number; estimatedRecovery: number }> };
  return {
    id: r.id,
    country: r.country,
    month: r.month,
    status: r.status,
    capacityHours: r.capacityHours,
    hoursPlanned: s.hoursPlanned,
    randomShare: r.randomShare,
    seed: r.seed,
    eligible: s.eligible,
    releases: s.releases,
    window: s.window,
    bySource: s.bySource,
    createdBy: r.createdByName,
    createdAt: r.createdAt.toISOString(),
    decidedBy: r.decidedByName,
    decidedAt: iso(r.decidedAt),
    decisionNote: r.decisionNote,
  };
}

function itemView(r: ItemRow) {
  return {
    id: r.id,
    rank: r.rank,
    traderTin: r.traderTin,
    traderName: r.traderName,
    periodFrom: r.periodFrom.toISOString(),
    periodTo: r.periodTo.toISOString(),
    declarations: r.declarationIds.length,
    source: r.source,
    expectedRevenue: r.expectedRevenue,
    estimatedRecovery: r.estimatedRecovery,
    hours: r.hours,
    reasons: r.reasons as { code: string; amountUsd: number; detail: Record<string, string | number | null> }[],
    selected: r.selected,
    draw: r.draw,
  };
}

function caseView(r: CaseRow) {
  const closure = r.closure as { outcome: string; note: string; legalBasis: string; totals: ReturnType<typeof totals>; closedBy: string } | null;
  return {
    id: r.id,
    country: r.country,
    reference: r.reference,
    planId: r.planId,
    planItemId: r.planItemId,
    source: r.source,
    traderTin: r.traderTin,
    traderName: r.traderName,
    status: r.status,
    auditorUserId: r.auditorUserId,
    auditorName: r.auditorName,
    assignment: r.assignment as { seed: string; draw: number; candidates: string[]; excludedForConflict: string[]; chosen: string; at: string },
    openedBy: r.openedBy,
    openedAt: r.openedAt.toISOString(),
    dueAt: r.dueAt.toISOString(),
    hoursPlanned: r.hoursPlanned,
    hoursSpent: r.hoursSpent,
    sharedWith: r.sharedWith as string[],
    closedAt: iso(r.closedAt),
    closure,
  };
}

function findingView(f: FindingRow) {
  return {
    id: f.id,
    declarationId: f.declarationId,
    declarationReference: f.declarationReference,
    line: f.line,
    kind: f.kind,
    description: f.description,
    declared: f.declared,
    established: f.established,
    extraDuties: f.extraDuties,
    extraTaxes: f.extraTaxes,
    penalties: f.penalties,
    currency: f.currency,
    legalBasis: f.legalBasis,
    releaseChannel: f.releaseChannel,
    foundAt: f.foundAt.toISOString(),
    recordedBy: f.recordedBy,
  };
}

function totals(fs: readonly FindingRow[]) {
  const by = new Map<string, { currency: string; extraDuties: number; extraTaxes: number; penalties: number; total: number }>();
  for (const f of fs) {
    const t = by.get(f.currency) ?? { currency: f.currency, extraDuties: 0, extraTaxes: 0, penalties: 0, total: 0 };
    t.extraDuties += f.extraDuties;
    t.extraTaxes += f.extraTaxes;
    t.penalties += f.penalties;
    t.total += f.extraDuties + f.extraTaxes + f.penalties;
    by.set(f.currency, t);
  }
  return [...by.values()].map((t) => ({ currency: t.currency, extraDuties: Math.round(t.extraDuties * 100) / 100, extraTaxes: Math.round(t.extraTaxes * 100) / 100, penalties: Math.round(t.penalties * 100) / 100, total: Math.round(t.total * 100) / 100 }));
}
