/**
 * One intake, three entry points: `centinela import`, `POST /api/v1/declarations/import` and
 * `POST /api/v1/declarations` give the same assessment, the same controls and the same audit
 * entries for the same file. (Before the composition root, the CLI assessed with random control
 * only: no criteria, no model, no controls.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildServices } from '../src/app/services.ts';
import { importCommand } from '../src/cli/commands/import.ts';
import { systemClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import { openDatabase, queryRows, schema, sql, type Database } from '../src/db/client.ts';
import { openTestDb, openTestPostgres, describeEachDb, TEST_PG_URL } from '../src/db/testing.ts';
import { AccessService } from '../src/modules/access/service.ts';
import { SYSTEM_PRINCIPAL, type Principal } from '../src/modules/access/types.ts';
import { criterionInput } from '../src/modules/risk/schema.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { buildApp } from '../src/server/app.ts';
import type { AppDeps } from '../src/server/deps.ts';
import { mutate, validDeclaration } from './fixtures.ts';

const SEED = { id: 'seed-entry-points', secret: 'c2FtZS1zZWNyZXQtZm9yLWFsbC10aHJlZS1kYXRhYmFzZXM' };
const ref = getReferenceData();

/** Twelve declarations lodged an hour ago: every third is tobacco from Panama (the criterion sends it red). */
function file(): object[] {
  const at = new Date(Date.now() - 3_600_000).toISOString();
  return Array.from({ length: 12 }, (_, k) =>
    mutate(validDeclaration(`GT-ENTRY-${String(k).padStart(3, '0')}`), (d) => {
      d.lodgedAt = at;
      d.importer = { tin: `IMP-${k % 4}`, name: `Importadora ${k % 4} S.A.`, country: 'GT' };
      if (k % 3 === 0) d.items[0] = { line: 1, hsCode: '240220', description: 'Cigarettes', origin: 'PA', quantity: 500, unit: 'KGM', netMassKg: 500, grossMassKg: 540, customsValue: 9000 + k, currency: 'USD', dutyRate: 15 };
      else d.items[0].customsValue = 60000 + 1000 * k;
    }),
  );
}

/** The same selectivity seed, analysts, approved criterion, officers on duty and national system key in each database. */
async function prepare(database: Database): Promise<string> {
  const deps = { database, db: database.db, ref, clock: systemClock, config: loadConfig({}) };
  await database.db.insert(schema.settings).values({ key: 'selectivity.seed', value: SEED, updatedAt: new Date() });
  const access = new AccessService(deps);
  const admin = SYSTEM_PRINCIPAL('GT', 'test');
  const people: Record<string, Principal> = {};
  for (const [name, role] of [
    ['ana', 'risk_analyst'],
    ['beto', 'supervisor'],
    ['oscar', 'officer'],
    ['olga', 'officer'],
  ] as const) {
    const u = await access.createUser(admin, { username: `gt.${name}`, displayName: name, role, country: 'GT', password: `${name}-password-123` });
    people[name] = { kind: 'user', id: u.id, name: `gt.${name}`, role, country: 'GT' };
  }
  const { risk } = buildServices(deps);
  const c = await risk.createCriterion(
    people.ana,
    criterionInput.parse({
      name: 'Tabaco desde zonas libres',
      reason: 'cigarrillos declarados desde Panamá',
      expression: 'decl.type == "IM" && decl.items.exists(i, i.hsCode.startsWith("2402") && i.origin == "PA")',
      weight: 50,
      forcedChannel: 'red',
    }),
  );
  await risk.submitCriterion(people.ana, c.id);
  await risk.approveCriterion(people.beto, c.id, 'visto');
  const from = new Date(Date.now() - 86_400_000).toISOString();
  const to = new Date(Date.now() + 86_400_000).toISOString();
  for (const o of ['oscar', 'olga']) await risk.addDuty(people.beto, { officerId: people[o].id, office: 'GTPRQ', from, to });
  return (await access.createApiKey(admin, { name: 'SIGA', role: 'system', country: 'GT' })).key;
}

interface Outcome {
  decisions: Record<string, { channel: string; riskLevel: string; score: number; reasons: string[]; random: boolean }>;
  controls: Record<string, { channel: string; status: string }[]>;
  audit: Record<string, number>;
}

