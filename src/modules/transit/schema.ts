/**
 * The JSON contracts of transit: transit declarations (movements) and events from ports, border
 * posts and devices. Reference checks (offices, crossings, container check digits) are part of the
 * schema, so one parse reports every field at fault by its path.
 */
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { ADMINISTRATIONS, type ReferenceData } from '../../reference/types.ts';
import { checkContainer } from '../declarations/container.ts';
import { officePosition } from './plan.ts';

export const EVENT_TYPES = [
  'departure',
  'gate_in',
  'gate_out',
  'rfid_read',
  'seal_check',
  'weighing',
  'gps_position',
  'arrival',
  'discharge',
  'cancellation',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Event types that put the conveyance at an office. */
export const OFFICE_EVENTS: ReadonlySet<EventType> = new Set(['departure', 'gate_in', 'gate_out', 'rfid_read', 'seal_check', 'weighing', 'arrival', 'discharge']);

/** Modes a transit may use (UN Rec. 19): maritime, rail, road. */
export const TRANSIT_MODES = [1, 2, 3] as const;

export const MOVEMENT_STATUSES = ['declared', 'in_transit', 'arrived', 'cancelled'] as const;
export type MovementStatus = (typeof MOVEMENT_STATUSES)[number];

const FUTURE_TOLERANCE_MS = 10 * 60_000;
const ALWAYS = { when: () => true };
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);
const officeCode = z.string().regex(/^[A-Z]{2}[A-Z0-9]{3}$/, 'must be a UN/LOCODE, e.g. GTPRQ');
const reference = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/, 'must be 1 to 64 letters, digits, dots, slashes, underscores or hyphens');

