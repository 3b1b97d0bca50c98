import { useMemo } from 'react';
import { withQuery } from '../api/client.ts';
import type { Criterion, Effectiveness } from '../api/types.ts';
import { can } from '../app/access.ts';
import { useFormat } from '../app/format.ts';
import { Link, useRouter } from '../app/router.tsx';
import { useSession } from '../app/session.tsx';
import { useApi } from '../app/useApi.ts';
import { ChannelBadge, CriterionStatusBadge } from '../components/Badges.tsx';
import { FilterBar, SelectField } from '../components/Filters.tsx';
import { PageHeader, Tile } from '../components/Layout.tsx';
import { Empty, ErrorBox, Loading } from '../components/States.tsx';
import { useI18n } from '../i18n/index.tsx';

export const CRITERION_STATUSES = ['draft', 'awaiting_approval', 'active', 'suspended', 'expired', 'rejected'] as const;

/** Effectiveness of the last 90 days (controls opened then), when the role may read it. */
export function useEffectiveness(role: string) {
  const from = useMemo(() => new Date(Date.now() - 90 * 86_400_000).toISOString(), []);
  return useApi<Effectiveness>(can(role, 'effectiveness') ? withQuery('/api/v1/risk/effectiveness', { from }) : null);
}

export function CriteriaList() {
  const { t, tk } = useI18n();
  const { session } = useSession();
  const { query, navigate } = useRouter();
  const role = session!.user.role;
  const fmt = useFormat();
  const status = query.get('status') ?? '';
  const list = useApi<{ items: Criterion[] }>(withQuery('/api/v1/risk/criteria', { status }));
  const eff = useEffectiveness(role);
  const byId = useMemo(() => new Map((eff.data?.byCriterion ?? []).map((r) => [r.key, r])), [eff.data]);
  const items = list.data?.items ?? [];
  const waiting = items.filter((c) => c.pendingVersion?.status === 'awaiting_approval').length;
  const flagged = eff.data?.byCriterion.filter((r) => r.flaggedForReview).length ?? 0;

  return (
    <>
      <PageHeader title={t('crit.title')} subtitle={t('crit.subtitle')}>
        {can(role, 'writeCriteria') && (
          <Link to="/criteria/new" className="btn btn-primary" data-testid="new-criterion">
            {t('crit.new')}
          </Link>
        )}
      </PageHeader>
      <FilterBar key={status} initial={{ status }} onApply={(v) => navigate(withQuery('/criteria', v), { replace: true })} testId="criteria-filters">
        {(v, set) => <SelectField id="f-status" label={t('filter.status')} value={v.status} onChange={(x) => set('status', x)} allLabel={t('filter.allStatuses')} options={CRITERION_STATUSES.map((s) => ({ value: s, label: tk('critStatus', s) }))} />}
      </FilterBar>
      {list.error ? (
        <ErrorBox error={list.error} onRetry={list.reload} />
      ) : !list.data ? (
        <Loading />
      ) : items.length === 0 ? (
        <Empty>{t('crit.empty')}</Empty>
      ) : (
        <>
          <div className="tiles" data-testid="criteria-tiles">
            <Tile label={t('crit.tile.count')} value={fmt.int(items.length)} note={t('crit.tile.active', { count: fmt.int(items.filter((c) => c.status === 'active').length) })} />
            <Tile label={t('crit.tile.awaiting')} value={fmt.int(waiting)} tone={waiting ? 'warn' : undefined} />
            {eff.data && <Tile label={t('crit.tile.hitRate')} value={eff.data.overall.controls ? fmt.pct(eff.data.overall.hitRate) : '—'} note={t('crit.tile.controls', { controls: fmt.int(eff.data.overall.controls), from: fmt.date(eff.data.from) })} />}
            {eff.data && <Tile label={t('crit.tile.flagged')} value={fmt.int(flagged)} tone={flagged ? 'bad' : 'ok'} />}
          </div>
          {eff.error !== undefined && eff.error !== null && <ErrorBox error={eff.error} onRetry={eff.reload} />}
          <div className="table-wrap panel">
            <table className="table" data-testid="criteria-table">
              <caption className="sr-only">{t('crit.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('crit.col.name')}</th>
                  <th scope="col">{t('crit.col.status')}</th>
                  <th scope="col">{t('crit.col.version')}</th>
                  <th scope="col">{t('crit.col.effect')}</th>
                  <th scope="col">{t('crit.col.stages')}</th>
                  {eff.data && (
                    <>
                      <th scope="col" className="num">{t('crit.col.controls')}</th>
                      <th scope="col" className="num">{t('crit.col.hits')}</th>
                      <th scope="col" className="num">{t('crit.col.hitRate')}</th>
                      <th scope="col" className="num">{t('crit.col.revenue')}</th>
                    </>
                  )}
                </tr>
              </thead>
              <tbody>
                {items.map((c) => {
                  const v = c.activeVersion ?? c.pendingVersion;
                  const e = byId.get(c.id);
                  return (
                    <tr key={c.id} data-criterion={c.name} className={e?.flaggedForReview ? 'row-flag' : undefined}>
                      <td>
                        <Link to={`/criteria/${c.id}`} className="strong">
                          {c.name}
                        </Link>
                        {c.regional && <span className="tag">{t('crit.regional')}</span>}
                        {e?.flaggedForReview && (
                          <div className="flag" title={e.reviewReason ?? undefined} data-testid="flagged">
                            ⚑ {t('crit.flagged')}
                          </div>
                        )}
                        {v && <div className="muted small clamp">{v.reason}</div>}
                      </td>
                      <td>
                        <CriterionStatusBadge status={c.status} />
                      </td>
                      <td className="nowrap">
                        {c.activeVersion ? `v${c.activeVersion.version}` : '—'}
                        {c.pendingVersion && (
                          <div className="muted small">
                            v{c.pendingVersion.version} · {tk('versionStatus', c.pendingVersion.status)}
                          </div>
                        )}
                      </td>
                      <td className="nowrap">
                        {v && v.weight > 0 && <span>{t('crit.weightPoints', { weight: fmt.dec(v.weight) })}</span>}
                        {v?.forcedChannel && (
                          <div>
                            {t('crit.forces')} <ChannelBadge channel={v.forcedChannel} />
                          </div>
                        )}
                        {v?.manifestAction && <div>{tk('manifestAction', v.manifestAction)}</div>}
                      </td>
                      <td className="small">{v ? v.scope.stages.map((s) => tk('stage', s)).join(', ') : '—'}</td>
                      {eff.data && (
                        <>
                          <td className="num">{fmt.int(e?.controls ?? 0)}</td>
                          <td className="num">{fmt.int(e?.hits ?? 0)}</td>
                          <td className="num" data-testid="hit-rate">{e && e.controls ? fmt.pct(e.hitRate) : '—'}</td>
                          <td className="num nowrap">{e ? fmt.money(e.extraRevenueUsd) : '—'}</td>
                        </>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {eff.data && <p className="muted small">{t('crit.effNote', { from: fmt.date(eff.data.from), to: fmt.date(eff.data.to) })}</p>}
        </>
      )}
    </>
  );
}
