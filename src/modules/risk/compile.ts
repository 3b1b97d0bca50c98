import type { ASTNode } from '@marcbachmann/cel-js';
import { budget, BudgetExceeded, startBudget, steps, tick } from './budget.ts';
import { CEL_FUNCTIONS, EMPTY_CONTEXT, parseForEvaluation, STAGE_VARIABLES, type CelVars, type EvalContext, type Stage } from './cel.ts';
import { arith, bool, celEq, checkInt, codePointLength, CTX, generate, Unsupported } from './codegen.ts';
import { re2Compile, re2Test } from './regex.ts';

/**
 * Compiles a type-checked CEL expression's AST (cel-js `expr.ast`) into plain JavaScript
 * closures for the node kinds criteria use (fields, comparisons, `in`, logic, arithmetic,
 * string methods, size, exists / all / exists_one, registered functions). An expression with any
 * other node kind runs on cel-js itself. Where codegen.ts can, the closures are replaced by
 * generated JavaScript source with the same semantics (faster: V8 inlines it). Semantics follow cel-js: ints are bigints, `&&` and `||`
 * absorb an error on one side when the other side decides, macros too. Tests evaluate both on
 * many random declarations and compare.
 */

type Frame = unknown[];
type Fn = (f: Frame) => unknown;

export interface CompiledPredicate {
  /**
   * true when the criterion holds; throws when the expression errors (e.g. index out of range).
   * `ctx` is what the reference helpers answer from (no lookups when left out).
   */
  (vars: CelVars, ctx?: EvalContext): boolean;
  /** compiled to generated code or closures (true) or evaluated by cel-js (false) */
  compiled: boolean;
  /** compiled to generated JavaScript source (codegen.ts) rather than closures */
  generated?: boolean;
  /**
   * compiled only: the closure over a frame already holding the stage's variables in
   * `STAGE_VARIABLES` order and the evaluation context right after them (slots past it are
   * scratch for macros), so that a rule set fills one frame per record for all its criteria.
   * Same result and errors as the predicate.
   */
  run?: (frame: unknown[]) => boolean;
  frameSize?: number;
  /**
   * generated only, the two halves of `run` without its budget start, for a rule set that
   * generates one function per scope (engine.ts): `fast` is the optimistic code (its value is a
   * hit when `=== true`); when it throws anything but `BudgetExceeded`, `slow` decides on the same
   * frame and budget (the precise code, cel-js on a shape it did not foresee). Together they give
   * exactly what `run` gives once the budget is started.
   */
  fast?: (frame: unknown[]) => unknown;
  slow?: (frame: unknown[]) => boolean;
  /** generated only: false when neither half ever counts a budget step (no budget to start for it) */
  countsSteps?: boolean;
  /** generated only: the test the optimistic code makes first, when it is a field compared with a literal (see `Guard`) */
  guard?: Guard;
  /** generated only: a test of the items the criterion needs one item to pass (see `ItemGuard`) */
  itemGuard?: ItemGuard;
  /** why the expression could not be compiled (e.g. an invalid pattern in a stored criterion): every evaluation throws it */
  broken?: string;
  /**
   * the field names the expression reads (of any variable or nested value), or null when it may
   * read fields it does not name (then a view of a record must hold them all)
   */
  fields?: readonly string[] | null;
}

/**
 * A test of an expression whose top is a chain of `&&` (its first conjunct, or a later one when all
 * before it are plain comparisons), when that test is a field path of a variable
 * (`decl.transport.mode`, `consignment.found`) alone or compared with `==` to a literal. When it is
 * false (without an error) the whole expression is false (CEL's `&&` is false when either side is): a rule set evaluates each distinct guard once per record and skips
 * the criteria whose guard is false (engine.ts). `key` names the guard (equal keys, equal tests).
 */
export interface Guard {
  key: string;
  /** frame slot of the variable, then the fields read from it */
  slot: number;
  fields: string[];
  /** 'bool': false when the path is `false`; 'strict': false when the path is not `=== value`; 'eq': false when not celEq(path, value) */
  kind: 'bool' | 'strict' | 'eq';
  value: unknown;
}

