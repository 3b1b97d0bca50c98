import { budget, BudgetExceeded, steps, tick } from './budget.ts';
import type { ASTNode } from '@marcbachmann/cel-js';
import { CEL_FUNCTIONS, CEL_TYPES } from './cel.ts';
import { re2Compile, re2Test } from './regex.ts';

/**
 * Generates JavaScript source for a type-checked CEL expression's AST (cel-js `expr.ast`) and
 * builds it with `new Function`, so that V8 inlines and optimises a criterion like hand-written
 * code. Same node kinds and same semantics as the closures in compile.ts (which stay the
 * fallback): the generated code calls the very runtime helpers below for anything beyond the
 * fast paths, and throws `Unsupported` where the closures do.
 *
 * Criteria are user input, so nothing from the expression reaches the source text except:
 * field names (in error messages as `JSON.stringify` output) from the whitelist of declared
 * fields (`CEL_TYPES`) that are also plain identifiers, and names / slot numbers we allocate.
 * String, number and bigint literals (numbers checked to be finite), sets, regular expressions
 * and registered functions are passed in as values, never as source: criteria of the same shape
 * then have the same source, built once (`FACTORIES`).
 *
 * Budget (budget.ts): every loop iteration of a macro counts a step (`++B.n > B.check`, one
 * compare in the hot path) and looks at the clock every so often; `BudgetExceeded` goes through
 * every error-absorbing `&&`, `||` and macro, and is never retried by the precise version.
 * Regular expressions are RE2 (regex.ts): literal patterns compiled once, others on first use.
 */

export class Unsupported extends Error {}

/**
 * The key under which a scope maps the frame slot of the evaluation context (not an identifier,
 * so no CEL variable can take it). A frame holds the stage's variables in slots 0..n-1 and the
 * context in slot n; macro slots come after.
 */
export const CTX = '@ctx';

export function celEq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'number' || ta === 'bigint') && (tb === 'number' || tb === 'bigint')) return Number(a) === Number(b);
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => celEq(x, b[i]));
  return false;
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
export function checkInt(v: bigint): bigint {
  if (v > INT64_MAX || v < INT64_MIN) throw new Error('integer overflow');
  return v;
}

export function bool(v: unknown): boolean {
  if (typeof v !== 'boolean') throw new Error('no such overload: logical operator on non-bool');
  return v;
}

export function codePointLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return s.length;
  return [...s].length;
}

/** three-way comparison as the closures do it: NaN when unordered */
export function cmp(x: unknown, y: unknown): number {
  // JavaScript's own < and > on what the record holds (numbers, strings, bigints, bools, mixed kinds
  // included, as cel-js compares them): typed as numbers only for the operators
  const a = (x instanceof Date ? x.getTime() : x) as number;
  const b = (y instanceof Date ? y.getTime() : y) as number;
  return a < b ? -1 : a > b ? 1 : a === b || (typeof a !== typeof b && Number(a) === Number(b)) ? 0 : NaN;
}

export function arith(op: string, x: unknown, y: unknown): unknown {
  if (typeof x === 'number' && typeof y === 'number') {
    if (op === '+') return x + y;
    if (op === '-') return x - y;
    if (op === '*') return x * y;
    if (op === '/') return x / y;
    throw new Unsupported('double %');
  }
  if (typeof x === 'bigint' && typeof y === 'bigint') {
    if (op === '+') return checkInt(x + y);
    if (op === '-') return checkInt(x - y);
    if (op === '*') return checkInt(x * y);
    if (y === 0n) throw new Error(op === '/' ? 'division by zero' : 'modulus by zero');
    return op === '/' ? checkInt(x / y) : x % y;
  }
  if (op === '+' && typeof x === 'string' && typeof y === 'string') {
    steps((x.length + y.length) >> 4);
    return x + y;
  }
  if (op === '+' && Array.isArray(x) && Array.isArray(y)) {
    steps(x.length + y.length);
    return [...x, ...y];
  }
  throw new Unsupported(`arithmetic on ${typeof x}, ${typeof y}`);
}

