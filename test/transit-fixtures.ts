import { withCheckDigit } from '../src/modules/declarations/container.ts';

export const NOW = '2026-06-20T12:00:00Z';

/** Puerto Quetzal (GT) → Pedro de Alvarado / La Hachadura (GT→SV) → El Amatillo (SV→HN) → San Lorenzo (HN). */
export function transitDeclaration(reference = 'TRGT-T-1'): any {
  return {
    reference,
    country: 'GT',
    mode: 3,
    officeOfDeparture: 'GTPRQ',
    officeOfDestination: 'HNSLO',
    route: ['GT0PA', 'SV0HA', 'SV0AM', 'HN0AM'],
    departureAt: '2026-06-15T08:00:00Z',
    conveyance: { plate: 'C123ABC', plateCountry: 'GT', rfidTag: 'E280-TEST-0001', containers: [withCheckDigit('MSCU123456')] },
    seals: ['SGT100001', 'SGT100002'],
    guarantee: { reference: 'G-1', amount: 25000, currency: 'USD' },
    goods: { description: 'Electrodomésticos', packages: 120, grossMassKg: 18000 },
  };
}

export const mv = { country: 'GT', reference: 'TRGT-T-1' };
export function journey(): any[] {
  return [
    { eventId: 't1-dep', type: 'departure', at: '2026-06-15T08:00:00Z', movement: mv, office: 'GTPRQ' },
    { eventId: 't1-w0', type: 'weighing', at: '2026-06-15T07:40:00Z', movement: mv, office: 'GTPRQ', grossMassKg: 18050 },
    { eventId: 't1-r1', type: 'rfid_read', at: '2026-06-15T11:30:00Z', tag: 'E280-TEST-0001', office: 'GT0PA', direction: 'exit' },
    { eventId: 't1-r2', type: 'rfid_read', at: '2026-06-15T12:10:00Z', tag: 'E280-TEST-0001', office: 'SV0HA', direction: 'entry' },
    { eventId: 't1-s2', type: 'seal_check', at: '2026-06-15T12:20:00Z', movement: mv, office: 'SV0HA', seals: [{ number: 'SGT100001', intact: true }, { number: 'SGT100002', intact: true }] },
    { eventId: 't1-g1', type: 'gps_position', at: '2026-06-15T14:00:00Z', movement: mv, lat: 13.6, lon: -89.2 },
    { eventId: 't1-r3', type: 'rfid_read', at: '2026-06-15T19:00:00Z', tag: 'E280-TEST-0001', office: 'SV0AM', direction: 'exit' },
    { eventId: 't1-r4', type: 'rfid_read', at: '2026-06-15T19:40:00Z', tag: 'E280-TEST-0001', office: 'HN0AM', direction: 'entry' },
    { eventId: 't1-w9', type: 'weighing', at: '2026-06-15T22:00:00Z', movement: mv, office: 'HNSLO', grossMassKg: 17990 },
    { eventId: 't1-arr', type: 'arrival', at: '2026-06-15T22:30:00Z', movement: mv, office: 'HNSLO' },
  ];
}

