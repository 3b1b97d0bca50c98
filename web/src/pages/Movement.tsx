import { useMemo } from 'react';
import type { Alert, Movement, MovementDetail, TransitEvent } from '../api/types.ts';
import { can } from '../app/access.ts';
import { useFormat } from '../app/format.ts';
import { useReference } from '../app/reference.tsx';
import { Link } from '../app/router.tsx';
import { useSession } from '../app/session.tsx';
import { useApi } from '../app/useApi.ts';
import { AlertList, sortAlerts } from '../components/AlertList.tsx';
import { StatusBadge } from '../components/Badges.tsx';
import { Facts, PageHeader, Panel } from '../components/Layout.tsx';
import { RegionMap, type TrackPoint } from '../components/RegionMap.tsx';
import { Empty, ErrorBox, Loading } from '../components/States.tsx';
import { useI18n } from '../i18n/index.tsx';

/** What the API adds for trustworthy alerts: the limit's source, and the withdrawal of alerts a later event explained away. */
type LimitFacts = Movement & { timeLimitSource?: 'declared' | 'proposed'; proposedTimeLimit?: string | null; declaredTimeLimit?: string | null };
type WithdrawnAlert = Alert & { withdrawnAt?: string | null; withdrawal?: { reason: string; message: { es: string; en: string } } | null };

type Checkpoint = { office: string; index: number; events: TransitEvent[]; seenAt: string | null; state: 'seen' | 'skipped' | 'pending' };

/** The planned checkpoints in order, each with the events seen there; and the offices seen that were not planned. */
export function journeyOf(d: MovementDetail): { checkpoints: Checkpoint[]; offRoute: TransitEvent[] } {
  const m = d.movement;
  const planned = [m.officeOfDeparture, ...m.route, m.officeOfDestination];
  const events = [...d.events].sort((a, b) => a.at.localeCompare(b.at) || a.seq - b.seq);
  const checkpoints: Checkpoint[] = planned.map((office, index) => {
    const at = events.filter((e) => e.office === office);
    return { office, index, events: at, seenAt: at[0]?.at ?? null, state: at.length ? 'seen' : 'pending' };
  });
  const lastSeen = Math.max(-1, ...checkpoints.filter((c) => c.state === 'seen').map((c) => c.index));
  for (const c of checkpoints) if (c.state === 'pending' && c.index < lastSeen) c.state = 'skipped';
  const offRoute = events.filter((e) => e.office && !planned.includes(e.office));
  return { checkpoints, offRoute };
}

export function MovementPage({ id }: { id: string }) {
  const { t } = useI18n();
  const state = useApi<MovementDetail>(`/api/v1/transit/movements/${encodeURIComponent(id)}`);
  if (state.error)
    return (
      <>
        <PageHeader title={t('movement.title', { reference: '' })} />
        <ErrorBox error={state.error} onRetry={state.reload} />
        <p>
          <Link to="/transit">← {t('movement.back')}</Link>
        </p>
      </>
    );
  if (!state.data) return <Loading />;
  return <MovementBody d={state.data} />;
}

function EventDetail({ e }: { e: TransitEvent }) {
  const { t } = useI18n();
  const fmt = useFormat();
  const parts: string[] = [];
  if (e.data.direction) parts.push(t(`event.${e.data.direction}`));
  if (e.data.seals) parts.push(e.data.seals.map((s) => t(s.intact ? 'event.sealIntact' : 'event.sealBroken', { seal: s.number })).join(', '));
  if (e.data.grossMassKg !== undefined) parts.push(`${fmt.int(e.data.grossMassKg)} kg`);
  if (e.data.lat !== undefined && e.data.lon !== undefined) parts.push(`${e.data.lat.toFixed(3)}, ${e.data.lon.toFixed(3)}`);
  if (e.data.reason) parts.push(e.data.reason);
  const broken = e.data.seals?.some((s) => !s.intact);
  return <span className={broken ? 'text-bad' : undefined}>{parts.join(' · ') || '—'}</span>;
}

