/** The transit ledger: each chain's events are linked by hash, so any edit or removal shows. */
import { EMBEDDED_PREV_HASH, GENESIS_HASH, linkHash, type ChainEncoding } from '../../core/hash-chain.ts';

export const GENESIS = GENESIS_HASH;
/** How the ledger's links have always been hashed: the previous hash is a field of the hashed object. */
export const LEDGER_CHAIN_ENCODING: ChainEncoding = EMBEDDED_PREV_HASH;

export interface LedgerRow {
  chain: string;
  seq: number;
  eventId: string;
  movementId: string | null;
  type: string;
  at: Date;
  office: string | null;
  country: string | null;
  data: unknown;
  receivedAt: Date;
  prevHash: string;
}

/** The content an event's hash covers besides its link (timestamps as ISO text). */
export function ledgerHashedEntry(r: Omit<LedgerRow, 'prevHash'>) {
  return {
    chain: r.chain,
    seq: r.seq,
    eventId: r.eventId,
    movementId: r.movementId,
    type: r.type,
    at: r.at.toISOString(),
    office: r.office,
    country: r.country,
    data: r.data ?? null,
    receivedAt: r.receivedAt.toISOString(),
  };
}

/** An event's hash: its content linked to the hash before it in its chain (core/hash-chain.ts, the embedded encoding). */
export function eventHash(r: LedgerRow): string {
  return linkHash(r.prevHash, ledgerHashedEntry(r), LEDGER_CHAIN_ENCODING);
}

export const movementChain = (id: string) => `movement:${id}`;
export const arrivalChain = (country: string, manifest: string) => `arrival:${country}/${manifest}`;

export interface LedgerProblem {
  chain: string;
  /** the movement's reference (country/reference) or the arrival */
  subject: string;
  movementId: string | null;
  seq: number;
  eventId: string | null;
  kind: 'altered' | 'removed' | 'head_mismatch';
  detail: string;
}

/**
 * Records the ledger keeps beside the events: the withdrawal of an alert (a later event explained
 * it away). Chained into the movement's ledger like its events, so it cannot be edited or dropped
 * unseen; it carries the administrations that got the alert, for the regional exchange to send on.
 */
export const WITHDRAWAL_RECORD = 'alert_withdrawn';
export const LEDGER_RECORD_TYPES: ReadonlySet<string> = new Set([WITHDRAWAL_RECORD]);
export const isLedgerRecord = (type: string) => LEDGER_RECORD_TYPES.has(type);

/** Events no transit could be found for without guessing (an ambiguous seal, plate, container or tag), per administration. */
export const unresolvedChain = (country: string) => `unknown:${country}`;
