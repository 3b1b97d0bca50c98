import { useEffect, useMemo, useState } from 'react';
import { api, withQuery } from '../api/client.ts';
import type { Alert, Movement } from '../api/types.ts';
import { can } from '../app/access.ts';
import { useFormat } from '../app/format.ts';
import { useReference } from '../app/reference.tsx';
import { Link, useRouter } from '../app/router.tsx';
import { useSession } from '../app/session.tsx';
import { useApi } from '../app/useApi.ts';
import { AlertList, sortAlerts } from '../components/AlertList.tsx';
import { StatusBadge } from '../components/Badges.tsx';
import { FilterBar, SelectField } from '../components/Filters.tsx';
import { PageHeader, Panel } from '../components/Layout.tsx';
import { RegionMap } from '../components/RegionMap.tsx';
import { Async, Empty, ErrorBox, Loading } from '../components/States.tsx';
import { useI18n } from '../i18n/index.tsx';

const KINDS = ['overdue', 'skipped_checkpoint', 'off_route_crossing', 'seal_tampered', 'weight_mismatch', 'impossible_travel', 'cloned_tag', 'never_closed', 'discharged_not_declared', 'declared_not_discharged', 'manifest_discharge_mismatch'];
const SEVERITIES = ['critical', 'high', 'medium', 'low'];
const STATUSES = ['declared', 'in_transit', 'arrived', 'cancelled'];

/** Open alerts: the most severe first. Without a severity filter, each severity is asked for apart so that the few critical ones are never crowded out. */
function useAlerts(enabled: boolean, kind: string, severity: string) {
  const [state, setState] = useState<{ data?: Alert[]; error?: unknown }>({});
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    const ctl = new AbortController();
    setState({});
    const sev = severity ? [severity] : SEVERITIES;
    Promise.all(sev.map((s) => api<{ items: Alert[] }>(withQuery('/api/v1/transit/alerts', { kind, severity: s, limit: 300 }), { signal: ctl.signal }))).then(
      (rs) => setState({ data: sortAlerts(rs.flatMap((r) => r.items).filter((a) => a.status === 'open')) }),
      (error) => (error as Error).name !== 'AbortError' && setState({ error }),
    );
    return () => ctl.abort();
  }, [enabled, kind, severity, tick]);
  return { ...state, loading: !state.data && !state.error, reload: () => setTick((n) => n + 1) };
}

