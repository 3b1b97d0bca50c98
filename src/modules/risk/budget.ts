import type { ASTNode } from '@marcbachmann/cel-js';
import { LIMITS } from '../declarations/schema.ts';

/**
 * What one criterion may cost on one record, so that no criterion can hurt the service.
 *
 * - A COST BUDGET checked when an expression is checked (saved, submitted, backtested): a static
 *   estimate over the AST of the worst case on any valid record. Every node costs a step;
 *   a comprehension (exists, all, exists_one, map, filter) costs its predicate once per element
 *   of the longest list it can go through, so nesting multiplies; string functions cost by the
 *   longest string they can see, `matches` by string × pattern (RE2 is linear in both); list
 *   concatenation and `in` by the lists' lengths. An expression whose estimate exceeds
 *   `COST_LIMIT` is refused with a message an analyst can act on.
 * - A TIME BUDGET when it runs: the generated code and the closures count a step per loop
 *   iteration (comprehensions, `in` over a list), never per node, and every `CHECK_EVERY` steps
 *   look at the clock; past the evaluation's `maxSteps` steps or `ms` milliseconds (its context's
 *   `budget`, else `limits`) the evaluation
 *   throws `BudgetExceeded`, which no `&&`, `||` or macro absorbs. The caller skips that criterion
 *   for that record and records why. cel-js (the fallback for the few node kinds neither
 *   compiler covers) has no such hook: its expressions are bounded by the static cost alone.
 */

/** the static cost an expression may reach on the worst valid record */
export const COST_LIMIT = 5_000_000;
/** steps between two looks at the clock */
export const CHECK_EVERY = 1024;

/** What one evaluation may spend: loop steps and wall-clock milliseconds. */
export interface BudgetLimits {
  maxSteps: number;
  ms: number;
}

/** The default limits, for an evaluation whose context (cel.ts EvalContext.budget) sets none. */
export const limits: BudgetLimits = {
  /** loop iterations one evaluation of one criterion may make */
  maxSteps: 2_000_000,
  /** wall-clock milliseconds one evaluation of one criterion may take */
  ms: Number(process.env.CENTINELA_CEL_BUDGET_MS) > 0 ? Number(process.env.CENTINELA_CEL_BUDGET_MS) : 50,
};

export class BudgetExceeded extends Error {
  readonly code = 'budget_exceeded';
}

/**
 * The running evaluation's counters (evaluation is synchronous: one criterion at a time, so one
 * set of counters per thread serves every evaluation; each starts them afresh with its own
 * limits, and nothing carries over from one evaluation to the next). `n` counts steps; past
 * `check` the clock is read.
 */
export const budget = { n: 0, check: CHECK_EVERY, deadline: 0, maxSteps: limits.maxSteps, ms: limits.ms };

/**
 * Starts the budget of one evaluation with the limits of its context (the defaults when it sets
 * none); cheap: no clock read until CHECK_EVERY steps.
 */
export function startBudget(l: BudgetLimits = limits): void {
  budget.n = 0;
  budget.check = CHECK_EVERY;
  budget.deadline = 0;
  budget.maxSteps = l.maxSteps;
  budget.ms = l.ms;
}

/** Called by loops when `budget.n` passes `budget.check`. */
export function tick(): void {
  if (budget.n > budget.maxSteps) throw new BudgetExceeded(`stopped after ${budget.maxSteps.toLocaleString('en-US')} steps (the limit of one evaluation)`);
  const now = performance.now();
  if (budget.deadline === 0) budget.deadline = now + budget.ms;
  else if (now > budget.deadline) throw new BudgetExceeded(`stopped after ${budget.ms} ms (the time limit of one evaluation)`);
  budget.check = budget.n + CHECK_EVERY;
}

/** Adds `k` steps (e.g. the length of a list scanned by `in`). */
export function steps(k: number): void {
  budget.n += k;
  if (budget.n > budget.check) tick();
}

