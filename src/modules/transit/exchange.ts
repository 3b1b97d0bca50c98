/**
 * Transit hand-off over the regional exchange (issue 11, point 5).
 *
 * Outbound, in the transaction of the business change (the exchange's outbox):
 * - `transit.declared`: a transit declared (or amended) at departure, to every other
 *   administration on its route and the destination;
 * - `transit.event`: events recorded at an administration's offices, to the departure's
 *   administration and to every country after it on the route (the next one and beyond, so that
 *   their detectors see the whole journey, not a route whose first legs look skipped);
 * - `transit.alert`: an alert this node's detectors raised, revised or withdrew, to every other
 *   administration concerned;
 * - `transit.closed`: the arrival at the office of destination, to every other administration.
 * The subject of every message is the movement's id: a movement's messages are applied in order.
 *
 * Inbound (InboundHandlers): the partner's movement, events and alerts are kept beside this
 * node's records, marked with the administration they came from (`received_from`), so the
 * detectors see the whole journey without a partner's data passing for this node's own. Messages
 * for a movement not known yet (an event from the next country that overtook the departure's
 * declaration) are parked and applied once the declaration arrives. A message that cannot be
 * right (an event from an administration not on the route, at another administration's office, a
 * closure not from the destination) is refused: the exchange dead-letters it with the reason.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { ValidationError } from '../../core/errors.ts';
import { schema, type Tx } from '../../db/client.ts';
import type { ReferenceData } from '../../reference/types.ts';
import type { Envelope, Exchange, InboundHandler, MessageKind } from '../exchange/contract.ts';
import { eventHash, GENESIS, movementChain } from './ledger.ts';
import type { MovementRow, EventRow, AlertRow } from './repository.ts';

const M = schema.transitMovements;
const E = schema.transitEvents;
const A = schema.transitAlerts;
const P = schema.transitParked;
const L = schema.transitMessages;

export const TRANSIT_SCHEMA_VERSION = 1;

const cc = z.string().regex(/^[A-Z]{2}$/, 'must be an administration code (ISO 3166-1 alpha-2)');
const iso = z.iso.datetime({ offset: true });
const isoOrNull = iso.nullable();
const loose = z.record(z.string(), z.unknown());

/** Who a message is about: enough to check the sender and park it when the movement is not known yet. */
const movementRef = z.strictObject({ id: z.uuid(), country: cc, reference: z.string().min(1).max(64), countries: z.array(cc).min(1).max(10) });

export const declaredPayload = z.strictObject({
  movement: z.strictObject({
    id: z.uuid(),
    country: cc,
    reference: z.string().min(1).max(64),
    mode: z.number().int(),
    officeOfDeparture: z.string().min(5).max(5),
    officeOfDestination: z.string().min(5).max(5),
    route: z.array(z.string().min(5).max(5)).max(20),
    countries: z.array(cc).min(1).max(10),
    distanceKm: z.number(),
    departureAt: iso,
    timeLimit: iso,
    declaredTimeLimit: isoOrNull,
    proposedTimeLimit: isoOrNull,
    timeLimitSource: z.enum(['declared', 'proposed']),
    plate: z.string().nullable(),
    rfidTag: z.string().nullable(),
    containers: z.array(z.string()).max(10),
    seals: z.array(z.string()).min(1).max(20),
    grossMassKg: z.number().positive(),
    packages: z.number().int().positive(),
    status: z.enum(['declared', 'in_transit', 'arrived', 'cancelled']),
    contentHash: z.string(),
    payload: loose,
  }),
  /** false: first declared; true: the office of departure amended it */
  amended: z.boolean(),
});
export type DeclaredPayload = z.output<typeof declaredPayload>;

const eventItem = z.strictObject({
  eventId: z.string().min(1).max(100),
  type: z.string().min(1).max(32),
  at: iso,
  office: z.string().nullable(),
  country: cc.nullable(),
  data: loose,
});
export const eventPayload = z.strictObject({ movement: movementRef, events: z.array(eventItem).min(1).max(5000) });
export type EventPayload = z.output<typeof eventPayload>;

