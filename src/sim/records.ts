/**
 * What the simulator emits: each planned manifest and declaration as the JSON contract has it, and
 * beside it the ground truth (fraud type, revenue at stake) that customs does not see.
 */
import type { DeclarationInput, ManifestInput } from '../modules/declarations/schema.ts';
import type { Administration } from '../reference/types.ts';
import { round2, round3, type DeclPlan, type ManifestPlan } from './plan/types.ts';
import { preferenceFor, taxesDue, type FraudType, type World } from './world.ts';

export interface GroundTruth {
  kind: 'manifest' | 'declaration';
  country: Administration;
  reference: string;
  fraudType: FraudType | null;
  /** duties + VAT evaded, USD */
  revenueAtStake: number;
  details: Record<string, unknown>;
}

export type SimRecord =
  | { kind: 'manifest'; record: ManifestInput; truth: GroundTruth }
  | { kind: 'declaration'; record: DeclarationInput; truth: GroundTruth };

const PROCEDURE = { IM: '4000', EX: '1000', TR: '8000' } as const;

/** A planned manifest as the JSON contract has it, with what became of each consignment. */
export function manifestRecord(m: ManifestPlan, arrivalAt: string): SimRecord {
  let undeclaredValue = 0;
  const record: ManifestInput = {
    reference: m.reference!,
    country: m.country,
    office: m.office.code,
    mode: m.mode,
    carrier: m.carrier,
    conveyance: m.conveyance,
    ...(m.voyage ? { voyage: m.voyage } : {}),
    arrivalAt,
    consignments: m.consignments.map((c) => ({
      transportDocument: c.transportDocument,
      shipper: c.shipper,
      consignee: c.consignee,
      ...(c.consigneeTin ? { consigneeTin: c.consigneeTin } : {}),
      description: c.description,
      hsCode: c.hsCode,
      packages: c.packages,
      grossMassKg: c.grossKg,
      containers: c.containers,
      ...(c.portOfLoading ? { portOfLoading: c.portOfLoading } : {}),
    })),
  };
  const consignments = m.consignments.map((c) => {
    if (c.fate === 'never_declared') for (const it of c.decl?.items ?? []) undeclaredValue += it.valueUsd;
    return { transportDocument: c.transportDocument, fate: c.fate };
  });
  return {
    kind: 'manifest',
    record,
    truth: {
      kind: 'manifest',
      country: m.country,
      reference: m.reference!,
      fraudType: null,
      revenueAtStake: 0,
      details: { consignments, undeclaredValueUsd: round2(undeclaredValue) },
    },
  };
}

/** A planned declaration as the JSON contract has it, with its ground truth. */
export function declarationRecord(p: DeclPlan, reference: string, lodgedAt: string, world: World): SimRecord {
  const aw = world.admins[p.country];
  const items = p.items.map((it, i) => ({
    line: i + 1,
    hsCode: it.dCode,
    description: it.dDescription,
    origin: it.dOrigin,
    quantity: it.dQuantity,
    unit: it.goods.unit,
    netMassKg: it.dNetKg,
    grossMassKg: it.dGrossKg,
    customsValue: round2(it.dValueUsd * p.rate),
    currency: p.currency,
    ...(p.type === 'IM' ? { dutyRate: it.dutyDeclared } : {}),
    ...(p.type === 'IM' && it.dPreference ? { preference: it.dPreference } : {}),
  }));
  const record: DeclarationInput = {
    reference,
    country: p.country,
    type: p.type,
    procedure: PROCEDURE[p.type],
    office: p.office.code,
    lodgedAt,
    declarant: p.declarant,
    ...(p.importer ? { importer: p.importer } : {}),
    ...(p.exporter ? { exporter: p.exporter } : {}),
    ...(p.seller ? { seller: p.seller } : {}),
    ...(p.dispatch ? { countryOfDispatch: p.dispatch } : {}),
    ...(p.destination ? { countryOfDestination: p.destination } : {}),
    ...(p.manifest ? { manifestReference: p.manifest.reference! } : {}),
    ...(p.consignment ? { transportDocument: p.consignment.transportDocument } : {}),
    transport: {
      mode: p.mode,
      ...(p.conveyance ? { conveyance: p.conveyance } : {}),
      ...(p.nationality ? { nationality: p.nationality } : {}),
      containers: p.containers,
    },
    items,
  };

  let due = 0;
  let declared = 0;
  const truthItems = p.items.map((it, i) => {
    if (p.type === 'IM') {
      due += taxesDue(it.valueUsd, it.dutyTrue, aw.vat);
      declared += taxesDue(it.dValueUsd, it.dutyDeclared, aw.vat);
    } else if (p.type === 'TR' && p.diverted) {
      due += taxesDue(it.valueUsd, preferenceFor(p.country, it.origin) ? 0 : it.goods.duty, aw.vat);
    }
    return {
      line: i + 1,
      trueHsCode: it.goods.code,
      declaredHsCode: it.dCode,
      trueOrigin: it.origin,
      declaredOrigin: it.dOrigin,
      trueQuantity: it.quantity,
      trueNetMassKg: it.netKg,
      trueGrossMassKg: it.grossKg,
      trueValueUsd: it.valueUsd,
      declaredValueUsd: it.dValueUsd,
      trueUnitValueUsdPerKg: round3(it.valueUsd / it.netKg),
      goingPriceUsdPerKg: round3(it.goods.medianUsdPerKg),
      trueDutyRate: it.dutyTrue,
      declaredDutyRate: it.dutyDeclared,
    };
  });
  const revenueAtStake = round2(Math.max(0, due - declared));
  const t = p.trader;
  return {
    kind: 'declaration',
    record,
    truth: {
      kind: 'declaration',
      country: p.country,
      reference,
      fraudType: p.fraudType,
      revenueAtStake,
      details: {
        traderId: t.id,
        traderTin: t.tin,
        traderBehaviour: t.behaviour,
        traderFraudType: t.fraudType,
        errors: p.errors,
        exchangeRate: p.rate,
        vatRate: aw.vat,
        taxesDueUsd: round2(due),
        taxesDeclaredUsd: round2(declared),
        items: truthItems,
        ...(p.manifest ? { manifestReference: p.manifest.reference, manifestGrossMassKg: p.consignment?.grossKg ?? null } : {}),
        ...(p.type === 'TR' ? { declaredDestination: p.destination, arrivedAtDestination: !p.diverted } : {}),
      },
    },
  };
}
