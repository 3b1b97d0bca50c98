import { eq, inArray, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Clock } from '../../core/clock.ts';
import { ForbiddenError, ValidationError, type FieldError } from '../../core/errors.ts';
import { contentHash } from '../../core/hash.ts';
import { uuidv7 } from '../../core/ids.ts';
import { schema, type Db, type Tx } from '../../db/client.ts';
import type { ReferenceData } from '../../reference/types.ts';
import { appendAudit, type AuditEntryInput } from '../access/audit.ts';
import type { Principal } from '../access/types.ts';
import { baselineAssess, type BaselineDecision } from '../risk/baseline.ts';
import { selectivitySeed } from '../risk/settings.ts';
import * as repo from './repository.ts';
import {
  buildContracts,
  type AssessmentView,
  type Contracts,
  type Declaration,
  type Manifest,
} from './schema.ts';
import { parseWith } from './validate.ts';

export type IntakeStatus = 'created' | 'amended' | 'unchanged';

export interface DeclarationOutcome {
  index: number;
  status: IntakeStatus;
  id: string;
  reference: string;
  country: string;
  version: number;
  assessment: AssessmentView;
}

export interface ManifestOutcome {
  index: number;
  status: IntakeStatus;
  id: string;
  reference: string;
  country: string;
  version: number;
}

export interface Rejection {
  /** position in the submitted batch (0-based) */
  index: number;
  reference?: string;
  errors: FieldError[];
}

export interface BatchResult<O> {
  outcomes: O[];
  rejections: Rejection[];
}

/** What an assessor decides for one declaration version (the baseline's decision is one). */
export interface AssessorDecision {
  channel: BaselineDecision['channel'];
  riskLevel: BaselineDecision['riskLevel'];
  score: number;
  reasons: BaselineDecision['reasons'];
  engine: string;
  inputs: Record<string, unknown>;
}

/** Decides the assessment of one declaration version. The risk engine plugs in here. */
export interface Assessor {
  assess(tx: Tx, items: { id: string; version: number; declaration: Declaration }[]): Promise<AssessorDecision[]>;
  /**
   * after the assessments are stored (same transaction), with their ids: e.g. open controls. The
   * audit entries it returns are appended after the declarations' own, in the same append.
   */
  recorded?(tx: Tx, rows: { assessmentId: string; declarationId: string; version: number; declaration: Declaration; decision: AssessorDecision }[], actor: Principal): Promise<void | AuditEntryInput[]>;
  /** after manifests and their consignments are stored (same transaction): pre-arrival targeting */
  assessManifests?(tx: Tx, items: { id: string; version: number; manifest: Manifest }[], actor: Principal): Promise<void>;
}

export interface IntakeDeps {
  db: Db;
  ref: ReferenceData;
  clock: Clock;
  config: { randomControlRate: number };
  assessor?: Assessor;
}

/** The baseline assessor: random control at the configured rate (see risk/baseline.ts). */
export function baselineAssessor(clock: Clock, rate: number): Assessor {
  return {
    async assess(tx, list) {
      const seed = await selectivitySeed(tx, clock);
      return list.map((x) =>
        baselineAssess({
          seed: seed.secret,
          seedId: seed.id,
          rate,
          country: x.declaration.country,
          reference: x.declaration.reference,
          version: x.version,
        }),
      );
    },
  };
}

type Parsed<T> = { index: number; value: T; hash: string };

/**
 * Intake of declarations and manifests: validation against the contract and the reference data,
 * idempotent storage on (country, reference) with the full history of amendments, and for
 * declarations an assessment per version. A batch lands whole or, if storage fails, record by
 * record; a rejected record never leaves a partial write.
 */
export class IntakeService {
  readonly contracts: Contracts;
  private assessor: Assessor;

