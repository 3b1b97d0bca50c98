import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { FixedClock, systemClock, type Clock } from '../../core/clock.ts';
import type { Database } from '../../db/client.ts';
import { SYSTEM_PRINCIPAL } from '../../modules/access/types.ts';
import { buildServices } from '../../app/services.ts';
import { ALERT_KINDS } from '../../modules/transit/detectors.ts';
import { parseJsonLines } from '../../modules/transit/routes.ts';
import { TransitService } from '../../modules/transit/service.ts';
import { getReferenceData } from '../../reference/index.ts';
import { DEFAULT_START_HELP, defaultStart, parseIsoDate } from '../../sim/period.ts';
import { simulateTransit } from '../../sim/transit/index.ts';
import { openCliDatabase, withDbOptions } from '../context.ts';
import { fmt, Progress } from '../progress.ts';

async function withService<T>(o: { databaseUrl?: string; dataDir?: string; now?: string }, f: (s: TransitService, database: Database, clock: Clock) => Promise<T>): Promise<T | undefined> {
  let database: Database | undefined;
  try {
    let config;
    ({ database, config } = await openCliDatabase(o));
    const clock = o.now ? new FixedClock(o.now) : systemClock;
    // the composition root's transit: only the administrations this node serves, and the hand-off to
    // partners written to the exchange's outbox (the running server's relay publishes it)
    return await f(buildServices({ db: database.db, ref: getReferenceData(), clock, config }).transit, database, clock);
  } catch (e) {
    process.exitCode = 1;
    process.stderr.write(`centinela: ${(e as Error).message}\n`);
    return undefined;
  } finally {
    await database?.close();
  }
}

const cli = (country = 'GT') => SYSTEM_PRINCIPAL(country, 'cli');

async function importEventLines(s: TransitService, records: { line: number; value: unknown }[], label: string, batch = 1000) {
  const p = new Progress(label);
  const tot = { recorded: 0, duplicates: 0, rejected: [] as { line: number; eventId?: string; errors: { path: string; message: string }[] }[], alerts: 0, withdrawn: 0 };
  for (let i = 0; i < records.length; i += batch) {
    const chunk = records.slice(i, i + batch);
    const r = await s.ingestEvents(chunk.map((x) => x.value), cli(), 'cli');
    tot.recorded += r.recorded;
    tot.duplicates += r.duplicates;
    tot.alerts += r.alertsRaised;
    tot.withdrawn += r.alertsWithdrawn;
    tot.rejected.push(...r.rejected.map((x) => ({ line: chunk[x.index].line, eventId: x.eventId, errors: x.errors })));
    p.update(`${fmt(i + chunk.length)} / ${fmt(records.length)} events, ${fmt(tot.alerts)} alerts`);
  }
  p.done(`${fmt(tot.recorded)} recorded, ${fmt(tot.duplicates)} duplicates, ${fmt(tot.rejected.length)} rejected, ${fmt(tot.alerts)} alerts raised, ${fmt(tot.withdrawn)} withdrawn (explained by later events)`);
  return tot;
}

/**
 * The first day of `transit simulate`, as UTC midnight ms: `--start`, else the same default as
 * `centinela simulate` (the period ends yesterday in Central America); or the error naming the option.
 */
export function transitSimulateStart(o: { days: string; start?: string }, now: Date = new Date()): number | { error: string } {
  if (!/^\d+$/.test(o.days.trim()) || Number(o.days) < 1 || Number(o.days) > 3660) return { error: '--days must be a whole number from 1 to 3660' };
  if (o.start === undefined) return parseIsoDate(defaultStart(Number(o.days), now));
  const t = parseIsoDate(o.start);
  return Number.isNaN(t) ? { error: `--start must be a date as YYYY-MM-DD, e.g. 2026-01-15 (got "${o.start}")` } : t;
}

