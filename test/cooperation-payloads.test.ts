/**
 * The cooperation payload schemas (version 1) and the criterion a RIF proposes: what parses, what
 * is refused naming the field, a redacted payload still parsing, and the expressions built from a
 * subject type-checking in the criteria language.
 */
import { describe, expect, it } from 'vitest';
import { checkExpression } from '../src/modules/risk/cel.ts';
import { controlReportV1, criterionHitsV1, rifAnsweredV1, rifSentV1, rifSubject } from '../src/modules/cooperation/payloads.ts';
import { actionEffect, reportSubject, rifCriterionDraft, subjectExpression } from '../src/modules/cooperation/rif-criterion.ts';
import { rifInput } from '../src/modules/cooperation/schema.ts';

const rif = {
  rifId: '01900000-0000-7000-8000-000000000001',
  reference: 'RIF-HN-20260615-ABCDEF',
  administration: 'HN',
  title: 'Cigarettes behind furniture',
  riskType: 'revenue',
  subject: { traderTins: ['0801-1999-00123'], containers: ['MSCU1234565'], goods: { hsCodes: ['9403'] } },
  indicators: { text: 'double bottom in wooden furniture' },
  recommendedAction: 'inspect',
  validFrom: '2026-06-15T00:00:00Z',
  validTo: '2026-09-15T00:00:00Z',
  handling: 'customs_only',
  feedbackRequested: true,
  contact: 'DARA risk unit',
  issuedBy: 'hn.ana',
};

const paths = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) => (r.error?.issues ?? []).map((i) => i.path.join('.'));

describe('cooperation payloads', () => {
  it('a RIF parses, also with its contact and issuer removed by the sender\'s sharing rules', () => {
    expect(rifSentV1.safeParse(rif).success).toBe(true);
    const { contact: _c, issuedBy: _i, ...redacted } = rif;
    expect(rifSentV1.safeParse(redacted).success).toBe(true);
  });

  it('refuses a RIF without a subject, with a malformed container or an unknown action, naming the field', () => {
    expect(paths(rifSentV1.safeParse({ ...rif, subject: {} }))).toEqual(['subject']);
    expect(paths(rifSentV1.safeParse({ ...rif, subject: { containers: ['NOT-A-BOX'] } }))).toEqual(['subject.containers.0']);
    expect(paths(rifSentV1.safeParse({ ...rif, recommendedAction: 'shoot' }))).toEqual(['recommendedAction']);
    expect(paths(rifSentV1.safeParse({ ...rif, administration: 'MX' }))).toEqual(['administration']);
    expect(paths(rifSentV1.safeParse({ ...rif, extra: 1 }))).toEqual(['']);
  });

  it('refuses control characters in what people read', () => {
    expect(paths(rifSentV1.safeParse({ ...rif, indicators: { text: 'bad\u0007bell here' } }))).toEqual(['indicators.text']);
  });

  it('a compose request names each field at fault', () => {
    const compose = { title: rif.title, riskType: 'revenue', subject: rif.subject, indicators: rif.indicators, recommendedAction: 'scan', validTo: rif.validTo, recipients: ['GT', 'SV'] };
    expect(rifInput.safeParse(compose).success).toBe(true);
    expect(paths(rifInput.safeParse({ ...compose, recipients: ['GT', 'GT'] }))).toEqual(['recipients']);
    expect(paths(rifInput.safeParse({ ...compose, recipients: [] }))).toEqual(['recipients']);
    expect(paths(rifInput.safeParse({ ...compose, validFrom: '2026-09-16T00:00:00Z' }))).toEqual(['validTo']);
    expect(paths(rifInput.safeParse({ ...compose, subject: { plates: ['??'] } }))).toEqual(['subject.plates.0']);
  });

  it('hit rates that do not add up are refused', () => {
    const h = { proposalId: rif.rifId, administration: 'GT', periodFrom: '2026-06-01T00:00:00Z', periodTo: '2026-06-08T00:00:00Z', evaluated: 10, hits: 2, controls: 2, controlsWithFindings: 1, criterionStatus: 'active', reportedAt: '2026-06-08T00:00:00Z' };
    expect(criterionHitsV1.safeParse(h).success).toBe(true);
    expect(paths(criterionHitsV1.safeParse({ ...h, hits: 11 }))).toEqual(['hits']);
    expect(paths(criterionHitsV1.safeParse({ ...h, controlsWithFindings: 3 }))).toEqual(['controlsWithFindings']);
    expect(paths(criterionHitsV1.safeParse({ ...h, periodTo: h.periodFrom }))).toEqual(['periodTo']);
  });

  it('an answer names its decision; a control report parses without the officer and the trader', () => {
    expect(rifAnsweredV1.safeParse({ rifId: rif.rifId, administration: 'GT', decision: 'maybe', reason: null, criterion: null, answeredAt: rif.validFrom }).success).toBe(false);
    const report = { reportId: rif.rifId, administration: 'GT', office: 'GTPRQ', occurredAt: rif.validFrom, channel: 'red', declarationType: 'IM', outcome: 'discrepancy', discrepancies: [{ kind: 'prohibited' }], goodsSeized: true, seizureDescription: '40 boxes of cigarettes', extraDutiesAssessed: 0, currency: 'USD', goods: [{ hsCode: '940360', origin: 'CN', netMassKg: 800, customsValue: 5000, currency: 'USD' }], route: { dispatch: 'PA', destination: null }, transport: { mode: 1, conveyance: 'MSC ANNA', containers: ['MSCU1234565'] } };
    expect(controlReportV1.safeParse(report).success).toBe(true);
  });
});

