/**
 * Transit declarations: goods crossing the administration by road between two neighbours, or
 * landed at a seaport for another country; the principal's diversion (goods that never reach the
 * declared destination) is the fraud here. (Trucks' movements and their RFID, seal and weight events
 * are another simulator: src/sim/transit/.)
 */
import { ADMINISTRATIONS, type Administration, type Office } from '../../reference/types.ts';
import { LEASING_OWNERS, plate, SEA, SEA_TABLE } from './carriers.ts';
import { consignmentOf, containersFor, newDecl, portOfLoading, truckManifest, type DayPlan } from './day.ts';
import { applyBehaviour } from './fraud.ts';
import { makeItems } from './items.ts';
import { partyOf } from './types.ts';

export function planTransit(ctx: DayPlan): void {
  const { rng, world, pop, country, aw, cp, day, ids, seaBuckets, manifests } = ctx;
  const t = cp.transitTable.pick(rng);
  if (!aw.transitTo) return;
  const h = t.headings.length === 1 ? t.headings[0] : rng.pick(t.headings);
  let mode: 1 | 3 = aw.landBorders && country !== 'DO' && rng.chance(0.6) ? 3 : 1;
  if (!aw.seaports) mode = 3;
  let office: Office;
  let dispatch: string;
  let destination = '';
  if (mode === 3) {
    office = aw.landBorders!.pick(rng);
    dispatch = office.crossing?.neighbour ?? aw.partners.pick(rng);
    for (let i = 0; i < 6 && !destination; i++) {
      const d = aw.transitTo.pick(rng);
      if (d !== dispatch && d !== country) destination = d;
    }
    if (!destination && aw.seaports) mode = 1;
  }
  let origin: string;
  if (mode === 1) {
    office = aw.seaports!.pick(rng);
    destination = aw.transitTo.pick(rng);
    origin = world.origins(h, country).pick(rng);
    if (origin === destination) origin = 'CN';
    dispatch = origin;
  } else {
    origin = rng.chance(0.5) && dispatch! !== destination ? dispatch! : world.origins(h, country).pick(rng);
    if (origin === destination) origin = 'US';
  }
  if (!destination) return;
  const { items, containers } = makeItems(ctx, h, mode, origin, false);
  const p = newDecl(ctx, 'TR', t, office!, mode, h, items);
  p.dispatch = dispatch!;
  p.destination = destination;
  const consignee = (ADMINISTRATIONS as readonly string[]).includes(destination)
    ? pop.byCountry[destination as Administration].importerTable.pick(rng)
    : rng.pick(pop.foreign(destination));
  p.importer = partyOf(consignee);
  p.exporter = partyOf(rng.pick(pop.foreign(p.dispatch)));
  applyBehaviour(ctx, p, t, ['gross_mass_typo', 'description_vague']);
  if (mode === 1) {
    const carrierIdx = SEA_TABLE.pickIndex(rng);
    const carrier = SEA[carrierIdx];
    p.containers = containersFor(ctx, Math.max(1, containers), carrier.owner);
    const c = consignmentOf(ctx, p, p.exporter.name, consignee, ids.billOfLading(country, carrier.scac), portOfLoading(ctx, p.dispatch), 'fcl');
    c.carrierIdx = carrierIdx;
    c.fate = 'transit';
    seaBuckets[aw.seaports!.items.indexOf(office!)].push(c);
  } else {
    p.nationality = rng.chance(0.6) ? country : dispatch! === 'HT' || dispatch! === 'BZ' ? country : dispatch!;
    p.conveyance = plate(rng, p.nationality);
    p.containers = containersFor(ctx, containers, rng.pick(LEASING_OWNERS));
    const m = truckManifest(ctx, p, t.name);
    const c = consignmentOf(ctx, p, p.exporter.name, consignee, ids.truckDoc(country, day));
    c.fate = 'transit';
    m.consignments.push(c);
    p.manifest = m;
    manifests.push(m);
  }
}
