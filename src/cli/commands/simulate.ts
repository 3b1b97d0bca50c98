import path from 'node:path';
import { Command } from 'commander';
import { getReferenceData } from '../../reference/index.ts';
import { ADMINISTRATIONS } from '../../reference/types.ts';
import { createSimulation } from '../../sim/generate.ts';
import { DEFAULT_START_HELP, defaultStart, parseIsoDate, regionToday } from '../../sim/period.ts';
import { SIM_FILES, writeSimulation } from '../../sim/write.ts';
import { TAX_FILES, writeTaxSide } from '../../sim/write-tax.ts';
import { fmt } from '../progress.ts';

interface SimulateOpts {
  seed: string;
  days: string;
  scale: string;
  out?: string;
  start?: string;
  countries?: string;
  tax?: boolean;
}

export interface ParsedSimulateOptions {
  seed: number;
  days: number;
  scale: number;
  out: string;
  start: string;
  countries?: string[];
}

const DAY_MS = 86_400_000;

/** Checks the options; the answer is either the parsed options or a message naming the option at fault. */
export function parseSimulateOptions(o: SimulateOpts, now: Date = new Date()): ParsedSimulateOptions | { error: string } {
  const whole = /^\d+$/;
  if (!whole.test(o.seed.trim()) || !Number.isSafeInteger(Number(o.seed))) return { error: '--seed must be a whole number from 0 to 9007199254740991' };
  const seed = Number(o.seed);
  if (!whole.test(o.days.trim()) || Number(o.days) < 1 || Number(o.days) > 3660) return { error: '--days must be a whole number from 1 to 3660' };
  const days = Number(o.days);
  const scale = Number(o.scale);
  if (o.scale.trim() === '' || !Number.isFinite(scale) || scale <= 0 || scale > 100) return { error: '--scale must be a number above 0 and at most 100 (1 = about 1,500 declarations a day)' };
  if (!o.out || !o.out.trim()) return { error: '--out is required: the directory to write the files to' };
  let start: string;
  if (o.start !== undefined) {
    const t = parseIsoDate(o.start);
    if (Number.isNaN(t)) return { error: `--start must be a date as YYYY-MM-DD, e.g. 2026-01-15 (got "${o.start}")` };
    if (t + days * DAY_MS > regionToday(now))
      return {
        error: `--start ${o.start} with --days ${days} would simulate days not yet over in Central America; declarations dated in the future are rejected on import. Use a --start of ${defaultStart(days, now)} or earlier`,
      };
    if (t < Date.UTC(2000, 0, 1)) return { error: '--start must be 2000-01-01 or later' };
    start = o.start.trim();
  } else start = defaultStart(days, now);
  let countries: string[] | undefined;
  if (o.countries !== undefined) {
    countries = o.countries
      .split(',')
      .map((c) => c.trim().toUpperCase())
      .filter(Boolean);
    const unknown = countries.filter((c) => !(ADMINISTRATIONS as readonly string[]).includes(c));
    if (countries.length === 0 || unknown.length)
      return { error: `--countries must be a comma-separated list of ${ADMINISTRATIONS.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}` };
  }
  return { seed, days, scale, out: o.out, start, ...(countries ? { countries } : {}) };
}

export function simulateCommand(): Command {
  return new Command('simulate')
    .description(
      "Simulate the region's trade with ground-truth fraud: manifests and declarations of GT SV HN NI CR PA DO, " +
        'written as JSON Lines (load them with `centinela import --dir DIR`). Deterministic: the same options give the same files.',
    )
    .option('--seed <n>', 'random seed (whole number)', '1')
    .option('--days <n>', 'number of days to simulate (1 to 3660)', '30')
    .option('--scale <x>', 'volume multiplier: 1 = about 1,500 declarations a day across the region', '1')
    .option('--out <dir>', `output directory (required): ${Object.values(SIM_FILES).join(', ')}`)
    .option('--start <date>', `first simulated day, YYYY-MM-DD (${DEFAULT_START_HELP})`)
    .option('--countries <list>', `administrations to simulate, comma-separated (default: all of ${ADMINISTRATIONS.join(',')})`)
    .option('--tax', `also write the tax administration's returns with planted mismatches and the post-clearance truth (${Object.values(TAX_FILES).join(', ')}; load the returns with \`centinela pca import-tax\`)`)
    .addHelpText(
      'after',
      `
Files written to --out:
  ${SIM_FILES.manifests}     what carriers send (vessel, flight and truck manifests)
  ${SIM_FILES.declarations}  what traders lodge (IM, EX, TR); no truth inside
  ${SIM_FILES.truth}  per record: fraud type, revenue at stake (USD), true values
  ${SIM_FILES.traders}       the trader population with its behaviour (truth)
  ${SIM_FILES.summary}        counts by country, type and fraud type; the config and seed

Example:
  centinela simulate --seed 7 --days 30 --scale 0.5 --out ./sim --countries GT,SV,HN`,
    )
    .action(async (raw: SimulateOpts) => {
      const o = parseSimulateOptions(raw);
      if ('error' in o) {
        process.stderr.write(`centinela simulate: ${o.error}\n`);
        process.exitCode = 2;
        return;
      }
      const started = Date.now();
      const sim = createSimulation({ seed: o.seed, days: o.days, scale: o.scale, start: o.start, countries: o.countries, ref: getReferenceData() });
      const every = Math.max(1, Math.round(o.days / 10));
      let lastPrint = 0;
      const summary = await writeSimulation(sim, {
        outDir: o.out,
        seed: o.seed,
        days: o.days,
        scale: o.scale,
        onDay: (p) => {
          const now = Date.now();
          if (p.day % every === 0 || p.day === p.days || now - lastPrint >= 1000) {
            lastPrint = now;
            process.stderr.write(`simulate: day ${p.day}/${p.days}, ${fmt(p.declarations)} declarations, ${fmt(p.manifests)} manifests\n`);
          }
        },
      });
      const secs = (Date.now() - started) / 1000;
      process.stderr.write(
        `simulate: ${fmt(summary.declarations.total)} declarations and ${fmt(summary.manifests.total)} manifests ` +
          `(${summary.start} to ${summary.end}, ${sim.countries.join(',')}), ${fmt(summary.fraud.declarations)} with fraud ` +
          `(${(summary.fraud.share * 100).toFixed(2)}%), USD ${fmt(Math.round(summary.revenueAtStakeUsd))} at stake; ` +
          `written to ${path.resolve(o.out)} in ${secs.toFixed(1)} s\n`,
      );
      if (raw.tax) {
        const tax = await writeTaxSide(o.out, o.seed);
        process.stderr.write(`simulate: ${fmt(tax.returns)} tax returns (${fmt(tax.planted)} with a planted mismatch), ${fmt(tax.frauds)} import frauds in the post-clearance truth\n`);
      }
      process.exitCode = 0;
    });
}
