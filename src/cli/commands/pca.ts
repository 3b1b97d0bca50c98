import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { systemClock } from '../../core/clock.ts';
import { buildServices } from '../../app/services.ts';
import { SYSTEM_PRINCIPAL } from '../../modules/access/types.ts';
import { ADMINISTRATIONS } from '../../reference/types.ts';
import { getReferenceData } from '../../reference/index.ts';
import { fail, openCliDatabase, withDbOptions, type DbOptions } from '../context.ts';
import { fmt, Progress } from '../progress.ts';

interface ImportTaxOpts extends DbOptions {
  format?: 'csv' | 'jsonl';
  country: string;
  detect?: string;
  report?: string;
}

/** `centinela pca ...`: post-clearance audit from the command line (the tax administration's returns). */
export function pcaCommand(): Command {
  const cmd = new Command('pca').description('Post-clearance audit: the tax administration\'s periodic returns and the customs / tax mismatch detector');
  cmd.addCommand(
    withDbOptions(new Command('import-tax'))
      .description(
        'Import periodic tax returns (CSV with a header row, or JSON Lines): tin, period (YYYY-MM), declaredImports, purchases, sales, currency, and optionally country. ' +
          'Each bad record is rejected naming its field; the others are stored (one per taxpayer and month, the latest wins).',
      )
      .argument('<file>', 'the returns (.csv, or .jsonl / .ndjson)')
      .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['csv', 'jsonl']))
      .addOption(new Option('--country <cc>', 'the administration of records that name none').choices([...ADMINISTRATIONS]).default('GT'))
      .option('--detect <from:to>', 'then run the mismatch detector over these months, e.g. 2026-01:2026-03')
      .option('--report <file>', 'write every rejected record with its errors to this JSON Lines file')
      .action(async (file: string, o: ImportTaxOpts) => {
        if (!fs.existsSync(file)) fail(`${file}: no such file`);
        const ext = path.extname(file).toLowerCase();
        const format = o.format ?? (ext === '.csv' ? 'csv' : ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : undefined);
        if (!format) fail(`${file}: say --format csv or --format jsonl (the extension does not tell)`);
        let detect: [string, string] | null = null;
        if (o.detect) {
          const m = /^(\d{4}-(?:0[1-9]|1[0-2])):(\d{4}-(?:0[1-9]|1[0-2]))$/.exec(o.detect);
          if (!m) fail('--detect must be two months FROM:TO, e.g. 2026-01:2026-03');
          detect = [m[1], m[2]];
        }
        const { database, config } = await openCliDatabase(o);
        const { pca } = buildServices({ db: database.db, ref: getReferenceData(), clock: systemClock, config });
        const actor = SYSTEM_PRINCIPAL(o.country, 'cli-pca');
        try {
          const progress = new Progress(`import-tax ${path.basename(file)}`);
          const report = await pca.importTaxReturns(actor, {
            format,
            path: file,
            country: o.country,
            onProgress: (p) => progress.update(`${fmt(p.records)} records read, ${fmt(p.stored)} stored, ${fmt(p.rejected)} rejected`),
          });
          progress.done(`${fmt(report.records)} records: ${fmt(report.stored)} stored, ${fmt(report.rejected)} rejected; batch ${report.batchId}`);
          for (const r of report.rejections.slice(0, 10)) process.stderr.write(`  record ${r.record} (line ${r.line}): ${r.errors.map((e) => e.message).join('; ')}\n`);
          if (report.rejections.length > 10) process.stderr.write(`  … and ${fmt(report.rejections.length - 10)} more${o.report ? ` in ${o.report}` : ' (use --report FILE for all)'}\n`);
          if (o.report) fs.writeFileSync(o.report, report.rejections.map((r) => JSON.stringify({ file, ...r })).join('\n') + (report.rejections.length ? '\n' : ''));
          if (detect) {
            const d = await pca.detectTaxMismatches(actor, o.country, detect[0], detect[1]);
            process.stderr.write(`mismatches ${o.country} ${detect[0]}..${detect[1]}: ${fmt(d.mismatches)} (${Object.entries(d.byKind).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'})\n`);
          }
          if (report.rejected) process.exitCode = 2;
        } finally {
          await database.close();
        }
      }),
  );
  return cmd;
}
