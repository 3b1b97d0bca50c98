/**
 * Regional risk cooperation on one node serving GT, SV and HN (the demo's shape): every message
 * still goes outbox → in-process transport → inbox, signed and verified. RIFs accepted and
 * declined, common criteria adopted / adapted / declined with hit rates flowing back, seizures
 * shared under the sender's sharing rules (officer's name redacted) and turned into a watch
 * criterion; and the handlers refusing what makes no sense (dead letters), applying twice safely.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { ValidationError } from '../src/core/errors.ts';
import { uuidv7 } from '../src/core/ids.ts';
import type { Database } from '../src/db/client.ts';
import { describeEachDb, openTestDb } from '../src/db/testing.ts';
import { buildServices, type Services } from '../src/app/services.ts';
import { SYSTEM_PRINCIPAL, type Principal, type Role } from '../src/modules/access/types.ts';
import type { Envelope } from '../src/modules/exchange/contract.ts';
import { rifAnsweredV1, type CriterionHitsPayload, type RifAnsweredPayload, type RifSentPayload } from '../src/modules/cooperation/payloads.ts';
import { subjectExpression } from '../src/modules/cooperation/rif-criterion.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { mutate, validDeclaration } from './fixtures.ts';

const person = (name: string, role: Role, country: string): Principal => ({ kind: 'user', id: uuidv7(), name, role, country });

async function settle(s: Services, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    let pending = 0;
    for (const a of s.exchange.local) pending += (await s.exchange.deliveries({ sender: a, limit: 1000 })).filter((d) => d.state === 'queued' || d.state === 'sent').length;
    if (!pending) return;
    if (Date.now() > end) throw new Error(`exchange did not settle: ${pending} deliveries pending`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function envelope<P>(kind: Envelope['kind'], sender: string, recipients: string[], payload: P): Envelope<P> {
  return { id: uuidv7(), sender, recipients, kind, schemaVersion: 1, sentAt: new Date().toISOString(), subject: null, payload, keyId: 'test', signature: 'test' };
}

describeEachDb('cooperation on one node (GT, SV, HN), on %s', (kind) => {
  let database: Database;
  let s: Services;
  const clock = new FixedClock('2026-06-15T12:00:00Z');
  const hn = person('hn.ana', 'risk_analyst', 'HN');
  const gt = person('gt.gabriel', 'risk_analyst', 'GT');
  const gt2 = person('gt.gloria', 'risk_analyst', 'GT');
  const gtSup = person('gt.sara', 'supervisor', 'GT');
  const sv = person('sv.sofia', 'risk_analyst', 'SV');
  const sv2 = person('sv.samuel', 'risk_analyst', 'SV');
  const regional = person('reg.rosa', 'regional_analyst', 'GT');
  const TIN = '4455667-8';

  beforeAll(async () => {
    database = await openTestDb(kind);
    s = buildServices({ db: database.db, ref: getReferenceData(), clock, config: { randomControlRate: 0, administrations: ['GT', 'SV', 'HN'] } });
    await s.exchange.start();
  });
  afterAll(async () => {
    await s?.exchange.stop();
    await database?.close();
  });

  let rifId = '';

  it('a RIF from HN to GT and SV: GT accepts it (a criterion awaiting a second person), SV declines it; HN sees both answers', async () => {
    const sent = await s.cooperation.sendRif(hn, {
      title: 'Undervalued phones through Puerto Quetzal',
      riskType: 'revenue',
      subject: { traderTins: [TIN], plates: [], containers: [], route: { dispatch: ['CN'], destination: [], offices: [] }, goods: { hsCodes: ['8517'], description: 'smartphones' } },
      indicators: { text: 'Declared unit values 40% under the reference price; same consignee as a seizure in HN', items: [{ kind: 'undervaluation', value: 'unit value < 40% of reference' }] },
      recommendedAction: 'inspect',
      validTo: '2026-09-15T00:00:00Z',
      handling: 'customs_only',
      feedbackRequested: true,
      contact: 'Unidad de riesgo DARA',
      recipients: ['GT', 'SV'],
    });
    rifId = sent.id;
    expect(sent.reference).toMatch(/^RIF-HN-20260615-[0-9A-F]{6}$/);
    expect(sent.partners.map((p) => p.administration)).toEqual(['GT', 'SV']);
    await settle(s);

    const inbox = await s.cooperation.listRifs(gt, { box: 'inbox', limit: 10 });
    expect(inbox.map((r) => r.id)).toEqual([rifId]);
    const detail = await s.cooperation.getRif(gt, rifId);
    expect(detail.status).toBe('received');
    expect(detail.draft?.expression).toBe(subjectExpression(detail.subject));
    expect(detail.draft?.forcedChannel).toBe('red');
    // what HN holds is not GT's: a GT analyst cannot read HN's copy by asking for HN
    await expect(s.cooperation.getRif(gt, rifId, 'HN')).rejects.toMatchObject({ status: 404 });

    const accepted = await s.cooperation.acceptRif(gt, rifId, { note: 'will run at the ports' });
    expect(accepted.status).toBe('accepted');
    expect(accepted.criterion?.status).toBe('awaiting_approval');
    expect(accepted.criterion?.validTo).toBe('2026-09-15T00:00:00.000Z');
    await expect(s.cooperation.acceptRif(gt, rifId, {})).rejects.toMatchObject({ status: 409 });
    // four eyes: the analyst who accepted it cannot approve it
    await expect(s.risk.approveCriterion(gt, accepted.criterionId!)).rejects.toMatchObject({ status: 403 });

    const declined = await s.cooperation.declineRif(sv, rifId, 'We have no traffic with this consignee');
    expect(declined.status).toBe('declined');
    await settle(s);

    const out = await s.cooperation.getRif(hn, rifId);
    expect(out.partners).toEqual([
      expect.objectContaining({ administration: 'GT', delivery: 'applied', decision: 'accepted', criterionStatus: 'awaiting_approval' }),
      expect.objectContaining({ administration: 'SV', delivery: 'applied', decision: 'declined', reason: 'We have no traffic with this consignee' }),
    ]);
  });

  it('approved by a second GT analyst, the RIF criterion selects a matching GT declaration for inspection, and only that one', async () => {
    const rif = await s.cooperation.getRif(gt, rifId);
    const approved = await s.risk.approveCriterion(gt2, rif.criterionId!);
    expect(approved.status).toBe('active');
    // the sender learns that its alert is now in force at GT (feedback), once
    expect(await s.cooperation.reportRifFeedback()).toBe(1);
    expect(await s.cooperation.reportRifFeedback()).toBe(0);
    await settle(s);
    expect((await s.cooperation.getRif(hn, rifId)).partners.find((p) => p.administration === 'GT')?.criterionStatus).toBe('active');
    clock.advance(3_600_000);
    const hit = await s.intake.submitDeclaration(validDeclaration('GT-COOP-RIF-1'), SYSTEM_PRINCIPAL('GT'));
    expect(hit.assessment.channel).toBe('red');
    expect(JSON.stringify(hit.assessment.reasons)).toContain(rif.reference);
    const other = await s.intake.submitDeclaration(mutate(validDeclaration('GT-COOP-RIF-2'), (d) => (d.importer.tin = '9999999-1')), SYSTEM_PRINCIPAL('GT'));
    expect(JSON.stringify(other.assessment.reasons)).not.toContain(rif.reference);
  });

  let proposalId = '';

  it('a common criterion proposed to GT, SV and HN: GT adopts, SV adapts its scope, HN declines; the group sees each answer', async () => {
    const p = await s.cooperation.proposeCriterion(regional, {
      name: 'Phones from CN declared by weight',
      rationale: 'Smartphones under-declared by net mass across the customs union',
      expression: 'decl.items.exists(i, i.hsCode.startsWith("851713") && i.origin == "CN")',
      scope: { types: ['IM'], stages: ['declaration'] },
      weight: 35,
      forcedChannel: null,
      validTo: null,
      recipients: ['GT', 'SV', 'HN'],
    });
    proposalId = p.id;
    await settle(s);
    expect((await s.cooperation.listProposals(sv, { box: 'inbox', limit: 10 })).map((x) => x.id)).toEqual([proposalId]);
    expect((await s.cooperation.listProposals(gt, { box: 'inbox', limit: 10 })).map((x) => x.id)).toEqual([proposalId]);
    const gtAdopt = await s.cooperation.adoptProposal(gt, proposalId, {});
    expect(gtAdopt.status).toBe('adopted');
    expect(gtAdopt.criterion?.status).toBe('awaiting_approval');
    await expect(s.cooperation.adoptProposal(sv, proposalId, { scope: { offices: ['SVAQJ'], types: ['IM'], stages: ['declaration'] } })).rejects.toMatchObject({ status: 400 });
    const svAdapt = await s.cooperation.adoptProposal(sv, proposalId, { scope: { offices: ['SVAQJ'], types: ['IM'], stages: ['declaration'] }, reason: 'Only Acajutla sees this traffic' });
    expect(svAdapt.status).toBe('adapted');
    await s.cooperation.declineProposal(person('hn.hugo', 'risk_analyst', 'HN'), proposalId, 'Covered by our national profile P-17');
    await settle(s);
    const group = await s.cooperation.getProposal(regional, proposalId, undefined, 'outbox');
    expect(group.members.map((m) => [m.administration, m.decision, m.delivery])).toEqual([
      ['GT', 'adopted', 'applied'],
      ['SV', 'adapted', 'applied'],
      ['HN', 'declined', 'applied'],
    ]);
    expect(group.members[1].scope?.offices).toEqual(['SVAQJ']);
    expect(group.members[2].reason).toBe('Covered by our national profile P-17');
  });

  it('hit rates of the adopted criterion flow back to the group: evaluated, hits, controls with findings', async () => {
    const gtRow = await s.cooperation.getProposal(gt, proposalId);
    await s.risk.approveCriterion(gt2, gtRow.criterionId!);
    clock.advance(3_600_000);
    const d1 = await s.intake.submitDeclaration(validDeclaration('GT-COOP-RCC-1'), SYSTEM_PRINCIPAL('GT'));
    await s.intake.submitDeclaration(mutate(validDeclaration('GT-COOP-RCC-2'), (d) => ((d.importer.tin = '1111111-1'), (d.items = [d.items[1]]), (d.items[0].line = 1))), SYSTEM_PRINCIPAL('GT'));
    // the control of the first (red: the RIF criterion) finds a discrepancy and seizes the goods
    const control = (await s.risk.declarationRisk(SYSTEM_PRINCIPAL('GT'), d1.id)).controls[0];
    await s.risk.recordResult(gtSup, control.id, { outcome: 'discrepancy', discrepancies: [{ kind: 'value', note: 'invoice at 40% of the market price' }], extraDutiesAssessed: 5000, extraTaxesAssessed: 0, currency: 'USD', goodsSeized: true, seizureDescription: '500 smartphones without import permit' });
    clock.advance(60_000);
    const report = await s.cooperation.reportHits(gt, proposalId);
    expect(report).toMatchObject({ evaluated: 2, hits: 1, controls: 1, controlsWithFindings: 1, criterionStatus: 'active' });
    // nothing new to report right away: the period is empty
    await expect(s.cooperation.reportHits(gt, proposalId)).rejects.toMatchObject({ status: 400 });
    await settle(s);
    const group = await s.cooperation.getProposal(regional, proposalId, undefined, 'outbox');
    const gtMember = group.members.find((m) => m.administration === 'GT')!;
    expect(gtMember.totals).toMatchObject({ evaluated: 2, hits: 1, hitRate: 0.5, controls: 1, controlsWithFindings: 1 });
    expect(group.members.find((m) => m.administration === 'HN')!.totals).toBeNull();
  });

  it('a seizure shared by GT reaches SV with the officer\'s name removed by GT\'s sharing rules; SV makes a watch criterion of it', async () => {
    await database.db.transaction((tx) =>
      s.exchange.saveRules(tx, 'GT', { rules: [{ kind: 'seizure.reported', partners: ['SV', 'HN'], redact: ['officer'] }, { kind: '*', partners: ['*'], redact: [] }] }, 'officers stay home', 'test'),
    );
    const decl = (await s.risk.queue(gtSup, { status: 'done' }))[0];
    const shared = await s.cooperation.shareControl(gtSup, { controlId: decl.id, kind: 'seizure', recipients: ['SV'], comment: 'Same importer as RIF from HN' });
    expect(shared.redacted).toEqual(['officer']);
    expect(shared.report.officer).toBe('gt.sara');
    await expect(s.cooperation.shareControl(gtSup, { controlId: decl.id, kind: 'seizure', recipients: ['SV'] })).rejects.toMatchObject({ status: 409 });
    await settle(s);
    const [got] = await s.cooperation.listIntel(sv, { box: 'inbox', limit: 10 });
    expect(got).toMatchObject({ sender: 'GT', kind: 'seizure', office: 'GTPRQ' });
    expect(got.report.officer).toBeUndefined();
    expect(got.report.seizureDescription).toBe('500 smartphones without import permit');
    const detail = await s.cooperation.getIntel(sv, got.id);
    expect(detail.draft?.expression).toContain(TIN);
    const watched = await s.cooperation.watchFromIntel(sv, got.id, { validTo: '2026-12-31T00:00:00Z' });
    expect(watched.criterion?.status).toBe('awaiting_approval');
    expect((await s.risk.approveCriterion(sv2, watched.watchCriterionId!)).status).toBe('active');
  });

  it('refuses what makes no sense (an answer to a RIF never sent, an answer for another administration, hit rates of a declined criterion) and applies twice safely', async () => {
    const db = database.db;
    const answer = (over: Partial<RifAnsweredPayload>): RifAnsweredPayload => rifAnsweredV1.parse({ rifId, administration: 'GT', decision: 'declined', reason: 'changed our mind', criterion: null, answeredAt: clock.now().toISOString(), ...over });
    // an answer to a RIF HN never sent
    await expect(db.transaction((tx) => s.cooperation.applyRifAnswered(tx, envelope('rif.answered', 'GT', ['HN'], answer({ rifId: uuidv7() })), 'HN'))).rejects.toBeInstanceOf(ValidationError);
    // GT answering for SV
    await expect(db.transaction((tx) => s.cooperation.applyRifAnswered(tx, envelope('rif.answered', 'GT', ['HN'], answer({ administration: 'SV' })), 'HN'))).rejects.toThrow(/speaking for SV/);
    // an answer from an administration the RIF was not sent to
    await expect(db.transaction((tx) => s.cooperation.applyRifAnswered(tx, envelope('rif.answered', 'NI', ['HN'], answer({ administration: 'NI' })), 'HN'))).rejects.toThrow(/not sent to NI/);
    // hit rates from HN, which declined
    const hits: CriterionHitsPayload = { proposalId, administration: 'HN', periodFrom: '2026-06-14T00:00:00Z', periodTo: '2026-06-15T00:00:00Z', evaluated: 3, hits: 1, controls: 0, controlsWithFindings: 0, criterionStatus: 'active', reportedAt: '2026-06-15T00:00:00Z' };
    await expect(db.transaction((tx) => s.cooperation.applyCriterionHits(tx, envelope('criterion.hits', 'HN', ['GT'], hits), 'GT'))).rejects.toThrow(/did not adopt/);
    // a RIF applied twice (another message id, same RIF): one copy
    const rif: RifSentPayload = {
      rifId: uuidv7(), reference: 'RIF-SV-20260615-ABCDEF', administration: 'SV', title: 'Cigarettes in transit', riskType: 'revenue',
      subject: { traderTins: [], plates: ['C 123-ABC'], containers: [], route: { dispatch: [], destination: [], offices: [] }, goods: { hsCodes: ['2402'] } },
      indicators: { text: 'Plates seen at two borders the same day', items: [] }, recommendedAction: 'scan', validFrom: '2026-06-15T00:00:00Z', validTo: '2026-07-15T00:00:00Z', handling: 'customs_only', feedbackRequested: false,
    };
    await db.transaction((tx) => s.cooperation.applyRifSent(tx, envelope('rif.sent', 'SV', ['GT'], rif), 'GT'));
    await db.transaction((tx) => s.cooperation.applyRifSent(tx, envelope('rif.sent', 'SV', ['GT'], rif), 'GT'));
    expect((await s.cooperation.listRifs(gt, { box: 'inbox', limit: 50 })).filter((r) => r.id === rif.rifId)).toHaveLength(1);
    // a RIF whose issuer is not its sender
    await expect(db.transaction((tx) => s.cooperation.applyRifSent(tx, envelope('rif.sent', 'HN', ['GT'], { ...rif, rifId: uuidv7() }), 'GT'))).rejects.toBeInstanceOf(ValidationError);
    // the plate is matched with and without its spaces and dashes
    const draft = (await s.cooperation.getRif(gt, rif.rifId)).draft!;
    expect(draft.expression).toContain('"C 123-ABC", "C123ABC"');
    expect(s.risk.check(draft.expression!, 'declaration')).toEqual({ ok: true });
  });

  it('through the real inbox: a forged answer is dead-lettered with the reason, never applied', async () => {
    // SV's node signs an answer to a RIF it was never sent (HN sent it to GT only... SV declined one HN did send: use a fresh id)
    await database.db.transaction((tx) => s.exchange.enqueue(tx, { sender: 'SV', recipients: ['HN'], kind: 'rif.answered', payload: { rifId: uuidv7(), administration: 'SV', decision: 'declined', reason: 'never got it', criterion: null, answeredAt: clock.now().toISOString() } }));
    await settle(s);
    const refused = (await s.exchange.deliveries({ sender: 'SV', kind: 'rif.answered', limit: 10 })).find((d) => d.state === 'refused');
    expect(refused?.reason).toMatch(/never sent risk information form/);
  });
});
