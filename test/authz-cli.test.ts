/**
 * The CLI on the host makes the first regional admin (issue 9, finding 3), who alone then grants
 * regional roles; and it makes API keys only with the roles a key may carry (finding 4).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from './cli-harness.ts';
import { usersCommand } from '../src/cli/commands/users.ts';
import { systemClock } from '../src/core/clock.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { describeEachDb, openTestPostgres, TEST_PG_URL } from '../src/db/testing.ts';
import { AccessService } from '../src/modules/access/service.ts';

const cli = (args: string[]) => runCli(usersCommand, args, { errors: 'return' });


describeEachDb('regional roles and key roles from the CLI on %s', (kind) => {
  let dbArgs: string[];
  let tmp: string | undefined;
  let pgDb: Database | undefined;
  let pgUrl = '';
  beforeAll(async () => {
    if (kind === 'pglite') {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-authz-cli-'));
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
  const withDb = async <T>(fn: (s: AccessService) => Promise<T>): Promise<T> => {
    const d = kind === 'pglite' ? await openDatabase({ dataDir: tmp! }) : await openDatabase({ databaseUrl: pgUrl });
    try {
      return await fn(new AccessService({ db: d.db, clock: systemClock }));
    } finally {
      await d.close();
    }
  };

  it('makes the first regional admin, who grants regional roles; a national admin cannot', async () => {
    const boss = await cli(['add', '--username', 'region.admin', '--role', 'regional_admin', '--country', 'GT', '--name', 'Regional admin', ...dbArgs]);
    expect(boss.err).toBe('');
    expect(boss.out).toMatch(/created user region\.admin \(regional_admin, GT\)/);
    const bossPassword = /password: (\S+)/.exec(boss.out)![1];
    const admin = await cli(['add', '--username', 'gt.admin', '--role', 'admin', '--country', 'GT', '--name', 'Admin', ...dbArgs]);
    const adminPassword = /password: (\S+)/.exec(admin.out)![1];
    await withDb(async (s) => {
      const asBoss = (await s.resolveSession((await s.login('region.admin', bossPassword)).token))!.principal;
      const asAdmin = (await s.resolveSession((await s.login('gt.admin', adminPassword)).token))!.principal;
      await expect(s.createUser(asAdmin, { username: 'gt.regional', displayName: 'R', role: 'regional_analyst', country: 'GT', password: 'long enough password 1' })).rejects.toMatchObject({ status: 403 });
      const made = await s.createUser(asBoss, { username: 'sv.regional', displayName: 'R', role: 'regional_analyst', country: 'SV', password: 'long enough password 1' });
      expect(made.role).toBe('regional_analyst');
    });
  });

  it('refuses an API key with a role that approves or manages, and says which roles a key may carry', async () => {
    const bad = await cli(['api-key', 'create', '--name', 'admin feed', '--role', 'admin', '--country', 'GT', ...dbArgs]);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/Allowed choices are system, auditor, regional_analyst/);
    const ok = await cli(['api-key', 'create', '--name', 'audit extract', '--role', 'auditor', '--country', 'GT', ...dbArgs]);
    expect(ok.out).toMatch(/created API key "audit extract" \(auditor, GT\)/);
  });
});
