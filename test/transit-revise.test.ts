/**
 * Transit alerts that officers can trust: the declared time limit, detectors that withdraw what a
 * later event explains away (kept in the ledger, with the reason), one root cause one alert, and
 * events that name the transit by what the post sees (seal, plate, container, tag).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { ValidationError } from '../src/core/errors.ts';
import type { Database } from '../src/db/client.ts';
import { openTestDb, describeEachDb } from '../src/db/testing.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import { withCheckDigit } from '../src/modules/declarations/container.ts';
import { TransitService, type AlertOut } from '../src/modules/transit/service.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { journey, NOW, transitDeclaration } from './transit-fixtures.ts';

const ref = getReferenceData();
const actor = SYSTEM_PRINCIPAL('GT', 'test');
const H = 3_600_000;
const BOX = withCheckDigit('MSCU555000');

/** The fixture's declaration under another reference, tag, plate, seals and container. */
function declaration(reference: string, n: number, extra: Record<string, unknown> = {}) {
  const d = transitDeclaration(reference);
  d.conveyance.rfidTag = `E280-REV-${n}`;
  d.conveyance.plate = `P${100 + n}XYZ`;
  d.seals = [`SREV${n}01`, `SREV${n}02`];
  d.conveyance.containers = [];
  return { ...d, ...extra };
}

/** The fixture's journey for another transit: its own event ids and tag; everything after departure `lateHours` later. */
function journeyOf(reference: string, n: number, lateHours = 0): any[] {
  return journey().map((e) => {
    const x = { ...e, eventId: `${reference}-${e.eventId}` };
    if (x.movement) x.movement = { country: 'GT', reference };
    if (x.tag) x.tag = `E280-REV-${n}`;
    if (x.seals) x.seals = [{ number: `SREV${n}01`, intact: true }, { number: `SREV${n}02`, intact: true }];
    if (Date.parse(x.at) > Date.parse('2026-06-15T08:00:00Z')) x.at = new Date(Date.parse(x.at) + lateHours * H).toISOString();
    return x;
  });
}

