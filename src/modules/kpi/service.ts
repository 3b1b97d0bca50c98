/** Indicators for the dashboard and the trader page, scoped to one administration. */
import { ValidationError } from '../../core/errors.ts';
import type { Clock } from '../../core/clock.ts';
import type { Db } from '../../db/client.ts';
import type { ReferenceData } from '../../reference/types.ts';
import { appendAudit } from '../access/audit.ts';
import type { Principal } from '../access/types.ts';
import * as repo from './repository.ts';
import { datesBetween, localDate, periodOf, type Period } from './time.ts';
import { sql } from 'drizzle-orm';
import { usdSql } from '../risk/reference.ts';
import { wilson } from '../risk/effectiveness.ts';
import type { TradersService } from '../traders/service.ts';

export interface KpiDeps {
  db: Db;
  ref: ReferenceData;
  clock: Clock;
  /** who a trader is (the traders module owns identity) */
  traders: Pick<TradersService, 'identity'>;
}

export interface ChannelTargets {
  /** expected share of red (physical inspection), 0..1 */
  red: number;
  /** expected share of yellow (documentary check), 0..1 */
  yellow: number;
}

/** Until an administration sets its own: red 8 %, yellow 12 %. */
export const DEFAULT_TARGETS: ChannelTargets = { red: 0.08, yellow: 0.12 };

const ZERO: repo.ChannelCounts = { total: 0, green: 0, yellow: 0, red: 0, blue: 0, unassessed: 0 };

export class KpiService {
  constructor(private deps: KpiDeps) {}

  private checkOffice(country: string, office: string | undefined, path = 'office') {
    if (!office) return;
    const o = this.deps.ref.office(office);
    if (!o || o.country !== country) throw new ValidationError([{ path, code: 'unknown_office', message: `${office} is not a customs office of ${country}` }]);
  }

  private period(country: string, q: { from?: string; to?: string }, days?: number): Period {
    const p = periodOf(country, this.deps.clock, q, days);
    if (p.from > p.to) throw new ValidationError([{ path: 'from', code: 'invalid_range', message: 'must not be after `to`' }]);
    if (datesBetween(p.from, p.to).length > 731) throw new ValidationError([{ path: 'from', code: 'range_too_long', message: 'the period may span at most two years' }]);
    return p;
  }

  async targets(country: string) {
    const stored = (await repo.readTargets(this.deps.db))[country] ?? {};
    return { country, default: stored.default ?? DEFAULT_TARGETS, offices: stored.offices ?? {} };
  }

  /** The target of an office (its own, else its administration's, else the default). */
  async targetsFor(country: string): Promise<(office?: string) => ChannelTargets> {
    const t = await this.targets(country);
    return (office) => (office && t.offices[office]) || t.default;
  }

  async setTargets(actor: Principal, country: string, body: { office?: string | null; red: number; yellow: number }) {
    this.checkOffice(country, body.office ?? undefined);
    if (body.red + body.yellow > 1) throw new ValidationError([{ path: 'yellow', code: 'too_big', message: 'red and yellow together may not exceed 100 %' }]);
    return this.deps.db.transaction(async (tx) => {
      const all = await repo.readTargets(tx);
      const before = all[country] ?? {};
      const next = { default: before.default, offices: { ...(before.offices ?? {}) } };
      const value = { red: body.red, yellow: body.yellow };
      if (body.office) next.offices[body.office] = value;
      else next.default = value;
      all[country] = next;
      await repo.writeTargets(tx, all, this.deps.clock.now());
      await appendAudit(tx, { actor, action: 'kpi.targets.set', entityType: 'kpi_targets', entityId: body.office ? `${country}/${body.office}` : country, country, before, after: next }, this.deps.clock);
      return { country, default: next.default ?? DEFAULT_TARGETS, offices: next.offices };
    });
  }

  async overview(country: string, q: { office?: string; from?: string; to?: string }) {
    this.checkOffice(country, q.office);
    const p = this.period(country, q);
    const scope = { country, office: q.office, from: p.start, to: p.end };
    const [days, offices, targetOf] = await Promise.all([
      repo.channelsPerDay(this.deps.db, scope, p.timeZone),
      repo.channelsPerOffice(this.deps.db, scope),
      this.targetsFor(country),
    ]);
    const byDate = new Map(days.map((d) => [d.date, d]));
    const totals = { ...ZERO };
    for (const d of days) for (const k of Object.keys(ZERO) as (keyof repo.ChannelCounts)[]) totals[k] += d[k];
    return {
      country,
      office: q.office ?? null,
      from: p.from,
      to: p.to,
      timeZone: p.timeZone,
      targets: targetOf(q.office),
      totals,
      days: datesBetween(p.from, p.to).map((date) => byDate.get(date) ?? { date, ...ZERO }),
      offices: offices.map((o) => ({ ...o, targets: targetOf(o.office) })),
    };
  }

