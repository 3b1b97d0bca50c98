/**
 * The traders module on one database: who a trader is (the name it last declared under), its
 * history as of a date (declarations by lodgement, controls by their date, hits and seizures by the
 * date recorded: never the future), the counters, and the AEO status flow — set by an analyst,
 * audited, queued as `aeo.status` to the partners in the same transaction; a partner's message
 * applied once and stale revisions ignored; a sender speaking about another administration's AEO
 * refused. The exchange here is a recording one (the three-node test on NATS is traders-region).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { ValidationError } from '../src/core/errors.ts';
import { uuidv7 } from '../src/core/ids.ts';
import { schema, type Database, type Tx } from '../src/db/client.ts';
import { describeEachDb, openTestDb } from '../src/db/testing.ts';
import { listAudit } from '../src/modules/access/repository.ts';
import type { Principal } from '../src/modules/access/types.ts';
import { declarationFacts } from '../src/modules/declarations/reads.ts';
import type { Enqueued, Envelope, Exchange, InboundHandler, OutboundMessage } from '../src/modules/exchange/contract.ts';
import { controlFacts } from '../src/modules/risk/reads.ts';
import { aeoStatusPayload, type AeoStatusPayload } from '../src/modules/traders/aeo.ts';
import { TradersService } from '../src/modules/traders/service.ts';
import { validDeclaration } from './fixtures.ts';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const DAY = 86_400_000;
const TIN = '4455667-8';

/** Queues in memory what the service enqueues (inside its transaction) and hands it to a handler on demand. */
class RecordingExchange implements Exchange {
  readonly local = ['GT', 'SV', 'HN'];
  queued: OutboundMessage[] = [];
  handlers = new Map<string, InboundHandler<unknown>>();
  async enqueue<P>(_tx: Tx, msg: OutboundMessage<P>): Promise<Enqueued> {
    this.queued.push(msg as OutboundMessage);
    return { id: uuidv7(), recipients: msg.recipients, redacted: [] };
  }
  handle<P>(h: InboundHandler<P>): void {
    this.handlers.set(h.kind, h as InboundHandler<unknown>);
  }
  async deliveries() {
    return [];
  }
}

const analyst: Principal = { kind: 'user', id: '00000000-0000-7000-8000-000000000001', name: 'ana', role: 'risk_analyst', country: 'GT' };
const officer: Principal = { kind: 'user', id: '00000000-0000-7000-8000-000000000002', name: 'oscar', role: 'officer', country: 'GT' };

