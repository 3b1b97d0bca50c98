import { afterAll, beforeAll, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { queryRows, sql, type Database } from '../src/db/client.ts';
import { openTestDb, describeEachDb } from '../src/db/testing.ts';
import { appendAudit, auditRowHash } from '../src/modules/access/audit.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import { verifyAuditChain } from '../src/modules/access/verify.ts';
import { T0 } from './access-helpers.ts';

const actor = SYSTEM_PRINCIPAL('GT', 'test');

describeEachDb('audit log chain on %s', (kind) => {
  let d: Database;
  const clock = new FixedClock(T0);

  beforeAll(async () => {
    d = await openTestDb(kind);
  });
  afterAll(async () => {
    await d?.close();
  });

  /** Runs `fn` with the append-only trigger disabled, as a superuser could. */
  async function tamper(fn: () => Promise<unknown>) {
    await d.db.execute(sql`ALTER TABLE audit_log DISABLE TRIGGER USER`);
    try {
      await fn();
    } finally {
      await d.db.execute(sql`ALTER TABLE audit_log ENABLE TRIGGER USER`);
    }
  }

  it('is empty and valid at first', async () => {
    expect(await verifyAuditChain(d.db)).toEqual({ ok: true, checked: 0, problems: [], problemsTruncated: false, head: null });
  });

  it('chains appended entries and verifies them across pages', async () => {
    for (let i = 1; i <= 12; i++) {
      clock.advance(1000);
      await appendAudit(
        d.db, // outside a transaction: appendAudit makes its own
        { actor, action: 'thing.changed', entityType: 'thing', entityId: `t${i}`, before: { n: i - 1 }, after: { n: i, note: 'ñandú "x"', list: [1.5, null, { z: 1, a: 2 }] } },
        clock,
      );
    }
    await d.db.transaction((tx) =>
      appendAudit(tx, [13, 14, 15].map((i) => ({ actor, action: 'thing.changed', entityType: 'thing', entityId: `t${i}`, after: { n: i } })), clock),
    );
    const rows = await queryRows<{ seq: string | number; prev_hash: string; hash: string }>(d.db, sql`select seq, prev_hash, hash from audit_log order by seq`);
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    for (let i = 1; i < rows.length; i++) expect(rows[i].prev_hash).toBe(rows[i - 1].hash);

    for (const pageSize of [1, 4, 5000]) {
      const v = await verifyAuditChain(d.db, { pageSize });
      expect(v).toMatchObject({ ok: true, checked: 15, problems: [], head: { seq: 15, hash: rows[14].hash } });
    }
  });

  it('refuses UPDATE, DELETE and TRUNCATE while the trigger is on', async () => {
    await expect(d.db.execute(sql`UPDATE audit_log SET actor = 'mallory' WHERE seq = 3`)).rejects.toThrow();
    await expect(d.db.execute(sql`DELETE FROM audit_log WHERE seq = 3`)).rejects.toThrow();
    await expect(d.db.execute(sql`TRUNCATE audit_log`)).rejects.toThrow();
    expect((await verifyAuditChain(d.db)).ok).toBe(true);
  });

  it('names an edited entry by seq and id', async () => {
    const [row] = await queryRows<{ id: string }>(d.db, sql`select id from audit_log where seq = 5`);
    await tamper(() => d.db.execute(sql`UPDATE audit_log SET after = '{"n": 500}'::jsonb WHERE seq = 5`));
    const v = await verifyAuditChain(d.db, { pageSize: 4 });
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([{ seq: 5, id: row.id, kind: 'edited', detail: 'stored hash does not match its content' }]);
    // put it back, as it was
    await tamper(() => d.db.execute(sql`UPDATE audit_log SET after = '{"n": 5, "note": "ñandú \\"x\\"", "list": [1.5, null, {"z": 1, "a": 2}]}'::jsonb WHERE seq = 5`));
    expect((await verifyAuditChain(d.db)).ok).toBe(true);
  });

  it('finds a rewritten entry whose hash was recomputed, by the broken link after it', async () => {
    const [r] = await queryRows<any>(d.db, sql`select * from audit_log where seq = 7`);
    const forged = {
      seq: 7, id: r.id, at: new Date(r.at), actor: 'mallory', actorKind: r.actor_kind, country: r.country, action: r.action,
      entityType: r.entity_type, entityId: r.entity_id, before: r.before, after: r.after, prevHash: r.prev_hash,
    };
    const hash = auditRowHash(forged);
    await tamper(() => d.db.execute(sql`UPDATE audit_log SET actor = 'mallory', hash = ${hash} WHERE seq = 7`));
    const v = await verifyAuditChain(d.db);
    expect(v.problems).toHaveLength(1);
    expect(v.problems[0]).toMatchObject({ seq: 8, kind: 'broken_link' });
    await tamper(() => d.db.execute(sql`UPDATE audit_log SET actor = ${r.actor}, hash = ${r.hash} WHERE seq = 7`));
    expect((await verifyAuditChain(d.db)).ok).toBe(true);
  });

  it('names a deleted entry by its seq, and the deletion of the last ones given the recorded head', async () => {
    const before = await verifyAuditChain(d.db);
    const head = before.head!;
    await tamper(() => d.db.execute(sql`DELETE FROM audit_log WHERE seq = 9`));
    let v = await verifyAuditChain(d.db, { pageSize: 3 });
    expect(v.ok).toBe(false);
    expect(v.problems).toHaveLength(1);
    expect(v.problems[0]).toMatchObject({ seq: 9, kind: 'missing' });
    expect(v.problems[0].detail).toMatch(/entry 9 is missing/);

    await tamper(() => d.db.execute(sql`DELETE FROM audit_log WHERE seq >= 14`));
    v = await verifyAuditChain(d.db);
    expect(v.problems.map((p) => p.seq)).toEqual([9]); // the chain alone cannot see the tail go
    v = await verifyAuditChain(d.db, { expectedHead: head });
    expect(v.problems.map((p) => [p.seq, p.kind])).toEqual([[9, 'missing'], [14, 'missing']]);
    expect(v.problems[1].detail).toMatch(/entries 14–15 were deleted/);
  });

  it('keeps appending after the damage, and lists problems up to a cap', async () => {
    await appendAudit(d.db, { actor, action: 'thing.changed', entityType: 'thing', entityId: 'after' }, clock);
    await tamper(() => d.db.execute(sql`UPDATE audit_log SET action = 'x'`));
    const v = await verifyAuditChain(d.db, { maxProblems: 3 });
    expect(v.ok).toBe(false);
    expect(v.problems).toHaveLength(3);
    expect(v.problemsTruncated).toBe(true);
  });
});
