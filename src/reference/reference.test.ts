import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { buildOffices, officesCsv } from './build-offices.ts';
import { ADMINISTRATIONS, DEFAULT_REFERENCE_DIR, getReferenceData, loadReferenceData, parseLocodeCoordinates } from './index.ts';
import type { OfficeKind } from './index.ts';

const ref = getReferenceData();
const KINDS: OfficeKind[] = ['seaport', 'airport', 'land_border', 'inland'];

describe('HS 2022', () => {
  it('has 5,612 subheadings, 1,228 headings and 96 chapters', () => {
    expect(ref.hsSubheadings()).toHaveLength(5612);
    const count = (digits: number) => {
      let n = 0;
      for (let i = 0; i < 10 ** digits; i++) if (ref.hs(String(i).padStart(digits, '0'))) n++;
      return n;
    };
    expect(count(2)).toBe(96);
    expect(count(4)).toBe(1228);
    expect(ref.hs('77')).toBeUndefined(); // reserved chapter
  });

  it('has no Comtrade artefacts', () => {
    for (const code of ['99', '9999', '999999', 'TOTAL']) expect(ref.hs(code)).toBeUndefined();
    expect(ref.isHsSubheading('999999')).toBe(false);
    expect(ref.hsSubheadings().every((e) => e.section !== 'TOTAL' && e.level === 6 && /^\d{6}$/.test(e.code))).toBe(true);
  });

  it('answers known codes at every level', () => {
    expect(ref.hs('240220')).toEqual({
      code: '240220',
      description: 'Cigarettes; containing tobacco',
      level: 6,
      section: 'IV',
      parent: '2402',
    });
    expect(ref.hs('2402')?.level).toBe(4);
    expect(ref.hs('24')).toMatchObject({ level: 2, parent: '', section: 'IV' });
    expect(ref.isHsSubheading('870323')).toBe(true);
    expect(ref.hs('870323')?.parent).toBe('8703');
    expect(ref.isHsSubheading('8703')).toBe(false);
    expect(ref.isHsSubheading('87')).toBe(false);
    expect(ref.isHsSubheading('87032300')).toBe(false);
    expect(ref.hsSectionName('XVII')).toBe('Vehicles, aircraft, vessels and associated transport equipment');
  });

  it('links every entry to an existing parent in the same section', () => {
    for (const e of ref.hsSubheadings()) {
      const heading = ref.hs(e.parent);
      expect(heading?.level).toBe(4);
      expect(ref.hs(heading!.parent)?.section).toBe(e.section);
    }
  });

  it('gives correct answers for 100,000 random lookups', () => {
    const real = new Set(ref.hsSubheadings().map((e) => e.code));
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 100_000; i++) {
      const code = String(Math.floor(rnd() * 1e6)).padStart(6, '0');
      expect(ref.isHsSubheading(code)).toBe(real.has(code));
    }
  });
});

describe('countries and currencies', () => {
  it('keeps Namibia as the string NA', () => {
    expect(ref.country('NA')).toMatchObject({ alpha2: 'NA', alpha3: 'NAM', name: 'Namibia', numeric: '516' });
    expect(ref.isCountry('NA')).toBe(true);
  });

  it('has Spanish names, padded numeric codes and currencies', () => {
    expect(ref.country('DO')).toMatchObject({ nameEs: 'República Dominicana', alpha3: 'DOM' });
    expect(ref.country('BZ')?.numeric).toBe('084');
    expect(ref.country('SV')?.currencies).toEqual(['SVC', 'USD']);
    expect(ref.country('PA')?.currencies).toEqual(['PAB', 'USD']);
    for (const a of ADMINISTRATIONS) expect(ref.isCountry(a)).toBe(true);
    expect(ref.isCountry('XX')).toBe(false);
    expect(ref.isCountry('gt')).toBe(false);
  });

  it('accepts current currencies only', () => {
    for (const c of ['USD', 'GTQ', 'HNL', 'NIO', 'CRC', 'PAB', 'DOP', 'MXN', 'BZD', 'EUR']) expect(ref.isCurrency(c)).toBe(true);
    expect(ref.currency('GTQ')).toEqual({ code: 'GTQ', name: 'Quetzal', numeric: '320', minorUnit: 2 });
    expect(ref.currency('XAU')?.minorUnit).toBeNull();
    // withdrawn, with no current row
    for (const c of ['HRK', 'VEF', 'CUC', 'NIC', 'MXP']) {
      expect(ref.isCurrency(c)).toBe(false);
      expect(ref.currency(c)).toBeUndefined();
    }
    // ISO 4217 still lists the colón as current, although El Salvador has used USD since 2001
    expect(ref.isCurrency('SVC')).toBe(true);
  });
});

