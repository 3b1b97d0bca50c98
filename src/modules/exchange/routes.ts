/** The regional exchange under /api/v1/exchange: link status, messages and their delivery, dead letters, keys, partners, sharing rules. */
import { z } from 'zod';
import type { App, AppDeps } from '../../server/deps.ts';
import { authorize, principalOf } from '../access/auth.ts';
import { appendAudit } from '../access/audit.ts';
import { administrationsFor, requireAdministration, type Action } from '../access/policy.ts';
import type { Principal } from '../access/types.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { problems } from '../../core/problem.ts';
import { ADMINISTRATIONS } from '../../reference/types.ts';
import { MESSAGE_KINDS, type MessageKind } from './contract.ts';
import { keyBundleSchema } from './keys.ts';
import { sharingRulesSchema } from './sharing.ts';
import type { ExchangeService } from './service.ts';
import * as R from './responses.ts';

const tags = ['exchange'];
const administration = z.enum(ADMINISTRATIONS);
const kind = z.enum(MESSAGE_KINDS);
const limit = z.coerce.number().int().min(1).max(1000).default(100);
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a UUID');
const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString());

type DeadLetterRow = Awaited<ReturnType<ExchangeService['deadLetters']>>[number];
const deadLetterOut = (r: DeadLetterRow) => ({
  id: r.id,
  messageId: r.messageId,
  recipient: r.recipient,
  sender: r.sender,
  kind: r.kind,
  code: r.code,
  reason: r.reason,
  receivedAt: r.receivedAt.toISOString(),
  status: r.status as 'open' | 'applied' | 'discarded',
  resolvedAt: iso(r.resolvedAt),
  resolvedBy: r.resolvedBy,
  examinations: r.examinations,
});

