import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, scryptSync, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Ed25519 keys of the exchange (node:crypto). A public key travels as its raw 32 bytes in
 * base64url; its key id is `<administration>-<first 16 bytes of SHA-256(raw key), base64url>`,
 * so a key id names its key (two keys cannot share an id) and says whose it is.
 */

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): 12 bytes, then the raw 32-byte key. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface KeyPair {
  keyId: string;
  administration: string;
  /** raw public key, base64url */
  publicKey: string;
  /** PKCS#8 PEM */
  privatePem: string;
}

export function keyIdOf(administration: string, publicKey: string): string {
  const raw = Buffer.from(publicKey, 'base64url');
  return `${administration}-${createHash('sha256').update(raw).digest().subarray(0, 16).toString('base64url')}`;
}

export function generateKeyPair(administration: string): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  const pub = Buffer.from(raw).toString('base64url');
  return { keyId: keyIdOf(administration, pub), administration, publicKey: pub, privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

/** The public key object of a raw base64url Ed25519 key; throws on anything else. */
export function publicKeyObject(publicKey: string): KeyObject {
  const raw = Buffer.from(publicKey, 'base64url');
  if (raw.length !== 32 || raw.toString('base64url') !== publicKey) throw new TypeError('an Ed25519 public key is 32 bytes in base64url');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function privateKeyObject(pem: string): KeyObject {
  return createPrivateKey({ key: pem, format: 'pem' });
}

export function signBytes(key: KeyObject, data: Buffer | string): string {
  return sign(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, key).toString('base64url');
}

export function verifyBytes(key: KeyObject, data: Buffer | string, signature: string): boolean {
  const sig = Buffer.from(signature, 'base64url');
  if (sig.length !== 64) return false;
  try {
    return verify(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, key, sig);
  } catch {
    return false;
  }
}

/**
 * Private keys at rest. With a secret (CENTINELA_EXCHANGE_KEY_SECRET) the PEM is sealed with
 * AES-256-GCM under a key derived by scrypt, so a copy of the database alone does not give the
 * signing keys away; without one it is stored as is (the database is the node's own).
 */
export function sealPrivateKey(pem: string, secret: string | undefined): string {
  if (!secret) return pem;
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = scryptSync(secret, salt, 32);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(pem, 'utf8'), c.final()]);
  return `enc:v1:${salt.toString('base64url')}:${iv.toString('base64url')}:${c.getAuthTag().toString('base64url')}:${body.toString('base64url')}`;
}

export function openPrivateKey(stored: string, secret: string | undefined): string {
  if (!stored.startsWith('enc:v1:')) return stored;
  if (!secret) throw new Error('the exchange signing keys are sealed: set CENTINELA_EXCHANGE_KEY_SECRET to the secret they were sealed with');
  const [, , salt, iv, tag, body] = stored.split(':');
  const d = createDecipheriv('aes-256-gcm', scryptSync(secret, Buffer.from(salt, 'base64url'), 32), Buffer.from(iv, 'base64url'));
  d.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
  } catch {
    throw new Error('the exchange signing keys cannot be opened: CENTINELA_EXCHANGE_KEY_SECRET is not the secret they were sealed with');
  }
}
