/**
 * One exchange node (GT, the sender, or SV, the recipient) on its own thread for
 * `npm run bench -- exchange`, as each administration's node runs in its own process in a region.
 * The node opens its own embedded database and its own NATS connection; the bench's thread drives
 * it by messages. Timestamps are `performance.timeOrigin + performance.now()` (milliseconds since
 * the epoch at sub-millisecond resolution, comparable across threads of one process).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { sql } from 'drizzle-orm';
import { systemClock } from '../src/core/clock.ts';
import { ExchangeService } from '../src/modules/exchange/service.ts';
import { NatsTransport } from '../src/modules/exchange/nats-transport.ts';
import { nodeDb, payload, payloadSchema, type NodeCommand, type NodeEvent, type NodeWorkerData } from './exchange.ts';

const now = () => performance.timeOrigin + performance.now();
const port = parentPort!;
const data = workerData as NodeWorkerData;
const post = (e: NodeEvent) => port.postMessage(e);

const db = await nodeDb();
const node = new ExchangeService({
  db: db.db,
  clock: systemClock,
  local: [data.role],
  transport: new NatsTransport({ url: data.url, prefix: data.prefix, name: `centinela bench ${data.role}` }),
  // the recipient reports its commits (the inbox rows are written in the same transaction)
  inbox: data.role === 'SV' ? { onApplied: (_recipient, ids) => post({ type: 'applied', ids, at: now() }) } : undefined,
});
node.handle({
  kind: 'seizure.reported',
  schemaVersion: 1,
  payload: payloadSchema,
  async apply(tx) {
    await tx.execute(sql`select 1`);
  },
});
await node.keys.ensureOwnKeys();
const peer = data.role === 'GT' ? 'SV' : 'GT';

port.on('message', (cmd: NodeCommand) => {
  void (async () => {
    try {
      switch (cmd.type) {
        case 'bundle':
          await db.db.transaction(async (tx) => node.keys.importBundle(tx, cmd.bundle, 'bench'));
          await node.start();
          while (!(await node.status()).up) await new Promise((r) => setTimeout(r, 10));
          post({ type: 'ready' });
          break;
        case 'fill':
          await node.cut();
          for (let i = 0; i < cmd.n; i += 100) {
            await db.db.transaction(async (tx) => {
              for (let j = i; j < Math.min(cmd.n, i + 100); j++) await node.enqueue(tx, { sender: 'GT', recipients: [peer], kind: 'seizure.reported', payload: payload(j), schemaVersion: 1 });
            });
          }
          post({ type: 'filled' });
          break;
        case 'restore': {
          const at = now();
          await node.restore();
          post({ type: 'restored', at });
          break;
        }
        case 'paced': {
          // one message per transaction at a steady pace; the commit time of each
          const commits: [string, number][] = [];
          const start = performance.now();
          for (let i = 0; i < cmd.count; i++) {
            const wait = start + i * cmd.gap - performance.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            const r = await db.db.transaction((tx) => node.enqueue(tx, { sender: 'GT', recipients: [peer], kind: 'seizure.reported', payload: payload(cmd.from + i), schemaVersion: 1 }));
            commits.push([r.id!, now()]);
          }
          post({ type: 'committed', commits });
          break;
        }
        case 'stop':
          await node.stop();
          await db.close();
          post({ type: 'stopped' });
          port.close();
          break;
      }
    } catch (err) {
      post({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  })();
});
post({ type: 'bundle', bundle: await node.keys.exportBundle(data.role) });
