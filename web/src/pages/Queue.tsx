import { useEffect, useState } from 'react';
import { api, withQuery } from '../api/client.ts';
import { CHANNELS, type DeclarationRow } from '../api/types.ts';
import { todayIn, useFormat } from '../app/format.ts';
import { useReference } from '../app/reference.tsx';
import { Link, useRouter } from '../app/router.tsx';
import { useSession } from '../app/session.tsx';
import { ChannelBadge } from '../components/Badges.tsx';
import { FilterBar, OfficeSelect, SelectField, TextField } from '../components/Filters.tsx';
import { PageHeader } from '../components/Layout.tsx';
import { ReasonList } from '../components/Reasons.tsx';
import { Empty, ErrorBox, Loading } from '../components/States.tsx';
import { useI18n } from '../i18n/index.tsx';

const PAGE = 50;

/** Local day (YYYY-MM-DD) → the instant it starts in the zone, as the list API wants. */
function dayStart(ymd: string, timeZone: string, plusDays = 0): string {
  const guess = new Date(`${ymd}T00:00:00Z`);
  guess.setUTCDate(guess.getUTCDate() + plusDays);
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(guess);
  const off = parts.find((p) => p.type === 'timeZoneName')?.value.replace('GMT', '') || '+00:00';
  return `${guess.toISOString().slice(0, 10)}T00:00:00${off === '' ? '+00:00' : off}`;
}

export function Queue() {
  const { t, tk } = useI18n();
  const { session } = useSession();
  const { query, navigate } = useRouter();
  const { officeName } = useReference();
  const country = session!.user.country;
  const fmt = useFormat(country);
  const f = { office: query.get('office') ?? '', channel: query.get('channel') ?? '', type: query.get('type') ?? '', trader: query.get('trader') ?? '', from: query.get('from') ?? '', to: query.get('to') ?? '' };
  const key = JSON.stringify(f);

  const [rows, setRows] = useState<DeclarationRow[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);

  const path = (after?: string | null) =>
    withQuery('/api/v1/declarations', {
      office: f.office,
      channel: f.channel,
      type: f.type,
      trader: f.trader.trim(),
      from: f.from ? dayStart(f.from, fmt.timeZone) : undefined,
      to: f.to ? dayStart(f.to, fmt.timeZone, 1) : undefined,
      limit: PAGE,
      cursor: after ?? undefined,
    });

  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    setError(null);
    api<{ items: DeclarationRow[]; nextCursor: string | null }>(path(), { signal: ctl.signal }).then(
      (r) => {
        setRows(r.items);
        setCursor(r.nextCursor);
        setLoading(false);
      },
      (e) => {
        if ((e as Error).name === 'AbortError') return;
        setRows([]);
        setError(e);
        setLoading(false);
      },
    );
    return () => ctl.abort();
  }, [key, tick]);

  const more = async () => {
    setLoading(true);
    try {
      const r = await api<{ items: DeclarationRow[]; nextCursor: string | null }>(path(cursor));
      setRows((x) => [...x, ...r.items]);
      setCursor(r.nextCursor);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };

  const apply = (v: Record<string, string>) => navigate(withQuery('/queue', v), { replace: true });
  const showReasons = rows.some((r) => Array.isArray(r.reasons));

  return (
    <>
      <PageHeader title={t('queue.title')} subtitle={t('queue.subtitle')} />
      <FilterBar key={key} initial={f} onApply={apply} testId="queue-filters">
        {(v, set) => (
          <>
            <OfficeSelect country={country} value={v.office} onChange={(x) => set('office', x)} />
            <SelectField id="f-channel" label={t('filter.channel')} value={v.channel} onChange={(x) => set('channel', x)} allLabel={t('filter.allChannels')} options={CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) }))} />
            <SelectField id="f-type" label={t('filter.type')} value={v.type} onChange={(x) => set('type', x)} allLabel={t('filter.allTypes')} options={['IM', 'EX', 'TR'].map((c) => ({ value: c, label: tk('type', c) }))} />
            <TextField id="f-trader" label={t('filter.trader')} value={v.trader} onChange={(x) => set('trader', x)} hint={t('filter.traderHint')} />
            <TextField id="f-from" type="date" label={t('filter.from')} value={v.from} onChange={(x) => set('from', x)} />
            <TextField id="f-to" type="date" label={t('filter.to')} value={v.to} onChange={(x) => set('to', x || '')} placeholder={todayIn(fmt.timeZone)} />
          </>
        )}
      </FilterBar>

      {error ? (
        <ErrorBox error={error} onRetry={() => setTick((n) => n + 1)} />
      ) : loading && rows.length === 0 ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty>{t('queue.empty')}</Empty>
      ) : (
        <div className="table-wrap panel">
          <table className="table" data-testid="queue-table">
            <caption className="sr-only">{t('queue.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('queue.col.reference')}</th>
                <th scope="col">{t('queue.col.lodged')}</th>
                <th scope="col">{t('queue.col.office')}</th>
                <th scope="col">{t('queue.col.type')}</th>
                <th scope="col">{t('queue.col.trader')}</th>
                <th scope="col" className="num">{t('queue.col.items')}</th>
                <th scope="col" className="num">{t('queue.col.value')}</th>
                <th scope="col">{t('queue.col.channel')}</th>
                <th scope="col" className="num">{t('queue.col.score')}</th>
                {showReasons && <th scope="col">{t('queue.col.reasons')}</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const trader = r.importerTin ?? r.exporterTin ?? r.declarantTin;
                return (
                  <tr key={r.id} data-reference={r.reference}>
                    <td className="nowrap">
                      <Link to={`/declarations/${r.id}`} className="strong">
                        {r.reference}
                      </Link>
                      {r.version > 1 && <span className="tag">v{r.version}</span>}
                    </td>
                    <td className="nowrap">{fmt.dateTime(r.lodgedAt)}</td>
                    <td title={r.office}>{officeName(r.office)}</td>
                    <td>{tk('type', r.type)}</td>
                    <td className="nowrap">
                      <Link to={`/traders/${encodeURIComponent(trader)}`}>{trader}</Link>
                    </td>
                    <td className="num">{fmt.int(r.itemCount)}</td>
                    <td className="num nowrap">{fmt.money(r.totalValue, r.currency)}</td>
                    <td>
                      <ChannelBadge channel={r.channel} />
                    </td>
                    <td className="num">{r.score === null ? '—' : fmt.dec(r.score)}</td>
                    {showReasons && <td>{r.reasons ? <ReasonList reasons={r.reasons} compact /> : '—'}</td>}
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div className="table-foot">
            <span className="muted" aria-live="polite">
              {t('queue.count', { count: fmt.int(rows.length) })}
            </span>
            {cursor && (
              <button type="button" className="btn" onClick={() => void more()} disabled={loading}>
                {loading ? t('state.loading') : t('queue.more')}
              </button>
            )}
          </div>
        </div>
      )}
    </>
  );
}
