/**
 * Who the trader of a declaration is, written once: the importer of an import, the exporter of an
 * export, the declarant of a transit (or the declarant when the importer / exporter is absent).
 * Selectivity counts history against it, the model's features and backtests read history by it,
 * and the SQL twin (`traderTinSql`) lets the declarations module answer "whose declaration is this"
 * in a query with the same rule.
 */
import { sql, type SQL } from 'drizzle-orm';

export const TRADER_ROLES = ['importer', 'exporter', 'declarant'] as const;
export type TraderRole = (typeof TRADER_ROLES)[number];

interface PartyLike {
  tin: string;
  name?: string;
  country?: string | null;
}
interface DeclarationParties {
  type: string;
  declarant: PartyLike;
  importer?: PartyLike | null;
  exporter?: PartyLike | null;
}

/** Whose history a declaration adds to. */
export function traderTinOf(d: Pick<DeclarationParties, 'type' | 'importer' | 'exporter' | 'declarant'>): string {
  if (d.type === 'IM') return d.importer?.tin ?? d.declarant.tin;
  if (d.type === 'EX') return d.exporter?.tin ?? d.declarant.tin;
  return d.declarant.tin;
}

/**
 * The same rule in SQL over a row of the declarations table aliased `alias` (columns type,
 * importer_tin, exporter_tin, declarant_tin).
 */
export function traderTinSql(alias: string): SQL {
  const a = sql.raw(alias);
  return sql`(case ${a}.type when 'IM' then coalesce(${a}.importer_tin, ${a}.declarant_tin) when 'EX' then coalesce(${a}.exporter_tin, ${a}.declarant_tin) else ${a}.declarant_tin end)`;
}

/** The capacities a TIN appears in on a declaration. */
export function rolesIn(d: DeclarationParties, tin: string): TraderRole[] {
  const out: TraderRole[] = [];
  if (d.importer?.tin === tin) out.push('importer');
  if (d.exporter?.tin === tin) out.push('exporter');
  if (d.declarant.tin === tin) out.push('declarant');
  return out;
}

/** The party a TIN names on a declaration (importer, exporter, then declarant). */
export function partyOf(d: DeclarationParties, tin: string): PartyLike | undefined {
  return [d.importer, d.exporter, d.declarant].find((p): p is PartyLike => !!p && p.tin === tin);
}

/** A trader as an administration knows it. */
export interface TraderIdentity {
  country: string;
  tin: string;
  /** false when no declaration of the administration names the TIN */
  known: boolean;
  /** the name it last declared under */
  name: string | null;
  /** the party's country on that declaration */
  partyCountry: string | null;
  /** the capacities it was seen in on its latest declaration */
  roles: TraderRole[];
  lastSeenAt: string | null;
}
