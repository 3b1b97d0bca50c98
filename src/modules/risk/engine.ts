import { createHash } from 'node:crypto';
import type { AssessmentReason, Channel, Declaration, RiskLevel } from '../declarations/schema.ts';
import { CelDecl, CelItem, CelParty, CelTransport, celDeclaration, evalContext, STAGE_VARIABLES, type CelVars, type EvalContext, type ReferenceLookups, type Stage, type TraderView } from './cel.ts';
import { isSensitiveHs, toUsd } from './reference.ts';
import { budget, BudgetExceeded, CHECK_EVERY, limits } from './budget.ts';
import { compilePredicate, type CompiledPredicate, type Guard, type ItemGuard } from './compile.ts';
import { celEq } from './codegen.ts';
import type { TraderStats } from '../traders/history.ts';
import { traderTinOf } from '../traders/identity.ts';

/**
 * The selectivity engine, pure: criteria compiled into a rule set indexed by scope, and the
 * decision combining criteria hits, a model score, the trader's standing, random control and
 * capacity into a score, a risk level and a channel. No I/O here: the service feeds it.
 */
export const RISK_ENGINE = 'centinela-risk-v1';

export interface CriterionScope {
  offices: string[];
  types: string[];
  stages: Stage[];
}

export interface CriterionVersionDef {
  versionId: string;
  criterionId: string;
  name: string;
  reason: string;
  expression: string;
  scope: CriterionScope;
  weight: number;
  forcedChannel: Channel | null;
  manifestAction: string | null;
  validFrom: number;
  validTo: number | null;
}

export interface CompiledCriterion extends CriterionVersionDef {
  predicate: CompiledPredicate;
}

export interface EvalOutcome {
  hits: CompiledCriterion[];
  evaluated: number;
  /** criteria that could not be evaluated on this record (skipped for it; see CriterionFailure) */
  errors: CriterionFailure[];
}

/**
 * A criterion that failed on one record: any error it threw, its budget exceeded (budget.ts),
 * or an expression that does not compile. It is skipped for that record, never failing intake.
 */
export interface CriterionFailure {
  versionId: string;
  criterionId?: string;
  name?: string;
  /** criterion_error, or budget_exceeded */
  code?: string;
  message: string;
}

/** The reason a decision records for a criterion that could not be evaluated. */
export function criterionErrorReason(e: CriterionFailure): AssessmentReason {
  return { code: 'criterion_error', text: `criterion ${e.name ?? e.criterionId ?? e.versionId} could not be evaluated: ${e.message}` };
}

const STAGE_NAMES: Record<Stage, string[]> = {
  declaration: Object.keys(STAGE_VARIABLES.declaration),
  transit: Object.keys(STAGE_VARIABLES.transit),
  manifest: Object.keys(STAGE_VARIABLES.manifest),
};

/** Which stage a declaration's criteria belong to. */
export function stageOf(type: string): Stage {
  return type === 'TR' ? 'transit' : 'declaration';
}

/** The active criteria of one administration, compiled and indexed by stage, office and type. */
export class RuleSet {
  readonly id: string;
  readonly versionIds: string[];
  private index = new Map<string, CompiledCriterion[]>();
  readonly compiledShare: number;
  /** the evaluation context the rule set evaluates with unless given another (its administration, the lookups it was built with) */
  readonly context: EvalContext;

  constructor(
    readonly country: string,
    defs: CriterionVersionDef[],
    opts: { forceCelJs?: boolean; lookups?: ReferenceLookups } = {},
  ) {
    this.context = evalContext(country, opts.lookups);
    this.versionIds = defs.map((d) => d.versionId).sort();
    this.id = `rs-${createHash('sha256').update(`${country}|${this.versionIds.join(',')}`).digest('hex').slice(0, 24)}`;
    let compiled = 0;
    let total = 0;
    let fields: Set<string> | null = new Set();
    for (const d of defs) {
      const stages: Stage[] = d.scope.stages.length ? d.scope.stages : ['declaration', 'transit'];
      for (const stage of stages) {
        const predicate = compilePredicate(d.expression, stage, opts);
        if (fields && predicate.fields) for (const f of predicate.fields) fields.add(f);
        else fields = null;
        total++;
        if (predicate.compiled) compiled++;
        const c: CompiledCriterion = { ...d, predicate };
        const offices = d.scope.offices.length ? d.scope.offices : ['*'];
        const types = d.scope.types.length ? d.scope.types : ['*'];
        for (const o of offices)
          for (const t of types) {
            const k = `${stage}|${o}|${t}`;
            const l = this.index.get(k);
            if (l) l.push(c);
            else this.index.set(k, [c]);
          }
      }
    }
    this.compiledShare = total ? compiled / total : 1;
    this.fields = fields;
  }

