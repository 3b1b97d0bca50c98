/**
 * Transit use cases: declaring movements, recording events (one or in bulk, idempotent on the
 * event id, ordered by event time), running the detectors and storing their alerts, the periodic
 * sweep for what time alone reveals, port reconciliation, and the ledger's verification.
 */
import type { Clock } from '../../core/clock.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../core/errors.ts';
import { canonicalJson, contentHash } from '../../core/hash.ts';
import { uuidv7 } from '../../core/ids.ts';
import type { Db, Tx } from '../../db/client.ts';
import type { ReferenceData } from '../../reference/types.ts';
import { appendAudit } from '../access/audit.ts';
import { administrationsFor, allows, reachesAll, refusalError } from '../access/policy.ts';
import type { Principal } from '../access/types.ts';
import { parseWith } from '../declarations/validate.ts';
import { analyseMovement, reconcileArrival, withdrawalReason, type AlertDraft, type DetectMode, type ArrivalView, type DetectorEvent, type MovementAnalysis, type MovementView, type ReconciliationLine } from './detectors.ts';
import { arrivalChain, eventHash, GENESIS, isLedgerRecord, movementChain, unresolvedChain, WITHDRAWAL_RECORD, type LedgerProblem } from './ledger.ts';
import { explainAlert, explainWithdrawal } from './messages.ts';
import { concernedCountries, officePosition, planRoute } from './plan.ts';
import * as repo from './repository.ts';
import { buildTransitContracts, type Movement, type MovementStatus, type TransitContracts, type TransitEvent } from './schema.ts';
import { mergeThresholds, thresholdsPatchSchema, type Thresholds, type ThresholdsPatch } from './thresholds.ts';
import type { Exchange } from '../exchange/contract.ts';
import { notServedHere, servedAdministrations } from '../access/node.ts';
import { TransitExchange } from './exchange.ts';

export interface TransitDeps {
  db: Db;
  ref: ReferenceData;
  clock: Clock;
  /** the regional exchange: transits, events, alerts and closures go to the administrations concerned (absent: nothing is sent) */
  exchange?: Exchange;
  /** the administrations this node serves (default: the exchange's, else all seven) */
  config?: { administrations?: readonly string[]; randomControlRate?: number };
}

export interface Rejected {
  /** position in the batch (0-based) */
  index: number;
  eventId?: string;
  reference?: string;
  errors: FieldError[];
}

export interface MovementOutcome {
  index: number;
  id: string;
  country: string;
  reference: string;
  status: 'created' | 'amended' | 'unchanged';
  distanceKm: number;
  /** the limit in force */
  timeLimit: string;
  /** `declared`: as the office of departure set it; `proposed`: computed by Centinela from the route, as the declaration carries none */
  timeLimitSource: 'declared' | 'proposed';
  /** the limit Centinela computes from the route, shown beside a declared one */
  proposedTimeLimit: string;
  /** when the limit is proposed, a note saying so (Spanish and English) */
  note?: { es: string; en: string };
}

export interface IngestReport {
  received: number;
  recorded: number;
  duplicates: number;
  rejected: Rejected[];
  movements: number;
  alertsRaised: number;
  alerts: AlertOut[];
  /** alerts withdrawn because the events of this batch explained them away */
  alertsWithdrawn: number;
  withdrawn: AlertOut[];
  /** per event of the batch, by position: what became of it (and the transit it was attached to) */
  results?: { index: number; eventId?: string; status: 'recorded' | 'duplicate' | 'rejected'; movementId?: string }[];
}

interface IngestItem {
  raw: unknown;
  actor: Principal;
  source: string;
  scope?: string;
}

interface EventOutcome {
  status: 'recorded' | 'duplicate' | 'rejected';
  rejected?: Rejected;
  alerts: AlertOut[];
  withdrawn: AlertOut[];
}

/** single events that go together in one transaction at most */
const MAX_COALESCED = 200;

/** What became of the event at `index` of a report: its status, and the alerts of its transit (or naming it). */
function outcomeOf(r: IngestReport, index: number): EventOutcome {
  const res = r.results![index];
  const rejected = r.rejected.find((x) => x.index === index);
  const mine = (a: AlertOut) => (res.movementId !== undefined && a.movementId === res.movementId) || (res.eventId !== undefined && ((a.evidence.eventIds as string[] | undefined) ?? []).includes(res.eventId));
  return { status: res.status, ...(rejected ? { rejected: { ...rejected, index: 0 } } : {}), alerts: r.alerts.filter(mine), withdrawn: r.withdrawn.filter(mine) };
}

/** The senders of the recorded rows, each with its events, for the audit log. */
function senders(items: IngestItem[], rows: Record<string, unknown>[]): { actor: Principal; source: string; eventIds: string[] }[] {
  const byEvent = new Map<string, IngestItem>();
  for (const i of items) {
    const id = (i.raw as { eventId?: unknown } | null)?.eventId;
    if (typeof id === 'string' && !byEvent.has(id)) byEvent.set(id, i);
  }
  const groups = new Map<string, { actor: Principal; source: string; eventIds: string[] }>();
  for (const r of rows) {
    const it = byEvent.get(r.eventId as string) ?? items[0];
    const k = `${it.actor.kind}|${it.actor.name}|${it.actor.country}|${it.source}`;
    const g = groups.get(k) ?? { actor: it.actor, source: it.source, eventIds: [] };
    g.eventIds.push(r.eventId as string);
    groups.set(k, g);
  }
  return [...groups.values()];
}

export interface AlertOut {
  id: string;
  kind: string;
  severity: string;
  country: string;
  countries: string[];
  administrations: { departure: string | null; transit: string[]; destination: string | null };
  movementId: string | null;
  subject: string;
  code: string;
  params: Record<string, unknown>;
  evidence: Record<string, unknown>;
  message: { es: string; en: string };
  status: string;
  raisedAt: string;
  /** set when a later event explained the alert away: it is kept, with the reason */
  withdrawnAt: string | null;
  withdrawal: { reason: string; params: Record<string, unknown>; explainedBy: string[]; ledgerEventId: string; message: { es: string; en: string } } | null;
  /** null: raised by this node's detectors; else the partner administration that raised it and sent it over the exchange */
  receivedFrom: string | null;
  receivedAt: string | null;
}

export interface VerifyResult {
  ok: boolean;
  chains: number;
  events: number;
  problems: LedgerProblem[];
}

const STATUS_RANK: Record<MovementStatus, number> = { declared: 0, in_transit: 1, arrived: 2, cancelled: 3 };
const ROLE_STATUS: Partial<Record<string, MovementStatus>> = { cancellation: 'cancelled', arrival: 'arrived' };

