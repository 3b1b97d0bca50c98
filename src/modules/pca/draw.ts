import { createHmac, randomBytes } from 'node:crypto';

/**
 * Random draws that can be checked afterwards: a draw is HMAC-SHA256(seed, key) read as a number
 * in [0, 1). The seed is made once (for a plan, a case) and recorded beside what it chose, so
 * anyone can recompute every draw; nobody can choose the outcome without changing the record.
 */
export function newSeed(): string {
  return randomBytes(32).toString('hex');
}

export function draw(seed: string, key: string): number {
  const h = createHmac('sha256', seed).update(key).digest();
  // 53 random bits
  return (h.readUInt32BE(0) * 2 ** 21 + (h.readUInt32BE(4) >>> 11)) / 2 ** 53;
}
