import { describe, expect, it } from 'vitest';
import type { Declaration } from '../declarations/schema.ts';
import { BudgetExceeded } from './budget.ts';
import * as cel from './cel.ts';
import { celConsignment, celDeclaration, celTrader, evalContext, type ReferenceLookups } from './cel.ts';
import { compilePredicate } from './compile.ts';
import { RuleSet, traderView, type CriterionVersionDef } from './engine.ts';

/** The evaluation context (reference lookups, administration) is passed explicitly: no module state. */
const decl = {
  reference: 'R1',
  type: 'IM',
  country: 'GT',
  office: 'GTSTC',
  lodgedAt: '2026-03-01T10:00:00Z',
  declarant: { tin: '1', name: 'D', country: 'GT' },
  importer: { tin: '2', name: 'I', country: 'GT' },
  transport: { mode: 1, containers: [] },
  items: [{ line: 1, hsCode: '85171300', description: 'Phones', origin: 'CN', quantity: 5, unit: 'H87', netMassKg: 10, grossMassKg: 12, customsValue: 100, currency: 'USD' }],
} as unknown as Declaration;
const vars = (lookups?: ReferenceLookups) => ({ decl: celDeclaration(decl, lookups), trader: celTrader(traderView(undefined, '2', 0)), consignment: celConsignment(null) });
/** 20 USD/kg for phones in GT only */
const lookups: ReferenceLookups = { refPrice: (country, hs6) => (country === 'GT' && hs6 === '851713' ? 20 : 0) };
const EXPR = 'decl.items.exists(i, refPrice(i.hsCode) > 15.0)';
const paths = {
  generated: compilePredicate(EXPR, 'declaration'),
  closures: compilePredicate(EXPR, 'declaration', { forceClosures: true }),
  celJs: compilePredicate(EXPR, 'declaration', { forceCelJs: true }),
};

describe('evaluation context', () => {
  it('cel.ts keeps no setter of reference lookups or country', () => {
    expect('setReferenceLookups' in cel).toBe(false);
    expect('setEvaluationCountry' in cel).toBe(false);
  });

  it('refPrice() answers from the context given to each evaluation, on all three paths, interleaved', () => {
    expect(paths.generated.generated).toBe(true);
    expect(paths.closures.compiled && !paths.closures.generated).toBe(true);
    expect(paths.celJs.compiled).toBe(false);
    const v = vars(lookups);
    for (const [name, p] of Object.entries(paths)) {
      expect(p(v, evalContext('GT', lookups)), name).toBe(true);
      expect(p(v, evalContext('SV', lookups)), name).toBe(false);
      expect(p(v), `${name} without a context`).toBe(false);
      expect(p(v, evalContext('GT', lookups)), `${name} again`).toBe(true);
    }
  });

  it('refUnitValue comes from the lookups given to celDeclaration', () => {
    expect(vars(lookups).decl.items[0].refUnitValue).toBe(20);
    expect(vars().decl.items[0].refUnitValue).toBe(0);
  });

  it('a rule set evaluates with the lookups it captured, or with the context given to the call', () => {
    const def: CriterionVersionDef = { versionId: 'v', criterionId: 'c', name: 'n', reason: 'r', expression: EXPR, scope: { offices: [], types: [], stages: ['declaration'] }, weight: 10, forcedChannel: null, manifestAction: null, validFrom: 0, validTo: null };
    const withPrices = new RuleSet('GT', [def], { lookups });
    const without = new RuleSet('GT', [def]);
    const v = vars(lookups);
    expect(withPrices.evaluate('declaration', 'GTSTC', 'IM', 1, v).hits).toHaveLength(1);
    expect(without.evaluate('declaration', 'GTSTC', 'IM', 1, v).hits).toHaveLength(0);
    expect(without.evaluate('declaration', 'GTSTC', 'IM', 1, v, evalContext('GT', lookups)).hits).toHaveLength(1);
    expect(withPrices.evaluate('declaration', 'GTSTC', 'IM', 1, v, evalContext('SV', lookups)).hits).toHaveLength(0);
    // the cel-js path of a rule set too
    const celOnly = new RuleSet('GT', [def], { forceCelJs: true, lookups });
    expect(celOnly.evaluate('declaration', 'GTSTC', 'IM', 1, v).hits).toHaveLength(1);
    expect(celOnly.evaluate('declaration', 'GTSTC', 'IM', 1, v, evalContext('SV', lookups)).hits).toHaveLength(0);
  });

  it('the budget of an evaluation comes from its context (the defaults when it sets none)', () => {
    const heavy = 'decl.items.exists(i, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].exists(j, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].exists(k, k == 11)))';
    const many = { ...decl, items: Array.from({ length: 50 }, (_, n) => ({ ...decl.items[0], line: n + 1 })) } as Declaration;
    const v = { decl: celDeclaration(many), trader: celTrader(traderView(undefined, '2', 0)), consignment: celConsignment(null) };
    const tight = evalContext('GT', lookups, { maxSteps: 2_000, ms: 10_000 });
    for (const p of [compilePredicate(heavy, 'declaration'), compilePredicate(heavy, 'declaration', { forceClosures: true })]) {
      expect(p(v, evalContext('GT', lookups))).toBe(false);
      expect(() => p(v, tight)).toThrow(BudgetExceeded);
      // the next evaluation starts afresh with its own limits
      expect(p(v)).toBe(false);
    }
  });
});
