/**
 * `centinela region demo --exit` on the real NATS server: three nodes, each with its own embedded
 * database and its own administration's accounts (`--no-history` keeps the test quick; the seeding of
 * one administration per node is tested in node-model.test.ts), play the scenario and stop; then each node's API,
 * opened again on its data directory, shows the scenario's effects: the transit GT → SV → HN
 * arrived everywhere, SV's seal alert raised in SV and received by GT and HN. Without NATS the
 * command says how to start it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import { openDatabase } from '../src/db/client.ts';
import { regionCommand } from '../src/cli/commands/region.ts';
import { NatsTransport } from '../src/modules/exchange/nats-transport.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { buildApp } from '../src/server/app.ts';
import { runCli } from './cli-harness.ts';
import { TEST_NATS_URL } from './exchange-harness.ts';

const natsUrl = TEST_NATS_URL;
if (!natsUrl && process.env.CI === 'true') throw new Error('CI=true but CENTINELA_TEST_NATS_URL is not set: the region demo test must run in CI');

describe('centinela region demo', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-region-'));
  const prefix = `rd${process.pid}_${Date.now().toString(36)}`;
  afterAll(async () => {
    if (natsUrl) {
      const t = new NatsTransport({ url: natsUrl, prefix, name: 'region demo test cleanup' });
      await t.connect();
      await t.deleteStreams().catch(() => {});
      await t.disconnect();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('says how to start NATS when none answers', async () => {
    await expect(runCli(regionCommand, ['demo', '--exit', '--nats-url', 'nats://127.0.0.1:1', '--data-dir', path.join(dir, 'none')])).rejects.toThrow(/nats-server -js/);
    // nothing was created for the nodes
    expect(fs.existsSync(path.join(dir, 'none', 'gt'))).toBe(false);
  });

  it.skipIf(!natsUrl)(
    'plays the scenario and exits; each node\'s API shows it',
    async () => {
      const r = await runCli(regionCommand, ['demo', '--exit', '--base-port', String(20000 + (process.pid % 20000)), '--data-dir', dir, '--nats-url', natsUrl!, '--prefix', prefix, '--no-history', '--lang', 'en']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/closed \(GT: arrived, SV: arrived, HN: arrived\); SV's seal_tampered alert seen in GT, HN, SV/);
      // then regional cooperation: HN's RIF accepted by GT, the common criterion adopted by two of three
      expect(r.out).toMatch(/RIF \S+ from HN accepted by GT \(criterion \w+\); common criterion \S+ adopted by GT, SV/);
      expect(r.out).toMatch(/GT {2}http:\/\/localhost:\d+ .*gt\.analyst/);
      expect(r.err).toMatch(/SV raised seal_tampered \(critical\): Seal \S+ of transit GT\/TRGT-RD-\S+ was found broken at SV0HA/);

      const reference = /transit (GT\/TRGT-RD-[A-Z0-9]+) closed/.exec(r.out)![1];
      for (const cc of ['GT', 'SV', 'HN']) {
        const dataDir = path.join(dir, cc.toLowerCase());
        const database = await openDatabase({ dataDir });
        try {
          const config = loadConfig({ CENTINELA_ADMINISTRATIONS: cc, CENTINELA_DATA_DIR: dataDir });
          const { app } = await buildApp({ database, db: database.db, ref: getReferenceData(), clock: systemClock, config });
          try {
            const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: `${cc.toLowerCase()}.analyst`, password: 'centinela-demo' } });
            expect(login.statusCode).toBe(200);
            const auth = { authorization: `Bearer ${login.json().token}` };
            // only this node's administration has accounts here
            const other = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: cc === 'GT' ? 'sv.analyst' : 'gt.analyst', password: 'centinela-demo' } });
            expect(other.statusCode).toBe(401);
            const list = await app.inject({ method: 'GET', url: '/api/v1/transit/movements?limit=1000', headers: auth });
            const m = list.json().items.find((x: { country: string; reference: string }) => `${x.country}/${x.reference}` === reference);
            expect(m).toMatchObject({ status: 'arrived', receivedFrom: cc === 'GT' ? null : 'GT' });
            const alerts = await app.inject({ method: 'GET', url: `/api/v1/transit/alerts?status=all&movementId=${m.id}`, headers: auth });
            expect(alerts.statusCode).toBe(200);
            expect(alerts.json().items.map((a: { kind: string; receivedFrom: string | null }) => [a.kind, a.receivedFrom])).toEqual([['seal_tampered', cc === 'SV' ? null : 'SV']]);
            const detail = await app.inject({ method: 'GET', url: `/api/v1/transit/movements/${m.id}`, headers: auth });
            const d = detail.json();
            // the whole journey, each leg from the administration that recorded it
            expect(d.events.map((e: { receivedFrom: string | null; country: string | null }) => e.receivedFrom ?? cc).filter((x: string) => x !== cc).length).toBeGreaterThan(0);
            expect(d.exchange.length).toBeGreaterThan(0);
          } finally {
            await app.close();
          }
        } finally {
          await database.close();
        }
      }
    },
    400_000,
  );
});
