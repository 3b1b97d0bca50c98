import { useMemo } from 'react';
import { withQuery } from '../api/client.ts';
import { CHANNELS, type AlertSummary, type Overview } from '../api/types.ts';
import { can } from '../app/access.ts';
import { todayIn, useFormat } from '../app/format.ts';
import { useReference } from '../app/reference.tsx';
import { useRouter } from '../app/router.tsx';
import { useSession } from '../app/session.tsx';
import { useApi } from '../app/useApi.ts';
import { CHANNEL_COLORS } from '../components/Badges.tsx';
import { Chart } from '../components/Chart.tsx';
import { ControlsDashboard, TargetsEditor } from '../components/ControlsDashboard.tsx';
import type { EChartsOption } from '../components/echarts.ts';
import { CountrySelect, FilterBar, OfficeSelect, TextField } from '../components/Filters.tsx';
import { PageHeader, Panel, Tile } from '../components/Layout.tsx';
import { Async, Empty, ErrorBox, Loading } from '../components/States.tsx';
import { useI18n } from '../i18n/index.tsx';

const AXIS = { axisLine: { lineStyle: { color: '#9aa5b1' } }, axisLabel: { color: '#52606d' }, splitLine: { lineStyle: { color: '#e4e7eb' } } };
const TOOLTIP = { trigger: 'axis' as const, confine: true };

