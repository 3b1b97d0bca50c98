import fs from 'node:fs';
import { Command } from 'commander';
import { systemClock } from '../../core/clock.ts';
import { AppError, ValidationError } from '../../core/errors.ts';
import type { Database } from '../../db/client.ts';
import { SYSTEM_PRINCIPAL, type Principal } from '../../modules/access/types.ts';
import { CEL_FUNCTIONS, CEL_TYPES, STAGE_VARIABLES } from '../../modules/risk/cel.ts';
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

/** What each variable of a declaration's criteria is, for `risk backtest --help` (the fields come from the CEL types themselves). */
const VARIABLE_MEANING: Record<string, string> = {
  decl: 'the declaration',
  trader: "the declarant's record before this declaration (its declarations, controls and hits until then)",
  consignment: "the manifest's consignment under the declaration's transport document (found is false when there is none)",
};

/** The help after the options of `risk backtest`: the variables an expression may use, their fields, the functions, the period. */
export function backtestHelp(): string {
  const fields = (type: string) => Object.keys(CEL_TYPES[type] ?? {}).join(', ');
  const wrap = (text: string, indent: string) => {
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(' ')) {
      if (line && line.length + word.length + 1 > 100 - indent.length) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) lines.push(line);
    return lines.map((l, i) => (i ? indent : '') + l).join('\n');
  };
  const pad = ' '.repeat(15);
  const vars = Object.entries(STAGE_VARIABLES.declaration);
  const nested = [...new Set(vars.flatMap(([, type]) => Object.values(CEL_TYPES[type] ?? {}).map((t) => t.replace(/^list<(.*)>$/, '$1')).filter((t) => t in CEL_TYPES)))];
  return `
The expression (CEL) is tested on each declaration of the period and selects those for which it is
true. The variables it may use:
${vars.map(([name, type]) => `  ${name.padEnd(12)} ${wrap(`${VARIABLE_MEANING[name] ?? ''} (${type})`, pad)}\n${pad}${wrap(`fields: ${fields(type)}`, pad)}`).join('\n')}
and the types inside them:
${nested.map((type) => `  ${type.padEnd(12)} ${wrap(fields(type), pad)}`).join('\n')}
Functions:
${Object.values(CEL_FUNCTIONS).map((f) => `  ${wrap(`${f.signature}: ${f.description}`, '    ')}`).join('\n')}
Lists: decl.items.exists(i, ...), decl.items.all(i, ...), size(decl.items); "x in [...]" for a list of values.

The period: --from and --to are dates (YYYY-MM-DD, midnight UTC) or date-times (2026-03-01T06:00:00-06:00)
compared with each declaration's lodging time: from --from (included) to --to (excluded). Without
them the period is the year before now; a backtest covers at most a year.

Examples:
  centinela risk backtest --country GT --from 2026-01-01 --to 2026-04-01 \\
    --expression 'decl.type == "IM" && decl.items.exists(i, i.refUnitValue > 0.0 && i.unitValuePerKg < 0.5 * i.refUnitValue)'
  centinela risk backtest --country GT --expression 'trader.hits >= 1 && trader.hitRate >= 0.3'
  centinela risk backtest --country GT --criterion <id>      (ids: centinela risk criteria list)`;
}

/** The option that sets a field of the backtest input, to name it in an error. */
function backtestOption(field: string, o: { file?: string }): string {
  const option: Record<string, string> = { expression: o.file ? '--file' : '--expression', criterionId: '--criterion', from: '--from', to: '--to', labels: '--labels', country: '--country' };
  return option[field] ?? field;
}

/** What is wrong with `risk backtest`'s options before anything is opened, naming the option; null when nothing is. */
export function backtestOptionsError(o: { file?: string; expression?: string; criterion?: string; from?: string; to?: string }): string | null {
  if (!o.file && !o.expression?.trim() && !o.criterion)
    return 'say what to test: --expression CEL, --file FILE (a file holding the expression) or --criterion ID (a stored criterion: centinela risk criteria list); see --help for the variables an expression may use';
  if (o.file && !fs.existsSync(o.file)) return `--file ${o.file}: no such file`;
  for (const [flag, v] of [['--from', o.from], ['--to', o.to]] as const)
    if (v !== undefined && Number.isNaN(new Date(v).getTime())) return `${flag} must be a date (YYYY-MM-DD) or a date-time (e.g. 2026-03-01T06:00:00-06:00); got "${v}"`;
  if (o.from && o.to && new Date(o.from).getTime() >= new Date(o.to).getTime()) return `--from ${o.from} must come before --to ${o.to} (--to is excluded)`;
  return null;
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
      .option('--expression <cel>', 'the CEL expression (the variables it may use: below)')
      .option('--criterion <id>', 'a stored criterion (its pending version, else its active one)')
      .option('--from <date>', 'first day of the declarations tested, by the date they were lodged (included; default: a year before --to)')
      .option('--to <date>', 'end of the period (excluded: --to 2026-04-01 stops at the end of March 31; default: now)')
      .option('--labels <auto|results|ground_truth>', 'what counts as a hit', 'auto')
      .addHelpText('after', backtestHelp()),
  ).action(async (o) => {
    let bad = backtestOptionsError(o);
    const iso = (d?: string) => (d ? new Date(d).toISOString() : undefined);
    const input = bad ? null : backtestInput.safeParse({ country: o.country, expression: o.file ? fs.readFileSync(o.file, 'utf8') : o.expression, criterionId: o.criterion, from: iso(o.from), to: iso(o.to), labels: o.labels });
    if (input && !input.success) bad = input.error.issues.map((x) => `${backtestOption(String(x.path[0] ?? ''), o)}: ${x.message}`).join('; ');
    if (bad || !input?.success) {
      process.stderr.write(`centinela risk backtest: ${bad}\n`);
      process.exitCode = 2;
      return;
    }
    await withRisk(o, async (s) => {
      const r = await s.backtest(actor(o), input.data).catch((e: unknown) => {
        // name the option at fault, not the API's field
        if (e instanceof AppError && e.errors.length) throw new ValidationError(e.errors.map((x) => ({ ...x, path: backtestOption(x.path, o) })), e.message.replace(/\bcriterionId\b/g, '--criterion'));
        throw e;
      });
      return [
        `backtest over ${r.declarations.toLocaleString('en-US')} declarations of ${r.country} (${r.from.slice(0, 10)} to ${r.to.slice(0, 10)}) in ${r.seconds.toFixed(2)} s`,
        `selected ${r.selected} (${(r.selectionRate * 100).toFixed(2)}%), labelled ${r.labelled}, hits ${r.hits}, precision ${r.precision === null ? 'n/a' : `${(r.precision * 100).toFixed(1)}%`}${r.recall !== null ? `, recall ${(r.recall * 100).toFixed(1)}%` : ''}${r.lift !== null ? `, lift ${r.lift.toFixed(1)}x over the base rate` : ''}`,
        `revenue USD ${r.revenueUsd.toLocaleString('en-US')}; labels: ${r.labelsNote}`,
        ...(r.errors ? [`could not be evaluated on ${r.errors} declarations${r.budgetExceeded ? ` (${r.budgetExceeded} over the time budget of one evaluation)` : ''}: ${(r.errorSamples ?? []).map((x) => `${x.reference}: ${x.message}`).join('; ')}`] : []),
      ].join('\n');
    });
  });
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
