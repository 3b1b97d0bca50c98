import { useState } from 'react';
import { api } from '../api/client.ts';
import type { PcaCase, PcaPlan, PcaPlanDetail } from '../api/types.ts';
import { can } from '../app/access.ts';
import { useFormat } from '../app/format.ts';
import { Link, useRouter } from '../app/router.tsx';
import { useSession } from '../app/session.tsx';
import { useApi } from '../app/useApi.ts';
import { Facts, PageHeader, Panel } from '../components/Layout.tsx';
import { ActionError, CapacityBar, DownloadButton, PcaField, useAction, PcaTabs } from '../components/PcaParts.tsx';
import { Empty, ErrorBox, Loading } from '../components/States.tsx';
import { useI18n } from '../i18n/index.tsx';

const nextMonth = () => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString().slice(0, 7);
};

/** The audit plans of the administration, and preparing the month's. */
export function PcaPlans() {
  const { t, tk } = useI18n();
  const { session } = useSession();
  const { navigate } = useRouter();
  const fmt = useFormat();
  const state = useApi<{ items: PcaPlan[] }>('/api/v1/pca/plans');
  const [d, setD] = useState({ month: nextMonth(), capacityHours: '', randomShare: '10' });
  const make = useAction();
  return (
    <>
      <PcaTabs />
      <PageHeader title={t('pca.plans.title')} subtitle={t('pca.plans.intro')} />
      {can(session!.user.role, 'pcaPlanWrite') && (
        <Panel title={t('pca.plans.prepare')}>
          <form
            className="form-grid"
            onSubmit={(e) => {
              e.preventDefault();
              void make.run(async () => {
                const p = await api<PcaPlanDetail>('/api/v1/pca/plans', { method: 'POST', body: { month: d.month, randomShare: Number(d.randomShare) / 100, ...(d.capacityHours ? { capacityHours: Number(d.capacityHours) } : {}) } });
                navigate(`/pca/plans/${p.id}`);
              });
            }}
          >
            <PcaField id="p-month" label={t('pca.plans.month')} error={make.field('month')}>
              <input id="p-month" type="month" value={d.month} onChange={(e) => setD({ ...d, month: e.target.value })} />
            </PcaField>
            <PcaField id="p-capacity" label={t('pca.plans.capacity')} error={make.field('capacityHours')} hint={t('pca.plans.capacityHint')}>
              <input id="p-capacity" type="number" min={1} value={d.capacityHours} onChange={(e) => setD({ ...d, capacityHours: e.target.value })} />
            </PcaField>
            <PcaField id="p-random" label={t('pca.plans.randomShare')} error={make.field('randomShare')} hint={t('pca.plans.randomHint')}>
              <input id="p-random" type="number" min={0} max={100} value={d.randomShare} onChange={(e) => setD({ ...d, randomShare: e.target.value })} />
            </PcaField>
            <div className="form-actions">
              <button type="submit" className="btn btn-primary" disabled={make.busy}>
                {make.busy ? t('pca.plans.preparing') : t('pca.plans.prepareButton')}
              </button>
            </div>
            <ActionError message={make.field('month') || make.field('capacityHours') ? undefined : make.message} />
          </form>
        </Panel>
      )}
      {state.error ? (
        <ErrorBox error={state.error} onRetry={state.reload} />
      ) : !state.data ? (
        <Loading />
      ) : state.data.items.length === 0 ? (
        <Empty>{t('pca.plans.empty')}</Empty>
      ) : (
        <div className="table-wrap panel">
          <table className="table" data-testid="plans-table">
            <caption className="sr-only">{t('pca.plans.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('pca.plans.month')}</th>
                <th scope="col">{t('pca.status')}</th>
                <th scope="col" className="num">{t('pca.plans.hours')}</th>
                <th scope="col" className="num">{t('pca.plans.eligible')}</th>
                <th scope="col">{t('pca.plans.preparedBy')}</th>
                <th scope="col">{t('pca.decided')}</th>
              </tr>
            </thead>
            <tbody>
              {state.data.items.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link to={`/pca/plans/${p.id}`} className="strong">
                      {p.month}
                    </Link>
                  </td>
                  <td>
                    <span className={`badge pca-${p.status}`}>{tk('pca.planStatus', p.status)}</span>
                  </td>
                  <td className="num">
                    {fmt.int(p.hoursPlanned)} / {fmt.int(p.capacityHours)}
                  </td>
                  <td className="num">{fmt.int(p.eligible)}</td>
                  <td>
                    {p.createdBy} · {fmt.date(p.createdAt)}
                  </td>
                  <td>{p.decidedBy ? `${p.decidedBy} · ${fmt.date(p.decidedAt)}` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** One plan: the capacity bar, the ranked proposals with their reasons, approval by a second person, cases opened from it. */
export function PcaPlanPage({ id }: { id: string }) {
  const { t, tk } = useI18n();
  const { session } = useSession();
  const { navigate } = useRouter();
  const fmt = useFormat();
  const state = useApi<PcaPlanDetail>(`/api/v1/pca/plans/${id}`);
  const act = useAction();
  const role = session!.user.role;
  if (state.error) return <ErrorBox error={state.error} onRetry={state.reload} />;
  if (!state.data) return <Loading />;
  const p = state.data;
  const mine = p.createdBy === session!.user.username;
  const selected = p.items.filter((x) => x.selected);
  const randomHours = selected.filter((x) => x.source === 'random').reduce((a, x) => a + x.hours, 0);
  return (
    <>
      <nav className="breadcrumb">
        <Link to="/pca/plans">{t('pca.plans.title')}</Link>
      </nav>
      <PageHeader title={t('pca.plan.title', { country: p.country, month: p.month })} subtitle={t('pca.plan.intro')}>
        <DownloadButton path={`/api/v1/pca/plans/${p.id}/plan.pdf`} filename={`plan-${p.country}-${p.month}.pdf`} label={t('pca.plan.pdf')} /> <DownloadButton path={`/api/v1/pca/plans/${p.id}/plan.csv`} filename={`plan-${p.country}-${p.month}.csv`} label={t('pca.plan.csv')} />
      </PageHeader>
      <Panel title={t('pca.plan.summary')}>
        <CapacityBar planned={p.hoursPlanned} capacity={p.capacityHours} random={randomHours} />
        <Facts
          items={[
            [t('pca.status'), tk('pca.planStatus', p.status)],
            [t('pca.plan.window'), `${fmt.date(p.window.from)} – ${fmt.date(p.window.to)}`],
            [t('pca.plan.releases'), fmt.int(p.releases)],
            [t('pca.plans.eligible'), fmt.int(p.eligible)],
            [t('pca.plans.randomShare'), fmt.pct(p.randomShare)],
            [t('pca.plans.preparedBy'), `${p.createdBy} · ${fmt.dateTime(p.createdAt)}`],
            [t('pca.decided'), p.decidedBy ? `${p.decidedBy} · ${fmt.dateTime(p.decidedAt)}${p.decisionNote ? ` — ${p.decisionNote}` : ''}` : '—'],
            [t('pca.plan.seed'), <span className="mono small" key="seed">{p.seed.slice(0, 16)}…</span>],
          ]}
        />
        {p.status === 'proposed' && can(role, 'pcaPlanApprove') && (
          <div className="form-actions">
            {mine ? (
              <span className="muted">{t('pca.awaitingOther')}</span>
            ) : (
              <>
                <button type="button" className="btn btn-primary" disabled={act.busy} data-testid="approve-plan" onClick={() => void act.run(() => api(`/api/v1/pca/plans/${p.id}/decision`, { method: 'POST', body: { approve: true } }), state.reload)}>
                  {t('pca.approve')}
                </button>
                <button type="button" className="btn" disabled={act.busy} onClick={() => void act.run(() => api(`/api/v1/pca/plans/${p.id}/decision`, { method: 'POST', body: { approve: false, note: window.prompt(t('pca.plan.rejectNote')) ?? undefined } }), state.reload)}>
                  {t('pca.reject')}
                </button>
              </>
            )}
          </div>
        )}
        <ActionError message={act.message} />
      </Panel>
      <div className="table-wrap panel">
        <table className="table" data-testid="plan-items">
          <caption className="sr-only">{t('pca.plan.ranked')}</caption>
          <thead>
            <tr>
              <th scope="col" className="num">#</th>
              <th scope="col">{t('pca.trader')}</th>
              <th scope="col">{t('pca.source')}</th>
              <th scope="col" className="num">{t('pca.plan.expected')}</th>
              <th scope="col" className="num">{t('pca.plan.recovery')}</th>
              <th scope="col" className="num">{t('pca.plans.hours')}</th>
              <th scope="col">{t('pca.plan.reasons')}</th>
              <th scope="col">{t('pca.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {p.items.map((it, k) => (
              <tr key={it.id} className={it.selected ? '' : 'muted'} data-selected={it.selected}>
                <td className="num">{it.rank}</td>
                <td>
                  <span className="strong">{it.traderName}</span>
                  <div className="mono small">{it.traderTin}</div>
                  <div className="small muted">{t('pca.plan.declarations', { n: it.declarations })}</div>
                </td>
                <td>
                  <span className="tag">{tk('pca.src', it.source)}</span>
                  {it.draw !== null && <div className="small muted">{t('pca.plan.draw', { draw: it.draw.toFixed(6) })}</div>}
                </td>
                <td className="num nowrap">{fmt.money(it.expectedRevenue)}</td>
                <td className="num nowrap">{fmt.money(it.estimatedRecovery)}</td>
                <td className="num">{fmt.dec(it.hours)}</td>
                <td className="small">
                  <ul className="plain">
                    {it.reasons.map((r) => (
                      <li key={r.code}>
                        {tk('pca.src', r.code)}: {fmt.money(r.amountUsd)}
                      </li>
                    ))}
                  </ul>
                </td>
                <td className="nowrap">
                  {!it.selected ? (
                    <span className="small">{k > 0 && p.items[k - 1].selected ? t('pca.plan.belowLine') : ''}</span>
                  ) : p.status === 'approved' && can(role, 'pcaCasesOpen') ? (
                    <button type="button" className="btn btn-small" disabled={act.busy} onClick={() => void act.run(async () => navigate(`/pca/cases/${(await api<PcaCase>('/api/v1/pca/cases', { method: 'POST', body: { planItemId: it.id } })).id}`))}>
                      {t('pca.plan.openCase')}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
