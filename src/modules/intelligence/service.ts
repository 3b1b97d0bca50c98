import { and, asc, count, desc, eq, inArray } from 'drizzle-orm';
import type { Clock } from '../../core/clock.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { uuidv7 } from '../../core/ids.ts';
import { schema, type Db, type Tx } from '../../db/client.ts';
import { appendAudit } from '../access/audit.ts';
import { inScope, requireCountry } from '../access/scope.ts';
import { requireSecondPerson } from '../access/policy.ts';
import type { Principal } from '../access/types.ts';
import type { Declaration } from '../declarations/schema.ts';
import type { ModelInput } from '../risk/engine.ts';
import type { ReferencePriceSource } from '../risk/reference.ts';
import type { ModelScorer } from '../risk/service.ts';
import { consignmentMasses, loadDataset, loadHistory, type AuditLabelSource, type TraderHistorySource } from './dataset.ts';
import { readSetting, writeSetting } from '../risk/reads.ts';
import { traderTinOf } from '../traders/identity.ts';
import { FEATURES, rawFeatures } from './features.ts';
import type { GbdtParams } from './gbdt.ts';
import {
  DEFAULT_EXPLORATION,
  driftReport,
  explorationDraw,
  explore,
  loadRiskBundle,
  modelMetrics,
  scoreRows,
  trainRiskModel,
  type ExplorationConfig,
  type RiskModelBundle,
} from './lifecycle.ts';
import type { GbdtModel } from './model.ts';
import { loadValuation, refreshValuation, ValuationIndex } from './valuation.ts';

const DAY = 86_400_000;
const actorId = (p: Principal) => `${p.kind}:${p.id}`;
const exploreKey = (country: string) => `intelligence.exploration.${country}`;

type ModelRow = typeof schema.intelligenceModels.$inferSelect;
interface Loaded {
  row: ModelRow;
  bundle: RiskModelBundle;
  model: GbdtModel;
}

export interface TrainInput {
  country?: string;
  /** training window; default: the 180 days before `to` */
  from?: string;
  to?: string;
  /** the last days of the window are held out: metrics on their random controls */
  holdoutDays?: number;
  params?: Partial<GbdtParams>;
}

/**
 * The intelligence module's use cases: the valuation database, training on controlled
 * declarations, metrics on random controls, the champion / challenger lifecycle with four-eyes
 * promotion, drift, and the ModelScorer the risk engine calls.
 */
export class IntelligenceService {
  private valuation = new ValuationIndex();
  private valuationAt = 0;
  private live = new Map<string, { at: number; champion: Loaded | null; challenger: Loaded | null }>();

  private audits: AuditLabelSource | null = null;

  constructor(readonly deps: { db: Db; clock: Clock; traders: TraderHistorySource }) {}

  /** Post-clearance audit findings as training labels, point in time (the audit module's read port). */
  useAuditLabels(source: AuditLabelSource | null): void {
    this.audits = source;
  }

  private auditsAsOf(asOf: Date) {
    return { source: this.audits, asOf };
  }

  // ------------------------------------------------------------------ valuation

  async valuationIndex(tx: Tx = this.deps.db): Promise<ValuationIndex> {
    if (!this.valuationAt || Date.now() - this.valuationAt > 3_600_000) {
      this.valuation = await loadValuation(tx);
      this.valuationAt = Date.now();
    }
    return this.valuation;
  }

  /** Recomputes the reference prices from the accepted history of the last `days` days. */
  async refreshValuation(actor: Principal, i: { country?: string; days?: number } = {}) {
    const country = i.country ?? actor.country;
    requireCountry(actor, country);
    const now = this.deps.clock.now();
    const from = new Date(now.getTime() - (i.days ?? 365) * DAY);
    const r = await this.deps.db.transaction(async (tx) => {
      const r = await refreshValuation(tx, country, from, new Date(now.getTime() + 1), now);
      await appendAudit(tx, { actor, country, action: 'valuation.refreshed', entityType: 'valuation', entityId: country, after: { groups: r.groups, from: from.toISOString(), to: now.toISOString() } }, this.deps.clock);
      return r;
    });
    this.valuationAt = 0;
    return { country, groups: r.groups, from: from.toISOString(), to: now.toISOString() };
  }

  /** Reference prices of an HS subheading (every origin and unit basis). */
  async referencePrices(actor: Principal, hs6: string, country = actor.country) {
    requireCountry(actor, country);
    const ix = await this.valuationIndex();
    return ix.stats().filter((s) => s.country === country && s.hs6 === hs6.slice(0, 6));
  }