  constructor(private deps: IntakeDeps) {
    this.contracts = buildContracts({ ref: deps.ref, clock: deps.clock });
    this.assessor = deps.assessor ?? baselineAssessor(deps.clock, deps.config.randomControlRate);
  }

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
    const { valid, rejections } = this.validate<Declaration>(raws, this.contracts.declaration, actor);
    const outcomes = await this.store(valid, rejections, (tx, list) => this.storeDeclarations(tx, list, actor, source));
    return { outcomes, rejections: rejections.sort((a, b) => a.index - b.index) };
  }

  async submitManifests(raws: unknown[], actor: Principal, source = 'api'): Promise<BatchResult<ManifestOutcome>> {
    const { valid, rejections } = this.validate<Manifest>(raws, this.contracts.manifest, actor);
    const outcomes = await this.store(valid, rejections, (tx, list) => this.storeManifests(tx, list, actor, source));
    return { outcomes, rejections: rejections.sort((a, b) => a.index - b.index) };
  }

  private validate<T extends { country: string; reference: string }>(
    raws: unknown[],
    schemaDef: Contracts['declaration'] | Contracts['manifest'],
    actor: Principal,
  ): { valid: Parsed<T>[]; rejections: Rejection[] } {
    const valid: Parsed<T>[] = [];
    const rejections: Rejection[] = [];
    raws.forEach((raw, index) => {
      const p = parseWith(schemaDef, raw);
      const ref = (raw as { reference?: unknown } | null)?.reference;
      const reference = typeof ref === 'string' ? ref : undefined;
      if (!p.ok) {
        rejections.push({ index, reference, errors: p.errors });
        return;
      }
      const value = p.value as unknown as T;
      if (actor.kind !== 'system' && value.country !== actor.country) {
        rejections.push({
          index,
          reference,
          errors: [{ path: 'country', code: 'not_your_administration', message: `you act for ${actor.country} and may not submit records of ${value.country}` }],
        });
        return;
      }
      valid.push({ index, value, hash: contentHash(value) });
    });
    return { valid, rejections };
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
    const byCountry = groupBy(list, (p) => p.value.country);
    const plan: { p: Parsed<Declaration>; status: IntakeStatus; id: string; version: number; before?: { version: number; contentHash: string } }[] = [];
    const existingIds = new Set<string>();
    for (const [country, group] of byCountry) {
      const existing = await repo.findDeclarationsForUpdate(tx, country, [...new Set(group.map((g) => g.value.reference))]);
      const state = new Map(existing.map((e) => [e.reference, { id: e.id, version: e.version, hash: e.contentHash, stored: true }]));
      for (const p of group) {
        const s = state.get(p.value.reference);
        if (s && s.hash === p.hash) {
          plan.push({ p, status: 'unchanged', id: s.id, version: s.version });
        } else if (s) {
          plan.push({ p, status: 'amended', id: s.id, version: s.version + 1, before: { version: s.version, contentHash: s.hash } });
          if (s.stored) existingIds.add(s.id);
          state.set(p.value.reference, { id: s.id, version: s.version + 1, hash: p.hash, stored: s.stored });
        } else {
          const id = uuidv7(now.getTime());
          plan.push({ p, status: 'created', id, version: 1 });
          state.set(p.value.reference, { id, version: 1, hash: p.hash, stored: false });
        }
      }
    }

    const changed = plan.filter((x) => x.status !== 'unchanged');
    // the final content of each touched declaration
    const finalById = new Map<string, (typeof plan)[number]>();
    for (const x of changed) finalById.set(x.id, x);

    const decisions = changed.length
      ? await this.assessor.assess(
          tx,
          changed.map((x) => ({ id: x.id, version: x.version, declaration: x.p.value })),
        )
      : [];

    const newRows: (typeof schema.declarations.$inferInsert)[] = [];
    for (const [id, x] of finalById) {
      const row = declarationRow(id, x.p.value, x.version, x.p.hash, now);
      if (existingIds.has(id)) {
        const { id: _id, receivedAt: _r, ...set } = row;
        await tx.update(schema.declarations).set(set).where(eq(schema.declarations.id, id));
      } else newRows.push(row);
    }
    if (existingIds.size) await tx.delete(schema.declarationItems).where(inArray(schema.declarationItems.declarationId, [...existingIds]));
    const assessmentIds = changed.map(() => uuidv7(now.getTime()));
    await insertAll(tx, [
      [schema.declarations, newRows],
      [schema.declarationItems, [...finalById].flatMap(([id, x]) => itemRows(id, x.p.value))],
      [
        schema.declarationVersions,
        changed.map((x) => ({
          id: uuidv7(now.getTime()),
          declarationId: x.id,
          version: x.version,
          contentHash: x.p.hash,
          payload: x.p.value,
          receivedAt: now,
          source,
        })),
      ],
      [
        schema.assessments,
        changed.map((x, i) => ({
          id: assessmentIds[i],
          country: x.p.value.country,
          declarationId: x.id,
          declarationVersion: x.version,
          channel: decisions[i].channel,
          riskLevel: decisions[i].riskLevel,
          score: decisions[i].score,
          reasons: decisions[i].reasons,
          engine: decisions[i].engine,
          inputs: decisions[i].inputs,
          decidedAt: now,
        })),
      ],
    ]);
    const audit: AuditEntryInput[] = changed.map((x, i) => ({
      actor,
      country: x.p.value.country,
      action: x.status === 'created' ? 'declaration.received' : 'declaration.amended',
      entityType: 'declaration',
      entityId: x.id,
      before: x.before ?? null,
      after: { reference: x.p.value.reference, version: x.version, contentHash: x.p.hash, source, channel: decisions[i].channel, engine: decisions[i].engine },
    }));
    if (this.assessor.recorded && changed.length) {
      const more = await this.assessor.recorded(
        tx,
        changed.map((x, i) => ({ assessmentId: assessmentIds[i], declarationId: x.id, version: x.version, declaration: x.p.value, decision: decisions[i] })),
        actor,
      );
      if (more) audit.push(...more);
    }
    // one append to the hash chain for the whole batch (declarations, then what the assessor did)
    await appendAudit(tx, audit, this.deps.clock);

    // assessments of unchanged ones: the latest stored (or the one just made in this batch)
    const decidedNow = new Map<string, AssessorDecision>();
    changed.forEach((x, i) => decidedNow.set(`${x.id}#${x.version}`, decisions[i]));
    const unchangedIds = plan.filter((x) => x.status === 'unchanged' && !decidedNow.has(`${x.id}#${x.version}`)).map((x) => x.id);
    const stored = new Map((await repo.latestAssessments(tx, [...new Set(unchangedIds)])).map((a) => [a.declarationId, a]));

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

  private async storeManifests(tx: Tx, list: Parsed<Manifest>[], actor: Principal, source: string): Promise<ManifestOutcome[]> {
    const now = this.deps.clock.now();
    const plan: { p: Parsed<Manifest>; status: IntakeStatus; id: string; version: number; before?: { version: number; contentHash: string } }[] = [];
    const existingIds = new Set<string>();
    for (const [country, group] of groupBy(list, (p) => p.value.country)) {
      const existing = await repo.findManifestsForUpdate(tx, country, [...new Set(group.map((g) => g.value.reference))]);
      const state = new Map(existing.map((e) => [e.reference, { id: e.id, version: e.version, hash: e.contentHash, stored: true }]));
      for (const p of group) {
        const s = state.get(p.value.reference);
        if (s && s.hash === p.hash) plan.push({ p, status: 'unchanged', id: s.id, version: s.version });
        else if (s) {
          plan.push({ p, status: 'amended', id: s.id, version: s.version + 1, before: { version: s.version, contentHash: s.hash } });
          if (s.stored) existingIds.add(s.id);
          state.set(p.value.reference, { ...s, version: s.version + 1, hash: p.hash });
        } else {
          const id = uuidv7(now.getTime());
          plan.push({ p, status: 'created', id, version: 1 });
          state.set(p.value.reference, { id, version: 1, hash: p.hash, stored: false });
        }
      }
    }
    const changed = plan.filter((x) => x.status !== 'unchanged');
    const finalById = new Map<string, (typeof plan)[number]>();
    for (const x of changed) finalById.set(x.id, x);
    const newRows: (typeof schema.manifests.$inferInsert)[] = [];
    for (const [id, x] of finalById) {
      const m = x.p.value;
      const row = {
        id,
        country: m.country,
        reference: m.reference,
        office: m.office,
        mode: String(m.mode),
        conveyance: m.conveyance,
        carrier: m.carrier,
        arrivalAt: new Date(m.arrivalAt),
        consignmentCount: m.consignments.length,
        version: x.version,
        contentHash: x.p.hash,
        payload: m,
        receivedAt: now,
        updatedAt: now,
      };
      if (existingIds.has(id)) {
        const { id: _id, receivedAt: _r, ...set } = row;
        await tx.update(schema.manifests).set(set).where(eq(schema.manifests.id, id));
      } else newRows.push(row);
    }
    await repo.insertChunked(tx, schema.manifests, newRows);
    if (existingIds.size) await tx.delete(schema.consignments).where(inArray(schema.consignments.manifestId, [...existingIds]));
    await repo.insertChunked(
      tx,
      schema.consignments,
      [...finalById].flatMap(([id, x]) =>
        x.p.value.consignments.map((c) => ({
          manifestId: id,
          transportDocument: c.transportDocument,
          shipper: c.shipper,
          consignee: c.consignee,
          consigneeTin: c.consigneeTin ?? null,
          description: c.description,
          hsCode: c.hsCode ?? null,
          packages: c.packages,
          grossMassKg: c.grossMassKg,
          containers: c.containers,
        })),
      ),
    );
    await repo.insertChunked(
      tx,
      schema.manifestVersions,
      changed.map((x) => ({ id: uuidv7(now.getTime()), manifestId: x.id, version: x.version, contentHash: x.p.hash, payload: x.p.value, receivedAt: now, source })),
    );
    await appendAudit(
      tx,
      changed.map((x) => ({
        actor,
        country: x.p.value.country,
        action: x.status === 'created' ? 'manifest.received' : 'manifest.amended',
        entityType: 'manifest',
        entityId: x.id,
        before: x.before ?? null,
        after: { reference: x.p.value.reference, version: x.version, contentHash: x.p.hash, source },
      })),
      this.deps.clock,
    );
    if (this.assessor.assessManifests && changed.length)
      await this.assessor.assessManifests(
        tx,
        changed.map((x) => ({ id: x.id, version: x.version, manifest: x.p.value })),
        actor,
      );
    return plan
      .map((x) => ({ index: x.p.index, status: x.status, id: x.id, reference: x.p.value.reference, country: x.p.value.country, version: x.version }))
      .sort((a, b) => a.index - b.index);
  }
}

