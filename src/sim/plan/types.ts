/**
 * What the simulator plans before it writes anything: the goods of each declaration line (true and
 * declared side by side), consignments, manifests and declarations, and small helpers they share.
 */
import type { Administration, Office } from '../../reference/types.ts';
import type { Trader } from '../traders.ts';
import type { FraudType, Goods, HeadingInfo } from '../world.ts';

export const DAY_MS = 86_400_000;

export interface ItemPlan {
  goods: Goods;
  origin: string;
  quantity: number;
  netKg: number;
  grossKg: number;
  valueUsd: number;
  /** what is declared */
  dCode: string;
  dDescription: string;
  dOrigin: string;
  dPreference: string | null;
  dQuantity: number;
  dNetKg: number;
  dGrossKg: number;
  dValueUsd: number;
  dutyTrue: number;
  dutyDeclared: number;
}

export interface ConsignmentPlan {
  transportDocument: string;
  shipper: string;
  consignee: string;
  consigneeTin?: string;
  description: string;
  hsCode: string;
  packages: number;
  grossKg: number;
  containers: string[];
  portOfLoading?: string;
  decl: DeclPlan | null;
  fate: string;
  /** index of the sea or air carrier that issued the transport document */
  carrierIdx: number;
  /** sea cargo: full container loads, groupage (shares a consolidation container) or bulk */
  load: 'fcl' | 'lcl' | 'bulk' | 'other';
}

export interface ManifestPlan {
  seq: number;
  country: Administration;
  office: Office;
  mode: 1 | 3 | 4;
  carrier: string;
  conveyance: string;
  voyage?: string;
  arrivalDay: number;
  arrivalSecs: number;
  epoch: number;
  consignments: ConsignmentPlan[];
  reference?: string;
}

export interface DeclPlan {
  seq: number;
  country: Administration;
  type: 'IM' | 'EX' | 'TR';
  office: Office;
  mode: 1 | 3 | 4;
  conveyance: string;
  nationality?: string;
  containers: string[];
  trader: Trader;
  declarant: { tin: string; name: string; country: string };
  importer?: { tin: string; name: string; country: string };
  exporter?: { tin: string; name: string; country: string };
  seller?: { tin: string; name: string; country: string };
  dispatch?: string;
  destination?: string;
  heading: HeadingInfo;
  items: ItemPlan[];
  currency: string;
  rate: number;
  fraudType: FraudType | null;
  errors: string[];
  manifest: ManifestPlan | null;
  consignment: ConsignmentPlan | null;
  lodgeDay: number;
  lodgeSecs: number;
  epoch: number;
  diverted: boolean;
}

export const round2 = (x: number) => Math.round(x * 100) / 100;
export const round3 = (x: number) => Math.round(x * 1000) / 1000;
export const pad = (n: number, w: number) => String(n).padStart(w, '0');
export const two = (n: number) => (n < 10 ? '0' : '') + n;

export function partyOf(t: { tin: string; name: string; country: string }) {
  return { tin: t.tin, name: t.name, country: t.country };
}
