/** Who carries the goods: shipping lines and their fleets, bulk carriers, airlines, container owners, truck plates. */
import { Rng, WeightedTable } from '../random.ts';

export interface SeaCarrier {
  name: string;
  scac: string;
  owner: string;
  fleet: string[];
  weight: number;
}
const SEA_CARRIERS: [string, string, string, string, string[], number][] = [
  ['Mediterranean Shipping Company', 'MEDU', 'MSCU', 'MSC', ['ANNA', 'LUCIA', 'ROMA', 'VALERIA', 'SOFIA', 'ELENA', 'ALINA', 'CARMEN'], 20],
  ['Maersk', 'MAEU', 'MRKU', 'MAERSK', ['KOLKATA', 'CALLAO', 'CARTAGENA', 'BALBOA', 'SEMARANG', 'LIMA', 'TAIKUNG', 'HAVANA'], 18],
  ['CMA CGM', 'CMDU', 'CMAU', 'CMA CGM', ['CORCOVADO', 'PEGASUS', 'ORINOCO', 'AMAZON', 'TAGE', 'LIBRA', 'ARGENTINA', 'MAGELLAN'], 12],
  ['Hapag-Lloyd', 'HLCU', 'HLXU', '', ['VALPARAISO EXPRESS', 'GUAYAQUIL EXPRESS', 'CARTAGENA EXPRESS', 'SANTOS EXPRESS', 'BUENAVENTURA EXPRESS', 'CALLAO EXPRESS'], 10],
  ['Ocean Network Express', 'ONEY', 'ONEU', 'ONE', ['COMMITMENT', 'HARMONY', 'TRIUMPH', 'INNOVATION', 'MANCHESTER', 'OLYMPUS'], 7],
  ['Evergreen', 'EGLV', 'EGHU', 'EVER', ['LOVELY', 'LYRIC', 'LUCENT', 'LEGEND', 'LIBRA', 'LASTING'], 7],
  ['COSCO Shipping', 'COSU', 'CSNU', 'COSCO', ['PANAMA', 'COLON', 'SHENZHEN', 'NINGBO', 'XIAMEN', 'TIANJIN'], 6],
  ['ZIM', 'ZIMU', 'ZIMU', 'ZIM', ['CARIBBEAN', 'SAN DIEGO', 'KINGSTON', 'VIRGINIA', 'SAVANNAH', 'ATLANTIC'], 5],
  ['Seaboard Marine', 'SMLU', 'SMLU', 'SEABOARD', ['PRIDE', 'GEMINI', 'VOYAGER', 'PIONEER', 'PATRIOT', 'EXPLORER'], 8],
  ['Crowley', 'CMCU', 'CMCU', '', ['TORTUGA', 'EL CAPITAN', 'CORCOVADO', 'PEÑAS BLANCAS', 'QUETZAL', 'TIKAL'], 6],
  ['King Ocean Services', 'KOSL', 'KOSU', 'KING', ['ADRIAN', 'BRIAN', 'DANIEL', 'ERIC'], 3],
  ['Tropical Shipping', 'TSCW', 'TTNU', 'TROPIC', ['HOPE', 'JEWEL', 'LISSETTE', 'MIST', 'ISLANDER'], 3],
];
export const BULK_CARRIERS: [string, string, string[]][] = [
  ['Scorpio Tankers', 'STI', ['STI ROSE', 'STI PIMLICO', 'STI SAN ANTONIO', 'STI LOMBARD', 'STI VILLE']],
  ['Navig8 Group', 'NAV', ['NAVIG8 AMETRINE', 'NAVIG8 GOLDEN', 'NAVIG8 EXCEL']],
  ['Oldendorff Carriers', 'OLD', ['ANNA OLDENDORFF', 'BERNHARD OLDENDORFF', 'CHRISTIAN OLDENDORFF', 'DORTHE OLDENDORFF']],
  ['Pacific Basin', 'PBS', ['PACIFIC LIGHT', 'PORT MOUTON', 'SHANGHAI TRADER', 'SEA BAY']],
];
export const LEASING_OWNERS = ['TGHU', 'SEGU', 'TCNU', 'CAIU', 'TCLU', 'FCIU'];
export const AIR_CARRIERS: [string, string, string][] = [
  ['Avianca Cargo', 'AV', '134'],
  ['Copa Airlines Cargo', 'CM', '230'],
  ['DHL Aero Expreso', 'D5', '992'],
  ['UPS Airlines', '5X', '406'],
  ['FedEx Express', 'FX', '023'],
  ['Atlas Air', '5Y', '369'],
  ['Iberia Cargo', 'IB', '075'],
  ['American Airlines Cargo', 'AA', '001'],
  ['United Cargo', 'UA', '016'],
  ['Lufthansa Cargo', 'LH', '020'],
];

export const SEA: SeaCarrier[] = SEA_CARRIERS.map(([name, scac, owner, prefix, ships, weight]) => ({
  name,
  scac,
  owner,
  fleet: ships.map((s) => (prefix ? `${prefix} ${s}` : s)),
  weight,
}));
export const SEA_TABLE = new WeightedTable(SEA, SEA.map((s) => s.weight));
export const AIR_TABLE = new WeightedTable(AIR_CARRIERS, [14, 14, 10, 8, 8, 5, 4, 6, 5, 3]);

const LETTERS = 'BCDFGHJKLMNPRSTVWXYZ';

/** a truck's plate as the administration (or Mexico) writes it */
export function plate(rng: Rng, country: string): string {
  const L = () => LETTERS[rng.int(0, LETTERS.length - 1)];
  const d = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += String(rng.int(0, 9));
    return s;
  };
  switch (country) {
    case 'GT':
      return `C${d(3)}${L()}${L()}${L()}`;
    case 'SV':
      return `C${d(3)}-${d(3)}`;
    case 'HN':
      return `H${L()}${L()}${d(4)}`;
    case 'NI':
      return `M${d(3)}-${d(3)}`;
    case 'CR':
      return `C-${d(6)}`;
    case 'PA':
      return `T${d(6)}`;
    case 'DO':
      return `L${d(6)}`;
    case 'MX':
      return `${d(2)}-${L()}${L()}-${d(3)}`;
    default:
      return `${country}-${d(5)}`;
  }
}