describe('the criterion a RIF proposes', () => {
  it('identifiers are alternatives, goods and route narrow them, and the expression type-checks', () => {
    const s = rifSubject.parse({ traderTins: ['0801-1999-00123'], plates: ['p 123-abc'], containers: ['MSCU1234565'], route: { dispatch: ['PA'] }, goods: { hsCodes: ['9403', '2402'] } });
    const e = subjectExpression(s);
    expect(e).toBe(
      '(decl.importer.tin in ["0801-1999-00123"] || decl.exporter.tin in ["0801-1999-00123"] || decl.declarant.tin in ["0801-1999-00123"] || decl.transport.conveyance.upperAscii() in ["P 123-ABC", "P123ABC"] || decl.transport.containers.exists(c, c in ["MSCU1234565"])) && decl.items.exists(i, i.hsCode.startsWith("9403") || i.hsCode.startsWith("2402")) && decl.countryOfDispatch in ["PA"]',
    );
    expect(checkExpression(e, 'declaration')).toEqual({ ok: true });
    expect(checkExpression(subjectExpression(rifSubject.parse({ goods: { hsCodes: ['85'] } })), 'declaration')).toEqual({ ok: true });
  });

  it('the recommended action sets the channel; the draft carries the RIF\'s reference and end of validity', () => {
    expect(actionEffect('inspect')).toEqual({ weight: 0, forcedChannel: 'red' });
    expect(actionEffect('document_check')).toEqual({ weight: 0, forcedChannel: 'yellow' });
    expect(actionEffect('watch').forcedChannel).toBeNull();
    const d = rifCriterionDraft(rifSentV1.parse(rif));
    expect(d.name).toContain('RIF-HN-20260615-ABCDEF');
    expect(d.validTo).toBe('2026-09-15T00:00:00Z');
  });

  it('a partner\'s seizure becomes a watch on its trader, vehicle or containers (the goods only when it names none)', () => {
    const base = controlReportV1.parse({ reportId: rif.rifId, administration: 'GT', office: 'GTPRQ', occurredAt: rif.validFrom, channel: 'red', declarationType: 'IM', outcome: 'discrepancy', discrepancies: [], goodsSeized: true, extraDutiesAssessed: 0, currency: 'USD', goods: [{ hsCode: '24022000', origin: 'CN', netMassKg: 1, customsValue: 1, currency: 'USD' }], route: { dispatch: null, destination: null }, transport: { mode: 3, conveyance: 'C 123-ABC', containers: [] }, trader: { tin: '4455667-8' } });
    expect(reportSubject(base)).toMatchObject({ traderTins: ['4455667-8'], plates: ['C 123-ABC'], goods: { hsCodes: [] } });
    const anonymous = { ...base, trader: undefined, transport: { mode: 1, conveyance: null, containers: [] } };
    expect(reportSubject(anonymous).goods.hsCodes).toEqual(['240220']);
  });
});