// ------------------------------------------------------------------ the static estimate

/** an upper bound on a value's size: the length of a string or list, and of its elements */
interface Bound {
  len: number;
  elem?: Bound;
}

const SCALAR: Bound = { len: 0 };
/** the longest text field of a record (descriptions, names: 500 characters at most) */
const TEXT_MAX = 500;
const STRING: Bound = { len: TEXT_MAX };
const FIELD_BOUNDS: Record<string, Bound> = {
  items: { len: LIMITS.items, elem: SCALAR },
  containers: { len: LIMITS.containers, elem: { len: 11 } },
};
const MACROS = new Set(['exists', 'all', 'exists_one', 'map', 'filter', 'existsOne']);
/** string work: characters handled per step */
const CHARS_PER_STEP = 16;

export interface Cost {
  /** steps in the worst case */
  cost: number;
  /** where the cost comes from, for the message: the deepest chain of nested loops */
  loops: string[];
}

interface Est {
  cost: number;
  size: Bound;
  loops: string[];
}

/** A node of cel-js's parse tree (what the walk below reads of it: `op`, `args`, `start`, `end`). */
function isNode(x: unknown): x is ASTNode {
  return !!x && typeof x === 'object' && typeof (x as { op?: unknown }).op === 'string';
}

function maxBound(a: Bound, b: Bound): Bound {
  const elem = a.elem && b.elem ? maxBound(a.elem, b.elem) : (a.elem ?? b.elem);
  return elem ? { len: Math.max(a.len, b.len), elem } : { len: Math.max(a.len, b.len) };
}

function text(expression: string, node: unknown): string {
  if (isNode(node) && typeof node.start === 'number' && typeof node.end === 'number') {
    const s = expression.slice(node.start, node.end).replace(/\s+/g, ' ');
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  }
  return '';
}

/** The worst-case cost of a parsed (cel-js) expression. */
export function estimateCost(ast: unknown, expression = ''): Cost {
  const e = est(ast, new Map(), expression, 0);
  return { cost: e.cost, loops: e.loops };
}

