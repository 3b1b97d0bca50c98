/**
 * AEO status across the region (issue 11 point 5, issue 12's foundation): three nodes (GT, SV, HN)
 * on the in-process bus and on the real NATS server. GT certifies a trader: SV and HN see it as
 * GT's certification; GT suspends it: they see the suspension. A node speaking about another
 * administration's AEO is refused and dead-lettered with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import type { Principal } from '../src/modules/access/types.ts';
import { regionTransports, startRegion, type Region, type RegionNode } from './exchange-harness.ts';

const TIN = '4455667-8';
const analyst = (country: string): Principal => ({ kind: 'user', id: `00000000-0000-7000-8000-0000000000${country === 'GT' ? '01' : '02'}`, name: `ana.${country.toLowerCase()}`, role: 'risk_analyst', country });

describe.each(regionTransports())('AEO status between three nodes over %s', (transport) => {
  let region: Region;
  let gt: RegionNode, sv: RegionNode, hn: RegionNode;
  const clock = new FixedClock('2026-06-15T12:00:00Z');

  beforeAll(async () => {
    region = await startRegion({
      transport,
      clock,
      nodes: [
        { name: 'gt', administrations: ['GT'] },
        { name: 'sv', administrations: ['SV'] },
        { name: 'hn', administrations: ['HN'] },
      ],
    });
    gt = region.node('gt');
    sv = region.node('sv');
    hn = region.node('hn');
  }, 90_000);
  afterAll(() => region?.close(), 60_000);

  const seenIn = async (n: RegionNode, cc: string) => (await n.services.traders.aeo(analyst(cc), cc, TIN)).partners;

  it('GT certifies a trader: SV and HN recognise it as GT\'s certification', async () => {
    const r = await gt.services.traders.setAeo(analyst('GT'), 'GT', TIN, { programme: 'OEA-GT', status: 'certified', since: '2026-06-01T00:00:00Z', until: '2029-06-01T00:00:00Z', reason: 'SAFE criteria validated', name: 'Importadora Maya S.A.' });
    expect(r.exchange?.id).toBeTruthy();
    expect(r.exchange?.recipients).toEqual(expect.arrayContaining(['SV', 'HN']));
    await region.settle();
    for (const [n, cc] of [[sv, 'SV'], [hn, 'HN']] as const) {
      const p = await seenIn(n, cc);
      expect(p).toHaveLength(1);
      expect(p[0]).toMatchObject({ administration: 'GT', tin: TIN, programme: 'OEA-GT', status: 'certified', inForce: true, revision: 1, source: 'partner', name: 'Importadora Maya S.A.' });
      expect((await n.services.traders.aeo(analyst(cc), cc, TIN)).here).toBeNull();
    }
    // GT sees each partner apply it
    const d = await gt.services.exchange.deliveries({ sender: 'GT', messageId: r.exchange!.id!, kind: 'aeo.status' });
    expect(d.filter((x) => ['SV', 'HN'].includes(x.recipient)).map((x) => [x.recipient, x.state]).sort()).toEqual([
      ['HN', 'applied'],
      ['SV', 'applied'],
    ]);
  });

  it('GT suspends it: SV and HN see the suspension', async () => {
    await gt.services.traders.setAeo(analyst('GT'), 'GT', TIN, { programme: 'OEA-GT', status: 'suspended', since: '2026-06-15T00:00:00Z', reason: 'seizure under investigation' });
    await region.settle();
    for (const [n, cc] of [[sv, 'SV'], [hn, 'HN']] as const) {
      const p = await seenIn(n, cc);
      expect(p[0]).toMatchObject({ administration: 'GT', status: 'suspended', inForce: false, revision: 2, reason: 'seizure under investigation' });
    }
  });

  it("refuses a node speaking about another administration's AEO status (dead-lettered with the reason)", async () => {
    // HN's node sends, as HN, a status whose administration is GT
    const forged = { administration: 'GT', tin: TIN, name: null, programme: 'OEA-GT', status: 'revoked', since: '2026-06-15T00:00:00Z', until: null, reason: 'forged', revision: 9, changedAt: '2026-06-15T12:00:00.000Z' };
    await hn.db.transaction((tx) => hn.services.exchange.enqueue(tx, { sender: 'HN', recipients: ['SV'], kind: 'aeo.status', payload: forged }));
    await region.settle();
    const dead = await sv.services.exchange.deadLetters({ recipients: ['SV'] });
    expect(dead.some((x) => /its own administration|AEO status in GT/.test(JSON.stringify(x)))).toBe(true);
    expect((await seenIn(sv, 'SV'))[0]).toMatchObject({ status: 'suspended', revision: 2 });
  });
});
