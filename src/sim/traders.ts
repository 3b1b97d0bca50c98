/**
 * The trader population: importers, exporters and transit principals per administration,
 * with heavy-tailed volumes and behaviours (compliant, careless, systematic fraudster);
 * customs brokers; and the foreign companies that sell, buy and ship.
 */
import { ADMINISTRATIONS, type Administration } from '../reference/types.ts';
import { Rng, WeightedTable } from './random.ts';
import type { FraudType, HeadingInfo, World } from './world.ts';

export type Behaviour = 'compliant' | 'careless' | 'fraudster';
export type TraderRole = 'importer' | 'exporter' | 'transit_principal' | 'customs_broker';
export type ImportFraudType = Exclude<FraudType, 'transit_diversion'>;

export interface Trader {
  id: string;
  role: TraderRole;
  country: Administration;
  tin: string;
  name: string;
  behaviour: Behaviour;
  fraudType: FraudType | null;
  /** share of its declarations on which it commits its fraud (0 unless a fraudster) */
  fraudRate: number;
  /** relative volume (heavy-tailed) */
  volume: number;
  /** headings it trades (its line of business) */
  headings: HeadingInfo[];
  /** its usual customs broker, or null when it lodges its own declarations */
  broker: Trader | null;
}

export interface ForeignCompany {
  tin: string;
  name: string;
  country: string;
}

export interface PopulationConfig {
  behaviourShares: { compliant: number; careless: number; fraudster: number };
  fraudRate: number;
  importFraudTypes: Record<ImportFraudType, number>;
  /** traders per administration at a 100% share of the region (scaled by each administration's share) */
  importersPerRegion: number;
  exportersPerRegion: number;
  transitPrincipalsPerRegion: number;
  brokersPerRegion: number;
  /** Pareto shape of trader volumes (lower = heavier tail) */
  volumeAlpha: number;
}

export interface CountryPopulation {
  importers: Trader[];
  exporters: Trader[];
  transitPrincipals: Trader[];
  brokers: Trader[];
  importerTable: WeightedTable<Trader>;
  exporterTable: WeightedTable<Trader>;
  transitTable: WeightedTable<Trader>;
}

export interface Population {
  byCountry: Record<Administration, CountryPopulation>;
  /** every trader of every administration, in a fixed order */
  all: Trader[];
  /** foreign companies of a country (made on first use from their own seeded stream) */
  foreign(country: string): ForeignCompany[];
}

// ---------- names

const PREFIXES = ['Importadora', 'Distribuidora', 'Comercial', 'Corporación', 'Inversiones', 'Grupo', 'Almacenes', 'Suministros', 'Industrias', 'Tecnología', 'Productos', 'Representaciones', 'Ferretería', 'Farmacéutica', 'Agroindustrias'];
const EXPORT_PREFIXES = ['Exportadora', 'Agroexportadora', 'Beneficio', 'Industrias', 'Textiles', 'Manufacturas', 'Productora', 'Procesadora', 'Corporación'];
const CORES = [
  'Maya', 'Quetzal', 'del Pacífico', 'del Atlántico', 'Central', 'del Istmo', 'Caribe', 'Volcán', 'Sol', 'Lago', 'La Ceiba', 'Jaguar', 'Cumbre', 'Los Altos',
  'San Miguel', 'Santa Ana', 'El Progreso', 'Cuscatlán', 'Lempira', 'Nicarao', 'Tica', 'Chorotega', 'Ngäbe', 'Quisqueya', 'Cibao', 'Taíno', 'Azteca', 'Olmeca',
  'Mesoamericana', 'Continental', 'Universal', 'Del Valle', 'Las Américas', 'Monte Verde', 'Río Grande', 'Las Palmas', 'El Roble', 'La Estrella', 'Horizonte',
  'Alianza', 'Unión', 'Vanguardia', 'Premier', 'Global', 'Atlas', 'Fénix', 'Cóndor', 'Colibrí', 'Tucán', 'Guacamaya', 'Orquídea', 'Zapote', 'Copán', 'Tikal',
];
const SURNAMES = ['Hernández', 'López', 'Martínez', 'González', 'Pérez', 'Rodríguez', 'Ramírez', 'Castillo', 'Morales', 'Flores', 'Reyes', 'Cruz', 'Ortiz', 'Mejía', 'Aguilar', 'Rivera', 'Castro', 'Vargas', 'Solís', 'Jiménez', 'Rojas', 'Herrera', 'Guzmán', 'Batista', 'Peña', 'Santana'];
const SUFFIX: Record<Administration, string[]> = {
  GT: ['S.A.', 'S.A.', 'Ltda.'],
  SV: ['S.A. de C.V.', 'S.A. de C.V.', 'Ltda. de C.V.'],
  HN: ['S.A. de C.V.', 'S. de R.L.', 'S. de R.L. de C.V.'],
  NI: ['S.A.', 'S.A.', 'Ltda.'],
  CR: ['S.A.', 'S.A.', 'S.R.L.'],
  PA: ['S.A.', 'S.A.', 'Inc.', 'Corp.'],
  DO: ['S.R.L.', 'S.A.S.', 'S.A.'],
};

