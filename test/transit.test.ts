import { afterAll, beforeAll, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { ValidationError } from '../src/core/errors.ts';
import { queryRows, sql, type Database } from '../src/db/client.ts';
import { openTestDb, describeEachDb } from '../src/db/testing.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import { TransitService } from '../src/modules/transit/service.ts';
import { journey, mv, NOW, transitDeclaration } from './transit-fixtures.ts';
import { getReferenceData } from '../src/reference/index.ts';

const ref = getReferenceData();
const actor = SYSTEM_PRINCIPAL('GT', 'test');
describeEachDb('transit service on %s', (kind) => {
  let database: Database;
  let service: TransitService;
  const clock = new FixedClock(NOW);

  beforeAll(async () => {
    database = await openTestDb(kind);
    service = new TransitService({ db: database.db, ref, clock });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('declares a transit with a time limit from the route distance, idempotently', async () => {
    const a = await service.declareMovement(transitDeclaration(), actor);
    expect(a.status).toBe('created');
    expect(a.distanceKm).toBeGreaterThan(250);
    expect(a.distanceKm).toBeLessThan(600);
    const hours = (Date.parse(a.timeLimit) - Date.parse('2026-06-15T08:00:00Z')) / 3_600_000;
    expect(hours).toBeGreaterThan(20);
    expect(hours).toBeLessThan(60);
    expect((await service.declareMovement(transitDeclaration(), actor)).status).toBe('unchanged');
  });

  it('answers bad transit declarations with field paths', async () => {
    const bad = transitDeclaration('TRGT-BAD');
    bad.route = ['GT0PA', 'HN0AM'];
    bad.officeOfDestination = 'ZZZZZ';
    bad.conveyance.containers = ['MSCU1234560'];
    bad.seals = ['SGT1', 'SGT1'];
    bad.guarantee.currency = 'ABC';
    delete bad.conveyance.plate;
    bad.mode = 7;
    const err = await service.declareMovement(bad, actor).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const paths = (err as ValidationError).errors.map((e) => e.path);
    for (const p of ['officeOfDestination', 'conveyance.containers[0]', 'seals[1]', 'guarantee.currency', 'mode']) expect(paths).toContain(p);
    const bad2 = transitDeclaration('TRGT-BAD2');
    bad2.route = ['GT0PA', 'HN0AM'];
    const err2 = await service.declareMovement(bad2, actor).catch((e) => e);
    expect((err2 as ValidationError).errors.map((e) => e.path)).toContain('route[1]');
    const bad3 = transitDeclaration('TRGT-BAD3');
    delete bad3.conveyance.plate;
    const err3 = await service.declareMovement(bad3, actor).catch((e) => e);
    expect((err3 as ValidationError).errors.map((e) => e.path)).toEqual(['conveyance.plate']);
  });

  it('answers bad events with field paths, and keeps the good ones of a batch', async () => {
    const r = await service.ingestEvents(
      [
        { eventId: 'bad-1', type: 'rfid_read', at: '2026-06-15T11:30:00Z', office: 'GT0PA' },
        { eventId: 'bad-2', type: 'weighing', at: '2030-01-01T00:00:00Z', movement: mv, office: 'GTPRQ', grossMassKg: -4 },
        { eventId: 'bad-3', type: 'teleport', at: 'yesterday', movement: mv },
        { eventId: 'bad-4', type: 'gps_position', at: '2026-06-15T11:30:00Z', movement: { country: 'GT', reference: 'NOPE' }, lat: 14, lon: -90 },
        { eventId: 'bad-5', type: 'seal_check', at: '2026-06-15T11:30:00Z', movement: mv, office: 'GT0PA', seals: [{ number: 'SGT100001', intact: 'yes' }] },
        { eventId: 'ok-0', type: 'gate_out', at: '2026-06-15T07:55:00Z', movement: mv, office: 'GTPRQ' },
      ],
      actor,
    );
    expect(r.recorded).toBe(1);
    const paths = (i: number) => r.rejected.find((x) => x.index === i)!.errors.map((e) => e.path);
    expect(paths(0)).toEqual(expect.arrayContaining(['tag', 'direction', 'movement']));
    expect(paths(1)).toEqual(expect.arrayContaining(['at', 'grossMassKg']));
    expect(paths(2)).toEqual(expect.arrayContaining(['type', 'at']));
    expect(paths(3)).toEqual(['movement.reference']);
    expect(paths(4)).toEqual(['seals[0].intact']);
  });

  it('takes events out of order and twice: same result as in order, nothing recorded twice', async () => {
    const evs = journey();
    const shuffled = [evs[9], evs[3], evs[0], evs[6], evs[1], evs[2], evs[8], evs[4], evs[7], evs[5]];
    const first = await service.ingestEvents(shuffled.slice(0, 5), actor);
    expect(first.recorded).toBe(5);
    const second = await service.ingestEvents([...shuffled.slice(3), shuffled[0]], actor);
    expect(second.recorded).toBe(5);
    expect(second.duplicates).toBe(3);
    const again = await service.recordEvent(evs[0], actor);
    expect(again.status).toBe('duplicate');
    const reused = await service.recordEvent({ ...evs[0], office: 'GT0PA' }, actor).catch((e) => e);
    expect(reused.status).toBe(409);
    const m = await service.movementByReference('GT', 'TRGT-T-1');
    expect(m.movement.status).toBe('arrived');
    expect(m.events.length).toBe(11);
    const times = m.events.map((e) => e.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    await service.sweep(actor);
    expect((await service.alerts({ limit: 100 })).filter((a) => a.subject === 'GT/TRGT-T-1')).toEqual([]);
  });

  it('a late weighing 10% light and a changed seal raise alerts naming the countries concerned', async () => {
    const r = await service.ingestEvents(
      [
        { eventId: 't1-w5', type: 'weighing', at: '2026-06-15T19:50:00Z', movement: mv, office: 'HN0AM', grossMassKg: 16200 },
        { eventId: 't1-s5', type: 'seal_check', at: '2026-06-15T19:55:00Z', movement: mv, office: 'HN0AM', seals: [{ number: 'SGT999999', intact: true }, { number: 'SGT100002', intact: false }] },
      ],
      actor,
    );
    const kinds = r.alerts.map((a) => a.kind).sort();
    expect(kinds).toEqual(['seal_tampered', 'seal_tampered', 'weight_mismatch']);
    const w = r.alerts.find((a) => a.kind === 'weight_mismatch')!;
    expect(w.administrations).toEqual({ departure: 'GT', transit: ['SV'], destination: 'HN' });
    expect(w.message.en).toMatch(/HN0AM.*16200 kg/);
    expect(w.message.es).toMatch(/pesó 16200 kg/);
    expect(w.evidence.eventIds).toContain('t1-w5');
  });

  it('thresholds are set per administration and validated', async () => {
    const bad = await service.setThresholds('GT', { weightTolerancePct: -1, nope: 1 }, actor).catch((e) => e);
    expect((bad as ValidationError).errors.map((e) => e.path).sort()).toEqual(['nope', 'weightTolerancePct']);
    const t = await service.setThresholds('GT', { weightTolerancePct: 12 }, actor);
    expect(t.weightTolerancePct).toBe(12);
    expect((await service.getThresholds('SV')).weightTolerancePct).toBe(3);
    await service.setThresholds('GT', {}, actor);
  });

  it('verification names the movement and the event edited in the database, and removed ones', async () => {
    expect((await service.verify()).ok).toBe(true);
    await database.db.execute(sql`update transit_events set data = jsonb_set(data, '{grossMassKg}', '18000') where event_id = 't1-w5'`);
    const r = await service.verify();
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([expect.objectContaining({ subject: 'GT/TRGT-T-1', eventId: 't1-w5', kind: 'altered' })]);
    expect(r.problems[0].detail).toMatch(/t1-w5/);
    // remove another event: the gap is named
    const [row] = await queryRows<{ seq: number }>(database.db, sql`select seq from transit_events where event_id = 't1-r2'`);
    await database.db.execute(sql`delete from transit_events where event_id = 't1-r2'`);
    const r2 = await service.verify();
    expect(r2.problems).toEqual(expect.arrayContaining([expect.objectContaining({ subject: 'GT/TRGT-T-1', kind: 'removed', seq: row.seq })]));
  });
});
