import type { Clock } from '../../core/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { uuidv7 } from '../../core/ids.ts';
import type { Db, Tx } from '../../db/client.ts';
import { appendAudit } from '../access/audit.ts';
import { administrationFor, requireVisible, type Action } from '../access/policy.ts';
import { SYSTEM_PRINCIPAL, type Principal } from '../access/types.ts';
import type { Delivery, Envelope, Exchange, MessageKind } from '../exchange/contract.ts';
import type { RiskService } from '../risk/service.ts';
import type { ControlReportPayload, CriterionAnsweredPayload, CriterionHitsPayload, CriterionProposedPayload, RifAnsweredPayload, RifSentPayload } from './payloads.ts';
import * as repo from './repository.ts';
import { reportSubject, rifCriterionDraft, subjectExpression } from './rif-criterion.ts';
import type { AdoptInput, CriterionReview, ProposalInput, RifInput, ShareInput, WatchInput } from './schema.ts';
import { intelView, proposalView, rifView } from './views.ts';

/** What the cooperation service is built with (by the composition root). */
export interface CooperationDeps {
  db: Db;
  clock: Clock;
  risk: RiskService;
  exchange: Exchange;
}

const DAY = 86_400_000;

/** A reference people can say on the phone: RIF-HN-20260615-3F9A2C. */
function reference(prefix: string, country: string, id: string, at: Date): string {
  return `${prefix}-${country}-${at.toISOString().slice(0, 10).replace(/-/g, '')}-${id.replace(/-/g, '').slice(-6).toUpperCase()}`;
}

function refuse(path: string, code: string, message: string): never {
  throw new ValidationError([{ path, code, message }], message);
}

/**
 * Regional risk cooperation (issue 11, point 5): risk information forms sent to partners and
 * answered (accepted as a criterion under the recipient's own four eyes, or declined with a
 * reason); common regional criteria proposed by the regional working group, adopted, adapted or
 * declined by each administration, and their hit rates flowing back; seizures and control results
 * of regional interest shared under the sender's sharing rules. Every outbound message is queued
 * with the exchange in the transaction of the change it reports; every inbound one is applied in
 * the inbox's transaction by the handlers of `handlers()`. Criteria are risk's: written through
 * RiskService, never its tables.
 */
export class CooperationService {
  constructor(private readonly deps: CooperationDeps) {}

  private get db(): Db {
    return this.deps.db;
  }

  private now(): Date {
    return this.deps.clock.now();
  }

  /** The administration a request acts for (asked, else the principal's), within the policy's reach. */
  private countryFor(actor: Principal, action: Action, asked?: string): string {
    return administrationFor(actor, action, asked);
  }

  private recipientsOf(sender: string, recipients: readonly string[]): string[] {
    if (recipients.includes(sender)) refuse('recipients', 'own_administration', `${sender} is the sending administration: choose partners other than yourself`);
    return [...recipients];
  }

  private async deliveries(sender: string, messageId: string | null, kind: MessageKind): Promise<Delivery[]> {
    if (!messageId) return [];
    return this.deps.exchange.deliveries({ sender, messageId, kind });
  }

  // ================================================================== risk information forms

  async sendRif(actor: Principal, input: RifInput) {
    const country = this.countryFor(actor, 'coop.rif.send', input.country);
    const recipients = this.recipientsOf(country, input.recipients);
    const now = this.now();
    const validFrom = input.validFrom ? new Date(input.validFrom) : now;
    const validTo = new Date(input.validTo);
    if (!(validTo > now)) refuse('validTo', 'in_the_past', 'the alert must still be valid: validTo is in the past');
    if (!(validTo > validFrom)) refuse('validTo', 'before_valid_from', 'the validity ends after it starts');
    // the subject must make a criterion partners can run
    this.deps.risk.criteria.checkAll(subjectExpression(input.subject), ['declaration'], 'subject');
    const id = await this.db.transaction(async (tx) => {
      const id = uuidv7(now.getTime());
      const ref = reference('RIF', country, id, now);
      const payload: RifSentPayload = {
        rifId: id,
        reference: ref,
        administration: country as RifSentPayload['administration'],
        title: input.title,
        riskType: input.riskType,
        subject: input.subject,
        indicators: input.indicators,
        recommendedAction: input.recommendedAction,
        validFrom: validFrom.toISOString(),
        validTo: validTo.toISOString(),
        handling: input.handling,
        feedbackRequested: input.feedbackRequested,
        ...(input.contact ? { contact: input.contact } : {}),
        issuedBy: actor.name,
      };
      const q = await this.deps.exchange.enqueue(tx, { sender: country, recipients, kind: 'rif.sent', payload, subject: `rif:${id}` });
      if (!q.id) refuse('recipients', 'not_shared', `the sharing rules of ${country} send risk information forms to none of ${recipients.join(', ')}: change the rules or the partners`);
      await repo.insertRif(tx, {
        id,
        country,
        direction: 'outbound',
        sender: country,
        reference: ref,
        title: input.title,
        riskType: input.riskType,
        subject: input.subject,
        indicators: input.indicators,
        recommendedAction: input.recommendedAction,
        validFrom,
        validTo,
        handling: input.handling,
        contact: input.contact ?? null,
        feedbackRequested: input.feedbackRequested,
        recipients,
        deliveredTo: q.recipients,
        redacted: q.redacted,
        messageId: q.id,
        status: 'sent',
        author: actor.name,
        createdAt: now,
      });
      await appendAudit(tx, { actor, country, action: 'rif.sent', entityType: 'coop_rif', entityId: id, after: { reference: ref, title: input.title, recipients, deliveredTo: q.recipients, redacted: q.redacted, messageId: q.id, validTo: payload.validTo } }, this.deps.clock);
      return id;
    });
    return this.rifDetail(country, id);
  }

