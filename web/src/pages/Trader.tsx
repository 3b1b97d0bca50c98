import { useMemo, useState, type FormEvent } from 'react';
import { api, fieldErrors } from '../api/client.ts';
import type { AeoRecord, AeoSet, TraderAeo } from '../api/types.ts';
import { can } from '../app/access.ts';
import { useSession } from '../app/session.tsx';
import { withQuery } from '../api/client.ts';
import { CHANNELS, type DeclarationRow, type TraderRisk, type TraderView } from '../api/types.ts';
import { useFormat } from '../app/format.ts';
import { useReference } from '../app/reference.tsx';
import { Link, useRouter } from '../app/router.tsx';
import { useApi } from '../app/useApi.ts';
import { CHANNEL_COLORS, ChannelBadge } from '../components/Badges.tsx';
import { Chart } from '../components/Chart.tsx';
import type { EChartsOption } from '../components/echarts.ts';
import { PageHeader, Panel, Tile } from '../components/Layout.tsx';
import { Async, Empty, ErrorBox, Loading } from '../components/States.tsx';
import { useI18n } from '../i18n/index.tsx';

export function TraderSearch() {
  const { t } = useI18n();
  const { navigate } = useRouter();
  const [tin, setTin] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (tin.trim()) navigate(`/traders/${encodeURIComponent(tin.trim())}`);
  };
  return (
    <>
      <PageHeader title={t('trader.search')} subtitle={t('trader.searchIntro')} />
      <form className="filters" onSubmit={submit} role="search" aria-label={t('trader.search')}>
        <div className="field">
          <label htmlFor="tin">{t('trader.tin')}</label>
          <input id="tin" value={tin} onChange={(e) => setTin(e.target.value)} spellCheck={false} autoComplete="off" />
        </div>
        <div className="filter-actions">
          <button type="submit" className="btn btn-primary">
            {t('trader.open')}
          </button>
        </div>
      </form>
    </>
  );
}

