import { withQuery } from '../api/client.ts';
import type { Control } from '../api/types.ts';
import { useFormat } from '../app/format.ts';
import { useReference } from '../app/reference.tsx';
import { Link, useRouter } from '../app/router.tsx';
import { useSession } from '../app/session.tsx';
import { useApi } from '../app/useApi.ts';
import { ChannelBadge } from '../components/Badges.tsx';
import { FilterBar, OfficeSelect, SelectField } from '../components/Filters.tsx';
import { PageHeader } from '../components/Layout.tsx';
import { Empty, ErrorBox, Loading } from '../components/States.tsx';
import { useI18n } from '../i18n/index.tsx';

const STATUSES = ['assigned', 'unassigned', 'done'] as const;

/** An officer's own controls (a supervisor's: the administration's), newest first. */
export function Controls() {
  const { t, tk } = useI18n();
  const { session } = useSession();
  const { query, navigate } = useRouter();
  const { officeName } = useReference();
  const fmt = useFormat();
  const role = session!.user.role;
  const officer = role === 'officer';
  const f = { office: query.get('office') ?? '', status: query.get('status') ?? '' };
  const state = useApi<{ items: Control[] }>(withQuery('/api/v1/risk/controls', { office: f.office, status: f.status, limit: 500 }));
  const items = [...(state.data?.items ?? [])].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.score - a.score));

  return (
    <>
      <PageHeader title={officer ? t('controls.mine') : t('controls.title')} subtitle={officer ? t('controls.mineIntro') : t('controls.intro')} />
      <FilterBar key={JSON.stringify(f)} initial={f} onApply={(v) => navigate(withQuery('/controls', v), { replace: true })} testId="controls-filters">
        {(v, set) => (
          <>
            <OfficeSelect country={session!.user.country} value={v.office} onChange={(x) => set('office', x)} />
            <SelectField id="f-status" label={t('filter.status')} value={v.status} onChange={(x) => set('status', x)} allLabel={t('controls.open')} options={STATUSES.map((s) => ({ value: s, label: tk('controlStatus', s) }))} />
          </>
        )}
      </FilterBar>
      {state.error ? (
        <ErrorBox error={state.error} onRetry={state.reload} />
      ) : !state.data ? (
        <Loading />
      ) : items.length === 0 ? (
        <Empty>{officer ? t('controls.emptyMine') : t('controls.empty')}</Empty>
      ) : (
        <div className="table-wrap panel">
          <table className="table" data-testid="controls-table">
            <caption className="sr-only">{t('controls.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('queue.col.reference')}</th>
                <th scope="col">{t('controls.col.opened')}</th>
                <th scope="col">{t('queue.col.office')}</th>
                <th scope="col">{t('queue.col.channel')}</th>
                <th scope="col" className="num">{t('queue.col.score')}</th>
                <th scope="col">{t('control.status')}</th>
                {!officer && <th scope="col">{t('control.officer')}</th>}
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id} data-reference={c.reference ?? ''}>
                  <td className="nowrap">
                    <Link to={`/declarations/${c.declarationId}`} className="strong">
                      {c.reference ?? c.declarationId.slice(0, 8)}
                    </Link>
                    {c.randomSelected && <span className="tag">{t('controls.random')}</span>}
                  </td>
                  <td className="nowrap">{fmt.dateTime(c.createdAt)}</td>
                  <td title={c.office}>{officeName(c.office)}</td>
                  <td>
                    <ChannelBadge channel={c.channel} />
                  </td>
                  <td className="num">{fmt.dec(c.score)}</td>
                  <td>
                    <span className={`badge control-${c.status}`}>{tk('controlStatus', c.status)}</span>
                  </td>
                  {!officer && <td>{c.officerName ?? <span className="muted">{t('control.nobody')}</span>}</td>}
                </tr>
              ))}
            </tbody>
          </table>
          <div className="table-foot">
            <span className="muted" aria-live="polite">
              {t('controls.count', { count: fmt.int(items.length) })}
            </span>
          </div>
        </div>
      )}
    </>
  );
}
