import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from './hash.ts';
import { buildChain, CONCAT_ENCODING, EMBEDDED_PREV_HASH, GENESIS_HASH, linkHash, verifyChain } from './hash-chain.ts';

describe('hash chain', () => {
  const entries = [{ a: 1, b: 'x' }, { a: 2, when: new Date('2026-01-02T03:04:05Z') }, { a: 3, nested: { z: 1, y: [2, 1] } }, { a: 4 }];

  it('concat: SHA-256 of the previous hash followed by the canonical entry', () => {
    expect(linkHash(GENESIS_HASH, { b: 1, a: 2 })).toBe(sha256Hex(GENESIS_HASH + '{"a":2,"b":1}'));
  });

  it('embedded: the previous hash written into the hashed object (the audit log and ledger encoding)', () => {
    const prev = 'ab'.repeat(32);
    expect(linkHash(prev, { b: 1, a: 2 }, EMBEDDED_PREV_HASH)).toBe(sha256Hex(canonicalJson({ a: 2, b: 1, prevHash: prev })));
    expect(() => linkHash(prev, 'text', EMBEDDED_PREV_HASH)).toThrow();
  });

  for (const encoding of [CONCAT_ENCODING, EMBEDDED_PREV_HASH]) {
    describe(`verify (${encoding.kind})`, () => {
      const chain = () => buildChain(entries, { encoding });

      it('a chain as built holds', () => {
        const v = verifyChain(chain(), { encoding });
        expect(v).toMatchObject({ ok: true, checked: 4, first: null, head: { seq: 4 } });
      });

      it('names an edited link', () => {
        const c = chain();
        c[1] = { ...c[1], entry: { ...c[1].entry, a: 20 } };
        expect(verifyChain(c, { encoding }).first).toEqual({ kind: 'edited', seq: 2 });
      });

      it('names a link rewritten with its hash by the broken link after it', () => {
        const c = chain();
        const entry = { a: 20 };
        c[1] = { ...c[1], entry, hash: linkHash(c[1].prevHash, entry, encoding) };
        expect(verifyChain(c, { encoding }).problems).toEqual([{ kind: 'broken_link', seq: 3, prevSeq: 2 }]);
      });

      it('names deleted links, in the middle and (with a recorded head) at the end', () => {
        const c = chain();
        expect(verifyChain([c[0], c[3]], { encoding }).first).toEqual({ kind: 'deleted', seq: 2, toSeq: 3, afterSeq: 1, beforeSeq: 4 });
        const head = { seq: 4, hash: c[3].hash };
        expect(verifyChain(c.slice(0, 2), { encoding, expectedHead: head }).problems).toEqual([{ kind: 'deleted', seq: 3, toSeq: 4, afterSeq: 2, beforeSeq: null }]);
        expect(verifyChain(c, { encoding, expectedHead: head }).ok).toBe(true);
      });

      it('the two encodings give different hashes', () => {
        const other = encoding === CONCAT_ENCODING ? EMBEDDED_PREV_HASH : CONCAT_ENCODING;
        expect(verifyChain(chain(), { encoding: other }).first).toEqual({ kind: 'edited', seq: 1 });
      });
    });
  }
});
