/**
 * Shapes of the API's answers the screens use (see /api/openapi.json): inferred from the
 * server's response schemas (the serializer validates every answer against them, so these types
 * are what the API sends). Type-only imports: Vite erases them, nothing of the server reaches the
 * bundle. Risk's types are still written by hand below (risk is being split into rooms; its
 * responses.ts will take them over).
 */
import type { z } from 'zod';
import type * as Decl from '../../../src/modules/declarations/responses.ts';
import type * as Kpi from '../../../src/modules/kpi/responses.ts';
import type * as Ref from '../../../src/reference/responses.ts';
import type * as Transit from '../../../src/modules/transit/responses.ts';

export type Channel = 'green' | 'yellow' | 'red' | 'blue';
export const CHANNELS: Channel[] = ['green', 'yellow', 'red', 'blue'];
export const ADMINISTRATIONS = ['GT', 'SV', 'HN', 'NI', 'CR', 'PA', 'DO'] as const;

// ---------------------------------------------------------------- reference
export type Office = z.output<typeof Ref.officeView>;
export type HsEntry = z.output<typeof Ref.hsEntryView>;

// ---------------------------------------------------------------- declarations
export type Reason = z.output<typeof Decl.reasonView>;
export type DeclarationRow = z.output<typeof Decl.declarationRowView>;
export type DeclarationPayload = z.output<typeof Decl.declarationPayloadView>;
export type Party = DeclarationPayload['declarant'];
export type Item = DeclarationPayload['items'][number];
export type Assessment = z.output<typeof Decl.assessmentView>;
export type DeclarationView = z.output<typeof Decl.declarationView>;
export type DeclarationHistory = z.output<typeof Decl.declarationHistoryView>;

// ---------------------------------------------------------------- indicators
export type ChannelCounts = z.output<typeof Kpi.countsView>;
export type Targets = z.output<typeof Kpi.targetsView>;
export type Overview = z.output<typeof Kpi.overviewView>;
export type AlertSummary = z.output<typeof Kpi.alertSummaryView>;
export type TraderView = z.output<typeof Kpi.traderView>;
export type TraderSummary = TraderView['period'];
export type ControlsKpi = z.output<typeof Kpi.controlsView>;
export type ControlAgg = ControlsKpi['totals'];
export type RandomCompliance = ControlsKpi['random'];
export type AllTargets = z.output<typeof Kpi.allTargetsView>;

// ---------------------------------------------------------------- transit
export type Movement = z.output<typeof Transit.movementView>;
export type TransitEvent = z.output<typeof Transit.eventView>;
export type Alert = z.output<typeof Transit.alertView>;
export type MovementDetail = z.output<typeof Transit.movementDetail>;

// ---------------------------------------------------------------- risk engine (hand-written for now)

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

/** Effectiveness and backtest answers: the server's own definitions. */
export type { BacktestResult, Effectiveness, EffectivenessRow } from '../../../src/modules/risk/views.ts';
