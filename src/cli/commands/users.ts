import { Argument, Command, Option } from 'commander';
import { AppError } from '../../core/errors.ts';
import { systemClock } from '../../core/clock.ts';
import type { Database } from '../../db/client.ts';
import { generatePassword } from '../../modules/access/passwords.ts';
import { AccessService } from '../../modules/access/service.ts';
import { KEY_ROLES } from '../../modules/access/policy.ts';
import { SYSTEM_PRINCIPAL, USER_ROLES } from '../../modules/access/types.ts';
import { ADMINISTRATIONS } from '../../reference/types.ts';
import { openCliDatabase, withDbOptions, type DbOptions } from '../context.ts';

/** Runs `fn` on the database, closes it, and reports errors plainly (exit code 1). */
export async function withAccess(
  opts: DbOptions,
  fn: (service: AccessService, database: Database) => Promise<void>,
): Promise<void> {
  let database: Database | undefined;
  try {
    let config;
    ({ database, config } = await openCliDatabase(opts));
    // accounts and keys of the administrations this node serves only (CENTINELA_ADMINISTRATIONS)
    await fn(new AccessService({ db: database.db, clock: systemClock, config }), database);
  } catch (e) {
    process.exitCode = 1;
    if (e instanceof AppError) {
      process.stderr.write(`centinela: ${e.message}\n`);
      for (const f of e.errors) process.stderr.write(`  ${f.path || '(input)'}: ${f.message}\n`);
    } else {
      process.stderr.write(`centinela: ${(e as Error).message ?? String(e)}\n`);
    }
  } finally {
    await database?.close();
  }
}

/** Reads a password from standard input (its first line). */
export async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (then Enter and Ctrl-D): ');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.split(/\r?\n/)[0];
}

const cli = (country: string) => SYSTEM_PRINCIPAL(country, 'cli');

function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

const countryOption = () =>
  new Option('--country <cc>', 'administration (ISO alpha-2)').choices([...ADMINISTRATIONS]).argParser((v) => v.toUpperCase());