  /** the field names the rule set's criteria read (of any variable), or null when they may read any */
  readonly fields: ReadonlySet<string> | null;

  /**
   * The declaration as this rule set's criteria see it, holding only the fields they read (the
   * others left out; `celDeclaration` builds them all): the same values wherever a criterion looks.
   */
  declarationView(d: Declaration, lookups: ReferenceLookups = this.context.lookups): CelDecl {
    const f = this.fields;
    return f === null ? celDeclaration(d, lookups) : leanDeclaration(d, lookups, f);
  }

  /** the criteria in scope by stage, office and type (no key built per record) */
  private scopedBy = new Map<string, Map<string, Map<string, { list: CompiledCriterion[]; frameSize: number; code: ScopeCode }>>>();

  private scopedList(stage: Stage, office: string, type: string) {
    let byOffice = this.scopedBy.get(stage);
    if (!byOffice) this.scopedBy.set(stage, (byOffice = new Map()));
    let byType = byOffice.get(office);
    if (!byType) byOffice.set(office, (byType = new Map()));
    let s = byType.get(type);
    if (!s) {
      const list: CompiledCriterion[] = [];
      for (const k of [`${stage}|${office}|${type}`, `${stage}|${office}|*`, `${stage}|*|${type}`, `${stage}|*|*`]) {
        const l = this.index.get(k);
        if (l) for (const c of l) list.push(c);
      }
      let frameSize = 0;
      for (const c of list) frameSize = Math.max(frameSize, c.predicate.frameSize ?? 0);
      // the lists of the offices seen are kept (a few hundred offices at most), each laid out for runScope
      byType.set(type, (s = { list, frameSize, code: scopeCode(list) }));
    }
    return s;
  }

  /** criteria in scope for a record (prefiltered by stage, office and type) */
  candidates(stage: Stage, office: string, type: string): CompiledCriterion[] {
    return this.scopedList(stage, office, type).list;
  }

  /** Evaluates the criteria in scope on one record, with `ctx` (the rule set's own context by default). */
  evaluate(stage: Stage, office: string, type: string, at: number, vars: CelVars, ctx: EvalContext = this.context): EvalOutcome {
    const hits: CompiledCriterion[] = [];
    const errors: EvalOutcome['errors'] = [];
    let evaluated = 0;
    const { list, frameSize, code } = this.scopedList(stage, office, type);
    // one frame of the stage's variables for every compiled criterion of the record
    const names = STAGE_NAMES[stage];
    const frame: unknown[] = new Array(Math.max(frameSize, names.length + 1));
    for (let i = 0; i < names.length; i++) frame[i] = vars[names[i]];
    // the evaluation context in the slot after the variables (codegen.ts CTX)
    frame[names.length] = ctx;
    // the scope's criteria without a wrapper each (same order, same per-criterion isolation and budget)
    const limitsOf = ctx === null || ctx === undefined ? undefined : ctx.budget;
    const lim = limitsOf === undefined ? limits : limitsOf;
    if (lim !== null && typeof lim === 'object') {
      evaluated = runScope(list, code, frame, at, hits, errors, lim, vars, ctx);
      return { hits, evaluated, errors };
    }
    for (let k = 0; k < list.length; k++) {
      const c = list[k];
      if (at < c.validFrom || (c.validTo !== null && at >= c.validTo)) continue;
      evaluated++;
      try {
        const run = c.predicate.run;
        if (run ? run(frame) : c.predicate(vars, ctx)) hits.push(c);
      } catch (e) {
        errors.push(failureOf(c, e));
      }
    }
    return { hits, evaluated, errors };
  }
}

