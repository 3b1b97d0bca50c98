import { ChainVerifier, type ChainProblem } from '../../core/hash-chain.ts';
import type { Db } from '../../db/client.ts';
import { AUDIT_CHAIN_ENCODING, auditHashedEntry } from './audit.ts';
import { auditPage } from './repository.ts';

export interface AuditProblem {
  seq: number;
  id?: string;
  kind: 'edited' | 'missing' | 'broken_link';
  detail: string;
}

export interface AuditHead {
  seq: number;
  hash: string;
}

export interface AuditVerification {
  ok: boolean;
  /** rows read: the whole chain, whatever the administrations reported on */
  checked: number;
  problems: AuditProblem[];
  /** more problems were found than are listed */
  problemsTruncated: boolean;
  /**
   * The last entry. The chain cannot show that its LAST rows were deleted (what remains is a valid
   * chain): record the head somewhere else (a ticket, another system, a partner) and pass it back
   * as `expectedHead` to detect that.
   */
  head: AuditHead | null;
}

export interface VerifyOptions {
  expectedHead?: AuditHead;
  /** rows per page read from the database */
  pageSize?: number;
  /** problems listed at most (all are counted towards `ok`) */
  maxProblems?: number;
  /**
   * Report only on the entries of these administrations (the caller's: see policy.ts). The whole
   * chain is still walked, since each link depends on the entry before it; gaps are reported to
   * everyone (a deleted entry may have been anyone's), edited entries and broken links only to
   * the administrations they belong to. Absent: every entry (the CLI, Centinela itself).
   */
  countries?: readonly string[];
}

/** Parses `SEQ:HASH` as printed by a verification. */
export function parseHead(text: string): AuditHead {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(text.trim());
  if (!m) throw new Error(`Expected SEQ:HASH (e.g. 1234:9f86d0…, 64 hex digits), got "${text}"`);
  return { seq: Number(m[1]), hash: m[2] };
}

export function formatHead(h: AuditHead): string {
  return `${h.seq}:${h.hash}`;
}

/**
 * Walks the audit log in chain order, a page at a time, and reports every entry whose content
 * no longer matches its hash (edited), every gap in the sequence (deleted), and every link that
 * does not point at the previous entry's hash (an entry rewritten with a recomputed hash, or
 * rows spliced in).
 */
export async function verifyAuditChain(db: Db, opts: VerifyOptions = {}): Promise<AuditVerification> {
  const pageSize = opts.pageSize ?? 5000;
  const maxProblems = opts.maxProblems ?? 1000;
  const problems: AuditProblem[] = [];
  let problemCount = 0;
  const scope = opts.countries ? new Set(opts.countries) : null;
  const mine = (row: { country: string | null }) => !scope || (row.country !== null && scope.has(row.country));
  const report = (p: AuditProblem, row?: { country: string | null }) => {
    if (row && !mine(row)) return;
    problemCount++;
    if (problems.length < maxProblems) problems.push(p);
  };

  const chain = new ChainVerifier({ encoding: AUDIT_CHAIN_ENCODING, expectedHead: opts.expectedHead });
  const reportChainProblem = (p: ChainProblem, row?: { id: string; country: string | null }) => {
    const from = (seq: number) => seq || 'the start';
    switch (p.kind) {
      case 'deleted':
        // gaps are reported to everyone: a deleted entry may have been anyone's
        if (p.beforeSeq === null) {
          report({
            seq: p.seq,
            kind: 'missing',
            detail: `the log ends at ${p.afterSeq || '(empty)'} but the recorded head is ${p.toSeq}: entries ${p.seq}–${p.toSeq} were deleted`,
          });
        } else {
          report({
            seq: p.seq,
            kind: 'missing',
            detail:
              p.seq === p.toSeq
                ? `entry ${p.seq} is missing (deleted); the chain jumps from ${from(p.afterSeq)} to ${p.beforeSeq}`
                : `entries ${p.seq}–${p.toSeq} are missing (${p.toSeq - p.seq + 1} deleted); the chain jumps from ${from(p.afterSeq)} to ${p.beforeSeq}`,
          });
        }
        return;
      case 'edited':
        if (p.head) {
          report({
            seq: p.seq,
            id: row?.id,
            kind: 'edited',
            detail: `hash ${p.hash.slice(0, 16)}… differs from the recorded head ${p.expectedHash.slice(0, 16)}…: the log was rewritten up to here`,
          });
        } else {
          report({ seq: p.seq, id: row?.id, kind: 'edited', detail: 'stored hash does not match its content' }, row);
        }
        return;
      case 'broken_link':
        report({
          seq: p.seq,
          id: row?.id,
          kind: 'broken_link',
          detail: `prev_hash does not match the hash of entry ${p.prevSeq || '(genesis)'}: an entry before it was rewritten or this one was inserted`,
        }, row);
        return;
    }
  };

  let prevSeq = 0;
  for (;;) {
    const rows = await auditPage(db, prevSeq, pageSize);
    for (const row of rows) {
      for (const p of chain.push({ seq: row.seq, prevHash: row.prevHash, hash: row.hash, entry: auditHashedEntry(row) })) reportChainProblem(p, row);
      prevSeq = row.seq;
    }
    if (rows.length < pageSize) break;
  }
  for (const p of chain.end()) reportChainProblem(p);

  return {
    ok: problemCount === 0,
    checked: chain.checked,
    problems,
    problemsTruncated: problemCount > problems.length,
    head: chain.head,
  };
}
