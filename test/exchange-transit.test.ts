/**
 * Transit hand-off over the regional exchange (issue 11, point 5), three nodes (GT, SV, HN), on
 * the in-process bus and on the real NATS server: a transit GT → SV → HN declared at departure
 * reaches SV and HN; each country's border events reach the departure and the countries further
 * on; a seal broken in SV raises the alert in SV and reaches GT and HN as SV's alert; HN's arrival
 * closes the movement on all three. Messages that cannot be right are refused (dead-lettered
 * with the reason); an event that overtakes the declaration is parked, then applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { uuidv7 } from '../src/core/ids.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import type { Envelope } from '../src/modules/exchange/contract.ts';
import { regionTransports, startRegion, type Region, type RegionNode } from './exchange-harness.ts';
import { journey, NOW, transitDeclaration } from './transit-fixtures.ts';

const sys = (cc: string) => SYSTEM_PRINCIPAL(cc, 'test');
const ev = (id: string) => journey().find((e) => e.eventId === id);

// on the real NATS server when there is one (always in CI); on the in-process bus otherwise
const transports = regionTransports().includes('nats') ? ['nats' as const] : ['memory' as const];

describe.each(transports)('transit hand-off between three nodes over %s', (transport) => {
  let region: Region;
  let gt: RegionNode, sv: RegionNode, hn: RegionNode;
  let id: string;
  // on the day of the journey, before the time limit: only what the events show is raised
  const clock = new FixedClock('2026-06-15T12:30:00Z');

  beforeAll(async () => {
    region = await startRegion({
      transport,
      clock,
      nodes: [
        { name: 'gt', administrations: ['GT'] },
        { name: 'sv', administrations: ['SV'] },
        { name: 'hn', administrations: ['HN'] },
      ],
    });
    gt = region.node('gt');
    sv = region.node('sv');
    hn = region.node('hn');
  }, 90_000);
  afterAll(() => region?.close(), 60_000);

  it('a transit declared in GT is known in SV and HN, as GT\'s record', async () => {
    const out = await gt.services.transit.declareMovement(transitDeclaration(), sys('GT'));
    id = out.id;
    await region.settle();
    for (const n of [sv, hn]) {
      const d = await n.services.transit.movement(id);
      expect(d.movement).toMatchObject({ id, country: 'GT', reference: 'TRGT-T-1', receivedFrom: 'GT', status: 'declared', seals: ['SGT100001', 'SGT100002'] });
      expect(d.exchange.map((x) => [x.direction, x.kind, x.sender])).toEqual([['in', 'transit.declared', 'GT']]);
    }
    const own = await gt.services.transit.movement(id);
    expect(own.movement.receivedFrom).toBeNull();
    // the departure sees each partner apply it (receipts)
    const out1 = own.exchange.find((x) => x.kind === 'transit.declared')!;
    expect(out1.recipients).toEqual(['HN', 'SV']);
    expect(out1.deliveries.map((d) => [d.recipient, d.state]).sort()).toEqual([
      ['HN', 'applied'],
      ['SV', 'applied'],
    ]);
  });

  it('GT\'s legs reach SV and HN; SV\'s broken seal raises SV\'s alert, which reaches GT and HN', async () => {
    await gt.services.transit.ingestEvents([ev('t1-w0'), ev('t1-dep'), ev('t1-r1')], sys('GT'), 'test');
    await region.settle();
    const svView = await sv.services.transit.movement(id);
    expect(svView.events.map((e) => [e.eventId, e.receivedFrom])).toEqual([
      ['t1-w0', 'GT'],
      ['t1-dep', 'GT'],
      ['t1-r1', 'GT'],
    ]);
    expect(svView.movement.status).toBe('in_transit');
    // HN, further on, sees the journey so far too; nothing is raised on partner data alone
    expect((await hn.services.transit.movement(id)).events).toHaveLength(3);
    expect(await hn.services.transit.alerts({ concerning: 'HN', status: 'all', limit: 100 })).toEqual([]);

    // at the SV side of the crossing: the entry read, and a seal found broken
    const broken = { ...ev('t1-s2'), seals: [{ number: 'SGT100001', intact: true }, { number: 'SGT100002', intact: false }] };
    const r = await sv.services.transit.ingestEvents([ev('t1-r2'), broken], sys('SV'), 'test');
    expect(r.recorded).toBe(2);
    expect(r.alerts.map((a) => [a.kind, a.severity, a.receivedFrom])).toEqual([['seal_tampered', 'critical', null]]);
    const alertId = r.alerts[0].id;
    await region.settle();
    for (const n of [gt, hn]) {
      const cc = n.administrations[0];
      const alerts = await n.services.transit.alerts({ concerning: cc, status: 'open', limit: 100 });
      expect(alerts.map((a) => [a.id, a.kind, a.receivedFrom, a.movementId])).toEqual([[alertId, 'seal_tampered', 'SV', id]]);
      expect(alerts[0].params).toMatchObject({ seal: 'SGT100002', how: 'broken', office: 'SV0HA' });
      expect(alerts[0].message.en).toBeTruthy();
      expect(alerts[0].receivedAt).not.toBeNull();
    }
    // GT, the departure, has SV's legs; HN has them too (it is further on)
    expect((await gt.services.transit.movement(id)).events.filter((e) => e.receivedFrom === 'SV').map((e) => e.eventId)).toEqual(['t1-r2', 't1-s2']);
    expect((await hn.services.transit.movement(id)).events.filter((e) => e.receivedFrom === 'SV')).toHaveLength(2);
    // a sweep on GT does not raise the same finding again: SV's alert stands for it
    await gt.services.transit.sweep(sys('GT'));
    expect((await gt.services.transit.alerts({ concerning: 'GT', kind: 'seal_tampered', status: 'all', limit: 100 })).map((a) => a.receivedFrom)).toEqual(['SV']);
  });

  it('HN\'s arrival at destination closes the movement on all three nodes', async () => {
    clock.set('2026-06-15T23:00:00Z');
    await sv.services.transit.ingestEvents([ev('t1-r3')], sys('SV'), 'test');
    await hn.services.transit.ingestEvents([ev('t1-r4'), ev('t1-w9'), ev('t1-arr')], sys('HN'), 'test');
    await region.settle();
    for (const n of [gt, sv, hn]) {
      const d = await n.services.transit.movement(id);
      expect(d.movement.status).toBe('arrived');
      expect(d.movement.arrivedAt?.toISOString()).toBe('2026-06-15T22:30:00.000Z');
    }
    const gtView = await gt.services.transit.movement(id);
    expect(gtView.exchange.filter((x) => x.direction === 'in' && x.kind === 'transit.closed').map((x) => x.sender)).toEqual(['HN']);
    expect((await sv.services.transit.movement(id)).exchange.some((x) => x.kind === 'transit.closed' && x.sender === 'HN')).toBe(true);
    // every ledger still verifies, partner legs included
    for (const n of [gt, sv, hn]) expect((await n.services.transit.verify()).ok).toBe(true);
    for (const n of [gt, sv, hn]) expect(await n.exchange.deadLetters({ recipients: n.administrations })).toEqual([]);
  });

  it('refuses an event from an administration not on the route, at another\'s office, or for a movement that cannot be parked', async () => {
    // a transit GT → SV only: HN is not on its route
    const short = { ...transitDeclaration('TRGT-T-2'), officeOfDestination: 'SV0AM', route: ['GT0PA', 'SV0HA'], conveyance: { ...transitDeclaration().conveyance, rfidTag: 'E280-TEST-0002' } };
    const m2 = await gt.services.transit.declareMovement(short, sys('GT'));
    await region.settle();
    const ref2 = { id: m2.id, country: 'GT', reference: 'TRGT-T-2', countries: ['GT', 'SV', 'HN'] };
    const event = (eventId: string, office: string) => ({ eventId, type: 'rfid_read', at: '2026-06-15T20:00:00.000Z', office, country: office.slice(0, 2), data: { eventId, type: 'rfid_read', at: '2026-06-15T20:00:00.000Z', office } });
    await hn.db.transaction((tx) => hn.exchange.enqueue(tx, { sender: 'HN', recipients: ['GT'], kind: 'transit.event', subject: m2.id, payload: { movement: ref2, events: [event('hn-fake-1', 'HN0AM')] } }));
    // SV reporting a read at a GT office
    await sv.db.transaction((tx) => sv.exchange.enqueue(tx, { sender: 'SV', recipients: ['GT'], kind: 'transit.event', subject: m2.id, payload: { movement: { ...ref2, countries: ['GT', 'SV'] }, events: [event('sv-fake-1', 'GT0PA')] } }));
    // GT sending events of a transit it never declared to SV: nothing to wait for
    const ghost = uuidv7();
    await gt.db.transaction((tx) => gt.exchange.enqueue(tx, { sender: 'GT', recipients: ['SV'], kind: 'transit.event', subject: ghost, payload: { movement: { id: ghost, country: 'GT', reference: 'TRGT-GHOST', countries: ['GT', 'SV'] }, events: [event('gt-ghost-1', 'GT0PA')] } }));
    await region.settle();
    const gtDead = await gt.exchange.deadLetters({ recipients: ['GT'] });
    expect(gtDead.map((d) => [d.sender, d.code]).sort()).toEqual([
      ['HN', 'refused_by_handler'],
      ['SV', 'refused_by_handler'],
    ]);
    expect(gtDead.find((d) => d.sender === 'HN')!.reason).toMatch(/HN is not on the route of transit GT\/TRGT-T-2/);
    expect(gtDead.find((d) => d.sender === 'SV')!.reason).toMatch(/only what happened at its own offices/);
    const svDead = await sv.exchange.deadLetters({ recipients: ['SV'] });
    expect(svDead.map((d) => [d.sender, d.code])).toEqual([['GT', 'refused_by_handler']]);
    expect(svDead[0].reason).toMatch(/cannot be parked/);
    // nothing of it was applied
    expect((await gt.services.transit.movement(m2.id)).events).toEqual([]);
  });
});

describe('an event that overtakes the declaration is parked, then applied in order', () => {
  let region: Region;
  const clock = new FixedClock(NOW);
  beforeAll(async () => {
    region = await startRegion({ transport: 'memory', clock, start: false, nodes: [{ name: 'hn', administrations: ['HN'] }] });
  }, 60_000);
  afterAll(() => region?.close());

  it('keeps SV\'s event until GT\'s declaration arrives', async () => {
    const hn = region.node('hn');
    const handlers = new Map(hn.services.transit.handoff.handlers().map((h) => [h.kind, h]));
    const id = uuidv7();
    const movement = { id, country: 'GT', reference: 'TRGT-P-1', countries: ['GT', 'SV', 'HN'] };
    const env = <P>(sender: string, kind: Envelope['kind'], payload: P): Envelope<P> => ({ id: uuidv7(), sender, recipients: ['HN'], kind, schemaVersion: 1, sentAt: new Date().toISOString(), subject: id, payload, keyId: 'k', signature: 's' });
    const svEvent = env('SV', 'transit.event', handlers.get('transit.event')!.payload.parse({ movement, events: [{ eventId: 'p-r3', type: 'rfid_read', at: '2026-06-15T19:00:00.000Z', office: 'SV0AM', country: 'SV', data: { direction: 'exit' } }] }));
    await hn.db.transaction((tx) => handlers.get('transit.event')!.apply(tx, svEvent, 'HN'));
    expect((await hn.services.transit.handoff.parked(hn.db, id)).map((p) => [p.sender, p.kind])).toEqual([['SV', 'transit.event']]);

    // the declaration as GT's node sends it
    const g = region.node('hn');
    const decl = transitDeclaration('TRGT-P-1');
    const d = {
      movement: {
        id, country: 'GT', reference: 'TRGT-P-1', mode: 3, officeOfDeparture: 'GTPRQ', officeOfDestination: 'HNSLO', route: decl.route, countries: ['GT', 'SV', 'HN'], distanceKm: 400,
        departureAt: decl.departureAt, timeLimit: '2026-06-17T08:00:00.000Z', declaredTimeLimit: null, proposedTimeLimit: '2026-06-17T08:00:00.000Z', timeLimitSource: 'proposed',
        plate: 'C123ABC', rfidTag: null, containers: [], seals: decl.seals, grossMassKg: 18000, packages: 120, status: 'in_transit', contentHash: 'h', payload: decl,
      },
      amended: false,
    };
    await g.db.transaction((tx) => handlers.get('transit.declared')!.apply(tx, env('GT', 'transit.declared', handlers.get('transit.declared')!.payload.parse(d)), 'HN'));
    const view = await hn.services.transit.movement(id);
    expect(view.movement.receivedFrom).toBe('GT');
    expect(view.events.map((e) => [e.eventId, e.receivedFrom])).toEqual([['p-r3', 'SV']]);
    expect(await hn.services.transit.handoff.parked(hn.db, id)).toEqual([]);
    // a declaration sent by someone other than the departure is refused
    const forged = { ...d, movement: { ...d.movement, id: uuidv7(), reference: 'TRGT-P-2' } };
    await expect(hn.db.transaction((tx) => handlers.get('transit.declared')!.apply(tx, env('SV', 'transit.declared', handlers.get('transit.declared')!.payload.parse(forged)), 'HN'))).rejects.toMatchObject({
      errors: [expect.objectContaining({ path: 'payload.movement.country', message: expect.stringMatching(/only the administration of departure declares a transit/) })],
    });
  });
});

describe('one node serving GT, SV and HN (the single-node demo)', () => {
  let region: Region;
  const clock = new FixedClock('2026-06-15T23:00:00Z');
  beforeAll(async () => {
    region = await startRegion({ transport: 'memory', clock, nodes: [{ name: 'all', administrations: ['GT', 'SV', 'HN'] }] });
  }, 60_000);
  afterAll(() => region?.close());

  it('the hand-off goes through the exchange and changes nothing twice', async () => {
    const n = region.node('all');
    const t = n.services.transit;
    const { id } = await t.declareMovement(transitDeclaration(), sys('GT'));
    const broken = { ...ev('t1-s2'), seals: [{ number: 'SGT100001', intact: true }, { number: 'SGT100002', intact: false }] };
    await t.ingestEvents([...journey().filter((e) => e.eventId !== 't1-s2'), broken], sys('GT'), 'test');
    await region.settle();
    const d = await t.movement(id);
    expect(d.movement).toMatchObject({ status: 'arrived', receivedFrom: null, eventCount: 10 });
    expect(d.events.every((e) => e.receivedFrom === null)).toBe(true);
    expect(d.alerts.filter((a) => a.kind === 'seal_tampered').map((a) => a.receivedFrom)).toEqual([null]);
    // declared, events, the alert and the closure were sent between the administrations of this node and applied
    const sent = d.exchange.filter((x) => x.direction === 'out');
    expect(new Set(sent.map((x) => x.kind))).toEqual(new Set(['transit.declared', 'transit.event', 'transit.alert', 'transit.closed']));
    expect(sent.flatMap((x) => x.deliveries.map((dl) => dl.state)).every((s) => s === 'applied')).toBe(true);
    expect(await n.exchange.deadLetters({ recipients: ['GT', 'SV', 'HN'] })).toEqual([]);
    expect((await t.verify()).ok).toBe(true);
  });
});