describeEachDb('transit alerts that revise themselves, on %s', (kind) => {
  let database: Database;
  let service: TransitService;
  const clock = new FixedClock(NOW);
  const alertsOf = async (reference: string, status: 'open' | 'withdrawn' | 'all' = 'open') => (await service.alerts({ subject: `GT/${reference}`, status, limit: 100 })) as AlertOut[];

  beforeAll(async () => {
    database = await openTestDb(kind);
    service = new TransitService({ db: database.db, ref, clock });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('the declaration carries its time limit; without one Centinela proposes it from the route and says so', async () => {
    const declared = await service.declareMovement(declaration('TR-LIM-1', 1, { timeLimit: '2026-06-18T08:00:00Z' }), actor);
    expect(declared).toMatchObject({ timeLimitSource: 'declared', timeLimit: '2026-06-18T08:00:00.000Z' });
    expect(declared.note).toBeUndefined();
    expect(Date.parse(declared.proposedTimeLimit)).toBeLessThan(Date.parse(declared.timeLimit));
    const proposed = await service.declareMovement(declaration('TR-LIM-0', 0), actor);
    expect(proposed.timeLimitSource).toBe('proposed');
    expect(proposed.timeLimit).toBe(proposed.proposedTimeLimit);
    expect(proposed.note!.en).toMatch(/proposes/);
    expect(proposed.note!.es).toMatch(/propone/);
    const bad = await service.declareMovement(declaration('TR-LIM-X', 9, { timeLimit: '2026-06-15T07:00:00Z' }), actor).catch((e) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    expect((bad as ValidationError).errors.map((e) => e.path)).toEqual(['timeLimit']);
  });

  it('late but within the declared limit is no alert; past it (and its tolerance) is overdue, and the alert shows the declared limit and the tolerance', async () => {
    // 40 h late on the fixture's 14 h journey: past Centinela's own estimate, within the declared 72 h
    await service.ingestEvents(journeyOf('TR-LIM-1', 1, 40), actor);
    await service.sweep(actor);
    expect(await alertsOf('TR-LIM-1')).toEqual([]);
    // the same journey under a declared 36 h limit
    await service.declareMovement(declaration('TR-LIM-2', 2, { timeLimit: '2026-06-16T20:00:00Z' }), actor);
    const r = await service.ingestEvents(journeyOf('TR-LIM-2', 2, 40), actor);
    const overdue = r.alerts.filter((a) => a.kind === 'overdue');
    expect(overdue).toHaveLength(1);
    expect(overdue[0].params).toMatchObject({ limitSource: 'declared', timeLimit: '2026-06-16T20:00:00.000Z', toleranceHours: 2, destination: true, office: 'HNSLO' });
    expect(overdue[0].message.en).toMatch(/declared by the office of departure \(2026-06-16 20:00 UTC; tolerance 2 h/);
    expect(overdue[0].message.es).toMatch(/declarado por la aduana de partida \(2026-06-16 20:00 UTC; tolerancia 2 h/);
  });

  it('a wider tolerance set by the administration withdraws the overdue on the next sweep; an amended declaration withdraws it too', async () => {
    await service.setThresholds('GT', { arrivalToleranceHours: 24 }, actor);
    await service.sweep(actor);
    expect((await alertsOf('TR-LIM-2')).map((a) => a.kind)).not.toContain('overdue');
    const [w] = (await alertsOf('TR-LIM-2', 'withdrawn')).filter((a) => a.kind === 'overdue');
    expect(w.withdrawal).toMatchObject({ reason: 'reevaluated' });
    await service.setThresholds('GT', {}, actor);
    await service.sweep(actor);
    expect((await alertsOf('TR-LIM-2')).map((a) => a.kind)).toEqual(['overdue']);
    // still on the road two days after a declared limit: overdue; the office of departure extends the limit
    await service.declareMovement(declaration('TR-LIM-3', 7, { timeLimit: '2026-06-18T12:00:00Z' }), actor);
    await service.ingestEvents(journeyOf('TR-LIM-3', 7).filter((e) => Date.parse(e.at) < Date.parse('2026-06-15T20:00:00Z')), actor);
    expect((await alertsOf('TR-LIM-3')).map((a) => [a.kind, a.params.reachedAt])).toEqual([['overdue', null]]);
    const amended = await service.declareMovement(declaration('TR-LIM-3', 7, { timeLimit: '2026-06-21T12:00:00Z' }), actor);
    expect(amended.status).toBe('amended');
    expect(await alertsOf('TR-LIM-3')).toEqual([]);
    const [last] = await alertsOf('TR-LIM-3', 'withdrawn');
    expect(last.withdrawal).toMatchObject({ reason: 'declaration_amended' });
    expect(last.withdrawal!.message.en).toMatch(/amended/);
  });

  it("a cloned tag's read that arrives before the genuine one: off route and impossible travel are raised, then withdrawn when the twin arrives", async () => {
    await service.declareMovement(declaration('TR-CLN-1', 3, { timeLimit: '2026-06-18T08:00:00Z' }), actor);
    const ev = journeyOf('TR-CLN-1', 3);
    const dep = ev.find((e) => e.type === 'departure');
    const r1 = ev.find((e) => e.office === 'GT0PA');
    const r2 = ev.find((e) => e.office === 'SV0HA' && e.type === 'rfid_read');
    clock.set('2026-06-15T12:30:00Z'); // as it happens
    await service.recordEvent(dep, actor);
    // Paso Canoas, Panama, 10 minutes before the genuine read at La Hachadura, El Salvador (whose post is slow to send it)
    const clone = { eventId: 'TR-CLN-1-clone', type: 'rfid_read', at: '2026-06-15T12:00:00Z', tag: 'E280-REV-3', office: 'PA0PC', direction: 'entry' };
    const first = await service.recordEvent(clone, actor);
    expect(first.alerts.map((a) => a.kind).sort()).toEqual(['impossible_travel', 'off_route_crossing']);
    const twin = await service.recordEvent(r2, actor);
    expect(twin.alerts.map((a) => a.kind)).toEqual(['cloned_tag']);
    expect(twin.withdrawn.map((a) => a.kind).sort()).toEqual(['impossible_travel', 'off_route_crossing']);
    for (const w of twin.withdrawn) {
      expect(w.status).toBe('withdrawn');
      expect(w.withdrawal).toMatchObject({ reason: 'clone_twin', params: { twin: 'TR-CLN-1-clone', tag: 'E280-REV-3' } });
      expect(w.withdrawal!.message.en).toMatch(/belongs to the cloned tag E280-REV-3/);
      expect(w.withdrawal!.message.es).toMatch(/etiqueta clonada E280-REV-3/);
    }
    // the rest of the journey changes nothing; the open alerts are the clone alone
    await service.recordEvent(r1, actor);
    clock.set(NOW);
    await service.ingestEvents(ev, actor);
    await service.sweep(actor);
    expect((await alertsOf('TR-CLN-1')).map((a) => a.kind)).toEqual(['cloned_tag']);
    // the withdrawals are kept in the movement's ledger, chained like the events, for the exchange to send to every administration concerned
    const m = await service.movementByReference('GT', 'TR-CLN-1');
    expect(m.events.map((e) => e.type)).not.toContain('alert_withdrawn');
    expect(m.ledgerRecords.map((e) => e.type)).toEqual(['alert_withdrawn', 'alert_withdrawn']);
    expect(m.ledgerRecords[0].data).toMatchObject({ reason: 'clone_twin', countries: ['GT', 'SV', 'HN'] });
    expect(m.alerts.filter((a) => a.status === 'withdrawn')).toHaveLength(2);
    expect((await service.verify()).ok).toBe(true);
  });

  it('an off-route crossing is one alert: the planned crossing it replaced is not also reported as skipped', async () => {
    await service.declareMovement(declaration('TR-OFF-1', 4, { timeLimit: '2026-06-18T08:00:00Z' }), actor);
    // crossed at Valle Nuevo / Las Chinamas instead of Pedro de Alvarado / La Hachadura
    const ev = journeyOf('TR-OFF-1', 4).map((e) => (e.office === 'GT0PA' ? { ...e, office: 'GT0VN' } : e.office === 'SV0HA' ? { ...e, office: 'SV0CH' } : e));
    await service.ingestEvents(ev, actor);
    await service.sweep(actor);
    const kinds = (await alertsOf('TR-OFF-1')).map((a) => `${a.kind}:${a.params.office}`).sort();
    expect(kinds).toEqual(['off_route_crossing:GT0VN', 'off_route_crossing:SV0CH']);
  });

  it('a post names the transit by seal, plate or container; an unknown one is rejected naming the field; two open transits matching is an alert, never a guess', async () => {
    await service.declareMovement(declaration('TR-ID-1', 5, { timeLimit: '2026-06-18T08:00:00Z', conveyance: { plate: 'C555IDA', plateCountry: 'GT', rfidTag: 'E280-REV-5', containers: [BOX] } }), actor);
    const at = '2026-06-15T12:20:00Z';
    const r = await service.ingestEvents(
      [
        { eventId: 'id-seal', type: 'seal_check', at, seal: 'SREV501', office: 'SV0HA', seals: [{ number: 'SREV501', intact: true }, { number: 'SREV502', intact: true }] },
        { eventId: 'id-plate', type: 'weighing', at, plate: 'C555IDA', office: 'SV0HA', grossMassKg: 18010 },
        { eventId: 'id-box', type: 'gate_in', at, container: BOX, office: 'SV0HA' },
        { eventId: 'id-none', type: 'weighing', at, plate: 'C000NOP', office: 'SV0HA', grossMassKg: 18010 },
        { eventId: 'id-nobody', type: 'weighing', at, office: 'SV0HA', grossMassKg: 18010 },
      ],
      actor,
    );
    expect(r.recorded).toBe(3);
    expect(r.rejected.map((x) => [x.index, x.errors.map((e) => `${e.path}:${e.code}`)])).toEqual([
      [3, ['plate:unknown_plate']],
      [4, ['movement:required']],
    ]);
    expect(r.results!.map((x) => x.status)).toEqual(['recorded', 'recorded', 'recorded', 'rejected', 'rejected']);
    const m = await service.movementByReference('GT', 'TR-ID-1');
    expect(m.events.map((e) => e.eventId).sort()).toEqual(['id-box', 'id-plate', 'id-seal']);
    // a second truck on the road with the same plate
    await service.declareMovement(declaration('TR-ID-2', 6, { timeLimit: '2026-06-18T08:00:00Z', conveyance: { plate: 'C555IDA', plateCountry: 'GT', rfidTag: 'E280-REV-6', containers: [] } }), actor);
    const amb = await service.recordEvent({ eventId: 'id-amb', type: 'weighing', at: '2026-06-15T13:00:00Z', plate: 'C555IDA', office: 'SV0HA', grossMassKg: 18010 }, actor);
    expect(amb.status).toBe('recorded');
    expect(amb.alerts.map((a) => a.kind)).toEqual(['ambiguous_identification']);
    const a = amb.alerts[0];
    expect(a.subject).toBe('SV/plate:C555IDA');
    expect(a.movementId).toBeNull();
    expect(a.params).toMatchObject({ field: 'plate', value: 'C555IDA', count: 2, candidates: 'GT/TR-ID-1, GT/TR-ID-2' });
    expect(a.countries).toEqual(expect.arrayContaining(['SV', 'GT', 'HN']));
    expect(a.message.en).toMatch(/matches 2 open transits \(GT\/TR-ID-1, GT\/TR-ID-2\): it was attached to none/);
    expect(a.message.es).toMatch(/no se asignó a ninguno/);
    // attached to neither: kept on a chain of its own in the ledger, which still verifies
    for (const ref2 of ['TR-ID-1', 'TR-ID-2']) expect((await service.movementByReference('GT', ref2)).events.map((e) => e.eventId)).not.toContain('id-amb');
    // the tag, which only one of them carries, settles it: tag and plate together point to one transit
    const both = await service.recordEvent({ eventId: 'id-both', type: 'weighing', at: '2026-06-15T13:05:00Z', plate: 'C555IDA', tag: 'E280-REV-6', office: 'SV0HA', grossMassKg: 18010 }, actor);
    expect(both.alerts.map((x) => x.kind)).not.toContain('ambiguous_identification');
    expect((await service.movementByReference('GT', 'TR-ID-2')).events.map((e) => e.eventId)).toContain('id-both');
    expect((await service.verify()).ok).toBe(true);
  });
  it('single events sent at once by many posts go together (group commit), each answered on its own', async () => {
    await service.declareMovement(declaration('TR-BST-1', 8, { timeLimit: '2026-06-18T08:00:00Z' }), actor);
    const ev = journeyOf('TR-BST-1', 8);
    const gt = SYSTEM_PRINCIPAL('GT', 'post-gt');
    const sv = SYSTEM_PRINCIPAL('SV', 'post-sv');
    const sent = [
      ...ev.map((e) => ({ e, who: e.office && ref.office(e.office)?.country === 'SV' ? sv : gt, scope: e.office ? ref.office(e.office)?.country : undefined })),
      { e: { ...ev[0], eventId: 'TR-BST-1-bad', grossMassKg: -1, type: 'weighing' }, who: gt, scope: 'GT' },
      { e: ev[3], who: gt, scope: 'GT' },
    ];
    const out = await Promise.allSettled(sent.map((x) => service.recordEvent(x.e, x.who, 'post', { scope: x.scope })));
    const status = out.map((o) => (o.status === 'fulfilled' ? o.value.status : (o.reason as { status?: number }).status));
    // the journey lands; the bad weighing is refused naming its field; an SV read sent by a GT post is refused, alone
    expect(status.slice(0, ev.length).every((x) => x === 'recorded')).toBe(true);
    expect(status.slice(ev.length)).toEqual([400, 403]);
    expect(((out[ev.length] as PromiseRejectedResult).reason as ValidationError).errors.map((e) => e.path)).toEqual(['grossMassKg']);
    const m = await service.movementByReference('GT', 'TR-BST-1');
    expect(m.events).toHaveLength(ev.length);
    expect(m.movement.status).toBe('arrived');
    expect((await service.verify()).ok).toBe(true);
  });
});