  async listRifs(actor: Principal, f: { country?: string; box: 'inbox' | 'outbox'; status?: string; limit: number }) {
    const country = this.countryFor(actor, 'coop.rif.read', f.country);
    const rows = await repo.listRifs(this.db, { country, direction: f.box === 'inbox' ? 'inbound' : 'outbound', status: f.status, limit: f.limit });
    const answers = f.box === 'outbox' ? await repo.rifAnswers(this.db, country, rows.map((r) => r.id)) : [];
    const now = this.now();
    return rows.map((r) => rifView(r, answers.filter((a) => a.rifId === r.id), [], now));
  }

  async getRif(actor: Principal, id: string, asked?: string) {
    const country = asked ?? actor.country;
    const row = await repo.findRif(this.db, id, country);
    requireVisible(actor, 'coop.rif.read', row, `risk information form ${id}`);
    return this.rifDetail(country, id);
  }

  private async rifDetail(country: string, id: string) {
    const tx = this.db;
    const row = await repo.findRif(tx, id, country);
    if (!row) throw new NotFoundError(`risk information form ${id}`);
    const answers = row.direction === 'outbound' ? await repo.rifAnswers(tx, country, [id]) : [];
    const deliveries = row.direction === 'outbound' ? await this.deliveries(country, row.messageId, 'rif.sent') : [];
    const view = rifView(row, answers, deliveries, this.now());
    const criterion = row.criterionId ? await this.criterionSummary(country, row.criterionId) : null;
    const draft = row.direction === 'inbound' && row.status === 'received' ? rifCriterionDraft(this.rifPayloadOf(row)) : null;
    return { ...view, criterion, draft };
  }

  private rifPayloadOf(row: repo.RifRow) {
    return {
      reference: row.reference,
      administration: row.sender as RifSentPayload['administration'],
      title: row.title,
      subject: row.subject as RifSentPayload['subject'],
      recommendedAction: row.recommendedAction as RifSentPayload['recommendedAction'],
      riskType: row.riskType as RifSentPayload['riskType'],
      indicators: row.indicators as RifSentPayload['indicators'],
      validTo: row.validTo.toISOString(),
    };
  }

  private async criterionSummary(country: string, id: string) {
    try {
      const c = await this.deps.risk.getCriterion(SYSTEM_PRINCIPAL(country), id);
      const v = c.pendingVersion ?? c.activeVersion;
      return { id: c.id, name: c.name, status: c.status, expression: v?.expression ?? null, validTo: v?.validTo ?? null, author: v?.author ?? null, decidedBy: c.activeVersion?.decidedBy ?? null };
    } catch (e) {
      if (e instanceof NotFoundError) return null;
      throw e;
    }
  }

  /**
   * The receiving analyst accepts a RIF: it becomes a criterion of their administration (the
   * expression built from the subject, as reviewed), valid until the RIF's end, awaiting a second
   * person's approval; the answer goes back to the sender in the same transaction.
   */
  async acceptRif(actor: Principal, id: string, review: CriterionReview, asked?: string) {
    const country = asked ?? actor.country;
    await this.db.transaction(async (tx) => {
      const row = await repo.findRif(tx, id, country, true);
      requireVisible(actor, 'coop.rif.answer', row, `risk information form ${id}`);
      if (row.direction !== 'inbound') throw new ConflictError(`${row.reference} is one your administration sent: its recipients answer it`);
      if (row.status !== 'received') throw new ConflictError(`${row.reference} was already ${row.status}`);
      const now = this.now();
      if (row.validTo <= now) throw new ConflictError(`${row.reference} expired on ${row.validTo.toISOString()}: decline it instead`);
      const draft = rifCriterionDraft(this.rifPayloadOf(row));
      const c = await this.deps.risk.createCriterionIn(
        tx,
        actor,
        {
          country: country as never,
          name: review.name ?? draft.name,
          reason: review.reason ?? draft.reason,
          expression: review.expression ?? draft.expression,
          scope: { offices: review.offices ?? [], types: review.types ?? [], stages: ['declaration'] },
          weight: review.weight ?? draft.weight,
          forcedChannel: review.forcedChannel !== undefined ? review.forcedChannel : draft.forcedChannel,
          manifestAction: null,
          validFrom: (row.validFrom > now ? row.validFrom : now).toISOString(),
          validTo: row.validTo.toISOString(),
          regional: true,
        },
        { submit: true, origin: { rif: id, reference: row.reference, from: row.sender } },
      );
      const payload: RifAnsweredPayload = {
        rifId: id,
        administration: country as RifAnsweredPayload['administration'],
        decision: 'accepted',
        reason: review.note ?? null,
        criterion: { id: c.id, name: c.name, status: c.status, validTo: row.validTo.toISOString() },
        answeredAt: now.toISOString(),
        answeredBy: actor.name,
      };
      const q = await this.deps.exchange.enqueue(tx, { sender: country, recipients: [row.sender], kind: 'rif.answered', payload, subject: `rif:${id}` });
      await repo.updateRif(tx, id, country, { status: 'accepted', decision: 'accepted', decisionReason: review.note ?? null, criterionId: c.id, answeredBy: actor.name, answeredAt: now, answerMessageId: q.id, reportedCriterionStatus: c.status });
      await appendAudit(tx, { actor, country, action: 'rif.accepted', entityType: 'coop_rif', entityId: id, before: { status: row.status }, after: { status: 'accepted', criterionId: c.id, expression: c.pendingVersion?.expression ?? null, answerMessageId: q.id } }, this.deps.clock);
    });
    return this.rifDetail(country, id);
  }

