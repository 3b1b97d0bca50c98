import type { Tx } from '../../../db/client.ts';
import { declarationKeysAfter, declarationPayloads } from '../../declarations/reads.ts';
import type { Declaration, DeclarationItem, Party } from '../../declarations/schema.ts';
import { traderTinOf } from '../../traders/identity.ts';

/**
 * An in-memory, columnar snapshot of one administration's declarations as criteria see them:
 * only the fields `celDeclaration` reads, strings interned, numbers in typed arrays. Built once
 * from the stored payloads, then refreshed incrementally by `updated_at` (an amendment replaces
 * the row its declaration points at). Backtests scan it instead of reading a year of JSON from
 * the database each time; a record is materialised back into a Declaration only to be evaluated.
 */

const DECL_STR = ['reference', 'type', 'office', 'procedure', 'countryOfDispatch', 'countryOfDestination', 'manifestReference', 'transportDocument', 'conveyance'] as const;
const PARTIES = ['declarant', 'importer', 'exporter', 'seller'] as const;
const ITEM_STR = ['hsCode', 'description', 'origin', 'unit', 'currency', 'preference'] as const;
const ITEM_NUM = ['line', 'quantity', 'netMassKg', 'grossMassKg', 'customsValue', 'dutyRate'] as const;

/** One column per key, each made by `make`. */
function columns<K extends string, V>(keys: readonly K[], make: () => V): Record<K, V> {
  return Object.fromEntries(keys.map((k) => [k, make()])) as Record<K, V>;
}

class Floats {
  a = new Float64Array(1024);
  n = 0;
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
}

export class DeclarationSnapshot {
  /** rows: one per stored version seen (an amended declaration's older row is dead) */
  readonly id: string[] = [];
  readonly version: number[] = [];
  readonly tin: string[] = [];
  readonly lodgedAt = new Floats();
  private readonly str: Record<(typeof DECL_STR)[number], (string | undefined)[]> = columns(DECL_STR, () => []);
  /** party columns: tin, name, country (undefined: no such party) */
  private readonly party: Record<(typeof PARTIES)[number], [(string | undefined)[], string[], string[]]> = columns(PARTIES, () => [[], [], []]);
  private readonly mode: number[] = [];
  private readonly containers: (string[] | undefined)[] = [];
  private readonly itemStart: number[] = [];
  private readonly itemCount: number[] = [];
  private readonly istr: Record<(typeof ITEM_STR)[number], (string | undefined)[]> = columns(ITEM_STR, () => []);
  private readonly inum: Record<(typeof ITEM_NUM)[number], Floats> = columns(ITEM_NUM, () => new Floats());
  private items = 0;
  private readonly rowOf = new Map<string, number>();
  private readonly pool = new Map<string, string>();
  private sorted: Int32Array | null = null;
  /** the latest `updated_at` read (ms) */
  watermark = 0;
  loadedAt = 0;

  constructor(readonly country: string) {}

  get size(): number {
    return this.rowOf.size;
  }

  private intern(s: string | undefined | null): string | undefined {
    if (s === undefined || s === null) return undefined;
    const x = this.pool.get(s);
    if (x !== undefined) return x;
    if (this.pool.size < 500_000) this.pool.set(s, s);
    return s;
  }

  /** Adds or replaces a declaration's row. */
  put(id: string, version: number, d: Declaration): void {
    const prev = this.rowOf.get(id);
    if (prev !== undefined && this.version[prev] >= version) return;
    const row = this.id.length;
    this.id.push(id);
    this.version.push(version);
    this.tin.push(this.intern(traderTinOf(d))!);
    this.lodgedAt.push(Date.parse(d.lodgedAt));
    const any = d as unknown as Record<string, string | undefined>;
    for (const k of DECL_STR) this.str[k].push(this.intern(k === 'conveyance' ? d.transport.conveyance : any[k]));
    for (const k of PARTIES) {
      const p = (d as unknown as Record<string, Party | undefined>)[k];
      const [t, n, c] = this.party[k];
      t.push(p ? this.intern(p.tin) : undefined);
      n.push(p ? this.intern(p.name)! : '');
      c.push(p ? this.intern(p.country)! : '');
    }
    this.mode.push(Number(d.transport.mode));
    this.containers.push(d.transport.containers?.length ? d.transport.containers : undefined);
    this.itemStart.push(this.items);
    this.itemCount.push(d.items.length);
    for (const it of d.items) {
      const ia = it as unknown as Record<string, string | number | undefined>;
      for (const k of ITEM_STR) this.istr[k].push(this.intern(ia[k] as string | undefined));
      for (const k of ITEM_NUM) this.inum[k].push(ia[k] === undefined || ia[k] === null ? NaN : Number(ia[k]));
      this.items++;
    }
    this.rowOf.set(id, row);
    this.sorted = null;
  }

