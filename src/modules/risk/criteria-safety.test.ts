import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Declaration } from '../declarations/schema.ts';
import { BudgetExceeded, COST_LIMIT, estimateCost, limits } from './budget.ts';
import { celConsignment, celDeclaration, celEnvironment, celTrader, checkExpression, formatProblem, type CelVars } from './cel.ts';
import { compilePredicate } from './compile.ts';
import { decide, defaultRiskConfig, RuleSet, traderView, type CriterionVersionDef } from './engine.ts';
import { RegexError } from './regex.ts';

/**
 * Criteria cannot hurt the service (issue 9): regular expressions on RE2 in every evaluation
 * path, a static cost budget at check time, a time budget at run time, and a criterion that
 * fails on a record is skipped for it and recorded — never an exception out of the engine.
 */

const base = (over: (d: any) => void = () => {}): Declaration => {
  const d: any = {
    reference: 'GT-SAFE-1',
    country: 'GT',
    type: 'IM',
    procedure: '4000',
    office: 'GTPRQ',
    lodgedAt: '2026-06-14T09:30:00-06:00',
    declarant: { tin: 'BRK-1', name: 'Agencia', country: 'GT' },
    importer: { tin: '4455667-8', name: 'Importadora', country: 'GT' },
    countryOfDispatch: 'CN',
    transport: { mode: 1, conveyance: 'MSC ANNA', containers: ['MSCU1234565'] },
    items: [{ line: 1, hsCode: '85171300', description: 'Smartphones', origin: 'CN', quantity: 5, unit: 'H87', netMassKg: 15, grossMassKg: 18, customsValue: 6250, currency: 'USD', dutyRate: 0 }],
  };
  over(d);
  return d as Declaration;
};
const varsOf = (d: Declaration): CelVars => ({
  decl: celDeclaration(d),
  trader: celTrader(traderView(undefined, d.importer?.tin ?? 'x', Date.parse(d.lodgedAt))),
  consignment: celConsignment(null),
});
/** the three evaluation paths */
const paths = (e: string) => ({
  generated: compilePredicate(e, 'declaration'),
  closures: compilePredicate(e, 'declaration', { forceClosures: true }),
  celJs: compilePredicate(e, 'declaration', { forceCelJs: true }),
});
const outcome = (f: () => boolean): boolean | string => {
  try {
    return f();
  } catch (e) {
    return `error: ${(e as Error).constructor.name}`;
  }
};

const saved = { ...limits };
afterEach(() => Object.assign(limits, saved));