/**
 * A test of the items a criterion needs one of: one of its top-level `&&` conjuncts is
 * `decl.items.exists(i, P)` where P's first test (of its own `&&` chain) reads an item field
 * against a string literal (`i.hsCode.startsWith("2402")`, `i.heading == "2203"`) or is a bool field
 * (`i.sensitive`), and every conjunct before it is a plain comparison of fields and literals (no
 * loop, call or list: nothing that counts budget steps). When no item of the record passes the
 * test, that conjunct is false without error and so is the criterion (CEL's `&&` is false when
 * either side is): a rule set indexes its criteria by these tests (engine.ts) and skips the ones
 * whose test no item passes, evaluating each distinct test once per record.
 */
export interface ItemGuard {
  key: string;
  /** frame slot of the variable whose `items` are read */
  slot: number;
  field: string;
  kind: 'prefix' | 'eq' | 'bool';
  /** the literal (prefix or value; '' for bool) */
  value: string;
}

const PLAIN_OPS = new Set(['value', 'id', '.', '==', '!=', '<', '<=', '>', '>=', '!_']);
function plain(n: ASTNode | undefined): boolean {
  if (!n || typeof n !== 'object' || !PLAIN_OPS.has(n.op)) return false;
  if (n.op === 'value') return n.args === null || typeof n.args !== 'object';
  if (n.op === 'id') return true;
  if (n.op === '.') return typeof n.args[1] === 'string' && plain(n.args[0]);
  if (n.op === '!_') return plain(n.args);
  // the comparisons left of PLAIN_OPS: two operands
  const [l, r] = n.args as [ASTNode, ASTNode];
  return plain(l) && plain(r);
}

function conjuncts(n: ASTNode | undefined): (ASTNode | undefined)[] {
  return n && n.op === '&&' ? [...conjuncts(n.args[0]), ...conjuncts(n.args[1])] : [n];
}

export function itemGuardOf(ast: ASTNode, names: readonly string[]): ItemGuard | undefined {
  for (const c of conjuncts(ast)) {
    const g = itemTest(c, names);
    if (g) return g;
    if (!plain(c)) return undefined;
  }
  return undefined;
}

function itemTest(n: ASTNode | undefined, names: readonly string[]): ItemGuard | undefined {
  if (!n || n.op !== 'rcall' || n.args[0] !== 'exists') return undefined;
  const [, recv, argNodes] = n.args;
  if (!Array.isArray(argNodes) || argNodes.length !== 2 || argNodes[0]?.op !== 'id') return undefined;
  // decl.items (a variable's items)
  if (recv?.op !== '.' || recv.args[1] !== 'items' || recv.args[0]?.op !== 'id') return undefined;
  const slot = names.indexOf(recv.args[0].args);
  if (slot < 0) return undefined;
  const v = argNodes[0].args;
  const first = conjuncts(argNodes[1])[0];
  const field = (x: ASTNode | undefined): string | undefined => (x?.op === '.' && typeof x.args[1] === 'string' && x.args[0]?.op === 'id' && x.args[0].args === v ? x.args[1] : undefined);
  const str = (x: ASTNode | undefined): string | undefined => (x?.op === 'value' && typeof x.args === 'string' ? x.args : undefined);
  const make = (f: string, kind: ItemGuard['kind'], value: string): ItemGuard => ({ key: `${slot}|${f}|${kind}|${JSON.stringify(value)}`, slot, field: f, kind, value });
  if (first?.op === 'rcall' && first.args[0] === 'startsWith' && Array.isArray(first.args[2]) && first.args[2].length === 1) {
    const f = field(first.args[1]);
    const lit = str(first.args[2][0]);
    if (f !== undefined && lit !== undefined) return make(f, 'prefix', lit);
  }
  if (first?.op === '==') {
    const [l, r] = first.args;
    const f = field(l) ?? field(r);
    const lit = str(r) ?? str(l);
    if (f !== undefined && lit !== undefined && (field(l) === undefined) !== (field(r) === undefined)) return make(f, 'eq', lit);
  }
  const f = field(first);
  if (f !== undefined) return make(f, 'bool', '');
  return undefined;
}

const KNOWN_OPS = new Set(['value', 'id', '.', '[]', '==', '!=', '<', '<=', '>', '>=', 'in', '&&', '||', '!_', '-_', '?:', '+', '-', '*', '/', '%', 'list', 'call', 'rcall']);