const EMPTY_PARTY = Object.freeze(new CelParty()) as CelParty;

/** celDeclaration (cel.ts) building only the fields in `f` (and the values they derive from). */
function leanDeclaration(d: Declaration, lookups: ReferenceLookups, f: ReadonlySet<string>): CelDecl {
  const c = Object.create(CelDecl.prototype) as CelDecl;
  if (f.has('reference')) c.reference = d.reference;
  if (f.has('type')) c.type = d.type;
  if (f.has('country')) c.country = d.country;
  if (f.has('office')) c.office = d.office;
  if (f.has('procedure')) c.procedure = d.procedure ?? '';
  if (f.has('lodgedAt')) c.lodgedAt = new Date(d.lodgedAt);
  const partyFields = f.has('tin') || f.has('name') || f.has('country');
  const party = (p: Declaration['declarant'] | undefined): CelParty => {
    if (!p) return EMPTY_PARTY;
    const x = Object.create(CelParty.prototype) as CelParty;
    if (!partyFields) return x;
    if (f.has('tin')) x.tin = p.tin;
    if (f.has('name')) x.name = p.name;
    if (f.has('country')) x.country = p.country;
    return x;
  };
  if (f.has('declarant')) c.declarant = party(d.declarant);
  if (f.has('importer')) c.importer = party(d.importer);
  if (f.has('exporter')) c.exporter = party(d.exporter);
  if (f.has('seller')) c.seller = party(d.seller);
  if (f.has('countryOfDispatch')) c.countryOfDispatch = d.countryOfDispatch ?? '';
  if (f.has('countryOfDestination')) c.countryOfDestination = d.countryOfDestination ?? '';
  if (f.has('manifestReference')) c.manifestReference = d.manifestReference ?? '';
  if (f.has('transportDocument')) c.transportDocument = d.transportDocument ?? '';
  if (f.has('transport')) {
    const t = Object.create(CelTransport.prototype) as CelTransport;
    if (f.has('mode')) t.mode = BigInt(d.transport.mode);
    if (f.has('conveyance')) t.conveyance = d.transport.conveyance ?? '';
    if (f.has('containers')) t.containers = d.transport.containers ?? [];
    c.transport = t;
  }
  if (f.has('items')) c.items = d.items.map((it) => leanItem(d.country, it, lookups, f));
  if (f.has('totalValue') || f.has('totalValueUsd') || f.has('grossMassKg') || f.has('netMassKg')) {
    let v = 0;
    let vu = 0;
    let g = 0;
    let n = 0;
    for (const it of d.items) {
      v += it.customsValue;
      vu += toUsd(it.customsValue, it.currency);
      g += it.grossMassKg;
      n += it.netMassKg;
    }
    if (f.has('totalValue')) c.totalValue = v;
    if (f.has('totalValueUsd')) c.totalValueUsd = vu;
    if (f.has('grossMassKg')) c.grossMassKg = g;
    if (f.has('netMassKg')) c.netMassKg = n;
  }
  if (f.has('itemCount')) c.itemCount = BigInt(d.items.length);
  return c;
}

/** celItem (cel.ts) building only the fields in `f`. */
function leanItem(country: string, it: Declaration['items'][number], lookups: ReferenceLookups, f: ReadonlySet<string>): CelItem {
  const c = Object.create(CelItem.prototype) as CelItem;
  if (f.has('line')) c.line = BigInt(it.line);
  if (f.has('hsCode')) c.hsCode = it.hsCode;
  if (f.has('chapter')) c.chapter = it.hsCode.slice(0, 2);
  if (f.has('heading')) c.heading = it.hsCode.slice(0, 4);
  const subheading = it.hsCode.slice(0, 6);
  if (f.has('subheading')) c.subheading = subheading;
  if (f.has('description')) c.description = it.description;
  if (f.has('origin')) c.origin = it.origin;
  if (f.has('quantity')) c.quantity = it.quantity;
  if (f.has('unit')) c.unit = it.unit;
  if (f.has('netMassKg')) c.netMassKg = it.netMassKg;
  if (f.has('grossMassKg')) c.grossMassKg = it.grossMassKg;
  if (f.has('customsValue')) c.customsValue = it.customsValue;
  if (f.has('currency')) c.currency = it.currency;
  if (f.has('customsValueUsd') || f.has('unitValuePerKg')) {
    const usd = toUsd(it.customsValue, it.currency);
    if (f.has('customsValueUsd')) c.customsValueUsd = usd;
    if (f.has('unitValuePerKg')) c.unitValuePerKg = it.netMassKg > 0 ? usd / it.netMassKg : 0;
  }
  if (f.has('dutyRate')) c.dutyRate = it.dutyRate ?? 0;
  if (f.has('preference')) c.preference = it.preference ?? '';
  if (f.has('refUnitValue')) c.refUnitValue = lookups.refPrice(country, subheading);
  if (f.has('sensitive')) c.sensitive = isSensitiveHs(it.hsCode);
  return c;
}

