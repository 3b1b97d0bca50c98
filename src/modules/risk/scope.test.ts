import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Declaration } from '../declarations/schema.ts';
import { getReferenceData } from '../../reference/index.ts';
import { simulateRegion } from '../../sim/generate.ts';
import { limits } from './budget.ts';
import { celConsignment, celDeclaration, celTrader, evalContext, type CelVars, type EvalContext, type Stage } from './cel.ts';
import { RuleSet, traderView, type CriterionFailure, type CriterionVersionDef, type EvalOutcome } from './engine.ts';
import { ReferencePrices, toUsd } from './reference.ts';
import { templateCriteria } from './templates.ts';

/**
 * `RuleSet.evaluate` runs a scope's criteria without a wrapper each, with their guards evaluated
 * once per record (engine.ts runScope): it must give what evaluating each criterion in scope on
 * its own gives (its predicate, its budget started afresh): the same hits in the same order, the
 * same failures recorded per criterion, the same count evaluated.
 */
const EDGE = [
  // guards: a field compared with a literal, or a bool field, first in a chain of &&
  'decl.transport.mode == 3 && decl.items.exists(i, i.chapter == "85")',
  'decl.transport.mode == 1 && decl.totalValueUsd > 100.0',
  'consignment.found && decl.grossMassKg < 0.9 * consignment.grossMassKg',
  'trader.standing == "new" && decl.items.exists(i, i.sensitive)',
  'trader.standing == "poor" && decl.items.exists(i, i.sensitive)',
  '"IM" == decl.type && decl.itemCount > 1',
  'decl.importer.tin == "" && decl.items[3].origin == "CN"',
  'decl.type == "IM" && decl.type == "EX" && decl.items[9].quantity > 0.0',
  'trader.controls == 0 && trader.hitRate == 0.0',
  'decl.type == "IM"',
  'consignment.found',
  // errors on some records (index out of range), absorbed or not
  'decl.items[2].quantity > 1.0',
  'decl.items[2].quantity > 1.0 || decl.type == "EX"',
  // over the budget below (6 steps; the budget is looked at every 1,024 steps) on records of 2 items or more: `in` a list of 900 ints
  `decl.items.exists(i, decl.items.exists(j, j.line in [${Array.from({ length: 900 }, (_, i) => i + 5000).join(', ')}]))`,
  `decl.type == "IM" && decl.items.exists(i, decl.items.exists(j, i.line in [${Array.from({ length: 900 }, (_, i) => i + 5000).join(', ')}]))`,
  // cel-js (not compiled) and a broken one
  'decl.items.map(i, i.customsValue).exists(v, v > 100.0)',
  'decl.reference.matches("(a)\\\\1")',
];

const def = (k: number, expression: string, over: Partial<CriterionVersionDef> = {}): CriterionVersionDef => ({
  versionId: `v${k}`,
  criterionId: `c${k}`,
  name: `criterion ${k}`,
  reason: 'test',
  expression,
  scope: { offices: [], types: [], stages: [] },
  weight: 10,
  forcedChannel: null,
  manifestAction: null,
  validFrom: 0,
  validTo: null,
  ...over,
});

/** each criterion in scope on its own, through its predicate (which starts its own budget) */
function oneByOne(rs: RuleSet, stage: Stage, office: string, type: string, at: number, vars: CelVars, ctx: EvalContext): EvalOutcome {
  const out: EvalOutcome = { hits: [], evaluated: 0, errors: [] };
  for (const c of rs.candidates(stage, office, type)) {
    if (at < c.validFrom || (c.validTo !== null && at >= c.validTo)) continue;
    out.evaluated++;
    try {
      if (c.predicate(vars, ctx)) out.hits.push(c);
    } catch (e) {
      const f: CriterionFailure = {
        versionId: c.versionId,
        criterionId: c.criterionId,
        name: c.name,
        code: (e as { code?: unknown })?.code === 'budget_exceeded' ? 'budget_exceeded' : 'criterion_error',
        message: String((e as Error)?.message ?? e).split('\n')[0].slice(0, 300),
      };
      out.errors.push(f);
    }
  }
  return out;
}

