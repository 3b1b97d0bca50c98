import type { Db } from '../../db/client.ts';
import { auditRowHash, GENESIS_HASH } from './audit.ts';
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

  let checked = 0;
  let prevSeq = 0;
  let prevHash = GENESIS_HASH;
  const expected = opts.expectedHead;
  let expectedSeen = false;

  for (;;) {
    const rows = await auditPage(db, prevSeq, pageSize);
    for (const row of rows) {
      checked++;
      const gap = row.seq !== prevSeq + 1;
      if (gap) {
        const first = prevSeq + 1;
        const last = row.seq - 1;
        report({
          seq: first,
          kind: 'missing',
          detail:
            first === last
              ? `entry ${first} is missing (deleted); the chain jumps from ${prevSeq || 'the start'} to ${row.seq}`
              : `entries ${first}–${last} are missing (${last - first + 1} deleted); the chain jumps from ${prevSeq || 'the start'} to ${row.seq}`,
        });
      }
      const recomputed = auditRowHash(row);
      if (recomputed !== row.hash) {
        report({ seq: row.seq, id: row.id, kind: 'edited', detail: 'stored hash does not match its content' }, row);
      }
      // after a gap the link is broken by construction; the gap has been reported
      if (!gap && row.prevHash !== prevHash) {
        report({
          seq: row.seq,
          id: row.id,
          kind: 'broken_link',
          detail: `prev_hash does not match the hash of entry ${prevSeq || '(genesis)'}: an entry before it was rewritten or this one was inserted`,
        }, row);
      }
      if (expected && row.seq === expected.seq) {
        expectedSeen = true;
        if (row.hash !== expected.hash) {
          report({
            seq: row.seq,
            id: row.id,
            kind: 'edited',
            detail: `hash ${row.hash.slice(0, 16)}… differs from the recorded head ${expected.hash.slice(0, 16)}…: the log was rewritten up to here`,
          });
        }
      }
      prevSeq = row.seq;
      prevHash = row.hash;
    }
    if (rows.length < pageSize) break;
  }

  if (expected && !expectedSeen && expected.seq > prevSeq) {
    report({
      seq: prevSeq + 1,
      kind: 'missing',
      detail: `the log ends at ${prevSeq || '(empty)'} but the recorded head is ${expected.seq}: entries ${prevSeq + 1}–${expected.seq} were deleted`,
    });
  }

  return {
    ok: problemCount === 0,
    checked,
    problems,
    problemsTruncated: problemCount > problems.length,
    head: checked ? { seq: prevSeq, hash: prevHash } : null,
  };
}