function est(node: unknown, scope: Map<string, Bound>, src: string, depth: number): Est {
  if (depth > 500) return { cost: Infinity, size: STRING, loops: [] };
  if (!isNode(node)) return { cost: 0, size: SCALAR, loops: [] };
  const sub = (n: unknown, s = scope) => est(n, s, src, depth + 1);
  const sum = (xs: Est[], extra = 1): Est => {
    let cost = extra;
    let size: Bound = SCALAR;
    let loops: string[] = [];
    for (const x of xs) {
      cost += x.cost;
      size = maxBound(size, x.size);
      if (x.loops.length > loops.length) loops = x.loops;
    }
    return { cost, size, loops };
  };
  switch (node.op) {
    case 'value': {
      const a = node.args;
      return { cost: 1, size: typeof a === 'string' ? { len: a.length } : SCALAR, loops: [] };
    }
    case 'id':
      return { cost: 1, size: scope.get(node.args) ?? SCALAR, loops: [] };
    case '.': {
      const a = node.args;
      const o = sub(a[0]);
      const key = String(a[1]);
      return { cost: o.cost + 1, size: FIELD_BOUNDS[key] ?? STRING, loops: o.loops };
    }
    case '[]': {
      const a = node.args;
      const o = sub(a[0]);
      const i = sub(a[1]);
      const r = sum([o, i]);
      return { ...r, size: o.size.elem ?? STRING };
    }
    case 'list': {
      const xs: Est[] = node.args.map((x) => sub(x));
      const r = sum(xs, 1 + xs.length);
      return { cost: r.cost, size: { len: xs.length, elem: r.size }, loops: r.loops };
    }
    case '+': {
      const a = node.args;
      const l = sub(a[0]);
      const r = sub(a[1]);
      const len = l.size.len + r.size.len;
      const elem = l.size.elem || r.size.elem ? maxBound(l.size.elem ?? SCALAR, r.size.elem ?? SCALAR) : undefined;
      const s = sum([l, r], 1 + len / CHARS_PER_STEP);
      return { ...s, size: elem ? { len, elem } : { len } };
    }
    case 'in': {
      const a = node.args;
      const l = sub(a[0]);
      const r = sub(a[1]);
      const s = sum([l, r], 1 + r.size.len);
      return { ...s, size: SCALAR };
    }
    case '==':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const a = node.args;
      const l = sub(a[0]);
      const r = sub(a[1]);
      const s = sum([l, r], 1 + Math.min(l.size.len, r.size.len) / CHARS_PER_STEP);
      return { ...s, size: SCALAR };
    }
    case '?:': {
      const a = node.args;
      const c = sub(a[0]);
      const t = sub(a[1]);
      const f = sub(a[2]);
      const branch = t.cost >= f.cost ? t : f;
      return { cost: 1 + c.cost + branch.cost, size: maxBound(t.size, f.size), loops: c.loops.length > branch.loops.length ? c.loops : branch.loops };
    }
    case 'rcall': {
      const a = node.args;
      const name = String(a[0]);
      const recv = sub(a[1]);
      const argNodes: unknown[] = Array.isArray(a[2]) ? a[2] : [];
      const loopVar = argNodes[0];
      if (MACROS.has(name) && argNodes.length >= 2 && isNode(loopVar) && loopVar.op === 'id') {
        const n = recv.size.len;
        const inner = new Map(scope);
        inner.set(loopVar.args, recv.size.elem ?? STRING);
        const bodies = argNodes.slice(1).map((x) => sub(x, inner));
        const body = sum(bodies, 1);
        const cost = recv.cost + 1 + n * body.cost;
        const here = `${name} over ${text(src, a[1]) || 'a list'} (up to ${n.toLocaleString('en-US')})`;
        const loops = [here, ...body.loops];
        const size: Bound = name === 'map' ? { len: n, elem: bodies[bodies.length - 1].size } : name === 'filter' ? recv.size : SCALAR;
        return { cost, size, loops: recv.loops.length > loops.length ? recv.loops : loops };
      }
      const args = argNodes.map((x) => sub(x));
      const chars = recv.size.len + args.reduce((k, x) => k + x.size.len, 0);
      if (name === 'matches') {
        const pat = args[0]?.size.len ?? 0;
        const s = sum([recv, ...args], 1 + ((recv.size.len + 1) * (pat + 1)) / CHARS_PER_STEP);
        return { ...s, size: SCALAR };
      }
      if (name === 'size') return { ...sum([recv, ...args]), size: SCALAR };
      // other methods (startsWith, contains, lowerAscii, split, join, ...): linear in what they read
      const s = sum([recv, ...args], 1 + chars / CHARS_PER_STEP);
      return { ...s, size: { len: Math.max(chars, 1), elem: recv.size.elem ? maxBound(recv.size.elem, { len: chars }) : { len: chars } } };
    }
    case 'call': {
      const a = node.args;
      const name = String(a[0]);
      const args: Est[] = (Array.isArray(a[1]) ? (a[1] as unknown[]) : []).map((x) => sub(x));
      const chars = args.reduce((k, x) => k + x.size.len, 0);
      const s = sum(args, 1 + chars / CHARS_PER_STEP);
      return { ...s, size: name === 'size' || name === 'double' || name === 'int' || name === 'refPrice' || name === 'sensitive' ? SCALAR : { len: Math.max(chars, 32) } };
    }
    default: {
      // any other node (logic, arithmetic, maps, ...): its children plus one
      const kids: Est[] = [];
      const visit = (x: unknown) => {
        if (isNode(x)) kids.push(sub(x));
        else if (Array.isArray(x)) x.forEach(visit);
      };
      visit(node.args);
      return sum(kids);
    }
  }
}