function MovementBody({ d }: { d: MovementDetail }) {
  const { t, tk, lang } = useI18n();
  const { session } = useSession();
  const fmt = useFormat(d.movement.country);
  const { offices, office, officeName } = useReference();
  const m = d.movement;
  const { checkpoints, offRoute } = useMemo(() => journeyOf(d), [d]);
  const events = useMemo(() => [...d.events].sort((a, b) => a.at.localeCompare(b.at) || a.seq - b.seq), [d]);
  const planned = new Set([m.officeOfDeparture, ...m.route, m.officeOfDestination]);
  const track = useMemo<TrackPoint[]>(
    () =>
      events.flatMap((e) => {
        if (e.data.lat !== undefined && e.data.lon !== undefined) return [{ lat: e.data.lat, lon: e.data.lon, label: `${tk('event', e.type)} · ${fmt.dateTime(e.at)}` }];
        const o = office(e.office);
        return o?.lat !== undefined && o.lon !== undefined ? [{ lat: o.lat, lon: o.lon, label: `${tk('event', e.type)} · ${o.name} · ${fmt.dateTime(e.at)}` }] : [];
      }),
    [events, office, tk, fmt],
  );
  const alerts = sortAlerts(d.alerts.filter((a) => a.status !== 'withdrawn'));
  const withdrawn = (d.alerts as WithdrawnAlert[]).filter((a) => a.status === 'withdrawn');
  const limits = m as LimitFacts;

  return (
    <>
      <p className="breadcrumb">
        <Link to="/transit">← {t('movement.back')}</Link>
      </p>
      <PageHeader title={t('movement.title', { reference: `${m.country}/${m.reference}` })} subtitle={`${officeName(m.officeOfDeparture)} → ${officeName(m.officeOfDestination)} · ${m.countries.join(' → ')}`}>
        <StatusBadge status={m.status} />
      </PageHeader>

      {m.receivedFrom && (
        <p className="notice" data-testid="partner-record" data-from={m.receivedFrom}>
          {t('movement.partnerRecord', { country: tk('country', m.receivedFrom), when: fmt.dateTime(m.receivedAt) })}
        </p>
      )}

      <div className="grid grid-2">
        <Panel title={t('movement.summary')} id="summary">
          <Facts
            items={[
              [t('movement.departureOffice'), `${officeName(m.officeOfDeparture)} (${m.officeOfDeparture})`],
              [t('movement.destinationOffice'), `${officeName(m.officeOfDestination)} (${m.officeOfDestination})`],
              [t('movement.departureAt'), fmt.dateTime(m.departureAt)],
              [
                t('movement.timeLimit'),
                <span data-testid="time-limit" data-source={limits.timeLimitSource ?? 'proposed'}>
                  {fmt.dateTime(m.timeLimit)} <span className="muted">({t(limits.timeLimitSource === 'declared' ? 'movement.limitDeclared' : 'movement.limitProposed')})</span>
                </span>,
              ],
              ...(limits.timeLimitSource === 'declared' && limits.proposedTimeLimit ? ([[t('movement.proposedLimit'), fmt.dateTime(limits.proposedTimeLimit)]] as [string, string][]) : []),
              [t('movement.distance'), `${fmt.int(m.distanceKm)} km · ${tk('mode', m.mode)}`],
              [t('movement.plate'), m.plate ?? '—'],
              [t('movement.tag'), m.rfidTag ? <span className="mono">{m.rfidTag}</span> : '—'],
              [t('movement.seals'), <span className="mono">{m.seals.join(', ')}</span>],
              [t('decl.containers'), m.containers.length ? <span className="mono">{m.containers.join(', ')}</span> : t('decl.none')],
              [t('movement.goods'), t('movement.packages', { packages: fmt.int(m.packages), mass: fmt.int(m.grossMassKg) })],
            ]}
          />
        </Panel>
        <Panel title={t('movement.map')} id="route-map">
          {offices.length ? <RegionMap offices={offices} movements={[m]} alerts={alerts} focus={m} track={track} height={360} label={`${t('movement.map')}: ${checkpoints.map((c) => officeName(c.office)).join(' → ')}`} /> : <Loading />}
        </Panel>
      </div>

      {can(session!.user.role, 'transitAlerts') && alerts.length > 0 && (
        <Panel title={t('movement.alerts')} id="movement-alerts">
          <AlertList alerts={alerts} linkMovements={false} />
          {alerts.some((a) => a.receivedFrom) && (
            <ul className="muted" data-testid="partner-alerts">
              {alerts
                .filter((a) => a.receivedFrom)
                .map((a) => (
                  <li key={a.id} data-kind={a.kind} data-from={a.receivedFrom}>
                    {tk('alert', a.kind)}: {t('movement.partnerAlert', { country: tk('country', a.receivedFrom), when: fmt.dateTime(a.receivedAt) })}
                  </li>
                ))}
            </ul>
          )}
        </Panel>
      )}

      {can(session!.user.role, 'transitAlerts') && withdrawn.length > 0 && (
        <Panel title={t('movement.withdrawn')} id="movement-withdrawn">
          <p className="muted">{t('movement.withdrawnIntro')}</p>
          <ul className="alert-list" data-testid="withdrawn-alerts">
            {withdrawn.map((a) => (
              <li key={a.id} className="alert-item muted" data-kind={a.kind} data-reason={a.withdrawal?.reason ?? ''}>
                <p className="alert-text">
                  <s>{a.message[lang]}</s>
                </p>
                <p className="alert-text">{a.withdrawal?.message[lang] ?? ''}</p>
                <p className="muted">{t('movement.withdrawnAt', { when: fmt.dateTime(a.withdrawnAt ?? a.raisedAt) })}</p>
              </li>
            ))}
          </ul>
        </Panel>
      )}

      <Panel title={t('movement.timeline')} id="timeline">
        <p className="muted">{t('movement.timelineIntro')}</p>
        <ol className="journey" data-testid="journey">
          {checkpoints.map((c) => {
            const o = office(c.office);
            return (
              <li key={c.office} className={`checkpoint checkpoint-${c.state}`} data-office={c.office} data-state={c.state}>
                <span className="checkpoint-marker" aria-hidden="true">
                  {c.index + 1}
                </span>
                <div className="checkpoint-body">
                  <div className="checkpoint-title">
                    <strong>{officeName(c.office)}</strong> <span className="muted">
                      {c.office} · {o ? tk('kind', o.kind) : ''} · {o ? tk('country', o.country) : ''}
                    </span>
                  </div>
                  <div className="checkpoint-state">
                    <span className="sr-only">{t('movement.planned')}: </span>
                    {c.state === 'seen' ? <span className="text-ok">{t('movement.seen', { when: fmt.dateTime(c.seenAt) })}</span> : c.state === 'skipped' ? <span className="text-bad">{t('movement.skipped')}</span> : <span className="muted">{t('movement.notSeen')}</span>}
                  </div>
                  {c.events.length > 0 && (
                    <ul className="chips">
                      {c.events.map((e) => (
                        <li key={e.eventId} className="chip" data-from={e.receivedFrom ?? ''}>
                          {tk('event', e.type)}
                          {e.data.direction ? ` (${t(`event.${e.data.direction}`)})` : ''} · {fmt.dateTime(e.at)}
                          {e.receivedFrom ? ` · ${e.receivedFrom}` : ''}
                        </li>
                      ))}
                    </ul>
                  )}
                </div>
              </li>
            );
          })}
          {offRoute.map((e) => (
            <li key={e.eventId} className="checkpoint checkpoint-off" data-office={e.office ?? ''} data-state="off-route">
              <span className="checkpoint-marker" aria-hidden="true">
                !
              </span>
              <div className="checkpoint-body">
                <div className="checkpoint-title">
                  <strong>{officeName(e.office)}</strong> <span className="muted">{e.office}</span>
                </div>
                <div className="checkpoint-state text-bad">
                  {t('movement.offRoute')} · {tk('event', e.type)} · {fmt.dateTime(e.at)}
                </div>
              </div>
            </li>
          ))}
        </ol>
      </Panel>

      <Panel title={t('movement.events')} id="events">
        {events.length === 0 ? (
          <Empty>{t('movement.noEvents')}</Empty>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="events-table">
              <thead>
                <tr>
                  <th scope="col">{t('movement.col.at')}</th>
                  <th scope="col">{t('movement.col.type')}</th>
                  <th scope="col">{t('movement.col.office')}</th>
                  <th scope="col">{t('movement.col.detail')}</th>
                  <th scope="col">{t('movement.col.reportedBy')}</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr key={e.eventId} className={e.office && !planned.has(e.office) ? 'row-bad' : undefined}>
                    <td className="nowrap">{fmt.dateTime(e.at)}</td>
                    <td>{tk('event', e.type)}</td>
                    <td>{e.office ? `${officeName(e.office)} (${e.office})` : '—'}</td>
                    <td>
                      <EventDetail e={e} />
                    </td>
                    <td className="nowrap" data-from={e.receivedFrom ?? ''}>
                      {e.receivedFrom ? t('movement.partnerLeg', { country: tk('country', e.receivedFrom), when: fmt.dateTime(e.receivedAt) }) : t('movement.thisNode')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>

      <ExchangeLog d={d} />
    </>
  );
}

type ExchangeEntry = MovementDetail['exchange'][number];

/** What one message said, in words: the events it carried, the alert and what became of it, the closure. */
function ExchangeContent({ x }: { x: ExchangeEntry }) {
  const { t, tk } = useI18n();
  const fmt = useFormat();
  const s = x.summary as { events?: { eventId: string; type: string; office: string | null }[]; kind?: string; action?: string; reference?: string; office?: string; arrivedAt?: string; refused?: string };
  if (s.refused) return <span className="text-bad">{t('movement.exchange.refused', { reason: s.refused })}</span>;
  if (s.events) return <>{t('movement.exchange.events', { count: fmt.int(s.events.length), list: s.events.map((e) => `${tk('event', e.type)}${e.office ? ` (${e.office})` : ''}`).join(', ') })}</>;
  if (x.kind === 'transit.alert' && s.kind) return <>{t('movement.exchange.alert', { kind: tk('alert', s.kind), action: tk('movement.exchange.action', s.action ?? 'raised') })}</>;
  if (x.kind === 'transit.closed') return <>{`${s.office ?? ''} · ${fmt.dateTime(s.arrivedAt)}`}</>;
  return <>{s.reference ?? '—'}</>;
}

/** The transit's messages with partners: who sent what to whom, when, and (for what this node sent) its state at each recipient. */
function ExchangeLog({ d }: { d: MovementDetail }) {
  const { t, tk } = useI18n();
  const fmt = useFormat();
  return (
    <Panel title={t('movement.exchange')} id="exchange">
      <p className="muted">{t('movement.exchangeIntro')}</p>
      {d.exchange.length === 0 ? (
        <Empty>{t('movement.exchangeNone')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="exchange-table">
            <thead>
              <tr>
                <th scope="col">{t('movement.exchange.col.at')}</th>
                <th scope="col">{t('movement.exchange.col.direction')}</th>
                <th scope="col">{t('movement.exchange.col.kind')}</th>
                <th scope="col">{t('movement.exchange.col.parties')}</th>
                <th scope="col">{t('movement.exchange.col.content')}</th>
                <th scope="col">{t('movement.exchange.col.state')}</th>
              </tr>
            </thead>
            <tbody>
              {d.exchange.map((x, i) => (
                <tr key={`${x.messageId ?? i}-${x.direction}-${x.recipients.join(',')}`} data-direction={x.direction} data-kind={x.kind}>
                  <td className="nowrap">{fmt.dateTime(x.at)}</td>
                  <td>{t(x.direction === 'out' ? 'movement.exchange.sent' : 'movement.exchange.received')}</td>
                  <td>{tk('movement.exchange.kind', x.kind)}</td>
                  <td className="nowrap">
                    {x.sender} → {x.recipients.join(', ')}
                  </td>
                  <td>
                    <ExchangeContent x={x} />
                  </td>
                  <td>
                    {x.deliveries.length
                      ? x.deliveries.map((dl) => (
                          <span key={dl.recipient} className={dl.state === 'refused' ? 'badge severity-high' : 'badge'} title={dl.reason ?? undefined}>
                            {dl.recipient}: {t(`movement.exchange.state.${dl.state}`)}
                          </span>
                        ))
                      : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