function index(o: unknown, i: unknown): unknown {
  if (!Array.isArray(o)) throw new Unsupported('index on non-list');
  const n = Number(i);
  if (typeof i !== 'bigint' && !(typeof i === 'number' && Number.isInteger(i))) throw new Error('invalid index');
  if (n < 0 || n >= o.length) throw new Error(`index out of bounds: ${n}`);
  return o[n];
}

function inList(v: unknown, list: unknown): boolean {
  if (!Array.isArray(list)) throw new Unsupported('in on non-list');
  steps(list.length);
  for (const x of list) if (celEq(v, x)) return true;
  return false;
}

function neg(v: unknown): unknown {
  if (typeof v === 'bigint') return checkInt(-v);
  if (typeof v === 'number') return -v;
  throw new Unsupported('negate');
}

function size(v: unknown): bigint {
  if (typeof v === 'string') return BigInt(codePointLength(v));
  if (Array.isArray(v)) return BigInt(v.length);
  throw new Unsupported('size');
}

function toDouble(v: unknown): number {
  if (typeof v === 'bigint' || typeof v === 'number') return Number(v);
  throw new Unsupported('double()');
}

function nokey(key: string): never {
  throw new Error(`No such key: ${key}`);
}

function str(v: unknown): string {
  if (typeof v !== 'string') throw new Unsupported('string method on non-string');
  return v;
}

function list(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw new Unsupported('macro on non-list');
  return v;
}

/** CEL `s.matches(p)` with a pattern known only at run time (RE2, cached per pattern) */
function matchesDyn(s: unknown, p: unknown): boolean {
  if (typeof s !== 'string' || typeof p !== 'string') throw new Unsupported('matches on non-string');
  steps(s.length >> 4);
  return re2Test(s, p);
}

const RUNTIME = { nokey, U: Unsupported, BX: BudgetExceeded, B: budget, tick, eq: celEq, cmp, bool, arith, index, inList, neg, size, toDouble, str, list, matchesDyn };
const PRELUDE = `"use strict";\nconst { nokey, U, BX, B, tick, eq, cmp, bool, arith, index, inList, neg, size, toDouble, str, list, matchesDyn } = rt;\n`;
/** one step of a loop: the only budget code in the hot path */
const STEP = 'if (++B.n > B.check) tick();';

/** field names an expression may read, as plain identifiers: the only names taken from it */
const FIELDS = new Set(Object.values(CEL_TYPES).flatMap((t) => Object.keys(t)));
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

const CMP_OPS: Record<string, string> = { '<': '<', '<=': '<=', '>': '>', '>=': '>=' };
const ARITH_OPS: Record<string, string> = { '+': '+', '-': '-', '*': '*', '/': '/', '%': '%' };
/** node kinds whose value is always a boolean (when they do not throw) */
const BOOL_OPS = new Set(['==', '!=', '<', '<=', '>', '>=', 'in', '&&', '||', '!_']);
const BOOL_METHODS = new Set(['startsWith', 'endsWith', 'contains', 'matches', 'exists', 'all', 'exists_one']);

function isBool(node: ASTNode): boolean {
  if (BOOL_OPS.has(node.op)) return true;
  if (node.op === 'value') return typeof node.args === 'boolean';
  return node.op === 'rcall' && BOOL_METHODS.has(node.args[0]);
}

function literal(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `(${v.toString()}n)`;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Unsupported('non-finite literal');
    if (Object.is(v, -0)) return '(-0)';
    const s = String(v);
    if (!/^-?[0-9.e+-]+$/.test(s)) throw new Unsupported('number literal');
    return `(${s})`;
  }
  throw new Unsupported('literal');
}

class Gen {
  helpers: string[] = [];
  consts: unknown[] = [];
  private n = 0;
  constructor(public slots: { n: number }) {}

