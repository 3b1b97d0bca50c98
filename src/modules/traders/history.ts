/**
 * A trader's point-in-time history, written once: declarations lodged, controls opened (by the
 * control's date), controls that found a discrepancy and seizures (by the date the result was
 * recorded). Counts are of events strictly before a time, so a history "as of" a date never sees
 * what happened after it (the model's features, backtests and the trader page alike). Pure: the
 * traders service fills it from the declarations' and the controls' facts.
 */

/** A trader's standing as of a time. */
export interface TraderHistory {
  declarations: number;
  controls: number;
  hits: number;
  seizures: number;
  /** when its first declaration was lodged (ms), NaN when none */
  firstSeen: number;
}

/** The running counters selectivity reads now (current, not as of a date). */
export interface TraderStats {
  tin: string;
  declarations: number;
  controls: number;
  hits: number;
  seizures: number;
  firstSeen: number | null;
}

/**
 * Whose history: `importer` keys a declaration by its trader (identity.ts: importer of an import,
 * exporter of an export, declarant of a transit), `declarant` by the declarant (the broker).
 */
export type HistoryRole = 'importer' | 'declarant';

const EMPTY: TraderHistory = { declarations: 0, controls: 0, hits: 0, seizures: 0, firstSeen: NaN };

/** Event times per trader (role|tin); counts are of events strictly before a time. */
export class TraderTimeline {
  private ev = new Map<string, { d: number[]; c: number[]; h: number[]; s: number[] }>();
  private sorted = true;

  private slot(key: string) {
    let s = this.ev.get(key);
    if (!s) this.ev.set(key, (s = { d: [], c: [], h: [], s: [] }));
    this.sorted = false;
    return s;
  }
  declaration(role: HistoryRole, tin: string | null | undefined, at: number): void {
    if (tin) this.slot(`${role}|${tin}`).d.push(at);
  }
  control(role: HistoryRole, tin: string | null | undefined, at: number): void {
    if (tin) this.slot(`${role}|${tin}`).c.push(at);
  }
  hit(role: HistoryRole, tin: string | null | undefined, at: number): void {
    if (tin) this.slot(`${role}|${tin}`).h.push(at);
  }
  seizure(role: HistoryRole, tin: string | null | undefined, at: number): void {
    if (tin) this.slot(`${role}|${tin}`).s.push(at);
  }

  /** The history as of `at` (events strictly before it). */
  get(role: HistoryRole, tin: string | null | undefined, at: number): TraderHistory {
    if (!tin) return { ...EMPTY };
    if (!this.sorted) {
      for (const s of this.ev.values()) for (const a of [s.d, s.c, s.h, s.s]) a.sort((x, y) => x - y);
      this.sorted = true;
    }
    const s = this.ev.get(`${role}|${tin}`);
    if (!s) return { ...EMPTY };
    const d = before(s.d, at);
    return { declarations: d, controls: before(s.c, at), hits: before(s.h, at), seizures: before(s.s, at), firstSeen: d ? s.d[0] : NaN };
  }
}

/** how many sorted values are strictly below t */
function before(a: number[], t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m] < t) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** Facts the history is made of, as the owning modules give them (see sources.ts). */
export interface DeclarationEvent {
  id: string;
  /** the trader (identity.ts) */
  trader: string | null;
  declarant: string | null;
  at: number;
}
export interface ControlEvent {
  declarationId: string;
  at: number;
}
export interface ResultEvent {
  declarationId: string;
  at: number;
  hit: boolean;
  seized: boolean;
}

/** Builds the timeline: controls and results are attributed to their declaration's trader and declarant. */
export function buildTimeline(decls: DeclarationEvent[], controls: ControlEvent[], results: ResultEvent[]): TraderTimeline {
  const t = new TraderTimeline();
  const who = new Map<string, DeclarationEvent>();
  for (const d of decls) {
    who.set(d.id, d);
    t.declaration('importer', d.trader, d.at);
    t.declaration('declarant', d.declarant, d.at);
  }
  for (const c of controls) {
    const d = who.get(c.declarationId);
    if (!d) continue;
    t.control('importer', d.trader, c.at);
    t.control('declarant', d.declarant, c.at);
  }
  for (const r of results) {
    const d = who.get(r.declarationId);
    if (!d) continue;
    if (r.hit) {
      t.hit('importer', d.trader, r.at);
      t.hit('declarant', d.declarant, r.at);
    }
    if (r.seized) {
      t.seizure('importer', d.trader, r.at);
      t.seizure('declarant', d.declarant, r.at);
    }
  }
  return t;
}
