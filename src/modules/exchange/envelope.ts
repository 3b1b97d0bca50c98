import { z } from 'zod';
import type { KeyObject } from 'node:crypto';
import { canonicalize } from './canonical.ts';
import { MESSAGE_KINDS, type Envelope } from './contract.ts';
import { signBytes, verifyBytes } from './crypto.ts';

const CODE = z.string().regex(/^[A-Z]{2}$/, 'an administration code (ISO 3166-1 alpha-2)');

/** An envelope as it travels (the payload is checked later, by the kind's handler). */
export const envelopeSchema = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a UUID'),
  sender: CODE,
  recipients: z.array(CODE).min(1).max(32),
  kind: z.enum(MESSAGE_KINDS),
  schemaVersion: z.number().int().min(1),
  sentAt: z.iso.datetime({ offset: false }),
  subject: z.string().max(200).nullable(),
  payload: z.unknown(),
  keyId: z.string().min(4).max(100),
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'an Ed25519 signature in base64url'),
});

/** The bytes a signature covers: the canonical JSON (RFC 8785) of every field but the signature. */
export function signingInput(e: Omit<Envelope, 'signature'> & { signature?: string }): string {
  const { signature: _s, ...rest } = e;
  return canonicalize(rest);
}

export function signEnvelope(e: Omit<Envelope, 'signature'>, key: KeyObject): Envelope {
  return { ...e, signature: signBytes(key, signingInput(e)) };
}

export function verifyEnvelope(e: Envelope, key: KeyObject): boolean {
  return verifyBytes(key, signingInput(e), e.signature);
}
