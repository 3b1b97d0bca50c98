import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { ADMINISTRATIONS, type ReferenceData } from '../../reference/types.ts';
import { checkContainer } from './container.ts';

/**
 * The JSON contract for declarations and manifests. Field meanings follow the WCO data model,
 * names are plain. Reference checks (HS 2022, ISO codes, offices) are part of the schema, so
 * one parse reports every field at fault.
 */

/** UN Rec. 19 modes of transport. */
export const TRANSPORT_MODES = {
  0: 'not stated',
  1: 'maritime',
  2: 'rail',
  3: 'road',
  4: 'air',
  5: 'mail',
  7: 'fixed installation',
  8: 'inland waterway',
  9: 'own propulsion',
} as const;

/** UN/ECE Rec. 20 units accepted for quantities. */
export const UNITS = ['KGM', 'TNE', 'GRM', 'LTR', 'MTQ', 'MTR', 'MTK', 'H87', 'C62', 'PR', 'DZN', 'SET', 'NAR', 'KWH', 'NPR', 'BX'] as const;

export const DECLARATION_TYPES = ['IM', 'EX', 'TR'] as const;

/** Sane upper bounds: beyond these a number is a typing mistake, not trade. */
export const LIMITS = {
  items: 999,
  quantity: 1e9,
  massKg: 5e8,
  value: 1e11,
  dutyRatePercent: 1000,
  /** how far into the future a timestamp may be (clock skew between systems) */
  futureToleranceMs: 10 * 60_000,
  /** how far into the past a lodgement date may be */
  pastYears: 15,
  containers: 500,
  consignments: 20_000,
  packages: 10_000_000,
};

export interface ContractContext {
  ref: ReferenceData;
  clock: Clock;
}

/** Object-level checks run even when a field inside failed, so one answer lists every fault. */
const ALWAYS = { when: () => true };

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);

