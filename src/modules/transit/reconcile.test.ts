import { describe, expect, it } from 'vitest';
import { reconcileArrival, type ArrivalView } from './detectors.ts';
import { DEFAULT_THRESHOLDS } from './thresholds.ts';

const DAY = 86_400_000;
const arrival = (discharges: ArrivalView['discharges']): ArrivalView => ({
  country: 'GT',
  office: 'GTPRQ',
  manifest: 'GT-MAN-1',
  arrivalAt: 0,
  consignments: [
    { transportDocument: 'BL1', packages: 10, grossMassKg: 1000 },
    { transportDocument: 'BL2', packages: 5, grossMassKg: 500 },
  ],
  discharges,
  declarations: [
    { reference: 'D1', transportDocument: 'BL1', lodgedAt: DAY },
    { reference: 'D2', transportDocument: 'BL2', lodgedAt: DAY },
  ],
});

describe('port reconciliation', () => {
  it('a consignment declared but not discharged, while the rest of the vessel was, raises an alert', () => {
    const r = reconcileArrival(arrival([{ eventId: 'e1', transportDocument: 'BL1', packages: 10, grossMassKg: 1000, dischargedAt: DAY / 2 }]), DEFAULT_THRESHOLDS, 60 * DAY);
    expect(r.alerts.map((a) => a.kind)).toEqual(['declared_not_discharged']);
    expect(r.lines.find((l) => l.transportDocument === 'BL2')!.status).toBe('not_discharged');
  });

  it('an arrival for which the port sent no discharge report at all is a data gap, not a finding', () => {
    const r = reconcileArrival(arrival([]), DEFAULT_THRESHOLDS, 60 * DAY);
    expect(r.alerts).toEqual([]);
    expect(r.lines.every((l) => l.status === 'pending' && l.notes.includes('no discharge report received for this arrival'))).toBe(true);
  });
});
