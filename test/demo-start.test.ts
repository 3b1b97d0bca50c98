import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseHost, seedingEstimate } from '../src/cli/commands/serve.ts';
import { DEMO_STATE_KEY, demoSeedingStatus, incompleteDemoMessage, readDemoState, seedDemoRegion, type DemoOptions } from '../src/demo/seed.ts';
import { FixedClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import { openDatabase, queryRows, schema, sql, type Database } from '../src/db/client.ts';
import { openTestPglite, openTestPostgres, describeEachDb } from '../src/db/testing.ts';
import { ensureDemoUsers } from '../src/modules/access/service.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { buildApp } from '../src/server/app.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'centinela.mjs');
/** a demo small enough for a test: two days at a hundredth of the region's trade */
const TINY: DemoOptions = { seed: 7, days: 2, scale: 0.01 };
const clock = new FixedClock(Date.parse('2026-06-15T12:00:00Z'));

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Seeds the tiny demo on a database; `interruptAfter` throws once that step has finished, as a kill would stop it. */
async function seed(database: Database, interruptAfter?: string) {
  const deps = { database, db: database.db, ref: getReferenceData(), clock, config: loadConfig({}) };
  const { app, intake, risk, intelligence } = await buildApp(deps);
  try {
    await ensureDemoUsers(deps);
    await seedDemoRegion({ db: database.db, ref: deps.ref, clock, intake, risk, intelligence }, TINY, {
      afterStep: (step) => {
        if (step === interruptAfter) throw new Error(`interrupted after ${step}`);
      },
    });
  } finally {
    await app.close();
  }
}

const count = async (d: Database, table: string) => Number((await queryRows<{ n: number }>(d.db, sql.raw(`select count(*)::int as n from ${table}`)))[0].n);

describeEachDb('demo seeding progress on %s', (kind) => {
  const open = () => (kind === 'pglite' ? openTestPglite() : openTestPostgres());

  it('a seeding interrupted after the declarations is recognised as a partial demo, with how to start over, also without its marker (seeded by an older version)', async () => {
    const d = await open();
    try {
      expect((await demoSeedingStatus(d.db)).status).toBe('empty');
      await expect(seed(d, 'declarations')).rejects.toThrow(/interrupted after declarations/);
      // the partial demo the issue describes: declarations, but no transit and no control results
      expect(await count(d, 'declarations')).toBeGreaterThan(0);
      expect(await count(d, 'transit_movements')).toBe(0);
      expect(await count(d, 'control_results')).toBe(0);
      const { status, state } = await demoSeedingStatus(d.db);
      expect(status).toBe('incomplete');
      expect(state).toMatchObject({ status: 'seeding', lastStep: 'declarations', seed: TINY.seed, scale: TINY.scale });
      const msg = incompleteDemoMessage(d.location, state, d.kind);
      expect(msg).toContain('incomplete');
      expect(msg).toContain('after the "declarations" step');
      expect(msg).toMatch(kind === 'pglite' ? /--reset-demo/ : /drop and create/);

      // the same partial demo seeded before the progress was recorded (no marker): still recognised
      await d.db.delete(schema.settings).where(sql`${schema.settings.key} = ${DEMO_STATE_KEY}`);
      expect(await readDemoState(d.db)).toBeNull();
      expect((await demoSeedingStatus(d.db)).status).toBe('incomplete');
    } finally {
      await d.close();
    }
  }, 180_000);
});

describe('a first start says how long seeding will take', () => {
  it('about 20 s on an idle machine, longer in proportion to how busy it is', () => {
    expect(seedingEstimate(0, 2)).toBe('about 20 s');
    expect(seedingEstimate(2, 2)).toBe('about 20 s');
    expect(seedingEstimate(8, 2)).toBe('40 s to 80 s (this machine is busy: load 8.0 on 2 cores)');
    expect(seedingEstimate(20, 2)).toMatch(/^65 s to 3 minutes/);
    expect(seedingEstimate(0, 0)).toBe('about 20 s');
  });
});

