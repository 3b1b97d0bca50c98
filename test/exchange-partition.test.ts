/**
 * Degraded mode: one node cut off the bus for a while, under traffic in both directions. It keeps
 * working (its outbound messages queue, the link says down since when); messages for it wait in
 * its stream; on reconnection it catches up both ways and every message is applied exactly once,
 * in order per subject. On the in-process transport always, on NATS when CENTINELA_TEST_NATS_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.ts';
import type { InboundHandler } from '../src/modules/exchange/contract.ts';
import { regionTransports, startRegion, type Region, type RegionNode } from './exchange-harness.ts';

const payload = z.object({ n: z.number().int() });
const recorder: InboundHandler<z.infer<typeof payload>> = {
  kind: 'transit.event',
  schemaVersion: 1,
  payload,
  async apply(tx, env, recipient) {
    await tx.execute(sql`insert into test_applied (message_id, recipient, sender, subject, n) values (${env.id}, ${recipient}, ${env.sender}, ${env.subject}, ${env.payload.n})`);
  },
};

const ADMINS = ['GT', 'SV', 'HN'];

describe.each(regionTransports())('partition over %s', (transport) => {
  let region: Region;
  beforeAll(async () => {
    region = await startRegion({
      transport,
      nodes: ADMINS.map((a) => ({ name: a.toLowerCase(), administrations: [a] })),
      beforeStart: async (n: RegionNode) => {
        await n.db.execute(sql`create table test_applied (seq serial, message_id uuid, recipient text, sender text, subject text, n int)`);
        n.exchange.replaceHandler(recorder);
      },
    });
  }, 180_000);
  afterAll(() => region?.close());

  it('a node cut off for a while under traffic both ways catches up: every message applied exactly once, in order per subject', async () => {
    const counter: Record<string, number> = {};
    const sent: Record<string, number> = {};
    /** one round: every node sends one message to each other node, on a subject per (sender, recipient) pair */
    const round = async () => {
      for (const from of ADMINS) {
        const node = region.nodeOf(from);
        for (const to of ADMINS) {
          if (to === from) continue;
          const key = `${from}>${to}`;
          const n = (counter[key] = (counter[key] ?? 0) + 1);
          await node.db.transaction((tx) => node.exchange.enqueue(tx, { sender: from, recipients: [to], kind: 'transit.event', payload: { n }, subject: `movement-${key}` }));
          sent[key] = n;
        }
      }
    };
    for (let i = 0; i < 5; i++) await round();
    const hn = region.node('hn');
    await hn.cut();
    const cutAt = Date.now();
    for (let i = 0; i < 10; i++) {
      await round();
      await new Promise((r) => setTimeout(r, 30));
    }
    // HN keeps working offline: its messages queue; the link says down and since when
    const down = await hn.exchange.status();
    expect(down.up).toBe(false);
    expect(down.queued).toBeGreaterThanOrEqual(20);
    expect(new Date(down.since).getTime()).toBeGreaterThanOrEqual(cutAt - 1000);
    // the others' messages to HN wait (nothing applied at HN meanwhile)
    const [{ n: atHnWhileCut }] = await queryRows<{ n: number }>(hn.db, sql`select count(*)::int as n from test_applied`);
    await new Promise((r) => setTimeout(r, 300));
    const [{ n: atHnStill }] = await queryRows<{ n: number }>(hn.db, sql`select count(*)::int as n from test_applied`);
    expect(atHnStill).toBe(atHnWhileCut);
    await hn.restore();
    for (let i = 0; i < 5; i++) await round();
    await region.settle({ timeoutMs: 45_000 });

    for (const to of ADMINS) {
      const node = region.nodeOf(to);
      const rows = await queryRows<{ sender: string; subject: string; n: number; message_id: string }>(node.db, sql`select sender, subject, n, message_id from test_applied order by seq`);
      for (const from of ADMINS) {
        if (from === to) continue;
        const got = rows.filter((r) => r.sender === from).map((r) => r.n);
        // exactly once, and in the order sent (one subject per pair)
        expect(got, `${from} → ${to}`).toEqual(Array.from({ length: sent[`${from}>${to}`] }, (_, i) => i + 1));
      }
      expect(new Set(rows.map((r) => r.message_id)).size).toBe(rows.length);
      // the sender's side: every delivery applied, nothing queued or refused
      const deliveries = await node.exchange.deliveries({ sender: to, limit: 1000 });
      expect(deliveries.length).toBe(ADMINS.filter((a) => a !== to).reduce((s, a) => s + sent[`${to}>${a}`], 0));
      expect(deliveries.filter((d) => d.state !== 'applied').map((d) => `${d.recipient}:${d.state}`)).toEqual([]);
      expect(await node.exchange.openDeadLetters()).toBe(0);
    }
    expect((await hn.exchange.status()).up).toBe(true);
  }, 90_000);
});
