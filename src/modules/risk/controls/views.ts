import type { z } from 'zod';
import type { Channel, RiskLevel } from '../decision.ts';
import type { assignmentView, discrepancyView } from '../responses.ts';
import type { ControlRow, ResultRow, RosterRow } from './repository.ts';

/** How controls, results and duties are shown (API). */

export function controlView(c: ControlRow) {
  return {
    id: c.id,
    country: c.country,
    assessmentId: c.assessmentId,
    declarationId: c.declarationId,
    declarationVersion: c.declarationVersion,
    office: c.office,
    channel: c.channel as Channel,
    status: c.status,
    randomSelected: c.randomSelected,
    riskLevel: c.riskLevel as RiskLevel,
    score: c.score,
    officerId: c.officerId,
    officerName: c.officerName,
    waitingReason: c.status === 'unassigned' ? `no officer is on duty at ${c.office}: the control waits until one is added to the duty roster` : null,
    // jsonb written only by ControlsService (its random draws) and recordResult (parsed input)
    assignments: c.assignments as z.output<typeof assignmentView>[],
    createdAt: c.createdAt.toISOString(),
  };
}

export function resultView(r: ResultRow) {
  return {
    id: r.id,
    controlId: r.controlId,
    outcome: r.outcome,
    hit: r.hit,
    discrepancies: r.discrepancies as z.output<typeof discrepancyView>[],
    extraDutiesAssessed: r.extraDuties,
    extraTaxesAssessed: r.extraTaxes,
    currency: r.currency,
    goodsSeized: r.goodsSeized,
    seizureDescription: r.seizureDescription,
    notes: r.notes,
    officer: r.officerName,
    recordedAt: r.recordedAt.toISOString(),
  };
}

export function rosterView(r: RosterRow) {
  return { id: r.id, country: r.country, office: r.office, officerId: r.officerId, officerName: r.officerName, from: r.fromAt.toISOString(), to: r.toAt.toISOString() };
}