export function Dashboard() {
  const { t, tk } = useI18n();
  const { session } = useSession();
  const { query, navigate } = useRouter();
  const role = session!.user.role;
  const regional = role === 'regional_analyst';
  const country = (regional && query.get('country')) || session!.user.country;
  const office = query.get('office') ?? '';
  const from = query.get('from') ?? '';
  const to = query.get('to') ?? '';
  const fmt = useFormat(country);
  const { officeName } = useReference();

  const overview = useApi<Overview>(withQuery('/api/v1/kpi/overview', { country: regional ? country : undefined, office, from, to }));
  const alerts = useApi<AlertSummary>(can(role, 'transitAlerts') ? withQuery('/api/v1/kpi/alerts', { country: regional ? country : undefined }) : null);

  const apply = (v: Record<string, string>) => navigate(withQuery('/', { country: regional ? v.country : undefined, office: v.office, from: v.from, to: v.to }), { replace: true });

  const o = overview.data;
  const charts = useMemo(() => (o ? buildCharts(o, t, fmt, officeName) : null), [o, t, fmt, officeName]);
  const share = (n: number) => (o && o.totals.total ? n / o.totals.total : 0);
  const redShare = o ? share(o.totals.red) : 0;
  const yellowShare = o ? share(o.totals.yellow) : 0;

  return (
    <>
      <PageHeader title={t('dash.title')} subtitle={o ? t('dash.subtitle', { country: `${tk('country', o.country)}${o.office ? ` · ${officeName(o.office)}` : ''}`, from: fmt.date(`${o.from}T12:00:00Z`), to: fmt.date(`${o.to}T12:00:00Z`), tz: o.timeZone }) : undefined} />
      <FilterBar key={`${country}|${office}|${from}|${to}|${o?.from ?? ''}`} initial={{ country, office, from: from || o?.from || '', to: to || o?.to || '' }} onApply={apply} testId="dashboard-filters">
        {(v, set) => (
          <>
            {regional && <CountrySelect value={v.country} onChange={(c) => (set('country', c), set('office', ''))} />}
            <OfficeSelect country={regional ? v.country || country : country} value={v.office} onChange={(x) => set('office', x)} />
            <TextField id="f-from" type="date" label={t('filter.from')} value={v.from} onChange={(x) => set('from', x)} />
            <TextField id="f-to" type="date" label={t('filter.to')} value={v.to} onChange={(x) => set('to', x)} />
          </>
        )}
      </FilterBar>

      {overview.error ? (
        <ErrorBox error={overview.error} onRetry={overview.reload} />
      ) : !o || !charts ? (
        <Loading />
      ) : (
        <>
          <div className="tiles" data-testid="kpi-tiles">
            <Tile label={t('dash.tile.declarations')} value={fmt.int(o.totals.total)} note={`${fmt.date(`${o.from}T12:00:00Z`)} – ${fmt.date(`${o.to}T12:00:00Z`)}`} />
            <Tile label={t('dash.tile.red')} value={fmt.pct(redShare)} note={`${t('dash.tile.target', { value: fmt.pct(o.targets.red) })} · ${redShare > o.targets.red ? t('dash.tile.overTarget') : t('dash.tile.withinTarget')}`} tone={o.totals.total === 0 ? undefined : redShare > o.targets.red ? 'bad' : 'ok'} />
            <Tile label={t('dash.tile.yellow')} value={fmt.pct(yellowShare)} note={`${t('dash.tile.target', { value: fmt.pct(o.targets.yellow) })} · ${yellowShare > o.targets.yellow ? t('dash.tile.overTarget') : t('dash.tile.withinTarget')}`} tone={o.totals.total === 0 ? undefined : yellowShare > o.targets.yellow ? 'warn' : 'ok'} />
            {can(role, 'transitAlerts') && <Tile label={t('dash.tile.alerts')} value={alerts.data ? fmt.int(alerts.data.open) : '…'} tone={alerts.data && alerts.data.open > 0 ? 'warn' : undefined} />}
          </div>
          {o.totals.total === 0 ? (
            <Empty>{t('dash.noData')}</Empty>
          ) : (
            <>
              <div className="grid grid-2">
                <Panel title={t('dash.chart.perDay')} id="chart-per-day">
                  <Chart testId="per-day" option={charts.perDay} label={charts.perDayLabel} />
                </Panel>
                <Panel title={t('dash.chart.shares')} id="chart-shares">
                  <Chart testId="shares" option={charts.shares} label={charts.sharesLabel} />
                  {charts.partialDay && (
                    <p className="muted small" data-testid="partial-day-note">
                      {t('dash.partialNote', { day: charts.partialDay })}
                    </p>
                  )}
                </Panel>
              </div>
              <div className="grid grid-2">
                {!o.office && (
                  <Panel title={t('dash.chart.offices')} id="chart-offices">
                    <Chart testId="offices" option={charts.offices} label={charts.officesLabel} height={Math.max(260, Math.min(o.offices.length, 12) * 34 + 70)} onClick={(p) => {
                      const code = o.offices.find((x) => officeName(x.office) === p.name || x.office === p.name)?.office;
                      if (code) apply({ country, office: code, from: o.from, to: o.to });
                    }} />
                  </Panel>
                )}
                <div className="stack">
                  <Panel title={t('dash.chart.mix')} id="chart-mix">
                    <Chart testId="mix" option={charts.mix} label={charts.mixLabel} height={240} />
                  </Panel>
                  {can(role, 'transitAlerts') && <AlertsPanel alerts={alerts} />}
                </div>
              </div>
            </>
          )}
        </>
      )}
      {o && o.totals.total === 0 && can(role, 'transitAlerts') && <AlertsPanel alerts={alerts} />}
      {o && <ControlsDashboard key={`${o.country}|${o.office ?? ''}|${o.from}|${o.to}`} country={o.country} office={o.office ?? ''} from={o.from} to={o.to} regional={regional} />}
      {o && can(role, 'targets') && o.country === session!.user.country && <TargetsEditor country={o.country} onSaved={overview.reload} />}
    </>
  );
}

function AlertsPanel({ alerts }: { alerts: ReturnType<typeof useApi<AlertSummary>> }) {
  const { t, tk } = useI18n();
  return (
    <Panel title={t('dash.chart.alerts')} id="chart-alerts">
      <Async state={alerts} isEmpty={(a) => a.open === 0} empty={t('dash.noAlerts')}>
        {(a) => <Chart testId="alerts" option={alertsChart(a, tk)} label={`${t('dash.chart.alerts')}: ${a.byKind.map((k) => `${tk('alert', k.kind)} ${k.count}`).join(', ')}`} height={Math.max(160, a.byKind.length * 30 + 40)} />}
      </Async>
    </Panel>
  );
}

type T = ReturnType<typeof useI18n>['t'];
type Fmt = ReturnType<typeof useFormat>;

/** A top for a percentage axis that shows the data and every target line (a mark line off the axis is not drawn). */
function pctTop(dataMax: number, ...targets: number[]): number {
  const top = Math.max(dataMax, ...targets.map((x) => x * 100), 1);
  const step = top <= 20 ? 5 : 10;
  return Math.min(100, Math.ceil((top * 1.1) / step) * step);
}