  /** Feeds the CEL `refUnitValue` / `refPrice()` of the risk engine (`risk.prices.useSource(...)`). */
  priceSource(): ReferencePriceSource {
    return {
      medians: async (tx) => {
        const ix = await this.valuationIndex(tx);
        return ix.size ? ix.medians() : null;
      },
    };
  }

  // ------------------------------------------------------------------ training and evaluation

  async train(actor: Principal, i: TrainInput) {
    const country = i.country ?? actor.country;
    requireCountry(actor, country);
    const now = this.deps.clock.now();
    const to = i.to ? new Date(i.to) : new Date(now.getTime() + 1);
    const from = i.from ? new Date(i.from) : new Date(to.getTime() - 180 * DAY);
    if (!(to > from)) throw new ValidationError([{ path: 'to', code: 'before_from', message: 'the window must end after it starts' }]);
    const holdoutDays = i.holdoutDays ?? Math.max(1, Math.round((to.getTime() - from.getTime()) / DAY / 4));
    const holdoutFrom = new Date(to.getTime() - holdoutDays * DAY);
    if ((await this.valuationIndex()).stats().every((s) => s.country !== country)) await this.refreshValuation(actor, { country });
    const valuation = await this.valuationIndex();
    const data = await loadDataset(this.deps.traders, this.deps.db, country, from, to, valuation, this.auditsAsOf(now));
    const before = data.filter((r) => r.at < holdoutFrom.getTime());
    const after = data.filter((r) => r.at >= holdoutFrom.getTime());
    const labelled = before.filter((r) => r.label !== null);
    let trained;
    try {
      trained = trainRiskModel({ rows: labelled.map((r) => r.raw), y: labelled.map((r) => r.label as number) }, before.map((r) => r.raw), { params: i.params });
    } catch (e) {
      throw new ValidationError([{ path: 'from', code: 'not_enough_labels', message: `${(e as Error).message} between ${from.toISOString()} and ${holdoutFrom.toISOString()}` }]);
    }
    const metrics = this.metricsOn(trained.bundle, trained.model, after);
    const name = await this.nextName(country, now);
    const row: typeof schema.intelligenceModels.$inferInsert = {
      id: uuidv7(now.getTime()),
      country,
      name,
      status: 'candidate',
      windowFrom: from,
      windowTo: to,
      holdoutFrom,
      features: FEATURES.map((f) => ({ name: f.name, kind: f.kind, label: f.label })),
      params: trained.params,
      metrics: { ...metrics, training: { declarations: before.length, controlled: labelled.length, discrepancies: labelled.filter((r) => r.label === 1).length, trees: trained.rounds, seconds: Math.round(trained.trainSeconds * 100) / 100 } },
      bundle: trained.bundle,
      trainedBy: actor.name,
      trainedAt: now,
    };
    await this.deps.db.transaction(async (tx) => {
      await tx.insert(schema.intelligenceModels).values(row);
      await appendAudit(tx, { actor, country, action: 'model.trained', entityType: 'model', entityId: row.id, after: { name, window: [from.toISOString(), to.toISOString()], holdoutFrom: holdoutFrom.toISOString(), metrics: row.metrics } }, this.deps.clock);
    });
    return modelView(row as ModelRow);
  }

  private metricsOn(bundle: RiskModelBundle, model: GbdtModel, rows: Awaited<ReturnType<typeof loadDataset>>) {
    const controlled = rows.filter((r) => r.label !== null);
    const random = controlled.filter((r) => r.random);
    const score = (rs: typeof rows) => scoreRows(bundle, model, rs.map((r) => r.raw), 0, false).map((s) => s.score);
    const m = (rs: typeof rows) => modelMetrics(rs.map((r) => r.label as number), score(rs), rs.map((r) => r.revenue));
    return { randomControls: m(random), allControls: m(controlled), holdout: { declarations: rows.length, controlled: controlled.length, random: random.length } };
  }

  /** Metrics of a model on the random controls (and all controls) of a window. */
  async evaluate(actor: Principal, id: string, i: { from?: string; to?: string } = {}) {
    const l = await this.load(actor, id);
    const to = i.to ? new Date(i.to) : new Date(this.deps.clock.now().getTime() + 1);
    const from = i.from ? new Date(i.from) : l.row.holdoutFrom;
    const data = await loadDataset(this.deps.traders, this.deps.db, l.row.country, from, to, await this.valuationIndex(), this.auditsAsOf(this.deps.clock.now()));
    return { model: l.row.name, from: from.toISOString(), to: to.toISOString(), ...this.metricsOn(l.bundle, l.model, data) };
  }

