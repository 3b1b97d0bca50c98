/**
 * Arrivals: the day's sea consignments grouped onto vessels (bulk carriers alone, boxes by line,
 * groupage in shared consolidation containers), air consignments onto flights, and trucks timed at
 * their border post; each manifest's declarations then lodged after the arrival (some the next day,
 * some after the simulated period).
 */
import { AIR_CARRIERS, BULK_CARRIERS, SEA } from './carriers.ts';
import type { DayPlan } from './day.ts';
import type { DeclPlan, ManifestPlan } from './types.ts';

function lodge(ctx: DayPlan, p: DeclPlan, arrivalSecs: number, minDelay: number, maxDelay: number, canWait: boolean): void {
  const { rng, cfg, day, days, decls, carry } = ctx;
  let d = day;
  let secs: number;
  if (canWait && rng.chance(cfg.nextDayLodgementShare)) {
    d = day + 1;
    secs = rng.uniform(7 * 3600, 18 * 3600);
  } else {
    secs = arrivalSecs + rng.uniform(minDelay, maxDelay);
    if (secs > 23.5 * 3600) {
      d = day + 1;
      secs = rng.uniform(8 * 3600, 10 * 3600);
    }
  }
  p.lodgeDay = d;
  p.lodgeSecs = secs;
  p.epoch = ctx.epochOf(d, secs);
  if (d === day) decls.push(p);
  else if (d < days) carry.push(p);
  else if (p.consignment) p.consignment.fate = 'declared_after_period';
}

function flush(ctx: DayPlan, m: ManifestPlan): void {
  const { manifests } = ctx;
  m.epoch = ctx.epochOf(m.arrivalDay, m.arrivalSecs);
  manifests.push(m);
  for (const c of m.consignments) {
    const p = c.decl;
    if (!p) continue;
    p.manifest = m;
    p.conveyance = m.conveyance;
    lodge(ctx, p, m.arrivalSecs, 1800, 6 * 3600, p.type === 'IM');
  }
}

/** the vessels, flights and trucks of one administration's day, and the lodging of their declarations */
export function planArrivals(ctx: DayPlan): void {
  const { rng, country, day, ids, aw, seaBuckets, airBuckets, manifests } = ctx;
  seaBuckets.forEach((bucket, bi) => {
    if (bucket.length === 0) return;
    const office = aw.seaports!.items[bi];
    const boxes = bucket.filter((c) => c.load !== 'bulk');
    const bulk = bucket.filter((c) => c.load === 'bulk');
    for (const c of bulk) {
      const [name, , fleet] = rng.pick(BULK_CARRIERS);
      flush(ctx, {
        seq: ctx.nextSeq(),
        country,
        office,
        mode: 1,
        carrier: name,
        conveyance: rng.pick(fleet),
        voyage: `${rng.int(100, 999)}${rng.pick(['N', 'S', 'E', 'W'])}`,
        arrivalDay: day,
        arrivalSecs: rng.uniform(3600, 16 * 3600),
        epoch: 0,
        consignments: [c],
      });
    }
    if (boxes.length === 0) return;
    const nv = Math.max(1, Math.ceil(boxes.length / 35));
    rng.shuffle(boxes);
    for (let v = 0; v < nv; v++) {
      const cons = boxes.filter((_, i) => i % nv === v);
      const carrier = SEA[cons[0].carrierIdx];
      // groupage: consignments less than a container load share consolidation containers
      let shared: string[] = [];
      let room = 0;
      for (const c of cons) {
        if (c.load !== 'lcl') continue;
        if (room <= 0) {
          shared = [ids.container(country, carrier.owner)];
          room = rng.int(3, 8);
        }
        room--;
        c.containers = shared;
        if (c.decl) c.decl.containers = shared;
      }
      flush(ctx, {
        seq: ctx.nextSeq(),
        country,
        office,
        mode: 1,
        carrier: carrier.name,
        conveyance: rng.pick(carrier.fleet),
        voyage: `${rng.int(100, 999)}${rng.pick(['N', 'S', 'E', 'W'])}`,
        arrivalDay: day,
        arrivalSecs: rng.uniform(3600, 16 * 3600),
        epoch: 0,
        consignments: cons,
      });
    }
  });
  airBuckets.forEach((bucket, bi) => {
    if (bucket.length === 0) return;
    const office = aw.airports!.items[bi];
    const nf = Math.max(1, Math.ceil(bucket.length / 25));
    for (let f = 0; f < nf; f++) {
      const cons = bucket.filter((_, i) => i % nf === f);
      const a = AIR_CARRIERS[cons[0].carrierIdx];
      flush(ctx, {
        seq: ctx.nextSeq(),
        country,
        office,
        mode: 4,
        carrier: a[0],
        conveyance: `${a[1]}${rng.int(100, 999)}`,
        arrivalDay: day,
        arrivalSecs: rng.uniform(0, 20 * 3600),
        epoch: 0,
        consignments: cons,
      });
    }
  });
  // trucks: already in `manifests` without timing; time them now
  for (const m of manifests) {
    if (m.mode !== 3 || m.country !== country || m.epoch !== 0) continue;
    m.epoch = ctx.epochOf(m.arrivalDay, m.arrivalSecs);
    for (const c of m.consignments) if (c.decl) lodge(ctx, c.decl, m.arrivalSecs, 300, 3600, false);
  }
}
