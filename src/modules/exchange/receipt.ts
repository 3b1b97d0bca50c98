import { z } from 'zod';

/** Schema version of `exchange.receipt` payloads. */
export const RECEIPT_VERSION = 1;

/** A recipient's answer about one message: applied, or refused (dead-lettered) with the reason. */
export const receiptEntrySchema = z.strictObject({
  messageId: z.string().uuid(),
  state: z.enum(['applied', 'refused']),
  code: z.string().max(50).optional(),
  reason: z.string().max(500).optional(),
  /** first 16 bytes of SHA-256 of the message's signature, base64url: ties the answer to the bytes the sender signed */
  digest: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
});
export type ReceiptEntry = z.infer<typeof receiptEntrySchema>;

/** One receipt message carries the answers owed to one sender (batched by the relay). */
export const receiptSchema = z.strictObject({ receipts: z.array(receiptEntrySchema).min(1).max(500) });
export type Receipt = z.infer<typeof receiptSchema>;
