import fs from 'node:fs';
import { Command, Option } from 'commander';
import { systemClock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import type { Config } from '../../core/config.ts';
import type { Database } from '../../db/client.ts';
import { appendAudit } from '../../modules/access/audit.ts';
import { SYSTEM_PRINCIPAL } from '../../modules/access/types.ts';
import { createExchange, type ExchangeService } from '../../modules/exchange/index.ts';
import { keyBundleSchema } from '../../modules/exchange/keys.ts';
import { sharingRulesSchema } from '../../modules/exchange/sharing.ts';
import { ADMINISTRATIONS } from '../../reference/types.ts';
import { openCliDatabase, withDbOptions, type DbOptions } from '../context.ts';

/** Runs `fn` with the node's exchange (not connected: the CLI works on the node's database), reporting errors plainly. */
async function withExchange(opts: DbOptions, fn: (x: ExchangeService, database: Database, config: Config) => Promise<void>): Promise<void> {
  let database: Database | undefined;
  try {
    const opened = await openCliDatabase(opts);
    database = opened.database;
    const exchange = createExchange({ db: database.db, clock: systemClock, config: opened.config });
    await fn(exchange, database, opened.config);
  } catch (e) {
    process.exitCode = 1;
    process.stderr.write(`centinela: ${(e as Error).message}\n`);
    if (e instanceof AppError) for (const f of e.errors) process.stderr.write(`  ${f.path || '(input)'}: ${f.message}\n`);
  } finally {
    await database?.close();
  }
}

const cli = (country: string) => SYSTEM_PRINCIPAL(country, 'cli');
const admin = () => new Option('--administration <cc>', 'the administration (ISO alpha-2) of this node').choices([...ADMINISTRATIONS]).argParser((v) => v.toUpperCase());
const d = (x: Date | null | undefined) => (x ? x.toISOString() : '-');

function table(rows: string[][]): string {
  if (!rows.length) return '';
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]))).join('  ')).join('\n') + '\n';
}

function pickLocal(x: ExchangeService, asked: string | undefined): string {
  const a = asked ?? (x.local.length === 1 ? x.local[0] : undefined);
  if (!a) throw new Error(`this node serves ${x.local.join(', ')}: say which with --administration`);
  if (!x.local.includes(a)) throw new Error(`this node serves ${x.local.join(', ')}, not ${a} (CENTINELA_ADMINISTRATIONS)`);
  return a;
}

