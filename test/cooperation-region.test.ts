/**
 * Regional risk cooperation between three nodes (GT, SV, HN), each with its own database, over the
 * in-process bus and over the real NATS server (CENTINELA_TEST_NATS_URL, streams under a unique
 * prefix deleted at the end): a RIF from HN accepted by GT (a criterion awaiting a second person,
 * which once approved selects a matching declaration) and declined by SV, HN seeing both answers;
 * a common criterion adopted by two of three and declined by one, hit rates flowing back; the
 * demo's cooperation scenario.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/core/ids.ts';
import { SYSTEM_PRINCIPAL, type Principal, type Role } from '../src/modules/access/types.ts';
import { playCooperationScenario } from '../src/demo/region-cooperation.ts';
import { FixedClock, regionTransports, startRegion, TEST_NATS_URL, type Region } from './exchange-harness.ts';
import { mutate, validDeclaration } from './fixtures.ts';

const person = (name: string, role: Role, country: string): Principal => ({ kind: 'user', id: uuidv7(), name, role, country });

// on the real NATS server when there is one (the single-node suite, cooperation-service.test.ts, runs the in-process bus)
const transports = TEST_NATS_URL ? (['nats'] as const) : regionTransports();

describe.each(transports)('cooperation between three nodes over %s', (transport) => {
  let region: Region;
  const clock = new FixedClock('2026-06-15T12:00:00Z');
  const hn = person('hn.ana', 'risk_analyst', 'HN');
  const gt = person('gt.gabriel', 'risk_analyst', 'GT');
  const gt2 = person('gt.gloria', 'risk_analyst', 'GT');
  const sv = person('sv.sofia', 'risk_analyst', 'SV');
  const sv2 = person('sv.samuel', 'supervisor', 'SV');
  const regional = person('reg.rosa', 'regional_analyst', 'HN');
  const TIN = '4455667-8';

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
  }, 60_000);
  afterAll(async () => {
    await region?.close();
  });

  const coop = (name: string) => region.node(name).services.cooperation;

  it('a RIF from HN: GT accepts it (pending a second person; once approved it selects the matching declaration), SV declines it; HN sees both', async () => {
    const sent = await coop('hn').sendRif(hn, {
      title: 'Undervalued phones through Puerto Quetzal',
      riskType: 'revenue',
      subject: { traderTins: [TIN], plates: [], containers: [], route: { dispatch: ['CN'], destination: [], offices: [] }, goods: { hsCodes: ['8517'] } },
      indicators: { text: 'Unit values 40% under the reference price', items: [] },
      recommendedAction: 'inspect',
      validTo: '2026-09-15T00:00:00Z',
      handling: 'customs_only',
      feedbackRequested: true,
      recipients: ['GT', 'SV'],
    });
    await region.settle();
    // GT's node holds GT's copy, not HN's
    expect(await coop('gt').listRifs(gt, { box: 'inbox', limit: 10 })).toHaveLength(1);
    expect(await coop('gt').listRifs(gt, { box: 'outbox', limit: 10 })).toHaveLength(0);
    const accepted = await coop('gt').acceptRif(gt, sent.id, {});
    expect(accepted.criterion?.status).toBe('awaiting_approval');
    await expect(region.node('gt').services.risk.approveCriterion(gt, accepted.criterionId!)).rejects.toMatchObject({ status: 403 });
    await coop('sv').declineRif(sv, sent.id, 'No traffic with this consignee');
    await region.settle();

    const out = await coop('hn').getRif(hn, sent.id);
    expect(out.partners.map((p) => [p.administration, p.delivery, p.decision, p.reason])).toEqual([
      ['GT', 'applied', 'accepted', null],
      ['SV', 'applied', 'declined', 'No traffic with this consignee'],
    ]);

    // before approval the criterion does not run; after it, the matching declaration goes red for it
    const gtNode = region.node('gt').services;
    const before = await gtNode.intake.submitDeclaration(validDeclaration('GT-REG-RIF-0'), SYSTEM_PRINCIPAL('GT'));
    expect(JSON.stringify(before.assessment.reasons)).not.toContain(sent.reference);
    await gtNode.risk.approveCriterion(gt2, accepted.criterionId!);
    clock.advance(60_000);
    const hit = await gtNode.intake.submitDeclaration(validDeclaration('GT-REG-RIF-1'), SYSTEM_PRINCIPAL('GT'));
    expect(hit.assessment.channel).toBe('red');
    expect(JSON.stringify(hit.assessment.reasons)).toContain(sent.reference);
    const miss = await gtNode.intake.submitDeclaration(mutate(validDeclaration('GT-REG-RIF-2'), (d) => (d.importer.tin = '1231231-2')), SYSTEM_PRINCIPAL('GT'));
    expect(JSON.stringify(miss.assessment.reasons)).not.toContain(sent.reference);
  });

  it('a common criterion adopted by GT and SV and declined by HN; the hit rates of GT and SV flow back to the group', async () => {
    const p = await coop('hn').proposeCriterion(regional, {
      name: 'Phones from CN',
      rationale: 'Smartphones under-declared across the customs union',
      expression: 'decl.items.exists(i, i.hsCode.startsWith("851713") && i.origin == "CN")',
      scope: { types: ['IM'], stages: ['declaration'] },
      weight: 30,
      forcedChannel: null,
      validTo: null,
      recipients: ['GT', 'SV', 'HN'],
    });
    await region.settle();
    const g = await coop('gt').adoptProposal(gt, p.id, {});
    const s = await coop('sv').adoptProposal(sv, p.id, {});
    await coop('hn').declineProposal(person('hn.hugo', 'risk_analyst', 'HN'), p.id, 'Covered by national profile P-17');
    await region.node('gt').services.risk.approveCriterion(gt2, g.criterionId!);
    await region.node('sv').services.risk.approveCriterion(sv2, s.criterionId!);
    clock.advance(3_600_000);
    await region.node('gt').services.intake.submitDeclaration(validDeclaration('GT-REG-RCC-1'), SYSTEM_PRINCIPAL('GT'));
    await region.node('gt').services.intake.submitDeclaration(mutate(validDeclaration('GT-REG-RCC-2'), (d) => ((d.importer.tin = '1231231-2'), (d.items = [d.items[1]]), (d.items[0].line = 1))), SYSTEM_PRINCIPAL('GT'));
    clock.advance(60_000);
    expect(await coop('gt').reportHits(gt, p.id)).toMatchObject({ evaluated: 2, hits: 1 });
    expect(await coop('sv').reportHits(sv, p.id)).toMatchObject({ evaluated: 0, hits: 0 });
    // HN declined: it has nothing to report
    await expect(coop('hn').reportHits(person('hn.hugo', 'risk_analyst', 'HN'), p.id)).rejects.toMatchObject({ status: 409 });
    await region.settle();
    const group = await coop('hn').getProposal(regional, p.id, undefined, 'outbox');
    expect(group.members.map((m) => [m.administration, m.decision, m.totals?.evaluated ?? null, m.totals?.hits ?? null])).toEqual([
      ['GT', 'adopted', 2, 1],
      ['SV', 'adopted', 0, 0],
      ['HN', 'declined', null, null],
    ]);
    expect(group.members[0].totals?.hitRate).toBe(0.5);
  });

  it('HN dead-letters an answer GT signs for SV and an answer to a RIF HN never sent, with the reason; nothing applied', async () => {
    const gtNode = region.node('gt');
    const [ours] = await coop('hn').listRifs(hn, { box: 'outbox', limit: 1 });
    const answer = (rifId: string, administration: string) => ({ rifId, administration, decision: 'declined', reason: 'forged', criterion: null, answeredAt: clock.now().toISOString() });
    const a = await gtNode.db.transaction((tx) => gtNode.exchange.enqueue(tx, { sender: 'GT', recipients: ['HN'], kind: 'rif.answered', payload: answer(ours.id, 'SV') }));
    const b = await gtNode.db.transaction((tx) => gtNode.exchange.enqueue(tx, { sender: 'GT', recipients: ['HN'], kind: 'rif.answered', payload: answer(uuidv7(), 'GT') }));
    await region.settle();
    const states = await gtNode.exchange.deliveries({ sender: 'GT', kind: 'rif.answered', limit: 10 });
    expect(states.find((d) => d.messageId === a.id)).toMatchObject({ state: 'refused', reason: expect.stringMatching(/speaking for SV/) });
    expect(states.find((d) => d.messageId === b.id)).toMatchObject({ state: 'refused', reason: expect.stringMatching(/never sent/) });
    const dead = await region.node('hn').exchange.deadLetters({ recipients: ['HN'] });
    expect(dead.length).toBeGreaterThanOrEqual(2);
    // GT's real answer stands
    expect((await coop('hn').getRif(hn, ours.id)).partners.find((p) => p.administration === 'GT')?.decision).toBe('accepted');
  });

  it("the demo's cooperation scenario: a RIF from HN adopted by GT, a common criterion adopted by two of three", async () => {
    const n = (name: string) => ({ services: region.node(name).services });
    const r = await playCooperationScenario({ GT: n('gt'), SV: n('sv'), HN: n('hn') }, { now: clock.now(), timeoutMs: 30_000 });
    expect(r.rif.gtCriterionStatus).toBe('active');
    expect(r.proposal.answers).toEqual({ GT: 'adopted', SV: 'adopted', HN: 'declined' });
    expect(r.proposal.criteria).toEqual({ GT: 'active', SV: 'active' });
  }, 60_000);
});
