/**
 * The demo's risk management: criteria written from the simulator's fraud patterns and approved by
 * a second person, officers on duty, and control results from the simulator's ground truth.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Clock } from '../core/clock.ts';
import { schema, type Db } from '../db/client.ts';
import { ADMINISTRATIONS, type ReferenceData } from '../reference/types.ts';
import type { Principal } from '../modules/access/types.ts';
import type { RiskService } from '../modules/risk/service.ts';

/** Criteria an analyst would write from the simulator's fraud patterns (see applyBehaviour in src/sim/plan/fraud.ts). */
export const FRAUD_PATTERN_CRITERIA: { name: string; reason: string; expression: string; weight: number; stages: ('declaration' | 'transit')[] }[] = [
  { name: 'Unit value far below the reference', reason: 'undervaluation: declared USD/kg under 55% of the going price', expression: 'decl.type == "IM" && decl.items.exists(i, i.refUnitValue > 0.0 && i.unitValuePerKg < 0.55 * i.refUnitValue)', weight: 45, stages: ['declaration'] },
  { name: 'Unit value far above the reference of the declared code', reason: 'misclassification: goods worth far more than what the declared heading usually is', expression: 'decl.type == "IM" && decl.items.exists(i, i.refUnitValue > 0.0 && i.unitValuePerKg > 2.5 * i.refUnitValue && i.dutyRate < 10.0)', weight: 45, stages: ['declaration'] },
  { name: 'Preferential origin shipped from Asia', reason: 'false origin: a preferential origin on goods dispatched from another country', expression: 'decl.type == "IM" && decl.countryOfDispatch != "" && decl.items.exists(i, i.origin != decl.countryOfDispatch && i.preference != "" && !(decl.countryOfDispatch in ["GT", "SV", "HN", "NI", "CR", "PA", "DO", "MX", "US"]))', weight: 50, stages: ['declaration'] },
  { name: 'Declared mass below the manifest', reason: 'under-declared quantity: the declaration weighs less than the consignment on the manifest', expression: 'consignment.found && decl.grossMassKg < 0.92 * consignment.grossMassKg', weight: 65, stages: ['declaration', 'transit'] },
  { name: 'Trader with past hits', reason: 'controls of this trader found discrepancies before', expression: 'trader.hits >= 1 && trader.hitRate >= 0.3', weight: 40, stages: ['declaration', 'transit'] },
  { name: 'Sensitive goods in transit', reason: 'transit diversion: sensitive goods moving through', expression: 'decl.type == "TR" && decl.items.exists(i, i.sensitive)', weight: 30, stages: ['transit'] },
];

const person = (country: string, name: string, role: Principal['role']): Principal => ({ kind: 'system', id: name, name, role, country });

/** The demo account of that name when it exists (so the log names a real person), else a system stand-in. */
export async function demoPerson(db: Db, country: string, username: string, role: Principal['role']): Promise<Principal> {
  const [u] = await db.select().from(schema.users).where(eq(schema.users.username, username));
  return u ? { kind: 'user', id: u.id, name: u.username, role: u.role as Principal['role'], country: u.country } : person(country, username, role);
}

/**
 * Demo, before the simulated history is loaded: per administration, criteria written from the
 * simulator's fraud patterns (by `demo.analyst`, approved by `demo.supervisor`), and every
 * officer of the administration on duty at its offices for the demo period.
 */
export async function seedDemoCriteria(deps: { db: Db; clock: Clock; ref: ReferenceData; risk: RiskService }, from: Date, to: Date, countries: readonly string[] = ADMINISTRATIONS): Promise<number> {
  let n = 0;
  for (const cc of countries as readonly (typeof ADMINISTRATIONS)[number][]) {
    const existing = await deps.risk.listCriteria(person(cc, 'demo', 'system'), { country: cc });
    if (existing.length) continue;
    const analyst = await demoPerson(deps.db, cc, `${cc.toLowerCase()}.analyst`, 'risk_analyst');
    const supervisor = await demoPerson(deps.db, cc, `${cc.toLowerCase()}.supervisor`, 'supervisor');
    for (const c of FRAUD_PATTERN_CRITERIA) {
      const made = await deps.risk.createCriterion(analyst, {
        country: cc,
        name: c.name,
        reason: c.reason,
        expression: c.expression,
        scope: { offices: [], types: [], stages: c.stages },
        weight: c.weight,
        forcedChannel: null,
        manifestAction: null,
        regional: false,
        validFrom: from.toISOString(),
      });
      await deps.risk.submitCriterion(analyst, made.id);
      await deps.risk.approveCriterion(supervisor, made.id, 'demo');
      n++;
    }
    const officers = await deps.db.select().from(schema.users).where(and(eq(schema.users.country, cc), eq(schema.users.role, 'officer')));
    const officeList = deps.ref.offices(cc).map((o) => o.code);
    for (const o of officers)
      for (const office of officeList) await deps.risk.addDuty(supervisor, { officerId: o.id, office, from: from.toISOString(), to: to.toISOString() });
  }
  return n;
}

/**
 * Demo, after the simulated history is loaded: results for a share of the open controls, from
 * the simulator's ground truth (a fraud found is a discrepancy with its revenue assessed), so the
 * effectiveness pages show hit rates. Recorded as each control's officer (or the demo supervisor).
 */
export async function seedDemoResults(deps: { db: Db; risk: RiskService }, share = 0.7): Promise<number> {
  const open = await deps.db.select().from(schema.controls).where(inArray(schema.controls.status, ['assigned', 'unassigned']));
  let n = 0;
  for (let k = 0; k < open.length; k++) {
    const c = open[k];
    if ((k * 7919) % 100 >= share * 100) continue;
    const [d] = await deps.db.select({ reference: schema.declarations.reference }).from(schema.declarations).where(eq(schema.declarations.id, c.declarationId));
    const [g] = await deps.db
      .select()
      .from(schema.groundTruth)
      .where(and(eq(schema.groundTruth.country, c.country), eq(schema.groundTruth.kind, 'declaration'), eq(schema.groundTruth.reference, d.reference)));
    const fraud = g?.fraudType ?? null;
    const kind = fraud === 'undervaluation' ? 'value' : fraud === 'misclassification' ? 'classification' : fraud === 'false_origin' ? 'origin' : fraud === 'under_declared_quantity' ? 'quantity' : 'other';
    const rev = g?.revenueAtStake ?? 0;
    const who = c.officerId ? { kind: 'user' as const, id: c.officerId, name: c.officerName ?? 'officer', role: 'officer' as const, country: c.country } : person(c.country, 'demo.supervisor', 'supervisor');
    await deps.risk.recordResult(
      who,
      c.id,
      fraud
        ? { outcome: 'discrepancy', discrepancies: [{ kind, note: `found on control (simulated: ${fraud})` }], extraDutiesAssessed: Math.round(rev * 0.4 * 100) / 100, extraTaxesAssessed: Math.round(rev * 0.6 * 100) / 100, currency: 'USD', goodsSeized: false }
        : { outcome: 'no_discrepancy', discrepancies: [], extraDutiesAssessed: 0, extraTaxesAssessed: 0, currency: 'USD', goodsSeized: false },
    );
    n++;
  }
  return n;
}