describeEachDb('the traders module on %s', (kind) => {
  let database: Database;
  let traders: TradersService;
  let exchange: RecordingExchange;
  const clock = new FixedClock(new Date(T0 + 30 * DAY).toISOString());
  const decl: string[] = [];

  /** A declaration of the trader lodged at `at` (stored as intake stores it, columns and payload). */
  async function declaration(ref: string, at: number, name: string) {
    const d = { ...validDeclaration(ref), lodgedAt: new Date(at).toISOString(), importer: { tin: TIN, name, country: 'GT' } };
    const id = uuidv7(at);
    await database.db.insert(schema.declarations).values({
      id, country: 'GT', reference: ref, type: 'IM', office: 'GTPRQ', lodgedAt: new Date(at), declarantTin: d.declarant.tin, importerTin: TIN, exporterTin: null,
      itemCount: d.items.length, totalValue: 65500, currency: 'USD', version: 1, contentHash: ref, payload: d, receivedAt: new Date(at), updatedAt: new Date(at),
    });
    decl.push(id);
    return id;
  }

  /** A control opened at `openedAt` on a declaration, with a result recorded at `recordedAt` when given. */
  async function control(declarationId: string, openedAt: number, result?: { at: number; hit: boolean; seized: boolean }) {
    const assessmentId = uuidv7(openedAt);
    await database.db.insert(schema.assessments).values({ id: assessmentId, country: 'GT', declarationId, declarationVersion: 1, channel: 'red', riskLevel: 'high', score: 70, reasons: [], engine: 'test', inputs: {}, decidedAt: new Date(openedAt) });
    const controlId = uuidv7(openedAt);
    await database.db.insert(schema.controls).values({ id: controlId, country: 'GT', assessmentId, declarationId, declarationVersion: 1, office: 'GTPRQ', channel: 'red', status: result ? 'done' : 'assigned', randomSelected: false, riskLevel: 'high', score: 70, traderTin: TIN, createdAt: new Date(openedAt), updatedAt: new Date(openedAt) });
    if (result)
      await database.db.insert(schema.controlResults).values({
        id: uuidv7(result.at), controlId, country: 'GT', declarationId, office: 'GTPRQ', channel: 'red', outcome: result.hit ? 'discrepancy' : 'no_discrepancy', hit: result.hit, discrepancies: [], extraDuties: 0, extraTaxes: 0, currency: 'USD',
        goodsSeized: result.seized, officerId: 'o1', officerName: 'oscar', traderTin: TIN, recordedAt: new Date(result.at),
      });
  }

  beforeAll(async () => {
    database = await openTestDb(kind);
    traders = new TradersService({ db: database.db, clock, sources: { declarations: declarationFacts, controls: controlFacts } });
    exchange = new RecordingExchange();
    traders.connect(exchange);
    const d1 = await declaration('GT-TRD-1', T0, 'Importadora Maya S.A.');
    const d2 = await declaration('GT-TRD-2', T0 + 2 * DAY, 'Importadora Maya S.A.');
    await declaration('GT-TRD-3', T0 + 10 * DAY, 'Importadora Maya del Pacífico S.A.');
    // d1: controlled a day later, discrepancy and seizure recorded five days after lodgement
    await control(d1, T0 + DAY, { at: T0 + 5 * DAY, hit: true, seized: true });
    // d2: controlled, nothing found
    await control(d2, T0 + 3 * DAY, { at: T0 + 4 * DAY, hit: false, seized: false });
  }, 60_000);
  afterAll(async () => database?.close());

  it('knows the trader by the name it last declared under, and in which capacity', async () => {
    const who = await traders.identity('GT', TIN);
    expect(who).toMatchObject({ known: true, name: 'Importadora Maya del Pacífico S.A.', partyCountry: 'GT', roles: ['importer'] });
    expect(who.lastSeenAt).toBe(new Date(T0 + 10 * DAY).toISOString());
    expect((await traders.identity('GT', 'NOBODY-1')).known).toBe(false);
    expect((await traders.identity('SV', TIN)).known).toBe(false);
  });

  it('gives the history as of a date: controls by their date, hits and seizures by the date recorded, nothing after', async () => {
    const at = async (ms: number) => (await traders.historyAsOf('GT', TIN, new Date(ms))).importer;
    expect(await at(T0)).toMatchObject({ declarations: 0, controls: 0, hits: 0, seizures: 0 });
    expect(await at(T0 + 1.5 * DAY)).toMatchObject({ declarations: 1, controls: 1, hits: 0, seizures: 0, firstSeen: T0 });
    // the hit of d1 is known only once recorded (day 5), though d1 was lodged on day 0
    expect(await at(T0 + 4.5 * DAY)).toMatchObject({ declarations: 2, controls: 2, hits: 0, seizures: 0 });
    expect(await at(T0 + 6 * DAY)).toMatchObject({ declarations: 2, controls: 2, hits: 1, seizures: 1 });
    expect(await at(T0 + 20 * DAY)).toMatchObject({ declarations: 3, controls: 2, hits: 1, seizures: 1 });
    // as a declarant the TIN never appeared
    expect((await traders.historyAsOf('GT', TIN, new Date(T0 + 20 * DAY))).declarant.declarations).toBe(0);
    // the broker of these declarations has the same events as declarant
    const broker = await traders.timeline(database.db, 'GT', new Date(T0 + 20 * DAY));
    expect(broker.get('declarant', 'BRK-100200', T0 + 20 * DAY)).toMatchObject({ declarations: 3, controls: 2, hits: 1 });
  });

  it('keeps the counters selectivity reads, and counts outcomes on them', async () => {
    await database.db.insert(schema.traderCounters).values({ country: 'GT', tin: TIN, declarations: 3, controls: 2, hits: 0, seizures: 0, firstSeen: new Date(T0), lastSeen: new Date(T0 + 10 * DAY) });
    await database.db.transaction((tx) => traders.countOutcome(tx, 'GT', TIN, true, true));
    const c = (await traders.counters(database.db, 'GT', [TIN, 'NOBODY-1'])).get(TIN)!;
    expect(c).toMatchObject({ declarations: 3, controls: 2, hits: 1, seizures: 1, firstSeen: T0 });
    expect((await traders.counters(database.db, 'GT', ['NOBODY-1'])).size).toBe(0);
  });

  describe('AEO status', () => {
    const since = new Date(T0 + 20 * DAY).toISOString();

    it('refuses a first status that is not a certification, and a role the policy does not allow', async () => {
      const code = (p: Promise<unknown>) => p.then(() => 'accepted', (e: ValidationError) => e.errors?.[0]?.code ?? e.message);
      expect(await code(traders.setAeo(analyst, 'GT', TIN, { programme: 'OEA-GT', status: 'suspended', since, reason: 'pending a visit' }))).toBe('not_certified');
      expect(await code(traders.setAeo(officer, 'GT', TIN, { programme: 'OEA-GT', status: 'certified', since, reason: 'validated' }))).toBe('role_not_allowed');
      expect(await code(traders.setAeo(analyst, 'SV', TIN, { programme: 'OEA-SV', status: 'certified', since, reason: 'validated' }))).toBe('out_of_reach');
      expect(exchange.queued).toHaveLength(0);
    });

    it('certifies: stored, audited, queued as aeo.status to the partners with schema version 1', async () => {
      const r = await traders.setAeo(analyst, 'GT', TIN, { programme: 'OEA-GT', status: 'certified', since, reason: 'SAFE criteria validated, visit on 2026-03-15' });
      expect(r.aeo).toMatchObject({ administration: 'GT', status: 'certified', effective: 'certified', inForce: true, revision: 1, name: 'Importadora Maya del Pacífico S.A.', source: 'local' });
      expect(r.exchange?.recipients).toEqual(['CR', 'DO', 'HN', 'NI', 'PA', 'SV']);
      expect(exchange.queued).toHaveLength(1);
      const m = exchange.queued[0];
      expect(m).toMatchObject({ sender: 'GT', kind: 'aeo.status', subject: `aeo:GT:${TIN}` });
      expect(aeoStatusPayload.parse(m.payload)).toMatchObject({ administration: 'GT', tin: TIN, status: 'certified', revision: 1 });
      expect(exchange.handlers.get('aeo.status')?.schemaVersion).toBe(1);
      const audit = await listAudit(database.db, { entityType: 'trader_aeo', entityId: `GT/${TIN}`, limit: 5 });
      expect(audit.map((a) => a.action)).toEqual(['trader.aeo.set']);
      expect(audit[0].actor).toBe('ana');
    });

    it('suspends: a second revision, the change history keeps both', async () => {
      const r = await traders.setAeo(analyst, 'GT', TIN, { programme: 'OEA-GT', status: 'suspended', since: new Date(T0 + 25 * DAY).toISOString(), reason: 'seizure under investigation' });
      expect(r.aeo).toMatchObject({ status: 'suspended', inForce: false, revision: 2 });
      const view = await traders.aeo(analyst, 'GT', TIN);
      expect(view.here?.status).toBe('suspended');
      expect(view.changes.map((c) => [c.revision, c.status])).toEqual([
        [2, 'suspended'],
        [1, 'certified'],
      ]);
      expect((exchange.queued[1].payload as AeoStatusPayload).revision).toBe(2);
    });

    const envelope = (p: AeoStatusPayload, sender = p.administration): Envelope<AeoStatusPayload> => ({
      id: uuidv7(), sender, recipients: ['SV'], kind: 'aeo.status', schemaVersion: 1, sentAt: p.changedAt, subject: `aeo:${p.administration}:${p.tin}`, payload: p, keyId: 'k', signature: 's',
    });
    const apply = (env: Envelope<AeoStatusPayload>, recipient = 'SV') => database.db.transaction((tx) => exchange.handlers.get('aeo.status')!.apply(tx, env, recipient));

    it("applies a partner's status for the recipient, and ignores an older revision arriving late", async () => {
      const [certified, suspended] = exchange.queued.map((m) => m.payload as AeoStatusPayload);
      await apply(envelope(suspended));
      await apply(envelope(certified)); // late: revision 1 after 2
      const sv: Principal = { ...analyst, country: 'SV' };
      const seen = await traders.aeo(sv, 'SV', TIN);
      expect(seen.here).toBeNull();
      expect(seen.partners).toHaveLength(1);
      expect(seen.partners[0]).toMatchObject({ administration: 'GT', status: 'suspended', revision: 2, source: 'partner' });
      const audit = await listAudit(database.db, { entityType: 'trader_aeo', entityId: `GT/${TIN}`, country: 'SV', limit: 5 });
      expect(audit.map((a) => a.action)).toEqual(['trader.aeo.received']);
      // GT's own record is untouched by what SV holds
      expect((await traders.aeo(analyst, 'GT', TIN)).partners).toHaveLength(0);
    });

    it('refuses a sender speaking about the AEO status of another administration', async () => {
      const forged = { ...(exchange.queued[0].payload as AeoStatusPayload), revision: 9, status: 'revoked' as const };
      const err = await apply(envelope(forged, 'HN')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).errors[0].code).toBe('not_sender_administration');
      const seen = await traders.aeo({ ...analyst, country: 'SV' }, 'SV', TIN);
      expect(seen.partners[0]).toMatchObject({ status: 'suspended', revision: 2 });
    });

    it('lists the register an administration holds, its own and its partners', async () => {
      expect((await traders.register(analyst, 'GT')).items.map((i) => [i.administration, i.status])).toEqual([['GT', 'suspended']]);
      expect((await traders.register({ ...analyst, country: 'SV' }, 'SV', { administration: 'GT' })).items.map((i) => i.source)).toEqual(['partner']);
    });
  });
});
