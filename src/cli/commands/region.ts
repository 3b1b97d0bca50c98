/**
 * `centinela region demo`: a local region of three sovereign nodes (GT, SV, HN), each with its own
 * embedded database and port, talking only through the regional exchange on NATS JetStream. Seeds
 * each node with its own administration's simulated history, then plays a scenario: a transit
 * GT → SV → HN declared in GT, a seal found broken in SV (the alert reaches GT and HN), the arrival
 * in HN closing the movement on all three; then regional cooperation (a RIF, a common criterion)
 * when that scenario is available.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { buildServices, type Services } from '../../app/services.ts';
import { systemClock, type Clock } from '../../core/clock.ts';
import { loadConfig, type Config } from '../../core/config.ts';
import { openDatabase, type Database } from '../../db/client.ts';
import { DEMO_DEFAULTS, demoSeedingStatus, seedDemoRegion } from '../../demo/seed.ts';
import { playCooperationScenario, type CooperationScenarioResult } from '../../demo/region-cooperation.ts';
import { demoPerson } from '../../demo/risk.ts';
import { DEMO_PASSWORD, ensureDemoUsers } from '../../modules/access/service.ts';
import { SYSTEM_PRINCIPAL, type Principal } from '../../modules/access/types.ts';
import type { AlertOut } from '../../modules/transit/service.ts';
import { withCheckDigit } from '../../modules/declarations/container.ts';
import { getReferenceData } from '../../reference/index.ts';
import { buildApp } from '../../server/app.ts';
import type { App } from '../../server/deps.ts';
import { Progress } from '../progress.ts';

export const REGION_ADMINISTRATIONS = ['GT', 'SV', 'HN'] as const;
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
/** subjects and streams of the demo region, apart from any real deployment on the same server */
export const REGION_PREFIX = 'centinela.regiondemo';

export interface RegionDemoOptions {
  basePort: number;
  host: string;
  dataDir: string;
  natsUrl: string;
  prefix: string;
  /** simulated history per node (the demo's seed, days and scale) */
  seed: number;
  days: number;
  scale: number;
  reset: boolean;
  /** false: demo accounts only, no simulated history (a quicker start) */
  history?: boolean;
  lang: 'es' | 'en';
  clock?: Clock;
  /** where progress and results are written (default stderr / stdout) */
  say?: (line: string) => void;
}

export interface RegionDemoNode {
  administration: string;
  url: string;
  port: number;
  dataDir: string;
  config: Config;
  database: Database;
  services: Services;
  app: App;
}