  name(prefix: string): string {
    return `${prefix}${this.n++}`;
  }
  konst(v: unknown): string {
    this.consts.push(v);
    return `k${this.consts.length - 1}`;
  }
  helper(prefix: string, params: string, body: string): string {
    const name = this.name(prefix);
    this.helpers.push(`function ${name}(${params}) {\n${body}\n}`);
    return name;
  }
  /**
   * optimistic code: no error absorption (no try / catch), for the common case where nothing
   * errors; when it throws, the precise code (which absorbs errors like cel-js) decides. The
   * two agree whenever the optimistic one returns: they evaluate the same nodes in the same
   * order until an error, and evaluation has no effects beyond macro slots of the frame.
   */
  optimistic = false;
  /** temporaries of the function body being generated */
  temps: string[] = [];
  temp(): string {
    const t = `t${this.n++}`;
    this.temps.push(t);
    return t;
  }
  /** a function body of its own: its temporaries are declared at its top */
  body(make: () => string): string {
    const outer = this.temps;
    this.temps = [];
    try {
      const b = make();
      return (this.temps.length ? `  let ${this.temps.join(', ')};\n` : '') + b;
    } finally {
      this.temps = outer;
    }
  }
  /** as a boolean: the value itself when the node can only yield one, bool() otherwise */
  cond(node: ASTNode, scope: Map<string, string>): string {
    const x = this.expr(node, scope);
    return isBool(node) ? x : `bool(${x})`;
  }

