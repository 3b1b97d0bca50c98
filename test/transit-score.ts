/** Scoring the transit detectors against the simulator's ground truth (shared by the transit tests and the bench). */
import { ALERT_KINDS } from '../src/modules/transit/detectors.ts';
import type { AlertOut } from '../src/modules/transit/service.ts';
import type { TransitSimulation } from '../src/sim/transit/index.ts';

/** Per kind: alerts raised vs anomalies planted, by subject. */
export function scoreDetectors(truth: TransitSimulation['truth'], alerts: Pick<AlertOut, 'kind' | 'subject'>[]) {
  return ALERT_KINDS.map((kind) => {
    const planted = new Set(truth.filter((t) => t.kind === kind).map((t) => t.subject));
    const raised = new Set(alerts.filter((a) => a.kind === kind).map((a) => a.subject));
    const tp = [...raised].filter((s) => planted.has(s)).length;
    return {
      kind,
      planted: planted.size,
      raised: raised.size,
      tp,
      fp: raised.size - tp,
      fn: planted.size - tp,
      precision: raised.size ? tp / raised.size : 1,
      recall: planted.size ? tp / planted.size : 1,
      missed: [...planted].filter((s) => !raised.has(s)),
      wrong: [...raised].filter((s) => !planted.has(s)),
    };
  });
}
