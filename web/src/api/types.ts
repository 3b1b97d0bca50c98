/** Shapes of the API's answers the screens use (see /api/openapi.json). */
export type Channel = 'green' | 'yellow' | 'red' | 'blue';
export const CHANNELS: Channel[] = ['green', 'yellow', 'red', 'blue'];
export const ADMINISTRATIONS = ['GT', 'SV', 'HN', 'NI', 'CR', 'PA', 'DO'] as const;

export interface Office {
  code: string;
  country: string;
  name: string;
  kind: 'seaport' | 'airport' | 'land_border' | 'inland';
  lat?: number;
  lon?: number;
  crossing?: { name: string; neighbour: string };
}

export interface Reason {
  code: string;
  text: string;
  weight?: number;
}

export interface DeclarationRow {
  id: string;
  country: string;
  reference: string;
  type: string;
  office: string;
  lodgedAt: string;
  declarantTin: string;
  importerTin: string | null;
  exporterTin: string | null;
  itemCount: number;
  totalValue: number;
  currency: string;
  version: number;
  channel: Channel | null;
  riskLevel: string | null;
  score: number | null;
  /** present once the list API returns them */
  reasons?: Reason[] | null;
}

export interface Party {
  tin: string;
  name: string;
  country?: string;
}

export interface Item {
  line: number;
  hsCode: string;
  description: string;
  origin: string;
  quantity: number;
  unit: string;
  netMassKg: number;
  grossMassKg: number;
  customsValue: number;
  currency: string;
  dutyRate?: number;
}

export interface DeclarationPayload {
  reference: string;
  country: string;
  type: string;
  office: string;
  lodgedAt: string;
  procedure?: string;
  declarant: Party;
  importer?: Party;
  exporter?: Party;
  seller?: Party;
  buyer?: Party;
  transport?: { mode?: number; conveyance?: string; containers?: string[] };
  items: Item[];
  manifestReference?: string;
  transportDocument?: string;
  countryOfDispatch?: string;
}

export interface Assessment {
  id: string;
  channel: Channel;
  riskLevel: string;
  score: number;
  reasons: Reason[];
  engine: string;
  inputs: Record<string, unknown>;
  decidedAt: string;
  declarationVersion: number;
}

export interface DeclarationView {
  id: string;
  country: string;
  reference: string;
  version: number;
  receivedAt: string;
  updatedAt: string;
  declaration: DeclarationPayload;
  assessment: Assessment | null;
}

export interface DeclarationHistory {
  id: string;
  reference: string;
  versions: { version: number; contentHash: string; receivedAt: string; source: string }[];
  assessments: Assessment[];
}

export interface HsEntry {
  code: string;
  description: string;
  level: number;
}

export interface ChannelCounts {
  total: number;
  green: number;
  yellow: number;
  red: number;
  blue: number;
  unassessed: number;
}

export interface Targets {
  red: number;
  yellow: number;
}

export interface Overview {
  country: string;
  office: string | null;
  from: string;
  to: string;
  timeZone: string;
  targets: Targets;
  totals: ChannelCounts;
  days: (ChannelCounts & { date: string })[];
  offices: (ChannelCounts & { office: string; targets: Targets })[];
}

export interface AlertSummary {
  country: string;
  open: number;
  byKind: { kind: string; count: number }[];
  bySeverity: { severity: string; count: number }[];
}

export interface TraderSummary {
  counts: ChannelCounts;
  values: { currency: string; total: number }[];
  firstLodgedAt: string | null;
  lastLodgedAt: string | null;
  asImporter: number;
  asExporter: number;
  asDeclarant: number;
}

export interface TraderView {
  country: string;
  tin: string;
  known: boolean;
  name: string | null;
  partyCountry: string | null;
  from: string;
  to: string;
  timeZone: string;
  period: TraderSummary;
  allTime: TraderSummary;
  days: (ChannelCounts & { date: string })[];
  offices: (ChannelCounts & { office: string })[];
}

export interface Movement {
  id: string;
  country: string;
  reference: string;
  mode: number;
  officeOfDeparture: string;
  officeOfDestination: string;
  route: string[];
  countries: string[];
  distanceKm: number;
  departureAt: string;
  timeLimit: string;
  plate: string | null;
  rfidTag: string | null;
  containers: string[];
  seals: string[];
  grossMassKg: number;
  packages: number;
  status: 'declared' | 'in_transit' | 'arrived' | 'cancelled';
  eventCount: number;
}

export interface TransitEvent {
  seq: number;
  eventId: string;
  type: string;
  at: string;
  office: string | null;
  country: string | null;
  data: { direction?: 'exit' | 'entry'; seals?: { number: string; intact: boolean }[]; grossMassKg?: number; lat?: number; lon?: number; reason?: string; tag?: string };
}

export interface Alert {
  id: string;
  kind: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  country: string;
  countries: string[];
  movementId: string | null;
  subject: string;
  params: Record<string, unknown>;
  message: { es: string; en: string };
  status: string;
  raisedAt: string;
}

export interface MovementDetail {
  movement: Movement;
  events: TransitEvent[];
  alerts: Alert[];
}