async function outcome(database: Database): Promise<Outcome> {
  const rows = await queryRows<{ reference: string; channel: string; risk_level: string; score: number; reasons: { code: string }[]; inputs: { random?: { selected: boolean } } }>(
    database.db,
    sql`select d.reference, a.channel, a.risk_level, a.score, a.reasons, a.inputs from assessments a join declarations d on d.id = a.declaration_id where d.reference like 'GT-ENTRY-%' order by d.reference`,
  );
  const decisions: Outcome['decisions'] = {};
  for (const r of rows) decisions[r.reference] = { channel: r.channel, riskLevel: r.risk_level, score: Number(r.score), reasons: r.reasons.map((x) => (x.code.startsWith('criterion:') ? 'criterion' : x.code)).sort(), random: !!r.inputs.random?.selected };
  const ctl = await queryRows<{ reference: string; channel: string; status: string }>(
    database.db,
    sql`select d.reference, c.channel, c.status from controls c join declarations d on d.id = c.declaration_id where d.reference like 'GT-ENTRY-%' order by d.reference, c.channel`,
  );
  const controls: Outcome['controls'] = {};
  for (const c of ctl) (controls[c.reference] ??= []).push({ channel: c.channel, status: c.status });
  const audit: Record<string, number> = {};
  const entries = await database.db.select({ action: schema.auditLog.action, entityType: schema.auditLog.entityType }).from(schema.auditLog).where(eq(schema.auditLog.country, 'GT'));
  for (const e of entries) audit[`${e.entityType}:${e.action}`] = (audit[`${e.entityType}:${e.action}`] ?? 0) + 1;
  return { decisions, controls, audit };
}

describeEachDb('the same file through the CLI, the bulk import API and single posts on %s', (kind) => {
  const lines = file();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-entry-'));
  const jsonl = path.join(tmp, 'declarations.jsonl');
  fs.writeFileSync(jsonl, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const results: Record<'cli' | 'bulk' | 'single', Outcome> = {} as never;
  const opened: Database[] = [];

  beforeAll(async () => {
    // 1. `centinela import` on a database of its own (a data directory, or a PostgreSQL database)
    let cliArgs: string[];
    let reopen: () => Promise<Database>;
    if (kind === 'pglite') {
      const dir = path.join(tmp, 'data');
      const d = await openDatabase({ dataDir: dir });
      await prepare(d);
      await d.close();
      cliArgs = ['--data-dir', dir];
      reopen = () => openDatabase({ dataDir: dir });
    } else {
      const d = await openTestPostgres();
      opened.push(d);
      await prepare(d);
      const u = new URL(TEST_PG_URL!);
      u.pathname = new URL(d.location).pathname;
      cliArgs = ['--database-url', u.toString()];
      reopen = async () => d;
    }
    const err = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as never;
    try {
      await importCommand().exitOverride().parseAsync([jsonl, ...cliArgs], { from: 'user' });
    } finally {
      process.stderr.write = err;
    }
    const cliDb = await reopen();
    results.cli = await outcome(cliDb);
    if (kind === 'pglite') await cliDb.close();

    // 2. the bulk import API, and 3. one POST per declaration, each on a database of its own
    for (const how of ['bulk', 'single'] as const) {
      const database = await openTestDb(kind);
      opened.push(database);
      const key = await prepare(database);
      const deps: AppDeps = { database, db: database.db, ref, clock: systemClock, config: loadConfig({}) };
      const { app } = await buildApp(deps);
      if (how === 'bulk') {
        const r = await app.inject({ method: 'POST', url: '/api/v1/declarations/import', headers: { 'x-api-key': key, 'content-type': 'application/x-ndjson' }, payload: fs.readFileSync(jsonl, 'utf8') });
        expect(r.statusCode, r.body).toBeLessThan(300);
      } else {
        for (const l of lines) {
          const r = await app.inject({ method: 'POST', url: '/api/v1/declarations', headers: { 'x-api-key': key }, payload: l as never });
          expect(r.statusCode, r.body).toBe(201);
        }
      }
      results[how] = await outcome(database);
      await app.close();
    }
  });
  afterAll(async () => {
    for (const d of opened) await d.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('gives every declaration the same decision whichever way it came in, and the criterion decided', () => {
    expect(Object.keys(results.cli.decisions)).toHaveLength(12);
    expect(results.cli.decisions).toEqual(results.bulk.decisions);
    expect(results.single.decisions).toEqual(results.bulk.decisions);
    // the CLI used to assess with random control alone: the approved criterion must have sent the tobacco red
    const tobacco = Object.entries(results.cli.decisions).filter(([ref]) => Number(ref.slice(-3)) % 3 === 0);
    expect(tobacco).toHaveLength(4);
    for (const [, d] of tobacco) {
      expect(d.channel).toBe('red');
      expect(d.reasons).toContain('criterion');
    }
  });

  it('opens the same controls and writes the same audit entries', () => {
    expect(Object.keys(results.cli.controls).length).toBeGreaterThanOrEqual(4);
    expect(results.cli.controls).toEqual(results.bulk.controls);
    expect(results.single.controls).toEqual(results.bulk.controls);
    expect(results.cli.audit['declaration:declaration.received']).toBe(12);
    // the two bulk paths record their import batch; single posts have none
    const { ['import_batch:import.completed']: cliBatch, ...cliRest } = results.cli.audit;
    const { ['import_batch:import.completed']: bulkBatch, ...bulkRest } = results.bulk.audit;
    expect(cliBatch).toBe(1);
    expect(bulkBatch).toBe(1);
    expect(cliRest).toEqual(bulkRest);
    expect(results.single.audit).toEqual(bulkRest);
  });
});
