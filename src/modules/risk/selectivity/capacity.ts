import type { AssessmentInputs } from '../decision.ts';
import { demotable, redAllowed, type decide, type RiskConfig } from '../engine.ts';

/** The counters of one office on one (local) day. */
export interface OfficeDay {
  decisions: number;
  reds: number;
  yellows: number;
  demoted: number;
}

/**
 * Capacity per office and (local) day: beyond the expected red rate, the lowest-scored reds that
 * no criterion forced become yellow. Starts from the counters as stored; returns the increments.
 */
export function applyCapacity(stored: Map<string, OfficeDay>, day: string, list: { office: string; d: ReturnType<typeof decide>; inputs: AssessmentInputs }[], config: RiskConfig): Map<string, OfficeDay> {
  const state = new Map<string, OfficeDay>();
  const delta = new Map<string, OfficeDay>();
  // highest scores take the red places first
  const order = list.map((_, i) => i).sort((a, b) => Number(list[b].d.forced) - Number(list[a].d.forced) || list[b].d.score - list[a].d.score);
  for (const k of order) {
    const x = list[k];
    let s = state.get(x.office);
    if (!s) state.set(x.office, (s = { ...(stored.get(x.office) ?? { decisions: 0, reds: 0, yellows: 0, demoted: 0 }) }));
    let dl = delta.get(x.office);
    if (!dl) delta.set(x.office, (dl = { decisions: 0, reds: 0, yellows: 0, demoted: 0 }));
    const cap = config.capacity.offices[x.office] ?? config.capacity.default;
    if (x.d.channel === 'red') {
      const { allowed, limit } = redAllowed(s.reds, s.decisions, cap);
      const capState = { office: x.office, day, decisionsBefore: s.decisions, redsBefore: s.reds, limit, demoted: false } as NonNullable<AssessmentInputs['capacity']>;
      if (!allowed && demotable(x.d)) {
        x.d.channel = 'yellow';
        x.d.reasons.push({ code: 'capacity_demotion', text: `Demoted from red to yellow: the office ${x.office} reached its red capacity for ${day} (${s.reds} of ${limit})` });
        capState.demoted = true;
        capState.before = 'red';
        s.demoted++;
        dl.demoted++;
      }
      x.inputs.capacity = capState;
    }
    s.decisions++;
    dl.decisions++;
    if (x.d.channel === 'red') {
      s.reds++;
      dl.reds++;
    } else if (x.d.channel === 'yellow') {
      s.yellows++;
      dl.yellows++;
    }
  }
  return delta;
}