  expr(node: ASTNode, scope: Map<string, string>): string {
    // destructured: a switch on `op` narrows `a` to that operator's arguments
    const { op, args: a } = node;
    switch (op) {
      case 'value': {
        const text = literal(a);
        // strings and numbers are passed in as constants, so that criteria of one shape share one source (and V8's optimised code)
        return typeof a === 'string' || typeof a === 'number' || typeof a === 'bigint' ? this.konst(a) : text;
      }
      case 'id': {
        const ref = scope.get(a);
        if (ref === undefined) throw new Unsupported(`id ${String(a)}`);
        return ref;
      }
      case '.': {
        const key = a[1];
        if (typeof key !== 'string' || !FIELDS.has(key) || !IDENT.test(key)) throw new Unsupported('field');
        const obj = this.expr(a[0], scope);
        const t = this.temp();
        return `((${t} = ${obj}) == null || (${t} = ${t}.${key}) === undefined ? nokey(${JSON.stringify(key)}) : ${t})`;
      }
      case '[]':
        return `index(${this.expr(a[0], scope)}, ${this.expr(a[1], scope)})`;
      case '==':
      case '!=': {
        const not = op === '!=' ? '!' : '';
        const [ln, rn] = a;
        // celEq against a string, bool or null literal is exactly ===
        const strict = (n: ASTNode) => n.op === 'value' && (n.args === null || typeof n.args === 'string' || typeof n.args === 'boolean');
        const l = this.expr(ln, scope);
        const r = this.expr(rn, scope);
        if (strict(rn) || strict(ln)) return `(${l} ${op === '==' ? '===' : '!=='} ${r})`;
        return `${not}eq(${l}, ${r})`;
      }
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const jsop = CMP_OPS[op];
        const l = this.expr(a[0], scope);
        const r = this.expr(a[1], scope);
        const [x, y] = [this.temp(), this.temp()];
        return `((${x} = ${l}), (${y} = ${r}), typeof ${x} === typeof ${y} && (typeof ${x} === 'number' || typeof ${x} === 'string' || typeof ${x} === 'bigint') ? ${x} ${jsop} ${y} : cmp(${x}, ${y}) ${jsop} 0)`;
      }
      case 'in': {
        const l = this.expr(a[0], scope);
        const rn = a[1];
        if (rn.op === 'list' && rn.args.every((x) => x.op === 'value' && typeof x.args === 'string')) {
          const values = rn.args.map((x) => x.args as string);
          if (values.length === 0) return `(${l}, false)`;
          const v = this.temp();
          if (values.length <= 8) return `((${v} = ${l}), ${values.map((s) => `${v} === ${this.konst(s)}`).join(' || ')})`;
          const k = this.konst(new Set(values));
          return `((${v} = ${l}), typeof ${v} === 'string' && ${k}.has(${v}))`;
        }
        return `inList(${l}, ${this.expr(rn, scope)})`;
      }
      case '&&':
      case '||': {
        const decisive = op === '||' ? 'true' : 'false';
        // optimistic: plain short-circuit, any error reruns the precise version
        if (this.optimistic) {
          const l = this.cond(a[0], scope);
          const r = this.cond(a[1], scope);
          return op === '&&' ? `(${l} ? ${r} : false)` : `(${l} ? true : ${r})`;
        }
        const body = this.body(() => {
          const l = this.cond(a[0], scope);
          const r = this.cond(a[1], scope);
          return `  let l;\n  try {\n    l = ${l};\n  } catch (e) {\n    if (e instanceof U || e instanceof BX) throw e;\n    if (${r} === ${decisive}) return ${decisive};\n    throw e;\n  }\n  if (l === ${decisive}) return ${decisive};\n  return ${r};`;
        });
        const h = this.helper(op === '&&' ? 'and' : 'or', 'f', body);
        return `${h}(f)`;
      }
      case '!_':
        return `!${this.cond(a, scope)}`;
      case '-_':
        return `neg(${this.expr(a, scope)})`;
      case '?:':
        return `(${this.cond(a[0], scope)} ? ${this.expr(a[1], scope)} : ${this.expr(a[2], scope)})`;
      case '+':
      case '-':
      case '*':
      case '/':
      case '%': {
        const jsop = ARITH_OPS[op];
        const l = this.expr(a[0], scope);
        const r = this.expr(a[1], scope);
        const [x, y] = [this.temp(), this.temp()];
        const slow = `arith(${JSON.stringify(op)}, ${x}, ${y})`;
        if (op === '%') return `((${x} = ${l}), (${y} = ${r}), ${slow})`;
        return `((${x} = ${l}), (${y} = ${r}), typeof ${x} === 'number' && typeof ${y} === 'number' ? ${x} ${jsop} ${y} : ${slow})`;
      }
      case 'list':
        return `[${a.map((x) => this.expr(x, scope)).join(', ')}]`;
      case 'call': {
        const name: string = a[0];
        const args: string[] = a[1].map((x) => this.expr(x, scope));
        if (name === 'size' && args.length === 1) return `size(${args[0]})`;
        if (name === 'double' && args.length === 1) return `toDouble(${args[0]})`;
        if (!Object.hasOwn(CEL_FUNCTIONS, name)) throw new Unsupported(`call ${name}`);
        const k = this.konst(CEL_FUNCTIONS[name].handler);
        // the handler takes the evaluation context first (the frame's context slot, CTX)
        return `${k}(${[scope.get(CTX)!, ...args].join(', ')})`;
      }
      case 'rcall': {
        const name: string = a[0];
        const recvNode = a[1];
        const argNodes: ASTNode[] = a[2];
        if (name === 'exists' || name === 'all' || name === 'exists_one') {
          const loopVar = argNodes[0];
          if (argNodes.length !== 2 || loopVar.op !== 'id') throw new Unsupported('macro form');
          const xs = this.expr(recvNode, scope);
          const slot = this.slots.n++;
          const inner = new Map(scope);
          inner.set(loopVar.args, `f[${slot}]`);
          const h = this.helper(
            'm',
            'f, xs',
            this.body(() => {
              const pred = this.cond(argNodes[1], inner);
              let body: string;
              if (name === 'exists_one')
                body = `  let n = 0;\n  for (let i = 0; i < xs.length; i++) {\n    ${STEP}\n    f[${slot}] = xs[i];\n    if (${pred}) n++;\n  }\n  return n === 1;`;
              else {
                const [hit, miss] = name === 'exists' ? ['true', 'false'] : ['false', 'true'];
                const test = name === 'exists' ? `(${pred})` : `(!${pred})`;
                if (this.optimistic) body = `  for (let i = 0; i < xs.length; i++) {\n    ${STEP}\n    f[${slot}] = xs[i];\n    if ${test} return ${hit};\n  }\n  return ${miss};`;
                else body = `  let err;\n  for (let i = 0; i < xs.length; i++) {\n    ${STEP}\n    f[${slot}] = xs[i];\n    try {\n      if ${test} return ${hit};\n    } catch (e) {\n      if (e instanceof U || e instanceof BX) throw e;\n      err ??= e;\n    }\n  }\n  if (err) throw err;\n  return ${miss};`;
              }
              return `  xs = list(xs);\n${body}`;
            }),
          );
          return `${h}(f, ${xs})`;
        }
        const recv = this.expr(recvNode, scope);
        const args: string[] = argNodes.map((x) => this.expr(x, scope));
        const strArg = (i: number) => (argNodes[i].op === 'value' && typeof argNodes[i].args === 'string' ? args[i] : `str(${args[i]})`);
        if (name === 'startsWith' && args.length === 1) return `str(${recv}).startsWith(${strArg(0)})`;
        if (name === 'endsWith' && args.length === 1) return `str(${recv}).endsWith(${strArg(0)})`;
        if (name === 'contains' && args.length === 1) return `str(${recv}).includes(${strArg(0)})`;
        if (name === 'matches' && args.length === 1 && argNodes[0].op === 'value' && typeof argNodes[0].args === 'string') {
          const k = this.konst(re2Compile(argNodes[0].args as string));
          return `${k}.test(str(${recv}))`;
        }
        if (name === 'matches' && args.length === 1) return `matchesDyn(${recv}, ${args[0]})`;
        if (name === 'size' && args.length === 0) return `size(${recv})`;
        throw new Unsupported(`method ${name}`);
      }
      default:
        throw new Unsupported(op);
    }
  }
}