export function exchangeCommand(): Command {
  const exchange = new Command('exchange').description('The regional exchange of this node: keys, partners, sharing rules, dead letters. Changes are audited as made by "cli".');

  const keys = new Command('keys').description('Signing keys of this node and public keys of its partners');
  keys.addCommand(
    withDbOptions(new Command('list').description('Every key this node knows: its own (public part) and its partners\'')).action(async (o: DbOptions) =>
      withExchange(o, async (x) => {
        await x.keys.ensureOwnKeys();
        const rows = await x.keys.list();
        process.stdout.write(table([['KEY ID', 'ADMIN', 'ORIGIN', 'CREATED', 'RETIRED', 'REVOKED'], ...rows.map((k) => [k.keyId, k.administration, k.origin, d(k.createdAt), d(k.retiredAt), k.revokedAt ? `${d(k.revokedAt)} (${k.revocationReason ?? ''})` : '-'])]));
      }),
    ),
  );
  keys.addCommand(
    withDbOptions(new Command('export').description('Prints the public keys of an administration of this node (JSON) to hand to the partners').addOption(admin()).option('-o, --out <file>', 'write to a file instead of standard output')).action(
      async (o: DbOptions & { administration?: string; out?: string }) =>
        withExchange(o, async (x) => {
          const bundle = await x.keys.exportBundle(pickLocal(x, o.administration));
          const text = JSON.stringify(bundle, null, 2) + '\n';
          if (o.out) fs.writeFileSync(o.out, text);
          else process.stdout.write(text);
        }),
    ),
  );
  keys.addCommand(
    withDbOptions(new Command('import').description('Imports a partner\'s public keys (the file its `keys export` wrote; - for standard input)').argument('<file>')).action(async (file: string, o: DbOptions) =>
      withExchange(o, async (x, db) => {
        const text = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw new Error(`${file} is not JSON (expected the output of \`centinela exchange keys export\`)`);
        }
        const parsed = keyBundleSchema.safeParse(json);
        if (!parsed.success) throw new Error(`${file}: not a key bundle: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
        const r = await db.db.transaction(async (tx) => {
          const r = await x.keys.importBundle(tx, parsed.data, 'cli');
          await appendAudit(tx, { actor: cli(x.local[0]), action: 'exchange.keys.import', entityType: 'exchange_partner', entityId: parsed.data.administration, after: r }, systemClock);
          return r;
        });
        process.stdout.write(`${parsed.data.administration}: ${r.added.length} added, ${r.updated.length} updated, ${r.unchanged.length} unchanged\n`);
      }),
    ),
  );
  keys.addCommand(
    withDbOptions(
      new Command('revoke')
        .description('Revokes a key from a date (default now): messages under it are refused from then on; a key of this node is replaced at once')
        .argument('<keyId>')
        .requiredOption('--reason <text>', 'why (kept with the key and in the audit log)')
        .option('--at <iso>', 'when the revocation takes effect (ISO 8601), default now'),
    ).action(async (keyId: string, o: DbOptions & { reason: string; at?: string }) =>
      withExchange(o, async (x, db) => {
        const at = o.at ? new Date(o.at) : undefined;
        if (at && Number.isNaN(at.getTime())) throw new Error('--at must be a date and time, e.g. 2026-05-01T00:00:00Z');
        const r = await db.db.transaction(async (tx) => {
          const r = await x.keys.revoke(tx, keyId, o.reason, at);
          await appendAudit(tx, { actor: cli(r.administration), action: 'exchange.keys.revoke', entityType: 'exchange_key', entityId: keyId, country: r.administration, after: { reason: o.reason, at: (at ?? new Date()).toISOString(), replacement: r.replacement } }, systemClock);
          return r;
        });
        process.stdout.write(`revoked ${keyId} (${r.administration})${r.replacement ? `; new signing key ${r.replacement}: export it to the partners` : ''}\n`);
      }),
    ),
  );
  keys.addCommand(
    withDbOptions(new Command('rotate').description('Retires the signing key of an administration of this node and makes a new one').addOption(admin())).action(async (o: DbOptions & { administration?: string }) =>
      withExchange(o, async (x, db) => {
        const a = pickLocal(x, o.administration);
        const r = await db.db.transaction(async (tx) => {
          const r = await x.keys.rotate(tx, a);
          await appendAudit(tx, { actor: cli(a), action: 'exchange.keys.rotate', entityType: 'exchange_key', entityId: r.active, country: a, before: { active: r.retired }, after: { active: r.active } }, systemClock);
          return r;
        });
        process.stdout.write(`${a}: retired ${r.retired ?? '(none)'}, signing with ${r.active}; export the keys to the partners (centinela exchange keys export)\n`);
      }),
    ),
  );
  exchange.addCommand(keys);

  exchange.addCommand(
    withDbOptions(new Command('status').description('Outbound queue and open dead letters of this node (the link itself: GET /api/v1/exchange/status on the server)')).action(async (o: DbOptions) =>
      withExchange(o, async (x, _db, config) => {
        const s = await x.status();
        process.stdout.write(
          `administrations  ${s.local.join(', ')}\ntransport        ${config.natsUrl ? `nats (${x.transport.location})` : 'in-process'}\nqueued           ${s.queued}${s.oldestQueuedAt ? ` (oldest ${s.oldestQueuedAt})` : ''}\nlast sent        ${s.lastSentAt ?? '-'}\nlast received    ${s.lastReceivedAt ?? '-'}\ndead letters     ${s.deadLetters} open\n`,
        );
      }),
    ),
  );

  const dl = new Command('dead-letters').description('Messages refused on arrival');
  dl.addCommand(
    withDbOptions(new Command('list').description('Dead letters, newest first').option('--all', 'also those applied or discarded')).action(async (o: DbOptions & { all?: boolean }) =>
      withExchange(o, async (x) => {
        const rows = await x.deadLetters({ recipients: x.local, status: o.all ? undefined : 'open', limit: 200 });
        process.stdout.write(table([['ID', 'RECEIVED', 'TO', 'FROM', 'KIND', 'STATUS', 'CODE', 'REASON'], ...rows.map((r) => [r.id, d(r.receivedAt), r.recipient, r.sender ?? '?', r.kind ?? '?', r.status, r.code, r.reason])]) || 'no dead letters\n');
      }),
    ),
  );
  dl.addCommand(
    withDbOptions(new Command('reexamine').description('Examines a dead letter again (after importing a key, allowing a kind…)').argument('<id>')).action(async (id: string, o: DbOptions) =>
      withExchange(o, async (x, db) => {
        const before = await x.deadLetter1(id);
        if (!before) throw new Error(`no dead letter ${id}`);
        const out = await x.reexamine(id, 'cli');
        await appendAudit(db.db, { actor: cli(before.recipient), action: 'exchange.deadLetter.reexamine', entityType: 'exchange_dead_letter', entityId: id, country: before.recipient, before: { code: before.code }, after: { outcome: out.outcome } }, systemClock);
        process.stdout.write(out.outcome === 'dead' ? `still refused: ${out.code}: ${out.reason}\n` : `${out.outcome}\n`);
      }),
    ),
  );
  exchange.addCommand(dl);

  const rules = new Command('rules').description('Sharing rules: what goes to which partner, which payload paths are removed');
  rules.addCommand(
    withDbOptions(new Command('show').description('The rules in force (JSON)').addOption(admin())).action(async (o: DbOptions & { administration?: string }) =>
      withExchange(o, async (x, db) => {
        const a = pickLocal(x, o.administration);
        const r = await x.rulesInForce(db.db, a);
        process.stdout.write(JSON.stringify({ administration: a, version: r.version, ...r.rules, note: r.note }, null, 2) + '\n');
      }),
    ),
  );
  rules.addCommand(
    withDbOptions(new Command('set').description('Saves a new version of the rules from a JSON file ({"rules":[{"kind":"seizure.reported","partners":["SV"],"redact":["officer"]}], "note": "..."})').argument('<file>').addOption(admin())).action(
      async (file: string, o: DbOptions & { administration?: string }) =>
        withExchange(o, async (x, db) => {
          const a = pickLocal(x, o.administration);
          const parsed = sharingRulesSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
          if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
          const v = await db.db.transaction(async (tx) => {
            const before = await x.rulesInForce(tx, a);
            const v = await x.saveRules(tx, a, { rules: parsed.data.rules }, parsed.data.note, 'cli');
            await appendAudit(tx, { actor: cli(a), action: 'exchange.rules.save', entityType: 'exchange_sharing_rules', entityId: `${a}:${v}`, country: a, before: { version: before.version, rules: before.rules.rules }, after: { version: v, rules: parsed.data.rules } }, systemClock);
            return v;
          });
          process.stdout.write(`${a}: sharing rules version ${v} in force\n`);
        }),
    ),
  );
  exchange.addCommand(rules);
  return exchange;
}
