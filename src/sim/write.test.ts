import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSimulateOptions, simulateCommand } from '../cli/commands/simulate.ts';
import { defaultStart } from './period.ts';
import { sha256Hex } from '../core/hash.ts';
import { getReferenceData } from '../reference/index.ts';
import { createSimulation } from './generate.ts';
import { SIM_FILES, writeSimulation } from './write.ts';

const ref = getReferenceData();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-sim-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const lines = (f: string) => fs.readFileSync(f, 'utf8').trim().split('\n');

async function write(dir: string, seed: number) {
  const days = 3;
  const sim = createSimulation({ seed, days, scale: 0.3, start: '2026-04-06', countries: ['GT', 'CR'], ref });
  const progress: number[] = [];
  const summary = await writeSimulation(sim, { outDir: dir, seed, days, scale: 0.3, onDay: (p) => progress.push(p.day) });
  return { summary, progress };
}

describe('writeSimulation', () => {
  it('writes what customs sees apart from the truth, identically for a seed', async () => {
    const a = path.join(tmp, 'a');
    const { summary, progress } = await write(a, 21);
    await write(path.join(tmp, 'b'), 21);
    await write(path.join(tmp, 'c'), 22);
    for (const f of Object.values(SIM_FILES)) expect(fs.existsSync(path.join(a, f)), f).toBe(true);
    const hash = (d: string, f: string) => sha256Hex(fs.readFileSync(path.join(tmp, d, f)));
    for (const f of [SIM_FILES.manifests, SIM_FILES.declarations, SIM_FILES.truth, SIM_FILES.traders, SIM_FILES.summary]) expect(hash('b', f)).toBe(hash('a', f));
    expect(hash('c', SIM_FILES.declarations)).not.toBe(hash('a', SIM_FILES.declarations));

    const decls = lines(path.join(a, SIM_FILES.declarations)).map((l) => JSON.parse(l));
    const mans = lines(path.join(a, SIM_FILES.manifests));
    const truth = lines(path.join(a, SIM_FILES.truth)).map((l) => JSON.parse(l));
    expect(decls.length).toBe(summary.declarations.total);
    expect(mans.length).toBe(summary.manifests.total);
    expect(truth.length).toBe(decls.length + mans.length);
    for (const d of decls) {
      expect(d).not.toHaveProperty('fraudType');
      expect(d).not.toHaveProperty('truth');
      expect(JSON.stringify(d)).not.toMatch(/revenueAtStake|behaviour|trueValue/);
      expect(['GT', 'CR']).toContain(d.country);
    }
    expect(summary.fraud.declarations).toBe(truth.filter((t) => t.fraudType).length);
    expect(summary.countries).toEqual(['GT', 'CR']);
    expect(summary.declarations.byCountry.GT.total + summary.declarations.byCountry.CR.total).toBe(decls.length);
    expect(summary.config.fraudRate).toBe(0.6);
    expect(summary.start).toBe('2026-04-06');
    expect(summary.end).toBe('2026-04-08');
    expect(progress).toEqual([1, 2, 3]);
    const traders = lines(path.join(a, SIM_FILES.traders)).map((l) => JSON.parse(l));
    expect(traders.length).toBe(summary.traders.total);
    expect(traders.some((t) => t.behaviour === 'fraudster' && t.fraudType)).toBe(true);
  });
});

describe('centinela simulate options', () => {
  const now = new Date('2026-05-20T15:00:00Z');
  const base = { seed: '1', days: '30', scale: '1', out: '/tmp/x' };
  const err = (o: Partial<typeof base> & { start?: string; countries?: string }) => {
    const r = parseSimulateOptions({ ...base, ...o }, now);
    return 'error' in r ? r.error : '';
  };

  it('defaults the start so that the period ends yesterday', () => {
    expect(defaultStart(30, now)).toBe('2026-04-20');
    const r = parseSimulateOptions(base, now);
    expect(r).toEqual({ seed: 1, days: 30, scale: 1, out: '/tmp/x', start: '2026-04-20' });
  });

  it('names the option at fault', () => {
    expect(err({ days: '0' })).toMatch(/^--days must be a whole number from 1 to 3660/);
    expect(err({ days: '3661' })).toMatch(/^--days/);
    expect(err({ days: '1.5' })).toMatch(/^--days/);
    expect(err({ seed: '-1' })).toMatch(/^--seed/);
    expect(err({ seed: 'abc' })).toMatch(/^--seed/);
    expect(err({ scale: '0' })).toMatch(/^--scale/);
    expect(err({ scale: 'x' })).toMatch(/^--scale/);
    expect(err({ out: '' })).toMatch(/^--out/);
    expect(err({ start: '2026-02-30' })).toMatch(/^--start must be a date/);
    expect(err({ start: '2026-05-01' })).toMatch(/^--start .* not yet over/);
    expect(defaultStart(1, new Date('2026-05-20T05:00:00Z'))).toBe('2026-05-18'); // still the 19th in Guatemala
    expect(err({ countries: 'GT,XX' })).toMatch(/^--countries .*unknown: XX/);
    expect(parseSimulateOptions({ ...base, countries: 'gt, sv' }, now)).toMatchObject({ countries: ['GT', 'SV'] });
  });

  it('runs from the command line and writes the files', async () => {
    const out = path.join(tmp, 'cli');
    const write = process.stderr.write;
    let stderr = '';
    process.stderr.write = ((s: string) => {
      stderr += s;
      return true;
    }) as typeof process.stderr.write;
    try {
      await simulateCommand().parseAsync(['--seed', '4', '--days', '2', '--scale', '0.1', '--start', '2026-01-05', '--countries', 'NI', '--out', out], { from: 'user' });
    } finally {
      process.stderr.write = write;
    }
    expect(stderr).toMatch(/simulate: day 2\/2/);
    const summary = JSON.parse(fs.readFileSync(path.join(out, SIM_FILES.summary), 'utf8'));
    expect(summary.countries).toEqual(['NI']);
    expect(summary.declarations.total).toBeGreaterThan(0);
    expect(process.exitCode ?? 0).toBe(0);
  });
});
