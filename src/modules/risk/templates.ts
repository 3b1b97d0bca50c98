import type { CelDecl, CelItem, CelVars } from './cel.ts';
import type { CriterionVersionDef } from './engine.ts';

/**
 * Realistic criteria generated from templates, deterministic for a seed: for the benchmark (500
 * active criteria), the compiler's equivalence tests, and the peers (json-rules-engine rules and
 * hand-written JavaScript predicates doing the same).
 */
export interface TemplateCriterion {
  def: CriterionVersionDef;
  /** the same rule for json-rules-engine (facts: the CelDecl fields; custom operators for items) */
  jre: { conditions: unknown };
  /** the same rule, hand-written */
  js: (v: CelVars) => boolean;
}

function lcg(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const HEADINGS = ['2402', '2203', '2208', '2710', '3004', '6109', '6203', '6403', '8517', '8471', '8703', '8711', '3923', '7208', '1006', '1701', '0201', '0402', '3402', '9403', '8528', '4011', '8418', '6110', '2106'];
const ORIGINS = ['CN', 'US', 'MX', 'PA', 'HK', 'VN', 'IN', 'CO', 'TW', 'KR', 'DE', 'ES', 'JP', 'BR', 'TR'];
const OFFICES = ['GTPRQ', 'GTSTC', 'GTGUA', 'GTPBR', 'GTCHR'];

export function templateCriteria(n: number, seed = 7): TemplateCriterion[] {
  const r = lcg(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const out: TemplateCriterion[] = [];
  for (let k = 0; k < n; k++) {
    const kind = k % 8;
    const hs = pick(HEADINGS);
    const origins = [...new Set([pick(ORIGINS), pick(ORIGINS), pick(ORIGINS)])];
    const f = Math.round((0.3 + r() * 0.3) * 100) / 100;
    const v = Math.round(5000 + r() * 200000);
    let expression: string;
    let jre: unknown;
    let js: (x: CelVars) => boolean;
    const ol = origins.map((o) => `"${o}"`).join(', ');
    switch (kind) {
      case 0:
        expression = `decl.type == "IM" && decl.items.exists(i, i.hsCode.startsWith("${hs}") && i.origin in [${ol}])`;
        jre = { all: [{ fact: 'type', operator: 'equal', value: 'IM' }, { fact: 'items', operator: 'anyHsOrigin', value: { hs, origins } }] };
        js = (x) => {
          const d = x.decl as CelDecl;
          if (d.type !== 'IM') return false;
          for (const i of d.items) if (i.hsCode.startsWith(hs) && origins.includes(i.origin)) return true;
          return false;
        };
        break;
      case 1:
        expression = `decl.items.exists(i, i.heading == "${hs}" && i.refUnitValue > 0.0 && i.unitValuePerKg < ${f} * i.refUnitValue)`;
        jre = { all: [{ fact: 'items', operator: 'anyUnderValued', value: { hs, f } }] };
        js = (x) => {
          for (const i of (x.decl as CelDecl).items) if (i.heading === hs && i.refUnitValue > 0 && i.unitValuePerKg < f * i.refUnitValue) return true;
          return false;
        };
        break;
      case 2:
        expression = `decl.totalValueUsd > ${v}.0 && decl.countryOfDispatch == "${origins[0]}"`;
        jre = { all: [{ fact: 'totalValueUsd', operator: 'greaterThan', value: v }, { fact: 'countryOfDispatch', operator: 'equal', value: origins[0] }] };
        js = (x) => (x.decl as CelDecl).totalValueUsd > v && (x.decl as CelDecl).countryOfDispatch === origins[0];
        break;
      case 3:
        expression = `trader.standing == "poor" && decl.items.exists(i, i.sensitive)`;
        jre = { all: [{ fact: 'standing', operator: 'equal', value: 'poor' }, { fact: 'items', operator: 'anySensitive', value: true }] };
        js = (x) => (x.trader as { standing: string }).standing === 'poor' && (x.decl as CelDecl).items.some((i) => i.sensitive);
        break;
      case 4:
        expression = `decl.transport.mode == 3 && decl.items.exists(i, i.chapter == "${hs.slice(0, 2)}") && decl.grossMassKg > ${Math.round(v / 10)}.0`;
        jre = { all: [{ fact: 'mode', operator: 'equal', value: 3 }, { fact: 'items', operator: 'anyChapter', value: hs.slice(0, 2) }, { fact: 'grossMassKg', operator: 'greaterThan', value: Math.round(v / 10) }] };
        js = (x) => {
          const d = x.decl as CelDecl;
          return d.transport.mode === 3n && d.items.some((i) => i.chapter === hs.slice(0, 2)) && d.grossMassKg > Math.round(v / 10);
        };
        break;
      case 5:
        expression = `consignment.found && decl.grossMassKg < ${1 - f / 3} * consignment.grossMassKg`;
        jre = { all: [{ fact: 'consignmentFound', operator: 'equal', value: true }, { fact: 'massRatio', operator: 'lessThan', value: 1 - f / 3 }] };
        js = (x) => {
          const c = x.consignment as { found: boolean; grossMassKg: number };
          return c.found && (x.decl as CelDecl).grossMassKg < (1 - f / 3) * c.grossMassKg;
        };
        break;
      case 6:
        expression = `size(decl.items) > 3 && decl.items.all(i, i.dutyRate == 0.0) && decl.countryOfDispatch in [${ol}]`;
        jre = { all: [{ fact: 'itemCount', operator: 'greaterThan', value: 3 }, { fact: 'items', operator: 'allDutyFree', value: true }, { fact: 'countryOfDispatch', operator: 'in', value: origins }] };
        js = (x) => {
          const d = x.decl as CelDecl;
          return d.items.length > 3 && d.items.every((i) => i.dutyRate === 0) && origins.includes(d.countryOfDispatch);
        };
        break;
      default:
        expression = `decl.importer.country != decl.countryOfDispatch && decl.items.exists(i, i.hsCode.startsWith("${hs}") && i.customsValueUsd > ${v}.0)`;
        jre = { all: [{ fact: 'dispatchDiffers', operator: 'equal', value: true }, { fact: 'items', operator: 'anyHsValueAbove', value: { hs, v } }] };
        js = (x) => {
          const d = x.decl as CelDecl;
          return d.importer.country !== d.countryOfDispatch && d.items.some((i) => i.hsCode.startsWith(hs) && i.customsValueUsd > v);
        };
    }
    const scoped = r() < 0.3;
    out.push({
      def: {
        versionId: `00000000-0000-7000-8000-${String(k).padStart(12, '0')}`,
        criterionId: `00000000-0000-7000-9000-${String(k).padStart(12, '0')}`,
        name: `Template ${k} (${kind})`,
        reason: 'generated',
        expression,
        scope: { offices: scoped ? [pick(OFFICES)] : [], types: kind === 0 ? ['IM'] : [], stages: ['declaration'] },
        weight: 10 + Math.floor(r() * 30),
        forcedChannel: r() < 0.05 ? 'red' : null,
        manifestAction: null,
        validFrom: 0,
        validTo: null,
      },
      jre: { conditions: jre },
      js,
    });
  }
  return out;
}

/** json-rules-engine custom operators for the item conditions (its idiom for lists of objects). */
export const JRE_OPERATORS = {
  anyHsOrigin: (items: CelItem[], v: { hs: string; origins: string[] }) => items.some((i) => i.hsCode.startsWith(v.hs) && v.origins.includes(i.origin)),
  anyUnderValued: (items: CelItem[], v: { hs: string; f: number }) => items.some((i) => i.heading === v.hs && i.refUnitValue > 0 && i.unitValuePerKg < v.f * i.refUnitValue),
  anySensitive: (items: CelItem[]) => items.some((i) => i.sensitive),
  anyChapter: (items: CelItem[], v: string) => items.some((i) => i.chapter === v),
  allDutyFree: (items: CelItem[]) => items.every((i) => i.dutyRate === 0),
  anyHsValueAbove: (items: CelItem[], v: { hs: string; v: number }) => items.some((i) => i.hsCode.startsWith(v.hs) && i.customsValueUsd > v.v),
} satisfies Record<string, (items: CelItem[], value: never) => boolean>;

/** The facts json-rules-engine rules read, from the same values. */
export function jreFacts(x: CelVars): Record<string, unknown> {
  const d = x.decl as CelDecl;
  const c = x.consignment as { found: boolean; grossMassKg: number };
  return {
    type: d.type,
    items: d.items,
    totalValueUsd: d.totalValueUsd,
    countryOfDispatch: d.countryOfDispatch,
    standing: (x.trader as { standing: string }).standing,
    mode: Number(d.transport.mode),
    grossMassKg: d.grossMassKg,
    consignmentFound: c.found,
    massRatio: c.found && c.grossMassKg > 0 ? d.grossMassKg / c.grossMassKg : Infinity,
    itemCount: d.items.length,
    dispatchDiffers: d.importer.country !== d.countryOfDispatch,
  };
}