function failureOf(c: CompiledCriterion, e: unknown): CriterionFailure {
  return {
    versionId: c.versionId,
    criterionId: c.criterionId,
    name: c.name,
    code: (e as { code?: unknown })?.code === 'budget_exceeded' ? 'budget_exceeded' : 'criterion_error',
    message: String((e as Error)?.message ?? e).split('\n')[0].slice(0, 300),
  };
}

/**
 * The criteria of one scope, laid out for `runScope`: each criterion's optimistic generated code
 * and its precise fallback (compile.ts `fast`, `slow`), or null for one that runs otherwise
 * (closures, cel-js, a broken expression), and its validity.
 */
interface ScopeCode {
  fast: (((frame: unknown[]) => unknown) | null)[];
  slow: (((frame: unknown[]) => boolean) | null)[];
  validFrom: number[];
  validTo: (number | null)[];
  /** every criterion of the scope is valid at a time `at` with allFrom <= at < allTo */
  allFrom: number;
  allTo: number;
  /** 1 when the criterion's code counts budget steps (its budget is started), 0 when it never does */
  counts: Uint8Array;
  /** the distinct guards of the scope's criteria (compile.ts Guard), and each criterion's (-1: none) */
  guards: Guard[];
  guardOf: Int32Array;
  /** per record: 1 where the guard is false (its criteria are false), 0 otherwise */
  guardFalse: Uint8Array;
  /** the criteria indexed by what they test of the items (compile.ts ItemGuard): each criterion's test (-1: none) */
  itemGuardOf: Int32Array;
  items: ItemIndex[];
  /** per record: 1 where some item passes the test, 0 where none does (its criteria are false) */
  itemTrue: Uint8Array;
}

/**
 * The distinct item tests of a scope's criteria over one variable's items, indexed by what they
 * read: per field, the values tested for equality, the prefixes tested (by length) and the bool
 * fields. Per record, each item is looked up once per field (and prefix length), not once per test.
 */
interface ItemIndex {
  slot: number;
  eq: [field: string, byValue: Map<string, number[]>, all: number[]][];
  prefix: [field: string, lengths: number[], byPrefix: Map<string, number[]>, all: number[]][];
  bool: [field: string, tests: number[]][];
}

function itemIndexes(tests: ItemGuard[]): ItemIndex[] {
  const bySlot = new Map<number, { eq: Map<string, Map<string, number[]>>; prefix: Map<string, Map<string, number[]>>; bool: Map<string, number[]> }>();
  tests.forEach((t, i) => {
    let x = bySlot.get(t.slot);
    if (!x) bySlot.set(t.slot, (x = { eq: new Map(), prefix: new Map(), bool: new Map() }));
    if (t.kind === 'bool') {
      const l = x.bool.get(t.field) ?? [];
      l.push(i);
      x.bool.set(t.field, l);
      return;
    }
    const m = t.kind === 'eq' ? x.eq : x.prefix;
    let byValue = m.get(t.field);
    if (!byValue) m.set(t.field, (byValue = new Map()));
    const l = byValue.get(t.value) ?? [];
    l.push(i);
    byValue.set(t.value, l);
  });
  return [...bySlot].map(([slot, x]) => ({
    slot,
    eq: [...x.eq].map(([f, m]) => [f, m, [...m.values()].flat()] as [string, Map<string, number[]>, number[]]),
    prefix: [...x.prefix].map(([f, m]) => [f, [...new Set([...m.keys()].map((k) => k.length))].sort((a, b) => a - b), m, [...m.values()].flat()] as [string, number[], Map<string, number[]>, number[]]),
    bool: [...x.bool],
  }));
}

