import fs from 'node:fs';
import { Command, Option } from 'commander';
import type { GbdtParams } from '../../modules/intelligence/gbdt.ts';
import { KcsFormatError, readKcs } from '../../modules/intelligence/kcs.ts';
import { explainKcs, formatExplanation, loadKcsBundle, scoreKcs, trainKcsModel } from '../../modules/intelligence/kcs-model.ts';
import { evaluate, formatReport } from '../../modules/intelligence/metrics.ts';
import { systemClock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import type { Database } from '../../db/client.ts';
import { SYSTEM_PRINCIPAL, type Principal } from '../../modules/access/types.ts';
import type { IntelligenceService } from '../../modules/intelligence/service.ts';
import { buildServices } from '../../app/services.ts';
import { getReferenceData } from '../../reference/index.ts';
import { fail, openCliDatabase, withDbOptions } from '../context.ts';

/** Runs a use case of the intelligence module on the command's database and prints its answer. */
async function withIntelligence<T>(o: { databaseUrl?: string; dataDir?: string }, f: (s: IntelligenceService) => Promise<T>): Promise<void> {
  let database: Database | undefined;
  try {
    let config;
    ({ database, config } = await openCliDatabase(o));
    // the same services as the server (the model's trader history comes from the traders module)
    const out = await f(buildServices({ db: database.db, ref: getReferenceData(), clock: systemClock, config }).intelligence);
    if (out !== undefined) process.stdout.write(typeof out === 'string' ? `${out}\n` : `${JSON.stringify(out, null, 2)}\n`);
  } catch (e) {
    process.exitCode = 1;
    const errs = e instanceof AppError && e.errors.length ? `\n${e.errors.map((x) => `  ${x.path}: ${x.message}`).join('\n')}` : '';
    process.stderr.write(`centinela: ${(e as Error).message}${errs}\n`);
  } finally {
    await database?.close();
  }
}

const cliActor = (o: { country?: string; as?: string }): Principal => ({ ...SYSTEM_PRINCIPAL(o.country ?? 'GT', o.as ?? 'cli'), id: o.as ?? 'cli' });
const onDb = (c: Command) => withDbOptions(c).option('--country <CC>', 'administration', 'GT').option('--as <name>', 'who acts (recorded in the audit log; four eyes compare it)', 'cli');

const formatOption = () => new Option('--format <format>', 'input format (kcs: Korea Customs Service synthetic declarations CSV)').choices(['kcs']).makeOptionMandatory();

function num(name: string, v: string | undefined, int: boolean, min: number, max = Infinity): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (int && !Number.isInteger(n)) || n < min || n > max) {
    fail(`${name} must be ${int ? 'a whole number' : 'a number'} from ${min}${max < Infinity ? ` to ${max}` : ''} (got "${v}")`);
  }
  return n;
}

function readTable(file: string, requireLabel: boolean) {
  try {
    return readKcs(file, { requireLabel });
  } catch (e) {
    if (e instanceof KcsFormatError) fail(e.message);
    throw e;
  }
}

function readModel(file: string) {
  if (!fs.existsSync(file)) fail(`--model ${file}: no such file`);
  let obj: unknown;
  try {
    obj = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    fail(`--model ${file}: not JSON (${(e as Error).message})`);
  }
  try {
    return loadKcsBundle(obj, `--model ${file}`);
  } catch (e) {
    fail((e as Error).message);
  }
}

interface TrainOpts {
  format: string;
  data?: string;
  from?: string;
  to?: string;
  holdoutDays?: string;
  country?: string;
  as?: string;
  databaseUrl?: string;
  dataDir?: string;
  valid?: string;
  out?: string;
  seed?: string;
  rounds?: string;
  learningRate?: string;
  leaves?: string;
  minDataInLeaf?: string;
  minChildWeight?: string;
  lambda?: string;
  subsample?: string;
  colsample?: string;
  earlyStopping?: string;
  every: string;
}