  async alerts(country: string) {
    const rows = await repo.openAlerts(this.deps.db, country);
    const sum = (key: 'kind' | 'severity') => {
      const m = new Map<string, number>();
      for (const r of rows) m.set(r[key], (m.get(r[key]) ?? 0) + r.count);
      return [...m].map(([k, count]) => ({ [key]: k, count })).sort((a, b) => b.count - a.count);
    };
    return {
      country,
      open: rows.reduce((s, r) => s + r.count, 0),
      byKind: sum('kind') as { kind: string; count: number }[],
      bySeverity: sum('severity') as { severity: string; count: number }[],
    };
  }

  async trader(country: string, tin: string, q: { from?: string; to?: string }) {
    const [who, allTime] = await Promise.all([this.deps.traders.identity(country, tin), repo.traderSummary(this.deps.db, { country, trader: tin })]);
    // by default the last 90 days, or since the first declaration when that is later
    let p = this.period(country, q, 90);
    if (!q.from && allTime.firstLodgedAt) {
      const first = localDate(new Date(allTime.firstLodgedAt), p.timeZone);
      if (first > p.from && first <= p.to) p = this.period(country, { from: first, to: p.to });
    }
    const scope = { country, trader: tin, from: p.start, to: p.end };
    const [summary, days, offices] = await Promise.all([
      repo.traderSummary(this.deps.db, scope),
      repo.channelsPerDay(this.deps.db, scope, p.timeZone),
      repo.channelsPerOffice(this.deps.db, scope),
    ]);
    const byDate = new Map(days.map((d) => [d.date, d]));
    return {
      country,
      tin,
      known: who.known,
      name: who.name,
      partyCountry: who.partyCountry,
      from: p.from,
      to: p.to,
      timeZone: p.timeZone,
      period: summary,
      allTime,
      days: datesBetween(p.from, p.to).map((date) => byDate.get(date) ?? { date, ...ZERO }),
      offices,
    };
  }

  /**
   * Controls with a result, of declarations lodged over a period, by local day of lodgement: hits, hit rate and extra
   * revenue per day, per channel and per office; the compliance rate measured by random control
   * (95 % Wilson interval), overall and per office; and the hours from lodgement to release (the
   * recorded result) of controlled declarations by channel, when there are results.
   */
  async controls(country: string, q: { office?: string; from?: string; to?: string }) {
    this.checkOffice(country, q.office);
    const p = this.period(country, q, 30);
    const [rows, open] = await Promise.all([
      repo.controlResults(this.deps.db, { country, office: q.office, from: p.start, to: p.end }, p.timeZone, usdSql(sql`(r.extra_duties + r.extra_taxes)`, sql`r.currency`)),
      repo.openControls(this.deps.db, country, q.office),
    ]);
    const round = (v: number) => Math.round(v * 100) / 100;
    const agg = (list: repo.ControlResultRow[]) => {
      const hits = list.filter((r) => r.hit).length;
      return { controls: list.length, hits, hitRate: list.length ? hits / list.length : null, seizures: list.filter((r) => r.seized).length, extraRevenueUsd: round(list.reduce((s, r) => s + r.revenueUsd, 0)) };
    };
    const random = (list: repo.ControlResultRow[]) => {
      const rs = list.filter((r) => r.randomSelected);
      const ok = rs.filter((r) => !r.hit).length;
      return { controls: rs.length, compliant: ok, complianceRate: rs.length ? ok / rs.length : null, ci95: rs.length ? wilson(ok, rs.length) : null };
    };
    const group = (key: (r: repo.ControlResultRow) => string) => {
      const m = new Map<string, repo.ControlResultRow[]>();
      for (const r of rows) {
        const k = key(r);
        const g = m.get(k);
        if (g) g.push(r);
        else m.set(k, [r]);
      }
      return m;
    };
    const byDay = group((r) => r.date);
    const quantile = (sorted: number[], x: number) => {
      if (!sorted.length) return null;
      const i = (sorted.length - 1) * x;
      const lo = Math.floor(i);
      const hi = Math.ceil(i);
      return round(sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo));
    };
    const release = [...group((r) => r.channel)]
      .map(([channel, list]) => {
        const hours = list.map((r) => r.releaseHours).filter((h): h is number => h !== null && h >= 0).sort((a, b) => a - b);
        return { channel, n: hours.length, medianHours: quantile(hours, 0.5), p90Hours: quantile(hours, 0.9) };
      })
      .filter((r) => r.n > 0)
      .sort((a, b) => a.channel.localeCompare(b.channel));
    return {
      country,
      office: q.office ?? null,
      from: p.from,
      to: p.to,
      timeZone: p.timeZone,
      open,
      totals: agg(rows),
      random: random(rows),
      days: datesBetween(p.from, p.to).map((date) => ({ date, ...agg(byDay.get(date) ?? []) })),
      byChannel: [...group((r) => r.channel)].map(([channel, list]) => ({ channel, ...agg(list) })).sort((a, b) => a.channel.localeCompare(b.channel)),
      byOffice: [...group((r) => r.office)].map(([office, list]) => ({ office, ...agg(list), random: random(list) })).sort((a, b) => b.controls - a.controls || a.office.localeCompare(b.office)),
      release,
    };
  }
}
