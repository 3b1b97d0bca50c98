import { useMemo, useState, type FormEvent } from 'react';
import { api, withQuery } from '../api/client.ts';
import type { AllTargets, Channel, ControlsKpi } from '../api/types.ts';
import { useFormat } from '../app/format.ts';
import { useReference } from '../app/reference.tsx';
import { useApi } from '../app/useApi.ts';
import { useI18n } from '../i18n/index.tsx';
import { Chart } from './Chart.tsx';
import type { EChartsOption } from './echarts.ts';
import { OfficeSelect } from './Filters.tsx';
import { Panel, Tile } from './Layout.tsx';
import { Empty, ErrorBox, Loading } from './States.tsx';

const AXIS = { axisLine: { lineStyle: { color: '#9aa5b1' } }, axisLabel: { color: '#52606d' }, splitLine: { lineStyle: { color: '#e4e7eb' } } };
const pctAxis = { type: 'value' as const, min: 0, axisLabel: { color: '#52606d', formatter: '{value} %' }, splitLine: AXIS.splitLine };

/** The control indicators of the dashboard: hit rate over time, extra revenue, controls by channel, random-control compliance per office, time to release. */
export function ControlsDashboard({ country, office, from, to, regional }: { country: string; office: string; from: string; to: string; regional: boolean }) {
  const { t, tk } = useI18n();
  const fmt = useFormat(country);
  const { officeName } = useReference();
  const state = useApi<ControlsKpi>(withQuery('/api/v1/kpi/controls', { country: regional ? country : undefined, office, from, to }));
  const k = state.data;

  const charts = useMemo(() => {
    if (!k) return null;
    const days = k.days.map((d) => fmt.day(d.date));
    const hitRate: EChartsOption = {
      tooltip: { trigger: 'axis', confine: true },
      legend: { bottom: 0, icon: 'roundRect' },
      grid: { left: 48, right: 56, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: days, ...AXIS },
      yAxis: [{ type: 'value', minInterval: 1, ...AXIS }, { ...pctAxis, max: 100, splitLine: { show: false } }],
      series: [
        { name: t('kc.series.controls'), type: 'bar', barMaxWidth: 28, itemStyle: { color: '#9fb3c8' }, data: k.days.map((d) => d.controls) },
        { name: t('kc.series.hits'), type: 'bar', barMaxWidth: 28, barGap: '-100%', itemStyle: { color: '#b4532a' }, data: k.days.map((d) => d.hits) },
        { name: t('kc.series.hitRate'), type: 'line', yAxisIndex: 1, connectNulls: true, symbolSize: 6, lineStyle: { width: 2.5 }, itemStyle: { color: '#0f2a44' }, data: k.days.map((d) => (d.hitRate === null ? null : +(d.hitRate * 100).toFixed(1))) },
      ],
    };
    const revenue: EChartsOption = {
      tooltip: { trigger: 'axis', confine: true, valueFormatter: (v: unknown) => fmt.money(Number(v ?? 0)) },
      grid: { left: 64, right: 16, top: 16, bottom: 32 },
      xAxis: { type: 'category', data: days, ...AXIS },
      yAxis: { type: 'value', ...AXIS },
      series: [{ name: t('kc.series.revenue'), type: 'bar', barMaxWidth: 28, itemStyle: { color: '#2e7d4f', borderRadius: [3, 3, 0, 0] }, data: k.days.map((d) => d.extraRevenueUsd) }],
    };
    const byChannel: EChartsOption = {
      tooltip: { trigger: 'axis', confine: true },
      legend: { bottom: 0, icon: 'roundRect' },
      grid: { left: 8, right: 24, top: 8, bottom: 40, containLabel: true },
      yAxis: { type: 'category', data: k.byChannel.map((c) => t(`channel.${c.channel as Channel}`)), axisLabel: { color: '#323f4b' } },
      xAxis: { type: 'value', minInterval: 1, ...AXIS },
      series: [
        { name: t('kc.series.hits'), type: 'bar', stack: 'c', barMaxWidth: 22, itemStyle: { color: '#b4532a' }, data: k.byChannel.map((c) => c.hits) },
        // one colour per series, so that the legend's swatch is the colour of its bars (the channel is the row's label)
        { name: t('kc.series.noDiscrepancy'), type: 'bar', stack: 'c', barMaxWidth: 22, itemStyle: { color: '#9fb3c8' }, data: k.byChannel.map((c) => c.controls - c.hits) },
      ],
    };
    const offices = k.byOffice.filter((o) => o.random.controls > 0).slice(0, 12).reverse();
    const compliance: EChartsOption = {
      tooltip: {
        trigger: 'axis',
        confine: true,
        formatter: (ps: unknown) => {
          const i = (ps as { dataIndex: number }[])[0]?.dataIndex ?? 0;
          const o = offices[i];
          if (!o) return '';
          return `${officeName(o.office)}<br/>${t('kc.complianceTip', { rate: fmt.pct(o.random.complianceRate ?? 0), lo: fmt.pct(o.random.ci95?.[0] ?? 0), hi: fmt.pct(o.random.ci95?.[1] ?? 1), n: fmt.int(o.random.controls) })}`;
        },
      },
      grid: { left: 8, right: 24, top: 8, bottom: 28, containLabel: true },
      yAxis: { type: 'category', data: offices.map((o) => officeName(o.office)), axisLabel: { color: '#323f4b', width: 170, overflow: 'truncate' } },
      xAxis: { ...pctAxis, max: 100 },
      series: [
        { name: 'lo', type: 'bar', stack: 'ci', silent: true, itemStyle: { color: 'transparent' }, barMaxWidth: 14, data: offices.map((o) => +((o.random.ci95?.[0] ?? 0) * 100).toFixed(1)) },
        { name: t('kc.series.interval'), type: 'bar', stack: 'ci', barMaxWidth: 14, itemStyle: { color: '#c7d7ea', borderRadius: 3 }, data: offices.map((o) => +(((o.random.ci95?.[1] ?? 1) - (o.random.ci95?.[0] ?? 0)) * 100).toFixed(1)) },
        { name: t('kc.series.compliance'), type: 'scatter', symbol: 'diamond', symbolSize: 13, itemStyle: { color: '#1d4a85' }, data: offices.map((o) => +((o.random.complianceRate ?? 0) * 100).toFixed(1)) },
      ],
    };
    const release: EChartsOption = {
      tooltip: { trigger: 'axis', confine: true, valueFormatter: (v: unknown) => `${fmt.dec(Number(v ?? 0))} h` },
      legend: { bottom: 0, icon: 'roundRect' },
      grid: { left: 8, right: 24, top: 8, bottom: 40, containLabel: true },
      yAxis: { type: 'category', data: k.release.map((r) => t(`channel.${r.channel as Channel}`)), axisLabel: { color: '#323f4b' } },
      xAxis: { type: 'value', axisLabel: { color: '#52606d', formatter: '{value} h' }, splitLine: AXIS.splitLine },
      series: [
        { name: t('kc.series.median'), type: 'bar', barMaxWidth: 16, itemStyle: { color: '#1d4a85' }, data: k.release.map((r) => r.medianHours) },
        { name: t('kc.series.p90'), type: 'bar', barMaxWidth: 16, itemStyle: { color: '#9fb3c8' }, data: k.release.map((r) => r.p90Hours) },
      ],
    };
    return { hitRate, revenue, byChannel, compliance, complianceOffices: offices, release };
  }, [k, t, fmt, officeName]);

  if (state.error) return <ErrorBox error={state.error} onRetry={state.reload} />;
  if (!k || !charts) return <Loading />;
  const r = k.random;
  return (
    <section aria-labelledby="controls-heading" data-testid="controls-dashboard">
      <h2 id="controls-heading" className="section-title">
        {t('kc.title')}
      </h2>
      <div className="tiles" data-testid="control-tiles">
        <Tile label={t('kc.tile.hitRate')} value={<span data-testid="tile-hit-rate">{k.totals.hitRate === null ? '—' : fmt.pct(k.totals.hitRate)}</span>} note={t('kc.tile.hitRateNote', { hits: fmt.int(k.totals.hits), controls: fmt.int(k.totals.controls), seizures: fmt.int(k.totals.seizures) })} />
        <Tile label={t('kc.tile.revenue')} value={<span data-testid="tile-revenue">{fmt.money(k.totals.extraRevenueUsd)}</span>} />
        <Tile label={t('kc.tile.compliance')} value={r.complianceRate === null ? '—' : fmt.pct(r.complianceRate)} note={r.ci95 ? t('kc.tile.complianceNote', { lo: fmt.pct(r.ci95[0]), hi: fmt.pct(r.ci95[1]), n: fmt.int(r.controls) }) : t('kc.tile.noRandom')} />
        <Tile label={t('kc.tile.open')} value={fmt.int(k.open)} tone={k.open > 0 ? 'warn' : 'ok'} />
      </div>
      {k.totals.controls === 0 ? (
        <Empty>{t('kc.noData')}</Empty>
      ) : (
        <>
          <div className="grid grid-2">
            <Panel title={t('kc.chart.hitRate')} id="chart-hit-rate">
              <Chart testId="hit-rate" option={charts.hitRate} label={t('dash.chartSummary', { title: t('kc.chart.hitRate'), summary: `${fmt.int(k.totals.hits)} / ${fmt.int(k.totals.controls)} (${fmt.pct(k.totals.hitRate ?? 0)})` })} />
            </Panel>
            <Panel title={t('kc.chart.revenue')} id="chart-revenue">
              <Chart testId="revenue" option={charts.revenue} label={t('dash.chartSummary', { title: t('kc.chart.revenue'), summary: fmt.money(k.totals.extraRevenueUsd) })} />
            </Panel>
          </div>
          <div className="grid grid-2">
            <Panel title={t('kc.chart.byChannel')} id="chart-controls-channel">
              <Chart testId="controls-channel" option={charts.byChannel} height={Math.max(180, k.byChannel.length * 46 + 60)} label={t('dash.chartSummary', { title: t('kc.chart.byChannel'), summary: k.byChannel.map((c) => `${t(`channel.${c.channel as Channel}`)} ${c.hits}/${c.controls}`).join(', ') })} />
            </Panel>
            {k.release.length > 0 && (
              <Panel title={t('kc.chart.release')} id="chart-release">
                <Chart testId="release" option={charts.release} height={Math.max(180, k.release.length * 50 + 60)} label={t('dash.chartSummary', { title: t('kc.chart.release'), summary: k.release.map((x) => `${t(`channel.${x.channel as Channel}`)} ${fmt.dec(x.medianHours ?? 0)} h`).join(', ') })} />
                <p className="muted small">{t('kc.releaseNote')}</p>
              </Panel>
            )}
          </div>
          {charts.complianceOffices.length > 0 && (
            <Panel title={t('kc.chart.compliance')} id="chart-compliance">
              <Chart testId="compliance" option={charts.compliance} height={Math.max(200, charts.complianceOffices.length * 34 + 60)} label={t('dash.chartSummary', { title: t('kc.chart.compliance'), summary: charts.complianceOffices.map((o) => `${officeName(o.office)} ${fmt.pct(o.random.complianceRate ?? 0)}`).join(', ') })} />
              <p className="muted small">{t('kc.complianceNote')}</p>
            </Panel>
          )}
        </>
      )}
      <span className="sr-only">{tk('country', k.country)}</span>
    </section>
  );
}

