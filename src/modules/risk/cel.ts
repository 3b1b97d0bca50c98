import { Environment, type ASTNode } from '@marcbachmann/cel-js';
import type { Declaration, DeclarationItem, Manifest, Party } from '../declarations/schema.ts';
import { COST_LIMIT, estimateCost, type BudgetLimits } from './budget.ts';
import { isSensitiveHs, toUsd } from './reference.ts';
import { MAX_PATTERN_LENGTH, re2Test, regexProblem } from './regex.ts';

/**
 * The language analysts write criteria in: CEL over the declaration (`decl`), its items, the
 * trader's history (`trader`), the manifest consignment it covers (`consignment`), and for
 * manifest criteria the manifest (`manifest`) and each consignment. Numbers are doubles, counts
 * are ints. Values arrive as instances of the classes below (cel-js checks a variable's type by
 * its class), built once per declaration and shared by every criterion.
 */

export class CelParty {
  tin = '';
  name = '';
  country = '';
}
export class CelTransport {
  mode = 0n;
  conveyance = '';
  containers: string[] = [];
}
export class CelItem {
  line = 0n;
  hsCode = '';
  chapter = '';
  heading = '';
  subheading = '';
  description = '';
  origin = '';
  quantity = 0;
  unit = '';
  netMassKg = 0;
  grossMassKg = 0;
  customsValue = 0;
  currency = '';
  customsValueUsd = 0;
  dutyRate = 0;
  preference = '';
  unitValuePerKg = 0;
  refUnitValue = 0;
  sensitive = false;
}
export class CelDecl {
  reference = '';
  type = '';
  country = '';
  office = '';
  procedure = '';
  lodgedAt = new Date(0);
  declarant = new CelParty();
  importer = new CelParty();
  exporter = new CelParty();
  seller = new CelParty();
  countryOfDispatch = '';
  countryOfDestination = '';
  manifestReference = '';
  transportDocument = '';
  transport = new CelTransport();
  items: CelItem[] = [];
  totalValue = 0;
  totalValueUsd = 0;
  grossMassKg = 0;
  netMassKg = 0;
  itemCount = 0n;
}
export class CelTrader {
  tin = '';
  declarations = 0n;
  controls = 0n;
  hits = 0n;
  hitRate = 0;
  seizures = 0n;
  daysSinceFirstSeen = 0n;
  aeo = false;
  standing = 'new';
}
export class CelConsignment {
  found = false;
  transportDocument = '';
  shipper = '';
  consignee = '';
  consigneeTin = '';
  description = '';
  hsCode = '';
  packages = 0n;
  grossMassKg = 0;
  containers: string[] = [];
  portOfLoading = '';
}
export class CelManifest {
  reference = '';
  country = '';
  office = '';
  mode = 0n;
  carrier = '';
  conveyance = '';
  voyage = '';
  arrivalAt = new Date(0);
  consignmentCount = 0n;
}

/** Field types per registered type: for the type checker and for "did you mean" suggestions. */
export const CEL_TYPES: Record<string, Record<string, string>> = {
  Party: { tin: 'string', name: 'string', country: 'string' },
  Transport: { mode: 'int', conveyance: 'string', containers: 'list<string>' },
  Item: {
    line: 'int',
    hsCode: 'string',
    chapter: 'string',
    heading: 'string',
    subheading: 'string',
    description: 'string',
    origin: 'string',
    quantity: 'double',
    unit: 'string',
    netMassKg: 'double',
    grossMassKg: 'double',
    customsValue: 'double',
    currency: 'string',
    customsValueUsd: 'double',
    dutyRate: 'double',
    preference: 'string',
    unitValuePerKg: 'double',
    refUnitValue: 'double',
    sensitive: 'bool',
  },
  Declaration: {
    reference: 'string',
    type: 'string',
    country: 'string',
    office: 'string',
    procedure: 'string',
    lodgedAt: 'google.protobuf.Timestamp',
    declarant: 'Party',
    importer: 'Party',
    exporter: 'Party',
    seller: 'Party',
    countryOfDispatch: 'string',
    countryOfDestination: 'string',
    manifestReference: 'string',
    transportDocument: 'string',
    transport: 'Transport',
    items: 'list<Item>',
    totalValue: 'double',
    totalValueUsd: 'double',
    grossMassKg: 'double',
    netMassKg: 'double',
    itemCount: 'int',
  },
  Trader: {
    tin: 'string',
    declarations: 'int',
    controls: 'int',
    hits: 'int',
    hitRate: 'double',
    seizures: 'int',
    daysSinceFirstSeen: 'int',
    aeo: 'bool',
    standing: 'string',
  },
  Consignment: {
    found: 'bool',
    transportDocument: 'string',
    shipper: 'string',
    consignee: 'string',
    consigneeTin: 'string',
    description: 'string',
    hsCode: 'string',
    packages: 'int',
    grossMassKg: 'double',
    containers: 'list<string>',
    portOfLoading: 'string',
  },
  Manifest: {
    reference: 'string',
    country: 'string',
    office: 'string',
    mode: 'int',
    carrier: 'string',
    conveyance: 'string',
    voyage: 'string',
    arrivalAt: 'google.protobuf.Timestamp',
    consignmentCount: 'int',
  },
};