describe('regular expressions run on RE2', () => {
  it('catastrophic backtracking ("aaaa…!".matches("^(a+)+$")) answers at once, in all three paths', () => {
    const e = 'decl.importer.name.matches("^(a+)+$")';
    expect(checkExpression(e, 'declaration')).toEqual({ ok: true });
    // 2^40 steps for a backtracking engine; RE2 is linear
    const d = base((x) => (x.importer.name = `${'a'.repeat(40)}!`));
    const v = varsOf(d);
    for (const [name, p] of Object.entries(paths(e))) {
      const t0 = performance.now();
      expect(p(v), name).toBe(false);
      expect(performance.now() - t0, name).toBeLessThan(1000);
    }
    // and the literal in an expression cel-js alone evaluates
    const lit = compilePredicate('"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!".matches("^(a+)+$") || decl.items.map(i, i.line).size() > 5', 'declaration');
    expect(lit.compiled).toBe(false);
    const t0 = performance.now();
    expect(lit(v)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('an invalid or RE2-unsupported pattern is refused at check time, naming the pattern (finding 2: "^MEDU(")', () => {
    for (const [pattern, why] of [
      ['^MEDU(', /missing closing \)/],
      ['(a)\\\\1', /invalid escape/],
      ['(?<=MEDU)1', /invalid named capture|lookbehind|invalid/],
    ] as const) {
      const e = `decl.transport.containers.exists(c, c.matches("${pattern}"))`;
      const r = checkExpression(e, 'declaration');
      expect(r.ok, pattern).toBe(false);
      if (r.ok) continue;
      expect(r.problem.message).toContain(`invalid regular expression "${pattern.replace(/\\\\/g, '\\')}"`);
      expect(r.problem.message).toMatch(why);
      expect(r.problem.messageEs).toMatch(/expresión regular inválida/);
      expect(r.problem.column).toBe(e.indexOf(`"${pattern}"`) + 1);
      expect(formatProblem(r.problem)).toContain('expresión regular');
    }
    expect(checkExpression('decl.transport.containers.exists(c, c.matches("^MEDU[0-9]{7}$"))', 'declaration')).toEqual({ ok: true });
  });

  it('a dynamic pattern that does not compile is a runtime failure of the criterion, in every path', () => {
    const e = 'decl.transport.containers.exists(c, c.matches(decl.importer.name))';
    expect(checkExpression(e, 'declaration')).toEqual({ ok: true });
    const bad = varsOf(base((x) => (x.importer.name = 'MSCU(')));
    const good = varsOf(base((x) => (x.importer.name = '^MSCU')));
    for (const [name, p] of Object.entries(paths(e))) {
      expect(outcome(() => p(bad)), name).toMatch(/^error/);
      expect(p(good), name).toBe(true);
    }
    expect(() => paths(e).generated(bad)).toThrow(RegexError);
  });
});

describe('the cost budget, checked with the expression', () => {
  const list = (n: number) => `[${Array.from({ length: n }, (_, i) => i).join(', ')}]`;

  it('refuses nested loops that multiply past the budget (finding 1: 1000^3 steps per declaration)', () => {
    const cubic = 'decl.items.exists(a, decl.items.exists(b, decl.items.exists(c, a.line == b.line && b.line == c.line)))';
    const r = checkExpression(cubic, 'declaration');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.message).toMatch(/could take up to [\d,]+ steps on one declaration, over the limit of/);
      expect(r.problem.message).toContain('exists over decl.items (up to 999)');
      expect(r.problem.messageEs).toMatch(/podría costar hasta/);
    }
    // the shape of the expression that froze the server: nested literal lists
    const nested = `${list(60)}.exists(a, ${list(60)}.exists(b, ${list(60)}.exists(c, ${list(60)}.exists(d, a + b + c + d == -1))))`;
    expect(nested.length).toBeGreaterThan(600);
    expect(checkExpression(nested, 'declaration').ok).toBe(false);
    // list concatenation and map multiply too
    expect(checkExpression(`(${list(200)} + ${list(200)}).map(x, ${list(200)}).exists(l, l.exists(y, ${list(200)}.exists(z, y == z)))`, 'declaration').ok).toBe(false);
  });

  it('accepts what analysts write: one loop over items, strings, literal lists, regexes', () => {
    for (const e of [
      'decl.type == "IM" && decl.items.exists(i, i.hsCode.startsWith("2402") && i.origin in ["PA", "CN"])',
      'decl.items.exists(i, i.refUnitValue > 0.0 && i.unitValuePerKg < 0.55 * i.refUnitValue)',
      'decl.items.exists(i, i.description.matches("(?i)(phone|tablet)s?") && i.customsValueUsd > 1000.0)',
      'decl.transport.containers.exists(c, c.matches("^MEDU")) && decl.items.all(i, i.dutyRate == 0.0)',
      'size(decl.items) > 3 && decl.items.all(i, i.dutyRate == 0.0) && decl.countryOfDispatch in ["PA", "CN", "HK", "AE"]',
    ]) {
      expect(checkExpression(e, 'declaration'), e).toEqual({ ok: true });
      const c = estimateCost((celEnvironment('declaration').parse(e) as any).ast, e).cost;
      expect(c).toBeGreaterThan(0);
      expect(c).toBeLessThanOrEqual(COST_LIMIT);
    }
  });
});

