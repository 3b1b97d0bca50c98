import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWalls, compareWithDebt, findCycles, readDebt, sqlTablesIn, toDebt, type WallsReport } from '../scripts/check-walls.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A small tree: two schema files (alpha, beta), three modules, alpha ⇄ beta in a cycle, each touching the other's table. */
const FIXTURE: Record<string, string> = {
  'src/db/schema/alpha.ts': `import { pgTable, text } from 'drizzle-orm/pg-core';
export const things = pgTable('alpha_things', { id: text('id') });
export const notATable = 42;
`,
  'src/db/schema/beta.ts': `import { pgTable, text } from 'drizzle-orm/pg-core';
export const others = pgTable('beta_others', { id: text('id') });
`,
  'src/db/schema/index.ts': `export * from './alpha.ts';\nexport * from './beta.ts';\n`,
  // alpha: its own table is fine; beta's through schema.<table>, raw SQL and a sql\`\` template is not
  'src/modules/alpha/service.ts': `import { sql } from 'drizzle-orm';
import { schema, type Db } from '../../db/client.ts';
import { betaThing } from '../beta/service.ts';
export async function f(db: Db) {
  await db.select().from(schema.things);
  await db.select().from(schema.others);
  await db.execute(sql\`select id from alpha_things a join beta_others b on b.id = a.id where a.id = \${betaThing}\`);
  return 'select count(*) from beta_others';
}
export const alphaThing = 1;
`,
  // beta: imports alpha's schema file and alpha's service (the cycle)
  'src/modules/beta/service.ts': `import { things } from '../../db/schema/alpha.ts';
import { others } from '../../db/schema/beta.ts';
import type { alphaThing } from '../alpha/service.ts';
export const betaThing: typeof alphaThing = 1;
export const tables = [things, others];
`,
  // gamma: depends on beta only, an English sentence that is not SQL, and no table of anyone's
  'src/modules/gamma/index.ts': `import { betaThing } from '../beta/service.ts';
export const message = 'pick from beta_others later';
export const g = betaThing;
`,
};

describe('the module walls checker', () => {
  let dir: string;
  let report: WallsReport;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-walls-'));
    for (const [rel, text] of Object.entries(FIXTURE)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    report = checkWalls({ root: dir });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('derives the table → module map from src/db/schema/<module>.ts', () => {
    expect(report.tables.map((t) => [t.exportName, t.sqlName, t.module])).toEqual([
      ['things', 'alpha_things', 'alpha'],
      ['others', 'beta_others', 'beta'],
    ]);
  });

  it('finds the cycle between modules, and no other', () => {
    expect(report.cycles).toEqual([['alpha', 'beta', 'alpha']]);
    const cycle = report.violations.filter((v) => v.kind === 'cycle');
    expect(cycle.map((v) => v.detail)).toEqual(['alpha -> beta -> alpha']);
  });

  it("finds every use of another module's table, and none of a module's own", () => {
    const uses = report.violations.filter((v) => v.kind !== 'cycle').map((v) => [v.file, v.kind, v.detail, v.count]);
    expect(uses).toEqual([
      ['src/modules/alpha/service.ts', 'raw-sql', 'beta_others (beta)', 2],
      ['src/modules/alpha/service.ts', 'schema-access', 'schema.others (beta)', 1],
      ['src/modules/beta/service.ts', 'schema-import', 'things (alpha) from db/schema/alpha', 1],
    ]);
  });

  it('fails on what the debt list does not record, and on a debt entry that no longer occurs', () => {
    // nothing recorded: every violation is new
    expect(compareWithDebt(report.violations, { entries: [] }).fresh).toHaveLength(report.violations.length);
    // the current violations recorded: passes
    const debt = toDebt(report.violations);
    expect(compareWithDebt(report.violations, debt)).toEqual({ fresh: [], stale: [] });
    // an entry that is gone (or occurs less often than recorded) fails until the list is regenerated
    const gone = { file: 'src/modules/gamma/index.ts', kind: 'raw-sql' as const, detail: 'beta_others (beta)', count: 1 };
    const more = debt.entries.map((e) => (e.kind === 'raw-sql' ? { ...e, count: e.count + 1 } : e));
    expect(compareWithDebt(report.violations, { entries: [...debt.entries, gone] }).stale).toEqual([{ entry: gone, actual: 0 }]);
    expect(compareWithDebt(report.violations, { entries: more }).stale).toHaveLength(1);
    // one more occurrence than recorded is new
    const fewer = debt.entries.map((e) => (e.kind === 'raw-sql' ? { ...e, count: 1 } : e));
    expect(compareWithDebt(report.violations, { entries: fewer }).fresh.map((f) => f.violation.detail)).toEqual(['beta_others (beta)']);
  });

  it('reads SQL table names after from, join, into and update', () => {
    const known = new Map(report.tables.map((t) => [t.sqlName, t]));
    const names = (s: string) => sqlTablesIn(s, known).map((t) => t.sqlName);
    expect(names('insert into alpha_things values (1)')).toEqual(['alpha_things']);
    expect(names('UPDATE "beta_others" set x = 1')).toEqual(['beta_others']);
    expect(names('select * from public.alpha_things left join beta_others using (id)')).toEqual(['alpha_things', 'beta_others']);
    expect(names('select * from alpha_thingsx')).toEqual([]);
  });

  it('enumerates elementary cycles once each', () => {
    const e = (from: string, to: string) => ({ from, to });
    expect(findCycles([e('a', 'b'), e('b', 'a'), e('b', 'c'), e('c', 'a'), e('c', 'd')])).toEqual([
      ['a', 'b', 'a'],
      ['a', 'b', 'c', 'a'],
    ]);
  });
});

describe('the real tree', () => {
  it('has no wall violation beyond scripts/walls-debt.json, and every recorded one still occurs', () => {
    const report = checkWalls({ root: ROOT });
    const cmp = compareWithDebt(report.violations, readDebt(path.join(ROOT, 'scripts/walls-debt.json')));
    // on failure: fix the new violation, or (when the debt shrank) run `npm run check:walls -- --write-debt`
    expect(cmp.fresh.map((f) => `${f.violation.file}: ${f.violation.kind} ${f.violation.detail} ×${f.violation.count}`)).toEqual([]);
    expect(cmp.stale.map((s) => `${s.entry.file}: ${s.entry.kind} ${s.entry.detail} ×${s.entry.count}`)).toEqual([]);
    expect(report.tables.length).toBeGreaterThan(0);
  });
});
