import { sql, type SQL } from 'drizzle-orm';
import type { Clock } from '../core/clock.ts';
import type { Db, Tx } from '../db/client.ts';
import type { ReferenceData } from '../reference/types.ts';
import { appendAudit, auditInserts } from '../modules/access/audit.ts';
import type { Principal } from '../modules/access/types.ts';
import { readParts } from '../modules/declarations/repository.ts';
import type { AssessmentView, Declaration, Manifest } from '../modules/declarations/schema.ts';
import {
  DeclarationsService,
  groupBy,
  rejectionError,
  storageRejection,
  type AssessGiven,
  type Assessor,
  type AssessorDecision,
  type BatchResult,
  type DeclarationOutcome,
  type DeclarationPlan,
  type IntakePort,
  type ManifestOutcome,
  type Parsed,
  type ReadPart,
  type Rejection,
} from '../modules/declarations/service.ts';
import { baselineAssessor } from '../modules/risk/selectivity/assessor.ts';

export type { Assessor, AssessorDecision, BatchResult, DeclarationOutcome, ManifestOutcome, Rejection };

export interface IntakeDeps {
  db: Db;
  ref: ReferenceData;
  clock: Clock;
  config: { randomControlRate: number; administrations?: readonly string[] };
  /** the assessor (the risk module's: `risk.assessor()`); random control only (the baseline) when left out */
  assessor?: Assessor;
  declarations?: DeclarationsService;
}

/** Above this many bind parameters, the writes run one statement each (PostgreSQL takes 65,535 at most). */
const MAX_PARAMS_IN_ONE = 30_000;

/**
 * The one intake flow, whatever the entry point (POST /api/v1/declarations, bulk import over the
 * API, `centinela import`, the simulator): validate (declarations) → store with history
 * (declarations) → assess (risk) → open controls (risk) → audit log (access) → outbox, in one
 * transaction. A batch lands whole or, if storage fails, record by record; a rejected record never
 * leaves a partial write.
 *
 * Statements per administration of a batch: one read (the records already stored, locked, with
 * everything the decisions read: settings, trader history, marks, consignments, officers on duty,
 * capacity counters), the audit chain's lock and head, and one write (declarations, items,
 * versions, assessments, counters, controls, audit entries).
 */
export class IntakeService implements IntakePort {
  readonly declarations: DeclarationsService;
  private assessor: Assessor;

  constructor(private deps: IntakeDeps) {
    this.declarations = deps.declarations ?? new DeclarationsService(deps);
    this.assessor = deps.assessor ?? baselineAssessor(deps.clock, deps.config.randomControlRate);
  }

  get contracts() {
    return this.declarations.contracts;
  }

  /** the stored assessments, as the declaration screens read them */
  get assessments(): Pick<Assessor, 'latest' | 'history' | 'latestOf'> {
    return this.assessor;
  }

  /** Another assessor (tests wire the risk module's by hand; the composition root passes it to the constructor). */
  setAssessor(a: Assessor): void {
    this.assessor = a;
  }

  /** One declaration: throws a ValidationError listing every field at fault. */
  async submitDeclaration(raw: unknown, actor: Principal, source = 'api'): Promise<DeclarationOutcome> {
    const r = await this.submitDeclarations([raw], actor, source);
    if (r.rejections.length) throw rejectionError(r.rejections[0]);
    return r.outcomes[0];
  }

  async submitManifest(raw: unknown, actor: Principal, source = 'api'): Promise<ManifestOutcome> {
    const r = await this.submitManifests([raw], actor, source);
    if (r.rejections.length) throw rejectionError(r.rejections[0]);
    return r.outcomes[0];
  }

  async submitDeclarations(raws: unknown[], actor: Principal, source = 'api'): Promise<BatchResult<DeclarationOutcome>> {
    const { valid, rejections } = this.declarations.validate<Declaration>(raws, 'declaration', actor);
    const outcomes = await this.store(valid, rejections, (tx, list) => this.storeDeclarations(tx, list, actor, source));
    return { outcomes, rejections: rejections.sort((a, b) => a.index - b.index) };
  }

  async submitManifests(raws: unknown[], actor: Principal, source = 'api'): Promise<BatchResult<ManifestOutcome>> {
    const { valid, rejections } = this.declarations.validate<Manifest>(raws, 'manifest', actor);
    const outcomes = await this.store(valid, rejections, async (tx, list) => {
      const r = await this.declarations.storeManifests(tx, list, actor, source);
      await appendAudit(tx, r.audit, this.deps.clock);
      if (this.assessor.assessManifests && r.changed.length) await this.assessor.assessManifests(tx, r.changed, actor);
      return r.outcomes;
    });
    return { outcomes, rejections: rejections.sort((a, b) => a.index - b.index) };
  }

