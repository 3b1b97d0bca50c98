/**
 * The traders module: who a trader is (identity.ts), its history as of any date (history.ts,
 * filled from the declarations' and the controls' facts through read ports), the counters
 * selectivity reads now (counters.ts), and its AEO status per administration, here and as the
 * partners certified it (aeo.ts), exchanged as `aeo.status` messages.
 */
import { uuidv7 } from '../../core/ids.ts';
import type { Clock } from '../../core/clock.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { Db, Tx } from '../../db/client.ts';
import { ADMINISTRATIONS } from '../../reference/types.ts';
import { appendAudit } from '../access/audit.ts';
import { requireAdministration } from '../access/policy.ts';
import { SYSTEM_PRINCIPAL, type Principal } from '../access/types.ts';
import type { Enqueued, Envelope, Exchange, InboundHandler } from '../exchange/contract.ts';
import { AEO_STATUS_SCHEMA_VERSION, aeoStatusPayload, effectiveStatus, inForce, type AeoStatusInput, type AeoStatusPayload } from './aeo.ts';
import * as counters from './counters.ts';
import { buildTimeline, type HistoryRole, type TraderHistory, type TraderStats, type TraderTimeline } from './history.ts';
import { partyOf, rolesIn, type TraderIdentity } from './identity.ts';
import * as repo from './repository.ts';
import type { TinFilter, TraderSources } from './sources.ts';

export interface TradersDeps {
  db: Db;
  clock: Clock;
  /** the declarations' and the controls' facts (read ports, handed over by the composition root) */
  sources: TraderSources;
}

/** An AEO record as the API shows it. */
export interface AeoView {
  administration: string;
  tin: string;
  name: string | null;
  programme: string;
  status: string;
  /** the status read at the time asked (a certification past its end reads `expired`) */
  effective: string;
  inForce: boolean;
  since: string;
  until: string | null;
  reason: string;
  revision: number;
  changedBy: string;
  changedAt: string;
  /** `local` for the administration's own record, `partner` for one received through the exchange */
  source: 'local' | 'partner';
  messageId: string | null;
}

function aeoView(r: repo.AeoRow, at: Date): AeoView {
  const s = { status: r.status, since: r.since, until: r.until };
  return {
    administration: r.administration,
    tin: r.tin,
    name: r.name,
    programme: r.programme,
    status: r.status,
    effective: effectiveStatus(s, at),
    inForce: inForce(s, at),
    since: r.since.toISOString(),
    until: r.until?.toISOString() ?? null,
    reason: r.reason,
    revision: r.revision,
    changedBy: r.changedBy,
    changedAt: r.changedAt.toISOString(),
    source: r.observer === r.administration ? 'local' : 'partner',
    messageId: r.messageId,
  };
}

export class TradersService {
  private exchange: Exchange | null = null;
  private partners: (sender: string) => Promise<string[]> = async (sender) => ADMINS.filter((a) => a !== sender);

  constructor(readonly deps: TradersDeps) {}

  /**
   * Connects the regional exchange: AEO status changes are queued to the partners (by default
   * every other administration of the region; the composition root narrows it to those the node
   * trusts), and partners' `aeo.status` messages are applied. Once, at composition time.
   */
  connect(exchange: Exchange, partners?: (sender: string) => Promise<string[]>): void {
    this.exchange = exchange;
    if (partners) this.partners = partners;
    exchange.handle(this.aeoHandler());
  }

  // ------------------------------------------------------------------ identity

  /** Who the trader is in an administration: the name and capacities it last declared under. */
  async identity(country: string, tin: string, tx: Tx = this.deps.db): Promise<TraderIdentity> {
    const last = await this.deps.sources.declarations.latestNaming(tx, country, tin);
    if (!last) return { country, tin, known: false, name: null, partyCountry: null, roles: [], lastSeenAt: null };
    const p = partyOf(last.declaration, tin);
    return { country, tin, known: true, name: p?.name ?? tin, partyCountry: p?.country ?? null, roles: rolesIn(last.declaration, tin), lastSeenAt: last.lodgedAt.toISOString() };
  }

  // ------------------------------------------------------------------ history

  /**
   * The traders' point-in-time history of an administration: every event before `until`
   * (declarations lodged, controls opened by their date, results by the date recorded); with
   * `tins`, only those traders' and declarants'. Ask it `get(role, tin, at)` for any `at`.
   */
  async timeline(tx: Tx, country: string, until: Date, tins?: TinFilter): Promise<TraderTimeline> {
    if (tins && !tins.traders.length && !tins.declarants.length) return buildTimeline([], [], []);
    const decls = await this.deps.sources.declarations.traderEvents(tx, country, until, tins);
    const ids = tins ? decls.map((d) => d.id) : undefined;
    if (ids && !ids.length) return buildTimeline([], [], []);
    const controls = await this.deps.sources.controls.controlEvents(tx, country, until, ids);
    const results = await this.deps.sources.controls.resultEvents(tx, country, until, ids);
    return buildTimeline(decls, controls, results);
  }