export function buildTransitContracts({ ref, clock }: { ref: ReferenceData; clock: Clock }) {
  const administration = z.enum(ADMINISTRATIONS, { error: () => `must be one of the administrations Centinela serves: ${ADMINISTRATIONS.join(', ')}` });
  const countryCode = z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code in capitals')
    .refine((c) => ref.isCountry(c), { message: 'unknown country code (ISO 3166-1 alpha-2)', params: { code: 'unknown_country' } });
  const knownOffice = officeCode.superRefine((c, ctx) => {
    if (!ref.office(c)) ctx.addIssue({ code: 'custom', message: 'unknown customs office (UN/LOCODE)', params: { code: 'unknown_office' } });
    else if (!officePosition(ref, c)) ctx.addIssue({ code: 'custom', message: 'this office has no known position, so it cannot be on a transit route', params: { code: 'office_without_position' } });
  });
  const dateTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T14:05:00-06:00' });
  const notFuture = dateTime.superRefine((s, ctx) => {
    if (Date.parse(s) > clock.now().getTime() + FUTURE_TOLERANCE_MS) ctx.addIssue({ code: 'custom', message: 'is in the future', params: { code: 'future_date' } });
  });
  const container = z.string().superRefine((c, ctx) => {
    const p = checkContainer(c);
    if (p === 'format') ctx.addIssue({ code: 'custom', message: 'must be an ISO 6346 container number, e.g. MSCU1234565', params: { code: 'container_format' } });
    else if (p === 'check_digit') ctx.addIssue({ code: 'custom', message: 'ISO 6346 check digit is wrong', params: { code: 'container_check_digit' } });
  });
  const sealNo = z.string().regex(/^[A-Za-z0-9-]{3,32}$/, 'must be a seal number of 3 to 32 letters, digits or hyphens');
  const tag = z.string().regex(/^[A-Za-z0-9:-]{4,64}$/, 'must be an RFID tag id of 4 to 64 letters, digits, colons or hyphens');

  const movement = z
    .strictObject({
      reference,
      country: administration,
      mode: z.union(TRANSIT_MODES.map((m) => z.literal(m)) as [z.ZodLiteral<1>, z.ZodLiteral<2>, z.ZodLiteral<3>], {
        error: () => 'must be a UN Rec. 19 mode a transit may use: 1 (maritime), 2 (rail) or 3 (road)',
      }),
      officeOfDeparture: knownOffice,
      officeOfDestination: knownOffice,
      route: z.array(knownOffice).max(20, 'at most 20 checkpoints').default([]),
      departureAt: dateTime,
      /** the time limit set by the office of departure (DUCA-T / TIM); when omitted Centinela proposes one from the route, and says so */
      timeLimit: dateTime.optional(),
      conveyance: z.strictObject({
        plate: z.string().regex(/^[A-Z0-9-]{3,12}$/, 'must be a plate of 3 to 12 capital letters, digits or hyphens').optional(),
        plateCountry: countryCode.optional(),
        rfidTag: tag.optional(),
        containers: z.array(container).max(10, 'at most 10 containers on one conveyance').default([]),
      }),
      seals: z.array(sealNo).min(1, 'a transit travels under at least one seal').max(20),
      guarantee: z.strictObject({
        reference: text(64),
        amount: z.number({ error: 'must be a number' }).positive('must be greater than zero').max(1e10),
        currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code').refine((c) => ref.isCurrency(c), { message: 'unknown or withdrawn currency (ISO 4217)', params: { code: 'unknown_currency' } }),
      }),
      goods: z.strictObject({
        description: text(500),
        packages: z.number().int('must be a whole number').positive('must be greater than zero').max(1e7),
        grossMassKg: z.number({ error: 'must be a number' }).positive('must be greater than zero').max(1e6, 'mass above 1,000 t on one transit is not plausible'),
        hsCode: z.string().regex(/^\d{4}(\d{2})?$/, 'must be a 4-digit heading or 6-digit subheading').refine((c) => !!ref.hs(c), { message: 'unknown HS 2022 heading or subheading', params: { code: 'unknown_hs_code' } }).optional(),
      }),
      declarant: z.strictObject({ tin: z.string().regex(/^[A-Za-z0-9-]{3,32}$/, 'must be a tax identification number'), name: text(200) }).optional(),
    })
    .superRefine((m, ctx) => {
      if (!m || typeof m !== 'object') return;
      const dep = typeof m.officeOfDeparture === 'string' ? ref.office(m.officeOfDeparture) : undefined;
      if (dep && typeof m.country === 'string' && dep.country !== m.country)
        ctx.addIssue({ code: 'custom', path: ['officeOfDeparture'], message: `office ${dep.code} belongs to ${dep.country}, not to ${m.country}`, params: { code: 'office_of_other_country' } });
      if (m.mode === 3 && !m.conveyance?.plate) ctx.addIssue({ code: 'custom', path: ['conveyance', 'plate'], message: 'a road transit needs the truck plate', params: { code: 'required' } });
      if (m.conveyance?.plate && !m.conveyance.plateCountry) ctx.addIssue({ code: 'custom', path: ['conveyance', 'plateCountry'], message: 'say which country issued the plate', params: { code: 'required' } });
      if (Array.isArray(m.seals)) {
        const seen = new Set<string>();
        m.seals.forEach((s, i) => {
          if (seen.has(s)) ctx.addIssue({ code: 'custom', path: ['seals', i], message: `seal ${s} is listed twice`, params: { code: 'duplicate_seal' } });
          seen.add(s);
        });
      }
      // the route must be continuous: each step stays in a country or crosses to a neighbour at a real crossing
      const route = [m.officeOfDeparture, ...(Array.isArray(m.route) ? m.route : []), m.officeOfDestination];
      if (route.some((c) => typeof c !== 'string' || !ref.office(c))) return;
      const offices = route.map((c) => ref.office(c as string)!);
      const seen = new Set<string>();
      for (let i = 0; i < offices.length; i++) {
        const path = i === 0 ? ['officeOfDeparture'] : i === offices.length - 1 ? ['officeOfDestination'] : ['route', i - 1];
        if (seen.has(offices[i].code)) ctx.addIssue({ code: 'custom', path, message: `office ${offices[i].code} is already on the route`, params: { code: 'duplicate_office' } });
        seen.add(offices[i].code);
        if (i === 0) continue;
        const a = offices[i - 1];
        const b = offices[i];
        if (a.country === b.country) continue;
        const sameCrossing = a.kind === 'land_border' && b.kind === 'land_border' && a.crossing && b.crossing && a.crossing.name === b.crossing.name && a.crossing.neighbour === b.country && b.crossing.neighbour === a.country;
        if (m.mode === 3 && !sameCrossing)
          ctx.addIssue({
            code: 'custom',
            path,
            message: `from ${a.code} (${a.country}) to ${b.code} (${b.country}) is not a crossing: a road route passes from one country to the next through both sides of a land crossing`,
            params: { code: 'route_not_continuous' },
          });
      }
      if (typeof m.timeLimit === 'string' && typeof m.departureAt === 'string') {
        const hours = (Date.parse(m.timeLimit) - Date.parse(m.departureAt)) / 3_600_000;
        if (hours <= 0) ctx.addIssue({ code: 'custom', path: ['timeLimit'], message: 'must be after departureAt', params: { code: 'before_departure' } });
        else if (hours > 90 * 24) ctx.addIssue({ code: 'custom', path: ['timeLimit'], message: 'is more than 90 days after departureAt', params: { code: 'too_long' } });
      }
      if (Date.parse(m.departureAt) > clock.now().getTime() + 30 * 86_400_000)
        ctx.addIssue({ code: 'custom', path: ['departureAt'], message: 'is more than 30 days ahead', params: { code: 'future_date' } });
    }, ALWAYS);

  const event = z
    .strictObject({
      eventId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/, 'must be 1 to 100 letters, digits, dots, colons, slashes, underscores or hyphens'),
      type: z.enum(EVENT_TYPES, { error: () => `must be one of ${EVENT_TYPES.join(', ')}` }),
      at: notFuture,
      movement: z.strictObject({ country: administration, reference }).optional(),
      tag: tag.optional(),
      /** what a post sees when it does not know Centinela's reference: a seal number, the plate, a container */
      seal: sealNo.optional(),
      plate: z.string().regex(/^[A-Z0-9-]{3,12}$/, 'must be a plate of 3 to 12 capital letters, digits or hyphens').optional(),
      container: container.optional(),
      office: knownOffice.optional(),
      direction: z.enum(['exit', 'entry'], { error: () => 'must be exit or entry' }).optional(),
      seals: z.array(z.strictObject({ number: sealNo, intact: z.boolean({ error: 'must be true or false' }) })).min(1, 'list at least one seal').max(20).optional(),
      grossMassKg: z.number({ error: 'must be a number' }).positive('must be greater than zero').max(1e6).optional(),
      lat: z.number({ error: 'must be a number' }).min(-90, 'must be between -90 and 90').max(90, 'must be between -90 and 90').optional(),
      lon: z.number({ error: 'must be a number' }).min(-180, 'must be between -180 and 180').max(180, 'must be between -180 and 180').optional(),
      discharge: z
        .strictObject({
          manifest: reference,
          transportDocument: text(64),
          packages: z.number().int('must be a whole number').nonnegative('must not be negative').max(1e7),
          grossMassKg: z.number({ error: 'must be a number' }).nonnegative('must not be negative').max(5e8),
          containers: z.array(container).max(500).default([]),
        })
        .optional(),
      reason: text(500).optional(),
      device: text(64).optional(),
    })
    .superRefine((e, ctx) => {
      if (!e || typeof e !== 'object') return;
      const need = (field: keyof typeof e, why: string) => {
        if (e[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `${why}`, params: { code: 'required' } });
      };
      if (e.type === 'discharge') {
        need('office', 'a discharge names the port office');
        need('discharge', 'a discharge gives the manifest, transport document, packages and mass discharged');
        if (e.movement) ctx.addIssue({ code: 'custom', path: ['movement'], message: 'a discharge belongs to a port arrival, not to a transit', params: { code: 'not_allowed' } });
        if (e.office && ref.office(e.office) && ref.office(e.office)!.kind !== 'seaport')
          ctx.addIssue({ code: 'custom', path: ['office'], message: 'discharge from a vessel happens at a seaport office', params: { code: 'not_a_seaport' } });
        return;
      }
      if (!e.movement && !e.tag && !e.seal && !e.plate && !e.container)
        ctx.addIssue({ code: 'custom', path: ['movement'], message: 'name the transit (country and reference), or what the post sees: the RFID tag, a seal number, the plate or a container', params: { code: 'required' } });
      if (e.discharge) ctx.addIssue({ code: 'custom', path: ['discharge'], message: 'only a discharge event carries discharge details', params: { code: 'not_allowed' } });
      switch (e.type) {
        case 'rfid_read':
          need('office', 'an RFID read names the border post whose antenna read the tag');
          need('tag', 'an RFID read gives the tag read');
          need('direction', 'an RFID read says exit or entry');
          break;
        case 'seal_check':
          need('office', 'a seal check names the office where it was made');
          need('seals', 'a seal check lists the seals found, each intact or not');
          break;
        case 'weighing':
          need('office', 'a weighing names the office of the scale');
          need('grossMassKg', 'a weighing gives the gross mass of the cargo');
          break;
        case 'gps_position':
          need('lat', 'a GPS position gives the latitude');
          need('lon', 'a GPS position gives the longitude');
          break;
        case 'departure':
        case 'arrival':
        case 'gate_in':
        case 'gate_out':
          need('office', 'this event names the office where it happened');
          break;
        case 'cancellation':
          need('reason', 'a cancellation gives its reason');
          break;
      }
    }, ALWAYS);

  return { movement, event };
}

export type TransitContracts = ReturnType<typeof buildTransitContracts>;
export type MovementInput = z.input<TransitContracts['movement']>;
export type Movement = z.output<TransitContracts['movement']>;
export type TransitEventInput = z.input<TransitContracts['event']>;
export type TransitEvent = z.output<TransitContracts['event']>;
