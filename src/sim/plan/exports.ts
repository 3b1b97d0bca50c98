/**
 * Exports: an exporter's goods leaving by sea, road (to a neighbour or Mexico) or air, lodged
 * during the working day.
 */
import { ADMINISTRATIONS, type Office } from '../../reference/types.ts';
import { AIR_TABLE, LEASING_OWNERS, plate, SEA_TABLE } from './carriers.ts';
import { chooseMode, containersFor, newDecl, type DayPlan } from './day.ts';
import { applyBehaviour } from './fraud.ts';
import { makeItems } from './items.ts';
import { partyOf, type DeclPlan } from './types.ts';

export function planExport(ctx: DayPlan): DeclPlan {
  const { rng, world, pop, country, aw, cp, day } = ctx;
  const t = cp.exporterTable.pick(rng);
  const h = t.headings.length === 1 ? t.headings[0] : rng.pick(t.headings);
  const dest = world.exportDestinations(country).pick(rng);
  const byLand = aw.landBorders !== null && country !== 'DO' && dest !== 'DO' && (dest === 'MX' || (ADMINISTRATIONS as readonly string[]).includes(dest));
  const mode = chooseMode(ctx, h, byLand ? [0.35, 0.6, 0.05] : [0.85, 0, 0.15]);
  let office: Office;
  if (mode === 3) {
    const facing = aw.landOffices.filter((o) => o.crossing?.neighbour === dest);
    office = facing.length ? rng.pick(facing) : aw.landBorders!.pick(rng);
  } else office = mode === 1 ? aw.seaports!.pick(rng) : aw.airports!.pick(rng);
  const { items, containers, lcl } = makeItems(ctx, h, mode, country, true);
  const p = newDecl(ctx, 'EX', t, office, mode, h, items);
  p.exporter = partyOf(t);
  p.importer = partyOf(rng.pick(pop.foreign(dest)));
  p.destination = dest;
  applyBehaviour(ctx, p, t, ['sibling_subheading', 'gross_mass_typo', 'value_rounding', 'description_vague']);
  if (mode === 1) {
    const carrier = SEA_TABLE.pick(rng);
    p.conveyance = rng.pick(carrier.fleet);
    p.containers = containersFor(ctx, lcl ? 1 : containers, carrier.owner);
  } else if (mode === 3) {
    p.nationality = country;
    p.conveyance = plate(rng, country);
    p.containers = containersFor(ctx, containers, rng.pick(LEASING_OWNERS));
  } else {
    const a = AIR_TABLE.pick(rng);
    p.conveyance = `${a[1]}${rng.int(100, 999)}`;
  }
  p.lodgeSecs = 7 * 3600 + (rng.float() + rng.float()) * 6 * 3600;
  p.epoch = ctx.epochOf(day, p.lodgeSecs);
  return p;
}