  /** One trader's history as of a date (as the trader of its declarations, and as a declarant). */
  async historyAsOf(country: string, tin: string, at: Date, tx: Tx = this.deps.db): Promise<Record<HistoryRole, TraderHistory>> {
    const t = await this.timeline(tx, country, at, { traders: [tin], declarants: [tin] });
    return { importer: t.get('importer', tin, at.getTime()), declarant: t.get('declarant', tin, at.getTime()) };
  }

  /** The counters selectivity reads now. */
  counters(tx: Tx, country: string, tins: string[]): Promise<Map<string, TraderStats>> {
    return counters.counters(tx, country, tins);
  }

  /** A hit or a seizure counts in the trader's counters (in the caller's transaction). */
  countOutcome(tx: Tx, country: string, tin: string, hit: boolean, seized: boolean): Promise<void> {
    return counters.countOutcome(tx, country, tin, hit, seized);
  }

  // ------------------------------------------------------------------ AEO

  /** A trader's AEO status in the administration and as recognised from partners, with the latest changes. */
  async aeo(actor: Principal, country: string, tin: string, q: { at?: string } = {}) {
    requireAdministration(actor, 'traders.read', country);
    const at = q.at ? new Date(q.at) : this.deps.clock.now();
    const rows = await repo.aeoOfTrader(this.deps.db, country, tin);
    const changes = await repo.changesOf(this.deps.db, country, tin, 50);
    const here = rows.find((r) => r.administration === country);
    return {
      country,
      tin,
      at: at.toISOString(),
      here: here ? aeoView(here, at) : null,
      partners: rows.filter((r) => r.administration !== country).map((r) => aeoView(r, at)),
      changes: changes.map((c) => ({
        administration: c.administration,
        revision: c.revision,
        changedBy: c.changedBy,
        changedAt: c.changedAt.toISOString(),
        source: c.observer === c.administration ? ('local' as const) : ('partner' as const),
        messageId: c.messageId,
        ...(c.status as { programme: string; status: string; since: string; until: string | null; reason: string; name: string | null }),
      })),
    };
  }

  /** The AEO register an administration holds: its own certifications, or those of one partner. */
  async register(actor: Principal, country: string, f: { administration?: string; status?: string; limit?: number } = {}) {
    requireAdministration(actor, 'traders.read', country);
    const now = this.deps.clock.now();
    const rows = await repo.register(this.deps.db, country, { administration: f.administration, status: f.status, limit: Math.min(f.limit ?? 200, 1000) });
    return { country, items: rows.map((r) => aeoView(r, now)) };
  }

  /**
   * Sets a trader's AEO status in the administration (a national admin or analyst): stored, audited
   * and queued as `aeo.status` to the partner administrations, all in one transaction.
   */
  async setAeo(actor: Principal, country: string, tin: string, input: AeoStatusInput): Promise<{ aeo: AeoView; exchange: Enqueued | null }> {
    requireAdministration(actor, 'traders.aeo.write', country);
    const now = this.deps.clock.now();
    // who to tell, read before the transaction (the registry reads outside it)
    const partners = this.exchange ? (await this.partners(country)).filter((a) => a !== country).sort() : [];
    return this.deps.db.transaction(async (tx) => {
      await repo.lockAeoKey(tx, country, country, tin);
      const before = await repo.lockAeo(tx, country, country, tin);
      if (!before && input.status !== 'certified')
        throw new ValidationError([{ path: 'status', code: 'not_certified', message: `${tin} holds no AEO status in ${country}: it must be certified first` }]);
      const name = input.name ?? before?.name ?? (await this.identity(country, tin, tx)).name;
      const row: repo.AeoRow = {
        observer: country,
        administration: country,
        tin,
        programme: input.programme,
        status: input.status,
        since: new Date(input.since),
        until: input.until ? new Date(input.until) : null,
        reason: input.reason,
        name,
        revision: (before?.revision ?? 0) + 1,
        changedBy: actor.name,
        changedAt: now,
        messageId: null,
      };
      await repo.saveAeo(tx, row);
      const payload: AeoStatusPayload = {
        administration: country,
        tin,
        name,
        programme: row.programme,
        status: row.status as AeoStatusPayload['status'],
        since: row.since.toISOString(),
        until: row.until?.toISOString() ?? null,
        reason: row.reason,
        revision: row.revision,
        changedAt: now.toISOString(),
      };
      await repo.insertChange(tx, { id: uuidv7(now.getTime()), observer: country, administration: country, tin, revision: row.revision, status: statusDoc(payload), changedBy: actor.name, changedAt: now, messageId: null });
      await appendAudit(
        tx,
        { actor, country, action: 'trader.aeo.set', entityType: 'trader_aeo', entityId: `${country}/${tin}`, before: before ? statusDoc(before) : null, after: statusDoc(payload) },
        this.deps.clock,
      );
      let enqueued: Enqueued | null = null;
      if (this.exchange) {
        enqueued = await this.exchange.enqueue(tx, { sender: country, recipients: partners, kind: 'aeo.status', payload, subject: `aeo:${country}:${tin}` });
      }
      return { aeo: aeoView(row, now), exchange: enqueued };
    });
  }

