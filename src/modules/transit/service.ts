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
import type { Principal } from '../access/types.ts';
import { parseWith } from '../declarations/validate.ts';
import { detectMovement, reconcileArrival, type AlertDraft, type DetectMode, type ArrivalView, type DetectorEvent, type MovementView, type ReconciliationLine } from './detectors.ts';
import { arrivalChain, eventHash, GENESIS, movementChain, type LedgerProblem } from './ledger.ts';
import { explainAlert } from './messages.ts';
import { concernedCountries, officePosition, planRoute } from './plan.ts';
import * as repo from './repository.ts';
import { buildTransitContracts, type Movement, type MovementStatus, type TransitContracts, type TransitEvent } from './schema.ts';
import { mergeThresholds, thresholdsPatchSchema, type Thresholds, type ThresholdsPatch } from './thresholds.ts';

export interface TransitDeps {
  db: Db;
  ref: ReferenceData;
  clock: Clock;
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
  timeLimit: string;
}

export interface IngestReport {
  received: number;
  recorded: number;
  duplicates: number;
  rejected: Rejected[];
  movements: number;
  alertsRaised: number;
  alerts: AlertOut[];
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
  };
}

export class TransitService {
  readonly contracts: TransitContracts;

  constructor(private deps: TransitDeps) {
    this.contracts = buildTransitContracts({ ref: deps.ref, clock: deps.clock });
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
      else valid.push({ index, m: p.value, hash: contentHash(p.value) });
    });
    if (!valid.length) return { outcomes: [], rejections };
    const now = this.deps.clock.now();
    const outcomes = await this.deps.db.transaction(async (tx) => {
      const th = await this.thresholdsFor(tx);
      const existing = new Map((await repo.movementsByReference(tx, valid.map((v) => ({ country: v.m.country, reference: v.m.reference })))).map((r) => [`${r.country}/${r.reference}`, r]));
      const out: MovementOutcome[] = [];
      const audits: Parameters<typeof appendAudit>[1] & unknown[] = [];
      const inserts: Record<string, unknown>[] = [];
      for (const { index, m, hash } of valid) {
        const key = `${m.country}/${m.reference}`;
        const offices = [m.officeOfDeparture, ...m.route, m.officeOfDestination];
        const plan = planRoute(this.deps.ref, offices, Date.parse(m.departureAt), m.mode, th(m.country));
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
          timeLimit: new Date(plan.timeLimit),
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
          out.push({ index, id: prev.id, country: m.country, reference: m.reference, status: 'unchanged', distanceKm: prev.distanceKm, timeLimit: prev.timeLimit.toISOString() });
          continue;
        }
        if (prev) {
          if (prev.status === 'arrived' || prev.status === 'cancelled') throw new ConflictError(`transit ${key} is ${prev.status}: it can no longer be amended`);
          await repo.updateMovement(tx, prev.id, row);
          audits.push({ actor, action: 'transit.movement.amended', entityType: 'transit_movement', entityId: prev.id, country: m.country, before: prev.payload, after: m });
          out.push({ index, id: prev.id, country: m.country, reference: m.reference, status: 'amended', distanceKm: row.distanceKm, timeLimit: row.timeLimit.toISOString() });
        } else {
          const id = uuidv7(now.getTime());
          inserts.push({ ...row, id, status: 'declared', eventCount: 0, headHash: GENESIS, createdAt: now });
          existing.set(key, { ...(row as any), id, status: 'declared', contentHash: hash });
          audits.push({ actor, action: 'transit.movement.declared', entityType: 'transit_movement', entityId: id, country: m.country, after: { reference: m.reference, route: offices, timeLimit: row.timeLimit.toISOString(), distanceKm: row.distanceKm } });
          out.push({ index, id, country: m.country, reference: m.reference, status: 'created', distanceKm: row.distanceKm, timeLimit: row.timeLimit.toISOString() });
        }
      }
      await repo.insertChunked(tx, repo.movementsTable, inserts);
      await appendAudit(tx, audits, this.deps.clock);
      return out;
    });
    return { outcomes, rejections: rejections.sort((a, b) => a.index - b.index) };
  }

  async movement(id: string) {
    const [m] = await repo.movementsById(this.deps.db, [id]);
    if (!m) throw new NotFoundError(`transit ${id}`);
    const events = await repo.eventsOfMovements(this.deps.db, [id]);
    const alerts = await repo.listAlerts(this.deps.db, { movementId: id, limit: 1000 });
    return { movement: m, events, alerts: alerts.map(alertOut) };
  }

  async movementByReference(country: string, reference: string) {
    const [m] = await repo.movementsByReference(this.deps.db, [{ country, reference }]);
    if (!m) throw new NotFoundError(`transit ${country}/${reference}`);
    return this.movement(m.id);
  }

  // ------------------------------------------------------------ events

  /** One event: a ValidationError when it is bad; `duplicate` when already recorded. */
  async recordEvent(raw: unknown, actor: Principal, source = 'api', opts: { scope?: string } = {}): Promise<{ status: 'recorded' | 'duplicate'; eventId: string; alerts: AlertOut[] }> {
    const r = await this.ingestEvents([raw], actor, source, opts);
    if (r.rejected.length) {
      const e = r.rejected[0];
      if (e.errors.some((x) => x.code === 'event_id_reused')) throw new ConflictError(e.errors[0].message);
      if (e.errors.some((x) => x.code === 'out_of_scope')) throw new ForbiddenError(e.errors[0].message);
      throw new ValidationError(e.errors);
    }
    return { status: r.recorded ? 'recorded' : 'duplicate', eventId: (raw as { eventId: string }).eventId, alerts: r.alerts };
  }

  /**
   * A batch of events. Each is validated alone (a bad one is reported, the others land);
   * an event id already recorded with the same content is a duplicate and changes nothing, with
   * other content it is rejected. Events are chained in the order received; detectors read them
   * in the order they happened.
   */
  async ingestEvents(raws: unknown[], actor: Principal, source = 'api', opts: { scope?: string } = {}): Promise<IngestReport> {
    const now = this.deps.clock.now();
    const rejected: Rejected[] = [];
    const parsed: { index: number; e: TransitEvent; data: Record<string, unknown>; canon: string }[] = [];
    const seenInBatch = new Map<string, string>();
    let duplicates = 0;
    raws.forEach((raw, index) => {
      const p = parseWith(this.contracts.event, raw);
      const eventId = (raw as { eventId?: unknown } | null)?.eventId;
      if (!p.ok) {
        rejected.push({ index, eventId: typeof eventId === 'string' ? eventId : undefined, errors: p.errors });
        return;
      }
      if (opts.scope && p.value.office && this.deps.ref.office(p.value.office)?.country !== opts.scope) {
        rejected.push({ index, eventId: p.value.eventId, errors: [{ path: 'office', code: 'out_of_scope', message: `you act for ${opts.scope} and may record events only at its offices` }] });
        return;
      }
      const data = JSON.parse(JSON.stringify({ ...p.value, at: new Date(p.value.at).toISOString() })) as Record<string, unknown>;
      const canon = canonicalJson(data);
      const prev = seenInBatch.get(p.value.eventId);
      if (prev !== undefined) {
        if (prev === canon) duplicates++;
        else rejected.push({ index, eventId: p.value.eventId, errors: [{ path: 'eventId', code: 'event_id_reused', message: `event ${p.value.eventId} was already sent with other content` }] });
        return;
      }
      seenInBatch.set(p.value.eventId, canon);
      parsed.push({ index, e: p.value, data, canon });
    });
    const report: IngestReport = { received: raws.length, recorded: 0, duplicates, rejected, movements: 0, alertsRaised: 0, alerts: [] };
    if (!parsed.length) return report;

    await this.deps.db.transaction(async (tx) => {
      // which movement each event belongs to
      const byRef = new Map(
        (await repo.movementsByReference(tx, uniqueBy(parsed.filter((p) => p.e.movement).map((p) => p.e.movement!), (k) => `${k.country}/${k.reference}`))).map((r) => [`${r.country}/${r.reference}`, r]),
      );
      const tagged = await repo.movementsByTag(tx, [...new Set(parsed.filter((p) => !p.e.movement && p.e.tag).map((p) => p.e.tag!))]);
      const target = new Map<number, string>();
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
          const at = Date.parse(p.e.at);
          const m = tagged.find((r) => r.rfidTag === p.e.tag && at >= r.departureAt.getTime() - 86_400_000 && at <= r.timeLimit.getTime() + 30 * 86_400_000);
          id = m?.id;
          if (!id) rejected.push({ index: p.index, eventId: p.e.eventId, errors: [{ path: 'tag', code: 'unknown_tag', message: `no transit travelling at that time carries tag ${p.e.tag}` }] });
        }
        if (id) {
          target.set(p.index, id);
          keep.push(p);
        }
      }
      // lock the chains, then decide what is new (a concurrent batch with the same events waits here)
      const movementIds = [...new Set(target.values())].sort();
      const locked = new Map((await repo.movementsById(tx, movementIds, true)).map((r) => [r.id, r]));
      const arrivalChains = [...new Set(keep.filter((p) => p.e.type === 'discharge').map((p) => arrivalChain(this.deps.ref.office(p.e.office!)!.country, p.e.discharge!.manifest)))].sort();
      const chainHeads = await repo.lockChains(tx, arrivalChains, now);
      const existing = new Map((await repo.existingEvents(tx, keep.map((p) => p.e.eventId))).map((r) => [r.eventId, canonicalJson(r.data)]));
      const heads = new Map<string, { count: number; hash: string }>();
      for (const [id, r] of locked) heads.set(movementChain(id), { count: r.eventCount, hash: r.headHash });
      for (const [c, h] of chainHeads) heads.set(c, { count: h.eventCount, hash: h.headHash });

      const rows: Record<string, unknown>[] = [];
      const discharges: Record<string, unknown>[] = [];
      const newStatus = new Map<string, MovementStatus>();
      for (const p of keep) {
        const prev = existing.get(p.e.eventId);
        if (prev !== undefined) {
          if (prev === p.canon) duplicates++;
          else rejected.push({ index: p.index, eventId: p.e.eventId, errors: [{ path: 'eventId', code: 'event_id_reused', message: `event ${p.e.eventId} was already recorded with other content` }] });
          continue;
        }
        const office = p.e.office ? this.deps.ref.office(p.e.office) : undefined;
        const movementId = target.get(p.index) ?? null;
        const chain = movementId ? movementChain(movementId) : arrivalChain(office!.country, p.e.discharge!.manifest);
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
      if (discharges.length) await repo.insertDischarges(tx, discharges as any);
      for (const id of movementIds) {
        const h = heads.get(movementChain(id))!;
        const m = locked.get(id)!;
        if (h.count === m.eventCount) continue;
        await repo.updateMovement(tx, id, { eventCount: h.count, headHash: h.hash, status: newStatus.get(id) ?? m.status, updatedAt: now });
      }
      for (const c of arrivalChains) {
        const h = heads.get(c)!;
        await repo.updateChain(tx, c, h.count, h.hash, now);
      }
      report.recorded = rows.length;
      const touched = movementIds.filter((id) => heads.get(movementChain(id))!.count !== locked.get(id)!.eventCount);
      report.movements = touched.length;

      // detectors over every movement and arrival the batch touched
      const th = await this.thresholdsFor(tx);
      const fresh = await repo.movementsById(tx, touched);
      const drafts = await this.runMovementDetectors(tx, fresh, th, now.getTime(), 'event');
      const arrivals = arrivalChains.map((c) => c.slice('arrival:'.length)).map((s) => ({ country: s.slice(0, 2), manifest: s.slice(3) }));
      const portDrafts = await this.runArrivalDetectors(tx, arrivals, th, now.getTime(), 'event');
      const raised = await this.storeAlerts(tx, [...drafts, ...portDrafts], now);
      report.alertsRaised = raised.length;
      report.alerts = raised.map(alertOut);
      await appendAudit(
        tx,
        [
          {
            actor,
            action: 'transit.events.recorded',
            entityType: 'transit_event_batch',
            entityId: uuidv7(now.getTime()),
            after: { source, recorded: rows.length, duplicates, rejected: rejected.length, movements: touched.length, arrivals: arrivals.length, firstEventId: rows[0].eventId, lastEventId: rows[rows.length - 1].eventId },
          },
          ...(raised.length
            ? [{ actor, action: 'transit.alerts.raised', entityType: 'transit_alert_batch', entityId: raised[0].id, after: { alerts: raised.map((a) => ({ id: a.id, kind: a.kind, subject: a.subject })) } }]
            : []),
        ],
        this.deps.clock,
      );
    });
    report.rejected.sort((a, b) => a.index - b.index);
    return report;
  }

  // ------------------------------------------------------------ detectors

  movementView(m: repo.MovementRow, t: Thresholds): MovementView {
    const plan = planRoute(this.deps.ref, [m.officeOfDeparture, ...m.route, m.officeOfDestination], m.departureAt.getTime(), m.mode, t);
    plan.points[plan.points.length - 1].expectedAt = m.timeLimit.getTime();
    return {
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

  private async runMovementDetectors(tx: Tx, movements: repo.MovementRow[], th: (c: string) => Thresholds, now: number, mode: DetectMode): Promise<(AlertDraft & { movement: repo.MovementRow })[]> {
    if (!movements.length) return [];
    const events = await repo.eventsOfMovements(tx, movements.map((m) => m.id));
    const byMovement = new Map<string, DetectorEvent[]>();
    for (const e of events) {
      const list = byMovement.get(e.movementId!) ?? [];
      list.push(this.detectorEvent(e));
      byMovement.set(e.movementId!, list);
    }
    const out: (AlertDraft & { movement: repo.MovementRow })[] = [];
    for (const m of movements) {
      const t = th(m.country);
      for (const a of detectMovement(this.movementView(m, t), byMovement.get(m.id) ?? [], t, now, mode)) out.push({ ...a, movement: m });
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

  private async storeAlerts(tx: Tx, drafts: (AlertDraft & { movement?: repo.MovementRow })[], now: Date): Promise<repo.AlertRow[]> {
    if (!drafts.length) return [];
    const rows = drafts.map((d) => {
      const m = d.movement;
      const subject = m ? `${m.country}/${m.reference}` : `${d.countries[0]}/${d.params.manifest}/${d.params.transportDocument}`;
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
    const now = this.deps.clock.now();
    const th = await this.thresholdsFor();
    let after: string | null = null;
    let movements = 0;
    const raisedAll: repo.AlertRow[] = [];
    for (;;) {
      const page = await repo.sweepMovementsPage(this.deps.db, after, 500, now, new Date(now.getTime() - (opts.closedWithinDays ?? 60) * 86_400_000));
      if (!page.length) break;
      after = page[page.length - 1].id;
      movements += page.length;
      await this.deps.db.transaction(async (tx) => {
        const raised = await this.storeAlerts(tx, await this.runMovementDetectors(tx, page, th, now.getTime(), 'full'), now);
        if (raised.length) await appendAudit(tx, { actor, action: 'transit.alerts.raised', entityType: 'transit_alert_batch', entityId: raised[0].id, after: { sweep: true, alerts: raised.map((a) => ({ id: a.id, kind: a.kind, subject: a.subject })) } }, this.deps.clock);
        raisedAll.push(...raised);
      });
      opts.onProgress?.(movements);
    }
    const since = new Date(now.getTime() - (opts.arrivalsSinceDays ?? 180) * 86_400_000);
    const manifests = (await repo.readManifestsArrivedSince(this.deps.db, since, now)).map((r) => ({ country: r.country, manifest: r.reference }));
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

  /** Recomputes every chain: names each altered or removed event, with its movement. */
  async verify(opts: { onProgress?: (events: number) => void; maxProblems?: number } = {}): Promise<VerifyResult> {
    const db = this.deps.db;
    const subjects = new Map<string, { subject: string; movementId: string | null; count: number; hash: string }>();
    for (const m of await repo.movementHeads(db)) subjects.set(movementChain(m.id), { subject: `${m.country}/${m.reference}`, movementId: m.id, count: m.eventCount, hash: m.headHash });
    for (const c of await repo.arrivalHeads(db)) subjects.set(c.chain, { subject: c.chain.slice('arrival:'.length), movementId: null, count: c.eventCount, hash: c.headHash });
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

function uniqueBy<T>(xs: T[], key: (x: T) => string): T[] {
  const m = new Map<string, T>();
  for (const x of xs) if (!m.has(key(x))) m.set(key(x), x);
  return [...m.values()];
}
