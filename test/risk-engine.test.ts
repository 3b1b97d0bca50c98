import { describe, expect, it, vi } from 'vitest';
import type { Declaration } from '../src/modules/declarations/schema.ts';
import { celConsignment, celDeclaration, celTrader, checkExpression, evalContext } from '../src/modules/risk/cel.ts';
import { compilePredicate } from '../src/modules/risk/compile.ts';
import { decide, defaultRiskConfig, traderView } from '../src/modules/risk/engine.ts';
import { ReferencePrices, toUsd } from '../src/modules/risk/reference.ts';
import { templateCriteria } from '../src/modules/risk/templates.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { simulateRegion } from '../src/sim/generate.ts';

const EXTRA = [
  'decl.type == "IM" && decl.items.exists(i, i.hsCode.startsWith("2402") && i.origin in ["PA", "CN"])',
  'decl.items.all(i, i.dutyRate > 0.0) || size(decl.items) == 1',
  'decl.items.exists_one(i, i.origin == "CN")',
  '!(decl.countryOfDispatch in ["US", "MX"]) && decl.totalValue / 2.0 > 1000.0',
  'decl.items[1].quantity > 10.0',
  'decl.items.exists(i, i.description.contains("phone") || i.description.matches("^[A-Z]"))',
  'decl.transport.mode + 1 > 2 ? decl.itemCount >= 2 : trader.controls == 0',
  'decl.items.map(i, i.customsValue).exists(v, v > 100.0)',
  'decl.items.exists(i, i.refUnitValue > 0.0 && i.unitValuePerKg < 0.5 * refPrice(i.hsCode))',
  'size(decl.transport.containers) > 0 && decl.transport.containers.exists(c, c.startsWith("MSCU"))',
  'decl.lodgedAt > timestamp("2026-01-01T00:00:00Z") && decl.seller.country == "CN"',
  'consignment.found && decl.grossMassKg < 0.9 * consignment.grossMassKg',
  '-decl.totalValue < -5000.0 && decl.importer.tin.endsWith("8")',
];

