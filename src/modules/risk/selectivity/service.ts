import type { SQL } from 'drizzle-orm';
import { ValidationError } from '../../../core/errors.ts';
import { uuidv7 } from '../../../core/ids.ts';
import type { schema, Tx } from '../../../db/client.ts';
import { appendAudit, type AuditEntryInput } from '../../access/audit.ts';
import { requireCountry } from '../../access/scope.ts';
import type { Principal } from '../../access/types.ts';
import type { Declaration, Manifest } from '../../declarations/schema.ts';
import type { AssessGiven, ConsignmentRecord } from '../../declarations/service.ts';
import { toFieldErrors } from '../../declarations/validate.ts';
import { randomDraw } from '../baseline.ts';
import { celConsignment, celManifest, celTrader, evalContext, type ConsignmentView } from '../cel.ts';
import type { CriteriaService } from '../criteria/service.ts';
import { recordCriterionFailures } from '../criteria/repository.ts';
import type { AssessmentInputs, Channel, OfficerOnDuty, RiskDecision } from '../decision.ts';
import type { RiskDeps } from '../deps.ts';
import { decide, defaultRiskConfig, maxChannel, RISK_ENGINE, stageOf, traderTinOf, traderView, type CriterionFailure, type MarkInput, type ModelInput, type RiskConfig } from '../engine.ts';
import { localDay } from '../localday.ts';
import { ReferencePrices } from '../reference.ts';
import { applyOverrides, effectiveProblems, effectiveRiskConfig, readOverrides, riskOverridesSchema, selectivitySeed, type RiskOverrides, type SelectivitySeed } from '../settings.ts';
import { applyCapacity } from './capacity.ts';
import { replayAssessment, type ReplayResult } from './replay.ts';
import * as repo from './repository.ts';

/** The model hook the intelligence issue fills: a probability of fraud per declaration, or null. */
export interface ModelScorer {
  version: string;
  /** a probability (recorded with `version`), or a full ModelInput (version, explanation, challenger, exploration) */
  score(tx: Tx, items: { id: string; declaration: Declaration }[]): Promise<(number | ModelInput | null)[]>;
}

/**
 * The selectivity room: the assessment of declarations as intake stores them (criteria, model
 * score, trader standing, random control, capacity per office), manifest pre-arrival marks, the
 * administration's settings, the reference prices and the selectivity seed, and replay.
 */
export class SelectivityService {
  private model: ModelScorer | null = null;
  private pricesRefreshMs = 3_600_000;
  private pricesLoading: Promise<void> | null = null;
  private seedCache: SelectivitySeed | null = null;

  constructor(
    private readonly deps: RiskDeps,
    private readonly criteria: CriteriaService,
    /** reference unit values (valuation medians) the criteria read, by administration */
    readonly prices: ReferencePrices = new ReferencePrices(),
  ) {}

  setModelScorer(m: ModelScorer | null): void {
    this.model = m;
  }

  /** Reloads the reference unit values (valuation medians) from the stored history. */
  async refreshReferencePrices(tx: Tx = this.deps.db): Promise<void> {
    await this.prices.load(tx, this.deps.clock.now());
  }

  /** The reference prices, loaded or refreshed when older than an hour. */
  async ensurePrices(tx: Tx): Promise<ReferencePrices> {
    if (this.prices.loadedAt && Date.now() - this.prices.loadedAt < this.pricesRefreshMs) return this.prices;
    this.pricesLoading ??= this.refreshReferencePrices(tx).finally(() => (this.pricesLoading = null));
    await this.pricesLoading;
    return this.prices;
  }

  /** The secret seed of the random draws (control selection and officer assignment). */
  async seed(tx: Tx): Promise<SelectivitySeed> {
    return (this.seedCache ??= await selectivitySeed(tx, this.deps.clock));
  }

  // ------------------------------------------------------------------ configuration

  async getConfig(tx: Tx, country: string): Promise<RiskConfig> {
    return effectiveRiskConfig(this.deps.config.randomControlRate, await repo.storedConfig(tx, country));
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
    return repo.configVersions(this.deps.db, country);
  }

  /** Puts back the overrides of an earlier version, as a new version that says so. */
  async revertConfig(actor: Principal, country: string, version: number, reason: string): Promise<RiskConfig> {
    requireCountry(actor, country);
    const v = await repo.configVersion(this.deps.db, country, version);
    if (!v) throw new ValidationError([{ path: 'version', code: 'unknown_version', message: `there is no version ${version} of the settings of ${country}` }]);
    return this.writeConfig(actor, country, reason, version, () => readOverrides(v.settings).overrides);
  }

