import type { PcaEffectiveness as Eff } from '../api/types.ts';
import { useFormat } from '../app/format.ts';
import { useApi } from '../app/useApi.ts';
import { PageHeader, Panel, Tile } from '../components/Layout.tsx';
import { Empty, ErrorBox, Loading } from '../components/States.tsx';
import { PcaTabs } from '../components/PcaParts.tsx';
import { useI18n } from '../i18n/index.tsx';

/** Post-clearance audit effectiveness: recovery per audit hour by source of selection, releases found non-compliant by channel. */
export function PcaEffectiveness() {
  const { t, tk } = useI18n();
  const fmt = useFormat();
  const state = useApi<Eff>('/api/v1/pca/effectiveness');
  if (state.error) return <ErrorBox error={state.error} onRetry={state.reload} />;
  if (!state.data) return <Loading />;
  const e = state.data;
  const best = Math.max(1, ...e.bySource.map((s) => s.recoveryPerHour));
  return (
    <>
      <PcaTabs />
      <PageHeader title={t('pca.eff.title')} subtitle={t('pca.eff.intro', { from: fmt.date(e.from), to: fmt.date(e.to) })} />
      <div className="tiles">
        <Tile label={t('pca.eff.cases')} value={fmt.int(e.totals.cases)} />
        <Tile label={t('pca.eff.hours')} value={fmt.dec(e.totals.hours)} />
        <Tile label={t('pca.eff.recovered')} value={fmt.money(e.totals.recoveredUsd)} />
        <Tile label={t('pca.eff.perHour')} value={fmt.money(e.totals.recoveryPerHour)} />
      </div>
      {e.totals.cases === 0 ? (
        <Empty>{t('pca.eff.empty')}</Empty>
      ) : (
        <>
          <Panel title={t('pca.eff.bySource')}>
            <div className="table-wrap">
              <table className="table" data-testid="eff-sources">
                <thead>
                  <tr>
                    <th scope="col">{t('pca.source')}</th>
                    <th scope="col" className="num">{t('pca.eff.cases')}</th>
                    <th scope="col" className="num">{t('pca.eff.hitRate')}</th>
                    <th scope="col" className="num">{t('pca.eff.hours')}</th>
                    <th scope="col" className="num">{t('pca.eff.recovered')}</th>
                    <th scope="col">{t('pca.eff.perHour')}</th>
                  </tr>
                </thead>
                <tbody>
                  {e.bySource.map((s) => (
                    <tr key={s.source}>
                      <td>{tk('pca.src', s.source)}</td>
                      <td className="num">{fmt.int(s.cases)}</td>
                      <td className="num">{fmt.pct(s.hitRate)}</td>
                      <td className="num">{fmt.dec(s.hours)}</td>
                      <td className="num nowrap">{fmt.money(s.recoveredUsd)}</td>
                      <td>
                        <div style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
                          <span style={{ display: 'inline-block', height: 10, width: `${Math.round((120 * s.recoveryPerHour) / best)}px`, background: 'var(--accent, #1f5fa8)', borderRadius: 2 }} aria-hidden="true" />
                          <span className="nowrap">{fmt.money(s.recoveryPerHour)}</span>
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Panel>
          <Panel title={t('pca.eff.byChannel')}>
            <p className="muted small">{t('pca.eff.byChannelIntro')}</p>
            <div className="table-wrap">
              <table className="table" data-testid="eff-channels">
                <thead>
                  <tr>
                    <th scope="col">{t('pca.case.channel')}</th>
                    <th scope="col" className="num">{t('pca.eff.audited')}</th>
                    <th scope="col" className="num">{t('pca.eff.nonCompliant')}</th>
                    <th scope="col" className="num">{t('pca.eff.rate')}</th>
                  </tr>
                </thead>
                <tbody>
                  {e.byReleaseChannel.map((c) => (
                    <tr key={c.channel}>
                      <td>{tk('channel', c.channel)}</td>
                      <td className="num">{fmt.int(c.audited)}</td>
                      <td className="num">{fmt.int(c.nonCompliant)}</td>
                      <td className="num">{fmt.pct(c.nonComplianceRate)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Panel>
        </>
      )}
    </>
  );
}
