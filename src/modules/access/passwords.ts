import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ValidationError } from '../../core/errors.ts';

/**
 * Password hashing with scrypt (RFC 7914). Stored as `scrypt$N$r$p$salt$hash`, salt and hash in
 * base64url, so that the cost can be raised later and old hashes still verify.
 */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1, keyLength: 32, saltLength: 16 } as const;

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

function scrypt(password: string, salt: Buffer, keyLength: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize('NFKC'), salt, keyLength, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** memory scrypt needs is 128·N·r bytes; node refuses above `maxmem` (32 MiB by default) */
const maxmem = (N: number, r: number) => 128 * N * r * 2;

export async function hashPassword(password: string): Promise<string> {
  const { N, r, p, keyLength, saltLength } = SCRYPT_PARAMS;
  const salt = randomBytes(saltLength);
  const key = await scrypt(password, salt, keyLength, { N, r, p, maxmem: maxmem(N, r) });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Checks a password against a stored hash in constant time. A malformed hash never verifies. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const N = Number(parts[1]);
  const r = Number(parts[2]);
  const p = Number(parts[3]);
  // bounds, so that a tampered row cannot make us burn memory or CPU
  if (!Number.isInteger(N) || N < 2 || N > 2 ** 20 || (N & (N - 1)) !== 0) return false;
  if (!Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) return false;
  const salt = Buffer.from(parts[4], 'base64url');
  const expected = Buffer.from(parts[5], 'base64url');
  if (salt.length < 8 || expected.length < 16) return false;
  const key = await scrypt(password, salt, expected.length, { N, r, p, maxmem: maxmem(N, r) });
  return timingSafeEqual(key, expected);
}

/** A hash of a random password, to spend the same time on unknown users as on known ones. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}

/** The rules a new password must follow; throws a ValidationError naming `field`. */
export function checkPasswordPolicy(password: string, opts: { username?: string; field?: string } = {}): void {
  const path = opts.field ?? 'password';
  const fail = (code: string, message: string) => {
    throw new ValidationError([{ path, code, message }], message);
  };
  if (password.length < PASSWORD_MIN_LENGTH) {
    fail('password_too_short', `The password must have at least ${PASSWORD_MIN_LENGTH} characters (it has ${password.length})`);
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    fail('password_too_long', `The password may have at most ${PASSWORD_MAX_LENGTH} characters`);
  }
  if (/^(.)\1*$/u.test(password)) fail('password_too_weak', 'The password must not be one character repeated');
  if (opts.username && password.toLowerCase().includes(opts.username.toLowerCase())) {
    fail('password_contains_username', 'The password must not contain the username');
  }
}

/** A strong random password (24 characters, 144 bits) for accounts made without one. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
