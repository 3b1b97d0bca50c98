import type { SQL } from 'drizzle-orm';
import type { Clock } from '../../../core/clock.ts';
import { uuidv7 } from '../../../core/ids.ts';
import type { Tx } from '../../../db/client.ts';
import type { AuditEntryInput } from '../../access/audit.ts';
import type { Principal } from '../../access/types.ts';
import type { Declaration } from '../../declarations/schema.ts';
import type { Assessor, AssessorDecision, StoredAssessment } from '../../declarations/service.ts';
import { baselineAssess } from '../baseline.ts';
import type { ControlsService } from '../controls/service.ts';
import { selectivitySeed } from '../settings.ts';
import * as repo from './repository.ts';
import type { SelectivityService } from './service.ts';

type Row = { declarationId: string; version: number; declaration: Declaration; decision: AssessorDecision };

/** Stores the assessments of a batch (as statements added to `writes`, or at once); answers their ids in order. */
function storeAssessments(tx: Tx, clock: Clock, rows: Row[], writes?: SQL[]): { ids: string[]; run: Promise<void> } {
  const now = clock.now();
  const ids = rows.map(() => uuidv7(now.getTime()));
  const inserts = repo.assessmentsInsert(
    tx,
    rows.map((r, i) => ({
      id: ids[i],
      country: r.declaration.country,
      declarationId: r.declarationId,
      declarationVersion: r.version,
      channel: r.decision.channel,
      riskLevel: r.decision.riskLevel,
      score: r.decision.score,
      reasons: r.decision.reasons,
      engine: r.decision.engine,
      inputs: r.decision.inputs,
      decidedAt: now,
    })),
  );
  if (writes) {
    writes.push(...inserts);
    return { ids, run: Promise.resolve() };
  }
  return { ids, run: repo.runWrites(tx, inserts) };
}

/** What every assessor reads back the same way: the stored assessments (risk's table). */
const reader: Pick<Assessor, 'latest' | 'history' | 'latestOf'> = {
  latest: (tx, ids) => repo.latestAssessments(tx, ids) as Promise<StoredAssessment[]>,
  history: (tx, id) => repo.assessmentHistory(tx, id) as Promise<StoredAssessment[]>,
  latestOf: (declarationId) => repo.latestAssessmentOf(declarationId),
};

/**
 * The risk module's assessor for intake (the intake flow, src/flows/intake.ts): selectivity decides
 * (criteria, model score, trader standing, random control, capacity), the assessments are stored,
 * then controls are opened for red and yellow decisions and assigned at random among the officers
 * on duty the decisions carry.
 */
export function riskAssessor(clock: Clock, selectivity: SelectivityService, controls: ControlsService): Assessor {
  return {
    context: (country, declarations, now) => selectivity.contextPart(country, declarations, now),
    assess: (tx, list, opts) => selectivity.assess(tx, list, opts),
    async record(tx: Tx, rows: Row[], actor: Principal, writes?: SQL[]): Promise<AuditEntryInput[]> {
      const stored = storeAssessments(tx, clock, rows, writes);
      await stored.run;
      return controls.openControls(
        tx,
        rows.map((r, i) => ({ ...r, assessmentId: stored.ids[i] })),
        actor,
        writes,
      );
    },
    assessManifests: (tx, list, actor) => selectivity.targetManifests(tx, list, actor),
    ...reader,
  };
}

/**
 * The baseline assessor: random control at the configured rate and nothing else (risk/baseline.ts),
 * for an intake wired without the risk engine (tests of intake alone). Opens no controls.
 */
export function baselineAssessor(clock: Clock, rate: number): Assessor {
  return {
    async assess(tx, list) {
      const seed = await selectivitySeed(tx, clock);
      return list.map((x) => baselineAssess({ seed: seed.secret, seedId: seed.id, rate, country: x.declaration.country, reference: x.declaration.reference, version: x.version }));
    },
    async record(tx: Tx, rows: Row[], _actor: Principal, writes?: SQL[]): Promise<AuditEntryInput[]> {
      await storeAssessments(tx, clock, rows, writes).run;
      return [];
    },
    ...reader,
  };
}
