/**
 * The CLI as a newcomer meets it: `risk backtest --help` names the variables an expression may use
 * and what --from/--to mean, its errors name the real options, and `simulate` and
 * `transit simulate` choose their start the same way (the period ends yesterday in Central America).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.ts';
import { riskCommand } from '../src/cli/commands/risk.ts';
import { parseSimulateOptions, simulateCommand } from '../src/cli/commands/simulate.ts';
import { transitCommand, transitSimulateStart } from '../src/cli/commands/transit.ts';
import type { Database } from '../src/db/client.ts';
import { describeEachDb, openTestPostgres, TEST_PG_URL } from '../src/db/testing.ts';
import { CEL_FUNCTIONS, CEL_TYPES, STAGE_VARIABLES } from '../src/modules/risk/cel.ts';
import { DEFAULT_START_HELP, defaultStart } from '../src/sim/period.ts';

const cli = runCli;

describe('risk backtest --help', () => {
  it('names every variable an expression may use, with its fields, the functions, and what --from and --to mean', async () => {
    const { out } = await cli(riskCommand, ['backtest', '--help']);
    const help = out.replace(/\s+/g, ' ');
    for (const [name, type] of Object.entries(STAGE_VARIABLES.declaration)) {
      expect(help).toContain(` ${name} `);
      for (const field of Object.keys(CEL_TYPES[type])) expect(help, `${name}.${field}`).toContain(field);
    }
    expect(Object.keys(STAGE_VARIABLES.declaration)).toEqual(expect.arrayContaining(['decl', 'trader', 'consignment']));
    for (const field of Object.keys(CEL_TYPES.Item)) expect(help).toContain(field);
    for (const f of Object.values(CEL_FUNCTIONS)) expect(help).toContain(f.signature);
    expect(help).toMatch(/--from .*included/);
    expect(help).toMatch(/--to .*excluded/);
    expect(help).toContain('YYYY-MM-DD');
    expect(help).toContain('at most a year');
  });
});

describe('risk backtest errors name the real option', () => {
  it('without an expression or a criterion: names --expression, --file and --criterion, and opens nothing', async () => {
    const r = await cli(riskCommand, ['backtest', '--data-dir', path.join(os.tmpdir(), 'centinela-never-opened')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--criterion');
    expect(r.err).toContain('--expression');
    expect(r.err).toContain('--file');
    expect(r.err).not.toContain('criterionId');
    expect(fs.existsSync(path.join(os.tmpdir(), 'centinela-never-opened'))).toBe(false);
  });

  it('a criterion id that is not one, a date that is not one, a period backwards: each names its option', async () => {
    const bad = await cli(riskCommand, ['backtest', '--criterion', 'not-an-id']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--criterion');
    expect(bad.err).not.toContain('criterionId');
    const date = await cli(riskCommand, ['backtest', '--expression', 'decl.type == "IM"', '--from', 'last year']);
    expect(date.code).toBe(2);
    expect(date.err).toContain('--from');
    const backwards = await cli(riskCommand, ['backtest', '--expression', 'decl.type == "IM"', '--from', '2026-04-01', '--to', '2026-01-01']);
    expect(backwards.code).toBe(2);
    expect(backwards.err).toMatch(/--from .* before --to/);
    const noFile = await cli(riskCommand, ['backtest', '--file', path.join(os.tmpdir(), 'no-such-expression.cel')]);
    expect(noFile.code).toBe(2);
    expect(noFile.err).toContain('--file');
  });
});

describeEachDb('risk backtest on %s', (kind) => {
  let dbArgs: string[];
  let tmp: string | undefined;
  let pgDb: Database | undefined;

  beforeAll(async () => {
    if (kind === 'pglite') {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-cli-backtest-'));
      dbArgs = ['--data-dir', tmp];
    } else {
      pgDb = await openTestPostgres();
      const u = new URL(TEST_PG_URL!);
      u.pathname = new URL(pgDb.location).pathname;
      dbArgs = ['--database-url', u.toString()];
    }
  });
  afterAll(async () => {
    await pgDb?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('runs over the period given, and the service\'s errors name the options (--from, --expression)', async () => {
    const ok = await cli(riskCommand, ['backtest', ...dbArgs, '--expression', 'decl.type == "IM"', '--from', '2026-01-01', '--to', '2026-04-01']);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('backtest over 0 declarations of GT (2026-01-01 to 2026-04-01)');

    const long = await cli(riskCommand, ['backtest', ...dbArgs, '--expression', 'decl.type == "IM"', '--from', '2024-01-01', '--to', '2026-01-01']);
    expect(long.code).toBe(1);
    expect(long.err).toContain('--from: a backtest covers at most a year');

    const unknown = await cli(riskCommand, ['backtest', ...dbArgs, '--expression', 'decl.nosuchfield == 1']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/\n {2}--expression: /);
  });
});

describe('simulate and transit simulate start the same way', () => {
  it('both default to --days days before today in Central America, so the period ends yesterday there', () => {
    for (const now of [new Date('2026-05-20T05:00:00Z'), new Date('2026-05-20T12:00:00Z'), new Date('2027-01-01T03:00:00Z')]) {
      for (const days of ['1', '14', '30']) {
        const sim = parseSimulateOptions({ seed: '1', days, scale: '1', out: 'x' }, now);
        if ('error' in sim) throw new Error(sim.error);
        const transit = transitSimulateStart({ days }, now);
        if (typeof transit !== 'number') throw new Error(transit.error);
        expect(new Date(transit).toISOString().slice(0, 10)).toBe(sim.start);
        expect(sim.start).toBe(defaultStart(Number(days), now));
      }
    }
    // 05:00 UTC on the 20th is still the 19th in Guatemala: one day ending yesterday there starts on the 18th
    expect(transitSimulateStart({ days: '1' }, new Date('2026-05-20T05:00:00Z'))).toBe(Date.UTC(2026, 4, 18));
  });

  it('both say so in --help, in the same words', async () => {
    const a = (await cli(simulateCommand, ['--help'])).out.replace(/\s+/g, ' ');
    const b = (await cli(transitCommand, ['simulate', '--help'])).out.replace(/\s+/g, ' ');
    expect(a).toContain(DEFAULT_START_HELP);
    expect(b).toContain(DEFAULT_START_HELP);
  });

  it('transit simulate without --start writes a period that ends yesterday; a bad --start or --days is named', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-transit-sim-'));
    try {
      const r = await cli(transitCommand, ['simulate', '--days', '3', '--movements-per-day', '4', '--arrivals-per-day', '1', '--out', out]);
      expect(r.code).toBe(0);
      const movements = fs
        .readFileSync(path.join(out, 'movements.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { departureAt: string });
      expect(movements.length).toBeGreaterThan(0);
      const first = Date.parse(`${defaultStart(3)}T00:00:00Z`);
      for (const m of movements) {
        expect(Date.parse(m.departureAt)).toBeGreaterThanOrEqual(first);
        expect(Date.parse(m.departureAt)).toBeLessThan(first + 3 * 86_400_000);
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
    const bad = await cli(transitCommand, ['simulate', '--start', '2026-02-30']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--start must be a date as YYYY-MM-DD');
    const days = await cli(transitCommand, ['simulate', '--days', 'ten']);
    expect(days.code).toBe(2);
    expect(days.err).toContain('--days');
  });
});