export function modelCommand(): Command {
  const cmd = new Command('model').description('Risk model: train gradient-boosted trees, score declarations, explain a score');

  onDb(
    cmd
      .command('train')
      .description('Train a model: on the controlled declarations stored in Centinela (default), or on a KCS file (--format kcs --data FILE --out FILE)')
      .addOption(new Option('--format <format>', 'centinela: the stored declarations and control results; kcs: Korea Customs Service synthetic declarations CSV').choices(['centinela', 'kcs']).default('centinela'))
      .option('--from <date>', 'centinela: start of the training window (default: 180 days before --to)')
      .option('--to <date>', 'centinela: end of the window (default: now)')
      .option('--holdout-days <n>', 'centinela: the last days of the window, held out for metrics on their random controls'),
  )
    .option('--data <file>', 'kcs: training declarations (with the Fraud label)')
    .option('--valid <file>', 'validation declarations (later in time, with the Fraud label)')
    .option('--out <file>', 'kcs: where to write the model (JSON)')
    .option('--seed <n>', 'random seed (training is deterministic for a seed)')
    .option('--rounds <n>', 'boosting rounds (upper bound with early stopping)')
    .option('--learning-rate <x>', 'shrinkage per round')
    .option('--leaves <n>', 'leaves per tree')
    .option('--min-data-in-leaf <n>', 'minimum declarations per leaf')
    .option('--min-child-weight <x>', 'minimum hessian sum per leaf')
    .option('--lambda <x>', 'L2 regularisation of leaf values')
    .option('--subsample <x>', 'share of rows per tree, (0, 1]')
    .option('--colsample <x>', 'share of features per tree, (0, 1]')
    .option('--early-stopping <n>', 'stop after this many rounds without improvement on --valid (0 = never)')
    .option('--every <n>', 'print progress every n rounds', '50')
    .action((o: TrainOpts) => {
      const params: Partial<GbdtParams> = {};
      const set = <K extends keyof GbdtParams>(k: K, v: GbdtParams[K] | undefined) => {
        if (v !== undefined) params[k] = v;
      };
      set('seed', num('--seed', o.seed, true, 0, 2 ** 32 - 1));
      set('rounds', num('--rounds', o.rounds, true, 1, 100_000));
      set('learningRate', num('--learning-rate', o.learningRate, false, 1e-6, 1));
      set('maxLeaves', num('--leaves', o.leaves, true, 2, 65_536));
      set('minDataInLeaf', num('--min-data-in-leaf', o.minDataInLeaf, true, 1));
      set('minChildWeight', num('--min-child-weight', o.minChildWeight, false, 0));
      set('lambda', num('--lambda', o.lambda, false, 0));
      set('subsample', num('--subsample', o.subsample, false, 1e-6, 1));
      set('colsample', num('--colsample', o.colsample, false, 1e-6, 1));
      set('earlyStoppingRounds', num('--early-stopping', o.earlyStopping, true, 0));
      const every = num('--every', o.every, true, 1)!;
      if (o.format !== 'kcs')
        return withIntelligence(o, async (svc) => {
          const m = await svc.train(cliActor(o), { country: o.country, from: o.from, to: o.to, holdoutDays: num('--holdout-days', o.holdoutDays, true, 1, 365), params });
          const r = m.metrics as { randomControls: { n: number; positives: number; auc: number | null; top: { pct: number; precision: number }[] }; training: Record<string, number> };
          return [
            `model ${m.name} (${m.id}) trained by ${m.trainedBy}: ${r.training.controlled} controlled declarations (${r.training.discrepancies} discrepancies), ${r.training.trees} trees, ${r.training.seconds} s`,
            `held out from ${m.window.holdoutFrom}: ${r.randomControls.n} random controls, ${r.randomControls.positives} discrepancies, AUC ${r.randomControls.auc?.toFixed(3) ?? 'n/a'}; precision ${r.randomControls.top.map((t) => `${t.pct}% ${t.precision.toFixed(3)}`).join(', ')}`,
            `status: candidate; propose it with \`centinela model promote ${m.id} --role champion\`, a second person approves with \`centinela model approve ${m.id}\``,
          ].join('\n');
        });
      if (!o.data || !o.out) fail('--format kcs needs --data FILE and --out FILE');
      const train = readTable(o.data, true);
      const valid = o.valid ? readTable(o.valid, true) : undefined;
      process.stderr.write(`train: ${train.rows} declarations from ${o.data}${valid ? `; valid: ${valid.rows} from ${o.valid}` : ''}\n`);
      const r = trainKcsModel(train, {
        valid,
        params,
        onRound: (i) => {
          if (i.round % every === 0) {
            process.stderr.write(`round ${i.round}: train logloss ${i.trainLoss.toFixed(4)}${i.valid !== undefined ? `  valid ${i.valid.toFixed(4)} (best ${i.best!.toFixed(4)} at ${i.bestRound})` : ''}\n`);
          }
        },
      });
      fs.writeFileSync(o.out, JSON.stringify(r.bundle));
      console.log(`model: ${r.model.json.trees.length} trees, trained in ${r.trainSeconds.toFixed(1)} s, written to ${o.out}`);
      if (r.validation) console.log(`validation on ${o.valid}:\n${formatReport(r.validation)}`);
      const imp = r.model.gainImportance().slice(0, 10);
      console.log(`most used features: ${imp.map((g) => g.name).join(', ')}`);
    });

  cmd
    .command('score')
    .description('Score declarations: writes "Declaration ID,score" (probability of fraud), one line per declaration')
    .addOption(formatOption())
    .requiredOption('--model <file>', 'model written by `centinela model train`')
    .requiredOption('--data <file>', 'declarations to score')
    .requiredOption('--out <file>', 'scores CSV to write')
    .action((o: { model: string; data: string; out: string }) => {
      const { bundle, model } = readModel(o.model);
      const table = readTable(o.data, false);
      const { features, scores } = scoreKcs(bundle, model, table);
      const lines = ['Declaration ID,score'];
      for (let i = 0; i < scores.length; i++) lines.push(`${features.ids[i]},${scores[i].toPrecision(6)}`);
      fs.writeFileSync(o.out, lines.join('\n') + '\n');
      console.log(`scored ${scores.length} declarations into ${o.out}`);
      if (table.labels) console.log(formatReport(evaluate(table.labels, scores, scores)));
    });

  cmd
    .command('explain')
    .description("Explain one declaration's score: the features that moved it most (TreeSHAP), in plain words")
    .addOption(formatOption())
    .requiredOption('--model <file>', 'model written by `centinela model train`')
    .requiredOption('--data <file>', 'declarations file holding the declaration (and its history)')
    .requiredOption('--id <declarationId>', 'the "Declaration ID" to explain')
    .option('--top <n>', 'how many features to show', '8')
    .action((o: { model: string; data: string; id: string; top: string }) => {
      const top = num('--top', o.top, true, 1)!;
      const { bundle, model } = readModel(o.model);
      const table = readTable(o.data, false);
      let e;
      try {
        e = explainKcs(bundle, model, table, o.id);
      } catch (err) {
        fail(`--id: ${(err as Error).message}`);
      }
      console.log(formatExplanation(e, top));
    });

  onDb(cmd.command('list').description("The administration's models and their status")).action((o) =>
    withIntelligence(o, async (svc) => (await svc.list(cliActor(o), o.country)).map((m) => `${m.id}  ${m.name.padEnd(16)} ${m.status.padEnd(10)} ${m.proposedRole ?? ''}`).join('\n') || '(no models)'),
  );
  onDb(cmd.command('evaluate').argument('<id>').description('Metrics of a model on the random controls of a window').option('--from <date>').option('--to <date>')).action((id: string, o) =>
    withIntelligence(o, (svc) => svc.evaluate(cliActor(o), id, { from: o.from, to: o.to })),
  );
  onDb(
    cmd
      .command('promote')
      .argument('<id>')
      .description('Propose a model as champion (or challenger); a second person approves it with `model approve`')
      .addOption(new Option('--role <role>', 'the role to take').choices(['champion', 'challenger']).default('champion'))
      .option('--note <text>'),
  ).action((id: string, o) => withIntelligence(o, (svc) => svc.propose(cliActor(o), id, o.role, o.note)));
  onDb(cmd.command('approve').argument('<id>').description('Approve a proposed promotion (four eyes: not who proposed or trained it)').option('--note <text>')).action((id: string, o) =>
    withIntelligence(o, (svc) => svc.approve(cliActor(o), id, o.note)),
  );
  onDb(cmd.command('reject').argument('<id>').requiredOption('--note <text>', 'why')).action((id: string, o) => withIntelligence(o, (svc) => svc.reject(cliActor(o), id, o.note)));
  onDb(cmd.command('drift').description('Precision on recent controls and population stability of key features').option('--days <n>', 'recent window', '30').option('--id <model>', 'a model other than the champion')).action((o) =>
    withIntelligence(o, (svc) => svc.drift(cliActor(o), { country: o.country, days: num('--days', o.days, true, 1, 365), id: o.id })),
  );
  const valuation = cmd.command('valuation').description('The valuation database: reference unit prices per HS subheading × origin × unit');
  onDb(valuation.command('refresh').description('Recompute the reference prices from the accepted history').option('--days <n>', 'history window', '365')).action((o) =>
    withIntelligence(o, (svc) => svc.refreshValuation(cliActor(o), { country: o.country, days: num('--days', o.days, true, 7, 1100) })),
  );
  onDb(valuation.command('show').argument('<hs6>')).action((hs6: string, o) => withIntelligence(o, (svc) => svc.referencePrices(cliActor(o), hs6, o.country)));

  return cmd;
}