  async declineRif(actor: Principal, id: string, reason: string, asked?: string) {
    const country = asked ?? actor.country;
    await this.db.transaction(async (tx) => {
      const row = await repo.findRif(tx, id, country, true);
      requireVisible(actor, 'coop.rif.answer', row, `risk information form ${id}`);
      if (row.direction !== 'inbound') throw new ConflictError(`${row.reference} is one your administration sent: its recipients answer it`);
      if (row.status !== 'received') throw new ConflictError(`${row.reference} was already ${row.status}`);
      const now = this.now();
      const payload: RifAnsweredPayload = { rifId: id, administration: country as RifAnsweredPayload['administration'], decision: 'declined', reason, criterion: null, answeredAt: now.toISOString(), answeredBy: actor.name };
      const q = await this.deps.exchange.enqueue(tx, { sender: country, recipients: [row.sender], kind: 'rif.answered', payload, subject: `rif:${id}` });
      await repo.updateRif(tx, id, country, { status: 'declined', decision: 'declined', decisionReason: reason, answeredBy: actor.name, answeredAt: now, answerMessageId: q.id });
      await appendAudit(tx, { actor, country, action: 'rif.declined', entityType: 'coop_rif', entityId: id, before: { status: row.status }, after: { status: 'declined', reason, answerMessageId: q.id } }, this.deps.clock);
    });
    return this.rifDetail(country, id);
  }

  // ================================================================== common regional criteria

  /** The regional working group proposes a criterion to member administrations. */
  async proposeCriterion(actor: Principal, input: ProposalInput) {
    const country = this.countryFor(actor, 'coop.criteria.propose', input.country);
    const now = this.now();
    if (input.validTo && !(new Date(input.validTo) > now)) refuse('validTo', 'in_the_past', 'validTo is in the past');
    if (input.weight === 0 && !input.forcedChannel) refuse('weight', 'no_effect', 'give the criterion a weight or a forced channel, or it changes nothing');
    this.deps.risk.criteria.checkAll(input.expression, input.scope.stages);
    const id = uuidv7(now.getTime());
    await this.db.transaction(async (tx) => {
      const ref = reference('RCC', country, id, now);
      const payload: CriterionProposedPayload = {
        proposalId: id,
        reference: ref,
        administration: country as CriterionProposedPayload['administration'],
        name: input.name,
        rationale: input.rationale,
        expression: input.expression,
        scope: input.scope,
        weight: input.weight,
        forcedChannel: input.forcedChannel,
        validTo: input.validTo,
        proposedAt: now.toISOString(),
        proposedBy: actor.name,
      };
      const partners = input.recipients.filter((r) => r !== country);
      const ownMember = partners.length < input.recipients.length;
      const q = partners.length ? await this.deps.exchange.enqueue(tx, { sender: country, recipients: partners, kind: 'criterion.proposed', payload, subject: `proposal:${id}` }) : { id: null, recipients: [], redacted: [] };
      if (!q.id && !ownMember) refuse('recipients', 'not_shared', `the sharing rules of ${country} send common criteria to none of ${input.recipients.join(', ')}`);
      // the proposer's own administration, when a member, gets its copy here: it answers like every member, under its own four eyes
      if (ownMember) await this.receiveProposal(tx, payload, country, country, input.recipients, null);
      await repo.insertProposal(tx, {
        id,
        country,
        direction: 'outbound',
        sender: country,
        reference: ref,
        name: input.name,
        rationale: input.rationale,
        expression: input.expression,
        scope: input.scope,
        weight: input.weight,
        forcedChannel: input.forcedChannel,
        validTo: input.validTo ? new Date(input.validTo) : null,
        recipients: [...input.recipients],
        deliveredTo: ownMember ? [country, ...q.recipients] : q.recipients,
        redacted: q.redacted,
        messageId: q.id,
        status: 'proposed',
        author: actor.name,
        createdAt: now,
      });
      await appendAudit(tx, { actor, country, action: 'criterion.proposed', entityType: 'coop_proposal', entityId: id, after: { reference: ref, name: input.name, expression: input.expression, recipients: input.recipients, deliveredTo: q.recipients, messageId: q.id } }, this.deps.clock);
    });
    return this.proposalDetail(country, id, 'outbound');
  }

  async listProposals(actor: Principal, f: { country?: string; box: 'inbox' | 'outbox'; status?: string; limit: number }) {
    const country = this.countryFor(actor, 'coop.criteria.read', f.country);
    const rows = await repo.listProposals(this.db, { country, direction: f.box === 'inbox' ? 'inbound' : 'outbound', status: f.status, limit: f.limit });
    const ids = rows.map((r) => r.id);
    const answers = f.box === 'outbox' ? await repo.proposalAnswers(this.db, country, ids) : [];
    const hits = f.box === 'outbox' ? await repo.proposalHits(this.db, country, ids) : [];
    return rows.map((r) => proposalView(r, answers.filter((a) => a.proposalId === r.id), hits.filter((h) => h.proposalId === r.id), []));
  }

  /** A common criterion as `asked`'s administration holds it: its member copy (inbox) or the group's (outbox); without a box, the member copy when there is one. */
  async getProposal(actor: Principal, id: string, asked?: string, box?: 'inbox' | 'outbox') {
    const country = asked ?? actor.country;
    const row = await repo.findProposal(this.db, id, country, box ? (box === 'inbox' ? 'inbound' : 'outbound') : undefined);
    requireVisible(actor, 'coop.criteria.read', row, `common criterion ${id}`);
    return this.proposalDetail(country, id, row.direction as 'inbound' | 'outbound');
  }

  private async proposalDetail(country: string, id: string, direction: 'inbound' | 'outbound') {
    const tx = this.db;
    const row = await repo.findProposal(tx, id, country, direction);
    if (!row) throw new NotFoundError(`common criterion ${id}`);
    const out = row.direction === 'outbound';
    const answers = out ? await repo.proposalAnswers(tx, country, [id]) : [];
    const hits = out ? await repo.proposalHits(tx, country, [id]) : [];
    const deliveries = out ? await this.deliveries(country, row.messageId, 'criterion.proposed') : [];
    const criterion = row.criterionId ? await this.criterionSummary(country, row.criterionId) : null;
    return { ...proposalView(row, answers, hits, deliveries), criterion };
  }

