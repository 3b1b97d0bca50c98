import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.ts';
import { auditCommand } from '../src/cli/commands/audit.ts';
import { usersCommand } from '../src/cli/commands/users.ts';
import { systemClock } from '../src/core/clock.ts';
import { openDatabase, queryRows, sql, type Database } from '../src/db/client.ts';
import { describeEachDb, openTestPostgres, postgresAvailability, TEST_PG_URL } from '../src/db/testing.ts';
import { AccessService } from '../src/modules/access/service.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');

const cli = runCli;

/** PGlite on disk (the CLI opens and closes it each time), and PostgreSQL when available. */

describeEachDb('users and audit commands on %s', (kind) => {
  let dbArgs: string[];
  let tmp: string | undefined;
  let pgDb: Database | undefined;
  let pgUrl = '';

  beforeAll(async () => {
    if (kind === 'pglite') {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-cli-'));
      dbArgs = ['--data-dir', tmp];
    } else {
      pgDb = await openTestPostgres();
      const u = new URL(TEST_PG_URL!);
      u.pathname = new URL(pgDb.location).pathname;
      pgUrl = u.toString();
      dbArgs = ['--database-url', pgUrl];
    }
  });
  afterAll(async () => {
    await pgDb?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Opens the database between commands (PGlite allows one opener at a time). */
  async function withDb<T>(fn: (d: Database) => Promise<T>): Promise<T> {
    const d = kind === 'pglite' ? await openDatabase({ dataDir: tmp! }) : await openDatabase({ databaseUrl: pgUrl });
    try {
      return await fn(d);
    } finally {
      await d.close();
    }
  }

  it('makes the first admin with a generated password, shown once', async () => {
    const r = await cli(usersCommand, ['add', '--username', 'gt.admin', '--role', 'admin', '--country', 'gt', '--name', 'Ana Pérez', ...dbArgs]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/created user gt\.admin \(admin, GT\)/);
    const password = /password: (\S+)/.exec(r.out)![1];
    expect(password.length).toBeGreaterThanOrEqual(20);
    await withDb(async (d) => {
      const login = await new AccessService({ db: d.db, clock: systemClock }).login('gt.admin', password);
      expect(login.user.role).toBe('admin');
      const [a] = await queryRows<{ actor: string; actor_kind: string }>(d.db, sql`select actor, actor_kind from audit_log where action = 'user.created'`);
      expect(a).toEqual({ actor: 'cli', actor_kind: 'system' });
    });

    const dup = await cli(usersCommand, ['add', '--username', 'gt.admin', '--role', 'admin', '--country', 'GT', '--name', 'X', ...dbArgs]);
    expect(dup.code).toBe(1);
    expect(dup.err).toMatch(/taken/);
  });

  it('lists, disables, and manages API keys', async () => {
    await cli(usersCommand, ['add', '--username', 'sv.officer1', '--role', 'officer', '--country', 'SV', '--name', 'Oficial', ...dbArgs]);
    const list = await cli(usersCommand, ['list', '--country', 'SV', ...dbArgs]);
    expect(list.out).toMatch(/sv\.officer1\s+officer\s+SV\s+yes\s+Oficial/);
    expect(list.out).not.toMatch(/gt\.admin/);
    expect((await cli(usersCommand, ['disable', 'sv.officer1', ...dbArgs])).out).toMatch(/disabled/);
    expect((await cli(usersCommand, ['list', ...dbArgs])).out).not.toMatch(/sv\.officer1/);

    const made = await cli(usersCommand, ['api-key', 'create', '--name', 'SAT feed', '--role', 'system', '--country', 'GT', ...dbArgs]);
    const key = /key: (ck_\S+)/.exec(made.out)![1];
    const prefix = key.slice(3, 11);
    expect((await cli(usersCommand, ['api-key', 'list', ...dbArgs])).out).toContain(prefix);
    expect((await cli(usersCommand, ['api-key', 'revoke', prefix, ...dbArgs])).out).toMatch(/revoked/);
    await withDb(async (d) => expect(await new AccessService({ db: d.db, clock: systemClock }).resolveApiKey(key)).toBeNull());
  });

  it('verifies the audit log and names a tampered entry', async () => {
    const ok = await cli(auditCommand, ['verify', ...dbArgs]);
    expect(ok.code).toBe(0);
    const m = /audit log OK: (\d+) entries, head (\d+) ([0-9a-f]{64})/.exec(ok.out)!;
    expect(m).not.toBeNull();
    const head = `${m[2]}:${m[3]}`;
    expect((await cli(auditCommand, ['verify', '--expected-head', head, ...dbArgs])).code).toBe(0);

    const id = await withDb(async (d) => {
      await d.db.execute(sql`ALTER TABLE audit_log DISABLE TRIGGER USER`);
      await d.db.execute(sql`UPDATE audit_log SET after = '{"role": "admin"}'::jsonb WHERE seq = 2`);
      await d.db.execute(sql`ALTER TABLE audit_log ENABLE TRIGGER USER`);
      return (await queryRows<{ id: string }>(d.db, sql`select id from audit_log where seq = 2`))[0].id;
    });
    const bad = await cli(auditCommand, ['verify', ...dbArgs]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`seq 2 (id ${id}): edited — stored hash does not match its content`);
    expect(bad.out).toMatch(/audit log FAILED: 1 problem/);

    const wrongHead = await cli(auditCommand, ['verify', '--expected-head', 'nope', ...dbArgs]);
    expect(wrongHead.code).toBe(1);
    expect(wrongHead.err).toMatch(/SEQ:HASH/);
  });
});

describe('centinela audit verify as a process', () => {
  const pg = postgresAvailability();
  let d: Database | undefined;
  let url = '';

  beforeAll(async () => {
    if (!pg.available) {
      console.log(`[access-cli] skipping the process test: ${pg.reason}`);
      return;
    }
    d = await openTestPostgres();
    const u = new URL(TEST_PG_URL!);
    u.pathname = new URL(d.location).pathname;
    url = u.toString();
    const s = new AccessService({ db: d.db, clock: systemClock });
    for (const cc of ['GT', 'SV', 'HN'] as const) {
      await s.createApiKey({ kind: 'system', id: 'system', name: 'test', role: 'system', country: cc }, { name: `feed ${cc}`, role: 'system', country: cc });
    }
  });
  afterAll(async () => {
    await d?.close();
  });

  it.skipIf(!pg.available)('exits 1 and names the edited row', async () => {
    const ok = await run(process.execPath, [path.join(ROOT, 'bin/centinela.mjs'), 'audit', 'verify', '--database-url', url], { cwd: ROOT });
    expect(ok.stdout).toMatch(/audit log OK: 3 entries, head 3 [0-9a-f]{64}/);

    await d!.db.execute(sql`ALTER TABLE audit_log DISABLE TRIGGER USER`);
    await d!.db.execute(sql`UPDATE audit_log SET actor = 'mallory' WHERE seq = 2`);
    await d!.db.execute(sql`ALTER TABLE audit_log ENABLE TRIGGER USER`);
    const [row] = await queryRows<{ id: string }>(d!.db, sql`select id from audit_log where seq = 2`);

    const bad = await run(process.execPath, [path.join(ROOT, 'bin/centinela.mjs'), 'audit', 'verify', '--database-url', url], { cwd: ROOT }).then(
      () => {
        throw new Error('expected exit code 1');
      },
      (e: { code: number; stdout: string }) => e,
    );
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`seq 2 (id ${row.id}): edited — stored hash does not match its content`);
  });
});