const CTORS: Record<string, new () => object> = {
  Party: CelParty,
  Transport: CelTransport,
  Item: CelItem,
  Declaration: CelDecl,
  Trader: CelTrader,
  Consignment: CelConsignment,
  Manifest: CelManifest,
};

export type Stage = 'declaration' | 'transit' | 'manifest';
export const STAGES: readonly Stage[] = ['declaration', 'transit', 'manifest'];

/** The variables each stage's criteria see. */
export const STAGE_VARIABLES: Record<Stage, Record<string, string>> = {
  declaration: { decl: 'Declaration', trader: 'Trader', consignment: 'Consignment' },
  transit: { decl: 'Declaration', trader: 'Trader', consignment: 'Consignment' },
  manifest: { manifest: 'Manifest', consignment: 'Consignment', trader: 'Trader' },
};

/** Reference lookups criteria may call. They read the administration being evaluated. */
export interface ReferenceLookups {
  /** reference unit value (USD per kg) of an HS subheading, 0 when unknown */
  refPrice(country: string, hs6: string): number;
}
/** Lookups that know nothing (every reference price 0). */
export const NO_LOOKUPS: ReferenceLookups = Object.freeze({ refPrice: () => 0 });

/**
 * What an evaluation reads beyond the record's variables: the reference lookups, the
 * administration they answer for, and the budget of one evaluation (budget.ts; its defaults when
 * left out). Passed explicitly (no module state): a rule set captures one (`RuleSet`'s `lookups`)
 * or is given one per call, a compiled predicate takes one as argument, a backtest chunk and a
 * replay build their own.
 */
export interface EvalContext {
  readonly country: string;
  readonly lookups: ReferenceLookups;
  readonly budget?: BudgetLimits;
}
export const EMPTY_CONTEXT: EvalContext = Object.freeze({ country: '', lookups: NO_LOOKUPS });
export function evalContext(country: string, lookups: ReferenceLookups = NO_LOOKUPS, budget?: BudgetLimits): EvalContext {
  return budget ? { country, lookups, budget } : { country, lookups };
}

/**
 * A function criteria may call: its handler receives the evaluation context first, then the CEL
 * arguments. A method signature, so that each handler may name its arguments' types: the type
 * checker has matched the call against `signature` before any handler runs.
 */
export interface CelFunction {
  signature: string;
  description: string;
  handler(ctx: EvalContext, ...a: unknown[]): unknown;
}

export const CEL_FUNCTIONS: Record<string, CelFunction> = {
  refPrice: {
    signature: 'refPrice(string): double',
    description: 'reference unit value (USD per kg) of the HS subheading in this administration, from its valuation history; 0 when unknown',
    handler: (ctx: EvalContext | undefined, hs: string) => (ctx ?? EMPTY_CONTEXT).lookups.refPrice((ctx ?? EMPTY_CONTEXT).country, hs.slice(0, 6)),
  },
  sensitive: {
    signature: 'sensitive(string): bool',
    description: 'true for sensitive goods (fuel, tobacco, alcohol, medicines, textiles, arms, ...)',
    handler: (_ctx: EvalContext, hs: string) => isSensitiveHs(hs),
  },
};