export function alertOut(r: repo.AlertRow): AlertOut {
  const roles = (r.roles ?? {}) as AlertOut['administrations'];
  return {
    id: r.id,
    kind: r.kind,
    severity: r.severity,
    country: r.country,
    countries: r.countries,
    administrations: { departure: roles.departure ?? null, transit: roles.transit ?? [], destination: roles.destination ?? null },
    movementId: r.movementId,
    subject: r.subject,
    code: r.code,
    params: r.params as Record<string, unknown>,
    evidence: r.evidence as Record<string, unknown>,
    message: explainAlert(r.kind, r.params as Record<string, unknown>),
    status: r.status,
    raisedAt: r.raisedAt.toISOString(),
    withdrawnAt: r.withdrawnAt ? r.withdrawnAt.toISOString() : null,
    withdrawal: r.withdrawal ? { ...(r.withdrawal as Omit<NonNullable<AlertOut['withdrawal']>, 'message'>), message: explainWithdrawal((r.withdrawal as { reason: string }).reason, ((r.withdrawal as { params?: Record<string, unknown> }).params ?? {}) as Record<string, unknown>) } : null,
    receivedFrom: r.receivedFrom ?? null,
    receivedAt: r.receivedAt ? r.receivedAt.toISOString() : null,
  };
}

const PROPOSED_NOTE = {
  es: 'La declaración no trae plazo: Centinela propone este a partir de la ruta (distancia, fronteras y modo). La aduana de partida puede declararlo en timeLimit.',
  en: 'The declaration carries no time limit: Centinela proposes this one from the route (distance, borders and mode). The office of departure may declare it in timeLimit.',
};

export class TransitService {
  readonly contracts: TransitContracts;
  /** the hand-off over the regional exchange: outbound messages and the inbound handlers */
  readonly handoff: TransitExchange;
  /** the administrations this node serves: it stores transits declared and events recorded only for them */
  readonly served: readonly string[];

  constructor(private deps: TransitDeps) {
    this.contracts = buildTransitContracts({ ref: deps.ref, clock: deps.clock });
    this.handoff = new TransitExchange({ ref: deps.ref, clock: deps.clock, exchange: deps.exchange });
    this.served = deps.config?.administrations?.length ? deps.config.administrations : deps.exchange ? deps.exchange.local : servedAdministrations(undefined);
  }

  // ------------------------------------------------------------ thresholds

  async thresholdsFor(tx: Tx = this.deps.db): Promise<(country: string) => Thresholds> {
    const rows = await repo.allThresholds(tx);
    const m = new Map(rows.map((r) => [r.country, mergeThresholds(r.values as ThresholdsPatch)]));
    return (country) => m.get(country) ?? mergeThresholds(null);
  }

  async getThresholds(country: string): Promise<Thresholds> {
    return (await this.thresholdsFor())(country);
  }

  async setThresholds(country: string, raw: unknown, actor: Principal): Promise<Thresholds> {
    const p = parseWith(thresholdsPatchSchema, raw);
    if (!p.ok) throw new ValidationError(p.errors);
    return this.deps.db.transaction(async (tx) => {
      const before = (await repo.allThresholds(tx)).find((r) => r.country === country)?.values ?? null;
      await repo.upsertThresholds(tx, country, p.value, actor.name, this.deps.clock.now());
      await appendAudit(tx, { actor, action: 'transit.thresholds.set', entityType: 'transit_thresholds', entityId: country, country, before, after: p.value }, this.deps.clock);
      return mergeThresholds(p.value);
    });
  }

  // ------------------------------------------------------------ movements

  async declareMovement(raw: unknown, actor: Principal): Promise<MovementOutcome> {
    const r = await this.declareMovements([raw], actor);
    if (r.rejections.length) throw new ValidationError(r.rejections[0].errors);
    return r.outcomes[0];
  }

  async declareMovements(raws: unknown[], actor: Principal): Promise<{ outcomes: MovementOutcome[]; rejections: Rejected[] }> {
    const valid: { index: number; m: Movement; hash: string }[] = [];
    const rejections: Rejected[] = [];
    raws.forEach((raw, index) => {
      const p = parseWith(this.contracts.movement, raw);
      if (!p.ok) rejections.push({ index, reference: (raw as { reference?: string } | null)?.reference, errors: p.errors });
      else {
        // a transit is declared on the node of its departure; the others learn of it over the exchange
        const elsewhere = notServedHere(this.served, p.value.country, 'country', 'transits');
        if (elsewhere) rejections.push({ index, reference: p.value.reference, errors: [elsewhere] });
        else valid.push({ index, m: p.value, hash: contentHash(p.value) });
      }
    });
    if (!valid.length) return { outcomes: [], rejections };
    const now = this.deps.clock.now();
    const outcomes = await this.deps.db.transaction(async (tx) => {
      const th = await this.thresholdsFor(tx);
      const existing = new Map((await repo.movementsByReference(tx, valid.map((v) => ({ country: v.m.country, reference: v.m.reference })))).map((r) => [`${r.country}/${r.reference}`, r]));
      const out: MovementOutcome[] = [];
      const audits: Parameters<typeof appendAudit>[1] & unknown[] = [];
      const inserts: Record<string, unknown>[] = [];
      const amended: string[] = [];
      for (const { index, m, hash } of valid) {
        const key = `${m.country}/${m.reference}`;
        const offices = [m.officeOfDeparture, ...m.route, m.officeOfDestination];
        const plan = planRoute(this.deps.ref, offices, Date.parse(m.departureAt), m.mode, th(m.country));
        const declaredLimit = m.timeLimit ? new Date(m.timeLimit) : null;
        const row = {
          country: m.country,
          reference: m.reference,
          mode: m.mode,
          officeOfDeparture: m.officeOfDeparture,
          officeOfDestination: m.officeOfDestination,
          route: m.route,
          countries: concernedCountries(plan.points).all,
          distanceKm: Math.round(plan.distanceKm * 10) / 10,
          departureAt: new Date(m.departureAt),
          timeLimit: declaredLimit ?? new Date(plan.timeLimit),
          declaredTimeLimit: declaredLimit,
          proposedTimeLimit: new Date(plan.timeLimit),
          timeLimitSource: declaredLimit ? 'declared' : 'proposed',
          plate: m.conveyance.plate ?? null,
          rfidTag: m.conveyance.rfidTag ?? null,
          containers: m.conveyance.containers,
          seals: m.seals,
          grossMassKg: m.goods.grossMassKg,
          packages: m.goods.packages,
          contentHash: hash,
          payload: m,
          updatedAt: now,
        };
        const prev = existing.get(key);
        if (prev && prev.contentHash === hash) {
          out.push({ index, id: prev.id, country: m.country, reference: m.reference, status: 'unchanged', distanceKm: prev.distanceKm, ...limitOut(prev) });
          continue;
        }
        if (prev) {
          if (prev.receivedFrom) throw new ConflictError(`transit ${key} is ${prev.receivedFrom}'s record, received over the regional exchange: ${prev.receivedFrom} amends it`);
          if (prev.status === 'arrived' || prev.status === 'cancelled') throw new ConflictError(`transit ${key} is ${prev.status}: it can no longer be amended`);
          await repo.updateMovement(tx, prev.id, row);
          amended.push(prev.id);
          audits.push({ actor, action: 'transit.movement.amended', entityType: 'transit_movement', entityId: prev.id, country: m.country, before: prev.payload, after: m });
          out.push({ index, id: prev.id, country: m.country, reference: m.reference, status: 'amended', distanceKm: row.distanceKm, ...limitOut(row) });
        } else {
          const id = uuidv7(now.getTime());
          inserts.push({ ...row, id, status: 'declared', eventCount: 0, headHash: GENESIS, createdAt: now });
          existing.set(key, { ...(row as unknown as repo.MovementRow), id, status: 'declared', contentHash: hash });
          audits.push({ actor, action: 'transit.movement.declared', entityType: 'transit_movement', entityId: id, country: m.country, after: { reference: m.reference, route: offices, timeLimit: row.timeLimit.toISOString(), timeLimitSource: row.timeLimitSource, distanceKm: row.distanceKm } });
          out.push({ index, id, country: m.country, reference: m.reference, status: 'created', distanceKm: row.distanceKm, ...limitOut(row) });
        }
      }
      await repo.insertChunked(tx, repo.movementsTable, inserts);
      await appendAudit(tx, audits, this.deps.clock);
      // to every other administration on the route, in this transaction (the exchange's outbox)
      const sent = [...inserts.map((r) => r.id as string), ...amended];
      if (sent.length && this.deps.exchange) await this.handoff.declared(tx, await repo.movementsById(tx, sent), new Set(amended));
      // an amended declaration (a new time limit, another route) may explain alerts away, or justify new ones
      if (amended.length) {
        const r = await this.reviseMovements(tx, await repo.movementsById(tx, amended, true), th, now, { amended: new Set(amended) }, actor);
        if (r.raised.length) await appendAudit(tx, { actor, action: 'transit.alerts.raised', entityType: 'transit_alert_batch', entityId: r.raised[0].id, after: { amendment: true, alerts: r.raised.map((a) => ({ id: a.id, kind: a.kind, subject: a.subject })) } }, this.deps.clock);
      }
      return out;
    });
    return { outcomes, rejections: rejections.sort((a, b) => a.index - b.index) };
  }