function markAll(out: Uint8Array, ids: number[]): void {
  for (let j = 0; j < ids.length; j++) out[ids[j]] = 1;
}

/** Per record: which item tests some item passes (1), read as the generated code reads the items. */
function itemTests(indexes: ItemIndex[], frame: unknown[], out: Uint8Array): void {
  out.fill(0);
  for (const ix of indexes) {
    const v = frame[ix.slot] as { items?: unknown } | null | undefined;
    const items = v === null || v === undefined ? undefined : v.items;
    if (!Array.isArray(items)) {
      // not a list of items as foreseen: no test rules a criterion out
      for (const [, , all] of ix.eq) markAll(out, all);
      for (const [, , , all] of ix.prefix) markAll(out, all);
      for (const [, ids] of ix.bool) markAll(out, ids);
      continue;
    }
    for (let n = 0; n < items.length; n++) {
      const item = items[n] as Record<string, unknown> | null;
      if (item === null || typeof item !== 'object') {
        for (const [, , all] of ix.eq) markAll(out, all);
        for (const [, , , all] of ix.prefix) markAll(out, all);
        for (const [, ids] of ix.bool) markAll(out, ids);
        continue;
      }
      for (let e = 0; e < ix.eq.length; e++) {
        const [field, byValue, all] = ix.eq[e];
        const x = item[field];
        if (typeof x !== 'string') markAll(out, all);
        else {
          const ids = byValue.get(x);
          if (ids !== undefined) markAll(out, ids);
        }
      }
      for (let p = 0; p < ix.prefix.length; p++) {
        const [field, lengths, byPrefix, all] = ix.prefix[p];
        const x = item[field];
        if (typeof x !== 'string') {
          markAll(out, all);
          continue;
        }
        for (let l = 0; l < lengths.length && lengths[l] <= x.length; l++) {
          const ids = byPrefix.get(lengths[l] === x.length ? x : x.slice(0, lengths[l]));
          if (ids !== undefined) markAll(out, ids);
        }
      }
      for (let b = 0; b < ix.bool.length; b++) {
        const [field, ids] = ix.bool[b];
        if (item[field] !== false) markAll(out, ids);
      }
    }
  }
}

function scopeCode(list: CompiledCriterion[]): ScopeCode {
  const guards: Guard[] = [];
  const byKey = new Map<string, number>();
  const guardOf = new Int32Array(list.length).fill(-1);
  list.forEach((c, k) => {
    const g = c.predicate.fast && c.predicate.slow ? c.predicate.guard : undefined;
    if (!g) return;
    let i = byKey.get(g.key);
    if (i === undefined) {
      byKey.set(g.key, (i = guards.length));
      guards.push(g);
    }
    guardOf[k] = i;
  });
  const tests: ItemGuard[] = [];
  const testKeys = new Map<string, number>();
  const itemGuardOf = new Int32Array(list.length).fill(-1);
  list.forEach((c, k) => {
    const t = c.predicate.fast && c.predicate.slow ? c.predicate.itemGuard : undefined;
    if (!t) return;
    let i = testKeys.get(t.key);
    if (i === undefined) {
      testKeys.set(t.key, (i = tests.length));
      tests.push(t);
    }
    itemGuardOf[k] = i;
  });
  return {
    itemGuardOf,
    items: itemIndexes(tests),
    itemTrue: new Uint8Array(tests.length),
    fast: list.map((c) => (c.predicate.fast && c.predicate.slow ? c.predicate.fast : null)),
    slow: list.map((c) => (c.predicate.fast && c.predicate.slow ? c.predicate.slow : null)),
    validFrom: list.map((c) => c.validFrom),
    validTo: list.map((c) => c.validTo),
    counts: Uint8Array.from(list, (c) => (c.predicate.countsSteps === false ? 0 : 1)),
    allFrom: list.reduce((m, c) => Math.max(m, c.validFrom), -Infinity),
    allTo: list.reduce((m, c) => (c.validTo === null ? m : Math.min(m, c.validTo)), Infinity),
    guards,
    guardOf,
    guardFalse: new Uint8Array(guards.length),
  };
}