const FOREIGN_STYLE: Record<string, { words: string[]; kinds: string[]; suffixes: string[] }> = {
  CN: {
    words: ['Shenzhen Huaxin', 'Guangzhou Jinlong', 'Ningbo Hengtai', 'Yiwu Xinda', 'Shanghai Tianli', 'Xiamen Yongsheng', 'Qingdao Haoyu', 'Dongguan Ruifeng', 'Foshan Meida', 'Hangzhou Baicheng', 'Tianjin Hongyuan', 'Zhejiang Longwei'],
    kinds: ['Trading', 'Industrial', 'Electronics', 'Import & Export', 'Technology', 'Textile', 'Manufacturing'],
    suffixes: ['Co., Ltd.'],
  },
  US: {
    words: ['Gulf Coast', 'Atlantic', 'Lone Star', 'Bayou', 'Sunbelt', 'Summit', 'Keystone', 'Pioneer', 'Harbor', 'Great Plains', 'Magnolia', 'Everglades', 'Midwest', 'Pacific Rim'],
    kinds: ['Supply', 'Trading', 'Distributors', 'Export', 'Foods', 'Industries', 'Wholesale'],
    suffixes: ['LLC', 'Inc.', 'Corp.'],
  },
  ES_LANG: {
    words: ['Del Norte', 'Andina', 'Sierra Madre', 'Los Andes', 'Pampa', 'Caribe', 'Bolívar', 'Magdalena', 'Aconcagua', 'Anáhuac', 'Bajío', 'Sonora'],
    kinds: ['Comercializadora', 'Distribuidora', 'Exportadora', 'Industrias', 'Grupo'],
    suffixes: ['S.A. de C.V.', 'S.A.', 'S.A.S.', 'Ltda.'],
  },
  OTHER: {
    words: ['Nordic', 'Continental', 'Euro', 'Orient', 'Sakura', 'Hanil', 'Lotus', 'Delta', 'Meridian', 'Alpine', 'Rhine', 'Baltic'],
    kinds: ['Trading', 'Export', 'Industries', 'Handels', 'Commerce'],
    suffixes: ['Ltd.', 'GmbH', 'Co., Ltd.', 'B.V.', 'S.r.l.', 'S.L.'],
  },
};
const SPANISH_SPEAKING = new Set(['MX', 'CO', 'AR', 'CL', 'PE', 'EC', 'ES', 'VE', 'UY', 'PY', 'BO', 'GT', 'SV', 'HN', 'NI', 'CR', 'PA', 'DO']);

function digits(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(rng.int(0, 9));
  return s;
}

/** A plausible national tax id (NIT, RTN, RUC, cédula jurídica, RNC). */
function nationalTin(rng: Rng, country: Administration): string {
  switch (country) {
    case 'GT':
      return `${rng.int(100000, 99999999)}-${rng.chance(0.09) ? 'K' : String(rng.int(0, 9))}`;
    case 'SV':
      return `0614-${String(rng.int(1, 28)).padStart(2, '0')}${String(rng.int(1, 12)).padStart(2, '0')}${String(rng.int(80, 99)).padStart(2, '0')}-${digits(rng, 3)}-${rng.int(0, 9)}`;
    case 'HN':
      return `0801${rng.int(1985, 2024)}${digits(rng, 6)}`;
    case 'NI':
      return `J0310000${digits(rng, 6)}`;
    case 'CR':
      return `3-101-${digits(rng, 6)}`;
    case 'PA':
      return `${rng.int(100000, 999999999)}-1-${rng.int(1990, 2024)}`;
    case 'DO':
      return `1${digits(rng, 8)}`;
  }
}