  async movement(id: string) {
    const [m] = await repo.movementsById(this.deps.db, [id]);
    if (!m) throw new NotFoundError(`transit ${id}`);
    const all = await repo.eventsOfMovements(this.deps.db, [id]);
    const alerts = await repo.listAlerts(this.deps.db, { movementId: id, status: 'all', limit: 1000 });
    // the ledger also keeps the withdrawals of alerts (hash-chained with the events): shown apart
    const ex = this.deps.exchange;
    const exchange = await Promise.all(
      (await this.handoff.log(this.deps.db, id)).map(async (r) => ({
        messageId: r.messageId,
        direction: r.direction as 'in' | 'out',
        kind: r.kind,
        sender: r.sender,
        recipients: r.recipients,
        summary: r.summary as Record<string, unknown>,
        at: r.at.toISOString(),
        // what became of a message this node sent, per recipient: queued, sent, applied or refused (with the reason)
        deliveries:
          r.direction === 'out' && r.messageId && ex
            ? (await ex.deliveries({ sender: r.sender, messageId: r.messageId })).map((d) => ({ recipient: d.recipient, state: d.state, reason: d.reason, answeredAt: d.answeredAt ? d.answeredAt.toISOString() : null }))
            : [],
      })),
    );
    return { movement: m, events: all.filter((e) => !isLedgerRecord(e.type)), ledgerRecords: all.filter((e) => isLedgerRecord(e.type)), alerts: alerts.map(alertOut), exchange };
  }

  async movementByReference(country: string, reference: string) {
    const [m] = await repo.movementsByReference(this.deps.db, [{ country, reference }]);
    if (!m) throw new NotFoundError(`transit ${country}/${reference}`);
    return this.movement(m.id);
  }

  // ------------------------------------------------------------ events

  /** One event: a ValidationError when it is bad; `duplicate` when already recorded. */
  async recordEvent(raw: unknown, actor: Principal, source = 'api', opts: { scope?: string } = {}): Promise<{ status: 'recorded' | 'duplicate'; eventId: string; alerts: AlertOut[]; withdrawn: AlertOut[] }> {
    const r = await this.coalesce({ raw, actor, source, scope: opts.scope });
    if (r.rejected) {
      const e = r.rejected;
      if (e.errors.some((x) => x.code === 'event_id_reused')) throw new ConflictError(e.errors[0].message);
      if (e.errors.some((x) => x.code === 'out_of_scope')) throw new ForbiddenError(e.errors[0].message);
      throw new ValidationError(e.errors);
    }
    return { status: r.status === 'recorded' ? 'recorded' : 'duplicate', eventId: (raw as { eventId: string }).eventId, alerts: r.alerts, withdrawn: r.withdrawn };
  }

  private pending: { item: IngestItem; resolve: (r: EventOutcome) => void; reject: (e: unknown) => void }[] = [];
  private flushing = false;

