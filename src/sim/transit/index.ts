/**
 * The transit simulator: trucks and containers crossing the region's real land crossings, with
 * travel times from road distance and speed, rest stops and border queues; port arrivals with
 * manifests, discharges and declarations; and planted anomalies of every detector's kind, with
 * their ground truth kept apart. Deterministic for a seed.
 */
import { withCheckDigit } from '../../modules/declarations/container.ts';
import type { AlertKind } from '../../modules/transit/detectors.ts';
import { haversineKm, officePosition, planRoute } from '../../modules/transit/plan.ts';
import type { MovementInput, TransitEventInput } from '../../modules/transit/schema.ts';
import { DEFAULT_THRESHOLDS } from '../../modules/transit/thresholds.ts';
import type { Office, ReferenceData } from '../../reference/types.ts';
import { Rng } from '../random.ts';

/** The countries linked by road (the Dominican Republic's only land border is with Haiti). */
const MAINLAND = ['GT', 'SV', 'HN', 'NI', 'CR', 'PA'];

export const MOVEMENT_ANOMALIES = ['overdue', 'skipped_checkpoint', 'off_route_crossing', 'seal_tampered', 'weight_mismatch', 'impossible_travel', 'cloned_tag', 'never_closed', 'ambiguous_identification'] as const satisfies readonly AlertKind[];
export const PORT_ANOMALIES = ['discharged_not_declared', 'declared_not_discharged', 'manifest_discharge_mismatch'] as const satisfies readonly AlertKind[];

export interface PlantedAnomaly {
  /** `GT/TRGT...` for a transit, `GT/MANIFEST/BL` for a consignment */
  subject: string;
  kind: AlertKind;
  detail: string;
}

export interface TransitSimOptions {
  seed: number;
  start: Date;
  days: number;
  ref: ReferenceData;
  /** transits departing per day across the region */
  movementsPerDay?: number;
  /** vessel arrivals per day across the region's ports */
  arrivalsPerDay?: number;
  /** share of transits (and of consignments) with a planted anomaly */
  anomalyRate?: number;
  /** share of events delivered late (store-and-forward from a post that was offline) */
  lateRate?: number;
  /** share of events sent twice */
  duplicateRate?: number;
  /** share of transits whose declaration carries the time limit set by the office of departure (the others leave it to Centinela) */
  declaredLimitRate?: number;
  /** share of clean transits with a declared limit that arrive late but within it (slower than Centinela's own estimate) */
  lateLegalRate?: number;
  /** share of seal checks and weighings at posts that identify the transit by what the post sees (seal, plate, container), not by its reference */
  postIdentifiedRate?: number;
  /** share of a cloned tag's reads that reach Centinela before the genuine read they shadow */
  cloneFirstRate?: number;
}

export interface TransitSimulation {
  movements: MovementInput[];
  /** in the order they reach Centinela (not the order they happened) */
  events: TransitEventInput[];
  /** when each of `events` reaches Centinela (ISO 8601), for feeding them with a clock that moves */
  deliveredAt: string[];
  manifests: Record<string, unknown>[];
  declarations: Record<string, unknown>[];
  truth: PlantedAnomaly[];
  /** when to judge: every time limit and legal period has run out by then */
  evaluateAt: Date;
  stats: {
    movements: number;
    events: number;
    outOfOrder: number;
    duplicates: number;
    arrivals: number;
    consignments: number;
    /** transits whose declaration carries its time limit */
    declaredLimits: number;
    /** clean transits arriving after Centinela's own estimate but within the declared limit */
    lateButLegal: number;
    /** events naming the transit by seal, plate or container instead of its reference */
    identifiedByPost: number;
    /** cloned-tag reads delivered before their genuine twin */
    clonesBeforeTwins: number;
  };
}

interface CrossingPair {
  name: string;
  exit: Office;
  entry: Office;
}

const H = 3_600_000;
/** the container ports that trucks leave from and go to (islands and ports without a road left out) */
const GATEWAY_PORTS = ['GTPRQ', 'GTSTC', 'GTPBR', 'SVAQJ', 'HNPCR', 'HNSLO', 'NICIO', 'CRMOB', 'CRLIO', 'CRCAL', 'PABLB', 'PAMIT', 'PACTB'];

