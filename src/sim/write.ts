/**
 * Writes a simulation to a directory: what customs sees (manifests.jsonl, declarations.jsonl)
 * apart from the truth (ground-truth.jsonl, traders.jsonl), and a summary.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { activeFraudTypes, type Simulation } from './generate.ts';
import { traderView } from './traders.ts';

export const SIM_FILES = {
  manifests: 'manifests.jsonl',
  declarations: 'declarations.jsonl',
  truth: 'ground-truth.jsonl',
  traders: 'traders.jsonl',
  summary: 'summary.json',
} as const;

export interface SimProgress {
  day: number;
  days: number;
  declarations: number;
  manifests: number;
}

export interface WriteOptions {
  outDir: string;
  seed: number;
  days: number;
  scale: number;
  /** called when a simulated day is done */
  onDay?: (p: SimProgress) => void;
}

/** A buffered line writer that respects back-pressure. */
class LineWriter {
  private buf: string[] = [];
  private size = 0;
  private readonly stream: fs.WriteStream;
  constructor(file: string) {
    this.stream = fs.createWriteStream(file, { encoding: 'utf8' });
  }
  async line(s: string): Promise<void> {
    this.buf.push(s);
    this.size += s.length + 1;
    if (this.size >= 1 << 20) await this.flush();
  }
  async flush(): Promise<void> {
    if (!this.buf.length) return;
    const chunk = this.buf.join('\n') + '\n';
    this.buf = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }
  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

type Tally = Record<string, number>;
const inc = (t: Tally, k: string, n = 1) => {
  t[k] = (t[k] ?? 0) + n;
};
const round2 = (x: number) => Math.round(x * 100) / 100;

export interface SimSummary {
  seed: number;
  start: string;
  end: string;
  days: number;
  scale: number;
  countries: string[];
  files: typeof SIM_FILES;
  manifests: { total: number; consignments: number; byCountry: Tally };
  declarations: { total: number; byType: Tally; byCountry: Record<string, Tally> };
  fraud: {
    declarations: number;
    share: number;
    /** expected share from the config and the trader population (fraudsters' share of volume × fraud rate) */
    expectedShare: number;
    byType: Record<string, { declarations: number; revenueAtStakeUsd: number }>;
    byCountry: Record<string, { declarations: number; revenueAtStakeUsd: number }>;
  };
  revenueAtStakeUsd: number;
  carelessErrors: number;
  traders: { total: number; byRole: Tally; byBehaviour: Record<string, Tally>; fraudstersByType: Tally };
  config: Simulation['config'];
}

/** The share of declarations expected to carry fraud, from the population and the config. */
export function expectedFraudShare(sim: Simulation): number {
  const { config, population, countries } = sim;
  let im = 0;
  let tr = 0;
  let total = 0;
  for (const c of countries) {
    const p = population.byCountry[c];
    const share = sim.world.admins[c].share;
    const fr = (ts: typeof p.importers) => {
      let f = 0;
      let all = 0;
      for (const t of ts) {
        all += t.volume;
        if (t.behaviour === 'fraudster') f += t.volume * t.fraudRate;
      }
      return f / all;
    };
    im += share * fr(p.importers);
    tr += share * fr(p.transitPrincipals);
    total += share;
  }
  const s = config.typeShares;
  const sum = s.IM + s.EX + s.TR;
  return ((s.IM / sum) * im + (s.TR / sum) * tr) / total;
}

export async function writeSimulation(sim: Simulation, o: WriteOptions): Promise<SimSummary> {
  fs.mkdirSync(o.outDir, { recursive: true });
  const w = {
    manifests: new LineWriter(path.join(o.outDir, SIM_FILES.manifests)),
    declarations: new LineWriter(path.join(o.outDir, SIM_FILES.declarations)),
    truth: new LineWriter(path.join(o.outDir, SIM_FILES.truth)),
    traders: new LineWriter(path.join(o.outDir, SIM_FILES.traders)),
  };

  for (const t of sim.population.all) await w.traders.line(JSON.stringify(traderView(t)));

  const s: SimSummary = {
    seed: o.seed,
    start: new Date(sim.startMs).toISOString().slice(0, 10),
    end: new Date(sim.startMs + (o.days - 1) * 86_400_000).toISOString().slice(0, 10),
    days: o.days,
    scale: o.scale,
    countries: sim.countries,
    files: SIM_FILES,
    manifests: { total: 0, consignments: 0, byCountry: {} },
    declarations: { total: 0, byType: {}, byCountry: {} },
    fraud: { declarations: 0, share: 0, expectedShare: round4(expectedFraudShare(sim)), byType: {}, byCountry: {} },
    revenueAtStakeUsd: 0,
    carelessErrors: 0,
    traders: { total: sim.population.all.length, byRole: {}, byBehaviour: {}, fraudstersByType: {} },
    config: sim.config,
  };
  for (const ft of activeFraudTypes(sim.config)) s.fraud.byType[ft] = { declarations: 0, revenueAtStakeUsd: 0 };
  for (const c of sim.countries) {
    s.manifests.byCountry[c] = 0;
    s.declarations.byCountry[c] = { IM: 0, EX: 0, TR: 0, total: 0 };
    s.fraud.byCountry[c] = { declarations: 0, revenueAtStakeUsd: 0 };
  }
  for (const t of sim.population.all) {
    inc(s.traders.byRole, t.role);
    s.traders.byBehaviour[t.role] ??= {};
    inc(s.traders.byBehaviour[t.role], t.behaviour);
    if (t.fraudType) inc(s.traders.fraudstersByType, t.fraudType);
  }

  let lastDay = -1;
  const dayOf = (ts: string) => Math.round((Date.parse(ts.slice(0, 10)) - sim.startMs) / 86_400_000);
  const report = (day: number) => o.onDay?.({ day: day + 1, days: o.days, declarations: s.declarations.total, manifests: s.manifests.total });

  for (const r of sim.records()) {
    const day = dayOf(r.kind === 'manifest' ? r.record.arrivalAt : r.record.lodgedAt);
    if (day > lastDay) {
      if (lastDay >= 0) report(lastDay);
      lastDay = day;
    }
    if (r.kind === 'manifest') {
      s.manifests.total++;
      s.manifests.consignments += r.record.consignments.length;
      inc(s.manifests.byCountry, r.record.country);
      await w.manifests.line(JSON.stringify(r.record));
    } else {
      const d = r.record;
      s.declarations.total++;
      inc(s.declarations.byType, d.type);
      inc(s.declarations.byCountry[d.country], d.type);
      inc(s.declarations.byCountry[d.country], 'total');
      const t = r.truth;
      if (t.fraudType) {
        s.fraud.declarations++;
        const bt = (s.fraud.byType[t.fraudType] ??= { declarations: 0, revenueAtStakeUsd: 0 });
        bt.declarations++;
        bt.revenueAtStakeUsd += t.revenueAtStake;
        s.fraud.byCountry[d.country].declarations++;
        s.fraud.byCountry[d.country].revenueAtStakeUsd += t.revenueAtStake;
      }
      if ((t.details.errors as string[] | undefined)?.length) s.carelessErrors++;
      s.revenueAtStakeUsd += t.revenueAtStake;
      await w.declarations.line(JSON.stringify(d));
    }
    await w.truth.line(JSON.stringify(r.truth));
  }
  if (lastDay >= 0) report(o.days - 1);

  s.fraud.share = s.declarations.total ? round4(s.fraud.declarations / s.declarations.total) : 0;
  s.revenueAtStakeUsd = round2(s.revenueAtStakeUsd);
  for (const v of Object.values(s.fraud.byType)) v.revenueAtStakeUsd = round2(v.revenueAtStakeUsd);
  for (const v of Object.values(s.fraud.byCountry)) v.revenueAtStakeUsd = round2(v.revenueAtStakeUsd);

  await Promise.all(Object.values(w).map((x) => x.close()));
  fs.writeFileSync(path.join(o.outDir, SIM_FILES.summary), JSON.stringify(s, null, 2) + '\n');
  return s;
}

function round4(x: number) {
  return Math.round(x * 10_000) / 10_000;
}