/** The field names an expression's AST reads (`x.field`, `x["field"]`), or null when it may read others. */
export function fieldsRead(ast: unknown): string[] | null {
  const out = new Set<string>();
  const stack: unknown[] = [ast];
  while (stack.length) {
    // a node of cel-js's parse tree, a list of them, or an operand that is neither
    const n = stack.pop() as ASTNode | ASTNode[] | null | undefined;
    if (Array.isArray(n)) {
      for (const x of n) stack.push(x);
      continue;
    }
    if (!n || typeof n !== 'object') continue;
    if (typeof n.op !== 'string' || !KNOWN_OPS.has(n.op)) return null;
    if (n.op === 'value' || n.op === 'id') continue;
    if (n.op === '.') {
      if (typeof n.args[1] !== 'string') return null;
      out.add(n.args[1]);
      stack.push(n.args[0]);
      continue;
    }
    if (n.op === '[]') {
      const i = n.args[1];
      // an index by a string: a field of a message (or a map key); by anything else but a number: unknown
      if (i?.op === 'value' && typeof i.args === 'string') out.add(i.args);
      else if (!(i?.op === 'value' && (typeof i.args === 'number' || typeof i.args === 'bigint'))) return null;
      stack.push(n.args[0]);
      continue;
    }
    if (n.op === 'call') {
      stack.push(n.args[1]);
      continue;
    }
    if (n.op === 'rcall') {
      stack.push(n.args[1], n.args[2]);
      continue;
    }
    stack.push(n.args);
  }
  return [...out];
}

function guardOf(ast: ASTNode, names: readonly string[]): Guard | undefined {
  const path = (x: ASTNode | undefined): { slot: number; fields: string[] } | undefined => {
    const fields: string[] = [];
    while (x && x.op === '.' && typeof x.args[1] === 'string') {
      fields.unshift(x.args[1]);
      x = x.args[0];
    }
    if (!x || x.op !== 'id' || !fields.length) return undefined;
    const slot = names.indexOf(x.args);
    return slot < 0 ? undefined : { slot, fields };
  };
  const keyOf = (p: { slot: number; fields: string[] }, kind: string, value: unknown) =>
    `${p.slot}.${p.fields.join('.')}|${kind}|${typeof value}|${typeof value === 'bigint' ? value.toString() : JSON.stringify(value)}`;
  const test = (n: ASTNode | undefined): Guard | undefined => {
    if (!n) return undefined;
    if (n.op === '.') {
      const p = path(n);
      return p ? { key: keyOf(p, 'bool', false), ...p, kind: 'bool', value: false } : undefined;
    }
    if (n.op === '==') {
      const [l, r] = n.args;
      const lit = (x: ASTNode) => x?.op === 'value' && (x.args === null || ['string', 'boolean', 'number', 'bigint'].includes(typeof x.args));
      const [pn, vn] = lit(r) ? [l, r] : lit(l) ? [r, l] : [null, null];
      const p = pn ? path(pn) : undefined;
      if (!p || !vn) return undefined;
      const value = vn.args;
      if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
      // codegen.ts compares with === against a string, bool or null literal, with celEq otherwise
      const kind = value === null || typeof value === 'string' || typeof value === 'boolean' ? 'strict' : 'eq';
      return { key: keyOf(p, kind, value), ...p, kind, value };
    }
    return undefined;
  };
  // the first conjunct of the top-level chain that is such a test, when every one before it is plain
  // (no loop or call: nothing that counts budget steps); false without error there, the whole is false
  for (const c of conjuncts(ast)) {
    const g = test(c);
    if (g) return g;
    if (!plain(c)) return undefined;
  }
  return undefined;
}

/** an error the closures must not absorb (`&&`, `||`, macros) */
const fatal = (e: unknown) => e instanceof Unsupported || e instanceof BudgetExceeded;
/** one loop step (budget.ts) */
const step = () => {
  if (++budget.n > budget.check) tick();
};

