import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.ts';
import { ValidationError } from '../src/core/errors.ts';
import type { InboundHandler } from '../src/modules/exchange/contract.ts';
import { regionTransports, startRegion, type Region, type RegionNode } from './exchange-harness.ts';

/**
 * The inbox applies what arrived in batches (one transaction, a savepoint per message): a message
 * refused in the middle of a batch is dead-lettered and its writes undone while the others apply,
 * each once, in order per subject; a message whose handler fails unexpectedly holds back the rest
 * of the batch until it is applied on a retry.
 */
const payload = z.object({ ref: z.string(), n: z.number().int(), refuse: z.boolean().optional(), flaky: z.boolean().optional() });
type P = z.infer<typeof payload>;

const failedOnce = new Set<string>();

function handler(): InboundHandler<P> {
  return {
    kind: 'seizure.reported',
    schemaVersion: 1,
    payload,
    async apply(tx, env, recipient) {
      // written before the refusal: the message's savepoint must take it back
      await tx.execute(sql`insert into test_batch (message_id, recipient, subject, ref, n) values (${env.id}, ${recipient}, ${env.subject}, ${env.payload.ref}, ${env.payload.n})`);
      if (env.payload.refuse) throw new ValidationError([{ path: 'payload.refuse', code: 'refused', message: 'poisoned on purpose' }]);
      if (env.payload.flaky && !failedOnce.has(env.id)) {
        failedOnce.add(env.id);
        throw new Error('a transient failure');
      }
    },
  };
}

async function prepare(n: RegionNode) {
  await n.db.execute(sql`create table test_batch (seq serial primary key, message_id uuid, recipient text, subject text, ref text, n int)`);
  n.exchange.replaceHandler(handler());
}

describe.each(regionTransports())('inbox batches over %s', (transport) => {
  let region: Region;
  beforeAll(async () => {
    region = await startRegion({ transport, nodes: [{ name: 'gt', administrations: ['GT'] }, { name: 'sv', administrations: ['SV'] }], beforeStart: prepare });
  }, 120_000);
  afterAll(() => region?.close());

  it('a poisoned message in a batch is dead-lettered with its writes undone; the others apply once, in order per subject', async () => {
    const gt = region.node('gt');
    const sv = region.node('sv');
    // queued while cut off, so that they arrive together
    await gt.cut();
    const sent: { id: string; ref: string; subject: string }[] = [];
    await gt.db.transaction(async (tx) => {
      for (let n = 0; n < 40; n++) {
        const subject = n % 2 ? 'movement-A' : 'movement-B';
        const p: P = { ref: `R-${n}`, n, ...(n === 13 ? { refuse: true } : {}), ...(n === 24 ? { flaky: true } : {}) };
        const r = await gt.exchange.enqueue(tx, { sender: 'GT', recipients: ['SV'], kind: 'seizure.reported', payload: p, subject });
        sent.push({ id: r.id!, ref: p.ref, subject });
      }
    });
    await gt.restore();
    await region.settle();

    const rows = await queryRows<{ seq: number; message_id: string; subject: string; ref: string; n: number }>(sv.db, sql`select * from test_batch order by seq`);
    // the poisoned one left nothing; every other one applied exactly once (the flaky one after its retry)
    expect(rows.map((r) => r.ref)).not.toContain('R-13');
    expect(rows.length).toBe(39);
    expect(new Set(rows.map((r) => r.message_id)).size).toBe(39);
    for (const subject of ['movement-A', 'movement-B']) {
      const ns = rows.filter((r) => r.subject === subject).map((r) => r.n);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
    }
    const inbox = await queryRows<{ n: number | string }>(sv.db, sql`select count(*) as n from exchange_inbox where recipient = 'SV' and kind = 'seizure.reported'`);
    expect(Number(inbox[0].n)).toBe(39);

    const poisoned = sent.find((s) => s.ref === 'R-13')!;
    const dead = await sv.exchange.deadLetters({ recipients: ['SV'], status: 'open' });
    expect(dead.map((d) => [d.messageId, d.code])).toEqual([[poisoned.id, 'refused_by_handler']]);
    expect(dead[0].reason).toContain('poisoned on purpose');

    const deliveries = await gt.exchange.deliveries({ sender: 'GT', limit: 100 });
    const state = new Map(deliveries.map((d) => [d.messageId, d.state]));
    for (const s of sent) expect(state.get(s.id)).toBe(s.ref === 'R-13' ? 'refused' : 'applied');
  }, 60_000);
});