export function transitCommand(): Command {
  const transit = new Command('transit').description('Transit control: movements under seal across the region, their events, alerts, the ledger, port reconciliation');

  withDbOptions(
    transit
      .command('import-events')
      .argument('<file>', 'JSON Lines file, one event a line')
      .description('Record events in bulk (idempotent on eventId; out-of-order is fine): prints each rejected line with the fields at fault'),
  ).action(async (file: string, o) => {
    await withService(o, async (s) => {
      const { records, bad } = parseJsonLines(fs.readFileSync(file, 'utf8'));
      const r = await importEventLines(s, records, 'import-events');
      for (const b of bad) process.stdout.write(`line ${b.line}: ${b.errors[0].message}\n`);
      for (const x of r.rejected.slice(0, 200)) process.stdout.write(`line ${x.line}${x.eventId ? ` (${x.eventId})` : ''}: ${x.errors.map((e) => `${e.path || '(record)'}: ${e.message}`).join('; ')}\n`);
      if (bad.length || r.rejected.length) process.exitCode = 1;
    });
  });

  withDbOptions(
    transit
      .command('import-movements')
      .argument('<file>', 'JSON Lines file, one transit declaration a line')
      .description('Declare transits in bulk (idempotent on country + reference)'),
  ).action(async (file: string, o) => {
    await withService(o, async (s) => {
      const { records, bad } = parseJsonLines(fs.readFileSync(file, 'utf8'));
      const r = await s.declareMovements(records.map((x) => x.value), cli());
      process.stdout.write(`${r.outcomes.filter((x) => x.status === 'created').length} declared, ${r.outcomes.filter((x) => x.status === 'amended').length} amended, ${r.outcomes.filter((x) => x.status === 'unchanged').length} unchanged, ${r.rejections.length + bad.length} rejected\n`);
      for (const x of r.rejections.slice(0, 200)) process.stdout.write(`line ${records[x.index].line}: ${x.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}\n`);
      if (bad.length || r.rejections.length) process.exitCode = 1;
    });
  });

  withDbOptions(
    transit.command('verify').description("Recompute every movement's hash chain; names each altered or removed event and its movement (exit code 1 if any)").option('--json', 'print the result as JSON'),
  ).action(async (o) => {
    await withService(o, async (s) => {
      const p = new Progress('transit verify');
      const r = await s.verify({ onProgress: (n) => p.update(`${fmt(n)} events`) });
      p.done(`${fmt(r.events)} events in ${fmt(r.chains)} chains`);
      if (o.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else if (r.ok) process.stdout.write(`transit ledger OK: ${fmt(r.events)} events in ${fmt(r.chains)} chains\n`);
      else {
        for (const x of r.problems) process.stdout.write(`${x.subject} seq ${x.seq}${x.eventId ? ` event ${x.eventId}` : ''}: ${x.kind} — ${x.detail}\n`);
        process.stdout.write(`transit ledger FAILED: ${r.problems.length} problem(s)\n`);
      }
      if (!r.ok) process.exitCode = 1;
    });
  });

  withDbOptions(
    transit
      .command('alerts')
      .description('List transit and port alerts, each explained in plain words')
      .option('--country <CC>', 'only alerts concerning this administration')
      .option('--kind <kind>', `one of ${ALERT_KINDS.join(', ')}`)
      .option('--status <status>', 'open, withdrawn (explained away by a later event, with the reason) or all', 'open')
      .option('--sweep', 'first run the time-based detectors (overdue, never closed, port reconciliation)')
      .option('--now <iso>', 'judge as of this time (replays, tests)')
      .option('--lang <es|en>', 'language of the explanations', 'es')
      .option('--limit <n>', 'at most this many', '200')
      .option('--json', 'print JSON'),
  ).action(async (o) => {
    if (o.kind && !(ALERT_KINDS as readonly string[]).includes(o.kind)) {
      process.stderr.write(`centinela: --kind must be one of ${ALERT_KINDS.join(', ')}\n`);
      process.exitCode = 2;
      return;
    }
    if (!['open', 'withdrawn', 'all'].includes(o.status)) {
      process.stderr.write('centinela: --status must be open, withdrawn or all\n');
      process.exitCode = 2;
      return;
    }
    await withService(o, async (s) => {
      if (o.sweep) {
        const p = new Progress('sweep');
        const r = await s.sweep(cli(), { onProgress: (n) => p.update(`${fmt(n)} movements`) });
        p.done(`${fmt(r.movements)} movements and ${fmt(r.arrivals)} arrivals checked, ${fmt(r.alertsRaised)} new alerts`);
      }
      const list = await s.alerts({ concerning: o.country, kind: o.kind, status: o.status, limit: Number(o.limit) });
      if (o.json) process.stdout.write(JSON.stringify(list, null, 2) + '\n');
      else {
        for (const a of list) {
          process.stdout.write(`${a.raisedAt.slice(0, 16)} ${a.severity.padEnd(8)} ${a.kind.padEnd(28)} ${a.subject}  [${a.countries.join(',')}]${a.status === 'withdrawn' ? '  WITHDRAWN' : ''}\n    ${o.lang === 'en' ? a.message.en : a.message.es}\n`);
          if (a.withdrawal) process.stdout.write(`    ${o.lang === 'en' ? a.withdrawal.message.en : a.withdrawal.message.es}\n`);
        }
        process.stdout.write(`${list.length} alert(s)\n`);
      }
    });
  });

  withDbOptions(
    transit
      .command('reconcile')
      .description('Integrated cargo control for one arrival: manifest ↔ discharge ↔ declaration, with the unmatched items')
      .requiredOption('--arrival <CC/MANIFEST>', 'the administration and manifest reference, e.g. GT/MFGTPRQ00012')
      .option('--now <iso>', 'judge as of this time')
      .option('--json', 'print JSON'),
  ).action(async (o) => {
    const m = /^([A-Z]{2})\/(.+)$/.exec(o.arrival);
    if (!m) {
      process.stderr.write('centinela: --arrival must be CC/MANIFEST, e.g. GT/MFGTPRQ00012\n');
      process.exitCode = 2;
      return;
    }
    await withService(o, async (s) => {
      const r = await s.reconcile(m[1], m[2]);
      if (o.json) return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      process.stdout.write(`arrival ${r.arrival.country}/${r.arrival.manifest} at ${r.arrival.office}, ${r.arrival.arrivalAt}: ${Object.entries(r.summary).map(([k, v]) => `${v} ${k}`).join(', ')}\n`);
      for (const l of r.lines)
        process.stdout.write(
          `  ${l.status.padEnd(15)} ${l.transportDocument.padEnd(20)} manifest ${l.manifest ? `${l.manifest.packages} pk ${l.manifest.grossMassKg} kg` : '—'}; discharge ${l.discharge ? `${l.discharge.packages} pk ${l.discharge.grossMassKg} kg` : '—'}; declarations ${l.declarations.map((d) => d.reference).join(', ') || '—'}${l.notes.length ? `  (${l.notes.join('; ')})` : ''}\n`,
        );
      process.stdout.write(`${r.unmatched.length} unmatched item(s)\n`);
    });
  });

  withDbOptions(
    transit
      .command('simulate')
      .description('Simulate the region’s transit (trucks across the real crossings, port arrivals) with planted anomalies and their ground truth')
      .option('--seed <n>', 'random seed', '1')
      .option('--days <n>', 'days of traffic', '30')
      .option('--start <date>', `first day of departures, YYYY-MM-DD (${DEFAULT_START_HELP}; trucks still on the road then arrive later)`)
      .option('--movements-per-day <n>', 'transits departing per day', '20')
      .option('--arrivals-per-day <n>', 'vessel arrivals per day', '3')
      .option('--anomaly-rate <r>', 'share of transits and consignments with a planted anomaly', '0.15')
      .option('--out <dir>', 'write movements.jsonl, events.jsonl, manifests.jsonl, declarations.jsonl and truth.json here')
      .option('--load', 'load it into the database with the clock set 20 days after the period (so every truck has arrived or is overdue), sweep, and print the alerts per kind'),
  ).action(async (o) => {
    const start = transitSimulateStart(o);
    if (typeof start !== 'number') {
      process.stderr.write(`centinela transit simulate: ${start.error}\n`);
      process.exitCode = 2;
      return;
    }
    const ref = getReferenceData();
    const sim = simulateTransit({ seed: Number(o.seed), days: Number(o.days), start: new Date(start), ref, movementsPerDay: Number(o.movementsPerDay), arrivalsPerDay: Number(o.arrivalsPerDay), anomalyRate: Number(o.anomalyRate) });
    const st = sim.stats;
    process.stdout.write(
      `${fmt(st.movements)} transits (${fmt(st.declaredLimits)} with a declared time limit, ${fmt(st.lateButLegal)} late but within it), ${fmt(st.events)} events (${fmt(st.outOfOrder)} out of order, ${fmt(st.duplicates)} duplicates, ${fmt(st.identifiedByPost)} naming the transit by seal, plate or container, ${fmt(st.clonesBeforeTwins)} clones read before their twins), ${fmt(st.arrivals)} arrivals, ${fmt(sim.truth.length)} planted anomalies; judged as of ${sim.evaluateAt.toISOString()}\n`,
    );
    if (o.out) {
      fs.mkdirSync(o.out, { recursive: true });
      const jl = (name: string, rows: unknown[]) => fs.writeFileSync(path.join(o.out, name), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
      jl('movements.jsonl', sim.movements);
      jl('events.jsonl', sim.events);
      jl('manifests.jsonl', sim.manifests);
      jl('declarations.jsonl', sim.declarations);
      fs.writeFileSync(path.join(o.out, 'truth.json'), JSON.stringify({ evaluateAt: sim.evaluateAt, truth: sim.truth }, null, 2));
      process.stdout.write(`written to ${o.out}\n`);
    }
    if (o.load) {
      await withService({ ...o, now: sim.evaluateAt.toISOString() }, async (s, database, clock) => {
        const { intake } = buildServices({ db: database.db, ref, clock, config: { randomControlRate: 0.05 } });
        await intake.submitManifests(sim.manifests, cli(), 'sim');
        await intake.submitDeclarations(sim.declarations, cli(), 'sim');
        const mv = await s.declareMovements(sim.movements, cli());
        process.stdout.write(`${mv.outcomes.length} transits declared, ${mv.rejections.length} rejected\n`);
        await importEventLines(s, sim.events.map((value, i) => ({ line: i + 1, value })), 'events');
        const r = await s.sweep(cli());
        const all = await s.alerts({ limit: 1_000_000 });
        process.stdout.write(`sweep: ${r.alertsRaised} alerts; in all ${all.length} alerts:\n`);
        for (const k of ALERT_KINDS) process.stdout.write(`  ${k.padEnd(28)} ${String(all.filter((a) => a.kind === k).length).padStart(5)} raised, ${String(sim.truth.filter((t) => t.kind === k).length).padStart(5)} planted\n`);
      });
    }
  });

  return transit;
}
