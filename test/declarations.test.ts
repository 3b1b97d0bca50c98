import { afterAll, beforeAll, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { FixedClock } from '../src/core/clock.ts';
import { ValidationError } from '../src/core/errors.ts';
import { schema, type Database } from '../src/db/client.ts';
import { openTestDb, describeEachDb } from '../src/db/testing.ts';
import { SYSTEM_PRINCIPAL, type Principal } from '../src/modules/access/types.ts';
import { IntakeService } from '../src/flows/intake.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { INVALID, mutate, NOW, validDeclaration, validManifest } from './fixtures.ts';

const system = SYSTEM_PRINCIPAL('GT', 'test');


describeEachDb('declaration intake on %s', (kind) => {
  let database: Database;
  let intake: IntakeService;
  const clock = new FixedClock(NOW);

  beforeAll(async () => {
    database = await openTestDb(kind);
    intake = new IntakeService({ db: database.db, ref: getReferenceData(), clock, config: { randomControlRate: 0.1 } });
  });
  afterAll(async () => database?.close());

  const tableCounts = async () => {
    const out: Record<string, number> = {};
    for (const [name, t] of Object.entries({
      declarations: schema.declarations,
      versions: schema.declarationVersions,
      items: schema.declarationItems,
      assessments: schema.assessments,
      audit: schema.auditLog,
    })) {
      const [r] = await database.db.select({ n: count() }).from(t as any);
      out[name] = Number(r.n);
    }
    return out;
  };

  it('accepts a valid declaration and answers its assessment', async () => {
    const out = await intake.submitDeclaration(validDeclaration('GT-OK-1'), system);
    expect(out.status).toBe('created');
    expect(out.version).toBe(1);
    expect(['green', 'red']).toContain(out.assessment.channel);
    expect(out.assessment.riskLevel).toBe('low');
    expect(out.assessment.reasons[0].text).toMatch(/random control|Baseline/);
    const items = await database.db.select().from(schema.declarationItems).where(eq(schema.declarationItems.declarationId, out.id));
    expect(items.map((i) => i.hsCode).sort()).toEqual(['392690', '85171300']);
  });

  it.each(INVALID)('rejects %s, naming the field, and stores nothing', async (_name, change, path) => {
    const before = await tableCounts();
    const bad = mutate(validDeclaration(`GT-BAD-${path.replace(/\W/g, '')}`), change);
    const err = await intake.submitDeclaration(bad, system).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const paths = (err as ValidationError).errors.map((e) => e.path);
    expect(paths).toContain(path);
    expect(await tableCounts()).toEqual(before);
  });

  it('lists every bad field at once', async () => {
    const bad = mutate(validDeclaration('GT-MANY'), (d) => {
      d.items[0].hsCode = '999999';
      d.items[1].origin = 'XX';
      d.office = 'GTZZZ';
      d.transport.containers = ['MSCU1234560'];
      d.items[0].customsValue = 'abc';
    });
    const err = (await intake.submitDeclaration(bad, system).catch((e) => e)) as ValidationError;
    expect(err.errors.map((e) => e.path).sort()).toEqual(['items[0].customsValue', 'items[0].hsCode', 'items[1].origin', 'office', 'transport.containers[0]']);
  });

  it('same content again is a no-op; changed content is an amendment that keeps the history', async () => {
    const d = validDeclaration('GT-AMEND-1');
    const first = await intake.submitDeclaration(d, system);
    const before = await tableCounts();
    // same content, keys in another order: still the same
    const again = await intake.submitDeclaration(JSON.parse(JSON.stringify({ items: d.items, ...d })), system);
    expect(again).toMatchObject({ status: 'unchanged', id: first.id, version: 1 });
    expect(again.assessment).toEqual(first.assessment);
    expect(await tableCounts()).toEqual(before);

    const amended = mutate(d, (x) => (x.items[0].customsValue = 70000));
    const second = await intake.submitDeclaration(amended, system);
    expect(second).toMatchObject({ status: 'amended', id: first.id, version: 2 });
    const versions = await database.db.select().from(schema.declarationVersions).where(eq(schema.declarationVersions.declarationId, first.id));
    expect(versions.map((v) => v.version).sort()).toEqual([1, 2]);
    expect((versions.find((v) => v.version === 1)!.payload as any).items[0].customsValue).toBe(62500);
    const [row] = await database.db.select().from(schema.declarations).where(eq(schema.declarations.id, first.id));
    expect(row.version).toBe(2);
    expect(row.totalValue).toBe(73000);
    const assessments = await database.db.select().from(schema.assessments).where(eq(schema.assessments.declarationId, first.id));
    expect(assessments.map((a) => a.declarationVersion).sort()).toEqual([1, 2]);
  });

  it('a batch keeps the good records and reports each bad one', async () => {
    const before = await tableCounts();
    const res = await intake.submitDeclarations(
      [validDeclaration('GT-B-1'), mutate(validDeclaration('GT-B-2'), (d) => (d.items[0].hsCode = '000000')), validDeclaration('GT-B-3'), { nonsense: true }],
      system,
    );
    expect(res.outcomes.map((o) => o.reference)).toEqual(['GT-B-1', 'GT-B-3']);
    expect(res.rejections.map((r) => r.index)).toEqual([1, 3]);
    expect(res.rejections[0].errors[0].path).toBe('items[0].hsCode');
    const after = await tableCounts();
    expect(after.declarations - before.declarations).toBe(2);
    expect(after.items - before.items).toBe(4);
    expect(after.audit - before.audit).toBe(2);
  });

  it('an officer of another administration may not submit', async () => {
    const sv: Principal = { kind: 'api_key', id: 'k', name: 'sv-system', role: 'system', country: 'SV' };
    const res = await intake.submitDeclarations([validDeclaration('GT-X-1')], sv);
    expect(res.rejections[0].errors[0]).toMatchObject({ path: 'country', code: 'not_your_administration' });
  });

  it('random control selects at the configured rate, replayably', async () => {
    const decls = Array.from({ length: 600 }, (_, i) => validDeclaration(`GT-RC-${i}`));
    const res = await intake.submitDeclarations(decls, system);
    const red = res.outcomes.filter((o) => o.assessment.channel === 'red').length;
    // 10% of 600 = 60; binomial sd ~ 7.3: a 4-sd band
    expect(red).toBeGreaterThan(30);
    expect(red).toBeLessThan(90);
    const stored = await database.db.select().from(schema.assessments).where(eq(schema.assessments.declarationId, res.outcomes[0].id));
    const inputs = stored[0].inputs as { seedId: string; draw: number; rate: number };
    expect(inputs.rate).toBe(0.1);
    expect(inputs.draw < 0.1).toBe(stored[0].channel === 'red');
  });

  it('manifests: stored with consignments, idempotent, amendable, and bad ones rejected by path', async () => {
    const m = await intake.submitManifest(validManifest('GT-M-1'), system);
    expect(m.status).toBe('created');
    expect((await intake.submitManifest(validManifest('GT-M-1'), system)).status).toBe('unchanged');
    const am = await intake.submitManifest(mutate(validManifest('GT-M-1'), (x) => (x.consignments[0].packages = 41)), system);
    expect(am).toMatchObject({ status: 'amended', version: 2 });
    const bad = mutate(validManifest('GT-M-2'), (x) => {
      x.consignments.push({ ...x.consignments[0] });
      x.consignments[0].containers = ['ABCD1234567'];
      x.consignments[0].grossMassKg = -1;
    });
    const err = (await intake.submitManifest(bad, system).catch((e) => e)) as ValidationError;
    expect(err.errors.map((e) => e.path).sort()).toEqual(['consignments[0].containers[0]', 'consignments[0].grossMassKg', 'consignments[1].transportDocument']);
  });
});