describe('the time budget, when a criterion runs', () => {
  const many = base((x) => {
    x.items = Array.from({ length: 999 }, (_, i) => ({ ...x.items[0], line: i + 1 }));
  });
  // statically too costly (refused at check), used here to exceed the run-time budget
  const heavy = 'decl.items.exists(a, decl.items.exists(b, decl.items.exists(c, a.line == b.line + c.line + 5000))) || decl.type == "IM"';

  it('stops an evaluation past its steps; no `||` nor macro absorbs it; compiled paths only count loop steps', () => {
    limits.maxSteps = 50_000;
    const v = varsOf(many);
    for (const name of ['generated', 'closures'] as const) {
      const p = paths(heavy)[name];
      expect(p.compiled, name).toBe(true);
      const t0 = performance.now();
      expect(() => p(v), name).toThrow(BudgetExceeded);
      expect(performance.now() - t0, name).toBeLessThan(2000);
      // the next evaluation starts a budget of its own
      expect(p(varsOf(base())), name).toBe(true);
    }
  });

  it('stops an evaluation past its time, whatever the steps', () => {
    limits.ms = 20;
    const p = compilePredicate(heavy, 'declaration');
    const t0 = performance.now();
    expect(() => p(varsOf(many))).toThrow(/stopped after 20 ms/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('a criterion that fails is skipped for the record and recorded (finding 2)', () => {
  const def = (over: Partial<CriterionVersionDef>): CriterionVersionDef => ({
    versionId: 'v-ok',
    criterionId: 'c-ok',
    name: 'ok',
    reason: 'r',
    expression: 'decl.type == "IM"',
    scope: { offices: [], types: [], stages: ['declaration'] },
    weight: 40,
    forcedChannel: null,
    manifestAction: null,
    validFrom: 0,
    validTo: null,
    ...over,
  });

  it('an approved criterion with an invalid pattern does not stop the rule set; it fails only where it is in scope', () => {
    const broken = def({ versionId: 'v-bad', criterionId: 'c-bad', name: 'Containers MEDU', expression: 'decl.transport.containers.exists(c, c.matches("^MEDU("))', scope: { offices: ['GTSTC'], types: [], stages: ['declaration'] } });
    const rs = new RuleSet('GT', [def({}), broken]);
    const d = base();
    // another office: the broken criterion is not even evaluated
    const elsewhere = rs.evaluate('declaration', 'GTPRQ', 'IM', Date.now(), varsOf(d));
    expect(elsewhere.errors).toEqual([]);
    expect(elsewhere.hits.map((h) => h.criterionId)).toEqual(['c-ok']);
    // its office: skipped for the record, recorded with a code and the pattern
    const there = rs.evaluate('declaration', 'GTSTC', 'IM', Date.now(), varsOf(d));
    expect(there.hits.map((h) => h.criterionId)).toEqual(['c-ok']);
    expect(there.errors).toHaveLength(1);
    expect(there.errors[0]).toMatchObject({ versionId: 'v-bad', criterionId: 'c-bad', name: 'Containers MEDU', code: 'criterion_error' });
    expect(there.errors[0].message).toContain('^MEDU(');
    const dd = decide({ hits: there.hits, errors: there.errors, model: null, trader: traderView(undefined, 'x', 0), draw: 0.9, randomRate: 0, mark: null, config: defaultRiskConfig(0) });
    const reason = dd.reasons.find((r) => r.code === 'criterion_error');
    expect(reason?.text).toMatch(/^criterion Containers MEDU could not be evaluated: .*\^MEDU\(/);
    expect(dd.reasons.some((r) => r.code === 'criterion:c-ok')).toBe(true);
  });

  it('a criterion over its budget is recorded as budget_exceeded', () => {
    limits.maxSteps = 10_000;
    const heavy = def({ versionId: 'v-h', criterionId: 'c-h', name: 'heavy', expression: 'decl.items.exists(a, decl.items.exists(b, a.line == b.line + 5000))' });
    const rs = new RuleSet('GT', [heavy, def({})]);
    const d = base((x) => (x.items = Array.from({ length: 400 }, (_, i) => ({ ...x.items[0], line: i + 1 }))));
    const ev = rs.evaluate('declaration', 'GTPRQ', 'IM', Date.now(), varsOf(d));
    expect(ev.errors).toMatchObject([{ criterionId: 'c-h', code: 'budget_exceeded' }]);
    expect(ev.hits.map((h) => h.criterionId)).toEqual(['c-ok']);
  });
});

// ---------------------------------------------------------------- properties (fast-check)

const str = fc.string({ unit: 'grapheme', maxLength: 40 });
const declArb = fc
  .record({
    name: fc.oneof(str, fc.constant(`${'a'.repeat(30)}!`), fc.constant('\u0000\u2028"\\')),
    desc: fc.oneof(str, fc.stringMatching(/^[A-Z][a-z ]{0,30}$/)),
    hs: fc.stringMatching(/^[0-9]{6,10}$/),
    origin: fc.constantFrom('CN', 'PA', 'US', 'GT', ''),
    items: fc.integer({ min: 1, max: 40 }),
    value: fc.double({ min: 0, max: 1e9, noNaN: true }),
    mass: fc.double({ min: 0.001, max: 1e6, noNaN: true }),
    containers: fc.array(fc.stringMatching(/^[A-Z]{4}[0-9]{7}$/), { maxLength: 5 }),
  })
  .map((r) =>
    base((d) => {
      d.importer.name = r.name;
      d.transport.containers = r.containers;
      d.items = Array.from({ length: r.items }, (_, i) => ({ ...d.items[0], line: i + 1, hsCode: r.hs, description: r.desc || 'x', origin: r.origin || 'CN', customsValue: r.value, netMassKg: r.mass }));
    }),
  );

/** CEL expressions from a small grammar over the declaration: loops, lists, strings, regexes */
const exprArb = fc.letrec<{ bool: string; str: string; num: string; list: string }>((tie) => ({
  str: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('decl.importer.name', 'decl.reference', 'decl.countryOfDispatch', 'decl.office'),
    str.map((s) => JSON.stringify(s)),
    fc.tuple(tie('str'), tie('str')).map(([a, b]) => `(${a} + ${b})`),
  ),
  num: fc.oneof({ depthSize: 'small' }, fc.constantFrom('decl.totalValue', 'decl.grossMassKg', '1.5', '0.0', 'double(size(decl.items))'), fc.tuple(tie('num'), tie('num'), fc.constantFrom('+', '-', '*', '/')).map(([a, b, o]) => `(${a} ${o} ${b})`)),
  list: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('decl.transport.containers', 'decl.items.map(i, i.description)', 'decl.items.map(i, i.hsCode)'),
    fc.array(tie('str'), { maxLength: 4 }).map((xs) => `[${xs.join(', ')}]`),
    fc.tuple(tie('list'), tie('list')).map(([a, b]) => `(${a} + ${b})`),
  ),
  bool: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('true', 'decl.type == "IM"', 'decl.items.exists(i, i.origin == "CN")', 'decl.items[3].origin == "PA"'),
    fc.tuple(tie('str'), fc.oneof(str, fc.constantFrom('^(a+)+$', '^MEDU(', '(x+x+)+y', '[', '\\d{3}', '(?i)smart'))).map(([s, p]) => `${s}.matches(${JSON.stringify(p)})`),
    fc.tuple(tie('str'), tie('str')).map(([s, p]) => `${s}.matches(${p})`),
    fc.tuple(tie('str'), tie('str'), fc.constantFrom('startsWith', 'endsWith', 'contains')).map(([a, b, m]) => `${a}.${m}(${b})`),
    fc.tuple(tie('str'), tie('list')).map(([a, l]) => `${a} in ${l}`),
    fc.tuple(tie('list'), tie('bool'), fc.constantFrom('exists', 'all', 'exists_one')).map(([l, b, m]) => `${l}.${m}(x, ${b} || x == "")`),
    fc.tuple(tie('list'), tie('list'), tie('bool')).map(([l, m, b]) => `${l}.exists(x, ${m}.exists(y, x == y && ${b}))`),
    fc.tuple(tie('num'), tie('num'), fc.constantFrom('<', '>=', '==')).map(([a, b, o]) => `${a} ${o} ${b}`),
    fc.tuple(tie('bool'), tie('bool'), fc.constantFrom('&&', '||')).map(([a, b, o]) => `(${a} ${o} ${b})`),
    tie('bool').map((b) => `!(${b})`),
  ),
})).bool;

describe('properties: any expression, any declaration', () => {
  it('the checker answers a program or errors for any text; it never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), exprArb), (text) => {
        const r = checkExpression(text, 'declaration');
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) {
          expect(r.problem.message.length).toBeGreaterThan(0);
          expect(typeof formatProblem(r.problem)).toBe('string');
        }
      }),
      { numRuns: 400 },
    );
  });

  it('what checks evaluates to a result or a recorded failure, within its budget, the three paths agreeing; the engine never throws', () => {
    let evaluated = 0;
    fc.assert(
      fc.property(exprArb, fc.array(declArb, { minLength: 1, maxLength: 4 }), (e, decls) => {
        const r = checkExpression(e, 'declaration');
        if (!r.ok) return;
        const p = paths(e);
        const rs = new RuleSet('GT', [{ versionId: 'v', criterionId: 'c', name: 'n', reason: 'r', expression: e, scope: { offices: [], types: [], stages: ['declaration'] }, weight: 10, forcedChannel: null, manifestAction: null, validFrom: 0, validTo: null }]);
        for (const d of decls) {
          const v = varsOf(d);
          const t0 = performance.now();
          const ev = rs.evaluate('declaration', d.office, d.type, Date.now(), v);
          // the budget (50 ms) plus the granularity of its clock checks, with room for a loaded machine
          expect(performance.now() - t0).toBeLessThan(limits.ms + 1000);
          expect(ev.evaluated).toBe(1);
          expect(ev.hits.length + ev.errors.length).toBeLessThanOrEqual(1);
          const want = outcome(() => p.celJs(v));
          expect(outcome(() => p.generated(v)) === true, e).toBe(want === true);
          expect(outcome(() => p.closures(v)) === true, e).toBe(want === true);
          expect(ev.hits.length === 1, e).toBe(want === true);
          evaluated++;
        }
      }),
      { numRuns: 300 },
    );
    expect(evaluated).toBeGreaterThan(50);
  });
});
