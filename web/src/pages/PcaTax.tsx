import { useState } from 'react';
import { api, withQuery } from '../api/client.ts';
import type { PcaDetect, PcaMismatch } from '../api/types.ts';
import { useFormat } from '../app/format.ts';
import { useRouter } from '../app/router.tsx';
import { useApi } from '../app/useApi.ts';
import { PageHeader, Panel } from '../components/Layout.tsx';
import { ActionError, PcaField, useAction, PcaTabs } from '../components/PcaParts.tsx';
import { Empty, ErrorBox, Loading } from '../components/States.tsx';
import { useI18n } from '../i18n/index.tsx';

const month = (k: number) => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k, 1)).toISOString().slice(0, 7);
};

/** Customs against tax: mismatches per trader and month with their evidence, and running the detector. */
export function PcaTax() {
  const { t, tk } = useI18n();
  const { query, navigate } = useRouter();
  const fmt = useFormat();
  const period = query.get('period') ?? '';
  const state = useApi<{ items: PcaMismatch[] }>(withQuery('/api/v1/pca/tax-mismatches', { period, limit: 1000 }));
  const [d, setD] = useState({ from: month(-3), to: month(-1) });
  const [last, setLast] = useState<PcaDetect | null>(null);
  const run = useAction();
  return (
    <>
      <PcaTabs />
      <PageHeader title={t('pca.tax.title')} subtitle={t('pca.tax.intro')} />
      <Panel title={t('pca.tax.detect')}>
        <form
          className="form-row"
          onSubmit={(e) => {
            e.preventDefault();
            void run.run(async () => setLast(await api<PcaDetect>('/api/v1/pca/tax-mismatches/detect', { method: 'POST', body: d })), state.reload);
          }}
        >
          <PcaField id="t-from" label={t('pca.tax.from')} error={run.field('from')}>
            <input id="t-from" type="month" value={d.from} onChange={(e) => setD({ ...d, from: e.target.value })} />
          </PcaField>
          <PcaField id="t-to" label={t('pca.tax.to')} error={run.field('to')}>
            <input id="t-to" type="month" value={d.to} onChange={(e) => setD({ ...d, to: e.target.value })} />
          </PcaField>
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={run.busy}>
              {t('pca.tax.run')}
            </button>
          </div>
        </form>
        <ActionError message={run.field('from') || run.field('to') ? undefined : run.message} />
        {last && (
          <p className="notice notice-ok" role="status">
            {t('pca.tax.ran', { n: last.mismatches, periods: last.periods.join(', ') })} {Object.entries(last.byKind).map(([k, n]) => `${tk('pca.mismatch', k)} ${n}`).join(' · ')}
          </p>
        )}
      </Panel>
      <div className="filters">
        <label htmlFor="t-period">{t('pca.tax.period')}</label>{' '}
        <input id="t-period" type="month" value={period} onChange={(e) => navigate(withQuery('/pca/tax', { period: e.target.value }), { replace: true })} />
      </div>
      {state.error ? (
        <ErrorBox error={state.error} onRetry={state.reload} />
      ) : !state.data ? (
        <Loading />
      ) : state.data.items.length === 0 ? (
        <Empty>{t('pca.tax.empty')}</Empty>
      ) : (
        <div className="table-wrap panel">
          <table className="table" data-testid="mismatches">
            <caption className="sr-only">{t('pca.tax.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('pca.tax.period')}</th>
                <th scope="col">{t('pca.trader')}</th>
                <th scope="col">{t('pca.tax.kind')}</th>
                <th scope="col" className="num">{t('pca.tax.customs')}</th>
                <th scope="col" className="num">{t('pca.tax.declared')}</th>
                <th scope="col" className="num">{t('pca.tax.gap')}</th>
                <th scope="col">{t('pca.tax.evidence')}</th>
              </tr>
            </thead>
            <tbody>
              {state.data.items.map((m) => {
                const ev = m.evidence as { customs?: { declarations?: number; references?: string[] }; taxReturn?: { salesUsd?: number; purchasesUsd?: number } | null; shiftedTo?: string };
                return (
                  <tr key={m.id}>
                    <td className="nowrap">{m.period}</td>
                    <td className="mono">{m.tin}</td>
                    <td>
                      <span className="tag">{tk('pca.mismatch', m.kind)}</span>
                    </td>
                    <td className="num nowrap">{fmt.money(m.customsImportsUsd)}</td>
                    <td className="num nowrap">{m.taxImportsUsd === null ? '—' : fmt.money(m.taxImportsUsd)}</td>
                    <td className="num nowrap">{fmt.money(m.gapUsd)}</td>
                    <td className="small">
                      {t('pca.tax.evidenceLine', { n: ev.customs?.declarations ?? 0 })}
                      {ev.taxReturn && <div>{t('pca.tax.salesPurchases', { sales: fmt.money(ev.taxReturn.salesUsd ?? 0), purchases: fmt.money(ev.taxReturn.purchasesUsd ?? 0) })}</div>}
                      {ev.shiftedTo && <div>{t('pca.tax.shiftedTo', { period: ev.shiftedTo })}</div>}
                      {ev.customs?.references?.length ? <div className="mono muted">{ev.customs.references.slice(0, 3).join(', ')}{ev.customs.references.length > 3 ? '…' : ''}</div> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