function companyName(rng: Rng, country: Administration, role: TraderRole): string {
  const suffix = rng.pick(SUFFIX[country]);
  switch (role) {
    case 'customs_broker':
      return rng.chance(0.5) ? `Agencia Aduanera ${rng.pick(CORES)} ${suffix}` : `${rng.pick(SURNAMES)} y Asociados, Agentes Aduaneros ${suffix}`;
    case 'transit_principal':
      return rng.chance(0.5) ? `Transportes ${rng.pick(SURNAMES)} ${suffix}` : `${rng.pick(['Logística', 'Transportes y Logística', 'Carga', 'Fletes'])} ${rng.pick(CORES)} ${suffix}`;
    case 'exporter':
      return `${rng.pick(EXPORT_PREFIXES)} ${rng.pick(CORES)} ${suffix}`;
    default:
      return rng.chance(0.8) ? `${rng.pick(PREFIXES)} ${rng.pick(CORES)} ${suffix}` : `${rng.pick(PREFIXES)} ${rng.pick(SURNAMES)} ${suffix}`;
  }
}

function foreignCompanies(seed: number, country: string, n: number): ForeignCompany[] {
  const rng = Rng.derive(seed, `foreign:${country}`);
  const style = FOREIGN_STYLE[country] ?? (SPANISH_SPEAKING.has(country) ? FOREIGN_STYLE.ES_LANG : FOREIGN_STYLE.OTHER);
  const out: ForeignCompany[] = [];
  const names = new Set<string>();
  const tins = new Set<string>();
  for (let i = 0; i < n; i++) {
    let name = '';
    for (let k = 0; k < 8; k++) {
      const kind = rng.pick(style.kinds);
      const word = rng.pick(style.words);
      name = style === FOREIGN_STYLE.ES_LANG ? `${kind} ${word} ${rng.pick(style.suffixes)}` : `${word} ${kind} ${rng.pick(style.suffixes)}`;
      if (!names.has(name)) break;
    }
    names.add(name);
    let tin = '';
    do tin = `${country}${digits(rng, 10)}`;
    while (tins.has(tin));
    tins.add(tin);
    out.push({ tin, name, country });
  }
  return out;
}

/**
 * Behaviours assigned by volume rank in blocks, so that the configured shares hold both per
 * trader and per declaration (a fraudster is never one of the few giants).
 */
function assignBehaviours(rng: Rng, traders: Trader[], shares: PopulationConfig['behaviourShares'], canDefraud: boolean): void {
  const order = traders.slice().sort((a, b) => b.volume - a.volume || (a.id < b.id ? -1 : 1));
  const total = shares.compliant + shares.careless + shares.fraudster;
  const p = {
    compliant: shares.compliant / total,
    careless: shares.careless / total,
    fraudster: canDefraud ? shares.fraudster / total : 0,
  };
  if (!canDefraud) p.compliant = 1 - p.careless;
  const giants = Math.max(2, Math.round(order.length * 0.01));
  const B = 100;
  for (let start = 0; start < order.length; start += B) {
    const block = order.slice(start, start + B);
    const n = block.length;
    // largest remainder per block, carried over from the expectation so small blocks stay fair
    const nf = Math.floor(n * p.fraudster + rng.float());
    const nc = Math.min(n - nf, Math.floor(n * p.careless + rng.float()));
    const labels: Behaviour[] = [];
    for (let i = 0; i < n; i++) labels.push(i < nf ? 'fraudster' : i < nf + nc ? 'careless' : 'compliant');
    rng.shuffle(labels);
    // the giants of the first block are never fraudsters: swap with a later compliant slot
    if (start === 0) {
      for (let i = 0; i < Math.min(giants, n); i++) {
        if (labels[i] !== 'fraudster') continue;
        for (let j = n - 1; j >= giants; j--) {
          if (labels[j] === 'compliant') {
            labels[j] = 'fraudster';
            labels[i] = 'compliant';
            break;
          }
        }
      }
    }
    for (let i = 0; i < n; i++) block[i].behaviour = labels[i];
  }
}

function pickHeadings(rng: Rng, table: WeightedTable<HeadingInfo>, n: number): HeadingInfo[] {
  const out: HeadingInfo[] = [];
  for (let tries = 0; out.length < n && tries < n * 6; tries++) {
    const h = table.pick(rng);
    if (!out.includes(h)) out.push(h);
  }
  return out;
}