  /**
   * Group commit for single events: while one transaction is in flight, the events that come in
   * (a burst at shift change, many posts at once) wait and go together in the next one, each
   * answered on its own (its status, its errors, the alerts of its transit). A lone event goes at once.
   */
  private coalesce(item: IngestItem): Promise<EventOutcome> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length) {
        const group = this.pending.splice(0, MAX_COALESCED);
        try {
          const r = await this.ingestItems(group.map((g) => g.item));
          group.forEach((g, i) => g.resolve(outcomeOf(r, i)));
        } catch (e) {
          // a failure of the combined transaction (a deadlock, a lost connection): each event alone, so that one cannot fail the others
          if (group.length === 1) group[0].reject(e);
          else
            for (const g of group) {
              try {
                g.resolve(outcomeOf(await this.ingestItems([g.item]), 0));
              } catch (e1) {
                g.reject(e1);
              }
            }
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * A batch of events. Each is validated alone (a bad one is reported, the others land);
   * an event id already recorded with the same content is a duplicate and changes nothing, with
   * other content it is rejected. Events are chained in the order received; detectors read them
   * in the order they happened.
   */
  async ingestEvents(raws: unknown[], actor: Principal, source = 'api', opts: { scope?: string } = {}): Promise<IngestReport> {
    return this.ingestItems(raws.map((raw) => ({ raw, actor, source, scope: opts.scope })));
  }

  /** Events, each sent by its actor (a batch has one; coalesced single events may have several), in one transaction. */
  private async ingestItems(items: IngestItem[]): Promise<IngestReport> {
    const raws = items.map((i) => i.raw);
    const actor = items[0].actor;
    const now = this.deps.clock.now();
    const rejected: Rejected[] = [];
    const parsed: { index: number; e: TransitEvent; data: Record<string, unknown>; canon: string }[] = [];
    const seenInBatch = new Map<string, string>();
    const dupIndexes: number[] = [];
    const movementOf = new Map<number, string>();
    let duplicates = 0;
    raws.forEach((raw, index) => {
      const p = parseWith(this.contracts.event, raw);
      const eventId = (raw as { eventId?: unknown } | null)?.eventId;
      if (!p.ok) {
        rejected.push({ index, eventId: typeof eventId === 'string' ? eventId : undefined, errors: p.errors });
        return;
      }
      const scope = items[index].scope;
      if (scope && p.value.office && this.deps.ref.office(p.value.office)?.country !== scope) {
        rejected.push({ index, eventId: p.value.eventId, errors: [{ path: 'office', code: 'out_of_scope', message: `you act for ${scope} and may record events only at its offices` }] });
        return;
      }
      // events at another administration's offices are recorded on its node and arrive here over the exchange
      const elsewhere = p.value.office ? notServedHere(this.served, this.deps.ref.office(p.value.office)!.country, 'office', 'events') : null;
      if (elsewhere) {
        rejected.push({ index, eventId: p.value.eventId, errors: [elsewhere] });
        return;
      }
      const data = JSON.parse(JSON.stringify({ ...p.value, at: new Date(p.value.at).toISOString() })) as Record<string, unknown>;
      const canon = canonicalJson(data);
      const prev = seenInBatch.get(p.value.eventId);
      if (prev !== undefined) {
        if (prev === canon) {
          duplicates++;
          dupIndexes.push(index);
        } else rejected.push({ index, eventId: p.value.eventId, errors: [{ path: 'eventId', code: 'event_id_reused', message: `event ${p.value.eventId} was already sent with other content` }] });
        return;
      }
      seenInBatch.set(p.value.eventId, canon);
      parsed.push({ index, e: p.value, data, canon });
    });
    const report: IngestReport = { received: raws.length, recorded: 0, duplicates, rejected, movements: 0, alertsRaised: 0, alerts: [], alertsWithdrawn: 0, withdrawn: [] };
    const finish = () => {
      report.rejected.sort((a, b) => a.index - b.index);
      const rej = new Map(report.rejected.map((r) => [r.index, r]));
      const dup = new Set(dupIndexes);
      report.results = raws.map((raw, index) => ({
        index,
        eventId: rej.get(index)?.eventId ?? ((raw as { eventId?: unknown } | null)?.eventId as string | undefined),
        status: rej.has(index) ? 'rejected' : dup.has(index) ? 'duplicate' : 'recorded',
        ...(movementOf.has(index) ? { movementId: movementOf.get(index) } : {}),
      }));
      return report;
    };
    if (!parsed.length) return finish();

    await this.deps.db.transaction(async (tx) => {
      // which movement each event belongs to
      const byRef = new Map(
        (await repo.movementsByReference(tx, uniqueBy(parsed.filter((p) => p.e.movement).map((p) => p.e.movement!), (k) => `${k.country}/${k.reference}`))).map((r) => [`${r.country}/${r.reference}`, r]),
      );
      // events that name no reference: found by what the post saw (tag, seal, plate, container); two open transits matching is an alert, never a guess
      const resolved = await this.resolveByIdentifiers(tx, parsed.filter((p) => p.e.type !== 'discharge' && !p.e.movement).map((p) => p.e));
      const target = new Map<number, string>();
      const unresolved = new Map<number, { chain: string; draft: AlertDraft & { subject: string } }>();
      const keep: typeof parsed = [];
      for (const p of parsed) {
        if (p.e.type === 'discharge') {
          keep.push(p);
          continue;
        }
        let id: string | undefined;
        if (p.e.movement) {
          id = byRef.get(`${p.e.movement.country}/${p.e.movement.reference}`)?.id;
          if (!id) rejected.push({ index: p.index, eventId: p.e.eventId, errors: [{ path: 'movement.reference', code: 'unknown_movement', message: `no transit ${p.e.movement.country}/${p.e.movement.reference} is declared` }] });
        } else {
          const r = resolved.get(p.e.eventId)!;
          if (r.kind === 'found') id = r.movementId;
          else if (r.kind === 'none') rejected.push({ index: p.index, eventId: p.e.eventId, errors: r.errors });
          else {
            unresolved.set(p.index, { chain: unresolvedChain(r.draft.countries[0]), draft: r.draft });
            keep.push(p);
          }
        }
        if (id) {
          target.set(p.index, id);
          movementOf.set(p.index, id);
          keep.push(p);
        }
      }
      // lock the chains, then decide what is new (a concurrent batch with the same events waits here)
      const movementIds = [...new Set(target.values())].sort();
      const locked = new Map((await repo.movementsById(tx, movementIds, true)).map((r) => [r.id, r]));
      const arrivalChains = [...new Set(keep.filter((p) => p.e.type === 'discharge').map((p) => arrivalChain(this.deps.ref.office(p.e.office!)!.country, p.e.discharge!.manifest)))].sort();
      const otherChains = [...new Set([...unresolved.values()].map((u) => u.chain))].sort();
      const chainHeads = await repo.lockChains(tx, [...arrivalChains, ...otherChains].sort(), now);
      const existing = new Map((await repo.existingEvents(tx, keep.map((p) => p.e.eventId))).map((r) => [r.eventId, canonicalJson(r.data)]));
      const heads = new Map<string, { count: number; hash: string }>();
      for (const [id, r] of locked) heads.set(movementChain(id), { count: r.eventCount, hash: r.headHash });
      for (const [c, h] of chainHeads) heads.set(c, { count: h.eventCount, hash: h.headHash });

      const rows: Record<string, unknown>[] = [];
      const discharges: Record<string, unknown>[] = [];
      const newStatus = new Map<string, MovementStatus>();
      const arrivedAt = new Map<string, Date>();
      const ambiguous: (AlertDraft & { subject: string })[] = [];
      for (const p of keep) {
        const prev = existing.get(p.e.eventId);
        if (prev !== undefined) {
          if (prev === p.canon) {
            duplicates++;
            dupIndexes.push(p.index);
          } else rejected.push({ index: p.index, eventId: p.e.eventId, errors: [{ path: 'eventId', code: 'event_id_reused', message: `event ${p.e.eventId} was already recorded with other content` }] });
          continue;
        }
        const office = p.e.office ? this.deps.ref.office(p.e.office) : undefined;
        const movementId = target.get(p.index) ?? null;
        const chain = movementId ? movementChain(movementId) : (unresolved.get(p.index)?.chain ?? arrivalChain(office!.country, p.e.discharge!.manifest));
        const head = heads.get(chain)!;
        const row = {
          chain,
          seq: head.count + 1,
          eventId: p.e.eventId,
          movementId,
          type: p.e.type,
          at: new Date(p.e.at),
          office: p.e.office ?? null,
          country: office?.country ?? null,
          data: p.data,
          receivedAt: now,
          prevHash: head.hash,
          hash: '',
        };
        row.hash = eventHash(row);
        heads.set(chain, { count: row.seq, hash: row.hash });
        rows.push(row);
        if (p.e.type === 'discharge') {
          const d = p.e.discharge!;
          discharges.push({ id: uuidv7(now.getTime()), eventId: p.e.eventId, country: office!.country, office: office!.code, manifestReference: d.manifest, transportDocument: d.transportDocument, packages: d.packages, grossMassKg: d.grossMassKg, containers: d.containers, dischargedAt: row.at, receivedAt: now });
        }
        const u = unresolved.get(p.index);
        if (u) ambiguous.push(u.draft);
        if (movementId && p.e.type === 'arrival') {
          const was = arrivedAt.get(movementId) ?? locked.get(movementId)!.arrivedAt;
          if (!was || row.at < was) arrivedAt.set(movementId, row.at);
        }
        if (movementId) {
          const cur = newStatus.get(movementId) ?? (locked.get(movementId)!.status as MovementStatus);
          const next = ROLE_STATUS[p.e.type] ?? 'in_transit';
          if (STATUS_RANK[next] > STATUS_RANK[cur]) newStatus.set(movementId, next);
          else newStatus.set(movementId, cur);
        }
      }
      report.duplicates = duplicates;
      if (!rows.length) return;
      await repo.insertChunked(tx, repo.eventsTable, rows);
      if (discharges.length) await repo.insertDischarges(tx, discharges as Parameters<typeof repo.insertDischarges>[1]);
      for (const id of movementIds) {
        const h = heads.get(movementChain(id))!;
        const m = locked.get(id)!;
        if (h.count === m.eventCount) continue;
        await repo.updateMovement(tx, id, { eventCount: h.count, headHash: h.hash, status: newStatus.get(id) ?? m.status, ...(arrivedAt.has(id) ? { arrivedAt: arrivedAt.get(id) } : {}), updatedAt: now });
      }
      for (const c of [...arrivalChains, ...otherChains]) {
        const h = heads.get(c)!;
        await repo.updateChain(tx, c, h.count, h.hash, now);
      }
      report.recorded = rows.length;
      const touched = movementIds.filter((id) => heads.get(movementChain(id))!.count !== locked.get(id)!.eventCount);
      report.movements = touched.length;
      // to the departure and the countries further on the route; an arrival at destination closes it everywhere
      if (this.deps.exchange && touched.length) await this.handoff.events(tx, locked, rows as unknown as repo.EventRow[], actor.kind === 'system' ? null : actor.country);

      // every movement the batch touched: its hypotheses recomputed from all its events, new ones raised, vanished ones withdrawn
      const th = await this.thresholdsFor(tx);
      const fresh = await repo.movementsById(tx, touched);
      const revised = await this.reviseMovements(tx, fresh, th, now, { newEventIds: new Set(rows.map((r) => r.eventId as string)) }, actor);
      const arrivals = arrivalChains.map((c) => c.slice('arrival:'.length)).map((s) => ({ country: s.slice(0, 2), manifest: s.slice(3) }));
      const portDrafts = await this.runArrivalDetectors(tx, arrivals, th, now.getTime(), 'event');
      const raised = [...revised.raised, ...(await this.storeAlerts(tx, [...portDrafts, ...ambiguous], now))];
      report.alertsRaised = raised.length;
      report.alerts = raised.map(alertOut);
      report.alertsWithdrawn = revised.withdrawn.length;
      report.withdrawn = revised.withdrawn.map(alertOut);
      await appendAudit(
        tx,
        [
          // one entry per sender (coalesced single events may come from several)
          ...senders(items, rows).map((g) => ({
            actor: g.actor,
            action: 'transit.events.recorded',
            entityType: 'transit_event_batch',
            entityId: uuidv7(now.getTime()),
            after: { source: g.source, recorded: g.eventIds.length, duplicates, rejected: rejected.length, movements: touched.length, arrivals: arrivals.length, firstEventId: g.eventIds[0], lastEventId: g.eventIds[g.eventIds.length - 1] },
          })),
          ...(raised.length
            ? [{ actor, action: 'transit.alerts.raised', entityType: 'transit_alert_batch', entityId: raised[0].id, after: { alerts: raised.map((a) => ({ id: a.id, kind: a.kind, subject: a.subject })) } }]
            : []),
        ],
        this.deps.clock,
      );
    });
    return finish();
  }

  // ------------------------------------------------------------ detectors

  movementView(m: repo.MovementRow, t: Thresholds): MovementView {
    const plan = planRoute(this.deps.ref, [m.officeOfDeparture, ...m.route, m.officeOfDestination], m.departureAt.getTime(), m.mode, t);
    const proposed = m.proposedTimeLimit?.getTime() ?? plan.timeLimit;
    plan.points[plan.points.length - 1].expectedAt = m.timeLimit.getTime();
    return {
      limitSource: m.timeLimitSource === 'declared' ? 'declared' : 'proposed',
      proposedLimit: proposed,
      id: m.id,
      reference: `${m.country}/${m.reference}`,
      country: m.country,
      status: m.status,
      points: plan.points,
      departureAt: m.departureAt.getTime(),
      timeLimit: m.timeLimit.getTime(),
      seals: m.seals,
      grossMassKg: m.grossMassKg,
      countries: concernedCountries(plan.points),
    };
  }

  detectorEvent(r: repo.EventRow): DetectorEvent {
    const d = r.data as Partial<TransitEvent>;
    const o = r.office ? this.deps.ref.office(r.office) : undefined;
    const pos = d.lat !== undefined && d.lon !== undefined ? { lat: d.lat, lon: d.lon } : r.office ? officePosition(this.deps.ref, r.office) : undefined;
    return {
      eventId: r.eventId,
      type: r.type as DetectorEvent['type'],
      at: r.at.getTime(),
      office: r.office ?? undefined,
      country: r.country ?? undefined,
      ...(pos ? { lat: pos.lat, lon: pos.lon } : {}),
      tag: d.tag,
      direction: d.direction,
      neighbour: o?.crossing?.neighbour,
      seals: d.seals,
      grossMassKg: d.grossMassKg,
    };
  }

  /**
   * Recomputes each movement's full set of hypotheses from all its events (in event-time order)
   * and diffs it against its open alerts: new ones are raised, changed ones revised in place, and
   * those that no longer hold are withdrawn with the reason, the withdrawal chained into the
   * movement's ledger (a record the regional exchange can send to every administration that got
   * the alert). A cancelled transit keeps its alerts as they are.
   */
  async reviseMovements(
    tx: Tx,
    movements: repo.MovementRow[],
    th: (c: string) => Thresholds,
    now: Date,
    opts: { newEventIds?: Set<string>; amended?: Set<string> },
    actor: Principal,
  ): Promise<{ raised: repo.AlertRow[]; withdrawn: repo.AlertRow[] }> {
    const live = movements.filter((m) => m.status !== 'cancelled');
    if (!live.length) return { raised: [], withdrawn: [] };
    const ids = live.map((m) => m.id);
    const [events, openAll] = await Promise.all([repo.eventsOfMovements(tx, ids), repo.openAlertsOfMovements(tx, ids)]);
    // partners' alerts are theirs: never revised or withdrawn here; a finding a partner already raised is not raised again
    const open = openAll.filter((a) => !a.receivedFrom);
    const partnerKeys = new Set(openAll.filter((a) => a.receivedFrom).map((a) => a.dedupeKey.slice(0, a.dedupeKey.lastIndexOf('@'))));
    const revisedRows: repo.AlertRow[] = [];
    const byMovement = new Map<string, DetectorEvent[]>();
    for (const e of events) {
      if (isLedgerRecord(e.type)) continue;
      const list = byMovement.get(e.movementId!) ?? [];
      list.push(this.detectorEvent(e));
      byMovement.set(e.movementId!, list);
    }
    const openBy = new Map<string, repo.AlertRow[]>();
    for (const a of open) openBy.set(a.movementId!, [...(openBy.get(a.movementId!) ?? []), a]);
    const toRaise: (AlertDraft & { movement: repo.MovementRow })[] = [];
    const toWithdraw: { alert: repo.AlertRow; m: repo.MovementRow; why: ReturnType<typeof withdrawalReason> }[] = [];
    const newIds = [...(opts.newEventIds ?? [])];
    for (const m of live) {
      const t = th(m.country);
      const evs = byMovement.get(m.id) ?? [];
      const analysis: MovementAnalysis = analyseMovement(this.movementView(m, t), evs, t, now.getTime(), 'full');
      const subject = `${m.country}/${m.reference}`;
      const drafts = new Map(analysis.alerts.map((d) => [`${subject}|${d.kind}|${d.key}`, d]));
      const current = new Map((openBy.get(m.id) ?? []).map((a) => [a.dedupeKey, a]));
      for (const [k, d] of drafts) {
        const a = current.get(k);
        if (!a) {
          if (!partnerKeys.has(k)) toRaise.push({ ...d, movement: m });
        } else if (canonicalJson(a.params) !== canonicalJson(d.params) || canonicalJson(a.evidence) !== canonicalJson(d.evidence) || a.severity !== d.severity) {
          await repo.reviseAlert(tx, a.id, { params: d.params, evidence: d.evidence, severity: d.severity });
          revisedRows.push({ ...a, params: d.params, evidence: d.evidence, severity: d.severity });
        }
      }
      for (const [k, a] of current) {
        if (drafts.has(k)) continue;
        const why = withdrawalReason({ kind: a.kind, params: a.params as Record<string, unknown>, evidence: a.evidence as { eventIds?: string[] } }, { now: analysis, events: evs, newEventIds: newIds, amended: opts.amended?.has(m.id) });
        toWithdraw.push({ alert: a, m, why });
      }
    }
    const raised = await this.storeAlerts(tx, toRaise, now);
    const withdrawn: repo.AlertRow[] = [];
    const byId = new Map(live.map((m) => [m.id, m]));
    const who = actor.kind === 'system' ? null : actor.country;
    if (this.deps.exchange) {
      await this.handoff.alerts(tx, 'raised', raised, byId, who);
      await this.handoff.alerts(tx, 'revised', revisedRows, byId, who);
    }
    if (toWithdraw.length) {
      // the withdrawal is a fact about the movement: chained into its ledger like its events
      const locked = new Map((await repo.movementsById(tx, [...new Set(toWithdraw.map((w) => w.m.id))].sort(), true)).map((r) => [r.id, r]));
      const heads = new Map([...locked].map(([id, r]) => [id, { count: r.eventCount, hash: r.headHash }]));
      const rows: Record<string, unknown>[] = [];
      for (const { alert, m, why } of toWithdraw) {
        const head = heads.get(m.id)!;
        const ledgerEventId = `withdrawal:${alert.id}`;
        const row = {
          chain: movementChain(m.id),
          seq: head.count + 1,
          eventId: ledgerEventId,
          movementId: m.id,
          type: WITHDRAWAL_RECORD,
          at: now,
          office: null,
          country: m.country,
          data: JSON.parse(JSON.stringify({ alertId: alert.id, kind: alert.kind, subject: alert.subject, dedupeKey: alert.dedupeKey, raisedAt: alert.raisedAt.toISOString(), reason: why.reason, params: why.params, explainedBy: why.explainedBy, countries: alert.countries, roles: alert.roles })),
          receivedAt: now,
          prevHash: head.hash,
          hash: '',
        };
        row.hash = eventHash(row);
        heads.set(m.id, { count: row.seq, hash: row.hash });
        rows.push(row);
        withdrawn.push(await repo.withdrawAlert(tx, alert.id, `${alert.dedupeKey}#withdrawn:${alert.id}`, now, { reason: why.reason, params: why.params, explainedBy: why.explainedBy, ledgerEventId }));
      }
      await repo.insertChunked(tx, repo.eventsTable, rows);
      for (const [id, h] of heads) await repo.updateMovement(tx, id, { eventCount: h.count, headHash: h.hash });
      if (this.deps.exchange) await this.handoff.alerts(tx, 'withdrawn', withdrawn, byId, who);
      await appendAudit(
        tx,
        { actor, action: 'transit.alerts.withdrawn', entityType: 'transit_alert_batch', entityId: withdrawn[0].id, after: { alerts: withdrawn.map((a) => ({ id: a.id, kind: a.kind, subject: a.subject, reason: (a.withdrawal as { reason: string }).reason })) } },
        this.deps.clock,
      );
    }
    return { raised, withdrawn };
  }

  /**
   * Movements named by what a post saw (RFID tag, seal, plate, container) instead of the reference:
   * the transits carrying it and open at that time (not cancelled, departed at most a day later,
   * not arrived more than 12 hours before). Every identifier given must point to the same one
   * transit; two or more is an `ambiguous_identification` alert, never a guess.
   */
  private async resolveByIdentifiers(
    tx: Tx,
    evs: TransitEvent[],
  ): Promise<Map<string, { kind: 'found'; movementId: string } | { kind: 'none'; errors: FieldError[] } | { kind: 'ambiguous'; draft: AlertDraft & { subject: string } }>> {
    const out = new Map<string, { kind: 'found'; movementId: string } | { kind: 'none'; errors: FieldError[] } | { kind: 'ambiguous'; draft: AlertDraft & { subject: string } }>();
    if (!evs.length) return out;
    const fields = ['tag', 'seal', 'plate', 'container'] as const;
    const values = (f: (typeof fields)[number]) => [...new Set(evs.map((e) => e[f]).filter((v): v is string => !!v))];
    const cands = await repo.movementsByIdentifiers(tx, { tags: values('tag'), seals: values('seal'), plates: values('plate'), containers: values('container') });
    const carries = (m: repo.MovementRow, f: (typeof fields)[number], v: string) =>
      f === 'tag' ? m.rfidTag === v : f === 'plate' ? m.plate === v : f === 'seal' ? (m.seals as string[]).includes(v) : (m.containers as string[]).includes(v);
    const LABEL = { tag: 'RFID tag', seal: 'seal', plate: 'plate', container: 'container' };
    for (const e of evs) {
      const at = Date.parse(e.at);
      const openAt = (m: repo.MovementRow) => at >= m.departureAt.getTime() - 86_400_000 && at <= (m.arrivedAt ? m.arrivedAt.getTime() + 12 * 3_600_000 : m.timeLimit.getTime() + 30 * 86_400_000);
      const given = fields.filter((f) => e[f]);
      const sets = given.map((f) => ({ f, v: e[f]!, ms: cands.filter((m) => m.status !== 'cancelled' && carries(m, f, e[f]!) && openAt(m)) }));
      const found = sets.filter((x) => x.ms.length);
      if (!found.length) {
        out.set(e.eventId, { kind: 'none', errors: given.map((f) => ({ path: f, code: `unknown_${f}`, message: `no transit travelling at that time carries ${LABEL[f]} ${e[f]}` })) });
        continue;
      }
      let inter = found[0].ms;
      for (const x of found.slice(1)) inter = inter.filter((m) => x.ms.includes(m));
      if (inter.length === 1) {
        out.set(e.eventId, { kind: 'found', movementId: inter[0].id });
        continue;
      }
      const union = uniqueBy(found.flatMap((x) => x.ms), (m) => m.id).sort((a, b) => `${a.country}/${a.reference}`.localeCompare(`${b.country}/${b.reference}`));
      const by = found.find((x) => x.ms.length > 1) ?? found[0];
      const office = e.office ? this.deps.ref.office(e.office) : undefined;
      const country = office?.country ?? union[0].country;
      const countries = [...new Set([country, ...union.flatMap((m) => m.countries)])];
      out.set(e.eventId, {
        kind: 'ambiguous',
        draft: {
          kind: 'ambiguous_identification',
          severity: 'high',
          key: `${by.f}:${by.v}`,
          subject: `${country}/${by.f}:${by.v}`,
          params: { type: e.type, office: e.office ?? '', at: new Date(at).toISOString(), field: by.f, value: by.v, count: union.length, candidates: union.map((m) => `${m.country}/${m.reference}`).join(', ') },
          evidence: { eventIds: [e.eventId], candidates: union.map((m) => ({ id: m.id, reference: `${m.country}/${m.reference}` })) },
          countries,
        },
      });
    }
    return out;
  }

  private async arrivalViews(tx: Tx, arrivals: { country: string; manifest: string }[]): Promise<ArrivalView[]> {
    const out: ArrivalView[] = [];
    const byCountry = new Map<string, string[]>();
    for (const a of arrivals) byCountry.set(a.country, [...(byCountry.get(a.country) ?? []), a.manifest]);
    for (const [country, manifests] of byCountry) {
      const decls = await repo.readDeclarationsForManifests(tx, country, manifests);
      const discharges = await repo.dischargesOf(tx, country, manifests);
      for (const manifest of manifests) {
        const mf = await repo.readManifestArrival(tx, country, manifest);
        const ds = discharges.filter((d) => d.manifestReference === manifest);
        if (!mf && !ds.length) continue;
        out.push({
          country,
          office: mf?.office ?? ds[0].office,
          manifest,
          arrivalAt: (mf?.arrivalAt ?? ds[0].dischargedAt).getTime(),
          consignments: mf?.consignments ?? [],
          discharges: ds.map((d) => ({ eventId: d.eventId, transportDocument: d.transportDocument, packages: d.packages, grossMassKg: d.grossMassKg, dischargedAt: d.dischargedAt.getTime() })),
          declarations: decls.filter((d) => d.manifest === manifest).map((d) => ({ reference: d.reference, transportDocument: d.transportDocument, lodgedAt: d.lodgedAt.getTime() })),
        });
      }
    }
    return out;
  }

  private async runArrivalDetectors(tx: Tx, arrivals: { country: string; manifest: string }[], th: (c: string) => Thresholds, now: number, mode: DetectMode): Promise<AlertDraft[]> {
    const out: AlertDraft[] = [];
    for (const a of await this.arrivalViews(tx, arrivals)) out.push(...reconcileArrival(a, th(a.country), now, mode).alerts);
    return out;
  }

  private async storeAlerts(tx: Tx, drafts: (AlertDraft & { movement?: repo.MovementRow; subject?: string })[], now: Date): Promise<repo.AlertRow[]> {
    if (!drafts.length) return [];
    const rows = drafts.map((d) => {
      const m = d.movement;
      const subject = m ? `${m.country}/${m.reference}` : (d.subject ?? `${d.countries[0]}/${d.params.manifest}/${d.params.transportDocument}`);
      const roles = m
        ? (() => {
            const c = concernedCountries([{ country: this.deps.ref.office(m.officeOfDeparture)!.country }, ...m.route.map((o) => ({ country: this.deps.ref.office(o)!.country })), { country: this.deps.ref.office(m.officeOfDestination)!.country }]);
            return { departure: c.departure, transit: c.transit, destination: c.destination };
          })()
        : { departure: null, transit: [], destination: d.countries[0] };
      return {
        id: uuidv7(now.getTime()),
        dedupeKey: `${subject}|${d.kind}|${d.key}`,
        kind: d.kind,
        severity: d.severity,
        country: m ? m.country : d.countries[0],
        countries: d.countries,
        roles,
        movementId: m?.id ?? null,
        subject,
        code: d.kind,
        params: d.params,
        evidence: d.evidence,
        status: 'open',
        raisedAt: now,
      };
    });
    return repo.insertAlerts(tx, rows);
  }

  /**
   * What time alone reveals: transits overdue or never closed, goods discharged and not declared,
   * declared and not discharged. Run it periodically (`centinela transit alerts --sweep`).
   */
  async sweep(actor: Principal, opts: { arrivalsSinceDays?: number; closedWithinDays?: number; onProgress?: (done: number) => void } = {}): Promise<{ movements: number; arrivals: number; alertsRaised: number; alerts: AlertOut[] }> {
    // over the administrations the actor acts on (policy `transit.sweep`): the transits concerning them and their arrivals
    const scope = transitScope(actor, 'transit.sweep');
    const now = this.deps.clock.now();
    const th = await this.thresholdsFor();
    let after: string | null = null;
    let movements = 0;
    const raisedAll: repo.AlertRow[] = [];
    for (;;) {
      const read = await repo.sweepMovementsPage(this.deps.db, after, 500, now, new Date(now.getTime() - (opts.closedWithinDays ?? 60) * 86_400_000));
      if (!read.length) break;
      after = read[read.length - 1].id;
      const page = scope ? read.filter((m) => m.countries.some((c) => scope.has(c))) : read;
      movements += page.length;
      if (!page.length) continue;
      await this.deps.db.transaction(async (tx) => {
        const raised = (await this.reviseMovements(tx, page, th, now, {}, actor)).raised;
        if (raised.length) await appendAudit(tx, { actor, action: 'transit.alerts.raised', entityType: 'transit_alert_batch', entityId: raised[0].id, after: { sweep: true, alerts: raised.map((a) => ({ id: a.id, kind: a.kind, subject: a.subject })) } }, this.deps.clock);
        raisedAll.push(...raised);
      });
      opts.onProgress?.(movements);
    }
    const since = new Date(now.getTime() - (opts.arrivalsSinceDays ?? 180) * 86_400_000);
    const manifests = (await repo.readManifestsArrivedSince(this.deps.db, since, now)).filter((r) => !scope || scope.has(r.country)).map((r) => ({ country: r.country, manifest: r.reference }));
    for (let i = 0; i < manifests.length; i += 200) {
      await this.deps.db.transaction(async (tx) => {
        const raised = await this.storeAlerts(tx, await this.runArrivalDetectors(tx, manifests.slice(i, i + 200), th, now.getTime(), 'full'), now);
        if (raised.length) await appendAudit(tx, { actor, action: 'transit.alerts.raised', entityType: 'transit_alert_batch', entityId: raised[0].id, after: { sweep: true, alerts: raised.map((a) => ({ id: a.id, kind: a.kind, subject: a.subject })) } }, this.deps.clock);
        raisedAll.push(...raised);
      });
    }
    return { movements, arrivals: manifests.length, alertsRaised: raisedAll.length, alerts: raisedAll.map(alertOut) };
  }

  async alerts(f: repo.AlertFilter): Promise<AlertOut[]> {
    return (await repo.listAlerts(this.deps.db, f)).map(alertOut);
  }

  // ------------------------------------------------------------ ports

  /** Manifest ↔ discharge ↔ declaration for one arrival, each transport document with its status. */
  async reconcile(country: string, manifest: string): Promise<{ arrival: { country: string; manifest: string; office: string; arrivalAt: string }; summary: Record<string, number>; lines: ReconciliationLine[]; unmatched: ReconciliationLine[]; alerts: AlertOut[] }> {
    const now = this.deps.clock.now();
    const th = await this.thresholdsFor();
    const [view] = await this.arrivalViews(this.deps.db, [{ country, manifest }]);
    if (!view) throw new NotFoundError(`arrival ${country}/${manifest} (no manifest and no discharge)`);
    const { lines } = reconcileArrival(view, th(country), now.getTime());
    const summary: Record<string, number> = {};
    for (const l of lines) summary[l.status] = (summary[l.status] ?? 0) + 1;
    const stored = await repo.listAlerts(this.deps.db, { concerning: country, limit: 10_000 });
    const prefix = `${country}/${manifest}/`;
    return {
      arrival: { country, manifest, office: view.office, arrivalAt: new Date(view.arrivalAt).toISOString() },
      summary,
      lines,
      unmatched: lines.filter((l) => l.status !== 'matched' && l.status !== 'pending'),
      alerts: stored.filter((a) => a.subject.startsWith(prefix)).map(alertOut),
    };
  }

  // ------------------------------------------------------------ ledger

  /**
   * Recomputes every chain: names each altered or removed event, with its movement. With an
   * `actor` that does not reach every administration (policy `transit.verify`), only the chains
   * of the transits concerning its administrations and of their arrivals are checked and counted.
   */
  async verify(opts: { onProgress?: (events: number) => void; maxProblems?: number; actor?: Principal } = {}): Promise<VerifyResult> {
    const db = this.deps.db;
    const scope = opts.actor ? transitScope(opts.actor, 'transit.verify') : null;
    let concerning: Map<string, string[]> | null = null;
    if (scope) {
      const M = repo.movementsTable;
      concerning = new Map((await db.select({ id: M.id, countries: M.countries }).from(M)).map((r) => [r.id, r.countries]));
    }
    const inScope = (chain: string, movementId: string | null) =>
      !scope || (movementId ? (concerning!.get(movementId) ?? []).some((c) => scope.has(c)) : scope.has(chain.slice('arrival:'.length, 'arrival:'.length + 2)));
    const subjects = new Map<string, { subject: string; movementId: string | null; count: number; hash: string }>();
    for (const m of await repo.movementHeads(db)) if (inScope(movementChain(m.id), m.id)) subjects.set(movementChain(m.id), { subject: `${m.country}/${m.reference}`, movementId: m.id, count: m.eventCount, hash: m.headHash });
    for (const c of await repo.arrivalHeads(db)) if (inScope(c.chain, null)) subjects.set(c.chain, { subject: c.chain.slice('arrival:'.length), movementId: null, count: c.eventCount, hash: c.headHash });
    const problems: LedgerProblem[] = [];
    const max = opts.maxProblems ?? 1000;
    const seen = new Set<string>();
    let events = 0;
    let cur: { chain: string; seq: number; hash: string; eventId: string; ok: boolean } | null = null;
    const who = (chain: string) => subjects.get(chain) ?? { subject: chain, movementId: chain.startsWith('movement:') ? chain.slice(9) : null, count: 0, hash: GENESIS };
    const push = (p: LedgerProblem) => {
      if (problems.length < max) problems.push(p);
    };
    const closeChain = (c: { chain: string; seq: number; hash: string }) => {
      const h = who(c.chain);
      if (h.count > c.seq) push({ chain: c.chain, subject: h.subject, movementId: h.movementId, seq: c.seq + 1, eventId: null, kind: 'removed', detail: `the ledger head says ${h.count} events but the chain ends at seq ${c.seq}: event(s) ${c.seq + 1}..${h.count} were removed` });
      else if (h.count === c.seq && h.hash !== c.hash) push({ chain: c.chain, subject: h.subject, movementId: h.movementId, seq: c.seq, eventId: null, kind: 'head_mismatch', detail: `the last event's hash does not match the ledger head: the last event was rewritten` });
    };
    let after: { chain: string; seq: number } | null = null;
    for (;;) {
      const page = await repo.ledgerPage(db, after, 5000);
      if (!page.length) break;
      for (const r of page) {
        // a scoped verification checks only the chains it knows (those of its administrations)
        if (scope && !subjects.has(r.chain)) continue;
        events++;
        if (!cur || cur.chain !== r.chain) {
          if (cur) closeChain(cur);
          seen.add(r.chain);
          cur = { chain: r.chain, seq: 0, hash: GENESIS, eventId: '', ok: true };
        }
        const h = who(r.chain);
        const recomputed = eventHash(r);
        if (r.seq !== cur.seq + 1) {
          push({ chain: r.chain, subject: h.subject, movementId: h.movementId, seq: cur.seq + 1, eventId: null, kind: 'removed', detail: `event(s) seq ${cur.seq + 1}..${r.seq - 1} are missing before event ${r.eventId} (seq ${r.seq})` });
        } else if (r.prevHash !== cur.hash && cur.ok) {
          push({ chain: r.chain, subject: h.subject, movementId: h.movementId, seq: cur.seq, eventId: cur.eventId || null, kind: 'altered', detail: `event ${r.eventId} (seq ${r.seq}) does not link to the event before it: event ${cur.eventId} (seq ${cur.seq}) was rewritten together with its hash` });
        }
        const ok = recomputed === r.hash;
        if (!ok) push({ chain: r.chain, subject: h.subject, movementId: h.movementId, seq: r.seq, eventId: r.eventId, kind: 'altered', detail: `event ${r.eventId} (seq ${r.seq}, ${r.type} at ${r.at.toISOString()}) no longer matches its hash: it was edited` });
        cur = { chain: r.chain, seq: r.seq, hash: r.hash, eventId: r.eventId, ok };
      }
      const lastRow = page[page.length - 1];
      after = { chain: lastRow.chain, seq: lastRow.seq };
      opts.onProgress?.(events);
    }
    if (cur) closeChain(cur);
    for (const [chain, h] of subjects) {
      if (!seen.has(chain) && h.count > 0) push({ chain, subject: h.subject, movementId: h.movementId, seq: 1, eventId: null, kind: 'removed', detail: `all ${h.count} events of this chain were removed` });
    }
    return { ok: problems.length === 0, chains: subjects.size, events, problems };
  }
}

/** The administrations an actor sweeps or verifies; null when it reaches them all. */
function transitScope(actor: Principal, action: 'transit.sweep' | 'transit.verify'): Set<string> | null {
  if (!allows(actor, action)) throw refusalError(actor, action);
  return reachesAll(actor, action) ? null : new Set(administrationsFor(actor, action));
}

function limitOut(r: { timeLimit: Date; timeLimitSource: string; proposedTimeLimit: Date | null }): Pick<MovementOutcome, 'timeLimit' | 'timeLimitSource' | 'proposedTimeLimit' | 'note'> {
  const declared = r.timeLimitSource === 'declared';
  return { timeLimit: r.timeLimit.toISOString(), timeLimitSource: declared ? 'declared' : 'proposed', proposedTimeLimit: (r.proposedTimeLimit ?? r.timeLimit).toISOString(), ...(declared ? {} : { note: PROPOSED_NOTE }) };
}

function uniqueBy<T>(xs: T[], key: (x: T) => string): T[] {
  const m = new Map<string, T>();
  for (const x of xs) if (!m.has(key(x))) m.set(key(x), x);
  return [...m.values()];
}