describe('a rule set evaluates its scope as each criterion alone would', () => {
  const ref = getReferenceData();
  const decls: Declaration[] = [];
  for (const r of simulateRegion({ seed: 13, days: 2, scale: 0.05, start: '2026-03-01', ref })) if (r.kind === 'declaration') decls.push(r.record as unknown as Declaration);
  const prices = ReferencePrices.fromSamples(decls.flatMap((d) => d.items.map((i) => ({ country: d.country, hs6: i.hsCode.slice(0, 6), usdPerKg: toUsd(i.customsValue, i.currency) / i.netMassKg }))), 2);
  const defs = [
    ...templateCriteria(120, 9).map((t, k) => ({ ...t.def, scope: { ...t.def.scope, stages: [] }, validFrom: k % 17 === 0 ? 2_000 : 0, validTo: k % 13 === 0 ? 1_500 : null })),
    ...EDGE.map((e, k) => def(1000 + k, e, { validTo: k === 1 ? 1_000 : null })),
  ];
  const rs = new RuleSet('GT', defs, { lookups: prices });
  // the same criteria without validity windows: every criterion valid at once (runScope's shortcut)
  const rsAll = new RuleSet('GT', defs.map((d) => ({ ...d, validFrom: 0, validTo: null })), { lookups: prices });
  // steps decide, never the clock: the time limit is far off (a busy machine must not change the outcome)
  const tight = evalContext('GT', prices, { maxSteps: 6, ms: 600_000 });
  const ms = limits.ms;
  beforeAll(() => void (limits.ms = 600_000));
  afterAll(() => void (limits.ms = ms));

  it('same hits, order, failures and count on every record, stage, time and budget', () => {
    let compared = 0;
    let hits = 0;
    let errors = 0;
    let overBudget = 0;
    for (const [n, d] of decls.entries()) {
      const tv = traderView({ tin: 'x', declarations: 10, controls: n % 4, hits: n % 3 === 0 ? 2 : 0, seizures: 0, firstSeen: 0 }, 'x', 1e12);
      const cons = n % 2 ? { transportDocument: 'X', shipper: 's', consignee: 'c', description: 'd', packages: 3, grossMassKg: 1000 + n, containers: [] } : null;
      const vars = { decl: celDeclaration(d, prices), trader: celTrader(tv), consignment: celConsignment(cons) };
      for (const set of [rs, rsAll])
        for (const stage of ['declaration', 'transit'] as const)
          for (const at of [500, 1_200, 2_500])
            for (const ctx of [set.context, tight]) {
              const got = set.evaluate(stage, d.office, d.type, at, vars, ctx);
              const want = oneByOne(set, stage, d.office, d.type, at, vars, ctx);
              expect(got.hits.map((c) => c.versionId)).toEqual(want.hits.map((c) => c.versionId));
              expect(got.errors).toEqual(want.errors);
              expect(got.evaluated).toBe(want.evaluated);
              compared++;
              hits += got.hits.length;
              errors += got.errors.length;
              overBudget += got.errors.filter((e) => e.code === 'budget_exceeded').length;
            }
    }
    expect(compared).toBeGreaterThan(100);
    expect(hits).toBeGreaterThan(0);
    expect(errors).toBeGreaterThan(0);
    expect(overBudget).toBeGreaterThan(0);
  });

  it('a guard on a missing or mistyped field skips nothing: the criterion runs and records its failure', () => {
    const odd = new RuleSet('GT', [def(1, 'consignment.found && decl.type == "IM"'), def(2, 'decl.transport.mode == 3 && decl.type == "IM"'), def(3, 'decl.type == "IM" && trader.aeo')]);
    const d = decls[0];
    const base = { decl: celDeclaration(d), trader: celTrader(traderView(undefined, 'x', 0)), consignment: celConsignment(null) };
    for (const vars of [
      base,
      { ...base, consignment: { found: 'yes' } },
      { ...base, consignment: {} },
      { ...base, decl: Object.assign(Object.create(Object.getPrototypeOf(base.decl)), base.decl, { transport: null }) },
      { ...base, trader: Object.assign(Object.create(Object.getPrototypeOf(base.trader)), base.trader, { aeo: 1 }) },
    ] as CelVars[]) {
      const got = odd.evaluate('declaration', d.office, d.type, 1, vars);
      const want = oneByOne(odd, 'declaration', d.office, d.type, 1, vars, odd.context);
      expect(got.hits.map((c) => c.versionId)).toEqual(want.hits.map((c) => c.versionId));
      expect(got.errors).toEqual(want.errors);
      expect(got.evaluated).toBe(want.evaluated);
    }
  });
});
