import { eq, inArray, type SQL } from 'drizzle-orm';
import type { Clock } from '../../core/clock.ts';
import { ForbiddenError, ValidationError, type FieldError } from '../../core/errors.ts';
import { contentHash } from '../../core/hash.ts';
import { uuidv7 } from '../../core/ids.ts';
import { schema, type Db, type Tx } from '../../db/client.ts';
import type { ReferenceData } from '../../reference/types.ts';
import type { AuditEntryInput } from '../access/audit.ts';
import type { Principal } from '../access/types.ts';
import { notServedHere, servedAdministrations } from '../access/node.ts';
import * as repo from './repository.ts';
import { buildContracts, type AssessmentReason, type AssessmentView, type Channel, type Contracts, type Declaration, type Manifest, type RiskLevel } from './schema.ts';
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

// ------------------------------------------------------------------ the ports intake offers the risk module

/** What an assessor decides for one declaration version. */
export interface AssessorDecision {
  channel: Channel;
  riskLevel: RiskLevel;
  score: number;
  reasons: AssessmentReason[];
  engine: string;
  inputs: Record<string, unknown>;
}

/**
 * Part of one read statement: common table expressions and result columns (each named uniquely by
 * its module) that the intake flow joins with other modules' parts into a single `with … select …`,
 * and how to read its columns back. Each module writes the SQL of its own tables.
 */
export interface ReadPart<T> {
  ctes: SQL[];
  cols: SQL[];
  parse(row: Record<string, unknown>): T;
}

/** A consignment of a stored manifest, as intake hands it to the assessor (the declaration's transport document). */
export interface ConsignmentRecord {
  manifestReference: string;
  transportDocument: string;
  shipper: string;
  consignee: string;
  consigneeTin: string | null;
  description: string;
  hsCode: string | null;
  packages: number;
  grossMassKg: number;
  containers: string[];
}

/** What intake read for one administration's batch, handed to the assessor: its own part and the consignments. */
export interface AssessGiven {
  context: unknown;
  consignments: ConsignmentRecord[];
}

/** A stored assessment as the declaration screens show it (`channel` with a supervisor's override applied). */
export interface StoredAssessment {
  id: string;
  declarationId: string;
  declarationVersion: number;
  channel: string;
  decidedChannel: string;
  overridden: boolean;
  riskLevel: string;
  score: number;
  reasons: unknown;
  engine: string;
  inputs: unknown;
  decidedAt: Date;
}

/**
 * What intake needs of an assessor (the risk module implements it, the baseline too): decide a
 * batch, record the decisions (assessments, controls) as statements intake runs in its own
 * transaction, and read stored assessments back for the declaration screens.
 */
export interface Assessor {
  /** what the decisions of one administration's batch read, as part of intake's one read statement */
  context?(country: string, declarations: Declaration[], now: Date): ReadPart<unknown>;
  /** decides each version; with `writes` its counters are added there instead of written at once */
  assess(tx: Tx, items: { id: string; version: number; declaration: Declaration }[], opts?: { given?: Map<string, AssessGiven>; writes?: SQL[] }): Promise<AssessorDecision[]>;
  /**
   * records the decisions (assessments, then e.g. controls) and answers the audit entries of what it
   * did; with `writes` the inserts are added there (intake runs them as one statement) instead.
   */
  record(tx: Tx, rows: { declarationId: string; version: number; declaration: Declaration; decision: AssessorDecision }[], actor: Principal, writes?: SQL[]): Promise<AuditEntryInput[]>;
  /** the latest assessment of each declaration */
  latest(tx: Tx, declarationIds: string[]): Promise<StoredAssessment[]>;
  /** every assessment of a declaration, oldest first */
  history(tx: Tx, declarationId: string): Promise<StoredAssessment[]>;
  /**
   * a lateral subquery giving the latest assessment of the declaration whose id is `declarationId`
   * (columns channel — current —, risk_level, score, reasons), for the declarations list
   */
  latestOf(declarationId: SQL): SQL;
  /** after manifests and their consignments are stored (same transaction): pre-arrival targeting */
  assessManifests?(tx: Tx, items: { id: string; version: number; manifest: Manifest }[], actor: Principal): Promise<void>;
}

/** What intake answers the routes and bulk import with (the intake flow, src/flows/intake.ts). */
export interface IntakePort {
  submitDeclaration(raw: unknown, actor: Principal, source?: string): Promise<DeclarationOutcome>;
  submitDeclarations(raws: unknown[], actor: Principal, source?: string): Promise<BatchResult<DeclarationOutcome>>;
  submitManifest(raw: unknown, actor: Principal, source?: string): Promise<ManifestOutcome>;
  submitManifests(raws: unknown[], actor: Principal, source?: string): Promise<BatchResult<ManifestOutcome>>;
  /** the stored assessments, for the declaration screens */
  readonly assessments: Pick<Assessor, 'latest' | 'history' | 'latestOf'>;
}

