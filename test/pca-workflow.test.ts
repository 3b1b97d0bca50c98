/**
 * Post-clearance audit end to end over the API: the sensitive goods list under four eyes, the
 * plan (capacity, random share, approval by a second person), a case whose auditor is drawn among
 * those without a conflict of interest, document requests, findings per line, closure, the
 * report as a real PDF (pdftoppm renders page 1, pdftotext reads it), findings as the model's
 * labels (point in time) and in the trader's history, the tax administration's returns (bad
 * records rejected naming the field) and a tax participant who sees only the case shared.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import type { Database } from '../src/db/client.ts';
import { describeEachDb, openTestDb } from '../src/db/testing.ts';
import { AccessService } from '../src/modules/access/service.ts';
import { SYSTEM_PRINCIPAL } from '../src/modules/access/types.ts';
import { getReferenceData } from '../src/reference/index.ts';
import { buildApp, type BuiltApp } from '../src/server/app.ts';
import { buildServices, type Services } from '../src/app/services.ts';
import { loadDataset } from '../src/modules/intelligence/dataset.ts';
import { mutate, NOW, validDeclaration } from './fixtures.ts';

const PASSWORD = 'pca-password-123456';

describeEachDb('post-clearance audit workflow (%s)', (kind) => {
  let database: Database;
  let built: BuiltApp;
  let services: Services;
  const clock = new FixedClock(NOW);
  const h: Record<string, Record<string, string>> = {};
  const ids: Record<string, string> = {};
  const declIds: string[] = [];

  const call = async (who: string, method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    built.app.inject({ method: method as 'GET', url, headers: { ...h[who], ...headers }, ...(payload !== undefined ? { payload: payload as object } : {}) });

  beforeAll(async () => {
    database = await openTestDb(kind);
    const deps = { database, db: database.db, ref: getReferenceData(), clock, config: { ...loadConfig({}), randomControlRate: 0 } };
    services = buildServices(deps);
    built = await buildApp(deps, { services });
    const access = new AccessService(deps);
    const sys = SYSTEM_PRINCIPAL('GT', 'pca-test');
    for (const [name, role] of [
      ['analyst', 'risk_analyst'],
      ['analyst2', 'risk_analyst'],
      ['supervisor', 'supervisor'],
      ['manager', 'manager'],
      ['aud1', 'auditor'],
      ['aud2', 'auditor'],
      ['tax', 'tax_liaison'],
      ['tax2', 'tax_liaison'],
    ] as const) {
      const u = await access.createUser(sys, { username: `gt.${name}`, displayName: name, role, country: 'GT', password: PASSWORD });
      ids[name] = u.id;
      h[name] = { authorization: `Bearer ${(await access.login(u.username, PASSWORD)).token}` };
    }
    // two importers' declarations in May (released green: random control off, no criteria)
    for (let i = 0; i < 4; i++) {
      const d = mutate(validDeclaration(`GT-PCA-${i}`), (x) => {
        x.lodgedAt = `2026-05-${String(10 + i).padStart(2, '0')}T09:30:00-06:00`;
        if (i >= 2) x.importer = { tin: '7788990-1', name: 'Licores del Istmo S.A.', country: 'GT' };
        if (i >= 2) x.items[0] = { ...x.items[0], hsCode: '22083000', description: 'Whisky', unit: 'LTR', quantity: 1000, netMassKg: 1000, grossMassKg: 1200, customsValue: 4000, dutyRate: 20 };
      });
      declIds.push((await services.intake.submitDeclaration(d, sys, 'test')).id);
    }
  }, 120_000);
  afterAll(async () => {
    await built?.app.close();
    await database?.close();
  });

  it('keeps the sensitive goods list under four eyes and uses it in selection', async () => {
    const bad = await call('analyst', 'POST', '/api/v1/pca/sensitive-goods', { hs: '22', reason: 'excise', note: 'spirits', validFrom: '2026-01-01' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('hs');
    const p = await call('analyst', 'POST', '/api/v1/pca/sensitive-goods', { hs: '2208', reason: 'excise', note: 'Spirits: excise and frequent undervaluation', validFrom: '2026-01-01' });
    expect(p.statusCode, p.body).toBe(201);
    const own = await call('analyst', 'POST', `/api/v1/pca/sensitive-goods/${p.json().id}/decision`, { approve: true });
    expect(own.statusCode).toBe(403);
    const ok = await call('analyst2', 'POST', `/api/v1/pca/sensitive-goods/${p.json().id}/decision`, { approve: true, note: 'agreed' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().status).toBe('active');
    const lookup = await services.pca.sensitiveLookup(database.db, 'GT', '2026-06-01');
    expect(lookup('22083000')).toEqual({ hs: '2208', reason: 'excise' });
    expect(lookup('85171300')).toBeNull();
  });

  it('plans under capacity with a random share, approved by a second person; a case goes to an auditor without a conflict', async () => {
    for (const a of ['aud1', 'aud2']) expect((await call('supervisor', 'PUT', '/api/v1/pca/auditors', { userId: ids[a], hoursPerMonth: 40 })).statusCode).toBe(200);
    expect((await call('supervisor', 'PUT', '/api/v1/pca/auditors', { userId: ids.tax, hoursPerMonth: 40 })).json().errors[0].path).toBe('userId');
    // aud2 declares a conflict with the spirits importer: never drawn for it
    const c = await call('aud2', 'POST', '/api/v1/pca/conflicts', { traderTin: '7788990-1', reason: 'my brother-in-law manages its warehouse' });
    expect(c.statusCode, c.body).toBe(201);
    expect((await call('aud1', 'POST', '/api/v1/pca/conflicts', { auditorUserId: ids.aud2, traderTin: '4455667-8', reason: 'not mine to declare' })).statusCode).toBe(403);

    const plan = await call('analyst', 'POST', '/api/v1/pca/plans', { month: '2026-06', randomShare: 0 });
    expect(plan.statusCode, plan.body).toBe(201);
    const p = plan.json();
    expect(p.capacityHours).toBe(80);
    expect(p.items.map((x: { traderTin: string }) => x.traderTin).sort()).toEqual(['4455667-8', '7788990-1']);
    const spirits = p.items.find((x: { traderTin: string }) => x.traderTin === '7788990-1');
    expect(spirits.reasons.map((r: { code: string }) => r.code)).toContain('sensitive');
    expect(p.items.every((x: { rank: number }, i: number) => x.rank === i + 1)).toBe(true);
    expect(p.items[0].expectedRevenue).toBeGreaterThanOrEqual(p.items[1].expectedRevenue);
    // a random share of the whole capacity: every selected item drawn and its draw recorded
    const random = await call('analyst', 'POST', '/api/v1/pca/plans', { month: '2026-06', randomShare: 1, capacityHours: 20 });
    const rs = random.json().items.filter((x: { selected: boolean }) => x.selected);
    expect(rs.length).toBe(1);
    expect(rs[0].source).toBe('random');
    expect(typeof rs[0].draw).toBe('number');
    expect(random.json().hoursPlanned).toBeLessThanOrEqual(20);
    // the first proposal was superseded by the second; propose again and decide
    const again = (await call('analyst', 'POST', '/api/v1/pca/plans', { month: '2026-06', randomShare: 0 })).json();
    expect((await call('analyst', 'POST', `/api/v1/pca/plans/${again.id}/decision`, { approve: true })).statusCode).toBe(403);
    const early = await call('supervisor', 'POST', '/api/v1/pca/cases', { planItemId: again.items[0].id });
    expect(early.statusCode).toBe(409);
    const approved = await call('manager', 'POST', `/api/v1/pca/plans/${again.id}/decision`, { approve: true, note: 'go' });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().status).toBe('approved');
    const csv = await call('manager', 'GET', `/api/v1/pca/plans/${again.id}/plan.csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toBe('rank,trader_tin,trader_name,source,expected_revenue_usd,estimated_recovery_usd,hours,in_plan,reasons');
    expect(csv.body).toContain('7788990-1');
    const pdf = await call('manager', 'GET', `/api/v1/pca/plans/${again.id}/plan.pdf`);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    const item = again.items.find((x: { traderTin: string }) => x.traderTin === '7788990-1');
    const opened = await call('supervisor', 'POST', '/api/v1/pca/cases', { planItemId: item.id });
    expect(opened.statusCode, opened.body).toBe(201);
    const k = opened.json();
    expect(k.auditorUserId).toBe(ids.aud1);
    expect(k.assignment.excludedForConflict).toEqual([ids.aud2]);
    expect(k.assignment.candidates).toEqual([ids.aud1]);
    ids.case = k.id;
    expect((await call('supervisor', 'POST', '/api/v1/pca/cases', { planItemId: item.id })).statusCode).toBe(409);
  });

  it('works the case: documents, findings per line in scope, hours, closure, every step audited; the report is a PDF that poppler reads', async () => {
    const id = ids.case;
    expect((await call('aud2', 'POST', `/api/v1/pca/cases/${id}/document-requests`, { description: 'Invoices' })).statusCode).toBe(403);
    const dr = await call('aud1', 'POST', `/api/v1/pca/cases/${id}/document-requests`, { description: 'Commercial invoices and bank transfers for May 2026', dueDays: 10 });
    expect(dr.statusCode, dr.body).toBe(201);
    expect((await call('aud1', 'POST', `/api/v1/pca/cases/${id}/document-requests/${dr.json().id}/received`, { note: 'received by courier' })).statusCode).toBe(200);
    const outOfScope = await call('aud1', 'POST', `/api/v1/pca/cases/${id}/findings`, { declarationId: declIds[0], line: 1, kind: 'value', description: 'x'.repeat(5), extraDuties: 1, extraTaxes: 1, currency: 'USD', legalBasis: 'CAUCA art. 62' });
    expect(outOfScope.statusCode).toBe(400);
    expect(outOfScope.json().errors[0].path).toBe('declarationId');
    const noLine = await call('aud1', 'POST', `/api/v1/pca/cases/${id}/findings`, { declarationId: declIds[2], line: 9, kind: 'value', description: 'wrong line', extraDuties: 1, extraTaxes: 1, currency: 'USD', legalBasis: 'CAUCA art. 62' });
    expect(noLine.json().errors[0].path).toBe('line');
    const f = await call('aud1', 'POST', `/api/v1/pca/cases/${id}/findings`, {
      declarationId: declIds[2],
      line: 1,
      kind: 'value',
      description: 'The supplier invoice in the trader books shows USD 9,000, not USD 4,000 as declared',
      declared: 'USD 4,000.00',
      established: 'USD 9,000.00',
      extraDuties: 1000,
      extraTaxes: 720,
      penalties: 500,
      currency: 'USD',
      legalBasis: 'CAUCA art. 62; RECAUCA art. 524',
      foundAt: '2026-06-15T10:00:00Z',
    });
    expect(f.statusCode, f.body).toBe(201);
    expect(f.json().releaseChannel).toBe('green');
    expect((await call('aud1', 'POST', `/api/v1/pca/cases/${id}/hours`, { hours: 22.5 })).json().hoursSpent).toBe(22.5);
    expect((await call('aud1', 'POST', `/api/v1/pca/cases/${id}/close`, { outcome: 'no_findings', note: 'nothing', legalBasis: 'CAUCA art. 62' })).statusCode).toBe(400);

    // before closure: no label yet
    const src = services.pca.auditLabelSource();
    const window = [new Date('2026-05-01T00:00:00Z'), new Date('2026-06-01T00:00:00Z')] as const;
    expect((await src.labels(database.db, 'GT', ...window, new Date(NOW))).size).toBe(0);
    const historyBefore = await services.traders.historyAsOf('GT', '7788990-1', new Date('2026-06-16T00:00:00Z'));
    const countersBefore = (await services.traders.counters(database.db, 'GT', ['7788990-1'])).get('7788990-1')?.hits ?? 0;

    const closed = await call('aud1', 'POST', `/api/v1/pca/cases/${id}/close`, { outcome: 'assessed', note: 'Undervaluation established on one line; amounts notified', legalBasis: 'CAUCA art. 62; RECAUCA art. 524' });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json().closure.totals[0]).toMatchObject({ currency: 'USD', total: 2220 });
    expect((await call('aud1', 'POST', `/api/v1/pca/cases/${id}/hours`, { hours: 1 })).statusCode).toBe(409);

    // labels for the model, point in time: known after closure, not before the finding's date
    const labels = await src.labels(database.db, 'GT', ...window, new Date('2026-06-16T00:00:00Z'));
    expect(labels.get(declIds[2])).toEqual({ hit: true, revenue: 1720 });
    expect(labels.get(declIds[3])).toEqual({ hit: false, revenue: 0 });
    expect(labels.has(declIds[0])).toBe(false);
    expect((await src.labels(database.db, 'GT', ...window, new Date('2026-06-15T09:00:00Z'))).size).toBe(0);
    // the next model's training set (the intelligence module's, wired in the composition root) carries them
    const valuation = await services.intelligence.valuationIndex();
    const training = await loadDataset(services.traders, database.db, 'GT', ...window, valuation, { source: src, asOf: new Date('2026-06-16T00:00:00Z') });
    const untouched = await loadDataset(services.traders, database.db, 'GT', ...window, valuation);
    const label = (rows: typeof training, id: string) => rows.find((r) => r.declarationId === id)!;
    expect([label(untouched, declIds[2]).label, label(training, declIds[2]).label, label(training, declIds[2]).revenue]).toEqual([null, 1, 1720]);
    expect([label(untouched, declIds[3]).label, label(training, declIds[3]).label]).toEqual([null, 0]);
    expect(label(training, declIds[0]).label).toBeNull();
    // and the trader's history: a hit from the finding's date
    const historyAfter = await services.traders.historyAsOf('GT', '7788990-1', new Date('2026-06-16T00:00:00Z'));
    expect(historyAfter.importer.hits).toBe(historyBefore.importer.hits + 1);
    expect((await services.traders.historyAsOf('GT', '7788990-1', new Date('2026-06-15T11:00:00Z'))).importer.hits).toBe(historyBefore.importer.hits);
    // and the running counters selectivity reads (the trader's standing now)
    expect((await services.traders.counters(database.db, 'GT', ['7788990-1'])).get('7788990-1')?.hits).toBe(countersBefore + 1);
    const record = await call('manager', 'GET', '/api/v1/pca/traders/7788990-1');
    expect(record.json()).toMatchObject({ audits: 1, closed: 1, closedWithFindings: 1, findings: 1, assessedUsd: 2220 });

    // every step in the audit log
    const log = await call('manager', 'GET', '/api/v1/audit?limit=500');
    const actions = new Set(log.json().items.map((e: { action: string }) => e.action));
    for (const a of ['pca.sensitive.proposed', 'pca.sensitive.approved', 'pca.auditor.set', 'pca.conflict.declared', 'pca.plan.proposed', 'pca.plan.approved', 'pca.case.opened', 'pca.case.documents_requested', 'pca.case.documents_received', 'pca.case.finding_recorded', 'pca.case.hours_logged', 'pca.case.closed'])
      expect(actions, a).toContain(a);

    // the effectiveness page: recovery per hour by source, the green release found non-compliant
    const eff = (await call('manager', 'GET', '/api/v1/pca/effectiveness')).json();
    expect(eff.totals).toMatchObject({ cases: 1, recoveredUsd: 2220 });
    expect(eff.bySource[0].recoveryPerHour).toBeCloseTo(2220 / 22.5, 2);
    expect(eff.byReleaseChannel).toEqual([{ channel: 'green', audited: 2, nonCompliant: 1, nonComplianceRate: 0.5 }]);

    // the report: pdftoppm renders page 1, pdftotext reads the findings
    const pdf = await call('aud1', 'GET', `/api/v1/pca/cases/${id}/report.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-report-'));
    try {
      const file = path.join(dir, 'case.pdf');
      fs.writeFileSync(file, pdf.rawPayload);
      execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', file, path.join(dir, 'page')]);
      const png = fs.readdirSync(dir).find((n) => n.endsWith('.png'))!;
      expect(fs.readFileSync(path.join(dir, png)).subarray(1, 4).toString()).toBe('PNG');
      const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
      expect(text).toContain(closed.json().reference);
      expect(text).toContain('Licores del Istmo S.A.');
      expect(text).toContain('GT-PCA-2');
      expect(text).toContain('CAUCA art. 62; RECAUCA art. 524');
      expect(text).toContain('USD 2,220.00');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets a tax participant read only the case shared with them', async () => {
    const id = ids.case;
    expect((await call('tax', 'GET', `/api/v1/pca/cases/${id}`)).statusCode).toBe(404);
    expect((await call('tax', 'GET', '/api/v1/pca/cases')).json().items).toEqual([]);
    expect((await call('tax', 'GET', '/api/v1/pca/plans')).statusCode).toBe(403);
    expect((await call('supervisor', 'POST', `/api/v1/pca/cases/${id}/share`, { userId: ids.aud2 })).json().errors[0].path).toBe('userId');
    expect((await call('supervisor', 'POST', `/api/v1/pca/cases/${id}/share`, { userId: ids.tax })).statusCode).toBe(200);
    const seen = await call('tax', 'GET', `/api/v1/pca/cases/${id}`);
    expect(seen.statusCode).toBe(200);
    expect(seen.json().findings).toHaveLength(1);
    expect((await call('tax', 'GET', `/api/v1/pca/cases/${id}/report.pdf`)).statusCode).toBe(200);
    expect((await call('tax', 'GET', '/api/v1/pca/cases')).json().items.map((c: { id: string }) => c.id)).toEqual([id]);
    expect((await call('tax2', 'GET', `/api/v1/pca/cases/${id}`)).statusCode).toBe(404);
    expect((await call('tax', 'POST', `/api/v1/pca/cases/${id}/hours`, { hours: 1 })).statusCode).toBe(403);
  });

  it('imports tax returns record by record, naming the field of each rejected one, and finds mismatches with evidence', async () => {
    const csv = [
      'tin,period,declaredImports,purchases,sales,currency',
      '4455667-8,2026-05,30000,10000,90000,USD', // customs: 2 x 65,500 = 131,000: a value gap
      '7788990-1,2026-13,100,1,1,USD',
      '7788990-1,2026-05,abc,1,1,USD',
      '1234567-8,2026-05,500,100,900,USD',
    ].join('\n');
    const r = await call('supervisor', 'POST', '/api/v1/pca/tax-returns/import', csv, { 'content-type': 'text/csv' });
    expect(r.statusCode).toBe(403); // a supervisor does not send returns
    const sysKey = await new AccessService({ db: database.db, clock }).createApiKey(SYSTEM_PRINCIPAL('GT'), { name: 'SAT GT', role: 'system', country: 'GT' });
    const imp = await built.app.inject({ method: 'POST', url: '/api/v1/pca/tax-returns/import', headers: { 'x-api-key': sysKey.key, 'content-type': 'text/csv' }, payload: csv });
    expect(imp.statusCode, imp.body).toBe(200);
    expect(imp.json()).toMatchObject({ records: 4, stored: 2, rejected: 2 });
    expect(imp.json().rejections.map((x: { record: number; errors: { path: string }[] }) => [x.record, x.errors[0].path])).toEqual([
      [2, 'period'],
      [3, 'declaredImports'],
    ]);
    const jsonl = await built.app.inject({ method: 'POST', url: '/api/v1/pca/tax-returns/import', headers: { 'x-api-key': sysKey.key, 'content-type': 'application/x-ndjson' }, payload: '{"tin":"1234567-9","period":"2026-05","declaredImports":1,"purchases":1,"sales":1,"currency":"USD","extra":1}\n{not json' });
    expect(jsonl.json().rejections.map((x: { errors: { code: string }[] }) => x.errors[0].code)).toEqual(['unrecognized_keys', 'invalid_json']);
    const det = await call('analyst', 'POST', '/api/v1/pca/tax-mismatches/detect', { from: '2026-05', to: '2026-05' });
    expect(det.statusCode, det.body).toBe(200);
    const list = (await call('analyst', 'GET', '/api/v1/pca/tax-mismatches?period=2026-05')).json().items;
    const gap = list.find((m: { tin: string; kind: string }) => m.tin === '4455667-8' && m.kind === 'value_gap');
    expect(gap.customsImportsUsd).toBe(131000);
    expect(gap.taxImportsUsd).toBe(30000);
    expect(gap.evidence.customs.references).toEqual(['GT-PCA-0', 'GT-PCA-1']);
    expect(list.find((m: { tin: string }) => m.tin === '7788990-1')?.kind).toBe('no_return');
    // mismatches are plan inputs, with their evidence as reasons
    const p = (await call('analyst', 'POST', '/api/v1/pca/plans', { month: '2026-06', capacityHours: 100, randomShare: 0 })).json();
    const maya = p.items.find((x: { traderTin: string }) => x.traderTin === '4455667-8');
    expect(maya.reasons.find((x: { code: string }) => x.code === 'tax_mismatch').detail.kinds).toContain('value_gap');
  });
});