  /**
   * An administration adopts a common criterion: its own criterion (its own four eyes: awaiting a
   * second person), as proposed or with its scope / weight adapted (with a reason).
   */
  async adoptProposal(actor: Principal, id: string, input: AdoptInput, asked?: string) {
    const country = asked ?? actor.country;
    await this.db.transaction(async (tx) => {
      const row = await repo.findProposal(tx, id, country, 'inbound', true);
      requireVisible(actor, 'coop.criteria.answer', row, `common criterion ${id}`);
      if (row.direction !== 'inbound') throw new ConflictError(`${row.reference} is your proposal: members answer it`);
      if (row.status !== 'received') throw new ConflictError(`${row.reference} was already ${row.status}`);
      const now = this.now();
      if (row.validTo && row.validTo <= now) throw new ConflictError(`${row.reference} expired on ${row.validTo.toISOString()}`);
      const suggested = row.scope as { types: string[]; stages: string[] };
      const adapted = !!(input.scope || input.weight !== undefined || input.forcedChannel !== undefined);
      const scope = input.scope ?? { offices: [], types: suggested.types, stages: suggested.stages };
      if (adapted && !input.reason) refuse('reason', 'required', 'say why you adapt the common criterion (at least 5 characters)');
      const decision = adapted ? 'adapted' : 'adopted';
      const c = await this.deps.risk.createCriterionIn(
        tx,
        actor,
        {
          country: country as never,
          name: row.name,
          reason: `Common regional criterion ${row.reference} (${row.sender}): ${row.rationale}`.slice(0, 1000),
          expression: row.expression,
          scope: scope as never,
          weight: input.weight ?? row.weight,
          forcedChannel: (input.forcedChannel !== undefined ? input.forcedChannel : row.forcedChannel) as never,
          manifestAction: null,
          validFrom: now.toISOString(),
          validTo: row.validTo?.toISOString() ?? null,
          regional: true,
        },
        { submit: true, origin: { proposal: id, reference: row.reference, from: row.sender, decision } },
      );
      const payload: CriterionAnsweredPayload = {
        proposalId: id,
        administration: country as CriterionAnsweredPayload['administration'],
        decision,
        reason: input.reason ?? null,
        scope: { types: scope.types, stages: scope.stages, offices: scope.offices },
        criterion: { id: c.id, status: c.status },
        answeredAt: now.toISOString(),
      };
      const q = await this.answerProposer(tx, row, 'criterion.answered', payload);
      await repo.updateProposal(tx, id, country, 'inbound', { status: decision, decision, decisionReason: input.reason ?? null, adoptedScope: scope, criterionId: c.id, answeredBy: actor.name, answeredAt: now, hitsReportedUntil: now });
      await appendAudit(tx, { actor, country, action: `criterion.${decision}`, entityType: 'coop_proposal', entityId: id, before: { status: row.status }, after: { status: decision, criterionId: c.id, scope, reason: input.reason ?? null, answerMessageId: q.id } }, this.deps.clock);
    });
    return this.proposalDetail(country, id, 'inbound');
  }

  async declineProposal(actor: Principal, id: string, reason: string, asked?: string) {
    const country = asked ?? actor.country;
    await this.db.transaction(async (tx) => {
      const row = await repo.findProposal(tx, id, country, 'inbound', true);
      requireVisible(actor, 'coop.criteria.answer', row, `common criterion ${id}`);
      if (row.direction !== 'inbound') throw new ConflictError(`${row.reference} is your proposal: members answer it`);
      if (row.status !== 'received') throw new ConflictError(`${row.reference} was already ${row.status}`);
      const now = this.now();
      const payload: CriterionAnsweredPayload = { proposalId: id, administration: country as CriterionAnsweredPayload['administration'], decision: 'declined', reason, scope: null, criterion: null, answeredAt: now.toISOString() };
      const q = await this.answerProposer(tx, row, 'criterion.answered', payload);
      await repo.updateProposal(tx, id, country, 'inbound', { status: 'declined', decision: 'declined', decisionReason: reason, answeredBy: actor.name, answeredAt: now });
      await appendAudit(tx, { actor, country, action: 'criterion.declined', entityType: 'coop_proposal', entityId: id, before: { status: row.status }, after: { status: 'declined', reason, answerMessageId: q.id } }, this.deps.clock);
    });
    return this.proposalDetail(country, id, 'inbound');
  }

  /**
   * Sends the hit rates of an adopted common criterion over [from, to) back to the proposer
   * (default: since the last report, up to now). A period reported again replaces the earlier
   * figures at the proposer.
   */
  async reportHits(actor: Principal, id: string, period: { from?: string; to?: string } = {}, asked?: string) {
    const country = asked ?? actor.country;
    const before = await repo.findProposal(this.db, id, country, 'inbound');
    requireVisible(actor, 'coop.criteria.report', before, `common criterion ${id}`);
    // read before the transaction (risk's reads run on the database, not in this transaction)
    const status = before.criterionId ? ((await this.criterionSummary(country, before.criterionId))?.status ?? 'unknown') : 'unknown';
    return this.db.transaction(async (tx) => {
      const row = await repo.findProposal(tx, id, country, 'inbound', true);
      requireVisible(actor, 'coop.criteria.report', row, `common criterion ${id}`);
      if (row.direction !== 'inbound' || !row.criterionId || (row.status !== 'adopted' && row.status !== 'adapted'))
        throw new ConflictError(`${row.reference}: only a common criterion your administration adopted has hit rates to report`);
      const now = this.now();
      const from = period.from ? new Date(period.from) : (row.hitsReportedUntil ?? row.answeredAt ?? row.createdAt);
      const to = period.to ? new Date(period.to) : now;
      if (!(to > from)) refuse('to', 'empty_period', `nothing to report: the period ${from.toISOString()} – ${to.toISOString()} is empty`);
      if (to > now) refuse('to', 'in_the_future', 'the period cannot end in the future');
      const sent = await this.sendHits(tx, actor, row, from, to, status);
      return { proposalId: id, ...sent };
    });
  }

