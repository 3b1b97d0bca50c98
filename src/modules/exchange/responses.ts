import { z } from 'zod';

/** Response shapes of the exchange routes (the serializer keeps only the fields named here). */

const when = z.string().nullable();

export const linkStatusView = z.object({
  transport: z.enum(['nats', 'memory']),
  location: z.string(),
  up: z.boolean(),
  since: z.string().describe('when the link last went up or down'),
  severed: z.boolean(),
  local: z.array(z.string()).describe('the administrations this node serves'),
  queued: z.number().describe('deliveries waiting in the outbox'),
  oldestQueuedAt: when,
  lastSentAt: when,
  lastReceivedAt: when,
  deadLetters: z.number().describe('dead letters open'),
  lastError: z.string().nullable(),
});

export const deliveryView = z.object({
  messageId: z.string(),
  recipient: z.string(),
  kind: z.string(),
  state: z.enum(['queued', 'sent', 'applied', 'refused']),
  reason: z.string().nullable(),
  queuedAt: z.string(),
  sentAt: when,
  answeredAt: when,
});
export const deliveriesView = z.object({ sender: z.string(), items: z.array(deliveryView) });

export const receivedView = z.object({
  items: z.array(z.object({ messageId: z.string(), recipient: z.string(), sender: z.string(), kind: z.string(), subject: z.string().nullable(), sentAt: z.string(), receivedAt: z.string(), appliedAt: z.string() })),
});

export const sentMessageView = z.object({
  id: z.string(),
  sender: z.string(),
  recipients: z.array(z.string()),
  kind: z.string(),
  schemaVersion: z.number(),
  subject: z.string().nullable(),
  payload: z.unknown(),
  redacted: z.array(z.string()),
  sentAt: z.string(),
  keyId: z.string().nullable(),
  deliveries: z.array(deliveryView),
});

export const deadLetterView = z.object({
  id: z.string(),
  messageId: z.string().nullable(),
  recipient: z.string(),
  sender: z.string().nullable(),
  kind: z.string().nullable(),
  code: z.string(),
  reason: z.string(),
  receivedAt: z.string(),
  status: z.enum(['open', 'applied', 'discarded']),
  resolvedAt: when,
  resolvedBy: z.string().nullable(),
  examinations: z.number(),
});
export const deadLettersView = z.object({ items: z.array(deadLetterView) });
export const deadLetterDetailView = deadLetterView.extend({ raw: z.string() });
export const examinedView = z.object({ outcome: z.enum(['applied', 'duplicate', 'dead', 'retry']), code: z.string().nullable(), reason: z.string().nullable(), deadLetter: deadLetterView });

export const keyView = z.object({
  keyId: z.string(),
  administration: z.string(),
  origin: z.enum(['local', 'imported']),
  publicKey: z.string(),
  createdAt: z.string(),
  retiredAt: when,
  revokedAt: when,
  revocationReason: z.string().nullable(),
  registeredBy: z.string(),
  registeredAt: z.string(),
});
export const keysView = z.object({ items: z.array(keyView) });
export const keyBundleView = z.object({
  format: z.literal('centinela.exchange.keys/1'),
  administration: z.string(),
  exportedAt: z.string(),
  keys: z.array(z.object({ keyId: z.string(), algorithm: z.literal('Ed25519'), publicKey: z.string(), createdAt: z.string(), retiredAt: when, revokedAt: when })),
});
export const importedView = z.object({ added: z.array(z.string()), updated: z.array(z.string()), unchanged: z.array(z.string()) });
export const revokedView = z.object({ keyId: z.string(), administration: z.string(), revokedAt: z.string(), replacement: z.string().nullable() });
export const rotatedView = z.object({ administration: z.string(), retired: z.string().nullable(), active: z.string() });

const ruleView = z.object({ kind: z.string(), partners: z.array(z.string()), redact: z.array(z.string()) });
export const rulesView = z.object({ administration: z.string(), version: z.number(), rules: z.array(ruleView), note: z.string().nullable(), createdBy: z.string().nullable(), createdAt: when });
export const rulesHistoryView = z.object({ administration: z.string(), items: z.array(rulesView) });

export const partnersView = z.object({
  administration: z.string(),
  items: z.array(z.object({ sender: z.string(), kinds: z.array(z.string()).nullable().describe('kinds it may send; null: every kind'), version: z.number(), updatedBy: z.string().nullable(), updatedAt: when, keys: z.number().describe('its keys valid now') })),
});