export interface RegionDemo {
  nodes: RegionDemoNode[];
  node(administration: string): RegionDemoNode;
  /** waits until every outbox is published and every inbox drained */
  settle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Fails with how to start NATS when nothing answers at `url`, or when it runs without JetStream. */
export async function checkNats(url: string): Promise<void> {
  let nc;
  try {
    nc = await connect({ servers: url, timeout: 3000, maxReconnectAttempts: 0, name: 'centinela region demo check' });
  } catch (e) {
    throw new Error(
      `no NATS server answers at ${url} (${(e as Error).message}). The region's nodes talk through NATS JetStream: start a server with JetStream on, \`nats-server -js\` ` +
        `(or \`docker run -p 4222:4222 nats -js\`), or point CENTINELA_NATS_URL / --nats-url at yours.`,
    );
  }
  try {
    const jsm = await jetstreamManager(nc, { timeout: 3000 });
    await jsm.getAccountInfo();
  } catch (e) {
    throw new Error(`the NATS server at ${url} answers but JetStream is not available (${(e as Error).message}): restart it with \`nats-server -js\`.`);
  } finally {
    await nc.close().catch(() => {});
  }
}

/** Starts the three nodes: databases, services, demo accounts, seeding, trust between them, the exchange, the HTTP servers. */
export async function startRegionDemo(o: RegionDemoOptions): Promise<RegionDemo> {
  const say = o.say ?? ((l: string) => process.stderr.write(`${l}\n`));
  await checkNats(o.natsUrl);
  const ref = getReferenceData();
  const clock = o.clock ?? systemClock;
  const nodes: RegionDemoNode[] = [];
  const opened: { database: Database; services?: Services; app?: App }[] = [];
  const close = async () => {
    for (const n of opened) await n.services?.exchange.stop().catch(() => {});
    for (const n of opened) await n.app?.close().catch(() => {});
    for (const n of opened) await n.database.close().catch(() => {});
    opened.length = 0;
  };
  try {
    const dirs = REGION_ADMINISTRATIONS.map((cc) => path.resolve(o.dataDir, cc.toLowerCase()));
    if (o.reset) for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    await prepareFreshDatabases(dirs, say);
    for (const [i, cc] of REGION_ADMINISTRATIONS.entries()) {
      const dataDir = dirs[i];
      const port = o.basePort + i;
      const config = loadConfig({ ...process.env, PORT: String(port), CENTINELA_DATA_DIR: dataDir, CENTINELA_ADMINISTRATIONS: cc, CENTINELA_NATS_URL: o.natsUrl, CENTINELA_NATS_PREFIX: o.prefix, DATABASE_URL: '' });
      config.host = o.host;
      const p = new Progress(`region ${cc}`);
      p.update(`opening the embedded database in ${dataDir}`, true);
      const database = await openDatabase({ dataDir });
      const entry: (typeof opened)[number] = { database };
      opened.push(entry);
      const services = buildServices({ db: database.db, ref, clock, config });
      entry.services = services;
      const deps = { database, db: database.db, ref, clock, config };
      await ensureDemoUsers(deps);
      const { status } = await demoSeedingStatus(database.db);
      if (status === 'incomplete') throw new Error(`the ${cc} node's demo data in ${dataDir} is incomplete (an earlier start was interrupted while seeding): start over with --reset`);
      if (status === 'empty' && o.history !== false) {
        p.update(`seeding ${cc}'s own simulated history (only ${cc}'s records: partners' data comes over the exchange)`, true);
        await seedDemoRegion({ db: database.db, ref, clock, intake: services.intake, risk: services.risk, intelligence: services.intelligence, transit: services.transit, administrations: [cc] }, { seed: o.seed, days: o.days, scale: o.scale });
      }
      await services.exchange.keys.ensureOwnKeys();
      const { app } = await buildApp(deps, { services });
      entry.app = app;
      try {
        await app.listen({ port, host: o.host });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        throw new Error(err.code === 'EADDRINUSE' ? `port ${port} (for ${cc}) is already in use: choose other ports with --base-port` : err.message);
      }
      const url = `http://${o.host === '0.0.0.0' || o.host === '127.0.0.1' ? 'localhost' : o.host}:${port}`;
      nodes.push({ administration: cc, url, port, dataDir, config, database, services, app });
      p.done(`node ${cc} ready at ${url} (database ${dataDir})`);
    }
    // trust: each node imports its partners' public keys (what `exchange keys export | import` does between real nodes)
    for (const from of nodes) {
      const bundle = await from.services.exchange.keys.exportBundle(from.administration);
      for (const to of nodes) if (to !== from) await to.database.db.transaction((tx) => to.services.exchange.keys.importBundle(tx, bundle, 'region-demo'));
    }
    for (const n of nodes) await n.services.exchange.start();
    const end = Date.now() + 20_000;
    for (const n of nodes) {
      while (!(await n.services.exchange.status()).up) {
        if (Date.now() > end) throw new Error(`the ${n.administration} node could not reach NATS at ${o.natsUrl}: ${(await n.services.exchange.status()).lastError ?? 'no answer'}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    say(`region: GT, SV and HN are on the bus (NATS ${o.natsUrl}, subjects ${o.prefix}.x.<recipient>.<sender>.<kind>)`);
  } catch (e) {
    await close();
    throw e;
  }
  return {
    nodes,
    node(cc) {
      const n = nodes.find((x) => x.administration === cc);
      if (!n) throw new Error(`no node serves ${cc}`);
      return n;
    },
    async settle(timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      let quiet = 0;
      for (;;) {
        let moving = false;
        for (const n of nodes) {
          const b = await n.services.exchange.backlog();
          if (b.queued || b.applying || Object.values(b.inbound).some((x) => x !== 0)) moving = true;
        }
        if (!moving) {
          if (++quiet >= 3) return;
        } else quiet = 0;
        if (Date.now() > end) throw new Error(`the region is still exchanging messages after ${timeoutMs / 1000} s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close,
  };
}

/**
 * New node databases are made once and copied: creating and migrating an embedded database is most
 * of a node's first start, and the three start from the same empty schema.
 */
async function prepareFreshDatabases(dirs: string[], say: (l: string) => void): Promise<void> {
  const fresh = dirs.filter((d) => !fs.existsSync(path.join(d, 'pgdata', 'PG_VERSION')));
  if (!fresh.length) return;
  const template = path.join(path.dirname(fresh[0]), `.template-${process.pid}`);
  fs.rmSync(template, { recursive: true, force: true });
  say(`region: creating the nodes' embedded databases (${fresh.map((d) => path.basename(d)).join(', ')})`);
  try {
    const db = await openDatabase({ dataDir: template });
    await db.close();
    for (const d of fresh) {
      fs.mkdirSync(d, { recursive: true });
      fs.cpSync(path.join(template, 'pgdata'), path.join(d, 'pgdata'), { recursive: true });
    }
  } finally {
    fs.rmSync(template, { recursive: true, force: true });
  }
}

export interface TransitScenarioResult {
  movementId: string;
  reference: string;
  alert: AlertOut;
  /** per administration: when it received SV's alert (SV: when it raised it) */
  alertSeen: Record<string, string>;
  /** per administration: the movement's status at the end */
  status: Record<string, string>;
}

/** The transit part of the scenario: GT → SV → HN, a seal broken in SV, the arrival in HN. */
export async function playTransitScenario(region: RegionDemo, opts: { clock?: Clock; lang?: 'es' | 'en'; say?: (line: string) => void } = {}): Promise<TransitScenarioResult> {
  const say = opts.say ?? ((l: string) => process.stderr.write(`${l}\n`));
  const lang = opts.lang ?? 'es';
  const now = (opts.clock ?? systemClock).now().getTime();
  const stamp = now.toString(36).toUpperCase();
  const reference = `TRGT-RD-${stamp}`;
  const t0 = now - 15 * 3_600_000;
  const at = (h: number) => new Date(t0 + h * 3_600_000).toISOString();
  const mv = { country: 'GT', reference };
  const seals = [`SGT${stamp.slice(-6)}1`, `SGT${stamp.slice(-6)}2`];
  const tag = `E280-RD-${stamp}`;
  const gt = region.node('GT');
  const sv = region.node('SV');
  const hn = region.node('HN');
  const sys = (cc: string) => SYSTEM_PRINCIPAL(cc, 'region-demo');
  const id = (s: string) => `${reference}-${s}`;

  say(`scenario 1/3: GT declares transit GT/${reference} Puerto Quetzal → Pedro de Alvarado / La Hachadura → El Amatillo → San Lorenzo, seals ${seals.join(', ')}`);
  const declared = await gt.services.transit.declareMovement(
    {
      reference,
      country: 'GT',
      mode: 3,
      officeOfDeparture: 'GTPRQ',
      officeOfDestination: 'HNSLO',
      route: ['GT0PA', 'SV0HA', 'SV0AM', 'HN0AM'],
      departureAt: at(0),
      conveyance: { plate: `C${stamp.slice(-6)}`.slice(0, 12), plateCountry: 'GT', rfidTag: tag, containers: [withCheckDigit(`MSCU${String(now % 1_000_000).padStart(6, '0')}`)] },
      seals,
      guarantee: { reference: `G-${stamp}`, amount: 25000, currency: 'USD' },
      goods: { description: 'Electrodomésticos', packages: 120, grossMassKg: 18000 },
    },
    sys('GT'),
  );
  await gt.services.transit.ingestEvents(
    [
      { eventId: id('w0'), type: 'weighing', at: at(-0.33), movement: mv, office: 'GTPRQ', grossMassKg: 18040 },
      { eventId: id('s0'), type: 'seal_check', at: at(-0.16), movement: mv, office: 'GTPRQ', seals: seals.map((n) => ({ number: n, intact: true })) },
      { eventId: id('dep'), type: 'departure', at: at(0), movement: mv, office: 'GTPRQ' },
      { eventId: id('r1'), type: 'rfid_read', at: at(3.5), tag, office: 'GT0PA', direction: 'exit' },
    ],
    sys('GT'),
    'region-demo',
  );
  await region.settle();
  for (const n of [sv, hn]) {
    const d = await n.services.transit.movement(declared.id);
    say(`  ${n.administration} knows it (received from ${d.movement.receivedFrom}), with GT's ${d.events.length} events`);
  }

  say(`scenario 2/3: at the SV side of the crossing (SV0HA) the entry is read and seal ${seals[1]} is found broken`);
  const r = await sv.services.transit.ingestEvents(
    [
      { eventId: id('r2'), type: 'rfid_read', at: at(4.16), tag, office: 'SV0HA', direction: 'entry' },
      { eventId: id('s2'), type: 'seal_check', at: at(4.33), movement: mv, office: 'SV0HA', seals: [{ number: seals[0], intact: true }, { number: seals[1], intact: false }] },
    ],
    sys('SV'),
    'region-demo',
  );
  const alert = r.alerts.find((a) => a.kind === 'seal_tampered');
  if (!alert) throw new Error('scenario: SV recorded the broken seal but raised no seal_tampered alert');
  await region.settle();
  const alertSeen: Record<string, string> = { SV: alert.raisedAt };
  for (const n of [gt, hn]) {
    const got = (await n.services.transit.alerts({ concerning: n.administration, movementId: declared.id, status: 'all', limit: 100 })).find((a) => a.id === alert.id);
    if (!got) throw new Error(`scenario: SV's alert ${alert.id} did not reach ${n.administration}`);
    alertSeen[n.administration] = got.receivedAt ?? got.raisedAt;
  }
  say(`  SV raised ${alert.kind} (${alert.severity}): ${lang === 'en' ? alert.message.en : alert.message.es}`);
  say(`  GT received it at ${alertSeen.GT}, HN at ${alertSeen.HN}`);

  say('scenario 3/3: SV reads the exit at El Amatillo; HN reads the entry, weighs and records the arrival at San Lorenzo');
  await sv.services.transit.ingestEvents([{ eventId: id('r3'), type: 'rfid_read', at: at(11), tag, office: 'SV0AM', direction: 'exit' }], sys('SV'), 'region-demo');
  await hn.services.transit.ingestEvents(
    [
      { eventId: id('r4'), type: 'rfid_read', at: at(11.66), tag, office: 'HN0AM', direction: 'entry' },
      { eventId: id('w9'), type: 'weighing', at: at(14), movement: mv, office: 'HNSLO', grossMassKg: 17990 },
      { eventId: id('arr'), type: 'arrival', at: at(14.5), movement: mv, office: 'HNSLO' },
    ],
    sys('HN'),
    'region-demo',
  );
  await region.settle();
  const status: Record<string, string> = {};
  for (const n of region.nodes) status[n.administration] = (await n.services.transit.movement(declared.id)).movement.status;
  say(`  the movement is ${Object.entries(status).map(([cc, s]) => `${s} in ${cc}`).join(', ')}`);
  return { movementId: declared.id, reference: `GT/${reference}`, alert, alertSeen, status };
}

/** The cooperation part (src/demo/region-cooperation.ts): a RIF from HN adopted by GT, a common criterion adopted by GT and SV and declined by HN; done by each node's demo accounts. */
export async function playCooperation(region: RegionDemo, say: (l: string) => void): Promise<CooperationScenarioResult> {
  const who = (cc: string, username: string, role: Principal['role']) => demoPerson(region.node(cc).database.db, cc, username, role);
  const people = {
    hnAnalyst: await who('HN', 'hn.analyst', 'risk_analyst'),
    hnAnalyst2: await who('HN', 'hn.analyst2', 'risk_analyst'),
    gtAnalyst: await who('GT', 'gt.analyst', 'risk_analyst'),
    gtSupervisor: await who('GT', 'gt.supervisor', 'supervisor'),
    svAnalyst: await who('SV', 'sv.analyst', 'risk_analyst'),
    svSupervisor: await who('SV', 'sv.supervisor', 'supervisor'),
    regional: await who('GT', 'gt.regional', 'regional_analyst'),
  };
  say('scenario: regional cooperation — a risk information form from HN to GT, a common criterion proposed to GT, SV and HN');
  const r = await playCooperationScenario({ GT: region.node('GT'), SV: region.node('SV'), HN: region.node('HN') }, { people, log: (l) => say(`  ${l}`) });
  await region.settle();
  return r;
}

function printNodes(region: RegionDemo) {
  const lines = ['', 'Centinela region demo — three nodes, each its own database, talking only over NATS JetStream', `Password for every account: ${DEMO_PASSWORD} (demo only)`, ''];
  for (const n of region.nodes) {
    const cc = n.administration.toLowerCase();
    lines.push(`  ${n.administration}  ${n.url}   sign in as ${cc}.analyst, ${cc}.supervisor, ${cc}.officer1, ${cc}.manager or ${cc}.admin  (data: ${n.dataDir})`);
  }
  lines.push('');
  process.stdout.write(`${lines.join('\n')}\n`);
}

interface CliOpts {
  basePort: string;
  host: string;
  dataDir: string;
  natsUrl?: string;
  prefix: string;
  scale: string;
  days: string;
  seed: string;
  reset?: boolean;
  history: boolean;
  exit?: boolean;
  lang: string;
}

export function regionCommand(): Command {
  const region = new Command('region').description('A local region of Centinela nodes talking over the regional exchange');
  region
    .command('demo')
    .description('Start three nodes (GT, SV, HN), each with its own embedded database and port, connected through NATS JetStream; seed each with its own administration and play a scenario (a transit GT → SV → HN with a seal broken in SV, then regional cooperation)')
    .option('--base-port <port>', 'GT listens on it, SV on the next, HN on the one after', '8081')
    .option('--host <host>', 'address to listen on (the demo accounts share a published password: keep it local)', '127.0.0.1')
    .option('--data-dir <dir>', 'directory of the three embedded databases (one sub-directory per node)', '.centinela-region')
    .option('--nats-url <url>', `NATS server with JetStream (default: CENTINELA_NATS_URL or ${DEFAULT_NATS_URL})`)
    .option('--prefix <prefix>', 'NATS subject and stream prefix of this demo region', REGION_PREFIX)
    .option('--scale <n>', 'size of each node\'s simulated history (the demo\'s scale)', String(DEMO_DEFAULTS.scale))
    .option('--days <n>', 'days of simulated history', String(DEMO_DEFAULTS.days))
    .option('--seed <n>', 'simulation seed', String(DEMO_DEFAULTS.seed))
    .option('--reset', 'delete the three databases first and seed again')
    .option('--no-history', 'seed the demo accounts only, without the simulated history (a quicker start)')
    .option('--exit', 'play the scenario, print the outcome and stop (alias --scenario-only)')
    .option('--scenario-only', 'same as --exit')
    .option('--lang <es|en>', 'language of the alert explanations', 'es')
    .action(async (o: CliOpts & { scenarioOnly?: boolean }) => {
      const num = (v: string, name: string, int = true) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n <= 0 || (int && !Number.isInteger(n))) throw new Error(`--${name} must be a positive ${int ? 'whole ' : ''}number, got "${v}"`);
        return n;
      };
      const basePort = num(o.basePort, 'base-port');
      if (basePort + REGION_ADMINISTRATIONS.length - 1 > 65535) throw new Error('--base-port: the three ports must be below 65536');
      if (o.lang !== 'es' && o.lang !== 'en') throw new Error(`--lang must be es or en, got "${o.lang}"`);
      const exitAfter = !!(o.exit || o.scenarioOnly);
      const say = (l: string) => process.stderr.write(`${l}\n`);
      const demo = await startRegionDemo({
        basePort,
        host: o.host,
        dataDir: o.dataDir,
        natsUrl: o.natsUrl ?? process.env.CENTINELA_NATS_URL ?? DEFAULT_NATS_URL,
        prefix: o.prefix,
        scale: num(o.scale, 'scale', false),
        days: num(o.days, 'days'),
        seed: num(o.seed, 'seed'),
        reset: !!o.reset,
        history: o.history,
        lang: o.lang,
        say,
      });
      let stopping = false;
      const stop = async (sig: string) => {
        if (stopping) return;
        stopping = true;
        say(`region: ${sig}: stopping the three nodes (the exchange's queues are kept; the next start catches up)`);
        await demo.close();
        process.exit(0);
      };
      if (!exitAfter) {
        process.once('SIGINT', () => void stop('SIGINT'));
        process.once('SIGTERM', () => void stop('SIGTERM'));
      }
      try {
        const t = await playTransitScenario(demo, { lang: o.lang, say });
        const coop = await playCooperation(demo, say);
        const adopted = Object.entries(coop.proposal.answers).filter(([, a]) => a === 'adopted' || a === 'adapted').map(([cc]) => cc).sort();
        process.stdout.write(
          `scenario: transit ${t.reference} closed (${Object.entries(t.status).map(([cc, s]) => `${cc}: ${s}`).join(', ')}); ` +
            `SV's ${t.alert.kind} alert seen in ${Object.keys(t.alertSeen).sort().join(', ')}; ` +
            `RIF ${coop.rif.reference} from HN accepted by GT (criterion ${coop.rif.gtCriterionStatus}); common criterion ${coop.proposal.reference} adopted by ${adopted.join(', ')}\n`,
        );
      } catch (e) {
        await demo.close();
        throw e;
      }
      printNodes(demo);
      if (exitAfter) {
        await demo.close();
        return;
      }
      say('region: running; Ctrl-C stops the three nodes');
    });
  return region;
}