  private async sendHits(tx: Tx, actor: Principal, row: repo.ProposalRow, from: Date, to: Date, criterionStatus: string) {
    const country = row.country;
    const stats = await this.deps.risk.criterionStats(tx, country, row.criterionId!, from, to);
    const now = this.now();
    const payload: CriterionHitsPayload = {
      proposalId: row.id,
      administration: country as CriterionHitsPayload['administration'],
      periodFrom: from.toISOString(),
      periodTo: to.toISOString(),
      ...stats,
      criterionStatus,
      reportedAt: now.toISOString(),
    };
    const q = await this.answerProposer(tx, row, 'criterion.hits', payload);
    if (!row.hitsReportedUntil || to > row.hitsReportedUntil) await repo.updateProposal(tx, row.id, country, 'inbound', { hitsReportedUntil: to });
    await appendAudit(tx, { actor, country, action: 'criterion.hits_reported', entityType: 'coop_proposal', entityId: row.id, after: { ...payload, messageId: q.id } }, this.deps.clock);
    return { periodFrom: payload.periodFrom, periodTo: payload.periodTo, evaluated: stats.evaluated, hits: stats.hits, controls: stats.controls, controlsWithFindings: stats.controlsWithFindings, criterionStatus: payload.criterionStatus, messageId: q.id };
  }

  /**
   * The periodic report: for every common criterion an administration served here adopted, the
   * whole UTC days since its last report, once a day has passed. Returns how many were sent.
   */
  async reportDueHits(): Promise<number> {
    const now = this.now();
    const today = new Date(Math.floor(now.getTime() / DAY) * DAY);
    let n = 0;
    for (const country of this.deps.exchange.local) {
      const rows = await repo.adoptedProposals(this.db, country);
      for (const r of rows) {
        const from = r.hitsReportedUntil ?? r.answeredAt ?? r.createdAt;
        if (!r.criterionId || today.getTime() - from.getTime() < DAY) continue;
        const status = (await this.criterionSummary(country, r.criterionId))?.status ?? 'unknown';
        await this.db.transaction(async (tx) => {
          const row = await repo.findProposal(tx, r.id, country, 'inbound', true);
          if (!row || !row.criterionId || (row.hitsReportedUntil && row.hitsReportedUntil >= today)) return;
          await this.sendHits(tx, SYSTEM_PRINCIPAL(country, 'cooperation.hits'), row, row.hitsReportedUntil ?? from, today, status);
          n++;
        });
      }
    }
    return n;
  }

  /**
   * Feedback to the senders of RIFs accepted here: when the criterion a RIF became changes state
   * (approved by the second person, rejected, suspended, expired), its sender gets the answer again
   * with the new state. Returns how many answers were sent.
   */
  async reportRifFeedback(): Promise<number> {
    let n = 0;
    for (const country of this.deps.exchange.local) {
      for (const r of await repo.acceptedRifs(this.db, country)) {
        if (!r.criterionId) continue;
        const c = await this.criterionSummary(country, r.criterionId);
        if (!c || c.status === r.reportedCriterionStatus) continue;
        await this.db.transaction(async (tx) => {
          const row = await repo.findRif(tx, r.id, country, true);
          if (!row || row.reportedCriterionStatus === c.status) return;
          const payload: RifAnsweredPayload = {
            rifId: row.id,
            administration: country as RifAnsweredPayload['administration'],
            decision: 'accepted',
            reason: row.decisionReason,
            criterion: { id: c.id, name: c.name, status: c.status, validTo: c.validTo },
            answeredAt: (row.answeredAt ?? this.now()).toISOString(),
            ...(row.answeredBy ? { answeredBy: row.answeredBy } : {}),
          };
          const q = await this.deps.exchange.enqueue(tx, { sender: country, recipients: [row.sender], kind: 'rif.answered', payload, subject: `rif:${row.id}` });
          await repo.updateRif(tx, row.id, country, { reportedCriterionStatus: c.status });
          await appendAudit(tx, { actor: SYSTEM_PRINCIPAL(country, 'cooperation.feedback'), country, action: 'rif.feedback_sent', entityType: 'coop_rif', entityId: row.id, before: { criterionStatus: row.reportedCriterionStatus }, after: { criterionStatus: c.status, messageId: q.id } }, this.deps.clock);
          n++;
        });
      }
    }
    return n;
  }

  /** Reports due hit rates and RIF feedback now and then every `everyMs` (default hourly); the returned function stops it. */
  startPeriodicReports(everyMs = 3_600_000, onError: (e: unknown) => void = () => {}): () => void {
    let running = false;
    const tick = () => {
      if (running) return;
      running = true;
      this.reportDueHits()
        .then(() => this.reportRifFeedback())
        .catch(onError)
        .finally(() => (running = false));
    };
    const first = setTimeout(tick, 60_000);
    const t = setInterval(tick, everyMs);
    first.unref();
    t.unref();
    return () => {
      clearTimeout(first);
      clearInterval(t);
    };
  }

  // ================================================================== seizures and control results