  /** One versioned, audited change: parsed, checked across fields, stored with who, when and why. */
  private async writeConfig(actor: Principal, country: string, reason: string, revertedFrom: number | null, next: (current: RiskOverrides) => RiskOverrides): Promise<RiskConfig> {
    requireCountry(actor, country);
    return this.deps.db.transaction(async (tx) => {
      await repo.lockConfig(tx, country);
      const stored = await repo.storedConfig(tx, country);
      const current = readOverrides(stored).overrides;
      const parsed = riskOverridesSchema.safeParse(next(current));
      if (!parsed.success) throw new ValidationError(toFieldErrors(parsed.error));
      const doc = parsed.data;
      const base = defaultRiskConfig(this.deps.config.randomControlRate);
      const after = applyOverrides(base, doc);
      const problems = effectiveProblems(after);
      if (problems.length) throw new ValidationError(problems);
      const before = effectiveRiskConfig(this.deps.config.randomControlRate, stored);
      const now = this.deps.clock.now();
      const version = (await repo.lastConfigVersion(tx, country)) + 1;
      await repo.saveConfig(tx, { country, version, settings: doc, actor: actor.name, reason, revertedFrom, now });
      await appendAudit(
        tx,
        { actor, country, action: revertedFrom === null ? 'risk.config_changed' : 'risk.config_reverted', entityType: 'risk_config', entityId: country, before, after: { ...after, version, reason, ...(revertedFrom === null ? {} : { revertedFrom }) } },
        this.deps.clock,
      );
      return after;
    });
  }

  // ------------------------------------------------------------------ the assessment

  /** where the consignments a declaration covers come from (the declarations module's service) when intake does not give them */
  private consignmentSource: ((tx: Tx, country: string, documents: string[]) => Promise<ConsignmentRecord[]>) | null = null;
  useConsignments(source: ((tx: Tx, country: string, documents: string[]) => Promise<ConsignmentRecord[]>) | null): void {
    this.consignmentSource = source;
  }

  /** the effective settings of the last stored overrides seen, per administration (parsed once per change) */
  private configCache = new Map<string, { stored: string; config: RiskConfig }>();
  private configOf(country: string, stored: unknown): RiskConfig {
    const key = JSON.stringify(stored ?? null);
    const c = this.configCache.get(country);
    if (c && c.stored === key) return c.config;
    const config = effectiveRiskConfig(this.deps.config.randomControlRate, stored);
    this.configCache.set(country, { stored: key, config });
    return config;
  }

  /**
   * What the decisions of one administration's batch read, as a part of intake's one read
   * statement (declarations/service.ts ReadPart), with the keys it reads by.
   */
  contextPart(country: string, declarations: Declaration[], now: Date): repo.RiskReadPart<repo.IntakeContextRows> & { tins: string[]; docs: string[]; offices: string[] } {
    const tins = [...new Set(declarations.map((d) => traderTinOf(d)))];
    const docs = [...new Set(declarations.map((d) => d.transportDocument).filter((d): d is string => !!d))];
    const offices = [...new Set(declarations.map((d) => d.office))];
    return { ...repo.intakeContextPart(country, localDay(country, now), now, tins, docs, offices), tins, docs, offices };
  }

