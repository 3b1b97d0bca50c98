import fs from 'node:fs';
import { Command } from 'commander';
import { systemClock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import type { Database } from '../../db/client.ts';
import { SYSTEM_PRINCIPAL, type Principal } from '../../modules/access/types.ts';
import { backtestInput, criterionInput } from '../../modules/risk/schema.ts';
import { RiskService } from '../../modules/risk/service.ts';
import { openCliDatabase, withDbOptions } from '../context.ts';

/**
 * `centinela risk`: criteria (list, show, create, submit, approve, suspend), backtest,
 * effectiveness and replay. The CLI acts as Centinela itself; `--as NAME` names who acts in the
 * audit log, and approval refuses the name that wrote the version (four eyes).
 */
async function withRisk<T>(o: { databaseUrl?: string; dataDir?: string }, f: (s: RiskService, db: Database) => Promise<T>): Promise<void> {
  let database: Database | undefined;
  try {
    let config;
    ({ database, config } = await openCliDatabase(o));
    const s = new RiskService({ db: database.db, clock: systemClock, config });
    const out = await f(s, database);
    if (out !== undefined) process.stdout.write(typeof out === 'string' ? `${out}\n` : `${JSON.stringify(out, null, 2)}\n`);
  } catch (e) {
    process.exitCode = 1;
    const errs = e instanceof AppError && e.errors.length ? `\n${e.errors.map((x) => `  ${x.path}: ${x.message}`).join('\n')}` : '';
    process.stderr.write(`centinela: ${(e as Error).message}${errs}\n`);
  } finally {
    await database?.close();
  }
}

const actor = (o: { country?: string; as?: string }): Principal => ({ ...SYSTEM_PRINCIPAL(o.country ?? 'GT', o.as ?? 'cli'), id: o.as ?? 'cli' });

export function riskCommand(): Command {
  const risk = new Command('risk').description('Risk engine: criteria and their approval, backtests, effectiveness, replay of decisions');
  const criteria = risk.command('criteria').description('Risk criteria (CEL) with four-eyes approval and versions');
  const common = (c: Command) => withDbOptions(c).option('--country <CC>', 'administration', 'GT').option('--as <name>', 'who acts (recorded in the audit log)', 'cli');

  common(criteria.command('list').description('List the criteria of an administration').option('--status <status>', 'only this status')).action((o) =>
    withRisk(o, async (s) => {
      const items = await s.listCriteria(actor(o), { country: o.country, status: o.status });
      return items.map((c) => `${c.id}  ${c.status.padEnd(18)} v${c.activeVersion?.version ?? '-'}${c.pendingVersion ? ` (v${c.pendingVersion.version} ${c.pendingVersion.status})` : ''}  ${c.name}`).join('\n') || '(no criteria)';
    }),
  );
  common(criteria.command('show').argument('<id>')).action((id: string, o) => withRisk(o, (s) => s.getCriterion(actor(o), id)));
  common(
    criteria
      .command('create')
      .description('Write a criterion from a JSON file ({name, reason, expression, scope, weight, forcedChannel, ...}) or options')
      .option('--file <json>', 'the criterion as JSON')
      .option('--name <name>')
      .option('--reason <text>')
      .option('--expression <cel>')
      .option('--weight <points>', 'score points', (v) => Number(v))
      .option('--forced-channel <channel>', 'red | yellow | blue'),
  ).action((o) =>
    withRisk(o, async (s) => {
      const raw = o.file ? JSON.parse(fs.readFileSync(o.file, 'utf8')) : { name: o.name, reason: o.reason, expression: o.expression, weight: o.weight, forcedChannel: o.forcedChannel ?? null };
      const input = criterionInput.parse({ country: o.country, ...raw });
      const c = await s.createCriterion(actor(o), input);
      return `created ${c.id} (${c.status}); submit it with: centinela risk criteria submit ${c.id}`;
    }),
  );
  common(criteria.command('submit').argument('<id>')).action((id: string, o) => withRisk(o, async (s) => `${(await s.submitCriterion(actor(o), id)).status}`));
  common(criteria.command('approve').argument('<id>').option('--note <text>')).action((id: string, o) => withRisk(o, async (s) => `${(await s.approveCriterion(actor(o), id, o.note)).status}`));
  common(criteria.command('suspend').argument('<id>').requiredOption('--reason <text>')).action((id: string, o) => withRisk(o, async (s) => `${(await s.suspendCriterion(actor(o), id, o.reason)).status}`));

  common(
    risk
      .command('backtest')
      .description('Run an expression (or a criterion) over up to a year of history: selected, hits, precision, revenue')
      .option('--file <expr>', 'a file holding the CEL expression')
      .option('--expression <cel>', 'the CEL expression')
      .option('--criterion <id>', 'a stored criterion (its pending version, else its active one)')
      .option('--from <date>')
      .option('--to <date>')
      .option('--labels <auto|results|ground_truth>', 'what counts as a hit', 'auto'),
  ).action((o) =>
    withRisk(o, async (s) => {
      const expression = o.file ? fs.readFileSync(o.file, 'utf8') : o.expression;
      const iso = (d?: string) => (d ? new Date(d).toISOString() : undefined);
      const r = await s.backtest(actor(o), backtestInput.parse({ country: o.country, expression, criterionId: o.criterion, from: iso(o.from), to: iso(o.to), labels: o.labels }));
      return [
        `backtest over ${r.declarations.toLocaleString('en-US')} declarations of ${r.country} (${r.from.slice(0, 10)} to ${r.to.slice(0, 10)}) in ${r.seconds.toFixed(2)} s`,
        `selected ${r.selected} (${(r.selectionRate * 100).toFixed(2)}%), labelled ${r.labelled}, hits ${r.hits}, precision ${r.precision === null ? 'n/a' : `${(r.precision * 100).toFixed(1)}%`}${r.recall !== null ? `, recall ${(r.recall * 100).toFixed(1)}%` : ''}${r.lift !== null ? `, lift ${r.lift.toFixed(1)}x over the base rate` : ''}`,
        `revenue USD ${r.revenueUsd.toLocaleString('en-US')}; labels: ${r.labelsNote}`,
        ...(r.errors ? [`could not be evaluated on ${r.errors} declarations${r.budgetExceeded ? ` (${r.budgetExceeded} over the time budget of one evaluation)` : ''}: ${(r.errorSamples ?? []).map((x) => `${x.reference}: ${x.message}`).join('; ')}`] : []),
      ].join('\n');
    }),
  );
  common(risk.command('effectiveness').description('Hit rates and revenue per criterion, office, officer and channel').option('--from <date>').option('--to <date>').option('--json', 'the full answer as JSON')).action((o) =>
    withRisk(o, async (s) => {
      const e = await s.effectiveness(actor(o), { country: o.country, from: o.from && new Date(o.from).toISOString(), to: o.to && new Date(o.to).toISOString() });
      if (o.json) return e;
      const line = (r: { label: string; controls: number; hits: number; hitRate: number; extraRevenueUsd: number }) => `  ${r.label.slice(0, 44).padEnd(44)} ${String(r.controls).padStart(6)} ${String(r.hits).padStart(5)} ${(r.hitRate * 100).toFixed(1).padStart(6)}% ${r.extraRevenueUsd.toLocaleString('en-US').padStart(12)}`;
      const rc = e.randomControl;
      return [
        `${e.country} ${e.from.slice(0, 10)} to ${e.to.slice(0, 10)}: ${e.decisions.total} decisions ${JSON.stringify(e.decisions.byChannel)}, ${e.controlsOpen} controls open`,
        'by criterion                                 controls  hits  rate   revenue USD',
        ...e.byCriterion.map((r) => line(r) + (r.flaggedForReview ? '  REVIEW' : '')),
        'by office',
        ...e.byOffice.map(line),
        'by channel',
        ...e.byChannel.map(line),
        `random control: ${rc.controls} controls, compliance ${rc.complianceRate === null ? 'n/a' : `${(rc.complianceRate * 100).toFixed(1)}% (95% CI ${(rc.ci95![0] * 100).toFixed(1)}–${(rc.ci95![1] * 100).toFixed(1)}%)`}`,
      ].join('\n');
    }),
  );
  common(risk.command('replay').argument('<assessmentId>').description('Recompute a decision from its recorded inputs and compare')).action((id: string, o) => withRisk(o, (s) => s.replay(actor(o), id)));
  return risk;
}