export function usersCommand(): Command {
  const users = new Command('users')
    .description('Manage user accounts and API keys. Changes are recorded in the audit log as made by "cli".')
    .addHelpText(
      'after',
      `
There are no default accounts outside the demo: make the first admin with
  centinela users add --username gt.admin --role admin --country GT --name "Ana Pérez"
(a strong password is generated and printed once), or give one on standard input:
  printf '%s\\n' "$PASSWORD" | centinela users add ... --password-stdin

A national admin grants the national roles of its administration only. Regional roles
(regional_analyst reads every administration) are granted only by a regional admin, and the
first regional admin is made here, on the host:
  centinela users add --username region.admin --role regional_admin --country GT --name "..."
API keys carry only the roles ${KEY_ROLES.join(', ')}: never one that approves or manages.`,
    );

  withDbOptions(
    users
      .command('add')
      .description('Create a user')
      .requiredOption('--username <name>', 'login name: 3-40 of a-z 0-9 . _ -')
      .addOption(new Option('--role <role>', 'role').choices([...USER_ROLES]).makeOptionMandatory())
      .addOption(countryOption().makeOptionMandatory())
      .requiredOption('--name <displayName>', 'the person\'s name, as shown')
      .option('--password-stdin', 'read the password from standard input (else one is generated and printed once)'),
  ).action(async (o) =>
    withAccess(o, async (s) => {
      const generated = o.passwordStdin ? undefined : generatePassword();
      const password = generated ?? (await readPasswordFromStdin());
      const u = await s.createUser(cli(o.country), {
        username: o.username,
        displayName: o.name,
        role: o.role,
        country: o.country,
        password,
      });
      process.stdout.write(`created user ${u.username} (${u.role}, ${u.country}), id ${u.id}\n`);
      if (generated) process.stdout.write(`password: ${generated}\n(shown once: give it to the user, who should change it)\n`);
    }),
  );

  withDbOptions(
    users
      .command('list')
      .description('List users')
      .addOption(countryOption())
      .option('--all', 'include disabled users'),
  ).action(async (o) =>
    withAccess(o, async (s) => {
      const list = await s.listUsers(SYSTEM_PRINCIPAL(o.country ?? 'GT', 'cli'), {
        country: o.country,
        active: o.all ? undefined : true,
        limit: 100_000,
      });
      if (list.length === 0) {
        process.stdout.write('no users\n');
        return;
      }
      process.stdout.write(
        table([
          ['USERNAME', 'ROLE', 'COUNTRY', 'ACTIVE', 'NAME'],
          ...list.map((u) => [u.username, u.role, u.country, u.active ? 'yes' : 'no', u.displayName]),
        ]),
      );
    }),
  );

  withDbOptions(
    users
      .command('set-password')
      .description("Set a user's password and end its sessions")
      .argument('<username>')
      .option('--password-stdin', 'read the password from standard input (else one is generated and printed once)'),
  ).action(async (username: string, o) =>
    withAccess(o, async (s) => {
      const u = await s.findUserByUsername(cli('GT'), username);
      const generated = o.passwordStdin ? undefined : generatePassword();
      const password = generated ?? (await readPasswordFromStdin());
      await s.setPassword(cli(u.country), u.id, password);
      process.stdout.write(`password of ${u.username} set; its sessions were ended\n`);
      if (generated) process.stdout.write(`password: ${generated}\n(shown once)\n`);
    }),
  );

  withDbOptions(
    users.command('disable').description('Deactivate a user and end its sessions').argument('<username>'),
  ).action(async (username: string, o) =>
    withAccess(o, async (s) => {
      const u = await s.findUserByUsername(cli('GT'), username);
      await s.deactivateUser(cli(u.country), u.id);
      process.stdout.write(`user ${u.username} disabled\n`);
    }),
  );

  withDbOptions(users.command('enable').description('Reactivate a disabled user').argument('<username>')).action(
    async (username: string, o) =>
      withAccess(o, async (s) => {
        const u = await s.findUserByUsername(cli('GT'), username);
        await s.updateUser(cli(u.country), u.id, { active: true });
        process.stdout.write(`user ${u.username} enabled\n`);
      }),
  );

  withDbOptions(
    users
      .command('set-role')
      .description("Change a user's role")
      .argument('<username>')
      .addArgument(new Argument('<role>', 'new role').choices([...USER_ROLES])),
  ).action(async (username: string, role: (typeof USER_ROLES)[number], o) =>
    withAccess(o, async (s) => {
      const u = await s.findUserByUsername(cli('GT'), username);
      const after = await s.updateUser(cli(u.country), u.id, { role });
      process.stdout.write(`user ${after.username} now has the role ${after.role}\n`);
    }),
  );

  const keys = users
    .command('api-key')
    .description('API keys for systems (national declaration systems, partners): `Authorization: Bearer ck_…` or `X-API-Key: ck_…`');

  withDbOptions(
    keys
      .command('create')
      .description('Create an API key; the key is printed once and never stored')
      .requiredOption('--name <name>', 'what the key is for, e.g. "SAT declarations feed"')
      .addOption(new Option('--role <role>', 'role (a key never approves nor manages)').choices([...KEY_ROLES]).makeOptionMandatory())
      .addOption(countryOption().makeOptionMandatory()),
  ).action(async (o) =>
    withAccess(o, async (s) => {
      const { key, apiKey } = await s.createApiKey(cli(o.country), { name: o.name, role: o.role, country: o.country });
      process.stdout.write(
        `created API key "${apiKey.name}" (${apiKey.role}, ${apiKey.country}), id ${apiKey.id}, prefix ${apiKey.prefix}\n` +
          `key: ${key}\n(shown once: store it now; it cannot be shown again)\n`,
      );
    }),
  );

  withDbOptions(
    keys.command('list').description('List API keys (never the keys themselves)').addOption(countryOption()).option('--all', 'include revoked keys'),
  ).action(async (o) =>
    withAccess(o, async (s) => {
      const list = await s.listApiKeys(cli(o.country ?? 'GT'), { country: o.country, includeRevoked: !!o.all });
      if (list.length === 0) {
        process.stdout.write('no API keys\n');
        return;
      }
      process.stdout.write(
        table([
          ['ID', 'PREFIX', 'ROLE', 'COUNTRY', 'CREATED', 'REVOKED', 'NAME'],
          ...list.map((k) => [k.id, k.prefix, k.role, k.country, k.createdAt, k.revokedAt ?? '-', k.name]),
        ]),
      );
    }),
  );

  withDbOptions(
    keys.command('revoke').description('Revoke an API key at once').argument('<id>', 'the key\'s id, or its 8-character prefix'),
  ).action(async (idOrPrefix: string, o) =>
    withAccess(o, async (s) => {
      let id = idOrPrefix;
      if (/^[0-9a-f]{8}$/.test(idOrPrefix)) {
        const k = (await s.listApiKeys(cli('GT'), { includeRevoked: true })).find((x) => x.prefix === idOrPrefix);
        if (!k) throw new Error(`no API key with the prefix ${idOrPrefix}`);
        id = k.id;
      }
      const k = await s.revokeApiKey(cli('GT'), id);
      process.stdout.write(`API key "${k.name}" (${k.prefix}) revoked at ${k.revokedAt}\n`);
    }),
  );

  return users;
}
