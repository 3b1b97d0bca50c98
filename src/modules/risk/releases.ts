import { desc, inArray } from 'drizzle-orm';
import { schema, type Tx } from '../../db/client.ts';
import { currentChannel } from './channel.ts';
import type { AssessmentInputs } from './decision.ts';

/**
 * What selectivity did with declarations, as other modules read it (post-clearance audit
 * selection): the current channel of the latest assessment, the risk score, the model's score,
 * whether random control drew it, the trader's standing then, and the control's result if any.
 * A read port on risk's own tables.
 */
export interface ReleaseOutcome {
  declarationId: string;
  channel: string;
  score: number;
  modelScore: number | null;
  randomSelected: boolean;
  standing: string | null;
  decidedAt: string;
  controlled: boolean;
  hit: boolean | null;
  extraRevenue: number;
}

export async function releaseOutcomes(tx: Tx, declarationIds: readonly string[]): Promise<Map<string, ReleaseOutcome>> {
  const out = new Map<string, ReleaseOutcome>();
  for (let k = 0; k < declarationIds.length; k += 1000) {
    const part = declarationIds.slice(k, k + 1000);
    if (!part.length) continue;
    const a = schema.assessments;
    const rows = await tx
      .select({ id: a.id, declarationId: a.declarationId, channel: currentChannel(a.id, a.channel), score: a.score, inputs: a.inputs, decidedAt: a.decidedAt })
      .from(a)
      .where(inArray(a.declarationId, part))
      .orderBy(desc(a.decidedAt), desc(a.id));
    const controls = await tx.select({ declarationId: schema.controls.declarationId, status: schema.controls.status, random: schema.controls.randomSelected }).from(schema.controls).where(inArray(schema.controls.declarationId, part));
    const results = await tx
      .select({ declarationId: schema.controlResults.declarationId, hit: schema.controlResults.hit, duties: schema.controlResults.extraDuties, taxes: schema.controlResults.extraTaxes })
      .from(schema.controlResults)
      .where(inArray(schema.controlResults.declarationId, part));
    const ctl = new Map(controls.filter((c) => c.status !== 'cancelled').map((c) => [c.declarationId, c]));
    const res = new Map(results.map((r) => [r.declarationId, r]));
    for (const r of rows) {
      if (out.has(r.declarationId)) continue; // the latest assessment
      const inputs = r.inputs as Partial<AssessmentInputs>;
      const c = ctl.get(r.declarationId);
      const x = res.get(r.declarationId);
      out.set(r.declarationId, {
        declarationId: r.declarationId,
        channel: r.channel,
        score: r.score,
        modelScore: inputs.model?.score ?? null,
        randomSelected: !!(c?.random ?? inputs.random?.selected),
        standing: inputs.trader?.standing ?? null,
        decidedAt: r.decidedAt.toISOString(),
        controlled: !!c && (r.channel === 'red' || r.channel === 'yellow'),
        hit: x ? x.hit : null,
        extraRevenue: x ? Number(x.duties) + Number(x.taxes) : 0,
      });
    }
  }
  return out;
}
