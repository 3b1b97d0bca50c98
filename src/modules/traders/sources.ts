/**
 * What the traders module reads of other modules' records, as narrow read ports: the declarations
 * module implements `DeclarationFacts` (declarations/reads.ts), the risk module `ControlFacts`
 * (risk/reads.ts), and the composition root (src/app/services.ts) hands them over. The traders
 * module imports neither module (risk depends on traders for the counters, so it must not).
 */
import type { Tx } from '../../db/client.ts';
import type { ControlEvent, DeclarationEvent, ResultEvent } from './history.ts';

/** Whose events to read: traders (identity.ts) and declarants; absent = everyone's. */
export interface TinFilter {
  traders: string[];
  declarants: string[];
}

export interface DeclarationFacts {
  /** Declarations of an administration lodged before `until`, with their trader and declarant (only those naming the TINs, when given). */
  traderEvents(tx: Tx, country: string, until: Date, tins?: TinFilter): Promise<DeclarationEvent[]>;
  /** The latest declaration of the administration naming the TIN (as importer, exporter or declarant): its parties. */
  latestNaming(
    tx: Tx,
    country: string,
    tin: string,
  ): Promise<{ lodgedAt: Date; declaration: { type: string; declarant: { tin: string; name?: string; country?: string | null }; importer?: { tin: string; name?: string; country?: string | null } | null; exporter?: { tin: string; name?: string; country?: string | null } | null } } | null>;
}

export interface ControlFacts {
  /** Controls opened (not cancelled) before `until` of an administration, by the control's date; of these declarations when given. */
  controlEvents(tx: Tx, country: string, until: Date, declarationIds?: string[]): Promise<ControlEvent[]>;
  /** Control results recorded before `until`, by the date recorded; of these declarations when given. */
  resultEvents(tx: Tx, country: string, until: Date, declarationIds?: string[]): Promise<ResultEvent[]>;
}

export interface TraderSources {
  declarations: DeclarationFacts;
  controls: ControlFacts;
}
