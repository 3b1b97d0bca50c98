import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildKcsFeatures, fitKcsFeatures, kcsFeatureSpecs, parseKcs, readKcs, filterKcs, KCS_COLUMNS } from './kcs.ts';
import { explainKcs, trainKcsModel } from './kcs-model.ts';

const HEADER = [...KCS_COLUMNS, 'Fraud'].join(',');

function row(id: string, date: string, importer: string, fraud: number, hs6 = '440890', price = 1000, mass = 10): string {
  // Declaration ID,Date,Office,Process,Import Type,Import Use,Payment,Mode,Declarant,Importer,Seller,Courier,HS6,Departure,Origin,Tax Rate,Tax Type,Origin Ind,Net Mass,Item Price,Fraud
  return [id, date, '30', 'B', '11', '21', '11', '10', 'DECL1', importer, 'S1', '', hs6, 'CN', 'CN', '8.0', 'A', 'Y', String(mass), String(price), String(fraud)].join(',');
}

const col = (specName: string) => kcsFeatureSpecs().findIndex((s) => s.name === specName);

describe('KCS reader', () => {
  it('names a missing column', () => {
    const bad = HEADER.replace('Importer ID,', '') + '\n';
    expect(() => parseKcs(bad, 'x.csv')).toThrow(/x.csv: missing column "Importer ID"/);
    expect(() => parseKcs(KCS_COLUMNS.join(',') + '\n', 'x.csv', { requireLabel: true })).toThrow(/missing column "Fraud"/);
  });

  it('names a bad value with its line', () => {
    const t = [HEADER, row('1', '2020-01-01', 'A', 0), row('2', '2020-13-45', 'A', 0)].join('\n');
    expect(() => parseKcs(t, 'x.csv')).toThrow(/x.csv line 3: column "Date"/);
    const t2 = [HEADER, row('1', '2020-01-01', 'A', 2)].join('\n');
    expect(() => parseKcs(t2, 'x.csv')).toThrow(/line 2: column "Fraud" must be 0 or 1/);
  });
});

describe('KCS features have no leakage', () => {
  // importer A: fraud on day 1, clean twice on day 2 (one of them fraud), fraud on day 3; rows out of date order
  const train = parseKcs(
    [
      HEADER,
      row('4', '2020-01-03', 'A', 1),
      row('1', '2020-01-01', 'A', 1),
      row('2', '2020-01-02', 'A', 0),
      row('3', '2020-01-02', 'A', 1),
      row('5', '2020-01-01', 'B', 0, '010121', 50, 5),
    ].join('\n'),
    'train.csv',
  );
  const state = fitKcsFeatures(train);
  const f = buildKcsFeatures(state, train, 'train');
  const frauds = f.x.columns[col('importer_prior_frauds')];
  const count = f.x.columns[col('importer_prior_count')];
  const at = (id: string) => f.ids.indexOf(id);

  it("a row's prior figures count only earlier days, never itself or its own day", () => {
    expect(frauds[at('1')]).toBe(0);
    expect(count[at('1')]).toBe(0);
    expect(frauds[at('2')]).toBe(1); // day 1 only; not row 3 of the same day
    expect(frauds[at('3')]).toBe(1); // not itself
    expect(Math.round(Math.expm1(count[at('3')]))).toBe(1);
    expect(frauds[at('4')]).toBe(2); // days 1 and 2
    expect(Math.round(Math.expm1(count[at('4')]))).toBe(3);
    // the prior rate of a first declaration is the (Laplace) rate of earlier days: nothing known yet
    const rate = f.x.columns[col('importer_prior_fraud_rate')];
    expect(rate[at('1')]).toBeCloseTo(0.5, 12);
  });

  it('changing a row’s own label or a later label never changes its features', () => {
    const flipped = parseKcs(
      [HEADER, row('4', '2020-01-03', 'A', 0), row('1', '2020-01-01', 'A', 1), row('2', '2020-01-02', 'A', 1), row('3', '2020-01-02', 'A', 0), row('5', '2020-01-01', 'B', 0, '010121', 50, 5)].join('\n'),
      'train.csv',
    );
    const g = buildKcsFeatures(fitKcsFeatures(flipped), flipped, 'train');
    const hist = kcsFeatureSpecs()
      .map((s, i) => ({ s, i }))
      .filter(({ s }) => s.name.includes('_prior_'));
    for (const id of ['1', '2', '3']) {
      for (const { i } of hist) expect(g.x.columns[i][g.ids.indexOf(id)]).toBe(f.x.columns[i][at(id)]);
    }
  });

  it('validation rows use the training labels only, and unseen categories map to unknown', () => {
    const valid = parseKcs([HEADER, row('10', '2021-01-01', 'A', 1), row('11', '2021-01-02', 'A', 1), row('12', '2021-01-02', 'NEW', 1)].join('\n'), 'valid.csv');
    const v = buildKcsFeatures(state, valid, 'apply');
    const vf = v.x.columns[col('importer_prior_frauds')];
    expect(vf[0]).toBe(3);
    expect(vf[1]).toBe(3); // row 10's label is never used
    expect(Math.round(Math.expm1(v.x.columns[col('importer_prior_count')][1]))).toBe(5); // 4 in training + row 10
    expect(vf[2]).toBe(0);
    expect(v.x.columns[col('Importer ID')][2]).toBe(0);
    expect(v.describe(2, col('Importer ID'))).toMatch(/not seen in training/);
  });

  it('reference unit prices come from training rows only', () => {
    const valid = parseKcs([HEADER, row('10', '2021-01-01', 'A', 0, '440890', 4000, 10)].join('\n'), 'valid.csv');
    const v = buildKcsFeatures(state, valid, 'apply');
    // training unit price of HS6 440890 is 100; this row's is 400
    expect(v.x.columns[col('unit_price_vs_hs6')][0]).toBeCloseTo(Math.log(4), 9);
  });
});

const here = path.dirname(fileURLToPath(import.meta.url));
const kcsDir = process.env.KCS_DIR ?? path.resolve(here, '../../../../shared/data/kcs');
const trainFile = path.join(kcsDir, 'df_syn_train_eng.csv');
const validFile = path.join(kcsDir, 'df_syn_valid_eng.csv');
const haveData = fs.existsSync(trainFile) && fs.existsSync(validFile);
if (!haveData) console.log(`KCS benchmark test skipped: ${trainFile} not found (set KCS_DIR)`);

describe.skipIf(!haveData)('KCS public data', () => {
  it('a quick model on Apr-Dec of the train file ranks the valid file well (AUC > 0.80) and explains a score', () => {
    const full = readKcs(trainFile, { requireLabel: true });
    const valid = readKcs(validFile, { requireLabel: true });
    const train = filterKcs(full, (i) => full.columns['Date'][i] >= '2020-04-01');
    const r = trainKcsModel(train, { valid, params: { rounds: 120, learningRate: 0.15, maxLeaves: 63, earlyStoppingRounds: 20 } });
    expect(r.validation!.auc).toBeGreaterThan(0.8);
    const e = explainKcs(r.bundle, r.model, valid, valid.columns['Declaration ID'][0]);
    const sum = e.contributions.reduce((s, c) => s + c.contribution, e.expected);
    expect(sum).toBeCloseTo(e.margin, 9);
  });
});