export type Parsed<T> = { index: number; value: T; hash: string };

export interface DeclarationPlan {
  p: Parsed<Declaration>;
  status: IntakeStatus;
  id: string;
  version: number;
  before?: { version: number; contentHash: string };
  /** an amendment of a declaration already stored (its row is updated, its items replaced) */
  stored: boolean;
}

export interface DeclarationsDeps {
  db: Db;
  ref: ReferenceData;
  clock: Clock;
  /** the administrations this node serves (CENTINELA_ADMINISTRATIONS; default all seven): it stores records of those only */
  config?: { administrations?: readonly string[]; randomControlRate?: number };
}

/**
 * The declarations module's use cases: validation against the contract and the reference data,
 * idempotent storage on (country, reference) with the full history of amendments, manifests and
 * their consignments. The intake flow (src/flows/intake.ts) runs them with the assessment in one
 * transaction; this module knows nothing of risk.
 */
export class DeclarationsService {
  readonly contracts: Contracts;

  constructor(private deps: DeclarationsDeps) {
    this.contracts = buildContracts({ ref: deps.ref, clock: deps.clock });
  }

  validate<T extends { country: string; reference: string }>(raws: unknown[], kind: 'declaration' | 'manifest', actor: Principal): { valid: Parsed<T>[]; rejections: Rejection[] } {
    const schemaDef = kind === 'declaration' ? this.contracts.declaration : this.contracts.manifest;
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
      const elsewhere = notServedHere(servedAdministrations(this.deps.config), value.country);
      if (elsewhere) {
        rejections.push({ index, reference, errors: [elsewhere] });
        return;
      }
      valid.push({ index, value, hash: contentHash(value) });
    });
    return { valid, rejections };
  }

  /** Read part: the current id, version and hash of these references, locked for the transaction. */
  existingPart(country: string, references: string[]): ReadPart<repo.ExistingRecord[]> {
    return repo.existingDeclarationsPart(country, references);
  }

  /** Read part: the stored consignments of the administration carried under these transport documents. */
  consignmentsPart(country: string, documents: string[]): ReadPart<ConsignmentRecord[]> {
    return repo.consignmentsPart(country, documents);
  }

  /** The stored consignments carried under these transport documents (one statement). */
  async consignments(tx: Tx, country: string, documents: string[]): Promise<ConsignmentRecord[]> {
    if (!documents.length) return [];
    const [parsed] = await repo.readParts(tx, [repo.consignmentsPart(country, documents)]);
    return parsed as ConsignmentRecord[];
  }

  /** What becomes of each record of one administration's batch: created, amended (next version) or unchanged. */
  plan(group: Parsed<Declaration>[], existing: repo.ExistingRecord[], now: Date): DeclarationPlan[] {
    const plan: DeclarationPlan[] = [];
    const state = new Map(existing.map((e) => [e.reference, { id: e.id, version: e.version, hash: e.contentHash, stored: true }]));
    for (const p of group) {
      const s = state.get(p.value.reference);
      if (s && s.hash === p.hash) {
        plan.push({ p, status: 'unchanged', id: s.id, version: s.version, stored: s.stored });
      } else if (s) {
        plan.push({ p, status: 'amended', id: s.id, version: s.version + 1, before: { version: s.version, contentHash: s.hash }, stored: s.stored });
        state.set(p.value.reference, { id: s.id, version: s.version + 1, hash: p.hash, stored: s.stored });
      } else {
        const id = uuidv7(now.getTime());
        plan.push({ p, status: 'created', id, version: 1, stored: false });
        state.set(p.value.reference, { id, version: 1, hash: p.hash, stored: false });
      }
    }
    return plan;
  }

  /**
   * Stores the changed declarations: amended rows are updated and their items removed at once;
   * the inserts (new declarations, items, versions) are answered as statements for the caller to
   * run (intake runs them with the assessor's as one statement).
   */
  async writes(tx: Tx, changed: DeclarationPlan[], source: string, now: Date): Promise<SQL[]> {
    const finalById = new Map<string, DeclarationPlan>();
    for (const x of changed) finalById.set(x.id, x);
    const newRows: (typeof schema.declarations.$inferInsert)[] = [];
    const existingIds: string[] = [];
    for (const [id, x] of finalById) {
      const row = declarationRow(id, x.p.value, x.version, x.p.hash, now);
      if (x.stored) {
        existingIds.push(id);
        const { id: _id, receivedAt: _r, ...set } = row;
        await tx.update(schema.declarations).set(set).where(eq(schema.declarations.id, id));
      } else newRows.push(row);
    }
    if (existingIds.length) await tx.delete(schema.declarationItems).where(inArray(schema.declarationItems.declarationId, existingIds));
    const out: SQL[] = [];
    const items = [...finalById].flatMap(([id, x]) => itemRows(id, x.p.value));
    const versions = changed.map((x) => ({ id: uuidv7(now.getTime()), declarationId: x.id, version: x.version, contentHash: x.p.hash, payload: x.p.value, receivedAt: now, source }));
    for (const [table, rows] of [
      [schema.declarations, newRows],
      [schema.declarationItems, items],
      [schema.declarationVersions, versions],
    ] as const)
      for (const chunk of repo.chunks(rows as Record<string, unknown>[])) out.push(tx.insert(table).values(chunk as never).getSQL());
    return out;
  }

  /** The audit entries of the changed declarations (`extra` adds to each entry's `after`, e.g. the channel decided). */
  auditOf(changed: DeclarationPlan[], actor: Principal, source: string, extra: (i: number) => Record<string, unknown>): AuditEntryInput[] {
    return changed.map((x, i) => ({
      actor,
      country: x.p.value.country,
      action: x.status === 'created' ? 'declaration.received' : 'declaration.amended',
      entityType: 'declaration',
      entityId: x.id,
      before: x.before ?? null,
      after: { reference: x.p.value.reference, version: x.version, contentHash: x.p.hash, source, ...extra(i) },
    }));
  }

  /** Stores manifests and their consignments; answers the outcomes, the changed ones and their audit entries. */
  async storeManifests(tx: Tx, list: Parsed<Manifest>[], actor: Principal, source: string): Promise<{ outcomes: ManifestOutcome[]; changed: { id: string; version: number; manifest: Manifest }[]; audit: AuditEntryInput[] }> {
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
    const audit: AuditEntryInput[] = changed.map((x) => ({
      actor,
      country: x.p.value.country,
      action: x.status === 'created' ? 'manifest.received' : 'manifest.amended',
      entityType: 'manifest',
      entityId: x.id,
      before: x.before ?? null,
      after: { reference: x.p.value.reference, version: x.version, contentHash: x.p.hash, source },
    }));
    return {
      outcomes: plan
        .map((x) => ({ index: x.p.index, status: x.status, id: x.id, reference: x.p.value.reference, country: x.p.value.country, version: x.version }))
        .sort((a, b) => a.index - b.index),
      changed: changed.map((x) => ({ id: x.id, version: x.version, manifest: x.p.value })),
      audit,
    };
  }
}

