import { describe, expect, it } from 'vitest';
import { buildTimeline, TraderTimeline } from './history.ts';
import { traderTinOf } from './identity.ts';

describe('a trader timeline', () => {
  it('counts events strictly before the time asked', () => {
    const t = new TraderTimeline();
    t.declaration('importer', 'T1', 100);
    t.control('importer', 'T1', 150);
    t.seizure('importer', 'T1', 300);
    expect(t.get('importer', 'T1', 150)).toEqual({ declarations: 1, controls: 0, hits: 0, seizures: 0, firstSeen: 100 });
    expect(t.get('importer', 'T1', 301)).toEqual({ declarations: 1, controls: 1, hits: 0, seizures: 1, firstSeen: 100 });
    expect(t.get('importer', null, 301).declarations).toBe(0);
    expect(Number.isNaN(t.get('importer', 'T2', 301).firstSeen)).toBe(true);
  });

  it("attributes controls and results to their declaration's trader and declarant, and ignores unknown declarations", () => {
    const t = buildTimeline(
      [{ id: 'd1', trader: 'IMP', declarant: 'BRK', at: 10 }],
      [{ declarationId: 'd1', at: 20 }, { declarationId: 'dx', at: 20 }],
      [{ declarationId: 'd1', at: 30, hit: true, seized: false }, { declarationId: 'd1', at: 40, hit: false, seized: true }],
    );
    expect(t.get('importer', 'IMP', 50)).toMatchObject({ declarations: 1, controls: 1, hits: 1, seizures: 1 });
    expect(t.get('declarant', 'BRK', 35)).toMatchObject({ declarations: 1, controls: 1, hits: 1, seizures: 0 });
  });

  it('names the trader of a declaration: importer, exporter, else the declarant', () => {
    const declarant = { tin: 'BRK' };
    expect(traderTinOf({ type: 'IM', declarant, importer: { tin: 'IMP' } })).toBe('IMP');
    expect(traderTinOf({ type: 'IM', declarant })).toBe('BRK');
    expect(traderTinOf({ type: 'EX', declarant, exporter: { tin: 'EXP' } })).toBe('EXP');
    expect(traderTinOf({ type: 'TR', declarant, importer: { tin: 'IMP' } })).toBe('BRK');
  });
});