  /** Shares a control's result with findings (or its seizure) with partners, under the sharing rules. */
  async shareControl(actor: Principal, input: ShareInput) {
    const { country, id } = await this.db.transaction(async (tx) => {
      const s = await this.deps.risk.controlForSharing(tx, actor, input.controlId);
      const country = s.control.country;
      const recipients = this.recipientsOf(country, input.recipients);
      const r = s.result;
      if (!r) throw new ConflictError(`control ${input.controlId} has no result yet: record what it found first`);
      if (input.kind === 'seizure' && !r.goodsSeized) refuse('kind', 'no_seizure', 'the control seized nothing: share it as a control result');
      if (input.kind === 'control_result' && r.outcome !== 'discrepancy') refuse('controlId', 'no_findings', 'the control found nothing: only results with findings are of regional interest');
      const already = await repo.sharedOfControl(tx, country, input.controlId, input.kind);
      if (already) throw new ConflictError(`this ${input.kind === 'seizure' ? 'seizure' : 'control result'} was already shared (${already.id})`);
      const now = this.now();
      const id = uuidv7(now.getTime());
      const d = s.declaration;
      const party = d ? (d.type === 'EX' ? d.exporter : (d.importer ?? d.declarant)) : undefined;
      const report: ControlReportPayload = {
        reportId: id,
        administration: country as ControlReportPayload['administration'],
        office: s.control.office,
        occurredAt: r.recordedAt,
        channel: s.control.channel,
        declarationType: (d?.type ?? 'IM') as ControlReportPayload['declarationType'],
        ...(s.reference ? { declarationReference: s.reference } : {}),
        outcome: r.outcome as ControlReportPayload['outcome'],
        discrepancies: (r.discrepancies as { kind: string; note?: string }[]).map((x) => ({ kind: x.kind, ...(x.note ? { note: x.note } : {}) })),
        goodsSeized: r.goodsSeized,
        ...(r.seizureDescription ? { seizureDescription: r.seizureDescription } : {}),
        extraDutiesAssessed: r.extraDutiesAssessed + r.extraTaxesAssessed,
        currency: r.currency,
        goods: (d?.items ?? []).map((i) => ({ hsCode: i.hsCode, description: i.description, origin: i.origin, netMassKg: i.netMassKg, customsValue: i.customsValue, currency: i.currency })),
        route: { dispatch: d?.countryOfDispatch ?? null, destination: d?.countryOfDestination ?? null },
        transport: { mode: d?.transport?.mode ?? null, conveyance: d?.transport?.conveyance ?? null, containers: d?.transport?.containers ?? [] },
        ...(party?.tin ? { trader: { tin: party.tin, ...(party.name ? { name: party.name } : {}), ...(party.country ? { country: party.country } : {}) } } : {}),
        officer: r.officer,
        ...(r.notes ? { notes: r.notes } : {}),
        sharedBy: actor.name,
        ...(input.comment ? { comment: input.comment } : {}),
      };
      const kind: MessageKind = input.kind === 'seizure' ? 'seizure.reported' : 'control.result';
      const q = await this.deps.exchange.enqueue(tx, { sender: country, recipients, kind, payload: report, subject: null });
      if (!q.id) refuse('recipients', 'not_shared', `the sharing rules of ${country} send ${kind} to none of ${recipients.join(', ')}`);
      await repo.insertIntel(tx, { id, country, direction: 'outbound', sender: country, kind: input.kind, office: report.office, occurredAt: new Date(report.occurredAt), report, recipients, deliveredTo: q.recipients, redacted: q.redacted, messageId: q.id, controlId: input.controlId, author: actor.name, createdAt: now });
      await appendAudit(tx, { actor, country, action: `${kind}`, entityType: 'coop_intel', entityId: id, after: { controlId: input.controlId, kind: input.kind, recipients, deliveredTo: q.recipients, redacted: q.redacted, messageId: q.id } }, this.deps.clock);
      return { country, id };
    });
    return this.intelDetail(country, id);
  }

  async listIntel(actor: Principal, f: { country?: string; box: 'inbox' | 'outbox'; kind?: 'seizure' | 'control_result'; limit: number }) {
    const country = this.countryFor(actor, 'coop.intel.read', f.country);
    const rows = await repo.listIntel(this.db, { country, direction: f.box === 'inbox' ? 'inbound' : 'outbound', kind: f.kind, limit: f.limit });
    return rows.map((r) => intelView(r, []));
  }

  async getIntel(actor: Principal, id: string, asked?: string) {
    const country = asked ?? actor.country;
    const row = await repo.findIntel(this.db, id, country);
    requireVisible(actor, 'coop.intel.read', row, `report ${id}`);
    return this.intelDetail(country, id);
  }

  private async intelDetail(country: string, id: string) {
    const tx = this.db;
    const row = await repo.findIntel(tx, id, country);
    if (!row) throw new NotFoundError(`report ${id}`);
    const deliveries = row.direction === 'outbound' ? await this.deliveries(country, row.messageId, row.kind === 'seizure' ? 'seizure.reported' : 'control.result') : [];
    const criterion = row.watchCriterionId ? await this.criterionSummary(country, row.watchCriterionId) : null;
    const draft = row.direction === 'inbound' && !row.watchCriterionId ? this.watchDraft(row) : null;
    return { ...intelView(row, deliveries), criterion, draft };
  }

  private watchDraft(row: repo.IntelRow) {
    const r = row.report as ControlReportPayload;
    const subject = reportSubject(r);
    const expression = subjectExpression(subject);
    const what = r.goodsSeized ? `seizure at ${r.office}` : `control result at ${r.office}`;
    return {
      name: `Watch: ${row.sender} ${what}`.slice(0, 120),
      reason: `Reported by ${row.sender} on ${r.occurredAt.slice(0, 10)}: ${r.goodsSeized ? (r.seizureDescription ?? 'goods seized') : r.discrepancies.map((d) => d.kind).join(', ')}`.slice(0, 1000),
      expression: expression || null,
      weight: 40,
      forcedChannel: null,
    };
  }