describe('the address the server listens on', () => {
  it('the demo binds to 127.0.0.1 unless HOST or --host says otherwise; without --demo, every interface as before', () => {
    expect(chooseHost({ demo: true }, {})).toEqual({ host: '127.0.0.1' });
    expect(chooseHost({ demo: false }, {})).toEqual({ host: '0.0.0.0' });
    expect(chooseHost({ demo: false }, { HOST: '10.0.0.5' })).toEqual({ host: '10.0.0.5' });
    expect(chooseHost({ demo: true }, { HOST: '::1' })).toEqual({ host: '::1' });
    expect(chooseHost({ demo: true, host: 'localhost' }, { HOST: '0.0.0.0' })).toEqual({ host: 'localhost' });
  });

  it('a demo that HOST exposes beyond this machine is warned about, naming the address and the shared password', () => {
    const r = chooseHost({ demo: true }, { HOST: '0.0.0.0' });
    expect(r.host).toBe('0.0.0.0');
    expect(r.warning).toMatch(/WARNING: the demo listens on 0\.0\.0\.0 \(set by HOST\)/);
    expect(r.warning).toContain('centinela-demo');
    expect(chooseHost({ demo: true, host: '192.168.1.9' }, {}).warning).toMatch(/set by --host/);
    expect(chooseHost({ demo: false }, { HOST: '0.0.0.0' }).warning).toBeUndefined();
  });
});

/** Runs `centinela serve` until it is listening or exits; what it printed is read after `stop()` (all of it, once its pipes closed). */
function serve(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; out: string; err: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DATABASE_URL: '', HOST: undefined, LOG_LEVEL: 'info', ...env },
  });
  let out = '';
  let err = '';
  let code: number | null = null;
  const closed = new Promise<void>((r) =>
    child.once('close', (c) => {
      code = c;
      r();
    }),
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await closed;
  };
  const result = {
    get code() {
      return code;
    },
    get out() {
      return out;
    },
    get err() {
      return err;
    },
    stop,
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`serve did not start within 120 s:\n${out}\n${err}`));
    }, 120_000);
    child.stderr.on('data', (c) => (err += c));
    child.stdout.on('data', (c) => {
      out += c;
      if (/running at http/.test(out)) {
        clearTimeout(timer);
        resolve(result);
      }
    });
    void closed.then(() => {
      clearTimeout(timer);
      resolve(result);
    });
  });
}

describe('centinela serve --demo on the embedded database', () => {
  it('refuses to serve a partial demo left by an interrupted first start, and says how to start over', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-demo-'));
    tmpDirs.push(dir);
    const d = await openDatabase({ dataDir: dir });
    try {
      await expect(seed(d, 'declarations')).rejects.toThrow(/interrupted/);
    } finally {
      await d.close();
    }
    const r = await serve(['--demo', '--data-dir', dir], {});
    await r.stop();
    expect(r.code).toBe(1);
    expect(r.err).toContain(`the demo data in ${dir} is incomplete`);
    expect(r.err).toContain('--reset-demo');
    expect(r.out).not.toContain('running at');
  }, 180_000);

  it('a seeded demo listens on 127.0.0.1 only; with HOST=0.0.0.0 it warns that the demo accounts are exposed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'centinela-demo-'));
    tmpDirs.push(dir);
    // a tiny demo seeded to the end: recorded complete, so the starts below serve it without seeding again
    const d = await openDatabase({ dataDir: dir });
    try {
      await seed(d);
      expect(await readDemoState(d.db)).toMatchObject({ status: 'complete', lastStep: 'models' });
      expect((await demoSeedingStatus(d.db)).status).toBe('complete');
    } finally {
      await d.close();
    }
    const local = await serve(['--demo', '--data-dir', dir], {});
    await local.stop();
    expect(local.out).toContain('running at');
    expect(local.err).not.toContain('seeding');
    const listening = [...local.out.matchAll(/Server listening at (http:\/\/[^"\s]+)/g)].map((m) => m[1]);
    expect(listening.length).toBeGreaterThan(0);
    for (const a of listening) expect(a).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(local.err).not.toContain('WARNING');

    const exposed = await serve(['--demo', '--data-dir', dir], { HOST: '0.0.0.0' });
    await exposed.stop();
    expect(exposed.out).toContain('running at');
    expect(exposed.err).toMatch(/WARNING: the demo listens on 0\.0\.0\.0 \(set by HOST\)/);
  }, 240_000);
});