export function declarationRow(id: string, d: Declaration, version: number, hash: string, now: Date) {
  const currencies = new Set(d.items.map((i) => i.currency));
  return {
    id,
    country: d.country,
    reference: d.reference,
    type: d.type,
    office: d.office,
    lodgedAt: new Date(d.lodgedAt),
    declarantTin: d.declarant.tin,
    importerTin: d.importer?.tin ?? null,
    exporterTin: d.exporter?.tin ?? null,
    itemCount: d.items.length,
    totalValue: d.items.reduce((s, i) => s + i.customsValue, 0),
    currency: currencies.size === 1 ? d.items[0].currency : 'MIXED',
    version,
    contentHash: hash,
    payload: d,
    receivedAt: now,
    updatedAt: now,
  };
}

export function itemRows(id: string, d: Declaration) {
  return d.items.map((i) => ({
    declarationId: id,
    line: i.line,
    hsCode: i.hsCode,
    origin: i.origin,
    quantity: i.quantity,
    unit: i.unit,
    netMassKg: i.netMassKg,
    grossMassKg: i.grossMassKg,
    customsValue: i.customsValue,
    currency: i.currency,
    dutyRate: i.dutyRate ?? null,
  }));
}

/**
 * Inserts into several tables: one statement (sibling data-modifying CTEs; foreign keys are
 * checked at its end) when the rows fit in PostgreSQL's bind-parameter limit, else chunked per
 * table in order.
 */
