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
  /** the current channel: a supervisor's override applied */
  channel: Channel;
  /** the channel the assessment decided, before any override */
  decidedChannel?: Channel;
  overridden?: boolean;
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

// ---------------------------------------------------------------- risk engine

export type Stage = 'declaration' | 'transit' | 'manifest';
export type CriterionStatus = 'draft' | 'awaiting_approval' | 'active' | 'suspended' | 'expired' | 'rejected';

export interface CriterionScope {
  offices: string[];
  types: string[];
  stages: Stage[];
}

export interface CriterionVersion {
  id: string;
  version: number;
  status: string;
  name: string;
  reason: string;
  expression: string;
  scope: CriterionScope;
  weight: number;
  forcedChannel: Channel | null;
  manifestAction: string | null;
  regional: boolean;
  validFrom: string;
  validTo: string | null;
  author: string;
  submittedAt: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
}

export interface Criterion {
  id: string;
  country: string;
  name: string;
  status: CriterionStatus;
  regional: boolean;
  activeVersion: CriterionVersion | null;
  pendingVersion: CriterionVersion | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  versions?: CriterionVersion[];
}

export interface CelProblem {
  message: string;
  line: number;
  column: number;
  expected?: string;
  unknown?: string;
  suggestion?: string;
  excerpt: string;
}

export type CheckResult = { ok: true } | { ok: false; problem: CelProblem };




export interface Discrepancy {
  kind: string;
  line?: number;
  note: string;
}

export interface ControlResult {
  id: string;
  controlId: string;
  outcome: 'no_discrepancy' | 'discrepancy';
  hit: boolean;
  discrepancies: Discrepancy[];
  extraDutiesAssessed: number;
  extraTaxesAssessed: number;
  currency: string;
  goodsSeized: boolean;
  seizureDescription: string | null;
  notes: string | null;
  officer: string;
  recordedAt: string;
}

export interface Control {
  id: string;
  country: string;
  assessmentId: string;
  declarationId: string;
  declarationVersion: number;
  office: string;
  channel: Channel;
  status: 'assigned' | 'unassigned' | 'done' | 'cancelled';
  randomSelected: boolean;
  riskLevel: string;
  score: number;
  officerId: string | null;
  officerName: string | null;
  waitingReason: string | null;
  assignments: { at: string; draw: number; officerId: string | null; reason?: string; by?: string }[];
  createdAt: string;
  /** in the queue */
  reference?: string | null;
  lodgedAt?: string | null;
  result?: ControlResult | null;
}

export interface DeclarationRisk {
  declarationId: string;
  assessmentId: string | null;
  criteria: { criterionId: string; versionId: string; version: number; name: string; reason: string; weight: number; forcedChannel: Channel | null }[];
  overrides: { id: string; from: Channel; to: Channel; reasonCode: string; reason: string; by: string; at: string }[];
  controls: Control[];
}

export interface TraderRisk {
  country: string;
  tin: string;
  known: boolean;
  standing: string;
  declarations: number;
  controls: number;
  hits: number;
  hitRate: number | null;
  seizures: number;
  firstSeen: string | null;
  lastSeen: string | null;
  recent: {
    id: string;
    declarationId: string;
    reference: string;
    office: string;
    channel: Channel;
    status: string;
    randomSelected: boolean;
    score: number;
    createdAt: string;
    result: { outcome: string; hit: boolean; goodsSeized: boolean; extra: number; currency: string; recordedAt: string; kinds: string[] } | null;
  }[];
}

export interface ControlAgg {
  controls: number;
  hits: number;
  hitRate: number | null;
  seizures: number;
  extraRevenueUsd: number;
}

export interface RandomCompliance {
  controls: number;
  compliant: number;
  complianceRate: number | null;
  ci95: [number, number] | null;
}

export interface ControlsKpi {
  country: string;
  office: string | null;
  from: string;
  to: string;
  timeZone: string;
  open: number;
  totals: ControlAgg;
  random: RandomCompliance;
  days: (ControlAgg & { date: string })[];
  byChannel: (ControlAgg & { channel: Channel })[];
  byOffice: (ControlAgg & { office: string; random: RandomCompliance })[];
  release: { channel: Channel; n: number; medianHours: number | null; p90Hours: number | null }[];
}

export interface AllTargets {
  country: string;
  default: Targets;
  offices: Record<string, Targets>;
}

/** Effectiveness and backtest answers: the server's own definitions. */
export type { BacktestResult, Effectiveness, EffectivenessRow } from '../../../src/modules/risk/views.ts';
