import { withCheckDigit } from '../src/modules/declarations/container.ts';

export const NOW = '2026-06-15T12:00:00Z';

/** A valid import declaration for Guatemala, lodged at Puerto Quetzal. */
export function validDeclaration(reference = 'GT-TEST-0001'): any {
  return {
    reference,
    country: 'GT',
    type: 'IM',
    procedure: '4000',
    office: 'GTPRQ',
    lodgedAt: '2026-06-14T09:30:00-06:00',
    declarant: { tin: 'BRK-100200', name: 'Agencia Aduanal Quetzal S.A.', country: 'GT' },
    importer: { tin: '4455667-8', name: 'Importadora Maya S.A.', country: 'GT' },
    seller: { tin: 'CN-91330100', name: 'Hangzhou Export Co.', country: 'CN' },
    countryOfDispatch: 'CN',
    transport: { mode: 1, conveyance: 'MSC ANNA', nationality: 'PA', containers: [withCheckDigit('MSCU123456')] },
    items: [
      { line: 1, hsCode: '85171300', description: 'Smartphones', origin: 'CN', quantity: 500, unit: 'H87', netMassKg: 150, grossMassKg: 180, customsValue: 62500, currency: 'USD', dutyRate: 0 },
      { line: 2, hsCode: '392690', description: 'Plastic phone cases', origin: 'CN', quantity: 2000, unit: 'H87', netMassKg: 300, grossMassKg: 340, customsValue: 3000, currency: 'USD', dutyRate: 10 },
    ],
  };
}

export function validManifest(reference = 'GT-MAN-0001'): any {
  return {
    reference,
    country: 'GT',
    office: 'GTPRQ',
    mode: 1,
    carrier: 'Mediterranean Shipping Company',
    conveyance: 'MSC ANNA',
    voyage: 'NX624R',
    arrivalAt: '2026-06-13T06:00:00-06:00',
    consignments: [
      { transportDocument: 'MEDUHZ123456', shipper: 'Hangzhou Export Co.', consignee: 'Importadora Maya S.A.', consigneeTin: '4455667-8', description: 'Smartphones and cases', hsCode: '8517', packages: 40, grossMassKg: 520, containers: [withCheckDigit('MSCU123456')] },
    ],
  };
}

/** Deep-clones a value and applies a change to the clone. */
export function mutate<T>(v: T, change: (x: any) => void): T {
  const c = structuredClone(v);
  change(c);
  return c;
}

/** Twenty-odd kinds of bad declarations, each with the field path the answer must name. */
export const INVALID: [string, (d: any) => void, string][] = [
  ['unknown HS subheading', (d) => (d.items[0].hsCode = '999999'), 'items[0].hsCode'],
  ['HS code not digits', (d) => (d.items[0].hsCode = '8517AB'), 'items[0].hsCode'],
  ['unknown origin country', (d) => (d.items[1].origin = 'XX'), 'items[1].origin'],
  ['unknown currency', (d) => (d.items[0].currency = 'ABC'), 'items[0].currency'],
  ['withdrawn currency', (d) => (d.items[0].currency = 'MXP'), 'items[0].currency'],
  ['unknown office', (d) => (d.office = 'GTZZZ'), 'office'],
  ['office of another country', (d) => (d.office = 'SVAQJ'), 'office'],
  ['negative customs value', (d) => (d.items[0].customsValue = -5), 'items[0].customsValue'],
  ['absurd net mass', (d) => ((d.items[0].netMassKg = 9e12), (d.items[0].grossMassKg = 9e12)), 'items[0].netMassKg'],
  ['zero quantity', (d) => (d.items[0].quantity = 0), 'items[0].quantity'],
  ['net mass above gross', (d) => (d.items[1].netMassKg = 400), 'items[1].netMassKg'],
  ['duplicate line numbers', (d) => (d.items[1].line = 1), 'items[1].line'],
  ['container check digit wrong', (d) => (d.transport.containers = ['MSCU1234560']), 'transport.containers[0]'],
  ['container not ISO 6346', (d) => (d.transport.containers = ['NOTACONTAINER']), 'transport.containers[0]'],
  ['lodgement date in the future', (d) => (d.lodgedAt = '2026-07-01T10:00:00-06:00'), 'lodgedAt'],
  ['lodgement date without time zone', (d) => (d.lodgedAt = '2026-06-14T09:30:00'), 'lodgedAt'],
  ['unknown declaration type', (d) => (d.type = 'XX'), 'type'],
  ['administration not served', (d) => (d.country = 'MX'), 'country'],
  ['import without importer', (d) => delete d.importer, 'importer'],
  ['no items', (d) => (d.items = []), 'items'],
  ['unknown transport mode', (d) => (d.transport.mode = 6), 'transport.mode'],
  ['value given as text', (d) => (d.items[0].customsValue = '62500'), 'items[0].customsValue'],
  ['missing reference', (d) => delete d.reference, 'reference'],
  ['unknown field', (d) => (d.items[0].colour = 'red'), 'items[0].colour'],
  ['unknown unit', (d) => (d.items[0].unit = 'BAGS'), 'items[0].unit'],
  ['duty rate negative', (d) => (d.items[0].dutyRate = -1), 'items[0].dutyRate'],
  ['declarant TIN malformed', (d) => (d.declarant.tin = 'a b'), 'declarant.tin'],
];