/**
 * One factory per source text: criteria of the same shape (the same expression but for its string
 * and number literals, which are constants) are closures of one factory, so V8 compiles and
 * optimises their code once for all of them instead of once per criterion (with 500 criteria,
 * optimising 500 functions of their own took seconds of a busy machine).
 */
const FACTORIES = new Map<string, (rt: typeof RUNTIME, k: unknown[]) => unknown>();
const MAX_FACTORIES = 4096;

export interface Generated {
  /** the criterion over a frame holding the stage's variables in order (then macro slots) */
  fn: (frame: unknown[]) => unknown;
  /**
   * the two halves of `fn`: the optimistic code (no error absorption) and the precise code that
   * decides when the optimistic one throws anything but `BudgetExceeded` (same frame, same budget)
   */
  fast: (frame: unknown[]) => unknown;
  precise: (frame: unknown[]) => unknown;
  /** false when the code never counts a budget step (then it needs no budget started) */
  counts: boolean;
  frameSize: number;
  source: string;
}

/**
 * Source for the AST with the stage's variables `names` in frame slots 0..n-1; throws
 * `Unsupported` for a node kind it does not generate.
 */
export function generate(ast: ASTNode, names: readonly string[]): Generated {
  // slot names.length holds the evaluation context (cel.ts EvalContext); macro slots follow it
  const slots = { n: names.length + 1 };
  const gen = new Gen(slots);
  const scope = new Map(names.map((n, i) => [n, `f[${i}]`]));
  scope.set(CTX, `f[${names.length}]`);
  const precise = gen.helper('precise', 'f', gen.body(() => `  return ${gen.expr(ast, scope)};`));
  const frameSize = slots.n;
  slots.n = names.length + 1; // the two never run at once: same macro slots
  gen.optimistic = true;
  const fast = gen.helper('fast', 'f', gen.body(() => `  return ${gen.expr(ast, scope)};`));
  const source =
    PRELUDE +
    gen.consts.map((_, i) => `const k${i} = k[${i}];\n`).join('') +
    gen.helpers.join('\n') +
    `\nreturn { criterion(f) {\n  try {\n    return ${fast}(f);\n  } catch (e) {\n    if (e instanceof BX) throw e;\n    return ${precise}(f);\n  }\n}, fast: ${fast}, precise: ${precise} };\n`;
  type Fns = { criterion: (frame: unknown[]) => unknown; fast: (frame: unknown[]) => unknown; precise: (frame: unknown[]) => unknown };
  let factory = FACTORIES.get(source) as ((rt: typeof RUNTIME, k: unknown[]) => Fns) | undefined;
  if (!factory) {
    if (FACTORIES.size >= MAX_FACTORIES) FACTORIES.clear();
    factory = new Function('rt', 'k', source) as (rt: typeof RUNTIME, k: unknown[]) => Fns;
    FACTORIES.set(source, factory);
  }
  const fns = factory(RUNTIME, gen.consts);
  // does the code count budget steps (a loop, `in` a list, concatenation, a pattern known at run time)?
  const counts = /\+\+B\.n|\binList\(|\barith\(|\bmatchesDyn\(/.test(source.slice(PRELUDE.length));
  return { fn: fns.criterion, fast: fns.fast, precise: fns.precise, frameSize: Math.max(frameSize, slots.n), source, counts };
}