/** Day labels: a partial day's label has a second line, "(in progress)". */
const DAY_LABEL = { ...AXIS.axisLabel, lineHeight: 15 };

/** A day not over yet (today in the administration's zone): drawn lighter and hatched, kept out of the share lines. */
const PARTIAL_STYLE = { opacity: 0.45, decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: -Math.PI / 4, color: 'rgba(255, 255, 255, 0.7)' } };

function buildCharts(o: Overview, t: T, fmt: Fmt, officeName: (c: string) => string) {
  const today = todayIn(o.timeZone);
  const partial = o.days.findIndex((d) => d.date === today);
  const days = o.days.map((d, i) => (i === partial ? `${fmt.day(d.date)}\n(${t('dash.partial')})` : fmt.day(d.date)));
  const perDay: EChartsOption = {
    tooltip: TOOLTIP,
    legend: { bottom: 0, icon: 'roundRect' },
    grid: { left: 48, right: 16, top: 16, bottom: partial >= 0 ? 68 : 56 },
    xAxis: { type: 'category', data: days, ...AXIS, axisLabel: DAY_LABEL },
    yAxis: { type: 'value', minInterval: 1, ...AXIS },
    series: CHANNELS.map((c) => ({ name: t(`channel.${c}`), type: 'bar', stack: 'all', barMaxWidth: 36, itemStyle: { color: CHANNEL_COLORS[c] }, data: o.days.map((d, i) => (i === partial ? { value: d[c], itemStyle: PARTIAL_STYLE } : d[c])) })),
  };
  const ratio = (n: number, d: number) => (d ? +((n / d) * 100).toFixed(2) : null);
  // a day not over is left out of the lines: its share is not a day's share yet
  const dayRatio = (c: 'red' | 'yellow') => o.days.map((d, i) => (i === partial ? null : ratio(d[c], d.total)));
  const shares: EChartsOption = {
    tooltip: { ...TOOLTIP, valueFormatter: (v: unknown) => (v == null ? '—' : `${(v as number).toFixed(1)} %`) },
    legend: { bottom: 0, icon: 'roundRect' },
    grid: { left: 48, right: 24, top: 16, bottom: partial >= 0 ? 68 : 56 },
    xAxis: { type: 'category', data: days, ...AXIS, axisLabel: DAY_LABEL },
    yAxis: { type: 'value', axisLabel: { color: '#52606d', formatter: '{value} %' }, splitLine: AXIS.splitLine, min: 0, max: (v: { max: number }) => pctTop(v.max, o.targets.red, o.targets.yellow) },
    series: [
      { name: t('dash.series.redShare'), type: 'line', smooth: false, symbolSize: 6, connectNulls: true, itemStyle: { color: CHANNEL_COLORS.red }, lineStyle: { width: 2.5 }, data: dayRatio('red'), markLine: { silent: true, symbol: 'none', label: { formatter: `${t('dash.series.redTarget')} ${fmt.pct(o.targets.red)}`, position: 'insideEndTop', color: CHANNEL_COLORS.red }, lineStyle: { type: 'dashed', color: CHANNEL_COLORS.red, width: 1.5 }, data: [{ yAxis: o.targets.red * 100 }] } },
      { name: t('dash.series.yellowShare'), type: 'line', smooth: false, symbolSize: 6, connectNulls: true, itemStyle: { color: CHANNEL_COLORS.yellow }, lineStyle: { width: 2.5 }, data: dayRatio('yellow'), markLine: { silent: true, symbol: 'none', label: { formatter: `${t('dash.series.yellowTarget')} ${fmt.pct(o.targets.yellow)}`, position: 'insideEndTop', color: '#9a6a0c' }, lineStyle: { type: 'dashed', color: CHANNEL_COLORS.yellow, width: 1.5 }, data: [{ yAxis: o.targets.yellow * 100 }] } },
    ],
  };
  const mix: EChartsOption = {
    tooltip: { trigger: 'item', confine: true },
    legend: { bottom: 0, icon: 'roundRect' },
    series: [
      {
        type: 'pie',
        radius: ['45%', '72%'],
        center: ['50%', '45%'],
        avoidLabelOverlap: true,
        itemStyle: { borderColor: '#fff', borderWidth: 2 },
        label: { formatter: '{b}: {d} %', color: '#323f4b' },
        data: CHANNELS.filter((c) => o.totals[c] > 0).map((c) => ({ name: t(`channel.${c}`), value: o.totals[c], itemStyle: { color: CHANNEL_COLORS[c] } })),
      },
    ],
  };
  const top = o.offices.slice(0, 12).reverse();
  const names = top.map((x) => officeName(x.office));
  const offices: EChartsOption = {
    tooltip: { ...TOOLTIP, valueFormatter: (v: unknown) => (v == null ? '—' : `${(v as number).toFixed(1)} %`) },
    legend: { bottom: 0, icon: 'roundRect' },
    grid: { left: 8, right: 24, top: 8, bottom: 48, containLabel: true },
    yAxis: { type: 'category', data: names, axisLabel: { color: '#323f4b', width: 170, overflow: 'truncate' }, axisLine: AXIS.axisLine },
    xAxis: { type: 'value', axisLabel: { color: '#52606d', formatter: '{value} %' }, splitLine: AXIS.splitLine },
    series: [
      { name: t('dash.series.redShare'), type: 'bar', barGap: '10%', barMaxWidth: 12, itemStyle: { color: CHANNEL_COLORS.red }, data: top.map((x) => ratio(x.red, x.total)) },
      { name: t('dash.series.yellowShare'), type: 'bar', barMaxWidth: 12, itemStyle: { color: CHANNEL_COLORS.yellow }, data: top.map((x) => ratio(x.yellow, x.total)) },
      { name: t('dash.series.redTarget'), type: 'scatter', symbol: 'rect', symbolSize: [3, 16], symbolOffset: [0, -7], itemStyle: { color: '#7f1d1d' }, data: top.map((x) => x.targets.red * 100) },
      { name: t('dash.series.yellowTarget'), type: 'scatter', symbol: 'rect', symbolSize: [3, 16], symbolOffset: [0, 7], itemStyle: { color: '#8a5a00' }, data: top.map((x) => x.targets.yellow * 100) },
    ],
  };
  const pct = (c: 'red' | 'yellow') => fmt.pct(o.totals.total ? o.totals[c] / o.totals.total : 0);
  return {
    partialDay: partial >= 0 ? fmt.day(o.days[partial].date) : null,
    perDay,
    perDayLabel: t('dash.chartSummary', { title: t('dash.chart.perDay'), summary: `${fmt.int(o.totals.total)} · ${CHANNELS.map((c) => `${t(`channel.${c}`)} ${fmt.int(o.totals[c])}`).join(', ')}` }),
    shares,
    sharesLabel: t('dash.chartSummary', { title: t('dash.chart.shares'), summary: `${t('dash.series.redShare')} ${pct('red')} (${t('dash.series.redTarget')} ${fmt.pct(o.targets.red)}), ${t('dash.series.yellowShare')} ${pct('yellow')} (${t('dash.series.yellowTarget')} ${fmt.pct(o.targets.yellow)})` }),
    mix,
    mixLabel: t('dash.chartSummary', { title: t('dash.chart.mix'), summary: CHANNELS.map((c) => `${t(`channel.${c}`)} ${fmt.int(o.totals[c])}`).join(', ') }),
    offices,
    officesLabel: t('dash.chartSummary', { title: t('dash.chart.offices'), summary: o.offices.slice(0, 12).map((x) => `${officeName(x.office)} ${fmt.pct(x.total ? x.red / x.total : 0)}`).join(', ') }),
  };
}

function alertsChart(a: AlertSummary, tk: ReturnType<typeof useI18n>['tk']): EChartsOption {
  const rows = [...a.byKind].reverse();
  return {
    tooltip: { trigger: 'axis', confine: true },
    grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
    yAxis: { type: 'category', data: rows.map((r) => tk('alert', r.kind)), axisLabel: { color: '#323f4b' }, axisLine: AXIS.axisLine },
    xAxis: { type: 'value', minInterval: 1, axisLabel: { color: '#52606d' }, splitLine: AXIS.splitLine },
    series: [{ type: 'bar', barMaxWidth: 18, itemStyle: { color: '#b4532a', borderRadius: [0, 4, 4, 0] }, label: { show: true, position: 'right', color: '#323f4b' }, data: rows.map((r) => r.count) }],
  };
}
