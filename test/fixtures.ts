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