export function buildContracts({ ref, clock }: ContractContext) {
  const countryCode = z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code in capitals, e.g. "GT"')
    .refine((c) => ref.isCountry(c), { message: 'unknown country code (ISO 3166-1 alpha-2)', params: { code: 'unknown_country' } });

  const currencyCode = z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code in capitals, e.g. "USD"')
    .refine((c) => ref.isCurrency(c), { message: 'unknown or withdrawn currency (ISO 4217)', params: { code: 'unknown_currency' } });

  const administration = z.enum(ADMINISTRATIONS, {
    error: () => `must be one of the administrations Centinela serves: ${ADMINISTRATIONS.join(', ')}`,
  });

  const pastOrPresent = z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T14:05:00-06:00' })
    .superRefine((s, ctx) => {
      const t = Date.parse(s);
      const now = clock.now().getTime();
      if (t > now + LIMITS.futureToleranceMs) {
        ctx.addIssue({ code: 'custom', message: 'is in the future', params: { code: 'future_date' } });
      } else if (t < now - LIMITS.pastYears * 365.25 * 86_400_000) {
        ctx.addIssue({ code: 'custom', message: `is more than ${LIMITS.pastYears} years in the past`, params: { code: 'date_too_old' } });
      }
    });

  const dateTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone' });

  const party = z.strictObject({
    tin: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{3,32}$/, 'must be a tax identification number of 3 to 32 letters, digits or hyphens'),
    name: text(200),
    country: countryCode,
  });

  const container = z.string().superRefine((c, ctx) => {
    const p = checkContainer(c);
    if (p === 'format') ctx.addIssue({ code: 'custom', message: 'must be an ISO 6346 container number, e.g. MSCU1234565', params: { code: 'container_format' } });
    else if (p === 'check_digit') ctx.addIssue({ code: 'custom', message: 'ISO 6346 check digit is wrong', params: { code: 'container_check_digit' } });
  });

  const transport = z.strictObject({
    mode: z
      .number()
      .int('must be a whole number')
      .refine((m) => m in TRANSPORT_MODES, { message: `must be a UN Rec. 19 mode: ${Object.keys(TRANSPORT_MODES).join(', ')}` }),
    conveyance: text(64).optional(),
    nationality: countryCode.optional(),
    containers: z.array(container).max(LIMITS.containers, `at most ${LIMITS.containers} containers`).default([]),
  });

  const positive = (max: number, what: string) =>
    z.number({ error: 'must be a number' }).positive('must be greater than zero').max(max, `${what} above ${max} is not plausible`);

  const hsCode = z
    .string()
    .regex(/^\d{6}(\d{2}){0,2}$/, 'must be 6, 8 or 10 digits (HS subheading, optionally with national digits)')
    .refine((c) => ref.isHsSubheading(c.slice(0, 6)), { message: 'unknown HS 2022 subheading', params: { code: 'unknown_hs_code' } });

  const item = z
    .strictObject({
      line: z.number().int('must be a whole number').min(1, 'must be 1 or more').max(LIMITS.items),
      hsCode,
      description: text(500),
      origin: countryCode,
      quantity: positive(LIMITS.quantity, 'quantity'),
      unit: z.enum(UNITS, { error: () => `must be a UN/ECE Rec. 20 unit: ${UNITS.join(', ')}` }),
      netMassKg: positive(LIMITS.massKg, 'mass'),
      grossMassKg: positive(LIMITS.massKg, 'mass'),
      customsValue: z.number({ error: 'must be a number' }).nonnegative('must not be negative').max(LIMITS.value, `a value above ${LIMITS.value} is not plausible`),
      currency: currencyCode,
      dutyRate: z.number().min(0, 'must not be negative').max(LIMITS.dutyRatePercent, 'is a percentage; above 1000 is not plausible').optional(),
      preference: text(16).optional(),
    })
    .superRefine((it, ctx) => {
      if (it && typeof it.netMassKg === 'number' && typeof it.grossMassKg === 'number' && it.netMassKg > it.grossMassKg) {
        ctx.addIssue({ code: 'custom', path: ['netMassKg'], message: `net mass (${it.netMassKg} kg) is above gross mass (${it.grossMassKg} kg)`, params: { code: 'net_above_gross' } });
      }
    }, ALWAYS);

  const declaration = z
    .strictObject({
      reference: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/, 'must be 1 to 64 letters, digits, dots, slashes, underscores or hyphens'),
      country: administration,
      type: z.enum(DECLARATION_TYPES, { error: () => 'must be IM (import), EX (export) or TR (transit)' }),
      procedure: z.string().regex(/^\d{4}$/, 'must be a 4-digit procedure code').optional(),
      office: z.string().regex(/^[A-Z]{2}[A-Z0-9]{3}$/, 'must be a UN/LOCODE, e.g. GTPRQ'),
      lodgedAt: pastOrPresent,
      declarant: party,
      importer: party.optional(),
      exporter: party.optional(),
      seller: party.optional(),
      countryOfDispatch: countryCode.optional(),
      countryOfDestination: countryCode.optional(),
      manifestReference: text(64).optional(),
      transportDocument: text(64).optional(),
      transport,
      items: z.array(item).min(1, 'a declaration needs at least one item').max(LIMITS.items, `at most ${LIMITS.items} items`),
    })
    .superRefine((d, ctx) => {
      if (!d || typeof d !== 'object') return;
      if (typeof d.office === 'string' && /^[A-Z]{2}[A-Z0-9]{3}$/.test(d.office)) {
        const office = ref.office(d.office);
        if (!office) ctx.addIssue({ code: 'custom', path: ['office'], message: 'unknown customs office (UN/LOCODE)', params: { code: 'unknown_office' } });
        else if (typeof d.country === 'string' && office.country !== d.country)
          ctx.addIssue({ code: 'custom', path: ['office'], message: `office ${d.office} belongs to ${office.country}, not to ${d.country}`, params: { code: 'office_of_other_country' } });
      }
      if (d.type === 'IM' && !d.importer) ctx.addIssue({ code: 'custom', path: ['importer'], message: 'an import declaration needs an importer', params: { code: 'required' } });
      if (d.type === 'EX' && !d.exporter) ctx.addIssue({ code: 'custom', path: ['exporter'], message: 'an export declaration needs an exporter', params: { code: 'required' } });
      if (Array.isArray(d.items)) {
        const seen = new Map<number, number>();
        d.items.forEach((it, i) => {
          if (typeof it?.line !== 'number') return;
          const first = seen.get(it.line);
          if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['items', i, 'line'], message: `line ${it.line} is repeated (first at items[${first}])`, params: { code: 'duplicate_line' } });
          else seen.set(it.line, i);
        });
      }
      if (Array.isArray(d.transport?.containers)) {
        const seen = new Set<string>();
        d.transport.containers.forEach((c, i) => {
          if (seen.has(c)) ctx.addIssue({ code: 'custom', path: ['transport', 'containers', i], message: `container ${c} is listed twice`, params: { code: 'duplicate_container' } });
          seen.add(c);
        });
      }
    }, ALWAYS);

  const consignment = z
    .strictObject({
      transportDocument: text(64),
      shipper: text(200),
      consignee: text(200),
      consigneeTin: z.string().regex(/^[A-Za-z0-9-]{3,32}$/, 'must be a tax identification number of 3 to 32 letters, digits or hyphens').optional(),
      description: text(500),
      hsCode: z
        .string()
        .regex(/^\d{4}(\d{2})?$/, 'must be a 4-digit heading or 6-digit subheading')
        .refine((c) => !!ref.hs(c), { message: 'unknown HS 2022 heading or subheading', params: { code: 'unknown_hs_code' } })
        .optional(),
      packages: z.number().int('must be a whole number').positive('must be greater than zero').max(LIMITS.packages),
      grossMassKg: positive(LIMITS.massKg, 'mass'),
      containers: z.array(container).max(LIMITS.containers).default([]),
      portOfLoading: z.string().regex(/^[A-Z]{2}[A-Z0-9]{3}$/, 'must be a UN/LOCODE').optional(),
    });

  const manifest = z
    .strictObject({
      reference: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/, 'must be 1 to 64 letters, digits, dots, slashes, underscores or hyphens'),
      country: administration,
      office: z.string().regex(/^[A-Z]{2}[A-Z0-9]{3}$/, 'must be a UN/LOCODE, e.g. GTPRQ'),
      mode: z
        .number()
        .int('must be a whole number')
        .refine((m) => m in TRANSPORT_MODES, { message: `must be a UN Rec. 19 mode: ${Object.keys(TRANSPORT_MODES).join(', ')}` }),
      carrier: text(200),
      conveyance: text(64),
      voyage: text(32).optional(),
      arrivalAt: dateTime,
      consignments: z.array(consignment).min(1, 'a manifest needs at least one consignment').max(LIMITS.consignments),
    })
    .superRefine((m, ctx) => {
      if (!m || typeof m !== 'object') return;
      if (typeof m.office === 'string' && /^[A-Z]{2}[A-Z0-9]{3}$/.test(m.office)) {
        const office = ref.office(m.office);
        if (!office) ctx.addIssue({ code: 'custom', path: ['office'], message: 'unknown customs office (UN/LOCODE)', params: { code: 'unknown_office' } });
        else if (typeof m.country === 'string' && office.country !== m.country)
          ctx.addIssue({ code: 'custom', path: ['office'], message: `office ${m.office} belongs to ${office.country}, not to ${m.country}`, params: { code: 'office_of_other_country' } });
      }
      if (typeof m.arrivalAt === 'string') {
        // advance cargo information may announce an arrival up to 60 days ahead, not more
        const t = Date.parse(m.arrivalAt);
        if (t > clock.now().getTime() + 60 * 86_400_000)
          ctx.addIssue({ code: 'custom', path: ['arrivalAt'], message: 'is more than 60 days in the future', params: { code: 'future_date' } });
      }
      if (Array.isArray(m.consignments)) {
        const seen = new Map<string, number>();
        m.consignments.forEach((c, i) => {
          if (typeof c?.transportDocument !== 'string') return;
          const first = seen.get(c.transportDocument);
          if (first !== undefined)
            ctx.addIssue({ code: 'custom', path: ['consignments', i, 'transportDocument'], message: `transport document ${c.transportDocument} is repeated (first at consignments[${first}])`, params: { code: 'duplicate_transport_document' } });
          else seen.set(c.transportDocument, i);
        });
      }
    }, ALWAYS);

  return { declaration, manifest, party, item, consignment };
}

export type Contracts = ReturnType<typeof buildContracts>;
export type DeclarationInput = z.input<Contracts['declaration']>;
export type Declaration = z.output<Contracts['declaration']>;
export type DeclarationItem = z.output<Contracts['item']>;
export type Party = z.output<Contracts['party']>;
export type ManifestInput = z.input<Contracts['manifest']>;
export type Manifest = z.output<Contracts['manifest']>;
export type Consignment = z.output<Contracts['consignment']>;

/** The assessment answered for each accepted declaration. */
export const CHANNELS = ['green', 'yellow', 'red', 'blue'] as const;
export type Channel = (typeof CHANNELS)[number];
export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface AssessmentReason {
  /** machine code, e.g. `random_control` */
  code: string;
  /** plain words for the officer */
  text: string;
  weight?: number;
}

export interface AssessmentView {
  channel: Channel;
  riskLevel: RiskLevel;
  score: number;
  reasons: AssessmentReason[];
}