/**
 * A parsed expression for cel-js to evaluate, with `matches` on RE2: cel-js's own
 * `string.matches(string)` runs on JavaScript's backtracking RegExp, and its declarations are
 * frozen, so the expression is type-checked here (cel-js binds a handler to each call node when
 * it checks) and every `matches` node of the tree is then bound to the RE2 one instead. Calls of
 * registered functions (`CEL_FUNCTIONS`) are bound to read the evaluation context given to this
 * evaluation (`parsed(vars, ctx)`): cel-js passes no context of ours to a handler, so the parsed
 * expression holds the context of the evaluation running (synchronous, one at a time).
 */
export function parseForEvaluation(expression: string, stage: Stage): ((vars: object, ctx?: EvalContext) => unknown) & { ast: ASTNode } {
  const parsed = celEnvironment(stage).parse(expression);
  const r = parsed.check();
  if (!r.valid) throw r.error instanceof Error ? r.error : new Error(String(r.error));
  const state: { ctx: EvalContext } = { ctx: EMPTY_CONTEXT };
  const stack: unknown[] = [parsed.ast];
  while (stack.length) {
    const n = stack.pop();
    if (Array.isArray(n)) {
      for (const x of n) stack.push(x);
      continue;
    }
    if (!isTreeNode(n)) continue;
    const head = Array.isArray(n.args) ? (n.args as unknown[])[0] : undefined;
    if (n.op === 'rcall' && head === 'matches') {
      if (typeof n.handle !== 'function') throw new Error('matches() could not be bound to RE2');
      n.handle = re2Handle;
    }
    if (n.op === 'call' && typeof head === 'string' && Object.hasOwn(CEL_FUNCTIONS, head)) {
      if (typeof n.handle !== 'function') throw new Error(`${head}() could not be bound`);
      const h = CEL_FUNCTIONS[head];
      n.handle = (args: unknown[]) => h.handler(state.ctx, ...args);
    }
    if (n.args && typeof n.args === 'object') stack.push(n.args);
  }
  return Object.assign(
    (vars: object, ctx: EvalContext = EMPTY_CONTEXT): unknown => {
      const before = state.ctx;
      state.ctx = ctx;
      try {
        return parsed(vars as Record<string, unknown>);
      } finally {
        state.ctx = before;
      }
    },
    { ast: parsed.ast },
  );
}

/**
 * A node of cel-js's parse tree as its type checker leaves it: each call node carries the overload
 * it was bound to in `handle`, which cel-js's typings do not describe (see parseForEvaluation).
 */
interface TreeNode {
  op: string;
  args: unknown;
  start?: number;
  handle?: unknown;
}
function isTreeNode(x: unknown): x is TreeNode {
  return !!x && typeof x === 'object' && typeof (x as { op?: unknown }).op === 'string';
}

function re2Handle(args: unknown[]): boolean {
  const [s, p] = args;
  if (typeof s !== 'string' || typeof p !== 'string') throw new Error('found no matching overload for matches()');
  return re2Test(s, p);
}

function buildEnvironment(stage: Stage): Environment {
  const env = new Environment({ homogeneousAggregateLiterals: true });
  for (const [name, fields] of Object.entries(CEL_TYPES)) env.registerType(name, { ctor: CTORS[name], fields });
  for (const [name, type] of Object.entries(STAGE_VARIABLES[stage])) env.registerVariable(name, type);
  // the handlers bound here see no evaluation context: parseForEvaluation binds every call to the one of its evaluation
  for (const f of Object.values(CEL_FUNCTIONS)) env.registerFunction(f.signature, (...a: unknown[]) => f.handler(EMPTY_CONTEXT, ...a), { description: f.description });
  return env;
}

const envs = new Map<Stage, Environment>();
export function celEnvironment(stage: Stage): Environment {
  let e = envs.get(stage);
  if (!e) envs.set(stage, (e = buildEnvironment(stage)));
  return e;
}

// ------------------------------------------------------------------ checking, with errors an analyst can act on

export interface CelProblem {
  message: string;
  /** the message in Spanish, where the checker has one */
  messageEs?: string;
  line: number;
  column: number;
  /** what the parser or checker expected, when it says */
  expected?: string;
  /** the unknown name, and the nearest registered one */
  unknown?: string;
  suggestion?: string;
  /** the expression's line with a caret under the fault */
  excerpt: string;
}

export type CheckResult = { ok: true } | { ok: false; problem: CelProblem };

