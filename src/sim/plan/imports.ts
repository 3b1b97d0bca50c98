/**
 * Imports: an importer's consignment by sea (full container, groupage or bulk), air or road, its
 * goods, the trader's fraud or error, and the transport document it travels under. Sea and air
 * consignments wait in the day's buckets for their vessel or flight (arrivals.ts); a truck gets its
 * manifest at once. With `undeclared`, the consignment arrives and is never declared.
 */
import { AIR_CARRIERS, AIR_TABLE, LEASING_OWNERS, plate, SEA, SEA_TABLE } from './carriers.ts';
import { chooseMode, consignmentOf, containersFor, newDecl, portOfLoading, truckManifest, type DayPlan } from './day.ts';
import { applyBehaviour } from './fraud.ts';
import { makeItems, trueOrigin } from './items.ts';
import { partyOf, type DeclPlan } from './types.ts';

export function planImport(ctx: DayPlan, undeclared: boolean, forceMode?: 1 | 4): DeclPlan | null {
  const { rng, world, pop, country, aw, cp, day, ids, seaBuckets, airBuckets, manifests } = ctx;
  const t = cp.importerTable.pick(rng);
  const h = t.headings.length === 1 ? t.headings[0] : rng.pick(t.headings);
  let mode = forceMode ?? chooseMode(ctx, h, aw.modes);
  if (mode === 4 && world.modeAffinity(h)[2] === 0 && aw.seaports) mode = 1;
  const office = mode === 1 ? aw.seaports!.pick(rng) : mode === 3 ? aw.landBorders!.pick(rng) : aw.airports!.pick(rng);
  const neighbour = mode === 3 ? office.crossing?.neighbour : undefined;
  const origin = trueOrigin(ctx, t, h, neighbour);
  const { items, containers, lcl } = makeItems(ctx, h, mode, origin, true);
  const p = newDecl(ctx, 'IM', t, office, mode, h, items);
  p.dispatch = mode === 3 && neighbour ? neighbour : origin;
  p.importer = partyOf(t);
  const seller = rng.pick(pop.foreign(p.dispatch));
  p.seller = partyOf(seller);
  applyBehaviour(ctx, p, t, ['sibling_subheading', 'gross_mass_typo', 'value_rounding', 'wrong_origin', 'description_vague']);
  const shipper = p.seller.name;
  if (mode === 1) {
    const carrierIdx = SEA_TABLE.pickIndex(rng);
    const carrier = SEA[carrierIdx];
    p.containers = containersFor(ctx, containers, carrier.owner);
    const load = lcl ? 'lcl' : containers === 0 ? 'bulk' : 'fcl';
    const c = consignmentOf(ctx, p, shipper, t, ids.billOfLading(country, carrier.scac), portOfLoading(ctx, p.dispatch), load);
    c.carrierIdx = carrierIdx;
    seaBuckets[aw.seaports!.items.indexOf(office)].push(c);
  } else if (mode === 4) {
    const a = AIR_TABLE.pickIndex(rng);
    const c = consignmentOf(ctx, p, shipper, t, ids.airWaybill(country, AIR_CARRIERS[a][2]));
    c.carrierIdx = a;
    airBuckets[aw.airports!.items.indexOf(office)].push(c);
  } else {
    p.nationality = rng.chance(0.5) && neighbour && neighbour !== 'HT' && neighbour !== 'BZ' ? neighbour : country;
    p.conveyance = plate(rng, p.nationality);
    p.containers = containersFor(ctx, containers, rng.pick(LEASING_OWNERS));
    const m = truckManifest(ctx, p, rng.pick(cp.transitPrincipals).name);
    const c = consignmentOf(ctx, p, shipper, t, ids.truckDoc(country, day));
    m.consignments.push(c);
    p.manifest = m;
    manifests.push(m);
  }
  if (undeclared && p.consignment) {
    p.consignment.decl = null;
    p.consignment.fate = 'never_declared';
    return null;
  }
  return p;
}