/**
 * Median unit value (USD per kg of net mass, by `usd`'s conversion of a value and its currency)
 * of the import items lodged since `since`, per administration and HS subheading with at least
 * `minSamples` items: the reference prices' first approximation (risk/reference.ts).
 */
export async function importUnitValueMedians(tx: Tx, o: { since: Date; minSamples: number; usd: (value: SQL, currency: SQL) => SQL }): Promise<{ country: string; hs6: string; p: number }[]> {
  return repo.importUnitValueMedians(tx, o);
}

/** The content of a declaration version as it was received (undefined when there is no such version). */
export async function declarationPayload(tx: Tx, declarationId: string, version: number): Promise<Declaration | undefined> {
  return (await repo.declarationPayload(tx, declarationId, version)) as Declaration | undefined;
}

/** The references, offices and lodging times of declarations (e.g. for a queue of controls). */
export async function declarationRefs(tx: Tx, ids: string[]): Promise<{ id: string; country: string; reference: string; office: string; lodgedAt: Date }[]> {
  return repo.declarationRefs(tx, ids);
}

/** A declaration's stored row (its latest version; undefined when there is none). */
export async function findDeclaration(tx: Tx, id: string) {
  return repo.getDeclaration(tx, id);
}

/** A declaration's administration (undefined when there is none). */
export async function findDeclarationCountry(tx: Tx, id: string): Promise<{ id: string; country: string } | undefined> {
  const [d] = await repo.declarationRefs(tx, [id]);
  return d ? { id: d.id, country: d.country } : undefined;
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

export function groupBy<T>(list: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of list) {
    const k = key(x);
    const g = m.get(k);
    if (g) g.push(x);
    else m.set(k, [x]);
  }
  return m;
}

export function storageRejection(p: Parsed<{ reference: string }>, e: unknown): Rejection {
  return {
    index: p.index,
    reference: p.value.reference,
    errors: [{ path: '', code: 'storage_error', message: `could not be stored, nothing was written: ${(e as Error).message}` }],
  };
}

export function rejectionError(r: Rejection) {
  if (r.errors.length === 1 && r.errors[0].code === 'not_your_administration') {
    return new ForbiddenError(`${r.errors[0].path}: ${r.errors[0].message}`);
  }
  if (r.errors.some((e) => e.code === 'storage_error')) {
    const err = new Error(r.errors[0].message);
    return err;
  }
  return new ValidationError(r.errors);
}