function lineCol(input: string, pos: number): { line: number; column: number; text: string } {
  const before = input.slice(0, Math.max(0, pos));
  const line = before.split('\n').length;
  const start = before.lastIndexOf('\n') + 1;
  const end = input.indexOf('\n', start);
  return { line, column: pos - start + 1, text: input.slice(start, end === -1 ? undefined : end) };
}

export function levenshtein(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
    prev = cur;
  }
  return prev[n];
}

function nearest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = levenshtein(name, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** Type-checks an expression for a stage: it must parse, use registered names only, and give a bool. */
export function checkExpression(expression: string, stage: Stage): CheckResult {
  const env = celEnvironment(stage);
  let error: unknown;
  let type: string | undefined;
  try {
    const r = env.check(expression);
    if (r.valid) type = String(r.type);
    else error = r.error;
  } catch (e) {
    error = e;
  }
  if (!error && type === 'bool') return checkSafety(expression, env);
  if (!error) {
    const lc = lineCol(expression, 0);
    return {
      ok: false,
      problem: {
        message: `a criterion must give true or false (bool); this expression gives ${type}`,
        line: 1,
        column: 1,
        expected: 'bool',
        excerpt: `${lc.text}\n^`,
      },
    };
  }
  // what cel-js's ParseError and TypeError carry; anything else thrown is read for its message
  const e = (typeof error === 'object' ? error : { message: error }) as { summary?: unknown; message?: unknown; range?: { start?: unknown }; node?: { pos?: unknown } };
  const summary: string = typeof e.summary === 'string' ? e.summary : String(e.message).split('\n')[0];
  const pos: number = typeof e.range?.start === 'number' ? e.range.start : typeof e.node?.pos === 'number' ? e.node.pos : 0;
  const lc = lineCol(expression, pos);
  const problem: CelProblem = { message: summary, line: lc.line, column: lc.column, excerpt: `${lc.text}\n${' '.repeat(Math.max(0, lc.column - 1))}^` };
  let m: RegExpExecArray | null;
  if ((m = /No such key: (\w+)/i.exec(summary))) {
    const fields = [...new Set(Object.values(CEL_TYPES).flatMap((f) => Object.keys(f)))];
    problem.unknown = m[1];
    problem.suggestion = nearest(m[1], fields);
    problem.message = `unknown field "${m[1]}"${problem.suggestion ? `: did you mean "${problem.suggestion}"?` : ''}`;
  } else if ((m = /Unknown variable:? '?(\w+)'?/i.exec(summary))) {
    const vars = Object.keys(STAGE_VARIABLES[stage]);
    problem.unknown = m[1];
    problem.suggestion = nearest(m[1], vars);
    problem.message = `unknown name "${m[1]}": criteria of stage ${stage} see ${vars.join(', ')}${problem.suggestion ? `; did you mean "${problem.suggestion}"?` : ''}`;
  } else if ((m = /(?:Function not found|found no matching overload for|Unknown function):? '?([\w.]+)/i.exec(summary)) && !/overload: /.test(summary)) {
    const fns = [...Object.keys(CEL_FUNCTIONS), 'size', 'startsWith', 'endsWith', 'contains', 'matches', 'exists', 'all', 'exists_one', 'filter', 'map', 'double', 'int', 'string', 'timestamp', 'duration'];
    const name = m[1].split('.').pop()!;
    problem.unknown = name;
    problem.suggestion = nearest(name, fns);
    if (problem.suggestion && problem.suggestion !== name) problem.message = `${summary}: did you mean "${problem.suggestion}"?`;
  }
  if ((m = /Expected (\w+)/i.exec(summary))) problem.expected = m[1];
  if (/overload/i.test(summary) && /\b(int|uint)\b/.test(summary) && /\bdouble\b/.test(summary)) {
    problem.message = `${summary}: numbers in criteria are doubles, write 1.0 for numbers (e.g. "i.customsValue > 2.0 * i.refUnitValue"); counts such as trader.controls are ints`;
    problem.expected = 'double';
  }
  return { ok: false, problem };
}

export function formatProblem(p: CelProblem): string {
  return `line ${p.line}, column ${p.column}: ${p.message}${p.expected && !p.message.includes('expected') ? ` (expected ${p.expected})` : ''}${p.messageEs ? `\n${p.messageEs}` : ''}\n${p.excerpt}`;
}

/**
 * What the type checker cannot see: every literal pattern of `matches` must compile on RE2
 * (no backreferences, no lookaround), and the worst-case cost on any valid record must stay
 * within the budget (budget.ts).
 */
function checkSafety(expression: string, env: Environment): CheckResult {
  let ast: ASTNode;
  try {
    ast = env.parse(expression).ast;
  } catch {
    return { ok: true };
  }
  const at = (node: { start?: number }, message: string, messageEs: string): CheckResult => {
    const lc = lineCol(expression, typeof node.start === 'number' ? node.start : 0);
    return { ok: false, problem: { message, messageEs, line: lc.line, column: lc.column, excerpt: `${lc.text}\n${' '.repeat(Math.max(0, lc.column - 1))}^` } };
  };
  // literal patterns, anywhere in the tree
  const stack: unknown[] = [ast];
  let seen = 0;
  while (stack.length && seen++ < 200_000) {
    const n = stack.pop();
    if (Array.isArray(n)) {
      for (const x of n) stack.push(x);
      continue;
    }
    if (!isTreeNode(n)) continue;
    const args = Array.isArray(n.args) ? (n.args as unknown[]) : [];
    if (n.op === 'rcall' && args[0] === 'matches' && Array.isArray(args[2])) {
      const p: unknown = args[2][0];
      if (isTreeNode(p) && p.op === 'value' && typeof p.args === 'string') {
        const why = regexProblem(p.args);
        if (why) {
          const shown = p.args.length > 80 ? `${p.args.slice(0, 80)}…` : p.args;
          return at(
            p,
            `invalid regular expression "${shown}" in matches(): ${why}. Patterns are RE2 (as in CEL): no backreferences (\\1) nor lookaround ((?=…), (?<=…)), at most ${MAX_PATTERN_LENGTH} characters`,
            `expresión regular inválida "${shown}" en matches(): ${why}. Los patrones son RE2 (como en CEL): sin referencias hacia atrás (\\1) ni lookaround ((?=…), (?<=…)), a lo sumo ${MAX_PATTERN_LENGTH} caracteres`,
          );
        }
      }
    }
    if (n.args && typeof n.args === 'object') stack.push(n.args);
  }
  const c = estimateCost(ast, expression);
  if (!(c.cost <= COST_LIMIT)) {
    const steps = Number.isFinite(c.cost) ? Math.round(c.cost).toLocaleString('en-US') : 'too many';
    const steps_es = Number.isFinite(c.cost) ? Math.round(c.cost).toLocaleString('es') : 'demasiados';
    const loops = c.loops.length ? c.loops.join(' → ') : '';
    return at(
      ast,
      `this criterion could take up to ${steps} steps on one declaration, over the limit of ${COST_LIMIT.toLocaleString('en-US')}${loops ? `: ${loops}` : ''}. Loops inside loops multiply (a declaration has up to 999 items); avoid nesting exists/all/map over long lists, long list literals and matches() on long texts inside loops`,
      `este criterio podría costar hasta ${steps_es} pasos en una declaración, por encima del límite de ${COST_LIMIT.toLocaleString('es')}${loops ? `: ${loops}` : ''}. Los bucles anidados se multiplican (una declaración tiene hasta 999 ítems); evite anidar exists/all/map sobre listas largas, listas literales largas y matches() sobre textos largos dentro de bucles`,
    );
  }
  return { ok: true };
}

// ------------------------------------------------------------------ contexts

const EMPTY_PARTY = Object.freeze(new CelParty()) as CelParty;

function party(p: Party | undefined): CelParty {
  if (!p) return EMPTY_PARTY;
  const c = new CelParty();
  c.tin = p.tin;
  c.name = p.name;
  c.country = p.country;
  return c;
}

export function celItem(country: string, it: DeclarationItem, lookups: ReferenceLookups = NO_LOOKUPS): CelItem {
  const c = new CelItem();
  c.line = BigInt(it.line);
  c.hsCode = it.hsCode;
  c.chapter = it.hsCode.slice(0, 2);
  c.heading = it.hsCode.slice(0, 4);
  c.subheading = it.hsCode.slice(0, 6);
  c.description = it.description;
  c.origin = it.origin;
  c.quantity = it.quantity;
  c.unit = it.unit;
  c.netMassKg = it.netMassKg;
  c.grossMassKg = it.grossMassKg;
  c.customsValue = it.customsValue;
  c.currency = it.currency;
  c.customsValueUsd = toUsd(it.customsValue, it.currency);
  c.dutyRate = it.dutyRate ?? 0;
  c.preference = it.preference ?? '';
  c.unitValuePerKg = it.netMassKg > 0 ? c.customsValueUsd / it.netMassKg : 0;
  c.refUnitValue = lookups.refPrice(country, c.subheading);
  c.sensitive = isSensitiveHs(it.hsCode);
  return c;
}

/** The declaration as criteria see it; `lookups` give each item's reference unit value (`refUnitValue`). */
export function celDeclaration(d: Declaration, lookups: ReferenceLookups = NO_LOOKUPS): CelDecl {
  const c = new CelDecl();
  c.reference = d.reference;
  c.type = d.type;
  c.country = d.country;
  c.office = d.office;
  c.procedure = d.procedure ?? '';
  c.lodgedAt = new Date(d.lodgedAt);
  c.declarant = party(d.declarant);
  c.importer = party(d.importer);
  c.exporter = party(d.exporter);
  c.seller = party(d.seller);
  c.countryOfDispatch = d.countryOfDispatch ?? '';
  c.countryOfDestination = d.countryOfDestination ?? '';
  c.manifestReference = d.manifestReference ?? '';
  c.transportDocument = d.transportDocument ?? '';
  const t = new CelTransport();
  t.mode = BigInt(d.transport.mode);
  t.conveyance = d.transport.conveyance ?? '';
  t.containers = d.transport.containers ?? [];
  c.transport = t;
  c.items = d.items.map((it) => celItem(d.country, it, lookups));
  let v = 0;
  let vu = 0;
  let g = 0;
  let n = 0;
  for (const it of c.items) {
    v += it.customsValue;
    vu += it.customsValueUsd;
    g += it.grossMassKg;
    n += it.netMassKg;
  }
  c.totalValue = v;
  c.totalValueUsd = vu;
  c.grossMassKg = g;
  c.netMassKg = n;
  c.itemCount = BigInt(d.items.length);
  return c;
}

export interface TraderView {
  tin: string;
  declarations: number;
  controls: number;
  hits: number;
  hitRate: number;
  seizures: number;
  daysSinceFirstSeen: number;
  aeo: boolean;
  standing: string;
}

export function celTrader(t: TraderView): CelTrader {
  const c = new CelTrader();
  c.tin = t.tin;
  c.declarations = BigInt(t.declarations);
  c.controls = BigInt(t.controls);
  c.hits = BigInt(t.hits);
  c.hitRate = t.hitRate;
  c.seizures = BigInt(t.seizures);
  c.daysSinceFirstSeen = BigInt(Math.floor(t.daysSinceFirstSeen));
  c.aeo = t.aeo;
  c.standing = t.standing;
  return c;
}

export interface ConsignmentView {
  transportDocument: string;
  shipper: string;
  consignee: string;
  consigneeTin?: string | null;
  description: string;
  hsCode?: string | null;
  packages: number;
  grossMassKg: number;
  containers: string[];
  portOfLoading?: string | null;
}

export function celConsignment(c: ConsignmentView | null | undefined): CelConsignment {
  const x = new CelConsignment();
  if (!c) return x;
  x.found = true;
  x.transportDocument = c.transportDocument;
  x.shipper = c.shipper;
  x.consignee = c.consignee;
  x.consigneeTin = c.consigneeTin ?? '';
  x.description = c.description;
  x.hsCode = c.hsCode ?? '';
  x.packages = BigInt(c.packages);
  x.grossMassKg = c.grossMassKg;
  x.containers = c.containers ?? [];
  x.portOfLoading = c.portOfLoading ?? '';
  return x;
}

export function celManifest(m: Manifest): CelManifest {
  const x = new CelManifest();
  x.reference = m.reference;
  x.country = m.country;
  x.office = m.office;
  x.mode = BigInt(m.mode);
  x.carrier = m.carrier;
  x.conveyance = m.conveyance;
  x.voyage = m.voyage ?? '';
  x.arrivalAt = new Date(m.arrivalAt);
  x.consignmentCount = BigInt(m.consignments.length);
  return x;
}

/** The variables of one record, as criteria see them. */
export type CelVars = Record<string, object>;