  /**
   * How a partner's `aeo.status` is applied: a sender speaks only about AEO status in its own
   * administration; a revision older than (or equal to) the one held is ignored (late or repeated).
   */
  aeoHandler(): InboundHandler<AeoStatusPayload> {
    return {
      kind: 'aeo.status',
      schemaVersion: AEO_STATUS_SCHEMA_VERSION,
      payload: aeoStatusPayload,
      apply: (tx, env, recipient) => this.applyPartnerAeo(tx, env, recipient),
    };
  }

  async applyPartnerAeo(tx: Tx, env: Envelope<AeoStatusPayload>, recipient: string): Promise<void> {
    const p = env.payload;
    if (p.administration !== env.sender)
      throw new ValidationError(
        [{ path: 'payload.administration', code: 'not_sender_administration', message: `${env.sender} may only send the AEO status of its own administration, not of ${p.administration}` }],
        `aeo.status refused: ${env.sender} spoke about an AEO status in ${p.administration}`,
      );
    if (recipient === env.sender) throw new ValidationError([{ path: 'recipients', code: 'own_message', message: `${recipient} does not receive its own AEO status` }]);
    await repo.lockAeoKey(tx, recipient, p.administration, p.tin);
    const held = await repo.lockAeo(tx, recipient, p.administration, p.tin);
    if (held && held.revision >= p.revision) return;
    const now = this.deps.clock.now();
    const row: repo.AeoRow = {
      observer: recipient,
      administration: p.administration,
      tin: p.tin,
      programme: p.programme,
      status: p.status,
      since: new Date(p.since),
      until: p.until ? new Date(p.until) : null,
      reason: p.reason,
      name: p.name,
      revision: p.revision,
      changedBy: `${env.sender} (exchange)`,
      changedAt: new Date(p.changedAt),
      messageId: env.id,
    };
    await repo.saveAeo(tx, row);
    await repo.insertChange(tx, { id: uuidv7(now.getTime()), observer: recipient, administration: p.administration, tin: p.tin, revision: p.revision, status: statusDoc(p), changedBy: row.changedBy, changedAt: row.changedAt, messageId: env.id });
    await appendAudit(
      tx,
      {
        actor: SYSTEM_PRINCIPAL(recipient, 'exchange'),
        country: recipient,
        action: 'trader.aeo.received',
        entityType: 'trader_aeo',
        entityId: `${p.administration}/${p.tin}`,
        before: held ? statusDoc(held) : null,
        after: { ...statusDoc(p), messageId: env.id, sender: env.sender },
      },
      this.deps.clock,
    );
  }

  /** The AEO record of a trader in an administration, or a 404. */
  async requireAeo(country: string, tin: string): Promise<AeoView> {
    const rows = await repo.aeoOfTrader(this.deps.db, country, tin);
    const here = rows.find((r) => r.administration === country);
    if (!here) throw new NotFoundError(`an AEO status of ${tin} in ${country}`);
    return aeoView(here, this.deps.clock.now());
  }
}

const ADMINS: readonly string[] = ADMINISTRATIONS;

function statusDoc(s: { programme: string; status: string; since: Date | string; until: Date | string | null; reason: string; name: string | null; revision?: number }) {
  const iso = (v: Date | string | null) => (v === null ? null : v instanceof Date ? v.toISOString() : v);
  return { programme: s.programme, status: s.status, since: iso(s.since), until: iso(s.until), reason: s.reason, name: s.name, revision: s.revision };
}

/**
 * A traders service on given read ports, for routes assembled by hand in tests (the server and the
 * CLI take theirs from the composition root, src/app/services.ts).
 */
export function tradersOn(deps: { db: Db; clock: Clock }, sources: TraderSources): TradersService {
  return new TradersService({ db: deps.db, clock: deps.clock, sources });
}