export const alertPayload = z.strictObject({
  movement: movementRef,
  action: z.enum(['raised', 'revised', 'withdrawn']),
  alert: z.strictObject({
    id: z.uuid(),
    /** the sender's dedupe key (subject | kind | key) */
    dedupeKey: z.string().min(1).max(500),
    kind: z.string().min(1).max(64),
    severity: z.enum(['low', 'medium', 'high', 'critical']),
    countries: z.array(cc).min(1).max(10),
    roles: loose,
    subject: z.string().min(1).max(200),
    code: z.string().min(1).max(64),
    params: loose,
    evidence: loose,
    raisedAt: iso,
    withdrawnAt: isoOrNull,
    withdrawal: loose.nullable(),
  }),
});
export type AlertPayload = z.output<typeof alertPayload>;

export const closedPayload = z.strictObject({ movement: movementRef, arrivedAt: iso, office: z.string().min(5).max(5), eventId: z.string().min(1).max(100) });
export type ClosedPayload = z.output<typeof closedPayload>;

const STATUS_RANK: Record<string, number> = { declared: 0, in_transit: 1, arrived: 2, cancelled: 3 };

const refOf = (m: Pick<MovementRow, 'id' | 'country' | 'reference' | 'countries'>) => ({ id: m.id, country: m.country, reference: m.reference, countries: m.countries });
const isoOf = (d: Date | null) => (d ? d.toISOString() : null);

/** The countries of a route in order (departure, transit countries, destination), each once. */
export function routeCountries(ref: ReferenceData, m: Pick<MovementRow, 'officeOfDeparture' | 'route' | 'officeOfDestination'>): string[] {
  const out: string[] = [];
  for (const o of [m.officeOfDeparture, ...m.route, m.officeOfDestination]) {
    const c = ref.office(o)?.country;
    if (c && !out.includes(c)) out.push(c);
  }
  return out;
}

/**
 * Builds and queues this module's outbound messages, and applies the partners' inbound ones.
 * `exchange` may be absent (a bare TransitService in tests of the detectors): nothing is queued.
 */
export class TransitExchange {
  constructor(
    private deps: { ref: ReferenceData; clock: Clock; exchange?: Exchange },
  ) {}

  /** the administrations this node serves */
  get local(): readonly string[] {
    return this.deps.exchange?.local ?? [];
  }

  private async send(tx: Tx, movementId: string, kind: MessageKind, sender: string, recipients: string[], payload: unknown, summary: Record<string, unknown>): Promise<void> {
    const ex = this.deps.exchange;
    const to = [...new Set(recipients)].filter((r) => r !== sender).sort();
    if (!ex || !to.length) return;
    const q = await ex.enqueue(tx, { sender, recipients: to, kind, payload, subject: movementId });
    await tx.insert(L).values({ movementId, messageId: q.id, direction: 'out', kind, sender, recipients: q.recipients, summary: { ...summary, ...(q.redacted.length ? { redacted: q.redacted } : {}) }, at: this.deps.clock.now() });
  }

  /** the local administration that speaks for this node about a movement: the preferred one when it is local and concerned, else the departure, else the first concerned */
  senderFor(m: Pick<MovementRow, 'country' | 'countries'>, preferred?: string | null): string | null {
    const local = this.local;
    if (preferred && local.includes(preferred) && m.countries.includes(preferred)) return preferred;
    if (local.includes(m.country)) return m.country;
    return m.countries.find((c) => local.includes(c)) ?? null;
  }

  // ---------------------------------------------------------------- outbound