export async function exchangeRoutes(app: App, deps: AppDeps & { exchange: ExchangeService }): Promise<void> {
  const { exchange, db, clock } = deps;
  const local = exchange.local;

  /** The local administrations the principal reaches for an action (404-free listing scope). */
  const reach = (p: Principal, action: Action) => administrationsFor(p, action).filter((a) => local.includes(a));
  /** One local administration: the one asked for (checked), else the principal's own. */
  const one = (p: Principal, action: Action, asked: string | undefined, field = 'administration') => {
    const a = asked ?? (local.includes(p.country) ? p.country : local[0]);
    requireAdministration(p, action, a, field);
    if (!local.includes(a)) throw new ValidationError([{ path: field, code: 'not_local', message: `this node serves ${local.join(', ')}, not ${a}` }]);
    return a;
  };

  app.get(
    '/api/v1/exchange/status',
    { preHandler: authorize('exchange.status'), schema: { tags, summary: 'The link to the regional exchange: up or down since when, outbound queue, last message each way, open dead letters', response: { 200: R.linkStatusView, ...problems } } },
    async () => exchange.status(),
  );

  app.get(
    '/api/v1/exchange/messages/sent',
    {
      preHandler: authorize('exchange.read'),
      schema: {
        tags,
        summary: 'Messages sent by an administration of this node, one row per recipient with its delivery state (queued, sent, applied, refused with the reason), newest first',
        querystring: z.object({ administration: administration.optional(), kind: kind.optional(), state: z.enum(['queued', 'sent', 'applied', 'refused']).optional(), recipient: administration.optional(), messageId: uuid.optional(), limit }),
        response: { 200: R.deliveriesView, ...problems },
      },
    },
    async (req) => {
      const sender = one(principalOf(req), 'exchange.read', req.query.administration);
      const items = await exchange.deliveries({ sender, kind: req.query.kind as MessageKind | undefined, state: req.query.state, recipient: req.query.recipient, messageId: req.query.messageId, limit: req.query.limit });
      return { sender, items: items.map((d) => ({ ...d, queuedAt: d.queuedAt.toISOString(), sentAt: iso(d.sentAt), answeredAt: iso(d.answeredAt) })) };
    },
  );

  app.get(
    '/api/v1/exchange/messages/sent/:id',
    { preHandler: authorize('exchange.read'), schema: { tags, summary: 'A sent message as it left (payload after the sharing rules, the paths they removed) and its delivery per recipient', params: z.object({ id: uuid }), response: { 200: R.sentMessageView, ...problems } } },
    async (req) => {
      const m = await exchange.sentMessage(req.params.id);
      if (!m || !reach(principalOf(req), 'exchange.read').includes(m.sender)) throw new NotFoundError(`message ${req.params.id}`);
      const deliveries = await exchange.deliveries({ sender: m.sender, messageId: m.id, kind: m.kind as MessageKind });
      return { id: m.id, sender: m.sender, recipients: m.recipients, kind: m.kind, schemaVersion: m.schemaVersion, subject: m.subject, payload: m.payload, redacted: m.redacted, sentAt: m.sentAt.toISOString(), keyId: m.keyId, deliveries: deliveries.map((d) => ({ ...d, queuedAt: d.queuedAt.toISOString(), sentAt: iso(d.sentAt), answeredAt: iso(d.answeredAt) })) };
    },
  );

  app.get(
    '/api/v1/exchange/messages/received',
    { preHandler: authorize('exchange.read'), schema: { tags, summary: 'Messages received from partners and applied, newest first', querystring: z.object({ administration: administration.optional(), kind: kind.optional(), limit }), response: { 200: R.receivedView, ...problems } } },
    async (req) => {
      const recipients = req.query.administration ? [one(principalOf(req), 'exchange.read', req.query.administration)] : reach(principalOf(req), 'exchange.read');
      const rows = await exchange.received({ recipients, kind: req.query.kind as MessageKind | undefined, limit: req.query.limit });
      return { items: rows.map((r) => ({ ...r, sentAt: r.sentAt.toISOString(), receivedAt: r.receivedAt.toISOString(), appliedAt: r.appliedAt.toISOString() })) };
    },
  );

  app.get(
    '/api/v1/exchange/dead-letters',
    { preHandler: authorize('exchange.read'), schema: { tags, summary: 'Messages refused on arrival, with the reason (never applied, kept until re-examined or discarded)', querystring: z.object({ administration: administration.optional(), status: z.enum(['open', 'applied', 'discarded']).optional(), limit }), response: { 200: R.deadLettersView, ...problems } } },
    async (req) => {
      const recipients = req.query.administration ? [one(principalOf(req), 'exchange.read', req.query.administration)] : reach(principalOf(req), 'exchange.read');
      const rows = await exchange.deadLetters({ recipients, status: req.query.status, limit: req.query.limit });
      return { items: rows.map(deadLetterOut) };
    },
  );

  const visibleDeadLetter = async (p: Principal, id: string, action: Action) => {
    const dl = await exchange.deadLetter1(id);
    if (!dl || !reach(p, action).includes(dl.recipient)) throw new NotFoundError(`dead letter ${id}`);
    return dl;
  };

  app.get(
    '/api/v1/exchange/dead-letters/:id',
    { preHandler: authorize('exchange.read'), schema: { tags, summary: 'A dead letter with the message exactly as it arrived', params: z.object({ id: uuid }), response: { 200: R.deadLetterDetailView, ...problems } } },
    async (req) => {
      const dl = await visibleDeadLetter(principalOf(req), req.params.id, 'exchange.read');
      return { ...deadLetterOut(dl), raw: dl.raw };
    },
  );

  app.post(
    '/api/v1/exchange/dead-letters/:id/reexamine',
    { preHandler: authorize('exchange.deadLetters.manage'), schema: { tags, summary: 'Examines a dead letter again (after importing a key, allowing a kind…): applied, or kept with the new reason', params: z.object({ id: uuid }), response: { 200: R.examinedView, ...problems } } },
    async (req) => {
      const p = principalOf(req);
      const dl = await visibleDeadLetter(p, req.params.id, 'exchange.deadLetters.manage');
      const out = await exchange.reexamine(dl.id, p.name);
      const after = (await exchange.deadLetter1(dl.id))!;
      await appendAudit(db, { actor: p, action: 'exchange.deadLetter.reexamine', entityType: 'exchange_dead_letter', entityId: dl.id, country: dl.recipient, before: { status: dl.status, code: dl.code }, after: { status: after.status, code: after.code, outcome: out.outcome } }, clock);
      return { outcome: out.outcome, code: out.outcome === 'dead' ? out.code : null, reason: out.outcome === 'dead' ? out.reason : out.outcome === 'retry' ? out.error : null, deadLetter: deadLetterOut(after) };
    },
  );

  app.post(
    '/api/v1/exchange/dead-letters/:id/discard',
    { preHandler: authorize('exchange.deadLetters.manage'), schema: { tags, summary: 'Closes a dead letter without applying it (kept, marked discarded)', params: z.object({ id: uuid }), body: z.strictObject({ reason: z.string().trim().min(3).max(500) }), response: { 200: R.deadLetterView, ...problems } } },
    async (req) => {
      const p = principalOf(req);
      const dl = await visibleDeadLetter(p, req.params.id, 'exchange.deadLetters.manage');
      await exchange.discard(dl.id, p.name);
      await appendAudit(db, { actor: p, action: 'exchange.deadLetter.discard', entityType: 'exchange_dead_letter', entityId: dl.id, country: dl.recipient, before: { status: dl.status }, after: { status: 'discarded', reason: req.body.reason } }, clock);
      return deadLetterOut((await exchange.deadLetter1(dl.id))!);
    },
  );

  // ---- keys

  const keyOut = (k: Awaited<ReturnType<ExchangeService['keys']['list']>>[number]) => ({ ...k, createdAt: k.createdAt.toISOString(), retiredAt: iso(k.retiredAt), revokedAt: iso(k.revokedAt), registeredAt: k.registeredAt.toISOString() });

  app.get(
    '/api/v1/exchange/keys',
    { preHandler: authorize('exchange.read'), schema: { tags, summary: 'Public keys this node trusts: its administrations\' own and its partners\', with retirement and revocation', response: { 200: R.keysView, ...problems } } },
    async (req) => ({ items: (await exchange.keys.list(reach(principalOf(req), 'exchange.read'))).map(keyOut) }),
  );

  app.get(
    '/api/v1/exchange/keys/export',
    { preHandler: authorize('exchange.read'), schema: { tags, summary: 'The public keys of an administration of this node, to hand to partners (never a private key)', querystring: z.object({ administration: administration.optional() }), response: { 200: R.keyBundleView, ...problems } } },
    async (req) => exchange.keys.exportBundle(one(principalOf(req), 'exchange.read', req.query.administration)),
  );

  app.post(
    '/api/v1/exchange/keys/import',
    { preHandler: authorize('exchange.keys.manage'), schema: { tags, summary: 'Imports a partner\'s public keys (the bundle its node exports): new keys are trusted, retirements and revocations taken over', body: keyBundleSchema, response: { 200: R.importedView, ...problems } } },
    async (req) => {
      const p = principalOf(req);
      if (!reach(p, 'exchange.keys.manage').length) throw new ValidationError([{ path: 'administration', code: 'not_local', message: `you act for ${p.country}, which this node does not serve` }]);
      return db.transaction(async (tx) => {
        const r = await exchange.keys.importBundle(tx, req.body, p.name);
        await appendAudit(tx, { actor: p, action: 'exchange.keys.import', entityType: 'exchange_partner', entityId: req.body.administration, after: { ...r, keys: req.body.keys.map((k) => ({ keyId: k.keyId, retiredAt: k.retiredAt, revokedAt: k.revokedAt })) } }, clock);
        return r;
      });
    },
  );

  app.post(
    '/api/v1/exchange/keys/:keyId/revoke',
    {
      preHandler: authorize('exchange.keys.manage'),
      schema: {
        tags,
        summary: 'Revokes a key from a date (default now): messages under it are refused from then on; a key of this node is replaced at once',
        params: z.object({ keyId: z.string().min(4).max(100) }),
        body: z.strictObject({ reason: z.string().trim().min(3).max(500), at: z.iso.datetime().optional() }),
        response: { 200: R.revokedView, ...problems },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const keys = await exchange.keys.list();
      const k = keys.find((x) => x.keyId === req.params.keyId);
      // a national admin revokes partners' keys on its node, and its own administration's keys
      if (!k || (k.origin === 'local' && !reach(p, 'exchange.keys.manage').includes(k.administration)) || !reach(p, 'exchange.keys.manage').length) throw new NotFoundError(`key ${req.params.keyId}`);
      const at = req.body.at ? new Date(req.body.at) : clock.now();
      return db.transaction(async (tx) => {
        const r = await exchange.keys.revoke(tx, k.keyId, req.body.reason, at);
        await appendAudit(tx, { actor: p, action: 'exchange.keys.revoke', entityType: 'exchange_key', entityId: k.keyId, country: k.origin === 'local' ? k.administration : p.country, before: { revokedAt: null }, after: { revokedAt: at.toISOString(), reason: req.body.reason, replacement: r.replacement } }, clock);
        return { keyId: k.keyId, administration: r.administration, revokedAt: at.toISOString(), replacement: r.replacement };
      });
    },
  );

  app.post(
    '/api/v1/exchange/keys/rotate',
    { preHandler: authorize('exchange.keys.manage'), schema: { tags, summary: 'Retires the administration\'s signing key and makes a new one (export the new public key to the partners)', body: z.strictObject({ administration: administration.optional() }), response: { 200: R.rotatedView, ...problems } } },
    async (req) => {
      const p = principalOf(req);
      const a = one(p, 'exchange.keys.manage', req.body.administration);
      return db.transaction(async (tx) => {
        const r = await exchange.keys.rotate(tx, a);
        await appendAudit(tx, { actor: p, action: 'exchange.keys.rotate', entityType: 'exchange_key', entityId: r.active, country: a, before: { active: r.retired }, after: { active: r.active } }, clock);
        return { administration: a, ...r };
      });
    },
  );

  // ---- sharing rules

  const rulesOut = (a: string, r: Awaited<ReturnType<ExchangeService['rulesInForce']>>) => ({ administration: a, version: r.version, rules: r.rules.rules, note: r.note, createdBy: r.createdBy, createdAt: iso(r.createdAt) });

  app.get(
    '/api/v1/exchange/sharing-rules',
    { preHandler: authorize('exchange.read'), schema: { tags, summary: 'The sharing rules in force for an administration: per kind, the partners it goes to and the payload paths removed', querystring: z.object({ administration: administration.optional() }), response: { 200: R.rulesView, ...problems } } },
    async (req) => {
      const a = one(principalOf(req), 'exchange.read', req.query.administration);
      return rulesOut(a, await exchange.rulesInForce(db, a));
    },
  );

  app.get(
    '/api/v1/exchange/sharing-rules/history',
    { preHandler: authorize('exchange.read'), schema: { tags, summary: 'Every version of an administration\'s sharing rules, newest first', querystring: z.object({ administration: administration.optional() }), response: { 200: R.rulesHistoryView, ...problems } } },
    async (req) => {
      const a = one(principalOf(req), 'exchange.read', req.query.administration);
      const rows = await exchange.rulesHistory(a);
      return { administration: a, items: rows.map((r) => rulesOut(a, { version: r.version, rules: r.rules as { rules: [] }, note: r.note, createdBy: r.createdBy, createdAt: r.createdAt })) };
    },
  );

  app.put(
    '/api/v1/exchange/sharing-rules',
    {
      preHandler: authorize('exchange.rules.write'),
      schema: { tags, summary: 'Saves a new version of the administration\'s sharing rules (audited); a kind matched by no rule goes to no one', querystring: z.object({ administration: administration.optional() }), body: sharingRulesSchema, response: { 200: R.rulesView, ...problems } },
    },
    async (req) => {
      const p = principalOf(req);
      const a = one(p, 'exchange.rules.write', req.query.administration);
      return db.transaction(async (tx) => {
        const before = await exchange.rulesInForce(tx, a);
        const version = await exchange.saveRules(tx, a, { rules: req.body.rules }, req.body.note, p.name);
        await appendAudit(tx, { actor: p, action: 'exchange.rules.save', entityType: 'exchange_sharing_rules', entityId: `${a}:${version}`, country: a, before: { version: before.version, rules: before.rules.rules }, after: { version, rules: req.body.rules, note: req.body.note ?? null } }, clock);
        return rulesOut(a, await exchange.rulesInForce(tx, a));
      });
    },
  );

  // ---- partners (what they may send us)

  app.get(
    '/api/v1/exchange/partners',
    { preHandler: authorize('exchange.read'), schema: { tags, summary: 'Partners of an administration of this node: the kinds each may send it and how many of its keys are valid', querystring: z.object({ administration: administration.optional() }), response: { 200: R.partnersView, ...problems } } },
    async (req) => {
      const a = one(principalOf(req), 'exchange.read', req.query.administration);
      const rows = await exchange.partners(a);
      const keys = await exchange.keys.list();
      const now = clock.now().getTime();
      const items = ADMINISTRATIONS.filter((x) => x !== a).map((sender) => {
        const r = rows.find((x) => x.sender === sender);
        const valid = keys.filter((k) => k.administration === sender && !k.revokedAt && (!k.retiredAt || k.retiredAt.getTime() > now)).length;
        return { sender, kinds: r ? r.kinds : null, version: r?.version ?? 0, updatedBy: r?.updatedBy ?? null, updatedAt: iso(r?.updatedAt), keys: valid };
      });
      return { administration: a, items };
    },
  );

  app.put(
    '/api/v1/exchange/partners/:sender',
    {
      preHandler: authorize('exchange.rules.write'),
      schema: {
        tags,
        summary: 'Sets the kinds a partner may send the administration (null: every kind); others are refused and dead-lettered',
        params: z.object({ sender: administration }),
        querystring: z.object({ administration: administration.optional() }),
        body: z.strictObject({ kinds: z.array(kind.exclude(['exchange.receipt'])).max(MESSAGE_KINDS.length).nullable() }),
        response: { 200: R.partnersView, ...problems },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const a = one(p, 'exchange.rules.write', req.query.administration);
      if (req.params.sender === a) throw new ValidationError([{ path: 'sender', code: 'self', message: 'an administration is not its own partner' }]);
      await db.transaction(async (tx) => {
        const r = await exchange.setPartnerKinds(tx, a, req.params.sender, req.body.kinds as MessageKind[] | null, p.name);
        await appendAudit(tx, { actor: p, action: 'exchange.partners.kinds', entityType: 'exchange_partner', entityId: `${a}<-${req.params.sender}`, country: a, before: { kinds: r.before }, after: { kinds: req.body.kinds, version: r.version } }, clock);
      });
      const rows = await exchange.partners(a);
      const r = rows.find((x) => x.sender === req.params.sender);
      return { administration: a, items: [{ sender: req.params.sender, kinds: r ? r.kinds : null, version: r?.version ?? 0, updatedBy: r?.updatedBy ?? null, updatedAt: iso(r?.updatedAt), keys: (await exchange.keys.list()).filter((k) => k.administration === req.params.sender && !k.revokedAt).length }] };
    },
  );
}