export function Trader({ tin }: { tin: string }) {
  const { t, tk } = useI18n();
  const { officeName } = useReference();
  const state = useApi<TraderView>(`/api/v1/kpi/traders/${encodeURIComponent(tin)}`);
  const decls = useApi<{ items: DeclarationRow[]; nextCursor: string | null }>(withQuery('/api/v1/declarations', { trader: tin, limit: 20 }));
  const v = state.data;
  const fmt = useFormat(v?.country);

  const charts = useMemo(() => {
    if (!v) return null;
    const perDay: EChartsOption = {
      tooltip: { trigger: 'axis', confine: true },
      legend: { bottom: 0, icon: 'roundRect' },
      grid: { left: 40, right: 16, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: v.days.map((d) => fmt.day(d.date)), axisLabel: { color: '#52606d' } },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { color: '#52606d' }, splitLine: { lineStyle: { color: '#e4e7eb' } } },
      series: CHANNELS.map((c) => ({ name: t(`channel.${c}`), type: 'bar', stack: 'all', barMaxWidth: 18, itemStyle: { color: CHANNEL_COLORS[c] }, data: v.days.map((d) => d[c]) })),
    };
    const mix: EChartsOption = {
      tooltip: { trigger: 'item', confine: true },
      legend: { bottom: 0, icon: 'roundRect' },
      series: [{ type: 'pie', radius: ['45%', '72%'], center: ['50%', '45%'], itemStyle: { borderColor: '#fff', borderWidth: 2 }, label: { formatter: '{b}: {c}' }, data: CHANNELS.filter((c) => v.period.counts[c] > 0).map((c) => ({ name: t(`channel.${c}`), value: v.period.counts[c], itemStyle: { color: CHANNEL_COLORS[c] } })) }],
    };
    const top = v.offices.slice(0, 8).reverse();
    const offices: EChartsOption = {
      tooltip: { trigger: 'axis', confine: true },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      yAxis: { type: 'category', data: top.map((o) => officeName(o.office)), axisLabel: { color: '#323f4b', width: 160, overflow: 'truncate' } },
      xAxis: { type: 'value', minInterval: 1, axisLabel: { color: '#52606d' }, splitLine: { lineStyle: { color: '#e4e7eb' } } },
      series: CHANNELS.map((c) => ({ name: t(`channel.${c}`), type: 'bar', stack: 'o', barMaxWidth: 16, itemStyle: { color: CHANNEL_COLORS[c] }, data: top.map((o) => o[c]) })),
    };
    return { perDay, mix, offices };
  }, [v, t, fmt, officeName]);

  if (state.error)
    return (
      <>
        <PageHeader title={t('trader.title', { tin })} />
        <ErrorBox error={state.error} onRetry={state.reload} />
      </>
    );
  if (!v || !charts) return <Loading />;
  const controlled = v.period.counts.red + v.period.counts.yellow;
  const days = v.days.length;
  const periodNote = t('trader.period', { days, from: fmt.date(`${v.from}T12:00:00Z`), to: fmt.date(`${v.to}T12:00:00Z`) });
  return (
    <>
      <PageHeader title={v.name ? v.name : t('trader.title', { tin })} subtitle={<><span className="mono">{v.tin}</span>{v.partyCountry ? ` · ${v.partyCountry}` : ''} · {tk('country', v.country)}</>} />
      {!v.known ? (
        <Empty>{t('trader.unknown', { country: tk('country', v.country) })}</Empty>
      ) : (
        <>
          <p className="muted">
            {t('trader.since', { first: fmt.date(v.allTime.firstLodgedAt), last: fmt.date(v.allTime.lastLodgedAt) })} · {t('trader.roles', { imp: fmt.int(v.allTime.asImporter), exp: fmt.int(v.allTime.asExporter), decl: fmt.int(v.allTime.asDeclarant) })}
          </p>
          <div className="tiles" data-testid="trader-tiles">
            <Tile label={t('trader.tile.period')} value={fmt.int(v.period.counts.total)} note={periodNote} />
            <Tile label={t('trader.tile.allTime')} value={fmt.int(v.allTime.counts.total)} />
            <Tile label={t('trader.tile.controlled')} value={fmt.pct(v.period.counts.total ? controlled / v.period.counts.total : 0)} note={`${fmt.int(controlled)} / ${fmt.int(v.period.counts.total)}`} />
            <Tile label={t('trader.tile.value')} value={v.period.values[0] ? fmt.money(v.period.values[0].total, v.period.values[0].currency) : '—'} note={v.period.values.slice(1).map((x) => fmt.money(x.total, x.currency)).join(' · ') || undefined} />
          </div>
          <div className="grid grid-trader">
            <Panel title={t('trader.chart.perDay')} id="trader-per-day">
              <Chart testId="trader-per-day" option={charts.perDay} label={`${t('trader.chart.perDay')}: ${CHANNELS.map((c) => `${t(`channel.${c}`)} ${v.period.counts[c]}`).join(', ')}`} />
            </Panel>
            <Panel title={t('trader.chart.mix')} id="trader-mix">
              <Chart testId="trader-mix" option={charts.mix} label={`${t('trader.chart.mix')}: ${CHANNELS.map((c) => `${t(`channel.${c}`)} ${v.period.counts[c]}`).join(', ')}`} />
            </Panel>
          </div>
          {v.offices.length > 0 && (
            <Panel title={t('trader.chart.offices')} id="trader-offices">
              <Chart testId="trader-offices" option={charts.offices} label={`${t('trader.chart.offices')}: ${v.offices.map((o) => `${officeName(o.office)} ${o.total}`).join(', ')}`} height={Math.max(160, Math.min(v.offices.length, 8) * 32 + 40)} />
            </Panel>
          )}
        </>
      )}
      <TraderAeoPanel tin={tin} country={v.country} />
      <TraderRiskPanel tin={tin} />
      <Panel title={t('trader.declarations')} id="trader-declarations" actions={<Link to={withQuery('/queue', { trader: tin })}>{t('nav.queue')} →</Link>}>
        <Async state={decls} isEmpty={(d) => d.items.length === 0} empty={t('queue.empty')}>
          {(d) => (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">{t('queue.col.reference')}</th>
                    <th scope="col">{t('queue.col.lodged')}</th>
                    <th scope="col">{t('queue.col.office')}</th>
                    <th scope="col">{t('queue.col.type')}</th>
                    <th scope="col" className="num">{t('queue.col.value')}</th>
                    <th scope="col">{t('queue.col.channel')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.items.map((r) => (
                    <tr key={r.id}>
                      <td>
                        <Link to={`/declarations/${r.id}`} className="strong">
                          {r.reference}
                        </Link>
                      </td>
                      <td className="nowrap">{fmt.dateTime(r.lodgedAt)}</td>
                      <td>{officeName(r.office)}</td>
                      <td>{tk('type', r.type)}</td>
                      <td className="num nowrap">{fmt.money(r.totalValue, r.currency)}</td>
                      <td>
                        <ChannelBadge channel={r.channel} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Async>
      </Panel>
    </>
  );
}

function TraderRiskPanel({ tin }: { tin: string }) {
  const { t, tk } = useI18n();
  const { officeName } = useReference();
  const fmt = useFormat();
  const state = useApi<TraderRisk>(`/api/v1/risk/traders/${encodeURIComponent(tin)}`);
  return (
    <Panel title={t('trader.controls')} id="trader-controls">
      <Async state={state}>
        {(r) => (
          <div data-testid="trader-risk">
            <div className="tiles tiles-compact">
              <Tile label={t('trader.standing')} value={<span className={`standing standing-${r.standing}`} data-testid="standing">{tk('standing', r.standing)}</span>} note={t(`standing.${r.standing}.note` as 'standing.new.note')} tone={r.standing === 'poor' ? 'bad' : r.standing === 'good' ? 'ok' : undefined} />
              <Tile label={t('trader.tile.controls')} value={fmt.int(r.controls)} note={t('trader.tile.declarationsSeen', { n: fmt.int(r.declarations) })} />
              <Tile label={t('trader.tile.hitRate')} value={<span data-testid="trader-hit-rate">{r.hitRate === null ? '—' : fmt.pct(r.hitRate)}</span>} note={t('trader.tile.hits', { hits: fmt.int(r.hits) })} tone={r.hits > 0 ? 'warn' : undefined} />
              <Tile label={t('trader.tile.seizures')} value={fmt.int(r.seizures)} tone={r.seizures > 0 ? 'bad' : undefined} />
            </div>
            {r.recent.length === 0 ? (
              <Empty>{t('trader.noControls')}</Empty>
            ) : (
              <div className="table-wrap">
                <table className="table" data-testid="trader-controls">
                  <thead>
                    <tr>
                      <th scope="col">{t('queue.col.reference')}</th>
                      <th scope="col">{t('controls.col.opened')}</th>
                      <th scope="col">{t('queue.col.office')}</th>
                      <th scope="col">{t('queue.col.channel')}</th>
                      <th scope="col">{t('control.status')}</th>
                      <th scope="col">{t('result.title')}</th>
                      <th scope="col" className="num">{t('trader.col.extra')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.recent.map((c) => (
                      <tr key={c.id} className={c.result?.hit ? 'row-bad' : undefined}>
                        <td className="nowrap">
                          <Link to={`/declarations/${c.declarationId}`} className="strong">
                            {c.reference}
                          </Link>
                          {c.randomSelected && <span className="tag">{t('controls.random')}</span>}
                        </td>
                        <td className="nowrap">{fmt.dateTime(c.createdAt)}</td>
                        <td>{officeName(c.office)}</td>
                        <td>
                          <ChannelBadge channel={c.channel} />
                        </td>
                        <td>{tk('controlStatus', c.status)}</td>
                        <td>
                          {c.result ? (
                            <>
                              {tk('outcome', c.result.outcome)}
                              {c.result.kinds.length > 0 && <span className="muted small"> · {c.result.kinds.map((k) => tk('kind', k)).join(', ')}</span>}
                              {c.result.goodsSeized && <strong className="text-bad"> · {t('trader.seized')}</strong>}
                            </>
                          ) : (
                            '—'
                          )}
                        </td>
                        <td className="num nowrap">{c.result ? fmt.money(c.result.extra, c.result.currency) : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </div>
        )}
      </Async>
    </Panel>
  );
}

const AEO_TONE: Record<string, string> = { certified: 'ok', suspended: 'warn', revoked: 'bad', expired: 'warn', pending: 'warn' };

function AeoBadge({ status }: { status: string }) {
  const { tk } = useI18n();
  return (
    <span className={`badge aeo-${AEO_TONE[status] ?? 'warn'}`} data-testid="aeo-status">
      {tk('aeo.status', status)}
    </span>
  );
}

/** The trader's AEO status in this administration and as partners certified it; admins and analysts change it here. */
function TraderAeoPanel({ tin, country }: { tin: string; country: string }) {
  const { t, tk } = useI18n();
  const fmt = useFormat(country);
  const { session } = useSession();
  const state = useApi<TraderAeo>(withQuery(`/api/v1/traders/${encodeURIComponent(tin)}/aeo`, { country }));
  const [editing, setEditing] = useState(false);
  const [form, setForm] = useState({ programme: `OEA-${country}`, status: 'certified', since: '', until: '', reason: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const mayChange = can(session?.user.role, 'setAeo') && session?.user.country === country;
  const validity = (r: AeoRecord) => t('aeo.validity', { since: fmt.date(r.since), until: r.until ? fmt.date(r.until) : t('aeo.openEnded') });

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setFailure(null);
    setDone('');
    try {
      const body = {
        programme: form.programme.trim(),
        status: form.status,
        since: form.since ? new Date(form.since).toISOString() : new Date().toISOString(),
        until: form.until ? new Date(form.until).toISOString() : null,
        reason: form.reason.trim(),
      };
      const r = await api<AeoSet>(`/api/v1/traders/${encodeURIComponent(tin)}/aeo/${country}`, { method: 'PUT', body });
      setDone(r.exchange ? t('aeo.saved', { n: r.exchange.recipients.length }) : t('aeo.savedLocal'));
      setEditing(false);
      state.reload();
    } catch (err) {
      const fe = fieldErrors(err);
      if (Object.keys(fe).length) setErrors(fe);
      else setFailure(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Panel
      title={t('aeo.title')}
      id="trader-aeo"
      actions={
        mayChange && !editing ? (
          <button type="button" className="btn" onClick={() => setEditing(true)} data-testid="aeo-edit">
            {t('aeo.set')}
          </button>
        ) : undefined
      }
    >
      <Async state={state}>
        {(a) => (
          <div data-testid="trader-aeo">
            {done && (
              <p className="notice notice-ok" role="status">
                {done}
              </p>
            )}
            <h3>{t('aeo.here', { country: tk('country', country) })}</h3>
            {a.here ? (
              <p data-testid="aeo-here">
                <AeoBadge status={a.here.effective} /> <strong>{a.here.programme}</strong> · {validity(a.here)} · {a.here.reason}
              </p>
            ) : (
              <Empty>{t('aeo.none', { country: tk('country', country) })}</Empty>
            )}
            {editing && (
              <form onSubmit={save} className="form-grid" data-testid="aeo-form">
                <div className="field">
                  <label htmlFor="aeo-programme">{t('aeo.form.programme')}</label>
                  <input id="aeo-programme" value={form.programme} onChange={(e) => setForm({ ...form, programme: e.target.value })} aria-invalid={!!errors.programme} />
                  {errors.programme && <span className="field-error">{errors.programme}</span>}
                </div>
                <div className="field">
                  <label htmlFor="aeo-status">{t('aeo.form.status')}</label>
                  <select id="aeo-status" value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value })}>
                    {['certified', 'suspended', 'revoked'].map((s) => (
                      <option key={s} value={s}>
                        {tk('aeo.status', s)}
                      </option>
                    ))}
                  </select>
                  {errors.status && <span className="field-error">{errors.status}</span>}
                </div>
                <div className="field">
                  <label htmlFor="aeo-since">{t('aeo.form.since')}</label>
                  <input id="aeo-since" type="datetime-local" value={form.since} onChange={(e) => setForm({ ...form, since: e.target.value })} aria-invalid={!!errors.since} />
                  {errors.since && <span className="field-error">{errors.since}</span>}
                </div>
                <div className="field">
                  <label htmlFor="aeo-until">{t('aeo.form.until')}</label>
                  <input id="aeo-until" type="datetime-local" value={form.until} onChange={(e) => setForm({ ...form, until: e.target.value })} aria-invalid={!!errors.until} />
                  {errors.until && <span className="field-error">{errors.until}</span>}
                </div>
                <div className="field">
                  <label htmlFor="aeo-reason">{t('aeo.form.reason')}</label>
                  <textarea id="aeo-reason" value={form.reason} onChange={(e) => setForm({ ...form, reason: e.target.value })} aria-describedby="aeo-reason-hint" aria-invalid={!!errors.reason} />
                  <span id="aeo-reason-hint" className="field-hint">
                    {t('aeo.form.reasonHint')}
                  </span>
                  {errors.reason && <span className="field-error">{errors.reason}</span>}
                </div>
                {failure !== null && <ErrorBox error={failure} />}
                <div className="form-actions">
                  <button type="submit" className="btn btn-primary" disabled={busy} data-testid="aeo-save">
                    {t('aeo.form.save')}
                  </button>
                  <button type="button" className="btn" onClick={() => setEditing(false)}>
                    {t('aeo.form.cancel')}
                  </button>
                </div>
              </form>
            )}
            <h3>{t('aeo.partners')}</h3>
            {a.partners.length === 0 ? (
              <Empty>{t('aeo.noPartners')}</Empty>
            ) : (
              <div className="table-wrap">
                <table className="table" data-testid="aeo-partners">
                  <thead>
                    <tr>
                      <th scope="col">{t('aeo.col.administration')}</th>
                      <th scope="col">{t('aeo.col.programme')}</th>
                      <th scope="col">{t('aeo.col.status')}</th>
                      <th scope="col">{t('aeo.col.since')}</th>
                      <th scope="col">{t('aeo.col.reason')}</th>
                      <th scope="col">{t('aeo.col.changed')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {a.partners.map((p) => (
                      <tr key={p.administration}>
                        <td>{tk('country', p.administration)}</td>
                        <td>{p.programme}</td>
                        <td>
                          <AeoBadge status={p.effective} />
                        </td>
                        <td className="nowrap">{validity(p)}</td>
                        <td>{p.reason}</td>
                        <td className="nowrap" title={t('aeo.received')}>
                          {fmt.dateTime(p.changedAt)}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {a.changes.length > 0 && (
              <details>
                <summary>{t('aeo.history')}</summary>
                <div className="table-wrap">
                  <table className="table" data-testid="aeo-changes">
                    <thead>
                      <tr>
                        <th scope="col">{t('aeo.col.changed')}</th>
                        <th scope="col">{t('aeo.col.administration')}</th>
                        <th scope="col">{t('aeo.col.revision')}</th>
                        <th scope="col">{t('aeo.col.status')}</th>
                        <th scope="col">{t('aeo.col.reason')}</th>
                        <th scope="col">{t('aeo.col.by')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {a.changes.map((c) => (
                        <tr key={`${c.administration}-${c.revision}`}>
                          <td className="nowrap">{fmt.dateTime(c.changedAt)}</td>
                          <td>{tk('country', c.administration)}</td>
                          <td className="num">{c.revision}</td>
                          <td>{tk('aeo.status', c.status)}</td>
                          <td>{c.reason}</td>
                          <td>{c.changedBy}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </details>
            )}
          </div>
        )}
      </Async>
    </Panel>
  );
}