function compileNode(node: ASTNode, scope: Map<string, number>, slots: { n: number }): Fn {
  // destructured: a switch on `op` narrows `a` to that operator's arguments
  const { op, args: a } = node;
  switch (op) {
    case 'value': {
      const v = a;
      if (v !== null && typeof v === 'object') throw new Unsupported('literal');
      return () => v;
    }
    case 'id': {
      const slot = scope.get(a);
      if (slot === undefined) throw new Unsupported(`id ${a}`);
      return (f) => f[slot];
    }
    case '.': {
      const obj = compileNode(a[0], scope, slots);
      const key: string = a[1];
      return (f) => {
        const o = obj(f) as Record<string, unknown> | null | undefined;
        if (o === null || o === undefined) throw new Error(`No such key: ${key}`);
        const v = o[key];
        if (v === undefined) throw new Error(`No such key: ${key}`);
        return v;
      };
    }
    case '[]': {
      const obj = compileNode(a[0], scope, slots);
      const idx = compileNode(a[1], scope, slots);
      return (f) => {
        const o = obj(f);
        const i = idx(f);
        if (!Array.isArray(o)) throw new Unsupported('index on non-list');
        const n = Number(i);
        if (typeof i !== 'bigint' && !(typeof i === 'number' && Number.isInteger(i))) throw new Error('invalid index');
        if (n < 0 || n >= o.length) throw new Error(`index out of bounds: ${n}`);
        return o[n];
      };
    }
    case '==':
    case '!=': {
      const l = compileNode(a[0], scope, slots);
      const r = compileNode(a[1], scope, slots);
      return op === '==' ? (f) => celEq(l(f), r(f)) : (f) => !celEq(l(f), r(f));
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const l = compileNode(a[0], scope, slots);
      const r = compileNode(a[1], scope, slots);
      const cmp = (x: unknown, y: unknown) => {
        // JavaScript's own < and > on what the record holds (mixed kinds included, as cel-js compares them): typed as numbers only for the operators
        const p = (x instanceof Date ? x.getTime() : x) as number;
        const q = (y instanceof Date ? y.getTime() : y) as number;
        return p < q ? -1 : p > q ? 1 : p === q || (typeof p !== typeof q && Number(p) === Number(q)) ? 0 : NaN;
      };
      if (op === '<') return (f) => cmp(l(f), r(f)) < 0;
      if (op === '<=') return (f) => cmp(l(f), r(f)) <= 0;
      if (op === '>') return (f) => cmp(l(f), r(f)) > 0;
      return (f) => cmp(l(f), r(f)) >= 0;
    }
    case 'in': {
      const l = compileNode(a[0], scope, slots);
      const rn = a[1];
      if (rn.op === 'list' && rn.args.every((x) => x.op === 'value' && typeof x.args === 'string')) {
        const set = new Set<string>(rn.args.map((x) => x.args as string));
        return (f) => {
          const v = l(f);
          return typeof v === 'string' && set.has(v);
        };
      }
      const r = compileNode(rn, scope, slots);
      return (f) => {
        const v = l(f);
        const list = r(f);
        if (!Array.isArray(list)) throw new Unsupported('in on non-list');
        steps(list.length);
        for (const x of list) if (celEq(v, x)) return true;
        return false;
      };
    }
    case '&&':
    case '||': {
      const l = compileNode(a[0], scope, slots);
      const r = compileNode(a[1], scope, slots);
      const decisive = op === '||';
      return (f) => {
        let lv: boolean;
        try {
          lv = bool(l(f));
        } catch (e) {
          if (fatal(e)) throw e;
          if (bool(r(f)) === decisive) return decisive;
          throw e;
        }
        if (lv === decisive) return decisive;
        return bool(r(f));
      };
    }
    case '!_': {
      const x = compileNode(a, scope, slots);
      return (f) => !bool(x(f));
    }
    case '-_': {
      const x = compileNode(a, scope, slots);
      return (f) => {
        const v = x(f);
        if (typeof v === 'bigint') return checkInt(-v);
        if (typeof v === 'number') return -v;
        throw new Unsupported('negate');
      };
    }
    case '?:': {
      const c = compileNode(a[0], scope, slots);
      const t = compileNode(a[1], scope, slots);
      const e = compileNode(a[2], scope, slots);
      return (f) => (bool(c(f)) ? t(f) : e(f));
    }
    case '+':
    case '-':
    case '*':
    case '/':
    case '%': {
      const l = compileNode(a[0], scope, slots);
      const r = compileNode(a[1], scope, slots);
      return (f) => arith(op, l(f), r(f));
    }
    case 'list': {
      const xs: Fn[] = a.map((x) => compileNode(x, scope, slots));
      return (f) => xs.map((x) => x(f));
    }
    case 'call': {
      const name: string = a[0];
      const args: Fn[] = a[1].map((x) => compileNode(x, scope, slots));
      if (name === 'size' && args.length === 1) {
        const x = args[0];
        return (f) => {
          const v = x(f);
          if (typeof v === 'string') return BigInt(codePointLength(v));
          if (Array.isArray(v)) return BigInt(v.length);
          throw new Unsupported('size');
        };
      }
      if (name === 'double' && args.length === 1) {
        const x = args[0];
        return (f) => {
          const v = x(f);
          if (typeof v === 'bigint' || typeof v === 'number') return Number(v);
          throw new Unsupported('double()');
        };
      }
      const fn = CEL_FUNCTIONS[name];
      if (!fn) throw new Unsupported(`call ${name}`);
      const h = fn.handler;
      const cs = scope.get(CTX)!;
      if (args.length === 1) {
        const x = args[0];
        return (f) => h(f[cs] as EvalContext, x(f));
      }
      return (f) => h(f[cs] as EvalContext, ...args.map((x) => x(f)));
    }
    case 'rcall': {
      const name: string = a[0];
      const recvNode = a[1];
      const argNodes: ASTNode[] = a[2];
      if (name === 'exists' || name === 'all' || name === 'exists_one') {
        const loopVar = argNodes[0];
        if (argNodes.length !== 2 || loopVar.op !== 'id') throw new Unsupported('macro form');
        const list = compileNode(recvNode, scope, slots);
        const slot = slots.n++;
        const inner = new Map(scope);
        inner.set(loopVar.args, slot);
        const pred = compileNode(argNodes[1], inner, slots);
        if (name === 'exists')
          return (f) => {
            const xs = list(f);
            if (!Array.isArray(xs)) throw new Unsupported('exists on non-list');
            let err: unknown;
            for (let i = 0; i < xs.length; i++) {
              step();
              f[slot] = xs[i];
              try {
                if (bool(pred(f))) return true;
              } catch (e) {
                if (fatal(e)) throw e;
                err ??= e;
              }
            }
            if (err) throw err;
            return false;
          };
        if (name === 'all')
          return (f) => {
            const xs = list(f);
            if (!Array.isArray(xs)) throw new Unsupported('all on non-list');
            let err: unknown;
            for (let i = 0; i < xs.length; i++) {
              step();
              f[slot] = xs[i];
              try {
                if (!bool(pred(f))) return false;
              } catch (e) {
                if (fatal(e)) throw e;
                err ??= e;
              }
            }
            if (err) throw err;
            return true;
          };
        return (f) => {
          const xs = list(f);
          if (!Array.isArray(xs)) throw new Unsupported('exists_one on non-list');
          let n = 0;
          for (let i = 0; i < xs.length; i++) {
            step();
            f[slot] = xs[i];
            if (bool(pred(f))) n++;
          }
          return n === 1;
        };
      }
      const recv = compileNode(recvNode, scope, slots);
      const args: Fn[] = argNodes.map((x) => compileNode(x, scope, slots));
      const str = (v: unknown): string => {
        if (typeof v !== 'string') throw new Unsupported(`${name} on non-string`);
        return v;
      };
      if (name === 'startsWith' && args.length === 1) {
        const lit = argNodes[0].op === 'value' && typeof argNodes[0].args === 'string' ? (argNodes[0].args as string) : null;
        if (lit !== null) return (f) => str(recv(f)).startsWith(lit);
        return (f) => str(recv(f)).startsWith(str(args[0](f)));
      }
      if (name === 'endsWith' && args.length === 1) return (f) => str(recv(f)).endsWith(str(args[0](f)));
      if (name === 'contains' && args.length === 1) return (f) => str(recv(f)).includes(str(args[0](f)));
      if (name === 'matches' && args.length === 1 && argNodes[0].op === 'value' && typeof argNodes[0].args === 'string') {
        const re = re2Compile(argNodes[0].args as string);
        return (f) => re.test(str(recv(f)));
      }
      if (name === 'matches' && args.length === 1)
        return (f) => {
          const s = str(recv(f));
          const p = str(args[0](f));
          steps(s.length >> 4);
          return re2Test(s, p);
        };
      if (name === 'size' && args.length === 0)
        return (f) => {
          const v = recv(f);
          if (typeof v === 'string') return BigInt(codePointLength(v));
          if (Array.isArray(v)) return BigInt(v.length);
          throw new Unsupported('size');
        };
      throw new Unsupported(`method ${name}`);
    }
    default:
      throw new Unsupported(op);
  }
}