describe('UN/LOCODE', () => {
  it('parses coordinates to decimal degrees', () => {
    expect(parseLocodeCoordinates('1427N 08738W')).toEqual({ lat: 14.45, lon: -87.63333 });
    expect(parseLocodeCoordinates('0734S 07812E')).toEqual({ lat: -7.56667, lon: 78.2 });
    expect(parseLocodeCoordinates('2766N 10000W')).toBeUndefined(); // minutes >= 60
    expect(parseLocodeCoordinates('9130N 01000W')).toBeUndefined(); // latitude > 90
    expect(parseLocodeCoordinates('1000N 18100W')).toBeUndefined(); // longitude > 180
    expect(parseLocodeCoordinates('')).toBeUndefined();
  });

  it('looks up entries of the region', () => {
    expect(ref.locode('HNCMY')).toMatchObject({ country: 'HN', name: 'Comayagua', function: '--34----', iata: 'XPL', lat: 14.45 });
    expect(ref.locode('GTPRQ')).toMatchObject({ name: 'Puerto Quetzal', function: '1-------' });
    expect(ref.locode('GTPRQ')?.lat).toBeUndefined();
    expect(ref.locode('MXAAO')?.lat).toBeUndefined(); // upstream 2766N
    expect(ref.locode('XXXXX')).toBeUndefined();
    expect(ref.subdivisionName('GT', '01')).toBe('Guatemala');
  });

  it('lists crossings', () => {
    const cs = ref.crossings();
    expect(cs).toHaveLength(75);
    expect(cs.filter((c) => c.kind === 'land_border_crossing')).toHaveLength(27);
    expect(cs.find((c) => c.name === 'El Poy')).toMatchObject({ countries: ['SV', 'HN'], unlocodes: ['SVEPY', 'HNEPY'] });
  });
});

describe('customs offices', () => {
  const offices = ref.offices();

  it('gives every administration at least one office of each kind', () => {
    for (const a of ADMINISTRATIONS) {
      for (const kind of KINDS) expect(ref.offices(a).some((o) => o.kind === kind), `${a} ${kind}`).toBe(true);
      expect(ref.offices(a).filter((o) => o.kind === 'inland')).toHaveLength(1);
    }
    expect(ref.offices('MX')).toEqual([]);
    expect(new Set(offices.map((o) => o.country))).toEqual(new Set(ADMINISTRATIONS));
  });

  it('has unique 5-character codes prefixed by the country', () => {
    expect(new Set(offices.map((o) => o.code)).size).toBe(offices.length);
    for (const o of offices) {
      expect(o.code).toMatch(/^[A-Z]{2}[A-Z0-9]{3}$/);
      expect(o.code.slice(0, 2)).toBe(o.country);
      expect(ref.office(o.code)).toBe(o);
      expect(ref.isOffice(o.code)).toBe(true);
    }
  });

  it('uses real UN/LOCODEs, and assigned codes that can never be UN/LOCODEs', () => {
    for (const o of offices) {
      if (o.inUnLocode) {
        expect(ref.locode(o.code), o.code).toBeDefined();
      } else {
        expect(ref.locode(o.code), o.code).toBeUndefined();
        expect(o.kind).toBe('land_border');
        expect(o.code).toMatch(/^[A-Z]{2}0[A-Z]{2}$/); // UN/LOCODE never uses the digits 0 and 1
      }
    }
  });

  it('uses UN/LOCODE functions matching the kind', () => {
    for (const o of offices.filter((x) => x.kind === 'airport')) expect(ref.locode(o.code)!.function[3]).toBe('4');
    for (const o of offices.filter((x) => x.kind === 'seaport')) expect(ref.locode(o.code)!.function[0]).toBe('1');
  });

  it('has one border post per administration side of every land crossing', () => {
    const admins = new Set<string>(ADMINISTRATIONS);
    for (const c of ref.crossings().filter((x) => x.kind === 'land_border_crossing')) {
      const posts = offices.filter((o) => o.crossing?.name === c.name);
      const sides = c.countries.filter((x) => admins.has(x));
      expect(posts.map((o) => o.country).sort(), c.name).toEqual([...sides].sort());
      for (const o of posts) {
        expect(o.crossing!.neighbour).toBe(c.countries.find((x) => x !== o.country));
        expect(o).toMatchObject({ lat: c.lat, lon: c.lon });
      }
    }
    expect(ref.office('GTCTU')?.crossing).toEqual({ name: 'Tecún Umán / Ciudad Hidalgo', neighbour: 'MX' });
    expect(ref.office('SV0HA')).toMatchObject({ name: 'La Hachadura', inUnLocode: false, crossing: { neighbour: 'GT' } });
  });

  it('is reproducible from the generator', () => {
    const file = readFileSync(path.join(DEFAULT_REFERENCE_DIR, 'offices.csv'), 'utf8');
    expect(officesCsv(buildOffices(DEFAULT_REFERENCE_DIR))).toBe(file);
  });
});

describe('loading', () => {
  it('caches a singleton and can load another directory', () => {
    expect(getReferenceData()).toBe(ref);
    expect(() => loadReferenceData('/nonexistent')).toThrow();
  });
});
