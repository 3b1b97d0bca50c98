/**
 * Hash chains: each entry's hash covers its content and the hash of the entry before it, so that
 * any edit, deletion or insertion shows when the chain is walked again. One helper for every chain
 * Centinela keeps (the audit log, the transit ledger).
 *
 * Two encodings of a link, both reachable so that no stored hash ever has to change:
 * - `concat` (the default for new chains): hash = SHA-256(prevHash || canonical(entry)), the
 *   previous hash as 64 hex digits followed by the canonical JSON of the entry;
 * - `embedded` (what the audit log and the transit ledger have always stored): hash =
 *   SHA-256(canonical({ ...entry, [field]: prevHash })), the previous hash written into the hashed
 *   object under `field` (`prevHash` for both).
 */
import { canonicalJson, sha256Hex } from './hash.ts';

export { canonicalJson };

/** The hash the first entry of a chain links to. */
export const GENESIS_HASH = '0'.repeat(64);

export type ChainEncoding = { kind: 'concat' } | { kind: 'embedded'; field: string };

/** SHA-256(prevHash || canonical(entry)): for new chains. */
export const CONCAT_ENCODING: ChainEncoding = Object.freeze({ kind: 'concat' });
/** SHA-256(canonical({ ...entry, prevHash })): the audit log's and the transit ledger's stored encoding. */
export const EMBEDDED_PREV_HASH: ChainEncoding = Object.freeze({ kind: 'embedded', field: 'prevHash' });

/** The hash of an entry linked to `prevHash`. */
export function linkHash(prevHash: string, entry: unknown, encoding: ChainEncoding = CONCAT_ENCODING): string {
  if (encoding.kind === 'concat') return sha256Hex(prevHash + canonicalJson(entry));
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new TypeError('an embedded hash-chain link needs an object entry to write the previous hash into');
  }
  return sha256Hex(canonicalJson({ ...(entry as Record<string, unknown>), [encoding.field]: prevHash }));
}

/** One stored link of a chain: its position, what it says it links to, its stored hash and the content the hash covers. */
export interface ChainLink<E = unknown> {
  seq: number;
  prevHash: string;
  hash: string;
  /** the hashed content, without the previous hash */
  entry: E;
}

/**
 * What is wrong with a chain, at the first link where it shows:
 * - `deleted`: links `seq`..`toSeq` are missing (a gap in the sequence, or the end of the chain
 *   before an expected head);
 * - `edited`: the link at `seq` no longer matches its stored hash (or, with `head: true`, its hash
 *   differs from a head recorded elsewhere: the chain was rewritten up to here);
 * - `broken_link`: the link at `seq` does not point at the stored hash of the link before it (that
 *   link was rewritten together with its hash, or this one was spliced in).
 */
export type ChainProblem =
  | { kind: 'deleted'; seq: number; toSeq: number; afterSeq: number; beforeSeq: number | null }
  | { kind: 'edited'; seq: number; head?: false }
  | { kind: 'edited'; seq: number; head: true; hash: string; expectedHash: string }
  | { kind: 'broken_link'; seq: number; prevSeq: number };

export interface ChainHead {
  seq: number;
  hash: string;
}

export interface ChainVerifierOptions {
  encoding?: ChainEncoding;
  /** the hash the first link points at (default GENESIS_HASH) */
  genesis?: string;
  /** the seq of the first link (default 1) */
  firstSeq?: number;
  /** a head recorded elsewhere: detects a rewritten chain and deleted last links */
  expectedHead?: ChainHead;
}

/**
 * Walks a chain link by link (in seq order), so that long chains can be read a page at a time.
 * `push` returns the problems a link shows, `end` those only the end of the chain shows.
 */
export class ChainVerifier<E = unknown> {
  private readonly encoding: ChainEncoding;
  private readonly expected?: ChainHead;
  private expectedSeen = false;
  private prevSeq: number;
  private prevHash: string;
  /** links read */
  checked = 0;

  constructor(opts: ChainVerifierOptions = {}) {
    this.encoding = opts.encoding ?? CONCAT_ENCODING;
    this.prevSeq = (opts.firstSeq ?? 1) - 1;
    this.prevHash = opts.genesis ?? GENESIS_HASH;
    this.expected = opts.expectedHead;
  }

  /** The last link read, or null before any. */
  get head(): ChainHead | null {
    return this.checked ? { seq: this.prevSeq, hash: this.prevHash } : null;
  }

  push(link: ChainLink<E>): ChainProblem[] {
    const problems: ChainProblem[] = [];
    this.checked++;
    const gap = link.seq !== this.prevSeq + 1;
    if (gap) problems.push({ kind: 'deleted', seq: this.prevSeq + 1, toSeq: link.seq - 1, afterSeq: this.prevSeq, beforeSeq: link.seq });
    if (linkHash(link.prevHash, link.entry, this.encoding) !== link.hash) problems.push({ kind: 'edited', seq: link.seq });
    // after a gap the link is broken by construction; the gap is the problem reported
    if (!gap && link.prevHash !== this.prevHash) problems.push({ kind: 'broken_link', seq: link.seq, prevSeq: this.prevSeq });
    if (this.expected && link.seq === this.expected.seq) {
      this.expectedSeen = true;
      if (link.hash !== this.expected.hash) problems.push({ kind: 'edited', seq: link.seq, head: true, hash: link.hash, expectedHash: this.expected.hash });
    }
    this.prevSeq = link.seq;
    this.prevHash = link.hash;
    return problems;
  }

  end(): ChainProblem[] {
    const e = this.expected;
    if (e && !this.expectedSeen && e.seq > this.prevSeq) {
      return [{ kind: 'deleted', seq: this.prevSeq + 1, toSeq: e.seq, afterSeq: this.prevSeq, beforeSeq: null }];
    }
    return [];
  }
}

export interface ChainVerification {
  ok: boolean;
  checked: number;
  /** every problem, in chain order */
  problems: ChainProblem[];
  /** the first broken, edited or deleted link, or null when the chain holds */
  first: ChainProblem | null;
  head: ChainHead | null;
}

/** Verifies a whole chain held in memory (in seq order). */
export function verifyChain<E>(links: Iterable<ChainLink<E>>, opts: ChainVerifierOptions = {}): ChainVerification {
  const v = new ChainVerifier<E>(opts);
  const problems: ChainProblem[] = [];
  for (const l of links) problems.push(...v.push(l));
  problems.push(...v.end());
  return { ok: problems.length === 0, checked: v.checked, problems, first: problems[0] ?? null, head: v.head };
}

/** Builds the links of a new chain from entries, in order (seq from `firstSeq`, default 1). */
export function buildChain<E>(entries: Iterable<E>, opts: { encoding?: ChainEncoding; genesis?: string; firstSeq?: number } = {}): ChainLink<E>[] {
  const out: ChainLink<E>[] = [];
  let prevHash = opts.genesis ?? GENESIS_HASH;
  let seq = (opts.firstSeq ?? 1) - 1;
  for (const entry of entries) {
    seq++;
    const hash = linkHash(prevHash, entry, opts.encoding ?? CONCAT_ENCODING);
    out.push({ seq, prevHash, hash, entry });
    prevHash = hash;
  }
  return out;
}