export function Transit() {
  const { t, tk } = useI18n();
  const { session } = useSession();
  const { query, navigate } = useRouter();
  const { offices, officeName } = useReference();
  const fmt = useFormat();
  const role = session!.user.role;
  const seesAlerts = can(role, 'transitAlerts');
  const f = { status: query.get('status') ?? '', kind: query.get('kind') ?? '', severity: query.get('severity') ?? '' };
  const movements = useApi<{ items: Movement[] }>(withQuery('/api/v1/transit/movements', { status: f.status, limit: 300 }));
  const alerts = useAlerts(seesAlerts, f.kind, f.severity);
  const [shownMovements, setShownMovements] = useState(25);
  const [shownAlerts, setShownAlerts] = useState(30);
  const alertsByMovement = useMemo(() => {
    const m = new Map<string, number>();
    for (const a of alerts.data ?? []) if (a.movementId) m.set(a.movementId, (m.get(a.movementId) ?? 0) + 1);
    return m;
  }, [alerts.data]);

  const apply = (v: Record<string, string>) => navigate(withQuery('/transit', v), { replace: true });
  const mv = movements.data?.items ?? [];
  const al = alerts.data ?? [];

  return (
    <>
      <PageHeader title={t('transit.title')} subtitle={t('transit.subtitle')} />
      <FilterBar key={JSON.stringify(f)} initial={f} onApply={apply} testId="transit-filters">
        {(v, set) => (
          <>
            <SelectField id="f-status" label={t('filter.status')} value={v.status} onChange={(x) => set('status', x)} allLabel={t('filter.allStatuses')} options={STATUSES.map((s) => ({ value: s, label: tk('status', s) }))} />
            {seesAlerts && <SelectField id="f-kind" label={t('transit.legend.alerts')} value={v.kind} onChange={(x) => set('kind', x)} allLabel={t('filter.allSeverities')} options={KINDS.map((k) => ({ value: k, label: tk('alert', k) }))} />}
            {seesAlerts && <SelectField id="f-severity" label={t('filter.severity')} value={v.severity} onChange={(x) => set('severity', x)} allLabel={t('filter.allSeverities')} options={SEVERITIES.map((s) => ({ value: s, label: tk('severity', s) }))} />}
          </>
        )}
      </FilterBar>

      <div className={seesAlerts ? 'grid grid-map' : 'grid grid-1'}>
        <Panel title={t('transit.map')} id="map">
          {movements.error ? (
            <ErrorBox error={movements.error} onRetry={movements.reload} />
          ) : !movements.data || offices.length === 0 ? (
            <Loading />
          ) : (
            <RegionMap offices={offices} movements={mv} alerts={al} onMovement={(id) => navigate(`/transit/movements/${id}`)} label={t('transit.mapLabel', { offices: offices.length, movements: mv.length, alerts: al.length })} height={480} />
          )}
        </Panel>
        {seesAlerts && (
          <Panel title={t('transit.alerts')} id="alerts" actions={alerts.data ? <span className="count">{t('transit.alertsCount', { count: fmt.int(al.length) })}</span> : undefined} className="panel-scroll">
            {alerts.error ? (
              <ErrorBox error={alerts.error} onRetry={alerts.reload} />
            ) : alerts.loading ? (
              <Loading />
            ) : al.length === 0 ? (
              <Empty>{t('transit.noAlerts')}</Empty>
            ) : (
              <>
                <AlertList alerts={al.slice(0, shownAlerts)} />
                {al.length > shownAlerts && (
                  <button type="button" className="btn btn-block" onClick={() => setShownAlerts((n) => n + 30)}>
                    {t('queue.more')}
                  </button>
                )}
              </>
            )}
          </Panel>
        )}
      </div>

      <Panel title={t('transit.movements')} id="movements">
        <Async state={movements} isEmpty={(d) => d.items.length === 0} empty={t('transit.noMovements')}>
          {(d) => (
            <div className="table-wrap">
              <table className="table" data-testid="movements-table">
                <thead>
                  <tr>
                    <th scope="col">{t('transit.col.reference')}</th>
                    <th scope="col">{t('transit.col.route')}</th>
                    <th scope="col">{t('transit.col.countries')}</th>
                    <th scope="col">{t('transit.col.status')}</th>
                    <th scope="col">{t('transit.col.departure')}</th>
                    <th scope="col">{t('transit.col.limit')}</th>
                    {seesAlerts && <th scope="col" className="num">{t('transit.legend.alerts')}</th>}
                  </tr>
                </thead>
                <tbody>
                  {d.items.slice(0, shownMovements).map((m) => (
                    <tr key={m.id}>
                      <td className="nowrap">
                        <Link to={`/transit/movements/${m.id}`} className="strong">
                          {m.country}/{m.reference}
                        </Link>
                        {m.receivedFrom && (
                          <>
                            {' '}
                            <span className="badge" data-testid="partner-movement" title={t('transit.receivedFromTitle', { country: tk('country', m.receivedFrom) })}>
                              {t('transit.receivedFrom', { country: m.receivedFrom })}
                            </span>
                          </>
                        )}
                      </td>
                      <td>
                        {officeName(m.officeOfDeparture)} → {officeName(m.officeOfDestination)}
                      </td>
                      <td className="nowrap">{m.countries.join(' → ')}</td>
                      <td>
                        <StatusBadge status={m.status} />
                      </td>
                      <td className="nowrap">{fmt.dateTime(m.departureAt)}</td>
                      <td className="nowrap" title={t((m as { timeLimitSource?: string }).timeLimitSource === 'declared' ? 'transit.limitDeclared' : 'transit.limitProposed')}>
                        {fmt.dateTime(m.timeLimit)}
                      </td>
                      {seesAlerts && <td className="num">{alertsByMovement.get(m.id) ? <span className="badge severity-high">{alertsByMovement.get(m.id)}</span> : '—'}</td>}
                    </tr>
                  ))}
                </tbody>
              </table>
              {d.items.length > shownMovements && (
                <div className="table-foot">
                  <span className="muted">
                    {fmt.int(shownMovements)} / {fmt.int(d.items.length)}
                  </span>
                  <button type="button" className="btn" onClick={() => setShownMovements((n) => n + 25)}>
                    {t('queue.more')}
                  </button>
                </div>
              )}
            </div>
          )}
        </Async>
      </Panel>
    </>
  );
}
