/**
 * Transit and port detectors: pure functions over a movement's events, its plan and the
 * thresholds (or over an arrival's manifest, discharges and declarations). No I/O: the service
 * loads the data, calls these, and stores what they raise.
 */
import { haversineKm, type PlanPoint } from './plan.ts';
import type { EventType } from './schema.ts';
import type { Thresholds } from './thresholds.ts';

export const ALERT_KINDS = [
  'overdue',
  'skipped_checkpoint',
  'off_route_crossing',
  'seal_tampered',
  'weight_mismatch',
  'impossible_travel',
  'cloned_tag',
  'never_closed',
  'discharged_not_declared',
  'declared_not_discharged',
  'manifest_discharge_mismatch',
  'ambiguous_identification',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** An event as the detectors see it: time as epoch ms, position resolved from the office or the GPS fix. */
export interface DetectorEvent {
  eventId: string;
  type: EventType;
  at: number;
  office?: string;
  country?: string;
  lat?: number;
  lon?: number;
  tag?: string;
  direction?: 'exit' | 'entry';
  /** for a land border post: the country on the other side */
  neighbour?: string;
  seals?: { number: string; intact: boolean }[];
  grossMassKg?: number;
}

export interface MovementView {
  id: string;
  reference: string;
  country: string;
  status: string;
  /** [departure, ...checkpoints, destination] */
  points: PlanPoint[];
  departureAt: number;
  timeLimit: number;
  seals: string[];
  grossMassKg: number;
  countries: { departure: string; transit: string[]; destination: string; all: string[] };
  /** `declared`: the office of departure set the time limit on the declaration; `proposed`: Centinela computed it from the route */
  limitSource?: 'declared' | 'proposed';
  /** the limit Centinela computes from the route (shown beside a declared one) */
  proposedLimit?: number;
}

export interface AlertDraft {
  kind: AlertKind;
  severity: Severity;
  /** unique within its subject: the same finding is never raised twice */
  key: string;
  params: Record<string, string | number | boolean | null>;
  evidence: { eventIds: string[]; [k: string]: unknown };
  /** administrations concerned */
  countries: string[];
}

const H = 3_600_000;

/**
 * `event`: what the events alone show (run as they come in). `full`: also what the passing of time
 * shows (overdue, never closed, skipped checkpoints, late declarations): run by the periodic sweep,
 * when data that arrives late has had time to come in.
 */
export type DetectMode = 'event' | 'full';
const iso = (ms: number) => new Date(ms).toISOString();
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** Events in the order they happened (event time, then id: arrival order never matters). */
export function byEventTime(events: DetectorEvent[]): DetectorEvent[] {
  return events.slice().sort((a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
}

/**
 * Pairs of RFID reads of one tag at places so far apart, so close in time, that one vehicle could
 * not have made both (within the clone window, farther than cloneMinKm, faster than maxSpeedKmh).
 */
export function clonedTagPairs(events: DetectorEvent[], t: Thresholds): [DetectorEvent, DetectorEvent][] {
  const reads = events.filter((e) => e.type === 'rfid_read' && e.lat !== undefined && e.lon !== undefined);
  const out: [DetectorEvent, DetectorEvent][] = [];
  const win = t.cloneWindowMinutes * 60_000;
  for (let i = 0; i < reads.length; i++) {
    for (let j = i + 1; j < reads.length && reads[j].at - reads[i].at <= win; j++) {
      const a = reads[i];
      const b = reads[j];
      const km = haversineKm(a.lat!, a.lon!, b.lat!, b.lon!);
      const hours = (b.at - a.at) / H;
      if (km > t.cloneMinKm && (hours <= 0 || km / hours > t.maxSpeedKmh)) out.push([a, b]);
    }
  }
  return out;
}

/** What the detectors conclude over one movement: the alerts, and the reads set aside as a cloned tag's twin. */
export interface MovementAnalysis {
  alerts: AlertDraft[];
  /** event ids of reads explained as a cloned tag's twin (not the vehicle's own) */
  twins: Set<string>;
}

/**
 * Every detector over one movement. `now` decides what is overdue or never closed.
 * Each alert is a hypothesis over all the movement's events, whatever order they came in: the
 * result depends only on the set of events, the plan, the thresholds and `now`, so the service
 * recomputes it on every new event and withdraws what no longer holds.
 */
export function detectMovement(m: MovementView, eventsIn: DetectorEvent[], t: Thresholds, now: number, mode: DetectMode = 'full'): AlertDraft[] {
  return analyseMovement(m, eventsIn, t, now, mode).alerts;
}

export function analyseMovement(m: MovementView, eventsIn: DetectorEvent[], t: Thresholds, now: number, mode: DetectMode = 'full'): MovementAnalysis {
  const out: AlertDraft[] = [];
  const events = byEventTime(eventsIn);
  const countries = m.countries.all;
  const raise = (kind: AlertKind, severity: Severity, key: string, params: AlertDraft['params'], eventIds: string[], extra: Record<string, unknown> = {}) =>
    out.push({ kind, severity, key, params: { movement: m.reference, ...params }, evidence: { eventIds, ...extra }, countries });
  const twins = new Set<string>();
  if (m.status === 'cancelled' || events.some((e) => e.type === 'cancellation')) return { alerts: out, twins };

  // cloned tag: of a pair, the read off the route is the twin; when both are off it, neither is trusted.
  // Two reads both on the route are the vehicle's own record: judged as impossible travel, not as a clone.
  const onRoute = new Set(m.points.map((p) => p.office));
  const clones: [DetectorEvent, DetectorEvent][] = [];
  for (const [a, b] of clonedTagPairs(events, t)) {
    const aOn = onRoute.has(a.office ?? '');
    const bOn = onRoute.has(b.office ?? '');
    if (aOn && bOn) continue;
    clones.push([a, b]);
    if (!aOn) twins.add(a.eventId);
    if (!bOn) twins.add(b.eventId);
  }
  if (clones.length) {
    const [a, b] = clones[0];
    const km = haversineKm(a.lat!, a.lon!, b.lat!, b.lon!);
    raise('cloned_tag', 'critical', 'cloned_tag', { tag: a.tag ?? b.tag ?? '', officeA: a.office ?? '', officeB: b.office ?? '', atA: iso(a.at), atB: iso(b.at), km: Math.round(km), minutes: Math.round((b.at - a.at) / 60_000) }, [a.eventId, b.eventId], { pairs: clones.length, twins: [...twins] });
  }
  const trusted = events.filter((e) => !twins.has(e.eventId));

  // where and when each planned point was reached
  const planned = new Map<string, number>();
  m.points.forEach((p, i) => planned.set(p.office, i));
  const reachedAt = new Map<number, DetectorEvent>();
  for (const e of trusted) {
    if (!e.office || e.type === 'gps_position') continue;
    const i = planned.get(e.office);
    if (i !== undefined && !reachedAt.has(i)) reachedAt.set(i, e);
  }
  const arrival = trusted.find((e) => e.type === 'arrival');
  const last = m.points.length - 1;
  if (arrival && !reachedAt.has(last)) reachedAt.set(last, arrival);
  let lastReached = -1;
  for (const i of reachedAt.keys()) lastReached = Math.max(lastReached, i);

  // off-route crossings: an office not on the plan
  const offRoute = trusted.filter((e) => e.office && e.type !== 'gps_position' && !planned.has(e.office));
  const seenOff = new Set<string>();
  for (const e of offRoute) {
    if (seenOff.has(e.office!)) continue;
    seenOff.add(e.office!);
    raise('off_route_crossing', 'high', `off_route:${e.office}`, { office: e.office!, country: e.country ?? '', at: iso(e.at), planned: m.points.map((p) => p.office).join(' → ') }, [e.eventId]);
  }

  // planned checkpoints skipped: not read, though a later point was (and long enough ago for late data to have come in).
  // One root cause, one alert: a detour (an off-route office seen between the points reached before and after) explains the miss.
  for (let i = 1; i < last && mode === 'full'; i++) {
    if (reachedAt.has(i) || lastReached <= i) continue;
    const p = m.points[i];
    let before: DetectorEvent | undefined;
    let beforeK = -1;
    let after: DetectorEvent | undefined;
    for (const [k, e] of reachedAt) {
      if (k < i && k > beforeK) [before, beforeK] = [e, k];
      if (k > i && (!after || e.at < after.at)) after = e;
    }
    const from = before?.at ?? -Infinity;
    const detour = offRoute.some((e) => (e.at >= from && e.at <= after!.at) || (e.country === p.country && e.neighbour !== undefined && e.neighbour === p.neighbour));
    if (detour) continue;
    if (now - after!.at < t.settleHours * H) continue;
    raise('skipped_checkpoint', 'high', `skipped:${p.office}`, { office: p.office, country: p.country, laterOffice: after!.office ?? '', laterAt: iso(after!.at) }, [after!.eventId]);
  }

  // never closed, or overdue
  const open = !arrival && m.status !== 'arrived';
  const declared = m.limitSource === 'declared';
  const limitParams = { limitSource: m.limitSource ?? 'proposed', timeLimit: iso(m.timeLimit), proposedLimit: m.proposedLimit !== undefined ? iso(m.proposedLimit) : null, toleranceHours: t.arrivalToleranceHours };
  if (open && mode === 'full' && now > m.timeLimit + t.closureGraceHours * H) {
    const lastSeen = trusted.length ? trusted[trusted.length - 1] : undefined;
    const where = lastSeen ? (lastSeen.office ?? (lastSeen.lat !== undefined ? `${round(lastSeen.lat, 3)},${round(lastSeen.lon!, 3)}` : '')) : '';
    raise('never_closed', 'critical', 'never_closed', { timeLimit: iso(m.timeLimit), limitSource: limitParams.limitSource, daysOver: round((now - m.timeLimit) / (24 * H)), lastOffice: where, lastSeenAt: lastSeen ? iso(lastSeen.at) : '' }, lastSeen ? [lastSeen.eventId] : []);
  } else {
    let late: { i: number; e?: DetectorEvent; hours: number } | undefined;
    // a declared limit is the legal one: only the arrival is judged against it (the checkpoints have no declared times)
    for (let i = declared ? last : 1; i <= last && !late; i++) {
      const tol = (i === last ? t.arrivalToleranceHours : t.checkpointToleranceHours) * H;
      const e = reachedAt.get(i);
      const due = m.points[i].expectedAt + tol;
      if (e && e.at > due) late = { i, e, hours: (e.at - m.points[i].expectedAt) / H };
      else if (!e && open && mode === 'full' && (declared || i === lastReached + 1) && now > due) late = { i, hours: (now - m.points[i].expectedAt) / H };
      // a point not read while a later one was: judged by the later one
    }
    if (late) {
      const p = m.points[late.i];
      raise(
        'overdue',
        late.hours > 24 ? 'high' : 'medium',
        'overdue',
        { office: p.office, country: p.country, destination: late.i === last, expectedAt: iso(p.expectedAt), reachedAt: late.e ? iso(late.e.at) : null, hoursLate: round(late.hours), ...limitParams, toleranceHours: late.i === last ? t.arrivalToleranceHours : t.checkpointToleranceHours },
        late.e ? [late.e.eventId] : [],
      );
    }
  }

  // seals
  const declaredSeals = new Set(m.seals);
  for (const e of trusted) {
    if (e.type !== 'seal_check' || !e.seals) continue;
    for (const s of e.seals) {
      if (!s.intact) raise('seal_tampered', 'critical', `seal_broken:${s.number}`, { seal: s.number, how: 'broken', office: e.office ?? '', at: iso(e.at) }, [e.eventId]);
      else if (!declaredSeals.has(s.number)) raise('seal_tampered', 'critical', `seal_changed:${s.number}`, { seal: s.number, how: 'changed', declared: m.seals.join(', '), office: e.office ?? '', at: iso(e.at) }, [e.eventId]);
    }
  }

  // weight
  let prev: DetectorEvent | undefined;
  for (const e of trusted) {
    if (e.type !== 'weighing' || e.grossMassKg === undefined) continue;
    const vsDeclared = (Math.abs(e.grossMassKg - m.grossMassKg) / m.grossMassKg) * 100;
    const vsPrev = prev ? (Math.abs(e.grossMassKg - prev.grossMassKg!) / prev.grossMassKg!) * 100 : 0;
    if (vsDeclared > t.weightTolerancePct || vsPrev > t.weightTolerancePct) {
      const against = vsPrev > t.weightTolerancePct ? prev! : undefined;
      raise(
        'weight_mismatch',
        'high',
        'weight',
        { office: e.office ?? '', at: iso(e.at), weighedKg: e.grossMassKg, declaredKg: m.grossMassKg, previousKg: against?.grossMassKg ?? null, previousOffice: against?.office ?? null, pct: round(Math.max(vsDeclared, vsPrev)), tolerancePct: t.weightTolerancePct },
        against ? [against.eventId, e.eventId] : [e.eventId],
      );
      break;
    }
    prev = e;
  }

  // impossible travel between consecutive located events (a cloned tag's twin is not the vehicle: set aside above)
  const located = trusted.filter((e) => e.lat !== undefined && e.lon !== undefined);
  for (let i = 1; i < located.length; i++) {
    const a = located[i - 1];
    const b = located[i];
    const km = haversineKm(a.lat!, a.lon!, b.lat!, b.lon!);
    if (km < t.minDistanceKm) continue;
    const hours = (b.at - a.at) / H;
    const speed = hours > 0 ? km / hours : Infinity;
    if (speed > t.maxSpeedKmh) {
      raise(
        'impossible_travel',
        'high',
        'impossible_travel',
        { from: a.office ?? `${round(a.lat!, 3)},${round(a.lon!, 3)}`, to: b.office ?? `${round(b.lat!, 3)},${round(b.lon!, 3)}`, km: Math.round(km), minutes: Math.round(hours * 60), kmh: Number.isFinite(speed) ? Math.round(speed) : null, maxKmh: t.maxSpeedKmh },
        [a.eventId, b.eventId],
      );
      break;
    }
  }
  return { alerts: out, twins };
}

export const WITHDRAWAL_REASONS = ['clone_twin', 'superseded', 'declaration_amended', 'later_events', 'reevaluated'] as const;
export type WithdrawalReason = (typeof WITHDRAWAL_REASONS)[number];

/** What a superseding alert replaces: the same root cause, told better. */
const SUPERSEDES: Partial<Record<AlertKind, AlertKind[]>> = { never_closed: ['overdue'], cloned_tag: ['impossible_travel', 'off_route_crossing'], off_route_crossing: ['skipped_checkpoint'] };

/**
 * Why an open alert no longer holds, from what changed: a read now explained as a cloned tag's
 * twin, an alert that tells the same root cause better, an amended declaration, or the events
 * that came in since (out of order, or late from an offline post).
 */
export function withdrawalReason(
  alert: { kind: string; params: Record<string, unknown>; evidence: { eventIds?: string[] } },
  ctx: { now: MovementAnalysis; events: DetectorEvent[]; newEventIds: string[]; amended?: boolean },
): { reason: WithdrawalReason; params: Record<string, string | number | boolean | null>; explainedBy: string[] } {
  const ev = alert.evidence.eventIds ?? [];
  const twins = ev.filter((id) => ctx.now.twins.has(id));
  if (twins.length) {
    const clone = ctx.now.alerts.find((a) => a.kind === 'cloned_tag');
    const genuine = (clone?.evidence.eventIds ?? []).filter((id) => !ctx.now.twins.has(id));
    return { reason: 'clone_twin', params: { tag: (clone?.params.tag as string) ?? '', twin: twins.join(', '), genuine: genuine.join(', ') }, explainedBy: genuine.length ? genuine : twins };
  }
  const by = ctx.now.alerts.find((a) => SUPERSEDES[a.kind]?.includes(alert.kind as AlertKind));
  if (by) return { reason: 'superseded', params: { by: by.kind, byKey: by.key }, explainedBy: by.evidence.eventIds };
  if (ctx.amended) return { reason: 'declaration_amended', params: {}, explainedBy: [] };
  const fresh = new Set(ctx.newEventIds);
  const news = ctx.events.filter((e) => fresh.has(e.eventId));
  if (news.length) {
    const office = typeof alert.params.office === 'string' ? alert.params.office : undefined;
    const at = news.find((e) => office && e.office === office) ?? news[0];
    return { reason: 'later_events', params: { eventId: at.eventId, type: at.type, office: at.office ?? '', at: iso(at.at), count: news.length }, explainedBy: [at.eventId] };
  }
  return { reason: 'reevaluated', params: {}, explainedBy: [] };
}

// ---------------------------------------------------------------- ports

export interface ArrivalView {
  country: string;
  office: string;
  manifest: string;
  arrivalAt: number;
  consignments: { transportDocument: string; packages: number; grossMassKg: number }[];
  discharges: { eventId: string; transportDocument: string; packages: number; grossMassKg: number; dischargedAt: number }[];
  declarations: { reference: string; transportDocument: string; lodgedAt: number }[];
}

export type ReconciliationStatus = 'matched' | 'not_declared' | 'not_discharged' | 'not_arrived' | 'mismatch' | 'not_manifested' | 'pending';

export interface ReconciliationLine {
  transportDocument: string;
  status: ReconciliationStatus;
  manifest: { packages: number; grossMassKg: number } | null;
  discharge: { packages: number; grossMassKg: number; dischargedAt: string; eventId: string } | null;
  declarations: { reference: string; lodgedAt: string }[];
  notes: string[];
}

/** Manifest ↔ discharge ↔ declaration, line by line for one arrival, with the alerts it justifies. */
export function reconcileArrival(a: ArrivalView, t: Thresholds, now: number, mode: DetectMode = 'full'): { lines: ReconciliationLine[]; alerts: AlertDraft[] } {
  const docs = new Set<string>();
  a.consignments.forEach((c) => docs.add(c.transportDocument));
  a.discharges.forEach((d) => docs.add(d.transportDocument));
  a.declarations.forEach((d) => docs.add(d.transportDocument));
  const lines: ReconciliationLine[] = [];
  const alerts: AlertDraft[] = [];
  const raise = (kind: AlertKind, severity: Severity, doc: string, key: string, params: AlertDraft['params'], eventIds: string[], extra: Record<string, unknown> = {}) =>
    alerts.push({ kind, severity, key: `${doc}:${key}`, params: { manifest: a.manifest, transportDocument: doc, office: a.office, ...params }, evidence: { eventIds, ...extra }, countries: [a.country] });

  for (const doc of [...docs].sort()) {
    const c = a.consignments.find((x) => x.transportDocument === doc);
    const ds = a.discharges.filter((x) => x.transportDocument === doc);
    const decls = a.declarations.filter((x) => x.transportDocument === doc);
    const notes: string[] = [];
    const d = ds.length
      ? { packages: ds.reduce((s, x) => s + x.packages, 0), grossMassKg: ds.reduce((s, x) => s + x.grossMassKg, 0), dischargedAt: Math.min(...ds.map((x) => x.dischargedAt)), eventIds: ds.map((x) => x.eventId) }
      : undefined;
    let status: ReconciliationStatus = 'matched';
    if (c && d) {
      const pkgDiff = d.packages - c.packages;
      const massPct = c.grossMassKg > 0 ? (Math.abs(d.grossMassKg - c.grossMassKg) / c.grossMassKg) * 100 : 0;
      if (Math.abs(pkgDiff) > t.packagesTolerance || massPct > t.massTolerancePct) {
        status = 'mismatch';
        notes.push(`manifest ${c.packages} packages / ${c.grossMassKg} kg; discharged ${d.packages} / ${round(d.grossMassKg)} kg`);
        raise('manifest_discharge_mismatch', Math.abs(pkgDiff) > 0 && massPct > t.massTolerancePct ? 'high' : 'medium', doc, 'mismatch', { manifestPackages: c.packages, dischargedPackages: d.packages, manifestKg: c.grossMassKg, dischargedKg: round(d.grossMassKg), massPct: round(massPct) }, d.eventIds);
      }
    }
    if (!c && d) {
      status = 'not_manifested';
      notes.push('discharged but not on the manifest');
      raise('manifest_discharge_mismatch', 'high', doc, 'not_manifested', { manifestPackages: 0, dischargedPackages: d.packages, manifestKg: 0, dischargedKg: round(d.grossMassKg), massPct: 100 }, d.eventIds);
    }
    if (d && decls.length === 0) {
      const due = d.dischargedAt + t.declarationPeriodDays * 24 * H;
      if (now > due) {
        status = status === 'matched' ? 'not_declared' : status;
        notes.push(`not declared within ${t.declarationPeriodDays} days of discharge`);
        if (mode === 'full') raise('discharged_not_declared', 'high', doc, 'not_declared', { dischargedAt: iso(d.dischargedAt), dueAt: iso(due), days: t.declarationPeriodDays }, d.eventIds);
      } else if (status === 'matched') status = 'pending';
    }
    if (!d && decls.length > 0 && a.discharges.length === 0) {
      // the port has sent no discharge report for this arrival at all: a gap in the data, not a finding
      status = 'pending';
      notes.push('no discharge report received for this arrival');
    } else if (!d && decls.length > 0) {
      const since = Math.max(a.arrivalAt, ...decls.map((x) => x.lodgedAt));
      if (now > since + t.dischargeGraceDays * 24 * H) {
        status = 'not_discharged';
        notes.push(`declared (${decls.map((x) => x.reference).join(', ')}) but never discharged`);
        if (mode === 'full') raise('declared_not_discharged', 'high', doc, 'not_discharged', { declarations: decls.map((x) => x.reference).join(', '), arrivalAt: iso(a.arrivalAt), days: t.dischargeGraceDays }, [], { declarations: decls.map((x) => x.reference) });
      } else status = 'pending';
    }
    if (c && !d && decls.length === 0) {
      status = now > a.arrivalAt + t.dischargeGraceDays * 24 * H ? 'not_arrived' : 'pending';
      if (status === 'not_arrived') notes.push('on the manifest, neither discharged nor declared');
    }
    lines.push({
      transportDocument: doc,
      status,
      manifest: c ? { packages: c.packages, grossMassKg: c.grossMassKg } : null,
      discharge: d ? { packages: d.packages, grossMassKg: round(d.grossMassKg, 3), dischargedAt: iso(d.dischargedAt), eventId: d.eventIds[0] } : null,
      declarations: decls.map((x) => ({ reference: x.reference, lodgedAt: iso(x.lodgedAt) })),
      notes,
    });
  }
  return { lines, alerts };
}
