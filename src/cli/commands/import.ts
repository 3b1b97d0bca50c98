import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { systemClock } from '../../core/clock.ts';
import { SYSTEM_PRINCIPAL } from '../../modules/access/types.ts';
import { runImport, type ImportFormat, type ImportKind, type ImportReport } from '../../modules/declarations/import.ts';
import { buildServices } from '../../app/services.ts';
import { importGroundTruth } from '../../modules/declarations/truth.ts';
import { getReferenceData } from '../../reference/index.ts';
import { fail, openCliDatabase, withDbOptions, type DbOptions } from '../context.ts';
import { fmt, Progress } from '../progress.ts';

interface ImportOpts extends DbOptions {
  kind?: ImportKind;
  format?: ImportFormat;
  dir?: string;
  report?: string;
  batchSize: string;
  withTruth?: boolean;
}

function guessFormat(file: string): ImportFormat | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  return undefined;
}

function guessKind(file: string): ImportKind | undefined {
  const b = path.basename(file).toLowerCase();
  if (b.includes('manifest')) return 'manifests';
  if (b.includes('declaration')) return 'declarations';
  return undefined;
}

export function importCommand(): Command {
  return withDbOptions(new Command('import'))
    .description(
      'Import declarations or manifests from JSON Lines or CSV files. Each record is validated; rejected records are reported ' +
        'with every field at fault and never leave a partial write. Re-importing the same record is a no-op; changed content is an amendment.',
    )
    .argument('[files...]', 'files to import (.jsonl/.ndjson or .csv)')
    .addOption(new Option('--kind <kind>', 'what the files hold (default: guessed from the file name)').choices(['declarations', 'manifests']))
    .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['jsonl', 'csv']))
    .option('--dir <dir>', 'import the output of `centinela simulate` (manifests.jsonl, then declarations.jsonl)')
    .option('--with-truth', "with --dir: also load the simulator's ground truth (kept apart, for benchmarks and the demo)")
    .option('--report <file>', 'write every rejected record with its errors to this JSON Lines file')
    .option('--batch-size <n>', 'records per transaction', '500')
    .action(async (files: string[], o: ImportOpts) => {
      const batchSize = Number(o.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) fail('--batch-size must be a whole number from 1 to 10000');
      const jobs: { file: string; kind: ImportKind; format: ImportFormat }[] = [];
      if (o.dir) {
        for (const [name, kind] of [['manifests.jsonl', 'manifests'], ['declarations.jsonl', 'declarations']] as const) {
          const f = path.join(o.dir, name);
          if (fs.existsSync(f)) jobs.push({ file: f, kind, format: 'jsonl' });
        }
        if (!jobs.length) fail(`--dir ${o.dir}: no manifests.jsonl or declarations.jsonl there`);
      }
      for (const file of files) {
        if (!fs.existsSync(file)) fail(`${file}: no such file`);
        const kind = o.kind ?? guessKind(file);
        const format = o.format ?? guessFormat(file);
        if (!kind) fail(`${file}: say --kind declarations or --kind manifests (the file name does not tell)`);
        if (!format) fail(`${file}: say --format jsonl or --format csv (the extension does not tell)`);
        jobs.push({ file, kind, format });
      }
      if (!jobs.length) fail('nothing to import: name files or --dir (see --help)');

      const { database, config } = await openCliDatabase(o);
      const ref = getReferenceData();
      // the same services as the server: criteria, model, random control and controls opened
      const { intake } = buildServices({ db: database.db, ref, clock: systemClock, config });
      const reportOut = o.report ? fs.createWriteStream(o.report) : undefined;
      let failed = false;
      try {
        for (const job of jobs) {
          const total = fs.statSync(job.file).size;
          const progress = new Progress(`import ${path.basename(job.file)}`);
          const report: ImportReport = await runImport(
            { db: database.db, clock: systemClock, intake },
            {
              kind: job.kind,
              format: job.format,
              source: { path: job.file },
              actor: SYSTEM_PRINCIPAL('GT', 'cli-import'),
              batchSize,
              onProgress: (p) => {
                // records counted once their batch is stored; the file is read ahead of what is stored,
                // so the share read is shown as such and never as the work done
                const pct = total ? Math.min(100, (100 * p.bytesRead) / total).toFixed(0) : '?';
                const rate = p.records / Math.max(progress.elapsedSeconds(), 0.001);
                progress.update(
                  `${fmt(p.records)} records done (${fmt(Math.round(rate))}/s): ${fmt(p.created)} new, ${fmt(p.amended)} amended, ${fmt(p.unchanged)} unchanged, ${fmt(p.rejected)} rejected; ${pct}% of the file read`,
                );
              },
            },
          );
          progress.done(
            `${fmt(report.records)} records: ${fmt(report.created)} new, ${fmt(report.amended)} amended, ${fmt(report.unchanged)} unchanged, ${fmt(report.rejected)} rejected; ` +
              `${fmt(Math.round(report.records / Math.max(report.seconds, 0.001)))} records/s; batch ${report.batchId}`,
          );
          for (const r of report.rejections.slice(0, 10)) {
            process.stderr.write(`  record ${r.record} (line ${r.line}${r.reference ? `, ${r.reference}` : ''}): ${r.errors.map((e) => `${e.path || '(record)'}: ${e.message}`).join('; ')}\n`);
          }
          if (report.rejections.length > 10) process.stderr.write(`  … and ${fmt(report.rejections.length - 10)} more${o.report ? ` in ${o.report}` : ' (use --report FILE for all)'}\n`);
          for (const r of report.rejections) reportOut?.write(JSON.stringify({ file: job.file, ...r }) + '\n');
          if (report.rejected) failed = true;
        }
        if (o.dir && o.withTruth) {
          const f = path.join(o.dir, 'ground-truth.jsonl');
          if (!fs.existsSync(f)) fail(`--with-truth: ${f} not found`);
          const n = await importGroundTruth(database.db, f);
          process.stderr.write(`import ground-truth.jsonl: ${fmt(n)} records (kept apart from what customs sees)\n`);
        }
      } finally {
        reportOut?.end();
        await database.close();
      }
      if (failed) process.exitCode = 2;
    });
}
