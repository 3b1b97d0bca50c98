import { useMemo } from 'react';
import type { Alert, Movement, Office } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { Chart } from './Chart.tsx';
import { REGION_MAP, type EChartsOption } from './echarts.ts';

const ADMINS = ['GT', 'SV', 'HN', 'NI', 'CR', 'PA', 'DO'];
export const KIND_COLORS: Record<Office['kind'], string> = { seaport: '#2f6fc0', land_border: '#52606d', inland: '#8a6d3b', airport: '#7a5ea8' };
const STATUS_COLORS: Record<Movement['status'], string> = { in_transit: '#1f6feb', declared: '#7b8794', arrived: '#9aa5b1', cancelled: '#bcccdc' };
const ALERT_COLOR = '#c8372d';

/** What ECharts hands the tooltip formatter: the series and the data item hovered (routes, offices, track points, alerts). */
interface MapTooltipParams {
  seriesType?: string;
  seriesId?: string;
  data: { name: string; code: string; kind: string; label: string; alerts: Alert[] };
}

export interface TrackPoint {
  lon: number;
  lat: number;
  label: string;
}

/**
 * The region drawn offline (world-atlas), with the customs offices, the transits' planned routes
 * and the open alerts where they happened. `focus` draws one transit's route and track larger.
 */
export function RegionMap({ offices, movements, alerts, focus, track, height = 460, onMovement, label }: { offices: Office[]; movements: Movement[]; alerts: Alert[]; focus?: Movement; track?: TrackPoint[]; height?: number; onMovement?: (id: string) => void; label: string }) {
  const { t, tk, lang } = useI18n();
  const option = useMemo<EChartsOption>(() => {
    const pos = new Map(offices.filter((o) => o.lat !== undefined && o.lon !== undefined).map((o) => [o.code, [o.lon!, o.lat!] as [number, number]]));
    const alerted = new Set(alerts.map((a) => a.movementId).filter(Boolean));
    const routeOf = (m: Movement) => [m.officeOfDeparture, ...m.route, m.officeOfDestination].map((c) => pos.get(c)).filter((p): p is [number, number] => !!p);
    const shown = focus ? [focus] : movements;
    const lines = shown
      .map((m) => ({ m, coords: routeOf(m) }))
      .filter((x) => x.coords.length >= 2)
      .map(({ m, coords }) => ({
        name: `${m.country}/${m.reference}`,
        movementId: m.id,
        coords,
        lineStyle: { color: alerted.has(m.id) ? ALERT_COLOR : STATUS_COLORS[m.status], width: focus ? 3 : alerted.has(m.id) ? 2 : 1.2, opacity: focus ? 0.9 : alerted.has(m.id) ? 0.85 : 0.45, type: m.status === 'cancelled' ? ('dashed' as const) : ('solid' as const) },
      }));
    // alerts where they happened (the office named in the alert), else at the transit's office of departure
    const byMovement = new Map(movements.map((m) => [m.id, m]));
    const points = new Map<string, { value: [number, number]; alerts: Alert[] }>();
    for (const a of alerts) {
      const office = (a.params.office as string | undefined) ?? (a.movementId ? byMovement.get(a.movementId)?.officeOfDeparture : undefined);
      const p = office ? pos.get(office) : undefined;
      if (!p) continue;
      const k = p.join(',');
      const e = points.get(k) ?? { value: p, alerts: [] };
      e.alerts.push(a);
      points.set(k, e);
    }
    const officeData = offices
      .filter((o) => pos.has(o.code))
      .map((o) => ({ name: o.name, code: o.code, value: pos.get(o.code)!, itemStyle: { color: KIND_COLORS[o.kind] }, kind: o.kind }));
    return {
      tooltip: {
        trigger: 'item',
        confine: true,
        formatter: (p: MapTooltipParams) => {
          if (p.seriesType === 'lines') return `${t('transit.col.reference')}: ${p.data.name}`;
          if (p.seriesId === 'alerts') return (p.data.alerts as Alert[]).slice(0, 4).map((a) => `<b>${tk('alert', a.kind)}</b> · ${tk('severity', a.severity)}<br/>${escapeHtml(a.message[lang])}`).join('<br/><br/>') + (p.data.alerts.length > 4 ? `<br/>… +${p.data.alerts.length - 4}` : '');
          if (p.seriesId === 'track') return escapeHtml(p.data.label);
          return `<b>${escapeHtml(p.data.name)}</b> (${p.data.code})<br/>${tk('kind', p.data.kind)}`;
        },
      },
      geo: {
        map: REGION_MAP,
        roam: true,
        boundingCoords: focus ? undefined : [[-93.2, 19.6], [-67.8, 6.8]],
        top: 4,
        bottom: 4,
        left: 4,
        right: 4,
        aspectScale: 0.95,
        scaleLimit: { min: 0.8, max: 12 },
        silent: true,
        label: { show: false },
        itemStyle: { areaColor: '#f1f4f8', borderColor: '#b8c4d0', borderWidth: 0.8 },
        regions: ADMINS.map((c) => ({ name: c, itemStyle: { areaColor: '#dde6ef', borderColor: '#8a9bb0', borderWidth: 1 } })),
        ...(focus ? focusView(routeOf(focus)) : {}),
      },
      series: [
        { id: 'routes', type: 'lines', coordinateSystem: 'geo', polyline: true, data: lines, silent: !onMovement, zlevel: 1 },
        { id: 'offices', type: 'scatter', coordinateSystem: 'geo', symbolSize: focus ? 6 : 5, data: officeData, zlevel: 2 },
        ...(track?.length ? [{ id: 'track', type: 'scatter', coordinateSystem: 'geo', symbol: 'circle', symbolSize: 9, itemStyle: { color: '#0f2a44', borderColor: '#fff', borderWidth: 1.5 }, data: track.map((p) => ({ value: [p.lon, p.lat], label: p.label })), zlevel: 3 }] : []),
        { id: 'alerts', type: 'effectScatter', coordinateSystem: 'geo', rippleEffect: { scale: 3, brushType: 'stroke' }, symbolSize: (v: unknown, p: { data: { alerts: Alert[] } }) => Math.min(9 + 2 * Math.log2(p.data.alerts.length), 18), itemStyle: { color: ALERT_COLOR }, data: [...points.values()], zlevel: 4 },
      ],
    } as EChartsOption;
  }, [offices, movements, alerts, focus, track, t, tk, lang, onMovement]);

  return (
    <div className="map-wrap" data-testid="region-map">
      <Chart option={option} label={label} height={height} testId="map" onClick={(p) => { const id = (p as { data?: { movementId?: string } }).data?.movementId; if (onMovement && id) onMovement(id); }} />
      <ul className="legend" aria-hidden="true">
        {(Object.keys(KIND_COLORS) as Office['kind'][]).map((k) => (
          <li key={k}>
            <span className="legend-dot" style={{ background: KIND_COLORS[k] }} />
            {tk('kind', k)}
          </li>
        ))}
        <li>
          <span className="legend-line" style={{ background: STATUS_COLORS.in_transit }} />
          {tk('status', 'in_transit')}
        </li>
        <li>
          <span className="legend-line" style={{ background: ALERT_COLOR }} />
          {t('transit.legend.alerts')}
        </li>
      </ul>
    </div>
  );
}

function focusView(coords: [number, number][]) {
  if (!coords.length) return {};
  const lons = coords.map((c) => c[0]);
  const lats = coords.map((c) => c[1]);
  const pad = 1.2;
  return { boundingCoords: [[Math.min(...lons) - pad, Math.max(...lats) + pad], [Math.max(...lons) + pad, Math.min(...lats) - pad]] };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