async function insertAll(tx: Tx, writes: [PgTable, Record<string, unknown>[]][]): Promise<void> {
  const present = writes.filter(([, rows]) => rows.length > 0);
  const params = present.reduce((n, [, rows]) => n + rows.length * Object.keys(rows[0]).length, 0);
  if (present.length > 1 && params <= 30_000) {
    const parts = present.map(([table, rows], i) => sql`${sql.raw(`w${i}`)} as (${tx.insert(table).values(rows as PgTable['$inferInsert'][]).getSQL()})`);
    await tx.execute(sql`with ${sql.join(parts, sql`, `)} select 1`);
    return;
  }
  for (const [table, rows] of present) await repo.insertChunked(tx, table, rows);
}

function groupBy<T>(list: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of list) {
    const k = key(x);
    const g = m.get(k);
    if (g) g.push(x);
    else m.set(k, [x]);
  }
  return m;
}

function storageRejection(p: Parsed<{ reference: string }>, e: unknown): Rejection {
  return {
    index: p.index,
    reference: p.value.reference,
    errors: [{ path: '', code: 'storage_error', message: `could not be stored, nothing was written: ${(e as Error).message}` }],
  };
}

function rejectionError(r: Rejection) {
  if (r.errors.length === 1 && r.errors[0].code === 'not_your_administration') {
    return new ForbiddenError(`${r.errors[0].path}: ${r.errors[0].message}`);
  }
  if (r.errors.some((e) => e.code === 'storage_error')) {
    const err = new Error(r.errors[0].message);
    return err;
  }
  return new ValidationError(r.errors);
}