  /** Turns a partner's seizure or control result into a watch criterion here (awaiting a second person). */
  async watchFromIntel(actor: Principal, id: string, input: WatchInput, asked?: string) {
    const country = asked ?? actor.country;
    await this.db.transaction(async (tx) => {
      const row = await repo.findIntel(tx, id, country, true);
      requireVisible(actor, 'coop.intel.watch', row, `report ${id}`);
      if (row.direction !== 'inbound') throw new ConflictError('a report your administration shared: partners make criteria of it');
      if (row.watchCriterionId) throw new ConflictError(`a watch criterion was already made of this report (${row.watchCriterionId})`);
      const draft = this.watchDraft(row);
      const expression = input.expression ?? draft.expression;
      if (!expression) refuse('expression', 'required', 'the report names no trader, vehicle, container or goods to watch: write the expression');
      const now = this.now();
      const validTo = new Date(input.validTo);
      if (!(validTo > now)) refuse('validTo', 'in_the_past', 'validTo is in the past');
      const c = await this.deps.risk.createCriterionIn(
        tx,
        actor,
        {
          country: country as never,
          name: input.name ?? draft.name,
          reason: input.reason ?? draft.reason,
          expression,
          scope: { offices: input.offices ?? [], types: input.types ?? [], stages: ['declaration'] },
          weight: input.weight ?? draft.weight,
          forcedChannel: input.forcedChannel !== undefined ? input.forcedChannel : draft.forcedChannel,
          manifestAction: null,
          validFrom: now.toISOString(),
          validTo: validTo.toISOString(),
          regional: true,
        },
        { submit: true, origin: { report: id, kind: row.kind, from: row.sender } },
      );
      await repo.updateIntel(tx, id, country, { watchCriterionId: c.id });
      await appendAudit(tx, { actor, country, action: 'intel.watch_created', entityType: 'coop_intel', entityId: id, after: { criterionId: c.id, expression, validTo: validTo.toISOString(), note: input.note ?? null } }, this.deps.clock);
    });
    return this.intelDetail(country, id);
  }

  // ================================================================== applying partners' messages

  /** Received: a RIF from a partner. */
  async applyRifSent(tx: Tx, env: Envelope<RifSentPayload>, recipient: string): Promise<void> {
    const p = env.payload;
    senderIs(env, p.administration);
    if (recipient === env.sender) refuse('recipients', 'own_administration', 'an administration does not send itself a RIF');
    if (!(new Date(p.validTo) > new Date(p.validFrom))) refuse('payload.validTo', 'before_valid_from', 'the validity ends before it starts');
    const inserted = await repo.insertRif(tx, {
      id: p.rifId,
      country: recipient,
      direction: 'inbound',
      sender: env.sender,
      reference: p.reference,
      title: p.title,
      riskType: p.riskType,
      subject: p.subject,
      indicators: p.indicators,
      recommendedAction: p.recommendedAction,
      validFrom: new Date(p.validFrom),
      validTo: new Date(p.validTo),
      handling: p.handling,
      contact: p.contact ?? null,
      feedbackRequested: p.feedbackRequested,
      recipients: env.recipients,
      messageId: env.id,
      status: 'received',
      author: p.issuedBy ?? null,
      createdAt: new Date(env.sentAt),
    });
    if (!inserted) return;
    await appendAudit(tx, { actor: SYSTEM_PRINCIPAL(recipient, 'exchange'), country: recipient, action: 'rif.received', entityType: 'coop_rif', entityId: p.rifId, after: { from: env.sender, reference: p.reference, messageId: env.id } }, this.deps.clock);
  }

  /** Received: a partner's answer to a RIF this administration sent. */
  async applyRifAnswered(tx: Tx, env: Envelope<RifAnsweredPayload>, recipient: string): Promise<void> {
    const p = env.payload;
    senderIs(env, p.administration);
    const rif = await repo.findRif(tx, p.rifId, recipient);
    if (!rif || rif.direction !== 'outbound') refuse('payload.rifId', 'unknown_rif', `${recipient} never sent risk information form ${p.rifId}`);
    if (!(rif.deliveredTo ?? []).includes(env.sender)) refuse('sender', 'not_a_recipient', `${rif.reference} was not sent to ${env.sender}`);
    if (p.decision === 'accepted' && !p.criterion) refuse('payload.criterion', 'required', 'an accepted RIF names the criterion it became');
    if (p.decision === 'declined' && !p.reason) refuse('payload.reason', 'required', 'a declined RIF says why');
    await repo.upsertRifAnswer(tx, { rifId: p.rifId, country: recipient, partner: env.sender, decision: p.decision, reason: p.reason, criterionStatus: p.criterion?.status ?? null, criterionName: p.criterion?.name ?? null, answeredAt: new Date(p.answeredAt), receivedAt: this.now(), messageId: env.id });
    await appendAudit(tx, { actor: SYSTEM_PRINCIPAL(recipient, 'exchange'), country: recipient, action: 'rif.answer_received', entityType: 'coop_rif', entityId: p.rifId, after: { from: env.sender, decision: p.decision, reason: p.reason, criterion: p.criterion, messageId: env.id } }, this.deps.clock);
  }

  async applyCriterionProposed(tx: Tx, env: Envelope<CriterionProposedPayload>, recipient: string): Promise<void> {
    senderIs(env, env.payload.administration);
    if (recipient === env.sender) refuse('recipients', 'own_administration', 'the proposer\'s own administration gets its copy without the exchange');
    await this.receiveProposal(tx, env.payload, env.sender, recipient, env.recipients, env.id);
  }

  /** A member's copy of a proposal (from the exchange, or made directly for the proposer's own administration). */
  private async receiveProposal(tx: Tx, p: CriterionProposedPayload, sender: string, recipient: string, recipients: string[], messageId: string | null): Promise<void> {
    const inserted = await repo.insertProposal(tx, {
      id: p.proposalId,
      country: recipient,
      direction: 'inbound',
      sender,
      reference: p.reference,
      name: p.name,
      rationale: p.rationale,
      expression: p.expression,
      scope: p.scope,
      weight: p.weight,
      forcedChannel: p.forcedChannel,
      validTo: p.validTo ? new Date(p.validTo) : null,
      recipients,
      messageId,
      status: 'received',
      author: p.proposedBy ?? null,
      createdAt: new Date(p.proposedAt),
    });
    if (!inserted) return;
    await appendAudit(tx, { actor: SYSTEM_PRINCIPAL(recipient, 'exchange'), country: recipient, action: 'criterion.proposal_received', entityType: 'coop_proposal', entityId: p.proposalId, after: { from: sender, reference: p.reference, name: p.name, messageId } }, this.deps.clock);
  }

