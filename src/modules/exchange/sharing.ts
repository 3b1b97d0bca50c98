import { z } from 'zod';
import { ADMINISTRATIONS } from '../../reference/types.ts';
import { MESSAGE_KINDS, type MessageKind } from './contract.ts';

/**
 * A sender's sharing rules: for each kind (or `*`, every kind without a rule of its own) the
 * partners it goes to (`*`: every partner a module names) and the payload paths removed before it
 * leaves (dot paths; `*` stands for every element of an array or member of an object, e.g.
 * `controls.*.officer`). A kind matched by no rule goes to no one. Receipts are not subject to the
 * rules (they carry no business data).
 */
const PATH = z
  .string()
  .min(1)
  .max(200)
  .regex(/^(\*|[A-Za-z_][A-Za-z0-9_]*|\d+)(\.(\*|[A-Za-z_][A-Za-z0-9_]*|\d+))*$/, 'a dot path such as `officer` or `controls.*.officer`');

export const sharingRuleSchema = z.strictObject({
  kind: z.union([z.enum(MESSAGE_KINDS.filter((k) => k !== 'exchange.receipt') as [MessageKind, ...MessageKind[]]), z.literal('*')]),
  partners: z.array(z.union([z.enum(ADMINISTRATIONS as unknown as [string, ...string[]]), z.literal('*')])).max(ADMINISTRATIONS.length + 1),
  redact: z.array(PATH).max(100).default([]),
});
export const sharingRulesSchema = z.strictObject({
  rules: z.array(sharingRuleSchema).max(100).superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((r, i) => {
      if (seen.has(r.kind)) ctx.addIssue({ code: 'custom', path: [i, 'kind'], message: `two rules for ${r.kind}: one rule per kind` });
      seen.add(r.kind);
    });
  }),
  note: z.string().max(500).optional(),
});
export type SharingRule = z.infer<typeof sharingRuleSchema>;
export type SharingRules = { rules: SharingRule[] };

/** The rules in force before an administration saves any: every kind to every partner a module names, nothing removed. */
export const DEFAULT_RULES: SharingRules = { rules: [{ kind: '*', partners: ['*'], redact: [] }] };

export interface Shared<P> {
  recipients: string[];
  payload: P;
  redacted: string[];
}

/** Applies the rules to a message: the recipients that remain and the payload with the redacted paths removed. */
export function applySharingRules<P>(rules: SharingRules, kind: MessageKind, recipients: string[], payload: P): Shared<P> {
  if (kind === 'exchange.receipt') return { recipients, payload, redacted: [] };
  const rule = rules.rules.find((r) => r.kind === kind) ?? rules.rules.find((r) => r.kind === '*');
  if (!rule) return { recipients: [], payload, redacted: [] };
  const all = rule.partners.includes('*');
  const kept = recipients.filter((r) => all || rule.partners.includes(r));
  if (!kept.length || !rule.redact.length) return { recipients: kept, payload, redacted: [] };
  const copy = structuredClone(payload);
  const removed: string[] = [];
  for (const p of rule.redact) removePath(copy, p.split('.'), [], removed);
  return { recipients: kept, payload: copy, redacted: [...new Set(removed)] };
}

function removePath(node: unknown, path: string[], at: string[], removed: string[]): void {
  if (node === null || typeof node !== 'object' || !path.length) return;
  const [head, ...rest] = path;
  const keys = head === '*' ? Object.keys(node) : [head];
  for (const k of keys) {
    if (!Object.prototype.hasOwnProperty.call(node, k)) continue;
    if (!rest.length) {
      if (Array.isArray(node)) (node as unknown[])[Number(k)] = null;
      else delete (node as Record<string, unknown>)[k];
      removed.push([...at, k].join('.'));
    } else removePath((node as Record<string, unknown>)[k], rest, [...at, k], removed);
  }
}