describe('criteria language', () => {
  const ref = getReferenceData();
  const decls: Declaration[] = [];
  for (const r of simulateRegion({ seed: 11, days: 3, scale: 0.05, start: '2026-03-01', ref })) if (r.kind === 'declaration') decls.push(r.record as unknown as Declaration);
  const prices = ReferencePrices.fromSamples(decls.filter((d) => d.type === 'IM').flatMap((d) => d.items.map((i) => ({ country: d.country, hs6: i.hsCode.slice(0, 6), usdPerKg: toUsd(i.customsValue, i.currency) / i.netMassKg }))), 2);
  // the evaluation context of a declaration: its administration and the reference prices
  const ctxOf = (d: Declaration) => evalContext(d.country, prices);

  it('compiled closures and cel-js agree on every criterion over random declarations', () => {
    const exprs = [...templateCriteria(80, 3).map((t) => t.def.expression), ...EXTRA];
    let compiledCount = 0;
    let checks = 0;
    for (const e of exprs) {
      expect(checkExpression(e, 'declaration')).toEqual({ ok: true });
      const fast = compilePredicate(e, 'declaration');
      const slow = compilePredicate(e, 'declaration', { forceCelJs: true });
      if (fast.compiled) compiledCount++;
      for (const d of decls) {
        const tv = traderView({ tin: 'x', declarations: d.items.length, controls: 3, hits: d.items.length > 2 ? 2 : 0, seizures: 0, firstSeen: 0 }, 'x', 1e12);
        const ctx = ctxOf(d);
        const vars = { decl: celDeclaration(d, prices), trader: celTrader(tv), consignment: celConsignment(d.items.length % 2 ? { transportDocument: 'X', shipper: 's', consignee: 'c', description: 'd', packages: 3, grossMassKg: 1000, containers: [] } : null) };
        const run = (p: typeof fast) => {
          try {
            return p(vars, ctx);
          } catch {
            return 'error';
          }
        };
        expect(run(fast), `${e} on ${d.reference}`).toBe(run(slow));
        checks++;
      }
    }
    console.log(`[risk] compiled ${compiledCount} of ${exprs.length} expressions; ${checks} evaluations agree between closures and cel-js (${decls.length} simulated declarations)`);
    expect(compiledCount).toBeGreaterThanOrEqual(exprs.length - 2);
  });

  it('generated code, closures and cel-js agree on every criterion, through the predicate and the frame', () => {
    const exprs = [
      ...templateCriteria(80, 5).map((t) => t.def.expression),
      ...EXTRA,
      'decl.items.exists(i, i.line % 2 == 0) && !(decl.itemCount - 1 < 0)',
      'decl.type in ["IM", "EX", "TR", "A", "B", "C", "D", "E", "F", "G"] && decl.items.all(i, i.quantity * 2.0 >= i.quantity)',
      'decl.itemCount * 3 / 2 > 1 ? decl.transport.mode != 3 : decl.reference < "M"',
      'decl.items.exists(i, decl.items[5].origin == i.origin) || trader.hitRate >= 0.5',
      'size(decl.reference) > 3 && decl.reference.size() < 100 && double(decl.itemCount) > 1.5',
      'decl.lodgedAt >= timestamp("2026-03-02T00:00:00Z") || decl.seller.country != decl.importer.country',
    ];
    const names = ['decl', 'trader', 'consignment'];
    let generated = 0;
    let checks = 0;
    for (const e of exprs) {
      expect(checkExpression(e, 'declaration')).toEqual({ ok: true });
      const gen = compilePredicate(e, 'declaration');
      const clo = compilePredicate(e, 'declaration', { forceClosures: true });
      const slow = compilePredicate(e, 'declaration', { forceCelJs: true });
      if (gen.generated) generated++;
      expect(clo.generated).toBeFalsy();
      // the generator covers every expression the closures cover
      expect(!!gen.generated, e).toBe(clo.compiled);
      for (const d of decls) {
        const tv = traderView({ tin: 'x', declarations: d.items.length, controls: 3, hits: d.items.length > 2 ? 2 : 0, seizures: 0, firstSeen: 0 }, 'x', 1e12);
        const ctx = ctxOf(d);
        const vars = { decl: celDeclaration(d, prices), trader: celTrader(tv), consignment: celConsignment(d.items.length % 2 ? { transportDocument: 'X', shipper: 's', consignee: 'c', description: 'd', packages: 3, grossMassKg: 1000, containers: [] } : null) };
        const run = (f: () => boolean) => {
          try {
            return f();
          } catch {
            return 'error';
          }
        };
        const want = run(() => slow(vars, ctx));
        expect(run(() => gen(vars, ctx)), `generated: ${e} on ${d.reference}`).toBe(want);
        expect(run(() => clo(vars, ctx)), `closures: ${e} on ${d.reference}`).toBe(want);
        if (gen.run) {
          const frame: unknown[] = new Array(Math.max(gen.frameSize ?? 0, 4));
          for (let i = 0; i < names.length; i++) frame[i] = (vars as Record<string, unknown>)[names[i]];
          frame[names.length] = ctx;
          expect(run(() => gen.run!(frame)), `generated frame: ${e} on ${d.reference}`).toBe(want);
        }
        checks++;
      }
    }
    console.log(`[risk] generated ${generated} of ${exprs.length} expressions; ${checks} declarations agree across generated code, closures and cel-js`);
    expect(generated).toBeGreaterThanOrEqual(exprs.length - 3);
  });

  it('a criterion cannot inject code into the generated source', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => {
      throw new Error('process.exit called');
    }) as never);
    (globalThis as Record<string, unknown>).__pwned = undefined;
    try {
      const payloads = ['"); process.exit(1); ("', "'); process.exit(1); ('", '\\"); globalThis.__pwned = 1; //', '`${process.exit(1)}`', '\u2028process.exit(1)\u2029', '*/ process.exit(1); /*', '</script>"+process.exit(1)+"'];
      for (const p of payloads) {
        for (const e of [`decl.type == ${JSON.stringify(p)}`, `decl.reference.startsWith(${JSON.stringify(p)}) || decl.type in [${JSON.stringify(p)}, "X"]`, `decl.items.exists(i, i.description.contains(${JSON.stringify(p)}))`]) {
          expect(checkExpression(e, 'declaration'), e).toEqual({ ok: true });
          const pred = compilePredicate(e, 'declaration');
          expect(pred.generated, e).toBe(true);
          const d = decls[0];
          const vars = { decl: celDeclaration(d, prices), trader: celTrader(traderView(undefined, 'x', 0)), consignment: celConsignment(null) };
          const want = compilePredicate(e, 'declaration', { forceCelJs: true })(vars);
          expect(pred(vars), e).toBe(want);
          // the payload is data: a declaration carrying it matches it literally
          const hit = celDeclaration(d, prices);
          hit.type = JSON.parse(JSON.stringify(p));
          hit.reference = hit.type;
          if (e.startsWith('decl.type ==')) expect(pred({ ...vars, decl: hit })).toBe(true);
        }
      }
      // names only come from the whitelist of fields: anything else is not generated
      expect(() => compilePredicate('decl["constructor"] == "x"', 'declaration')).not.toThrow();
      expect(exit).not.toHaveBeenCalled();
      expect((globalThis as Record<string, unknown>).__pwned).toBeUndefined();
    } finally {
      exit.mockRestore();
    }
  });

  it('errors an analyst can act on', () => {
    const r = checkExpression('decl.importr.tin == "1"', 'declaration');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatchObject({ line: 1, column: 6, unknown: 'importr', suggestion: 'importer' });
    const v = checkExpression('dec.type == "IM"', 'declaration');
    if (!v.ok) expect(v.problem.message).toMatch(/did you mean "decl"/);
    const m = checkExpression('decl.items.exists(i,\n  i.customsValue * 2 > 10.0)', 'declaration');
    if (!m.ok) expect(m.problem).toMatchObject({ line: 2, expected: 'double' });
    expect(m.ok).toBe(false);
  });

  it('the decision: forced red stays red, random control is recorded, standing weighs', () => {
    const config = defaultRiskConfig(0.03);
    const tv = traderView(undefined, 'T', 0);
    const hit = { versionId: 'v', criterionId: 'c', name: 'N', reason: 'R', weight: 10, forcedChannel: 'red' as const };
    expect(decide({ hits: [hit], model: null, trader: tv, draw: 0.5, randomRate: 0.03, mark: null, config })).toMatchObject({ channel: 'red', forced: true, randomSelected: false });
    expect(decide({ hits: [], model: null, trader: tv, draw: 0.01, randomRate: 0.03, mark: null, config })).toMatchObject({ channel: 'red', riskLevel: 'low', randomSelected: true });
    expect(decide({ hits: [], model: { version: 'm1', score: 0.9 }, trader: tv, draw: 0.5, randomRate: 0.03, mark: null, config }).riskLevel).toBe('medium');
  });
});