  /**
   * A member's answer or hit rates to the proposer: over the exchange, or — the proposer's own
   * administration answering its own group's proposal — recorded here directly (same checks).
   */
  private async answerProposer(tx: Tx, row: repo.ProposalRow, kind: 'criterion.answered' | 'criterion.hits', payload: CriterionAnsweredPayload | CriterionHitsPayload): Promise<{ id: string | null }> {
    if (row.sender !== row.country) return this.deps.exchange.enqueue(tx, { sender: row.country, recipients: [row.sender], kind, payload, subject: `proposal:${row.id}` });
    const env = { id: `local:${uuidv7()}`, sender: row.country, recipients: [row.country], kind, schemaVersion: 1, sentAt: this.now().toISOString(), subject: `proposal:${row.id}`, payload, keyId: 'local', signature: '' };
    if (kind === 'criterion.answered') await this.applyCriterionAnswered(tx, env as Envelope<CriterionAnsweredPayload>, row.country);
    else await this.applyCriterionHits(tx, env as Envelope<CriterionHitsPayload>, row.country);
    return { id: null };
  }

  async applyCriterionAnswered(tx: Tx, env: Envelope<CriterionAnsweredPayload>, recipient: string): Promise<void> {
    const p = env.payload;
    senderIs(env, p.administration);
    const prop = await this.ownProposal(tx, p.proposalId, recipient, env.sender);
    if (p.decision !== 'declined' && !p.criterion) refuse('payload.criterion', 'required', `an ${p.decision} common criterion names the member's criterion`);
    if (p.decision === 'declined' && !p.reason) refuse('payload.reason', 'required', 'a declined common criterion says why');
    await repo.upsertProposalAnswer(tx, { proposalId: p.proposalId, country: recipient, member: env.sender, decision: p.decision, reason: p.reason, scope: p.scope, criterionStatus: p.criterion?.status ?? null, answeredAt: new Date(p.answeredAt), receivedAt: this.now(), messageId: env.id });
    await appendAudit(tx, { actor: SYSTEM_PRINCIPAL(recipient, 'exchange'), country: recipient, action: 'criterion.answer_received', entityType: 'coop_proposal', entityId: prop.id, after: { from: env.sender, decision: p.decision, reason: p.reason, scope: p.scope, messageId: env.id } }, this.deps.clock);
  }

  async applyCriterionHits(tx: Tx, env: Envelope<CriterionHitsPayload>, recipient: string): Promise<void> {
    const p = env.payload;
    senderIs(env, p.administration);
    const prop = await this.ownProposal(tx, p.proposalId, recipient, env.sender);
    const answer = await repo.findProposalAnswer(tx, p.proposalId, recipient, env.sender);
    if (!answer || answer.decision === 'declined') refuse('payload.proposalId', 'not_adopted', `${env.sender} did not adopt ${prop.reference}: it has no hit rates of it to report`);
    await repo.upsertHits(tx, { proposalId: p.proposalId, country: recipient, member: env.sender, periodFrom: new Date(p.periodFrom), periodTo: new Date(p.periodTo), evaluated: p.evaluated, hits: p.hits, controls: p.controls, controlsWithFindings: p.controlsWithFindings, criterionStatus: p.criterionStatus, reportedAt: new Date(p.reportedAt), receivedAt: this.now(), messageId: env.id });
    await appendAudit(tx, { actor: SYSTEM_PRINCIPAL(recipient, 'exchange'), country: recipient, action: 'criterion.hits_received', entityType: 'coop_proposal', entityId: prop.id, after: { from: env.sender, periodFrom: p.periodFrom, periodTo: p.periodTo, evaluated: p.evaluated, hits: p.hits, controls: p.controls, controlsWithFindings: p.controlsWithFindings, messageId: env.id } }, this.deps.clock);
  }

  private async ownProposal(tx: Tx, id: string, recipient: string, member: string): Promise<repo.ProposalRow> {
    const prop = await repo.findProposal(tx, id, recipient, 'outbound');
    if (!prop || prop.direction !== 'outbound') refuse('payload.proposalId', 'unknown_proposal', `${recipient} never proposed common criterion ${id}`);
    if (!(prop.deliveredTo ?? []).includes(member)) refuse('sender', 'not_a_recipient', `${prop.reference} was not proposed to ${member}`);
    return prop;
  }

  async applyControlReport(tx: Tx, env: Envelope<ControlReportPayload>, recipient: string): Promise<void> {
    const p = env.payload;
    senderIs(env, p.administration);
    if (!p.office.startsWith(env.sender)) refuse('payload.office', 'office_of_other_country', `office ${p.office} is not of ${env.sender}`);
    const kind = env.kind === 'seizure.reported' ? 'seizure' : 'control_result';
    if (kind === 'seizure' && !p.goodsSeized) refuse('payload.goodsSeized', 'no_seizure', 'a seizure report without goods seized');
    if (kind === 'control_result' && p.outcome !== 'discrepancy') refuse('payload.outcome', 'no_findings', 'a control result of regional interest has findings');
    const inserted = await repo.insertIntel(tx, { id: p.reportId, country: recipient, direction: 'inbound', sender: env.sender, kind, office: p.office, occurredAt: new Date(p.occurredAt), report: p, recipients: env.recipients, messageId: env.id, author: p.sharedBy ?? null, createdAt: this.now() });
    if (!inserted) return;
    await appendAudit(tx, { actor: SYSTEM_PRINCIPAL(recipient, 'exchange'), country: recipient, action: `${env.kind}.received`, entityType: 'coop_intel', entityId: p.reportId, after: { from: env.sender, office: p.office, messageId: env.id } }, this.deps.clock);
  }
}

/** A message speaks for the administration that signed it, never for another. */
function senderIs(env: Envelope<unknown>, administration: string): void {
  if (administration !== env.sender) refuse('payload.administration', 'not_the_sender', `${env.sender} sent a ${env.kind} speaking for ${administration}: an administration answers only for itself`);
}
