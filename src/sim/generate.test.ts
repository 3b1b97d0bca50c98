import { beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../core/clock.ts';
import { sha256Hex } from '../core/hash.ts';
import { buildContracts } from '../modules/declarations/schema.ts';
import { getReferenceData } from '../reference/index.ts';
import { createSimulation, simulateRegion, type SimConfig, type SimRecord, type Simulation } from './generate.ts';
import { expectedFraudShare } from './write.ts';
import { FRAUD_TYPES } from './world.ts';

const ref = getReferenceData();
const OFFSETS: Record<string, string> = { GT: '-06:00', SV: '-06:00', HN: '-06:00', NI: '-06:00', CR: '-06:00', PA: '-05:00', DO: '-04:00' };

function hashRun(opts: { seed: number; days: number; scale: number; start: string; countries?: string[]; config?: Partial<SimConfig> }): string {
  const lines: string[] = [];
  for (const r of simulateRegion({ ...opts, ref })) lines.push(JSON.stringify(r.record), JSON.stringify(r.truth));
  return sha256Hex(lines.join('\n'));
}

type Decl = Extract<SimRecord, { kind: 'declaration' }>;
type Man = Extract<SimRecord, { kind: 'manifest' }>;

describe('simulateRegion', () => {
  let sim: Simulation;
  let records: SimRecord[];
  let decls: Decl[];
  let mans: Man[];

  beforeAll(() => {
    sim = createSimulation({ seed: 11, days: 8, scale: 0.8, start: '2026-03-02', ref });
    records = [...sim.records()];
    decls = records.filter((r): r is Decl => r.kind === 'declaration');
    mans = records.filter((r): r is Man => r.kind === 'manifest');
  });

  it('produces about 1,500 declarations a day at scale 1, in plausible shares', () => {
    const perDay = decls.length / 8 / 0.8;
    expect(perDay).toBeGreaterThan(1100);
    expect(perDay).toBeLessThan(1900);
    const share = (pred: (d: Decl) => boolean) => decls.filter(pred).length / decls.length;
    expect(share((d) => d.record.type === 'IM')).toBeGreaterThan(0.62);
    expect(share((d) => d.record.type === 'IM')).toBeLessThan(0.78);
    expect(share((d) => d.record.type === 'EX')).toBeGreaterThan(0.15);
    expect(share((d) => d.record.type === 'TR')).toBeGreaterThan(0.06);
    expect(share((d) => d.record.country === 'GT')).toBeGreaterThan(share((d) => d.record.country === 'NI') * 2.5);
    for (const c of ['GT', 'SV', 'HN', 'NI', 'CR', 'PA', 'DO']) expect(share((d) => d.record.country === c)).toBeGreaterThan(0.02);
    for (const mode of [1, 3, 4]) expect(share((d) => d.record.type === 'IM' && d.record.transport.mode === mode)).toBeGreaterThan(0.05);
    for (const mode of [1, 3, 4]) expect(mans.some((m) => m.record.mode === mode)).toBe(true);
    const vessels = mans.filter((m) => m.record.mode === 1);
    expect(vessels.every((m) => m.record.voyage && m.record.consignments.every((c) => c.portOfLoading === undefined || /^[A-Z]{5}$/.test(c.portOfLoading)))).toBe(true);
  });

  it('is deterministic for a seed, and differs for another seed', () => {
    const opts = { seed: 5, days: 3, scale: 0.3, start: '2026-01-10' };
    const a = hashRun(opts);
    expect(hashRun(opts)).toBe(a);
    expect(hashRun({ ...opts, seed: 6 })).not.toBe(a);
    expect(hashRun({ ...opts, start: '2026-01-11' })).not.toBe(a);
  });

  it("gives an administration the same records whether or not its neighbours are simulated", () => {
    const only = [...simulateRegion({ seed: 5, days: 2, scale: 0.3, start: '2026-01-10', countries: ['SV'], ref })];
    const all = [...simulateRegion({ seed: 5, days: 2, scale: 0.3, start: '2026-01-10', ref })].filter((r) => r.record.country === 'SV');
    expect(only.length).toBeGreaterThan(50);
    expect(only.every((r) => r.record.country === 'SV')).toBe(true);
    expect(sha256Hex(JSON.stringify(only))).toBe(sha256Hex(JSON.stringify(all)));
  });

  it('emits only records that pass the declaration and manifest contracts', () => {
    const c = buildContracts({ ref, clock: new FixedClock('2026-03-11T00:00:00Z') });
    const problems: string[] = [];
    for (const r of records) {
      const res = r.kind === 'manifest' ? c.manifest.safeParse(r.record) : c.declaration.safeParse(r.record);
      if (!res.success && problems.length < 5) problems.push(`${r.record.reference}: ${JSON.stringify(res.error.issues.slice(0, 2))}`);
    }
    expect(problems).toEqual([]);
  });

  it('keeps references unique per administration and truth matched to its record', () => {
    const seen = new Set<string>();
    for (const r of records) {
      const key = `${r.kind}:${r.record.country}:${r.record.reference}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
      expect(r.truth.reference).toBe(r.record.reference);
      expect(r.truth.country).toBe(r.record.country);
      expect(r.truth.kind).toBe(r.kind);
    }
    expect(decls[0].record.reference).toMatch(/^[A-Z]{2}-2026-(IM|EX|TR)-\d{6}$/);
  });

  it("emits in time order: each day's manifests, then that day's declarations, lodged within the day in local time", () => {
    let lastDay = '';
    let phase: 'manifest' | 'declaration' = 'manifest';
    let lastDeclTime = -Infinity;
    for (const r of records) {
      const ts = r.kind === 'manifest' ? r.record.arrivalAt : r.record.lodgedAt;
      expect(ts.endsWith(OFFSETS[r.record.country])).toBe(true);
      const day = ts.slice(0, 10);
      expect(day >= '2026-03-02' && day <= '2026-03-09').toBe(true);
      if (day !== lastDay) {
        expect(day > lastDay).toBe(true);
        lastDay = day;
        phase = 'manifest';
        lastDeclTime = -Infinity;
      }
      if (r.kind === 'declaration') {
        phase = 'declaration';
        const t = Date.parse(ts);
        expect(t).toBeGreaterThanOrEqual(lastDeclTime);
        lastDeclTime = t;
      } else expect(phase).toBe('manifest');
    }
  });

  it('makes manifests precede and match the declarations that refer to them', () => {
    const consignments = new Map<string, { m: Man; at: number; c: Man['record']['consignments'][number] }>();
    let checked = 0;
    for (const r of records) {
      if (r.kind === 'manifest') {
        for (const c of r.record.consignments) consignments.set(`${r.record.country}|${r.record.reference}|${c.transportDocument}`, { m: r, at: Date.parse(r.record.arrivalAt), c });
        continue;
      }
      const d = r.record;
      if (d.type === 'EX') continue;
      expect(d.manifestReference, d.reference).toBeTruthy();
      const x = consignments.get(`${d.country}|${d.manifestReference}|${d.transportDocument}`);
      expect(x, `${d.reference} refers to ${d.manifestReference} ${d.transportDocument}`).toBeDefined();
      const { m, c, at } = x!;
      checked++;
      expect(Date.parse(d.lodgedAt)).toBeGreaterThan(at);
      expect(m.record.office).toBe(d.office);
      expect(m.record.mode).toBe(d.transport.mode);
      expect(m.record.conveyance).toBe(d.transport.conveyance);
      expect(d.transport.containers ?? []).toEqual(c.containers ?? []);
      if (d.transport.mode === 4) expect(c.containers ?? []).toEqual([]);
      if (d.transport.mode === 3) expect(m.record.consignments).toHaveLength(1);
      if (d.transport.mode === 1 && c.containers?.length) for (const ct of c.containers) expect(ct).toMatch(/^[A-Z]{3}U\d{7}$/);
      const truth = r.truth;
      const clean = truth.fraudType === null && (truth.details.errors as string[]).length === 0;
      const gross = d.items.reduce((a, i) => a + i.grossMassKg, 0);
      if (clean || truth.fraudType === 'undervaluation' || truth.fraudType === 'misclassification' || truth.fraudType === 'false_origin')
        if (!(truth.details.errors as string[]).includes('gross_mass_typo')) expect(Math.abs(gross - c.grossMassKg)).toBeLessThan(0.01 * d.items.length + 0.001);
      if (truth.fraudType === 'under_declared_quantity') expect(gross).toBeLessThan(c.grossMassKg);
      const items = truth.details.items as { trueHsCode: string; declaredHsCode: string }[];
      for (const it of items) expect(it.trueHsCode.startsWith(c.hsCode!)).toBe(true);
      if (truth.fraudType === 'misclassification') expect(d.items.some((i) => !i.hsCode.startsWith(c.hsCode!))).toBe(true);
      else if (!(truth.details.errors as string[]).includes('sibling_subheading')) for (const i of d.items) expect(i.hsCode.startsWith(c.hsCode!)).toBe(true);
      if (d.type === 'IM') expect(c.consigneeTin).toBe(d.importer!.tin);
    }
    expect(checked).toBeGreaterThan(decls.length * 0.6);
  });

  it('labels fraud at the configured rates, and only on fraudsters', () => {
    const cfg = sim.config;
    const byBehaviour = { compliant: 0, careless: 0, fraudster: 0 };
    let fraudsterDecls = 0;
    let fraudsterFrauds = 0;
    const types = new Map<string, number>();
    for (const d of decls) {
      const t = d.truth;
      const b = t.details.traderBehaviour as keyof typeof byBehaviour;
      byBehaviour[b]++;
      if (b !== 'fraudster') {
        expect(t.fraudType).toBeNull();
        if (b === 'compliant') expect(t.details.errors).toEqual([]);
        continue;
      }
      if (d.record.type === 'EX') continue;
      fraudsterDecls++;
      if (t.fraudType) {
        fraudsterFrauds++;
        expect(t.fraudType).toBe(t.details.traderFraudType);
        expect(t.revenueAtStake).toBeGreaterThan(0);
        types.set(t.fraudType, (types.get(t.fraudType) ?? 0) + 1);
      }
    }
    // every fraud type present
    for (const ft of FRAUD_TYPES) expect(types.get(ft) ?? 0, ft).toBeGreaterThan(0);
    // a fraudster defrauds on fraudRate of its declarations (binomial, 4 sigma)
    const p = cfg.fraudRate;
    expect(Math.abs(fraudsterFrauds / fraudsterDecls - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / fraudsterDecls));
    // the share of declarations with fraud matches what the config and population imply (binomial, 4 sigma)
    const expected = expectedFraudShare(sim);
    const observed = fraudsterFrauds / decls.length;
    expect(Math.abs(observed - expected)).toBeLessThan(4 * Math.sqrt((expected * (1 - expected)) / decls.length) + 0.002);
    // and that is of the order the config says: fraudster share × fraud rate on IM and TR
    const nominal = (cfg.behaviourShares.fraudster * cfg.fraudRate * (cfg.typeShares.IM + cfg.typeShares.TR)) / (cfg.typeShares.IM + cfg.typeShares.EX + cfg.typeShares.TR);
    expect(expected).toBeGreaterThan(nominal * 0.4);
    expect(expected).toBeLessThan(nominal * 1.3);
    // the population has the configured behaviour shares per trader
    const imps = Object.values(sim.population.byCountry).flatMap((c) => c.importers);
    const share = (b: string) => imps.filter((t) => t.behaviour === b).length / imps.length;
    expect(share('fraudster')).toBeCloseTo(cfg.behaviourShares.fraudster, 2);
    expect(share('careless')).toBeCloseTo(cfg.behaviourShares.careless, 2);
    expect(imps.filter((t) => t.behaviour !== 'fraudster').every((t) => t.fraudType === null && t.fraudRate === 0)).toBe(true);
  });

  it('follows a changed config', () => {
    const s = createSimulation({
      seed: 3,
      days: 2,
      scale: 0.5,
      start: '2026-02-02',
      ref,
      config: { behaviourShares: { compliant: 0.6, careless: 0.1, fraudster: 0.3 }, fraudRate: 1, typeShares: { IM: 1, EX: 0, TR: 0 }, importFraudTypes: { undervaluation: 1, misclassification: 0, false_origin: 0, under_declared_quantity: 0 } },
    });
    const ds = [...s.records()].filter((r): r is Decl => r.kind === 'declaration');
    expect(ds.every((d) => d.record.type === 'IM')).toBe(true);
    const frauds = ds.filter((d) => d.truth.fraudType);
    expect(frauds.every((d) => d.truth.fraudType === 'undervaluation')).toBe(true);
    expect(frauds.length).toBe(ds.filter((d) => d.truth.details.traderBehaviour === 'fraudster').length);
    expect(frauds.length / ds.length).toBeGreaterThan(0.1);
  });

  it('shows each fraud in the data the way its truth says', () => {
    const rateOf = (d: Decl) => d.truth.details.exchangeRate as number;
    let seen = 0;
    for (const d of decls) {
      const t = d.truth;
      const items = t.details.items as { trueUnitValueUsdPerKg: number; trueOrigin: string; trueHsCode: string; trueQuantity: number; trueValueUsd: number }[];
      if (t.fraudType === 'undervaluation') {
        seen++;
        d.record.items.forEach((it, i) => {
          const declaredUnit = it.customsValue / rateOf(d) / it.netMassKg;
          expect(declaredUnit).toBeLessThan(items[i].trueUnitValueUsdPerKg);
        });
      } else if (t.fraudType === 'false_origin') {
        d.record.items.forEach((it, i) => {
          expect(items[i].trueOrigin).toBe('CN');
          expect(it.origin).not.toBe('CN');
          expect(it.preference).toBeTruthy();
          expect(it.dutyRate).toBe(0);
        });
      } else if (t.fraudType === 'misclassification') {
        d.record.items.forEach((it, i) => {
          expect(it.hsCode).not.toBe(items[i].trueHsCode);
          expect(it.dutyRate!).toBeLessThan((t.details.items as { trueDutyRate: number }[])[i].trueDutyRate);
        });
      } else if (t.fraudType === 'under_declared_quantity') {
        d.record.items.forEach((it, i) => expect(it.quantity).toBeLessThan(items[i].trueQuantity));
      } else if (t.fraudType === 'transit_diversion') {
        expect(d.record.type).toBe('TR');
        expect(t.details.arrivedAtDestination).toBe(false);
        expect(d.record.countryOfDestination).not.toBe(d.record.country);
      }
    }
    expect(seen).toBeGreaterThan(5);
  });

  it('rejects bad options plainly', () => {
    expect(() => createSimulation({ seed: 1, days: 0, scale: 1, start: '2026-01-01', ref })).toThrow(/days/);
    expect(() => createSimulation({ seed: 1, days: 1, scale: 0, start: '2026-01-01', ref })).toThrow(/scale/);
    expect(() => createSimulation({ seed: 1, days: 1, scale: 1, start: 'yesterday', ref })).toThrow(/start/);
    expect(() => createSimulation({ seed: 1, days: 1, scale: 1, start: '2026-01-01', countries: ['MX'], ref })).toThrow(/MX/);
  });
});