  private async nextName(country: string, now: Date): Promise<string> {
    const [{ n }] = await this.deps.db.select({ n: count() }).from(schema.intelligenceModels).where(eq(schema.intelligenceModels.country, country));
    return `${country}-${now.toISOString().slice(0, 10).replaceAll('-', '')}-${String(Number(n) + 1).padStart(2, '0')}`;
  }

  // ------------------------------------------------------------------ lifecycle (four eyes)

  async list(actor: Principal, country = actor.country) {
    requireCountry(actor, country);
    const rows = await this.deps.db.select().from(schema.intelligenceModels).where(eq(schema.intelligenceModels.country, country)).orderBy(desc(schema.intelligenceModels.trainedAt));
    return rows.map(modelView);
  }

  async get(actor: Principal, id: string) {
    return modelView((await this.load(actor, id)).row);
  }

  private async row(tx: Tx, actor: Principal, id: string, lock = false): Promise<ModelRow> {
    const q = tx.select().from(schema.intelligenceModels).where(eq(schema.intelligenceModels.id, id));
    const [r] = lock ? await q.for('update') : await q;
    if (!r || !inScope(actor, r.country)) throw new NotFoundError(`model ${id}`);
    return r;
  }

  private async load(actor: Principal, id: string): Promise<Loaded> {
    const row = await this.row(this.deps.db, actor, id);
    return { row, ...loadRiskBundle(row.bundle) };
  }

  /** An analyst proposes a model as champion or as challenger; a second person decides. */
  async propose(actor: Principal, id: string, role: 'champion' | 'challenger', note?: string) {
    return this.deps.db.transaction(async (tx) => {
      const r = await this.row(tx, actor, id, true);
      if (!['candidate', 'challenger', 'rejected'].includes(r.status) || (r.status === 'challenger' && role === 'challenger'))
        throw new ConflictError(`model ${r.name} is ${r.status}: it cannot be proposed as ${role}`);
      const now = this.deps.clock.now();
      await tx.update(schema.intelligenceModels).set({ status: 'proposed', proposedRole: role, proposedBy: actorId(actor), proposedByName: actor.name, proposedAt: now, decidedBy: null, decidedByName: null, decidedAt: null, decisionNote: null }).where(eq(schema.intelligenceModels.id, id));
      await appendAudit(tx, { actor, country: r.country, action: 'model.proposed', entityType: 'model', entityId: id, before: { status: r.status }, after: { name: r.name, role, note: note ?? null } }, this.deps.clock);
      return modelView((await this.row(tx, actor, id)) as ModelRow);
    });
  }

  /** Four eyes: neither who trained nor who proposed the model approves it. The former holder of the role retires. */
  async approve(actor: Principal, id: string, note?: string) {
    const out = await this.deps.db.transaction(async (tx) => {
      const r = await this.row(tx, actor, id, true);
      if (r.status !== 'proposed' || !r.proposedRole) throw new ConflictError(`model ${r.name} is ${r.status}: propose it first`);
      if (r.proposedBy === actorId(actor) || r.trainedBy === actor.name) throw new ForbiddenError(`four eyes: you ${r.proposedBy === actorId(actor) ? 'proposed' : 'trained'} model ${r.name}, so someone else must approve it`);
      // and a person (never an API key): policy.ts
      requireSecondPerson(actor, { keys: r.proposedBy ? [r.proposedBy] : [], names: [r.trainedBy] }, `model ${r.name}`);
      const now = this.deps.clock.now();
      const role = r.proposedRole;
      const former = await tx
        .select()
        .from(schema.intelligenceModels)
        .where(and(eq(schema.intelligenceModels.country, r.country), eq(schema.intelligenceModels.status, role)));
      for (const f of former) await tx.update(schema.intelligenceModels).set({ status: 'retired', retiredAt: now }).where(eq(schema.intelligenceModels.id, f.id));
      await tx.update(schema.intelligenceModels).set({ status: role, decidedBy: actorId(actor), decidedByName: actor.name, decidedAt: now, decisionNote: note ?? null }).where(eq(schema.intelligenceModels.id, id));
      await appendAudit(tx, { actor, country: r.country, action: 'model.promoted', entityType: 'model', entityId: id, before: { status: r.status, [role]: former.map((f) => f.name) }, after: { name: r.name, status: role, proposedBy: r.proposedByName, note: note ?? null } }, this.deps.clock);
      return modelView((await this.row(tx, actor, id)) as ModelRow);
    });
    this.live.delete(out.country);
    return out;
  }

