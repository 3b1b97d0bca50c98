import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.ts';
import { ValidationError } from '../src/core/errors.ts';
import type { InboundHandler } from '../src/modules/exchange/contract.ts';
import { postgresAvailability } from '../src/db/testing.ts';
import { regionTransports, startRegion, type Region, type RegionNode } from './exchange-harness.ts';

const payload = z.object({ ref: z.string(), n: z.number().int(), officer: z.string().optional(), refuse: z.boolean().optional() });
type P = z.infer<typeof payload>;

/** A stand-in handler for `seizure.reported` that records what it applied in a table of the test's own. */
function recorder(): InboundHandler<P> {
  return {
    kind: 'seizure.reported',
    schemaVersion: 1,
    payload,
    async apply(tx, env, recipient) {
      if (env.payload.refuse) throw new ValidationError([{ path: 'payload.refuse', code: 'refused', message: 'the test asked to refuse it' }]);
      await tx.execute(sql`insert into test_applied (message_id, recipient, sender, ref, n, officer) values (${env.id}, ${recipient}, ${env.sender}, ${env.payload.ref}, ${env.payload.n}, ${env.payload.officer ?? null})`);
    },
  };
}

async function prepare(n: RegionNode) {
  await n.db.execute(sql`create table test_applied (message_id uuid, recipient text, sender text, ref text, n int, officer text)`);
  n.exchange.replaceHandler(recorder());
}

async function send(n: RegionNode, sender: string, recipients: string[], p: P, subject: string | null = null) {
  return n.db.transaction((tx) => n.exchange.enqueue(tx, { sender, recipients, kind: 'seizure.reported', payload: p, subject }));
}

const applied = (n: RegionNode) => queryRows<{ message_id: string; recipient: string; sender: string; ref: string; n: number; officer: string | null }>(n.db, sql`select * from test_applied order by n`);

/** every transport on the embedded database, and the in-process transport with each node on PostgreSQL */
const VARIANTS: [string, 'pglite' | 'postgres'][] = [...regionTransports().map((t) => [t, 'pglite'] as [string, 'pglite']), ...(postgresAvailability().available ? [['memory', 'postgres'] as [string, 'postgres']] : [])];

describe.each(VARIANTS)('exchange core over %s on %s', (transport, db) => {
  let region: Region;
  beforeAll(async () => {
    region = await startRegion({
      transport: transport as 'memory' | 'nats',
      db,
      nodes: [
        { name: 'gt', administrations: ['GT'] },
        { name: 'sv', administrations: ['SV'] },
        { name: 'hn', administrations: ['HN'] },
      ],
      beforeStart: prepare,
    });
  }, 180_000);
  afterAll(() => region?.close());

  it('delivers a message to each recipient once, in its own transaction, and the sender sees it applied', async () => {
    const gt = region.node('gt');
    const r = await send(gt, 'GT', ['SV', 'HN'], { ref: 'S-1', n: 1 });
    expect(r.id).toBeTruthy();
    expect(r.recipients).toEqual(['SV', 'HN']);
    await region.settle();
    expect((await applied(region.node('sv'))).map((x) => [x.ref, x.recipient, x.sender])).toEqual([['S-1', 'SV', 'GT']]);
    expect((await applied(region.node('hn'))).map((x) => x.ref)).toEqual(['S-1']);
    const d = await gt.exchange.deliveries({ sender: 'GT', messageId: r.id! });
    expect(d.map((x) => [x.recipient, x.state]).sort()).toEqual([['HN', 'applied'], ['SV', 'applied']]);
  });

  it('a message whose transaction rolls back is never sent', async () => {
    const gt = region.node('gt');
    await expect(
      gt.db.transaction(async (tx) => {
        await gt.exchange.enqueue(tx, { sender: 'GT', recipients: ['SV'], kind: 'seizure.reported', payload: { ref: 'ROLLED-BACK', n: 99 } });
        throw new Error('business change failed');
      }),
    ).rejects.toThrow('business change failed');
    await region.settle();
    expect((await applied(region.node('sv'))).map((x) => x.ref)).not.toContain('ROLLED-BACK');
  });

  it('a refusal by the handler is dead-lettered and the sender sees the reason', async () => {
    const gt = region.node('gt');
    const r = await send(gt, 'GT', ['SV'], { ref: 'S-REF', n: 2, refuse: true });
    await region.settle();
    const [d] = await gt.exchange.deliveries({ sender: 'GT', messageId: r.id! });
    expect(d.state).toBe('refused');
    expect(d.reason).toContain('the test asked to refuse it');
    const dl = await region.node('sv').exchange.deadLetters({ recipients: ['SV'], status: 'open' });
    expect(dl.find((x) => x.messageId === r.id)?.code).toBe('refused_by_handler');
  });
});