export function buildPopulation(world: World, cfg: PopulationConfig): Population {
  const seed = world.seed;
  const byCountry = {} as Record<Administration, CountryPopulation>;
  const all: Trader[] = [];
  const fraudTypes = Object.entries(cfg.importFraudTypes).filter(([, w]) => w > 0) as [ImportFraudType, number][];
  const fraudTable = fraudTypes.length ? WeightedTable.of(fraudTypes) : null;

  for (const country of ADMINISTRATIONS) {
    const rng = Rng.derive(seed, `traders:${country}`);
    const share = world.admins[country].share;
    const tins = new Set<string>();
    const make = (role: TraderRole, n: number, prefix: string): Trader[] => {
      const out: Trader[] = [];
      for (let i = 0; i < n; i++) {
        let tin = '';
        do tin = nationalTin(rng, country);
        while (tins.has(tin));
        tins.add(tin);
        out.push({
          id: `${country}-${prefix}-${String(i + 1).padStart(5, '0')}`,
          role,
          country,
          tin,
          name: companyName(rng, country, role),
          behaviour: 'compliant',
          fraudType: null,
          fraudRate: 0,
          volume: Math.min(400, rng.pareto(1, cfg.volumeAlpha)),
          headings: [],
          broker: null,
        });
      }
      return out;
    };
    const count = (perRegion: number, min: number) => Math.max(min, Math.round(perRegion * share));
    const brokers = make('customs_broker', count(cfg.brokersPerRegion, 8), 'BRK');
    const importers = make('importer', count(cfg.importersPerRegion, 60), 'IMP');
    const exporters = make('exporter', count(cfg.exportersPerRegion, 20), 'EXP');
    const transitPrincipals = make('transit_principal', count(cfg.transitPrincipalsPerRegion, 20), 'TRP');

    assignBehaviours(rng, importers, cfg.behaviourShares, fraudTable !== null);
    assignBehaviours(rng, transitPrincipals, cfg.behaviourShares, true);
    assignBehaviours(rng, exporters, cfg.behaviourShares, false);

    const brokerTable = new WeightedTable(brokers, brokers.map((_, i) => 1 / (i + 1)));
    for (const t of importers) {
      if (t.behaviour === 'fraudster') {
        t.fraudType = fraudTable!.pick(rng);
        t.fraudRate = cfg.fraudRate;
      }
      const pool = t.fraudType ? world.fraudHeadings[t.fraudType] : world.importHeadings;
      t.headings = pickHeadings(rng, pool, Math.min(6, 1 + Math.floor(Math.log2(1 + t.volume)) + rng.int(0, 1)));
      t.broker = rng.chance(t.volume > 20 ? 0.35 : 0.1) ? null : brokerTable.pick(rng);
    }
    for (const t of exporters) {
      t.headings = pickHeadings(rng, world.exportHeadings, 1 + rng.int(0, 2));
      t.broker = rng.chance(0.2) ? null : brokerTable.pick(rng);
    }
    for (const t of transitPrincipals) {
      if (t.behaviour === 'fraudster') {
        t.fraudType = 'transit_diversion';
        t.fraudRate = cfg.fraudRate;
      }
      const pool = t.fraudType ? world.fraudHeadings.transit_diversion : world.importHeadings;
      t.headings = pickHeadings(rng, pool, 2 + rng.int(0, 4));
    }

    const table = (ts: Trader[]) => new WeightedTable(ts, ts.map((t) => t.volume));
    byCountry[country] = {
      importers,
      exporters,
      transitPrincipals,
      brokers,
      importerTable: table(importers),
      exporterTable: table(exporters),
      transitTable: table(transitPrincipals),
    };
    all.push(...brokers, ...importers, ...exporters, ...transitPrincipals);
  }

  const foreignCache = new Map<string, ForeignCompany[]>();
  return {
    byCountry,
    all,
    foreign(country: string) {
      let l = foreignCache.get(country);
      if (!l) foreignCache.set(country, (l = foreignCompanies(seed, country, country === 'CN' || country === 'US' ? 300 : 60)));
      return l;
    },
  };
}

/** What traders.jsonl holds for a trader (the truth about it). */
export function traderView(t: Trader) {
  return {
    id: t.id,
    country: t.country,
    role: t.role,
    tin: t.tin,
    name: t.name,
    behaviour: t.behaviour,
    fraudType: t.fraudType,
    fraudRate: t.fraudRate,
    volume: Math.round(t.volume * 1000) / 1000,
    headings: t.headings.map((h) => h.heading),
    brokerTin: t.broker?.tin ?? null,
  };
}