/** Is the guard false on this frame (read as the generated code reads it: any null or missing field on the way, and it is not)? */
function guardIsFalse(g: Guard, frame: unknown[]): boolean {
  let v = frame[g.slot];
  for (let i = 0; i < g.fields.length; i++) {
    if (v === null || v === undefined) return false;
    v = (v as Record<string, unknown>)[g.fields[i]];
    if (v === undefined) return false;
  }
  if (g.kind === 'bool') return v === false;
  if (g.kind === 'strict') return v !== g.value;
  return !eq(v, g.value);
}
const eq = celEq;

/**
 * The loop of `RuleSet.evaluate` without a wrapper per criterion: for each criterion in order,
 * its validity at `at`, its budget started afresh (budget.ts startBudget, inlined), its
 * generated code called directly in a try / catch of its own, so that a failing criterion is
 * recorded (`errors`) and skipped for this record only. Same results, errors and order as the
 * generic loop (compile.ts `run`: the optimistic code, then on any error but the budget's the
 * precise code on the same budget). Returns how many criteria were valid at `at`.
 */
// local bindings of budget.ts's counters: read through an import, each access can be a call (a module loader's live binding)
const B = budget;
const STEPS_BETWEEN_CHECKS = CHECK_EVERY;
const Exceeded = BudgetExceeded;

function runScope(
  list: CompiledCriterion[],
  code: ScopeCode,
  frame: unknown[],
  at: number,
  hits: CompiledCriterion[],
  errors: CriterionFailure[],
  lim: { maxSteps: number; ms: number },
  vars: CelVars,
  ctx: EvalContext,
): number {
  const { fast, slow, validFrom, validTo, counts, guards, guardOf, guardFalse, itemGuardOf, itemTrue } = code;
  // each distinct item test once for the record, through the index of what the tests read
  if (itemTrue.length) itemTests(code.items, frame, itemTrue);
  // each distinct guard once for the record: criteria whose first test is false are false
  for (let g = 0; g < guards.length; g++) {
    try {
      guardFalse[g] = guardIsFalse(guards[g], frame) ? 1 : 0;
    } catch {
      // a field that throws when read: its criteria run and record it
      guardFalse[g] = 0;
    }
  }
  let evaluated = 0;
  // at a time when all are valid (the common case), no test of validity per criterion
  const allValid = at >= code.allFrom && at < code.allTo;
  for (let k = 0; k < list.length; k++) {
    if (!allValid) {
      const vt = validTo[k];
      if (at < validFrom[k] || (vt !== null && at >= vt)) continue;
    }
    evaluated++;
    const g = guardOf[k];
    if (g >= 0 && guardFalse[g] === 1) continue;
    const ig = itemGuardOf[k];
    if (ig >= 0 && itemTrue[ig] === 0) continue;
    const c = list[k];
    const f = fast[k];
    let r = false;
    if (f !== null) {
      // budget.ts startBudget, inlined; code that never counts a step reads no budget
      if (counts[k] === 1) {
        B.n = 0;
        B.check = STEPS_BETWEEN_CHECKS;
        B.deadline = 0;
        B.maxSteps = lim.maxSteps;
        B.ms = lim.ms;
      }
      try {
        r = f(frame) === true;
      } catch (e) {
        if (e instanceof Exceeded) errors.push(failureOf(c, e));
        else
          try {
            r = slow[k]!(frame);
          } catch (e2) {
            errors.push(failureOf(c, e2));
          }
      }
    } else
      try {
        const run = c.predicate.run;
        r = run ? run(frame) : c.predicate(vars, ctx);
      } catch (e) {
        errors.push(failureOf(c, e));
      }
    if (r) hits.push(c);
  }
  return evaluated;
}

// ---------------------------------------------------------------- configuration per administration