/**
 * A predicate for a checked expression: compiled closures when every node is supported,
 * cel-js otherwise. `forceCelJs` gives the cel-js one (for comparisons and the benchmark).
 */
export function compilePredicate(expression: string, stage: Stage, opts: { forceCelJs?: boolean; forceClosures?: boolean } = {}): CompiledPredicate {
  try {
    return compileChecked(expression, stage, opts);
  } catch (e) {
    // never throws: a criterion that cannot be compiled (stored before a check refused it, e.g.
    // an invalid pattern) fails on every record it is evaluated on, and only there
    const why = String((e as Error)?.message ?? e).split('\n')[0];
    const fail = (): boolean => {
      throw new Error(`could not be compiled: ${why}`);
    };
    return Object.assign((_vars: CelVars) => fail(), { compiled: false, broken: why, fields: [] });
  }
}

function compileChecked(expression: string, stage: Stage, opts: { forceCelJs?: boolean; forceClosures?: boolean }): CompiledPredicate {
  // checked, with every `matches` bound to RE2 (the cel-js path runs no backtracking regex either)
  const parsed = parseForEvaluation(expression, stage);
  const names = Object.keys(STAGE_VARIABLES[stage]);
  const celJsRaw = (vars: CelVars, ctx: EvalContext) => parsed(vars, ctx) === true;
  const celJs = Object.assign(
    (vars: CelVars, ctx: EvalContext = EMPTY_CONTEXT) => {
      startBudget(ctx.budget);
      return celJsRaw(vars, ctx);
    },
    { compiled: false, fields: fieldsRead(parsed.ast) },
  );
  if (opts.forceCelJs) return celJs;
  let fn: Fn;
  // the context's slot follows the variables' (codegen.ts CTX)
  const cs = names.length;
  const slots = { n: names.length + 1 };
  try {
    fn = compileNode(parsed.ast, new Map([...names.map((n, i) => [n, i] as const), [CTX, cs]]), slots);
  } catch (e) {
    if (e instanceof Unsupported) return celJs;
    throw e;
  }
  let size = slots.n;
  let generated = false;
  let fast: Fn | undefined;
  let precise: Fn | undefined;
  let counts = true;
  if (!opts.forceClosures) {
    // generated source where the generator covers every node (it covers what the closures do)
    try {
      const g = generate(parsed.ast, names);
      fn = g.fn as Fn;
      fast = g.fast as Fn;
      precise = g.precise as Fn;
      counts = g.counts;
      size = g.frameSize;
      generated = true;
    } catch {
      // keep the closures
    }
  }
  const pred = (vars: CelVars, ctx: EvalContext = EMPTY_CONTEXT): boolean => {
    const frame: Frame = new Array(size);
    for (let i = 0; i < names.length; i++) frame[i] = vars[names[i]];
    frame[cs] = ctx;
    startBudget(ctx.budget);
    try {
      return fn(frame) === true;
    } catch (e) {
      // a shape the compiler did not foresee at run time: cel-js decides
      if (e instanceof Unsupported) return celJsRaw(vars, ctx);
      throw e;
    }
  };
  const run = (frame: Frame): boolean => {
    startBudget((frame[cs] as EvalContext | undefined)?.budget);
    try {
      return fn(frame) === true;
    } catch (e) {
      if (e instanceof Unsupported) {
        const vars: CelVars = {};
        for (let i = 0; i < names.length; i++) vars[names[i]] = frame[i] as object;
        return celJsRaw(vars, (frame[cs] as EvalContext | undefined) ?? EMPTY_CONTEXT);
      }
      throw e;
    }
  };
  const celJsOnFrame = (frame: Frame): boolean => {
    const vars: CelVars = {};
    for (let i = 0; i < names.length; i++) vars[names[i]] = frame[i] as object;
    return celJsRaw(vars, (frame[cs] as EvalContext | undefined) ?? EMPTY_CONTEXT);
  };
  const fields = fieldsRead(parsed.ast);
  if (!fast || !precise) return Object.assign(pred, { compiled: true, generated, run, frameSize: size, fields });
  const p = precise;
  // what `run` does once the optimistic code has thrown (anything but BudgetExceeded): the precise code on the same budget, cel-js on a shape it did not foresee
  const slow = (frame: Frame): boolean => {
    try {
      return p(frame) === true;
    } catch (e) {
      if (e instanceof Unsupported) return celJsOnFrame(frame);
      throw e;
    }
  };
  return Object.assign(pred, { compiled: true, generated, run, frameSize: size, fast, slow, countsSteps: counts, guard: guardOf(parsed.ast, names), itemGuard: itemGuardOf(parsed.ast, names), fields });
}