  /** Stores a batch in one transaction; if that fails, record by record so one failure spoils nothing else. */
  private async store<T extends { reference: string }, O>(valid: Parsed<T>[], rejections: Rejection[], write: (tx: Tx, list: Parsed<T>[]) => Promise<O[]>): Promise<O[]> {
    if (valid.length === 0) return [];
    try {
      return await this.deps.db.transaction((tx) => write(tx, valid));
    } catch (batchError) {
      if (valid.length === 1) {
        rejections.push(storageRejection(valid[0], batchError));
        return [];
      }
      const outcomes: O[] = [];
      for (const one of valid) {
        try {
          outcomes.push(...(await this.deps.db.transaction((tx) => write(tx, [one]))));
        } catch (e) {
          rejections.push(storageRejection(one, e));
        }
      }
      return outcomes;
    }
  }

  private async storeDeclarations(tx: Tx, list: Parsed<Declaration>[], actor: Principal, source: string): Promise<DeclarationOutcome[]> {
    const now = this.deps.clock.now();
    const plan: DeclarationPlan[] = [];
    const given = new Map<string, AssessGiven>();
    for (const [country, group] of groupBy(list, (p) => p.value.country)) {
      // one read for the administration: the records already stored (locked), the consignments the
      // declarations cover, and what the assessor reads for its decisions
      const decls = group.map((g) => g.value);
      const docs = [...new Set(decls.map((d) => d.transportDocument).filter((d): d is string => !!d))];
      const parts: ReadPart<unknown>[] = [this.declarations.existingPart(country, [...new Set(decls.map((d) => d.reference))])];
      const ctx = this.assessor.context?.(country, decls, now);
      if (ctx) {
        parts.push(ctx);
        if (docs.length) parts.push(this.declarations.consignmentsPart(country, docs));
      }
      const read = await readParts(tx, parts);
      plan.push(...this.declarations.plan(group, read[0] as Parameters<DeclarationsService['plan']>[1], now));
      if (ctx) given.set(country, { context: read[1], consignments: docs.length ? (read[2] as AssessGiven['consignments']) : [] });
    }

    const changed = plan.filter((x) => x.status !== 'unchanged');
    // what the assessor writes (counters, assessments, controls) is added to `assessed`, then run
    // with the declarations' own writes, in order (declarations first: what refers to them follows)
    const assessed: SQL[] = [];
    const decisions = changed.length ? await this.assessor.assess(tx, changed.map((x) => ({ id: x.id, version: x.version, declaration: x.p.value })), { given, writes: assessed }) : [];
    const writes = changed.length ? await this.declarations.writes(tx, changed, source, now) : [];
    const audit = this.declarations.auditOf(changed, actor, source, (i) => ({ channel: decisions[i].channel, engine: decisions[i].engine }));
    if (changed.length) audit.push(...(await this.assessor.record(tx, changed.map((x, i) => ({ declarationId: x.id, version: x.version, declaration: x.p.value, decision: decisions[i] })), actor, assessed)));
    writes.push(...assessed);
    // one append to the hash chain for the whole batch (declarations, then what the assessor did),
    // its rows written with the rest: the chain's lock and head are read first
    writes.push(...(await auditInserts(tx, audit, this.deps.clock)));
    await runWrites(tx, writes);

    // assessments of unchanged ones: the latest stored (or the one just made in this batch)
    const decidedNow = new Map<string, AssessorDecision>();
    changed.forEach((x, i) => decidedNow.set(`${x.id}#${x.version}`, decisions[i]));
    const unchangedIds = plan.filter((x) => x.status === 'unchanged' && !decidedNow.has(`${x.id}#${x.version}`)).map((x) => x.id);
    const stored = new Map((await this.assessor.latest(tx, [...new Set(unchangedIds)])).map((a) => [a.declarationId, a]));

    return plan
      .map((x) => {
        const d = decidedNow.get(`${x.id}#${x.version}`) ?? (stored.get(x.id) as unknown as AssessorDecision);
        return {
          index: x.p.index,
          status: x.status,
          id: x.id,
          reference: x.p.value.reference,
          country: x.p.value.country,
          version: x.version,
          assessment: { channel: d.channel, riskLevel: d.riskLevel, score: d.score, reasons: d.reasons } as AssessmentView,
        };
      })
      .sort((a, b) => a.index - b.index);
  }
}

/**
 * Runs the modules' plain data-modifying statements in order: as one statement (sibling
 * data-modifying CTEs; foreign keys are checked at its end) when their bind parameters fit, else
 * one by one.
 */
async function runWrites(tx: Tx, writes: SQL[]): Promise<void> {
  if (writes.length === 0) return;
  if (writes.length === 1) {
    await tx.execute(writes[0]);
    return;
  }
  const dialect = (tx as unknown as { dialect: { sqlToQuery(q: SQL): { params: unknown[] } } }).dialect;
  const params = writes.reduce((n, w) => n + dialect.sqlToQuery(w).params.length, 0);
  if (params <= MAX_PARAMS_IN_ONE) {
    await tx.execute(sql`with ${sql.join(writes.map((w, i) => sql`${sql.raw(`w${i}`)} as (${w})`), sql`, `)} select 1`);
    return;
  }
  for (const w of writes) await tx.execute(w);
}