export interface CapacityConfig {
  /** expected share of declarations going red at an office in a day */
  red: number;
  /** expected share going yellow */
  yellow: number;
  /** reds allowed in a day whatever the volume (so the first declarations of a day are not demoted) */
  minPerDay: number;
}

export interface RiskConfig {
  thresholds: { medium: number; high: number; blue: number };
  randomRate: { default: number; offices: Record<string, number> };
  capacity: { default: CapacityConfig; offices: Record<string, CapacityConfig> };
  /** score points by trader standing */
  standing: { new: number; regular: number; good: number; poor: number; aeo: number };
  /** points a model score of 1.0 adds */
  modelWeight: number;
  /** criteria flagged for review: hit rate below minHitRate over at least minControls controls */
  review: { minControls: number; minHitRate: number };
}

export function defaultRiskConfig(randomRate = 0.03): RiskConfig {
  return {
    thresholds: { medium: 30, high: 60, blue: 15 },
    randomRate: { default: randomRate, offices: {} },
    capacity: { default: { red: 0.12, yellow: 0.25, minPerDay: 5 }, offices: {} },
    standing: { new: 5, regular: 0, good: -10, poor: 25, aeo: -20 },
    modelWeight: 40,
    review: { minControls: 20, minHitRate: 0.05 },
  };
}

// ---------------------------------------------------------------- trader standing

/** The counters the standing is read from: the traders module owns them. */
export type { TraderStats } from '../traders/history.ts';

export function traderView(s: TraderStats | undefined, tin: string, now: number): TraderView {
  const st = s ?? { tin, declarations: 0, controls: 0, hits: 0, seizures: 0, firstSeen: null };
  const hitRate = st.controls ? st.hits / st.controls : 0;
  const days = st.firstSeen === null ? 0 : Math.max(0, Math.floor((now - st.firstSeen) / 86_400_000));
  let standing = 'regular';
  if (st.seizures > 0 || (st.hits >= 2 && hitRate >= 0.25)) standing = 'poor';
  else if (st.declarations < 5) standing = 'new';
  else if (st.controls >= 5 && hitRate < 0.05) standing = 'good';
  return { tin, declarations: st.declarations, controls: st.controls, hits: st.hits, hitRate, seizures: st.seizures, daysSinceFirstSeen: days, aeo: false, standing };
}

// ---------------------------------------------------------------- the decision

const SEVERITY: Record<Channel, number> = { green: 0, blue: 1, yellow: 2, red: 3 };
export const maxChannel = (a: Channel, b: Channel): Channel => (SEVERITY[a] >= SEVERITY[b] ? a : b);

export interface MarkInput {
  markId: string;
  action: string;
  channel: Channel;
  manifestReference: string;
  transportDocument: string;
  reasons: string[];
}

/**
 * A model score as a decision records it: the probability and model version, and from the
 * intelligence module the top contributions in plain words, the challenger's score beside it
 * (recorded, never deciding) and the exploration draw (a control sent where the model is unsure).
 */
export interface ModelInput {
  version: string;
  score: number;
  explanation?: { feature: string; text: string; contribution: number }[];
  challenger?: { version: string; score: number } | null;
  explore?: { mode: string; draw: number; p: number; selected: boolean } | null;
}

export interface DecideInput {
  hits: { versionId: string; criterionId: string; name: string; reason: string; weight: number; forcedChannel: Channel | null }[];
  /** criteria that could not be evaluated on this record: recorded as reasons, never weighing */
  errors?: CriterionFailure[];
  model: ModelInput | null;
  trader: TraderView;
  draw: number;
  randomRate: number;
  mark: MarkInput | null;
  config: RiskConfig;
}

export interface Decided {
  channel: Channel;
  riskLevel: RiskLevel;
  score: number;
  reasons: AssessmentReason[];
  /** a criterion or a manifest mark forced the channel: capacity may not demote it */
  forced: boolean;
  randomSelected: boolean;
}