  async reject(actor: Principal, id: string, note: string) {
    return this.deps.db.transaction(async (tx) => {
      const r = await this.row(tx, actor, id, true);
      if (r.status !== 'proposed') throw new ConflictError(`model ${r.name} is ${r.status}: nothing to reject`);
      if (r.proposedBy === actorId(actor)) throw new ForbiddenError('four eyes: the proposer cannot decide on their own proposal');
      const now = this.deps.clock.now();
      await tx.update(schema.intelligenceModels).set({ status: 'rejected', decidedBy: actorId(actor), decidedByName: actor.name, decidedAt: now, decisionNote: note }).where(eq(schema.intelligenceModels.id, id));
      await appendAudit(tx, { actor, country: r.country, action: 'model.rejected', entityType: 'model', entityId: id, after: { name: r.name, note } }, this.deps.clock);
      return modelView((await this.row(tx, actor, id)) as ModelRow);
    });
  }

  /** Retires the champion or challenger (no model then scores in that role). */
  async retire(actor: Principal, id: string, reason: string) {
    const out = await this.deps.db.transaction(async (tx) => {
      const r = await this.row(tx, actor, id, true);
      if (r.status !== 'champion' && r.status !== 'challenger') throw new ConflictError(`model ${r.name} is ${r.status}`);
      await tx.update(schema.intelligenceModels).set({ status: 'retired', retiredAt: this.deps.clock.now() }).where(eq(schema.intelligenceModels.id, id));
      await appendAudit(tx, { actor, country: r.country, action: 'model.retired', entityType: 'model', entityId: id, before: { status: r.status }, after: { name: r.name, reason } }, this.deps.clock);
      return modelView((await this.row(tx, actor, id)) as ModelRow);
    });
    this.live.delete(out.country);
    return out;
  }

  // ------------------------------------------------------------------ exploration settings

  async exploration(tx: Tx, country: string): Promise<ExplorationConfig> {
    return { ...DEFAULT_EXPLORATION, ...(((await readSetting(tx, exploreKey(country))) ?? {}) as Partial<ExplorationConfig>) };
  }

  async setExploration(actor: Principal, country: string, cfg: ExplorationConfig) {
    requireCountry(actor, country);
    return this.deps.db.transaction(async (tx) => {
      const before = await this.exploration(tx, country);
      const now = this.deps.clock.now();
      await writeSetting(tx, exploreKey(country), cfg, now);
      await appendAudit(tx, { actor, country, action: 'model.exploration_changed', entityType: 'model_exploration', entityId: country, before, after: cfg }, this.deps.clock);
      return cfg;
    });
  }

  // ------------------------------------------------------------------ drift

  /** Precision on recent controls and population stability of key features (training window vs the last `days` days). */
  async drift(actor: Principal, i: { country?: string; days?: number; id?: string } = {}) {
    const country = i.country ?? actor.country;
    requireCountry(actor, country);
    const live = i.id ? await this.load(actor, i.id) : (await this.liveModels(this.deps.db, country)).champion;
    if (!live) throw new NotFoundError(`a champion model for ${country} (promote one first)`);
    const now = this.deps.clock.now();
    const from = new Date(now.getTime() - (i.days ?? 30) * DAY);
    const recent = await loadDataset(this.deps.traders, this.deps.db, country, from, new Date(now.getTime() + 1), await this.valuationIndex(), this.auditsAsOf(now));
    const controlled = recent.filter((r) => r.label !== null);
    const scores = scoreRows(live.bundle, live.model, controlled.map((r) => r.raw), 0, false).map((s) => s.score);
    const above = controlled.filter((_, k) => scores[k] >= live.bundle.boundary);
    const hitRate = (rs: typeof controlled) => (rs.length ? rs.filter((r) => r.label === 1).length / rs.length : null);
    const trainedMetrics = live.row.metrics as { randomControls?: { top?: { pct: number; precision: number }[] } };
    return {
      model: live.row.name,
      country,
      window: { from: from.toISOString(), to: now.toISOString(), declarations: recent.length, controls: controlled.length },
      precision: {
        recentControls: modelMetrics(controlled.map((r) => r.label as number), scores, controlled.map((r) => r.revenue)),
        hitRateAboveBoundary: hitRate(above),
        hitRateOfAllControls: hitRate(controlled),
        atTraining: trainedMetrics.randomControls?.top ?? [],
      },
      stability: driftReport(live.bundle.reference, recent.map((r) => r.raw)),
    };
  }