export function simulateTransit(o: TransitSimOptions): TransitSimulation {
  const ref = o.ref;
  const rng = Rng.derive(o.seed, 'transit');
  const t = DEFAULT_THRESHOLDS;
  const startMs = o.start.getTime();
  const endMs = startMs + o.days * 86_400_000;
  const anomalyRate = o.anomalyRate ?? 0.12;

  // the road network: crossings between mainland countries, each with its two sides
  const borderOffices = ref.offices().filter((x) => x.kind === 'land_border' && x.crossing && officePosition(ref, x.code));
  const pairs = new Map<string, CrossingPair[]>();
  for (const a of borderOffices) {
    if (!MAINLAND.includes(a.country) || !MAINLAND.includes(a.crossing!.neighbour)) continue;
    const b = borderOffices.find((x) => x.country === a.crossing!.neighbour && x.crossing?.name === a.crossing!.name);
    if (!b) continue;
    const k = `${a.country}-${b.country}`;
    pairs.set(k, [...(pairs.get(k) ?? []), { name: a.crossing!.name, exit: a, entry: b }]);
  }
  const neighbours = (c: string) => MAINLAND.filter((n) => pairs.has(`${c}-${n}`));
  const countryPath = (from: string, to: string): string[] => {
    const prev = new Map<string, string>([[from, '']]);
    const queue = [from];
    while (queue.length) {
      const c = queue.shift()!;
      if (c === to) break;
      for (const n of rng.shuffle(neighbours(c))) {
        if (prev.has(n)) continue;
        prev.set(n, c);
        queue.push(n);
      }
    }
    const path = [to];
    while (path[0] !== from) path.unshift(prev.get(path[0])!);
    return path;
  };
  const withPos = (x: Office) => !!officePosition(ref, x.code);
  const origins = ref.offices().filter((x) => MAINLAND.includes(x.country) && withPos(x) && (GATEWAY_PORTS.includes(x.code) || (x.kind === 'land_border' && x.crossing?.neighbour === 'MX')));
  const destinations = ref.offices().filter((x) => MAINLAND.includes(x.country) && withPos(x) && (GATEWAY_PORTS.includes(x.code) || x.kind === 'inland'));
  const farOffices = ref.offices().filter((x) => withPos(x) && (x.kind === 'land_border' || x.kind === 'seaport') && x.country !== 'DO');
  const pos = (code: string) => officePosition(ref, code)!;

  const movements: MovementInput[] = [];
  const timeline: { e: TransitEventInput; receivedAt: number }[] = [];
  const truth: PlantedAnomaly[] = [];
  let serial = 0;
  let eventSerial = 0;
  const used = new Set<string>();
  /** a fresh identifier: plates, seals and containers are unique across the simulation unless an anomaly makes them not */
  const fresh = (make: () => string) => {
    for (;;) {
      const v = make();
      if (!used.has(v)) {
        used.add(v);
        return v;
      }
    }
  };
  const done: { index: number; used?: boolean; plate: string; departureAt: number; arrivalAt: number | null; byPlate: TransitEventInput[]; mref: { country: MovementInput['country']; reference: string } }[] = [];
  let declaredLimits = 0;
  let lateButLegal = 0;
  let identifiedByPost = 0;
  let clonesBeforeTwins = 0;
  const deliverBefore = new Map<TransitEventInput, TransitEventInput>();
  const evId = () => `sim-${o.seed}-${(++eventSerial).toString(36).padStart(7, '0')}`;

  const nMov = Math.round((o.movementsPerDay ?? 40) * o.days);
  for (let i = 0; i < nMov; i++) {
    const origin = rng.pick(origins);
    let dest = rng.pick(destinations);
    for (let k = 0; k < 20 && dest.country === origin.country; k++) dest = rng.pick(destinations);
    if (dest.country === origin.country) continue;
    const path = countryPath(origin.country, dest.country);
    const crossings = path.slice(1).map((c, k) => rng.pick(pairs.get(`${path[k]}-${c}`)!));
    const route = crossings.flatMap((c) => [c.exit.code, c.entry.code]);
    let departureAt = startMs + rng.float() * (endMs - startMs);
    const country = origin.country;
    const reference = `TR${country}${new Date(startMs).getUTCFullYear()}${String(++serial).padStart(6, '0')}`;
    const subject = `${country}/${reference}`;
    const grossMassKg = Math.round(rng.uniform(6000, 28000));
    const seals = Array.from({ length: rng.int(1, 2) }, () => fresh(() => `S${country}${rng.int(100000, 999999)}`));
    const tag = `E280-${(o.seed >>> 0).toString(16)}-${serial.toString(16).padStart(6, '0')}`;
    const container = rng.chance(0.6) ? [fresh(() => withCheckDigit(`${rng.pick(['MSC', 'MAE', 'CMA', 'HLX', 'EVR'])}U${String(rng.int(0, 999999)).padStart(6, '0')}`))] : [];
    let plate = fresh(() => `C${rng.int(100, 999)}${String.fromCharCode(65 + rng.int(0, 25), 65 + rng.int(0, 25), 65 + rng.int(0, 25))}`);
    const anomaly = rng.chance(anomalyRate) ? rng.pick(MOVEMENT_ANOMALIES) : undefined;
    // a cloned plate: this truck carries the plate of one already on the road, and the scale at departure knows only the plate
    const twinOf = anomaly === 'ambiguous_identification' ? rng.shuffle(done.filter((d) => !d.used && d.arrivalAt !== null && d.arrivalAt - d.departureAt > 4 * H)).find((d) => d.departureAt + 3 * H < endMs) : undefined;
    if (twinOf) {
      twinOf.used = true;
      plate = twinOf.plate;
      departureAt = twinOf.departureAt + rng.uniform(1.5, Math.min(3, (twinOf.arrivalAt! - twinOf.departureAt) / H - 1)) * H;
      // the other truck's own reads by plate would be ambiguous too: it named itself by reference
      for (const e of twinOf.byPlate) {
        delete e.plate;
        e.movement = twinOf.mref;
        identifiedByPost--;
      }
      twinOf.byPlate.length = 0;
    }
    const m: MovementInput = {
      reference,
      country: country as MovementInput['country'],
      mode: 3,
      officeOfDeparture: origin.code,
      officeOfDestination: dest.code,
      route,
      departureAt: new Date(departureAt).toISOString(),
      conveyance: { plate, plateCountry: country, rfidTag: tag, containers: container },
      seals,
      guarantee: { reference: `G-${reference}`, amount: Math.round(grossMassKg * rng.uniform(2, 8)), currency: 'USD' },
      goods: { description: rng.pick(['Electrodomésticos', 'Textiles', 'Repuestos de vehículos', 'Bebidas', 'Productos farmacéuticos', 'Neumáticos']), packages: rng.int(10, 1200), grossMassKg },
    };
    movements.push(m);
    const plan = planRoute(ref, [origin.code, ...route, dest.code], departureAt, 3, t);
    // the time limit as the office of departure sets it: usually well above Centinela's own estimate from the route
    if (rng.chance(o.declaredLimitRate ?? 0.85)) {
      m.timeLimit = iso(Math.ceil((departureAt + (plan.timeLimit - departureAt) * rng.uniform(1.7, 2.2)) / H) * H);
      declaredLimits++;
    }
    const limit = m.timeLimit ? Date.parse(m.timeLimit) : plan.timeLimit;
    // where the anomaly strikes: a checkpoint index among the route (1..route.length), or the destination
    // (a skipped checkpoint needs a later point to be seen at, so it never strikes the destination)
    const strike = anomaly === 'skipped_checkpoint' && plan.points.length > 2 ? rng.int(1, plan.points.length - 2) : rng.int(1, plan.points.length - 1);
    const mref = { country: country as MovementInput['country'], reference };
    const list: TransitEventInput[] = [];
    const byPlate: TransitEventInput[] = [];
    /** how a post names the transit in a seal check or weighing: by reference, or by what it sees */
    const postId = (strike: boolean): Partial<TransitEventInput> => {
      if (anomaly === 'ambiguous_identification' || !rng.chance(o.postIdentifiedRate ?? 0.4)) return { movement: mref };
      identifiedByPost++;
      const how = strike ? 'plate' : rng.pick(container.length ? ['seal', 'plate', 'container'] : ['seal', 'plate']);
      return how === 'seal' ? { seal: rng.pick(seals) } : how === 'container' ? { container: container[0] } : { plate };
    };
    let strikeFrom = -1;
    const eseal = rng.chance(0.35);
    let now = departureAt;
    let driving = 0;
    if (twinOf) {
      list.push({ eventId: evId(), type: 'weighing', at: iso(now - 40 * 60_000), plate, office: origin.code, grossMassKg: noisy(rng, grossMassKg) });
      truth.push({ subject: `${country}/plate:${plate}`, kind: 'ambiguous_identification', detail: `plate ${plate} also on ${twinOf.mref.country}/${twinOf.mref.reference}` });
    } else list.push({ eventId: evId(), type: 'weighing', at: iso(now - 40 * 60_000), movement: mref, office: origin.code, grossMassKg: noisy(rng, grossMassKg) });
    list.push({ eventId: evId(), type: 'seal_check', at: iso(now - 20 * 60_000), movement: mref, office: origin.code, seals: seals.map((n) => ({ number: n, intact: true })) });
    list.push({ eventId: evId(), type: 'departure', at: iso(now), movement: mref, office: origin.code });
    let offRoute: CrossingPair | undefined;
    let delayHours = 0;
    if (anomaly === 'off_route_crossing') {
      const k = rng.int(0, crossings.length - 1);
      const alts = pairs.get(`${crossings[k].exit.country}-${crossings[k].entry.country}`)!.filter((c) => c.name !== crossings[k].name);
      if (alts.length) {
        offRoute = rng.pick(alts);
        (offRoute as CrossingPair & { replaces?: number }).replaces = k;
      }
    }
    for (let p = 1; p < plan.points.length; p++) {
      const pt = plan.points[p];
      const prevPt = plan.points[p - 1];
      // the actual office reached (the off-route crossing replaces both sides of a planned one)
      let office = pt.office;
      if (offRoute) {
        const k = (offRoute as CrossingPair & { replaces?: number }).replaces!;
        if (route[2 * k] === pt.office) office = offRoute.exit.code;
        if (route[2 * k + 1] === pt.office) office = offRoute.entry.code;
      }
      const from = pos(p === 1 ? origin.code : list.findLast((e) => e.office)!.office!);
      const to = pos(office);
      const km = haversineKm(from.lat, from.lon, to.lat, to.lon) * t.roadFactor;
      const legStart = now;
      let hours = km / rng.uniform(42, 58);
      driving += hours;
      while (driving > 9) {
        hours += 7; // a night's rest
        driving -= 9;
      }
      if (p === strike) strikeFrom = list.length;
      if (anomaly === 'never_closed' && p === strike) {
        truth.push({ subject, kind: 'never_closed', detail: `vanished after ${prevPt.office}` });
        break;
      }
      if (eseal) {
        for (let g = legStart + 2 * H; g < legStart + hours * H - 30 * 60_000; g += 2 * H) {
          const f = (g - legStart) / (hours * H);
          list.push({ eventId: evId(), type: 'gps_position', at: iso(g), movement: mref, lat: round5(from.lat + (to.lat - from.lat) * f), lon: round5(from.lon + (to.lon - from.lon) * f), device: `ESEAL-${serial}` });
        }
      }
      now += hours * H;
      const isLast = p === plan.points.length - 1;
      const isExit = !isLast && plan.points[p + 1].country !== pt.country;
      if (isExit) now += Math.min(12, rng.logNormal(2, 0.7)) * H; // queue at the exit post
      else if (!isLast) now += rng.uniform(0.25, 1.5) * H; // from one side of the bridge to the other
      const skip = anomaly === 'skipped_checkpoint' && p === strike && !isLast;
      if (skip) truth.push({ subject, kind: 'skipped_checkpoint', detail: `no read at ${office}` });
      if (!skip) {
        if (!isLast) list.push({ eventId: evId(), type: 'rfid_read', at: iso(now), tag, office, direction: isExit ? 'exit' : 'entry' });
        else list.push({ eventId: evId(), type: 'gate_in', at: iso(now), movement: mref, office });
        const checkSeals = isLast || (!isExit && rng.chance(0.4)) || (anomaly === 'seal_tampered' && p === strike);
        if (checkSeals) {
          let found = seals.map((n) => ({ number: n, intact: true }));
          const sealStrike = anomaly === 'seal_tampered' && p === strike;
          if (sealStrike) {
            if (rng.chance(0.5)) found = found.map((s, k) => (k === 0 ? { ...s, intact: false } : s));
            else found = [{ number: `S${country}${rng.int(100000, 999999)}`, intact: true }, ...found.slice(1)];
            truth.push({ subject, kind: 'seal_tampered', detail: `at ${office}: ${JSON.stringify(found[0])}` });
          }
          const ident = isLast ? { movement: mref } : postId(sealStrike);
          const e: TransitEventInput = { eventId: evId(), type: 'seal_check', at: iso(now + 10 * 60_000), ...ident, office, seals: found };
          if (e.plate) byPlate.push(e);
          list.push(e);
        }
        const weigh = isLast || (!isExit && rng.chance(0.25)) || (anomaly === 'weight_mismatch' && p === strike);
        if (weigh) {
          let kg = noisy(rng, grossMassKg);
          if (anomaly === 'weight_mismatch' && p === strike) {
            kg = Math.round(grossMassKg * (rng.chance(0.7) ? rng.uniform(0.72, 0.9) : rng.uniform(1.08, 1.2)));
            truth.push({ subject, kind: 'weight_mismatch', detail: `${kg} kg at ${office} vs ${grossMassKg} declared` });
          }
          const ident = isLast ? { movement: mref } : postId(anomaly === 'weight_mismatch' && p === strike);
          const e: TransitEventInput = { eventId: evId(), type: 'weighing', at: iso(now + 20 * 60_000), ...ident, office, grossMassKg: kg };
          if (e.plate) byPlate.push(e);
          list.push(e);
        }
        if (isLast) list.push({ eventId: evId(), type: 'arrival', at: iso(now + 45 * 60_000), movement: mref, office });
      }
      if (isExit || isLast) driving = 0;
    }
    if (offRoute) truth.push({ subject, kind: 'off_route_crossing', detail: `crossed at ${offRoute.name} instead of the planned crossing` });
    // held on the road: everything from the strike on happens later. Overdue: past the limit in force and its tolerance;
    // late but legal (noise): after Centinela's own estimate, within the declared limit
    const arrivalEv = list.find((e) => e.type === 'arrival');
    const hold = (from: number, hours: number) => {
      for (let k = from; k < list.length; k++) list[k].at = iso(Date.parse(list[k].at) + hours * H);
    };
    if (anomaly === 'overdue' && arrivalEv && strikeFrom >= 0) {
      delayHours = Math.max(0, (limit + t.arrivalToleranceHours * H - Date.parse(arrivalEv.at)) / H) + rng.uniform(4, 30);
      hold(strikeFrom, delayHours);
      truth.push({ subject, kind: 'overdue', detail: `held ${delayHours.toFixed(0)} h before ${plan.points[strike].office}; limit ${m.timeLimit ? 'declared' : 'proposed'} ${iso(limit)}` });
    } else if (!anomaly && m.timeLimit && arrivalEv && rng.chance(o.lateLegalRate ?? 0.2)) {
      const target = departureAt + (limit - departureAt) * rng.uniform(0.7, 0.95);
      const arr = Date.parse(arrivalEv.at);
      if (target > arr && target > plan.timeLimit + t.arrivalToleranceHours * H) {
        const from = list.findIndex((e) => Date.parse(e.at) > departureAt + H && e.office);
        if (from >= 0) {
          hold(from, (target - arr) / H);
          lateButLegal++;
        }
      }
    }
    if (anomaly === 'impossible_travel' || anomaly === 'cloned_tag') {
      const reads = list.filter((e) => e.type === 'rfid_read');
      const anchor = anomaly === 'cloned_tag' ? (reads.length ? rng.pick(reads) : undefined) : rng.pick(list.filter((e) => e.office && e.type !== 'departure'));
      if (anchor) {
        const a = pos(anchor.office!);
        const route1 = new Set([origin.code, ...route, dest.code]);
        const candidates = farOffices.filter((x) => !route1.has(x.code) && (anomaly !== 'cloned_tag' || x.kind === 'land_border') && haversineKm(a.lat, a.lon, pos(x.code).lat, pos(x.code).lon) > (anomaly === 'cloned_tag' ? 150 : 350));
        if (candidates.length) {
          const far = rng.pick(candidates);
          const at = Date.parse(anchor.at) + rng.uniform(5, 40) * 60_000 * (rng.chance(0.5) ? 1 : -1);
          if (anomaly === 'cloned_tag') {
            if (far.kind === 'land_border') {
              const twin: TransitEventInput = { eventId: evId(), type: 'rfid_read', at: iso(at), tag, office: far.code, direction: rng.chance(0.5) ? 'exit' : 'entry' };
              list.push(twin);
              if (rng.chance(o.cloneFirstRate ?? 0.6)) {
                deliverBefore.set(twin, anchor);
                clonesBeforeTwins++;
              }
              truth.push({ subject, kind: 'cloned_tag', detail: `tag read at ${far.code} near ${anchor.office} at the same time` });
            }
          } else {
            const fp = pos(far.code);
            list.push({ eventId: evId(), type: 'gps_position', at: iso(at), movement: mref, lat: round5(fp.lat + rng.uniform(-0.05, 0.05)), lon: round5(fp.lon + rng.uniform(-0.05, 0.05)), device: `ESEAL-${serial}` });
            truth.push({ subject, kind: 'impossible_travel', detail: `GPS fix near ${far.code} ${Math.abs((at - Date.parse(anchor.at)) / 60_000).toFixed(0)} min from a read at ${anchor.office}` });
          }
        }
      }
    }
    const received = new Map(list.map((e) => [e, Date.parse(e.at) + deliveryDelay(rng, o.lateRate ?? 0.05)]));
    // a cloned tag's read that reaches Centinela before the genuine read it shadows
    // (the genuine read's post was slow to send it: it reaches Centinela minutes after the clone's)
    for (const [twin, genuine] of deliverBefore) if (received.has(twin)) received.set(genuine, Math.max(received.get(genuine)!, received.get(twin)! + rng.uniform(1, 20) * 60_000));
    for (const e of list) timeline.push({ e, receivedAt: received.get(e)! });
    const arrived = list.find((e) => e.type === 'arrival');
    done.push({ index: movements.length - 1, used: !!twinOf, plate, departureAt, arrivalAt: arrived ? Date.parse(arrived.at) : null, byPlate, mref });
  }

  // ports: vessel arrivals with manifests, discharges and import declarations
  const ports = ref.offices().filter((x) => x.kind === 'seaport' && ['GTPRQ', 'GTSTC', 'HNPCR', 'CRMOB', 'CRLIO', 'PAMIT', 'PABLB', 'NICIO', 'SVAQJ', 'DOCAU'].includes(x.code));
  const hsCodes = ['851713', '392690', '870323', '300490', '220300', '610910', '401110', '847130'].filter((c) => ref.isHsSubheading(c));
  const manifests: Record<string, unknown>[] = [];
  const declarations: Record<string, unknown>[] = [];
  const nArr = Math.round((o.arrivalsPerDay ?? 4) * o.days);
  let consignmentCount = 0;
  for (let i = 0; i < nArr && ports.length; i++) {
    const port = rng.pick(ports);
    const arrivalAt = startMs + rng.float() * (endMs - startMs);
    const mref = `MF${port.code}${String(i + 1).padStart(5, '0')}`;
    const cons: Record<string, unknown>[] = [];
    const n = rng.int(3, 8);
    for (let k = 0; k < n; k++) {
      const td = `BL${port.code.slice(2)}${String(i + 1).padStart(5, '0')}${String(k + 1).padStart(2, '0')}`;
      const packages = rng.int(5, 900);
      const gross = Math.round(rng.uniform(500, 24000));
      const container = withCheckDigit(`${rng.pick(['MSC', 'MAE', 'CMA', 'HLX', 'EVR'])}U${String(rng.int(0, 999999)).padStart(6, '0')}`);
      cons.push({ transportDocument: td, shipper: 'Shenzhen Trading Co.', consignee: `Importadora ${k + 1} S.A.`, consigneeTin: `${port.country}-${rng.int(100000, 999999)}`, description: 'General cargo', packages, grossMassKg: gross, containers: [container] });
      consignmentCount++;
      const subject = `${port.country}/${mref}/${td}`;
      const anomaly = rng.chance(anomalyRate) ? rng.pick(PORT_ANOMALIES) : undefined;
      const dischargedAt = arrivalAt + rng.uniform(2, 20) * H;
      if (anomaly !== 'declared_not_discharged') {
        let dp = packages;
        let dm = noisy(rng, gross, 0.005);
        if (anomaly === 'manifest_discharge_mismatch') {
          if (rng.chance(0.5)) dp = Math.max(0, packages - rng.int(1, Math.max(1, Math.ceil(packages * 0.2))));
          else dm = Math.round(gross * rng.uniform(0.7, 0.88));
          truth.push({ subject, kind: 'manifest_discharge_mismatch', detail: `manifest ${packages}/${gross} kg, discharged ${dp}/${dm} kg` });
        }
        const e: TransitEventInput = { eventId: evId(), type: 'discharge', at: iso(dischargedAt), office: port.code, discharge: { manifest: mref, transportDocument: td, packages: dp, grossMassKg: dm, containers: [container] } };
        timeline.push({ e, receivedAt: dischargedAt + deliveryDelay(rng, o.lateRate ?? 0.05) });
      } else truth.push({ subject, kind: 'declared_not_discharged', detail: 'declared, never discharged' });
      if (anomaly === 'discharged_not_declared') {
        truth.push({ subject, kind: 'discharged_not_declared', detail: 'discharged, never declared' });
        continue;
      }
      const hs = rng.pick(hsCodes);
      const net = Math.round(gross * 0.9);
      declarations.push({
        reference: `IM-${mref}-${k + 1}`,
        country: port.country,
        type: 'IM',
        office: port.code,
        lodgedAt: iso(dischargedAt + rng.uniform(1, 10 * 24) * H),
        declarant: { tin: 'BRK-100200', name: 'Agencia Aduanal Regional S.A.', country: port.country },
        importer: { tin: String(cons[k].consigneeTin), name: String(cons[k].consignee), country: port.country },
        manifestReference: mref,
        transportDocument: td,
        transport: { mode: 1, conveyance: `MV ${mref}`, containers: [container] },
        items: [{ line: 1, hsCode: hs, description: 'General cargo', origin: 'CN', quantity: packages, unit: 'NPR', netMassKg: net, grossMassKg: gross, customsValue: Math.round(gross * rng.uniform(2, 12)), currency: 'USD', dutyRate: 10 }],
      });
    }
    manifests.push({ reference: mref, country: port.country, office: port.code, mode: 1, carrier: 'Mediterranean Shipping Company', conveyance: `MV ${mref}`, voyage: `V${i + 1}`, arrivalAt: iso(arrivalAt), consignments: cons });
  }

  // delivery order: by the time each event reaches Centinela; some are sent twice
  timeline.sort((a, b) => a.receivedAt - b.receivedAt);
  const events: TransitEventInput[] = [];
  const deliveredAt: string[] = [];
  let duplicates = 0;
  for (const x of timeline) {
    events.push(x.e);
    deliveredAt.push(iso(x.receivedAt));
    if (rng.chance(o.duplicateRate ?? 0.02)) {
      events.push(structuredClone(x.e));
      deliveredAt.push(iso(x.receivedAt + 1000));
      duplicates++;
    }
  }
  let outOfOrder = 0;
  let maxAt = -Infinity;
  for (const e of events) {
    const a = Date.parse(e.at);
    if (a < maxAt) outOfOrder++;
    maxAt = Math.max(maxAt, a);
  }
  return {
    movements,
    events,
    deliveredAt,
    manifests,
    declarations,
    truth,
    evaluateAt: new Date(endMs + 20 * 86_400_000),
    stats: { movements: movements.length, events: events.length, outOfOrder, duplicates, arrivals: manifests.length, consignments: consignmentCount, declaredLimits, lateButLegal, identifiedByPost, clonesBeforeTwins },
  };
}

function iso(ms: number): string {
  return new Date(Math.round(ms)).toISOString();
}
function round5(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}
function noisy(rng: Rng, kg: number, sd = 0.006): number {
  return Math.round(kg * (1 + Math.max(-0.012, Math.min(0.012, rng.normal(0, sd)))));
}
/** minutes usually; now and then hours or a day or two (a post that was offline sends later) */
function deliveryDelay(rng: Rng, lateRate: number): number {
  return rng.chance(lateRate) ? rng.uniform(1, 48) * H : rng.uniform(0, 5) * 60_000;
}
