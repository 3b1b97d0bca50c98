import { Command } from 'commander';
import type { Database } from '../../db/client.ts';
import { formatHead, parseHead, verifyAuditChain, type AuditProblem } from '../../modules/access/verify.ts';
import { openCliDatabase, withDbOptions } from '../context.ts';

export function formatProblem(p: AuditProblem): string {
  return `seq ${p.seq}${p.id ? ` (id ${p.id})` : ''}: ${p.kind.replace('_', ' ')} — ${p.detail}`;
}

export function auditCommand(): Command {
  const audit = new Command('audit').description('The append-only audit log: who changed what, when, before and after');

  withDbOptions(
    audit
      .command('verify')
      .description('Recompute the hash chain of the audit log and name every edited or deleted entry (exit code 1 if any)')
      .option(
        '--expected-head <seq:hash>',
        'the head printed by an earlier verification: also detects deletion of the last entries',
      )
      .option('--json', 'print the result as JSON')
      .addHelpText(
        'after',
        `
Each entry's hash covers its content and the previous entry's hash. An edited entry no longer
matches its hash; a deleted one leaves a gap in the sequence. Deleting the LAST entries leaves a
valid shorter chain: keep the printed head (SEQ:HASH) somewhere else and pass it back with
--expected-head to detect that.`,
      ),
  ).action(async (o) => {
    let database: Database | undefined;
    try {
      const expectedHead = o.expectedHead ? parseHead(o.expectedHead) : undefined;
      ({ database } = await openCliDatabase(o));
      const r = await verifyAuditChain(database.db, { expectedHead });
      if (o.json) {
        process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      } else if (r.ok) {
        process.stdout.write(
          r.head
            ? `audit log OK: ${r.checked} entries, head ${r.head.seq} ${r.head.hash}\n` +
                `(record ${formatHead(r.head)} elsewhere; pass it as --expected-head next time)\n`
            : 'audit log OK: 0 entries (empty)\n',
        );
      } else {
        for (const p of r.problems) process.stdout.write(formatProblem(p) + '\n');
        if (r.problemsTruncated) process.stdout.write('… more problems not listed\n');
        process.stdout.write(
          `audit log FAILED: ${r.problems.length}${r.problemsTruncated ? '+' : ''} problem(s) in ${r.checked} entries` +
            (r.head ? `, head ${r.head.seq} ${r.head.hash}` : '') +
            '\n',
        );
      }
      if (!r.ok) process.exitCode = 1;
    } catch (e) {
      process.exitCode = 1;
      process.stderr.write(`centinela: ${(e as Error).message}\n`);
    } finally {
      await database?.close();
    }
  });

  return audit;
}