  // ------------------------------------------------------------------ the scorer the risk engine calls

  private async liveModels(tx: Tx, country: string) {
    const c = this.live.get(country);
    if (c && Date.now() - c.at < 30_000) return c;
    const rows = await tx
      .select()
      .from(schema.intelligenceModels)
      .where(and(eq(schema.intelligenceModels.country, country), inArray(schema.intelligenceModels.status, ['champion', 'challenger'])))
      .orderBy(asc(schema.intelligenceModels.trainedAt));
    const pick = (s: string) => {
      const r = rows.filter((x) => x.status === s).at(-1);
      return r ? { row: r, ...loadRiskBundle(r.bundle) } : null;
    };
    const v = { at: Date.now(), champion: pick('champion'), challenger: pick('challenger') };
    this.live.set(country, v);
    return v;
  }

  /** Scores declarations with each administration's champion (the challenger beside it), explained. */
  async scoreDeclarations(tx: Tx, items: { id: string; declaration: Declaration }[]): Promise<(ModelInput | null)[]> {
    const out: (ModelInput | null)[] = new Array(items.length).fill(null);
    const byCountry = new Map<string, number[]>();
    items.forEach((x, i) => byCountry.set(x.declaration.country, [...(byCountry.get(x.declaration.country) ?? []), i]));
    const valuation = await this.valuationIndex(tx);
    for (const [country, idx] of byCountry) {
      const live = await this.liveModels(tx, country);
      if (!live.champion) continue;
      const ds = idx.map((i) => items[i].declaration);
      const traders = [...new Set(ds.map((d) => traderTinOf(d)))];
      const declarants = [...new Set(ds.map((d) => d.declarant.tin))];
      const maxAt = Math.max(...ds.map((d) => Date.parse(d.lodgedAt)));
      const history = await loadHistory(this.deps.traders, tx, country, new Date(maxAt), { traders, declarants });
      const masses = await consignmentMasses(tx, country, [...new Set(ds.map((d) => d.transportDocument).filter((x): x is string => !!x))]);
      const rows = ds.map((d) => rawFeatures({ declaration: d, at: Date.parse(d.lodgedAt), consignmentGrossKg: d.transportDocument ? (masses.get(d.transportDocument) ?? null) : null }, history, valuation));
      const champ = scoreRows(live.champion.bundle, live.champion.model, rows, 5, true);
      const chall = live.challenger ? scoreRows(live.challenger.bundle, live.challenger.model, rows, 0, false) : null;
      const cfg = await this.exploration(tx, country);
      idx.forEach((i, k) => {
        const d = ds[k];
        const score = champ[k].score;
        const draw = explorationDraw(`${live.champion!.row.name}|${country}|${d.reference}`);
        const e = explore(score, draw, cfg, live.champion!.bundle);
        out[i] = {
          version: live.champion!.row.name,
          score: Math.round(score * 1e6) / 1e6,
          explanation: champ[k].explanation,
          challenger: chall ? { version: live.challenger!.row.name, score: Math.round(chall[k].score * 1e6) / 1e6 } : null,
          explore: cfg.rate > 0 ? { mode: cfg.mode, draw, p: e.p, selected: e.selected } : null,
        };
      });
    }
    return out;
  }

  /** The hook for `risk.setModelScorer(...)`. */
  scorer(): ModelScorer {
    return { version: 'intelligence', score: (tx, items) => this.scoreDeclarations(tx, items) };
  }
}

export function modelView(r: ModelRow) {
  return {
    id: r.id,
    country: r.country,
    name: r.name,
    status: r.status,
    proposedRole: r.proposedRole,
    window: { from: r.windowFrom.toISOString(), to: r.windowTo.toISOString(), holdoutFrom: r.holdoutFrom.toISOString() },
    features: r.features as { name: string; kind: string; label: string }[],
    params: r.params as Record<string, unknown>,
    metrics: r.metrics as Record<string, unknown>,
    trainedBy: r.trainedBy,
    trainedAt: r.trainedAt.toISOString(),
    proposedBy: r.proposedByName,
    proposedAt: r.proposedAt?.toISOString() ?? null,
    decidedBy: r.decidedByName,
    decidedAt: r.decidedAt?.toISOString() ?? null,
    decisionNote: r.decisionNote,
    retiredAt: r.retiredAt?.toISOString() ?? null,
  };
}
