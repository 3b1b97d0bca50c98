import { describe, expect, it } from 'vitest';
import type { Declaration, Manifest } from '../src/modules/declarations/schema.ts';
import { randomDraw } from '../src/modules/risk/baseline.ts';
import { celConsignment, celDeclaration, celTrader, type ConsignmentView } from '../src/modules/risk/cel.ts';
import { decide, defaultRiskConfig, RuleSet, stageOf, traderTinOf, traderView, type CriterionVersionDef, type TraderStats } from '../src/modules/risk/engine.ts';
import { ReferencePrices, toUsd } from '../src/modules/risk/reference.ts';
import { FRAUD_PATTERN_CRITERIA } from '../src/demo/risk.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { simulateRegion } from '../src/sim/generate.ts';

describe('selectivity on the simulated region', () => {
  it('criteria from the fraud patterns plus 3% random control beat random selection at the same inspection rate', () => {
    const ref = getReferenceData();
    const decls: { d: Declaration; fraud: boolean }[] = [];
    const cons = new Map<string, ConsignmentView>();
    for (const r of simulateRegion({ seed: 2026, days: 30, scale: 0.06, start: '2026-02-01', ref })) {
      if (r.kind === 'manifest') for (const c of (r.record as unknown as Manifest).consignments) cons.set(`${r.record.country}|${c.transportDocument}`, c);
      else decls.push({ d: r.record as unknown as Declaration, fraud: r.truth.fraudType !== null });
    }
    // the valuation reference: medians of the declared unit values, as the stored history gives them
    const prices = ReferencePrices.fromSamples(decls.filter((x) => x.d.type === 'IM').flatMap(({ d }) => d.items.map((i) => ({ country: d.country, hs6: i.hsCode.slice(0, 6), usdPerKg: toUsd(i.customsValue, i.currency) / i.netMassKg }))));
    const defs: CriterionVersionDef[] = FRAUD_PATTERN_CRITERIA.map((c, k) => ({ versionId: `v${k}`, criterionId: `c${k}`, name: c.name, reason: c.reason, expression: c.expression, scope: { offices: [], types: [], stages: c.stages }, weight: c.weight, forcedChannel: null, manifestAction: null, validFrom: 0, validTo: null }));
    const sets = new Map<string, RuleSet>();
    const config = defaultRiskConfig(0.03);
    const history = new Map<string, TraderStats>();
    let controls = 0;
    let hits = 0;
    let reds = 0;
    let redHits = 0;
    let frauds = 0;
    let randomControls = 0;
    let randomHits = 0;
    for (const { d, fraud } of decls) {
      let rs = sets.get(d.country);
      if (!rs) sets.set(d.country, (rs = new RuleSet(d.country, defs, { lookups: prices })));
      const at = Date.parse(d.lodgedAt);
      const tin = traderTinOf(d);
      const key = `${d.country}|${tin}`;
      const st = history.get(key) ?? { tin, declarations: 0, controls: 0, hits: 0, seizures: 0, firstSeen: at };
      const tv = traderView(st, tin, at);
      const c = d.transportDocument ? cons.get(`${d.country}|${d.transportDocument}`) : undefined;
      const ev = rs.evaluate(stageOf(d.type), d.office, d.type, at, { decl: celDeclaration(d, prices), trader: celTrader(tv), consignment: celConsignment(c) });
      const dd = decide({ hits: ev.hits, model: null, trader: tv, draw: randomDraw('test-seed', `${d.country}|${d.reference}|1`), randomRate: 0.03, mark: null, config });
      if (fraud) frauds++;
      st.declarations++;
      if (dd.channel === 'red' || dd.channel === 'yellow') {
        controls++;
        st.controls++;
        if (fraud) {
          hits++;
          st.hits++;
        }
        if (dd.channel === 'red') {
          reds++;
          if (fraud) redHits++;
        }
        if (dd.randomSelected) {
          randomControls++;
          if (fraud) randomHits++;
        }
      }
      history.set(key, st);
    }
    const base = frauds / decls.length;
    const hitRate = hits / controls;
    const lift = hitRate / base;
    const redLift = redHits / reds / base;
    console.log(
      `[risk] simulated region: ${decls.length} declarations, ${frauds} frauds (base rate ${(base * 100).toFixed(1)}%). ` +
        `Controls (red+yellow) ${controls} = ${((controls / decls.length) * 100).toFixed(1)}% of declarations, ${hits} hits, hit rate ${(hitRate * 100).toFixed(1)}% ` +
        `vs ${(base * 100).toFixed(1)}% for random selection at the same rate: lift ${lift.toFixed(2)}x; red only ${reds} (${((reds / decls.length) * 100).toFixed(1)}%), hit rate ${((redHits / reds) * 100).toFixed(1)}%, lift ${redLift.toFixed(2)}x; ` +
        `random control ${randomControls} controls, ${randomHits} hits (${((randomHits / Math.max(1, randomControls)) * 100).toFixed(1)}%: the unbiased compliance measure); recall ${((hits / frauds) * 100).toFixed(1)}%`,
    );
    expect(decls.length).toBeGreaterThan(2000);
    expect(controls / decls.length).toBeLessThan(0.3);
    expect(lift).toBeGreaterThan(3);
  });
});
