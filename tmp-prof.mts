import type { Declaration } from './src/modules/declarations/schema.ts';
import { celConsignment, celDeclaration, celTrader, setReferenceLookups } from './src/modules/risk/cel.ts';
import { decide, defaultRiskConfig, RuleSet, traderView } from './src/modules/risk/engine.ts';
import { ReferencePrices, toUsd } from './src/modules/risk/reference.ts';
import { templateCriteria } from './src/modules/risk/templates.ts';
import { getReferenceData } from './src/reference/index.ts';
import { simulateRegion } from './src/sim/generate.ts';
const ref = getReferenceData();
const decls: Declaration[] = [];
for (const r of simulateRegion({ seed: 5, days: 10, scale: 0.2, start: '2026-03-01', ref, countries: ['GT'] })) if (r.kind === 'declaration') decls.push(r.record as unknown as Declaration);
setReferenceLookups(ReferencePrices.fromSamples(decls.flatMap((d) => d.items.map((i) => ({ country: d.country, hs6: i.hsCode.slice(0, 6), usdPerKg: toUsd(i.customsValue, i.currency) / i.netMassKg }))), 2));
const crit = templateCriteria(500);
const rs = new RuleSet('GT', crit.map((c) => c.def));
const config = defaultRiskConfig(0.03);
const vars = decls.map((d) => ({ decl: celDeclaration(d), trader: celTrader(traderView(undefined, 'x', 0)), consignment: celConsignment(null) }));
let cands = 0; for (const d of decls) cands += rs.candidates('declaration', d.office, d.type).length;
console.log('avg candidates', cands / decls.length);
for (const mode of ['full', 'evalonly', 'ctxonly', 'js', 'full', 'evalonly', 'js']) {
  let k = 0; const t0 = performance.now(); let n = 0;
  while (performance.now() - t0 < 2000) {
    const d = decls[k % decls.length];
    if (mode === 'full') { const v = { decl: celDeclaration(d), trader: celTrader(traderView(undefined, 'x', 0)), consignment: celConsignment(null) }; const ev = rs.evaluate('declaration', d.office, d.type, 1, v); decide({ hits: ev.hits, model: null, trader: traderView(undefined, 'x', 0), draw: (k % 997) / 997, randomRate: 0.03, mark: null, config }); }
    else if (mode === 'evalonly') rs.evaluate('declaration', d.office, d.type, 1, vars[k % vars.length]);
    else if (mode === 'ctxonly') celDeclaration(d);
    else { const v = vars[k % vars.length]; let h = 0; for (const c of crit) if (c.js(v)) h++; if (h < 0) throw 0; }
    k++; n++;
  }
  console.log(mode, Math.round(n / ((performance.now() - t0) / 1000)));
}