/** Channel targets of the administration and its offices (PUT /api/v1/kpi/targets/:country). */
export function TargetsEditor({ country, onSaved }: { country: string; onSaved: () => void }) {
  const { t } = useI18n();
  const fmt = useFormat(country);
  const { officeName } = useReference();
  const state = useApi<AllTargets>(withQuery('/api/v1/kpi/targets', { country }));
  const [office, setOffice] = useState('');
  const [red, setRed] = useState('');
  const [yellow, setYellow] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const current = state.data ? (office && state.data.offices[office]) || state.data.default : null;
  const pick = (o: string) => {
    setOffice(o);
    setRed('');
    setYellow('');
    setDone(false);
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    setDone(false);
    try {
      await api(`/api/v1/kpi/targets/${country}`, { method: 'PUT', body: { office: office || null, red: Number(red || (current!.red * 100).toFixed(1)) / 100, yellow: Number(yellow || (current!.yellow * 100).toFixed(1)) / 100 } });
      setDone(true);
      state.reload();
      onSaved();
    } catch (x) {
      setFailure(x);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel title={t('targets.title')} id="targets">
      {state.error ? (
        <ErrorBox error={state.error} onRetry={state.reload} />
      ) : !state.data || !current ? (
        <Loading />
      ) : (
        <form className="targets-form" onSubmit={(e) => void save(e)} data-testid="targets-form">
          <p className="muted small">{t('targets.intro')}</p>
          <div className="form-row">
            <OfficeSelect country={country} value={office} onChange={pick} id="t-office" />
            <div className="field field-narrow">
              <label htmlFor="t-red">{t('targets.red')}</label>
              <input id="t-red" type="number" min={0} max={100} step="0.5" inputMode="decimal" value={red} placeholder={(current.red * 100).toFixed(1)} onChange={(e) => setRed(e.target.value)} />
            </div>
            <div className="field field-narrow">
              <label htmlFor="t-yellow">{t('targets.yellow')}</label>
              <input id="t-yellow" type="number" min={0} max={100} step="0.5" inputMode="decimal" value={yellow} placeholder={(current.yellow * 100).toFixed(1)} onChange={(e) => setYellow(e.target.value)} />
            </div>
            <div className="filter-actions">
              <button type="submit" className="btn btn-primary" disabled={busy} data-testid="save-targets">
                {t('targets.save')}
              </button>
            </div>
          </div>
          <p className="small">
            {t('targets.current', { scope: office ? officeName(office) : t('targets.default'), red: fmt.pct(current.red), yellow: fmt.pct(current.yellow) })}
            {Object.keys(state.data.offices).length > 0 && ` · ${t('targets.officesSet', { list: Object.entries(state.data.offices).map(([o, v]) => `${officeName(o)} ${fmt.pct(v.red)}/${fmt.pct(v.yellow)}`).join(', ') })}`}
          </p>
          {failure !== null && <ErrorBox error={failure} />}
          {done && (
            <p className="notice notice-ok" role="status" data-testid="targets-saved">
              {t('targets.saved')}
            </p>
          )}
        </form>
      )}
    </Panel>
  );
}