  /** Transits declared or amended here: to every other administration on the route. */
  async declared(tx: Tx, rows: MovementRow[], amended: Set<string>): Promise<void> {
    for (const m of rows) {
      if (m.receivedFrom) continue;
      const payload: DeclaredPayload = {
        movement: {
          id: m.id,
          country: m.country,
          reference: m.reference,
          mode: m.mode,
          officeOfDeparture: m.officeOfDeparture,
          officeOfDestination: m.officeOfDestination,
          route: m.route,
          countries: m.countries,
          distanceKm: m.distanceKm,
          departureAt: m.departureAt.toISOString(),
          timeLimit: m.timeLimit.toISOString(),
          declaredTimeLimit: isoOf(m.declaredTimeLimit),
          proposedTimeLimit: isoOf(m.proposedTimeLimit),
          timeLimitSource: m.timeLimitSource === 'declared' ? 'declared' : 'proposed',
          plate: m.plate,
          rfidTag: m.rfidTag,
          containers: m.containers,
          seals: m.seals,
          grossMassKg: m.grossMassKg,
          packages: m.packages,
          status: m.status as DeclaredPayload['movement']['status'],
          contentHash: m.contentHash,
          payload: m.payload as Record<string, unknown>,
        },
        amended: amended.has(m.id),
      };
      await this.send(tx, m.id, 'transit.declared', m.country, m.countries, payload, { reference: `${m.country}/${m.reference}`, amended: amended.has(m.id) });
    }
  }

  /**
   * Events recorded here (not those received from partners), per movement and per the
   * administration of the office they happened at: to the departure and every later country on
   * the route; an arrival at the office of destination also closes the movement everywhere.
   */
  async events(tx: Tx, movements: Map<string, MovementRow>, rows: Pick<EventRow, 'eventId' | 'movementId' | 'type' | 'at' | 'office' | 'country' | 'data'>[], actorCountry: string | null): Promise<void> {
    const groups = new Map<string, { m: MovementRow; sender: string; rows: typeof rows }>();
    for (const r of rows) {
      if (!r.movementId) continue;
      const m = movements.get(r.movementId);
      if (!m) continue;
      const sender = this.senderFor(m, r.country ?? actorCountry);
      if (!sender) continue;
      const k = `${m.id}|${sender}`;
      const g = groups.get(k) ?? { m, sender, rows: [] };
      g.rows.push(r);
      groups.set(k, g);
    }
    for (const { m, sender, rows: evs } of groups.values()) {
      const order = routeCountries(this.deps.ref, m);
      const at = order.indexOf(sender);
      const downstream = at < 0 ? order : order.slice(at + 1);
      const payload: EventPayload = {
        movement: refOf(m),
        events: evs.map((r) => ({ eventId: r.eventId, type: r.type, at: r.at.toISOString(), office: r.office, country: r.country, data: r.data as Record<string, unknown> })),
      };
      await this.send(tx, m.id, 'transit.event', sender, [m.country, ...downstream], payload, { events: evs.map((r) => ({ eventId: r.eventId, type: r.type, office: r.office })) });
      const arrival = evs.find((r) => r.type === 'arrival' && r.office === m.officeOfDestination);
      if (arrival) {
        const closed: ClosedPayload = { movement: refOf(m), arrivedAt: arrival.at.toISOString(), office: arrival.office!, eventId: arrival.eventId };
        await this.send(tx, m.id, 'transit.closed', sender, m.countries, closed, { eventId: arrival.eventId, office: arrival.office, arrivedAt: closed.arrivedAt });
      }
    }
  }