  /**
   * Decides a batch of declaration versions (intake's transaction). Each decision carries, as
   * data, the officers on duty at its office (`RiskDecision.onDuty`) for the controls opened next.
   */
  async assess(tx: Tx, list: { id: string; version: number; declaration: Declaration }[], opts: { given?: Map<string, AssessGiven>; writes?: SQL[] } = {}): Promise<RiskDecision[]> {
    const prices = await this.ensurePrices(tx);
    const now = this.deps.clock.now();
    const at = now.getTime();
    const seed = await this.seed(tx);
    const out: RiskDecision[] = new Array(list.length);
    const modelScores = this.model ? await this.model.score(tx, list.map((x) => ({ id: x.id, declaration: x.declaration }))) : null;
    const byCountry = new Map<string, number[]>();
    list.forEach((x, i) => {
      const g = byCountry.get(x.declaration.country);
      if (g) g.push(i);
      else byCountry.set(x.declaration.country, [i]);
    });
    for (const [country, idx] of byCountry) {
      const day = localDay(country, now);
      // everything the decisions read: read by intake in its own statement (`contextPart`), else here in one
      const given = opts.given?.get(country);
      let ctx = given?.context as repo.IntakeContextRows | undefined;
      let consignmentRows = given?.consignments;
      if (!ctx) {
        const ds = idx.map((i) => list[i].declaration);
        const part = this.contextPart(country, ds, now);
        ctx = await repo.intakeContext(tx, country, day, now, part.tins, part.docs, part.offices);
        consignmentRows = part.docs.length && this.consignmentSource ? await this.consignmentSource(tx, country, part.docs) : [];
      }
      const consignments = consignmentViews(consignmentRows ?? []);
      const rs = await this.criteria.ruleset(tx, country, ctx.generation);
      const config = this.configOf(country, ctx.storedConfig);
      const { stats, marks } = ctx;
      // the evaluation context of this administration's criteria
      const ectx = evalContext(country, prices);
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
        // the declaration as the criteria see it: only the fields they read
        const cd = rs.declarationView(d, prices);
        const ev = rs.evaluate(stage, d.office, d.type, at, { decl: cd, trader: celTrader(tv), consignment: celConsignment(cons) }, ectx);
        const rate = config.randomRate.offices[d.office] ?? config.randomRate.default;
        const draw = randomDraw(seed.secret, `${country}|${d.reference}|${version}`);
        const ms = modelScores?.[i];
        const model = this.model && ms !== null && ms !== undefined ? (typeof ms === 'number' ? { version: this.model.version, score: ms } : ms) : null;
        const dd = decide({ hits: ev.hits, errors: ev.errors, model, trader: tv, draw, randomRate: rate, mark, config });
        for (const e of ev.errors) failures.push({ ...e, reference: d.reference });
        const refPrices: Record<string, number> = {};
        for (const it of d.items) {
          const sh = it.hsCode.slice(0, 6);
          refPrices[sh] = prices.refPrice(country, sh);
        }
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
      const capacity = applyCapacity(ctx.capacity, day, decided.map((x) => ({ office: list[x.i].declaration.office, d: x.d, inputs: x.inputs })), config);
      for (const x of decided) {
        const onDuty: OfficerOnDuty[] = ctx.onDuty.get(list[x.i].declaration.office) ?? [];
        out[x.i] = { channel: x.d.channel, riskLevel: x.d.riskLevel, score: x.d.score, reasons: x.d.reasons, engine: RISK_ENGINE, inputs: x.inputs as unknown as Record<string, unknown>, onDuty };
      }
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
      const counters = repo.counterWrites(country, day, now, capacity, traders);
      if (opts.writes) opts.writes.push(...counters);
      else await repo.runWrites(tx, counters);
      if (failures.length) await recordCriterionFailures(tx, country, now, failures);
    }
    return out;
  }

  // ------------------------------------------------------------------ manifests: pre-arrival targeting

  async targetManifests(tx: Tx, list: { id: string; version: number; manifest: Manifest }[], actor: Principal): Promise<void> {
    const now = this.deps.clock.now();
    const audit: AuditEntryInput[] = [];
    for (const x of list) {
      const m = x.manifest;
      const rs = await this.criteria.ruleset(tx, m.country);
      if (!rs.candidates('manifest', m.office, '*').length && !rs.candidates('manifest', m.office, 'IM').length) continue;
      // an amended manifest is targeted again; marks already picked up by a declaration stay
      await repo.deleteOpenMarks(tx, x.id);
      const cm = celManifest(m);
      const ectx = evalContext(m.country, this.prices);
      const tins = [...new Set(m.consignments.map((c) => c.consigneeTin).filter((t): t is string => !!t))];
      const stats = await repo.traderStats(tx, m.country, tins);
      const rows: (typeof schema.consignmentMarks.$inferInsert)[] = [];
      const manifestFailures: (CriterionFailure & { reference: string })[] = [];
      for (const c of m.consignments) {
        const tin = c.consigneeTin ?? '';
        const tv = traderView(stats.get(tin), tin, now.getTime());
        const ev = rs.evaluate('manifest', m.office, 'IM', now.getTime(), { manifest: cm, consignment: celConsignment(c), trader: celTrader(tv) }, ectx);
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
      await repo.insertMarks(tx, rows);
      if (manifestFailures.length) await recordCriterionFailures(tx, m.country, now, manifestFailures);
    }
    await appendAudit(tx, audit, this.deps.clock);
  }

  async listMarks(actor: Principal, f: { country?: string; manifestId?: string; limit?: number }) {
    const country = f.country ?? actor.country;
    requireCountry(actor, country);
    return repo.marks(this.deps.db, country, f);
  }

  /** Replays a recorded decision with its own evaluation context (the prices it recorded). */
  async replay(actor: Principal, assessmentId: string): Promise<ReplayResult> {
    return replayAssessment(this.deps.db, this.deps.clock, assessmentId, actor.kind === 'system' ? undefined : actor.country);
  }
}

/** The consignments by `manifest reference|transport document` and by `|transport document`. */
function consignmentViews(rows: ConsignmentRecord[]): Map<string, ConsignmentView> {
  const out = new Map<string, ConsignmentView>();
  for (const c of rows) {
    const v: ConsignmentView = { transportDocument: c.transportDocument, shipper: c.shipper, consignee: c.consignee, consigneeTin: c.consigneeTin, description: c.description, hsCode: c.hsCode, packages: c.packages, grossMassKg: c.grossMassKg, containers: c.containers };
    out.set(`${c.manifestReference}|${c.transportDocument}`, v);
    out.set(`|${c.transportDocument}`, v);
  }
  return out;
}