export function decide(i: DecideInput): Decided {
  const reasons: AssessmentReason[] = [];
  let score = 0;
  let forcedChannel: Channel | null = null;
  for (const h of i.hits) {
    score += h.weight;
    if (h.forcedChannel) forcedChannel = forcedChannel ? maxChannel(forcedChannel, h.forcedChannel) : h.forcedChannel;
    reasons.push({
      code: `criterion:${h.criterionId}`,
      text: `${h.name}: ${h.reason}${h.forcedChannel ? ` (forces ${h.forcedChannel})` : ''}`,
      weight: h.weight,
    });
  }
  if (i.mark) {
    forcedChannel = forcedChannel ? maxChannel(forcedChannel, i.mark.channel) : i.mark.channel;
    reasons.push({
      code: 'manifest_mark',
      text: `Consignment ${i.mark.transportDocument} of manifest ${i.mark.manifestReference} was marked "${i.mark.action}" before arrival: ${i.mark.reasons.join('; ')}`,
    });
  }
  if (i.model) {
    const pts = i.model.score * i.config.modelWeight;
    score += pts;
    const why = i.model.explanation?.length ? `: ${i.model.explanation.slice(0, 3).map((e) => `${e.text} (${e.contribution > 0 ? '+' : ''}${e.contribution.toFixed(2)})`).join('; ')}` : '';
    if (pts >= 1) reasons.push({ code: 'model', text: `Model ${i.model.version} scores ${(i.model.score * 100).toFixed(0)}%${why}`, weight: round2(pts) });
  }
  const sp = i.trader.aeo ? i.config.standing.aeo : (i.config.standing[i.trader.standing as keyof RiskConfig['standing']] ?? 0);
  if (sp !== 0 && (i.hits.length > 0 || sp > 0)) {
    score += sp;
    reasons.push({
      code: 'trader_standing',
      text: `Trader ${i.trader.tin} standing "${i.trader.standing}" (${i.trader.controls} controls, ${i.trader.hits} hits, ${i.trader.seizures} seizures)`,
      weight: sp,
    });
  }
  score = round2(Math.max(0, Math.min(100, score)));
  const t = i.config.thresholds;
  const riskLevel: RiskLevel = score >= t.high ? 'high' : score >= t.medium ? 'medium' : 'low';
  let channel: Channel = riskLevel === 'high' ? 'red' : riskLevel === 'medium' ? 'yellow' : score >= t.blue ? 'blue' : 'green';
  if (forcedChannel) channel = maxChannel(channel, forcedChannel);
  const randomSelected = i.draw < i.randomRate;
  if (randomSelected) {
    if (channel !== 'red') channel = 'red';
    reasons.push({ code: 'random_control', text: `Selected by random control (${+(i.randomRate * 100).toFixed(2)}% of declarations at this office are inspected at random to measure compliance)` });
  }
  if (i.model?.explore?.selected && !randomSelected) {
    if (channel !== 'red') channel = 'red';
    reasons.push({ code: 'model_exploration', text: `Selected for exploration (${i.model.explore.mode}): a share of controls goes where the model ${i.model.explore.mode === 'uncertain' ? 'is least sure' : 'has not looked'}, so that it keeps learning` });
  }
  for (const e of i.errors ?? []) reasons.push(criterionErrorReason(e));
  if (reasons.length === 0) reasons.push({ code: 'no_risk', text: 'No criterion, mark or model signal; not drawn for random control' });
  return { channel, riskLevel, score, reasons, forced: forcedChannel === 'red' || !!(i.mark && i.mark.channel === 'red'), randomSelected };
}

export interface CapacityState {
  office: string;
  day: string;
  decisionsBefore: number;
  redsBefore: number;
  limit: number;
}

/** May one more red go through at this office today? */
export function redAllowed(reds: number, decisions: number, cap: CapacityConfig): { allowed: boolean; limit: number } {
  const limit = Math.max(cap.minPerDay, Math.floor(cap.red * (decisions + 1)));
  return { allowed: reds + 1 <= limit, limit };
}

/**
 * Demotion under capacity: a red that is neither forced (by a criterion or a manifest mark) nor
 * drawn by random control becomes yellow when the office's reds for the day are at their limit.
 */
export function demotable(d: Decided): boolean {
  return d.channel === 'red' && !d.forced && !d.randomSelected;
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Whose history a declaration adds to: written once, in the traders module (identity.ts). */
export { traderTinOf };

