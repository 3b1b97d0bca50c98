/**
 * Shapes of the API's answers the screens use (see /api/openapi.json): inferred from the
 * server's response schemas (the serializer validates every answer against them, so these types
 * are what the API sends). Type-only imports: Vite erases them, nothing of the server reaches the
 * bundle. No shape of the API is written by hand here.
 */
import type { z } from 'zod';
import type * as Decl from '../../../src/modules/declarations/responses.ts';
import type * as Kpi from '../../../src/modules/kpi/responses.ts';
import type * as Risk from '../../../src/modules/risk/responses.ts';
import type * as Ref from '../../../src/reference/responses.ts';
import type * as Transit from '../../../src/modules/transit/responses.ts';
import type * as Traders from '../../../src/modules/traders/responses.ts';
import type * as Pca from '../../../src/modules/pca/responses.ts';

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

// ---------------------------------------------------------------- risk engine
export type Stage = z.output<typeof Risk.criterionVersionView>['scope']['stages'][number];
export type CriterionScope = z.output<typeof Risk.criterionVersionView>['scope'];
export type CriterionVersion = z.output<typeof Risk.criterionVersionView>;
export type Criterion = z.output<typeof Risk.criterionView>;
export type CriterionStatus = Criterion['status'];
export type CheckResult = z.output<typeof Risk.checkResult>;
export type CelProblem = Extract<CheckResult, { ok: false }>['problem'];
export type Discrepancy = z.output<typeof Risk.discrepancyView>;
export type ControlResult = z.output<typeof Risk.controlResultView>;
/** A control as the queue lists it (with its declaration's reference) or as it is fetched (with its reasons and result). */
export type Control = z.output<typeof Risk.controlView> & Partial<Pick<z.output<typeof Risk.controlList>['items'][number], 'reference' | 'lodgedAt'>> & Partial<Pick<z.output<typeof Risk.controlDetail>, 'reasons' | 'result'>>;
export type DeclarationRisk = z.output<typeof Risk.declarationRiskView>;
export type TraderRisk = z.output<typeof Risk.traderRiskView>;
export type BacktestResult = z.output<typeof Risk.backtestResult>;
export type Effectiveness = z.output<typeof Risk.effectivenessView>;
export type EffectivenessRow = Effectiveness['overall'];
export type ReplayResult = z.output<typeof Risk.replayResult>;
export type Duty = z.output<typeof Risk.dutyView>;
export type ConsignmentMark = z.output<typeof Risk.markView>;
export type RiskConfig = z.output<typeof Risk.riskConfigView>;
export type RiskConfigVersion = z.output<typeof Risk.riskConfigVersionView>;

/** A trader's AEO status here and as partner administrations certified it (GET /api/v1/traders/:tin/aeo). */
export type TraderAeo = z.output<typeof Traders.traderAeoView>;
export type AeoRecord = TraderAeo['partners'][number];
export type AeoSet = z.output<typeof Traders.aeoSetView>;

// ---------------------------------------------------------------- post-clearance audit
export type PcaSensitive = z.output<typeof Pca.sensitiveView>;
export type PcaAuditor = z.output<typeof Pca.auditorView>;
export type PcaConflict = z.output<typeof Pca.conflictView>;
export type PcaPlan = z.output<typeof Pca.planView>;
export type PcaPlanDetail = z.output<typeof Pca.planDetail>;
export type PcaPlanItem = z.output<typeof Pca.planItemView>;
export type PcaCase = z.output<typeof Pca.caseView>;
export type PcaCaseDetail = z.output<typeof Pca.caseDetail>;
export type PcaEffectiveness = z.output<typeof Pca.effectivenessView>;
export type PcaMismatch = z.output<typeof Pca.mismatchView>;
export type PcaDetect = z.output<typeof Pca.detectView>;