  /** Alerts this node's detectors raised, revised or withdrew: to every other administration concerned. */
  async alerts(tx: Tx, action: AlertPayload['action'], alerts: AlertRow[], movements: Map<string, Pick<MovementRow, 'id' | 'country' | 'reference' | 'countries'>>, actorCountry: string | null): Promise<void> {
    for (const a of alerts) {
      if (a.receivedFrom || !a.movementId) continue;
      const m = movements.get(a.movementId);
      if (!m) continue;
      const sender = this.senderFor(m, actorCountry);
      if (!sender) continue;
      const dedupeKey = a.dedupeKey.replace(/#withdrawn:.*$/, '');
      const payload: AlertPayload = {
        movement: refOf(m),
        action,
        alert: {
          id: a.id,
          dedupeKey,
          kind: a.kind,
          severity: a.severity as AlertPayload['alert']['severity'],
          countries: a.countries,
          roles: a.roles as Record<string, unknown>,
          subject: a.subject,
          code: a.code,
          params: a.params as Record<string, unknown>,
          evidence: a.evidence as Record<string, unknown>,
          raisedAt: a.raisedAt.toISOString(),
          withdrawnAt: isoOf(a.withdrawnAt),
          withdrawal: (a.withdrawal as Record<string, unknown> | null) ?? null,
        },
      };
      await this.send(tx, m.id, 'transit.alert', sender, a.countries, payload, { action, alertId: a.id, kind: a.kind, severity: a.severity });
    }
  }

  // ---------------------------------------------------------------- inbound

  /** The handlers to register with the exchange (once, at composition time). */
  handlers(): InboundHandler[] {
    const h = <P>(kind: MessageKind, payload: z.ZodType<P>, apply: (tx: Tx, env: Envelope<P>, recipient: string) => Promise<void>): InboundHandler<P> => ({ kind, schemaVersion: TRANSIT_SCHEMA_VERSION, payload, apply });
    return [
      h('transit.declared', declaredPayload, (tx, env, r) => this.applyDeclared(tx, env, r)),
      h('transit.event', eventPayload, (tx, env, r) => this.applyOrPark(tx, env, r, () => this.applyEvents(tx, env, r))),
      h('transit.alert', alertPayload, (tx, env, r) => this.applyOrPark(tx, env, r, () => this.applyAlert(tx, env, r))),
      h('transit.closed', closedPayload, (tx, env, r) => this.applyOrPark(tx, env, r, () => this.applyClosed(tx, env, r))),
    ] as InboundHandler[];
  }

  private async movement(tx: Tx, id: string, lock = false): Promise<MovementRow | undefined> {
    const q = tx.select().from(M).where(eq(M.id, id));
    const [m] = lock ? await q.for('update') : await q;
    return m;
  }

  private async logIn(tx: Tx, env: Envelope, recipient: string, movementId: string, summary: Record<string, unknown>): Promise<void> {
    await tx.insert(L).values({ movementId, messageId: env.id, direction: 'in', kind: env.kind, sender: env.sender, recipients: [recipient], summary, at: this.deps.clock.now() });
  }

  async applyDeclared(tx: Tx, env: Envelope<DeclaredPayload>, recipient: string): Promise<void> {
    const d = env.payload.movement;
    if (d.country !== env.sender) throw new ValidationError([{ path: 'payload.movement.country', code: 'not_the_departure', message: `${env.sender} sent the declaration of a transit departing from ${d.country}: only the administration of departure declares a transit` }]);
    const dep = this.deps.ref.office(d.officeOfDeparture);
    if (!dep || dep.country !== d.country) throw new ValidationError([{ path: 'payload.movement.officeOfDeparture', code: 'office_of_other_country', message: `office of departure ${d.officeOfDeparture} is not an office of ${d.country}` }]);
    for (const o of [...d.route, d.officeOfDestination]) if (!this.deps.ref.office(o)) throw new ValidationError([{ path: 'payload.movement.route', code: 'unknown_office', message: `unknown customs office ${o}` }]);
    const countries = routeCountries(this.deps.ref, d);
    if (!countries.includes(recipient)) throw new ValidationError([{ path: 'recipients', code: 'not_on_route', message: `transit ${d.country}/${d.reference} does not concern ${recipient} (its route: ${countries.join(' → ')})` }]);
    const now = this.deps.clock.now();
    const existing = await this.movement(tx, d.id, true);
    const fields = {
      country: d.country,
      reference: d.reference,
      mode: d.mode,
      officeOfDeparture: d.officeOfDeparture,
      officeOfDestination: d.officeOfDestination,
      route: d.route,
      countries,
      distanceKm: d.distanceKm,
      departureAt: new Date(d.departureAt),
      timeLimit: new Date(d.timeLimit),
      declaredTimeLimit: d.declaredTimeLimit ? new Date(d.declaredTimeLimit) : null,
      proposedTimeLimit: d.proposedTimeLimit ? new Date(d.proposedTimeLimit) : null,
      timeLimitSource: d.timeLimitSource,
      plate: d.plate,
      rfidTag: d.rfidTag,
      containers: d.containers,
      seals: d.seals,
      grossMassKg: d.grossMassKg,
      packages: d.packages,
      contentHash: d.contentHash,
      payload: d.payload,
      updatedAt: now,
    };
    if (existing) {
      // this node's own record (several administrations on one node): the same row, nothing to add
      if (!existing.receivedFrom) return;
      if (existing.receivedFrom !== env.sender) throw new ValidationError([{ path: 'sender', code: 'not_the_departure', message: `transit ${d.id} came from ${existing.receivedFrom}, not ${env.sender}` }]);
      if (existing.contentHash !== d.contentHash) {
        const status = STATUS_RANK[d.status] > STATUS_RANK[existing.status] ? d.status : existing.status;
        await tx.update(M).set({ ...fields, status, receivedAt: now, receivedMessageId: env.id }).where(eq(M.id, d.id));
        await this.logIn(tx, env, recipient, d.id, { reference: `${d.country}/${d.reference}`, amended: true });
      }
      return;
    }
    const [clash] = await tx.select({ id: M.id }).from(M).where(and(eq(M.country, d.country), eq(M.reference, d.reference)));
    if (clash) throw new ValidationError([{ path: 'payload.movement.reference', code: 'reference_taken', message: `transit ${d.country}/${d.reference} is already known here under another id (${clash.id})` }]);
    await tx.insert(M).values({ id: d.id, ...fields, status: d.status, eventCount: 0, headHash: GENESIS, createdAt: now, receivedFrom: env.sender, receivedAt: now, receivedMessageId: env.id });
    await this.logIn(tx, env, recipient, d.id, { reference: `${d.country}/${d.reference}`, amended: env.payload.amended });
    // what partners sent about it before the declaration reached us, in the order they sent it
    const parked = await tx.select().from(P).where(and(eq(P.movementId, d.id), eq(P.recipient, recipient))).orderBy(asc(sql`${P.envelope}->>'sentAt'`), asc(P.messageId));
    for (const p of parked) {
      const penv = p.envelope as Envelope;
      try {
        if (p.kind === 'transit.event') await this.applyEvents(tx, { ...penv, payload: eventPayload.parse(penv.payload) }, recipient);
        else if (p.kind === 'transit.alert') await this.applyAlert(tx, { ...penv, payload: alertPayload.parse(penv.payload) }, recipient);
        else if (p.kind === 'transit.closed') await this.applyClosed(tx, { ...penv, payload: closedPayload.parse(penv.payload) }, recipient);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        // refused now that the movement is known: kept in the exchange log with the reason, never applied
        await this.logIn(tx, penv, recipient, d.id, { refused: e.errors[0]?.message ?? e.message, parked: true });
      }
      await tx.delete(P).where(and(eq(P.messageId, p.messageId), eq(P.recipient, recipient)));
    }
  }

  /** Applies a message about a known movement, or parks it until the declaration arrives. */
  private async applyOrPark(tx: Tx, env: Envelope<{ movement: z.output<typeof movementRef> }>, recipient: string, apply: () => Promise<void>): Promise<void> {
    const ref = env.payload.movement;
    const known = await this.movement(tx, ref.id);
    if (known) return apply();
    if (!ref.countries.includes(env.sender))
      throw new ValidationError([{ path: 'sender', code: 'not_on_route', message: `${env.sender} is not on the route of transit ${ref.country}/${ref.reference} (${ref.countries.join(', ')}): it may not report on it` }]);
    if (!ref.countries.includes(recipient))
      throw new ValidationError([{ path: 'recipients', code: 'not_on_route', message: `transit ${ref.country}/${ref.reference} does not concern ${recipient} (${ref.countries.join(', ')})` }]);
    // the departure's own messages follow its declaration in order (same subject): if it is not here, it was never delivered
    if (ref.country === env.sender)
      throw new ValidationError([{ path: 'payload.movement.id', code: 'unknown_movement', message: `transit ${ref.country}/${ref.reference} (${ref.id}) is not known here and ${env.sender}, its departure, sent no declaration of it before this message: it cannot be parked` }]);
    await tx
      .insert(P)
      .values({ messageId: env.id, recipient, movementId: ref.id, kind: env.kind, sender: env.sender, envelope: env as unknown as Record<string, unknown>, parkedAt: this.deps.clock.now() })
      .onConflictDoNothing();
  }

  private checkOnRoute(m: MovementRow, env: Envelope): void {
    if (!m.countries.includes(env.sender))
      throw new ValidationError([{ path: 'sender', code: 'not_on_route', message: `${env.sender} is not on the route of transit ${m.country}/${m.reference} (${m.countries.join(', ')}): it may not report on it` }]);
    if (env.kind !== 'transit.declared' && (env.payload as { movement: { country: string; reference: string } }).movement.reference !== m.reference)
      throw new ValidationError([{ path: 'payload.movement.reference', code: 'reference_mismatch', message: `transit ${m.id} is ${m.country}/${m.reference} here` }]);
  }

  async applyEvents(tx: Tx, env: Envelope<EventPayload>, recipient: string): Promise<void> {
    const m = (await this.movement(tx, env.payload.movement.id, true))!;
    this.checkOnRoute(m, env);
    const evs = env.payload.events;
    evs.forEach((e, i) => {
      const office = e.office ? this.deps.ref.office(e.office) : undefined;
      if (e.office && !office) throw new ValidationError([{ path: `payload.events[${i}].office`, code: 'unknown_office', message: `unknown customs office ${e.office}` }]);
      const country = office?.country ?? e.country;
      if (country && country !== env.sender)
        throw new ValidationError([{ path: `payload.events[${i}].office`, code: 'office_of_other_country', message: `${env.sender} reported event ${e.eventId} at ${e.office ?? 'a place'} of ${country}: an administration reports only what happened at its own offices` }]);
    });
    const known = new Set((await tx.select({ eventId: E.eventId }).from(E).where(inArray(E.eventId, evs.map((e) => e.eventId)))).map((r) => r.eventId));
    const fresh = evs.filter((e) => !known.has(e.eventId));
    if (!fresh.length) return;
    const now = this.deps.clock.now();
    let head = { count: m.eventCount, hash: m.headHash };
    let status = m.status;
    let arrivedAt = m.arrivedAt;
    const rows = fresh.map((e) => {
      const row = {
        chain: movementChain(m.id),
        seq: head.count + 1,
        eventId: e.eventId,
        movementId: m.id,
        type: e.type,
        at: new Date(e.at),
        office: e.office,
        country: e.country ?? (e.office ? (this.deps.ref.office(e.office)?.country ?? null) : null),
        data: e.data,
        receivedAt: now,
        prevHash: head.hash,
        hash: '',
        receivedFrom: env.sender,
        receivedMessageId: env.id,
      };
      row.hash = eventHash(row);
      head = { count: row.seq, hash: row.hash };
      const next = e.type === 'cancellation' ? 'cancelled' : e.type === 'arrival' && e.office === m.officeOfDestination ? 'arrived' : 'in_transit';
      if (STATUS_RANK[next] > STATUS_RANK[status]) status = next;
      if (e.type === 'arrival' && e.office === m.officeOfDestination && (!arrivedAt || row.at < arrivedAt)) arrivedAt = row.at;
      return row;
    });
    await tx.insert(E).values(rows);
    await tx.update(M).set({ eventCount: head.count, headHash: head.hash, status, arrivedAt, updatedAt: now }).where(eq(M.id, m.id));
    await this.logIn(tx, env, recipient, m.id, { events: fresh.map((e) => ({ eventId: e.eventId, type: e.type, office: e.office })) });
  }

  async applyAlert(tx: Tx, env: Envelope<AlertPayload>, recipient: string): Promise<void> {
    const m = (await this.movement(tx, env.payload.movement.id))!;
    this.checkOnRoute(m, env);
    const a = env.payload.alert;
    if (!a.countries.includes(recipient)) throw new ValidationError([{ path: 'payload.alert.countries', code: 'not_concerned', message: `alert ${a.id} does not concern ${recipient}` }]);
    const now = this.deps.clock.now();
    const [existing] = await tx.select().from(A).where(eq(A.id, a.id));
    // this node raised it itself (several administrations on one node): nothing to add
    if (existing && !existing.receivedFrom) return;
    if (existing && existing.receivedFrom !== env.sender) throw new ValidationError([{ path: 'payload.alert.id', code: 'alert_of_other_sender', message: `alert ${a.id} came from ${existing.receivedFrom}, not ${env.sender}` }]);
    const withdrawn = env.payload.action === 'withdrawn';
    const key = `${a.dedupeKey}@${env.sender}`;
    const fields = {
      kind: a.kind,
      severity: a.severity,
      country: m.country,
      countries: a.countries,
      roles: a.roles,
      movementId: m.id,
      subject: a.subject,
      code: a.code,
      params: a.params,
      evidence: a.evidence,
      status: withdrawn ? 'withdrawn' : 'open',
      withdrawnAt: a.withdrawnAt ? new Date(a.withdrawnAt) : null,
      withdrawal: a.withdrawal,
      dedupeKey: withdrawn ? `${key}#withdrawn:${a.id}` : key,
      receivedAt: now,
      receivedMessageId: env.id,
    };
    if (existing) {
      // a withdrawal is final; a late revision does not reopen it
      if (existing.status === 'withdrawn' && !withdrawn) return;
      await tx.update(A).set(fields).where(eq(A.id, a.id));
    } else {
      // the same finding raised again by the partner after a withdrawal: the open one takes the key
      await tx.insert(A).values({ id: a.id, ...fields, raisedAt: new Date(a.raisedAt), receivedFrom: env.sender, sourceAlertId: a.id }).onConflictDoNothing({ target: A.dedupeKey });
    }
    await this.logIn(tx, env, recipient, m.id, { action: env.payload.action, alertId: a.id, kind: a.kind, severity: a.severity });
  }

  async applyClosed(tx: Tx, env: Envelope<ClosedPayload>, recipient: string): Promise<void> {
    const m = (await this.movement(tx, env.payload.movement.id, true))!;
    this.checkOnRoute(m, env);
    const dest = this.deps.ref.office(m.officeOfDestination)?.country;
    if (env.sender !== dest || env.payload.office !== m.officeOfDestination)
      throw new ValidationError([{ path: 'sender', code: 'not_the_destination', message: `${env.sender} closed transit ${m.country}/${m.reference} at ${env.payload.office}: only the destination's administration (${dest}) closes it, at ${m.officeOfDestination}` }]);
    // this node recorded the arrival itself (several administrations on one node): nothing to add
    if (!m.receivedFrom && this.local.includes(env.sender) && m.status === 'arrived') return;
    const at = new Date(env.payload.arrivedAt);
    const arrivedAt = m.arrivedAt && m.arrivedAt < at ? m.arrivedAt : at;
    if (m.status !== 'cancelled') await tx.update(M).set({ status: 'arrived', arrivedAt, updatedAt: this.deps.clock.now() }).where(eq(M.id, m.id));
    await this.logIn(tx, env, recipient, m.id, { closed: true, office: env.payload.office, arrivedAt: env.payload.arrivedAt, eventId: env.payload.eventId });
  }

  // ---------------------------------------------------------------- reading

  /** The movement's exchange log (sent and received), oldest first. */
  async log(tx: Tx, movementId: string, limit = 500) {
    return (await tx.select().from(L).where(eq(L.movementId, movementId)).orderBy(desc(L.id)).limit(limit)).reverse();
  }

  /** Messages parked for a movement not known yet (for the monitor and tests). */
  async parked(tx: Tx, movementId?: string) {
    return tx.select({ messageId: P.messageId, recipient: P.recipient, movementId: P.movementId, kind: P.kind, sender: P.sender, parkedAt: P.parkedAt }).from(P).where(movementId ? eq(P.movementId, movementId) : undefined).orderBy(asc(P.parkedAt));
  }
}