  /** The declaration of a row, with the fields criteria read. */
  declaration(row: number): Declaration {
    const s = this.str;
    const party = (k: (typeof PARTIES)[number]): Party | undefined => {
      const [t, n, c] = this.party[k];
      const tin = t[row];
      return tin === undefined ? undefined : ({ tin, name: n[row], country: c[row] } as Party);
    };
    const items: DeclarationItem[] = new Array(this.itemCount[row]);
    const start = this.itemStart[row];
    for (let j = 0; j < items.length; j++) {
      const x = start + j;
      const duty = this.inum.dutyRate.a[x];
      items[j] = {
        line: this.inum.line.a[x],
        hsCode: this.istr.hsCode[x]!,
        description: this.istr.description[x] ?? '',
        origin: this.istr.origin[x]!,
        quantity: this.inum.quantity.a[x],
        unit: this.istr.unit[x]!,
        netMassKg: this.inum.netMassKg.a[x],
        grossMassKg: this.inum.grossMassKg.a[x],
        customsValue: this.inum.customsValue.a[x],
        currency: this.istr.currency[x]!,
        dutyRate: Number.isNaN(duty) ? undefined : duty,
        preference: this.istr.preference[x],
      } as DeclarationItem;
    }
    return {
      reference: s.reference[row]!,
      country: this.country,
      type: s.type[row]!,
      office: s.office[row]!,
      procedure: s.procedure[row],
      lodgedAt: new Date(this.lodgedAt.a[row]).toISOString(),
      declarant: party('declarant')!,
      importer: party('importer'),
      exporter: party('exporter'),
      seller: party('seller'),
      countryOfDispatch: s.countryOfDispatch[row],
      countryOfDestination: s.countryOfDestination[row],
      manifestReference: s.manifestReference[row],
      transportDocument: s.transportDocument[row],
      transport: { mode: this.mode[row], conveyance: s.conveyance[row], containers: this.containers[row] ?? [] },
      items,
    } as unknown as Declaration;
  }

  type(row: number): string {
    return this.str.type[row]!;
  }
  office(row: number): string {
    return this.str.office[row]!;
  }
  reference(row: number): string {
    return this.str.reference[row]!;
  }
  transportDocument(row: number): string | undefined {
    return this.str.transportDocument[row];
  }

  /** live rows (the latest version of each declaration) in order of lodging */
  byLodging(): Int32Array {
    if (this.sorted) return this.sorted;
    const rows = Int32Array.from(this.rowOf.values());
    const t = this.lodgedAt.a;
    const ids = this.id;
    rows.sort((a, b) => t[a] - t[b] || (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
    return (this.sorted = rows);
  }

  /**
   * Reads what changed since the watermark (all of it the first time), by pages on
   * (updated_at, id). Re-reads a minute before the watermark: a transaction that committed late
   * with an earlier timestamp is still picked up (rows already held at their version are skipped).
   */
  async refresh(tx: Tx, pageSize = 10_000): Promise<{ read: number; seconds: number }> {
    const t0 = performance.now();
    let after = { at: new Date(Math.max(0, this.watermark - 60_000)).toISOString(), id: '00000000-0000-0000-0000-000000000000' };
    let read = 0;
    for (;;) {
      // keys first: payloads are read only for rows not held at their version (the overlap is cheap)
      const keys = await declarationKeysAfter(tx, this.country, after, pageSize);
      if (!keys.length) break;
      const wanted = keys.filter((k) => {
        const row = this.rowOf.get(k.id);
        return row === undefined || this.version[row] < Number(k.version);
      });
      for (let i = 0; i < wanted.length; i += 2000) {
        const chunk = wanted.slice(i, i + 2000);
        const page = await declarationPayloads(tx, chunk.map((k) => k.id));
        for (const r of page) this.put(r.id, Number(r.version), typeof r.payload === 'string' ? (JSON.parse(r.payload) as Declaration) : r.payload);
        read += page.length;
      }
      const last = keys[keys.length - 1];
      const at = last.updated_at instanceof Date ? last.updated_at : new Date(last.updated_at);
      after = { at: at.toISOString(), id: last.id };
      this.watermark = Math.max(this.watermark, at.getTime());
      if (keys.length < pageSize) break;
    }
    this.loadedAt = Date.now();
    return { read, seconds: (performance.now() - t0) / 1000 };
  }
}
