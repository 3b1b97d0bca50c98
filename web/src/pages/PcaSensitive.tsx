import { useState } from 'react';
import { api } from '../api/client.ts';
import type { PcaSensitive } from '../api/types.ts';
import { useFormat } from '../app/format.ts';
import { useSession } from '../app/session.tsx';
import { useApi } from '../app/useApi.ts';
import { PageHeader, Panel } from '../components/Layout.tsx';
import { ActionError, PcaField, useAction, PcaTabs } from '../components/PcaParts.tsx';
import { Empty, ErrorBox, Loading } from '../components/States.tsx';
import { useI18n } from '../i18n/index.tsx';

const REASONS = ['high_duty', 'excise', 'undervaluation', 'dual_use', 'other'] as const;

/** The sensitive goods list: entries in force, proposals and withdrawals awaiting a second person. */
export function PcaSensitivePage() {
  const { t, tk } = useI18n();
  const { session } = useSession();
  const fmt = useFormat();
  const state = useApi<{ items: PcaSensitive[] }>('/api/v1/pca/sensitive-goods');
  const [d, setD] = useState({ hs: '', reason: 'excise', note: '', validFrom: new Date().toISOString().slice(0, 10), validTo: '' });
  const propose = useAction();
  const decide = useAction();
  const me = session!.user.username;
  return (
    <>
      <PcaTabs />
      <PageHeader title={t('pca.sensitive.title')} subtitle={t('pca.sensitive.intro')} />
      <Panel title={t('pca.sensitive.propose')}>
        <form
          className="form-grid"
          onSubmit={(e) => {
            e.preventDefault();
            void propose.run(() => api('/api/v1/pca/sensitive-goods', { method: 'POST', body: { hs: d.hs, reason: d.reason, note: d.note, validFrom: d.validFrom, validTo: d.validTo || null } }), () => {
              setD({ ...d, hs: '', note: '' });
              state.reload();
            });
          }}
        >
          <PcaField id="s-hs" label={t('pca.sensitive.hs')} error={propose.field('hs')} hint={t('pca.sensitive.hsHint')}>
            <input id="s-hs" value={d.hs} inputMode="numeric" onChange={(e) => setD({ ...d, hs: e.target.value.trim() })} />
          </PcaField>
          <PcaField id="s-reason" label={t('pca.sensitive.reason')} error={propose.field('reason')}>
            <select id="s-reason" value={d.reason} onChange={(e) => setD({ ...d, reason: e.target.value })}>
              {REASONS.map((r) => (
                <option key={r} value={r}>
                  {tk('pca.reason', r)}
                </option>
              ))}
            </select>
          </PcaField>
          <PcaField id="s-note" label={t('pca.sensitive.note')} error={propose.field('note')}>
            <input id="s-note" value={d.note} onChange={(e) => setD({ ...d, note: e.target.value })} />
          </PcaField>
          <PcaField id="s-from" label={t('pca.sensitive.validFrom')} error={propose.field('validFrom')}>
            <input id="s-from" type="date" value={d.validFrom} onChange={(e) => setD({ ...d, validFrom: e.target.value })} />
          </PcaField>
          <PcaField id="s-to" label={t('pca.sensitive.validTo')} error={propose.field('validTo')}>
            <input id="s-to" type="date" value={d.validTo} onChange={(e) => setD({ ...d, validTo: e.target.value })} />
          </PcaField>
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={propose.busy}>
              {t('pca.sensitive.submit')}
            </button>
          </div>
          <ActionError message={propose.field('hs') || propose.field('note') ? undefined : propose.message} />
        </form>
      </Panel>
      <ActionError message={decide.message} />
      {state.error ? (
        <ErrorBox error={state.error} onRetry={state.reload} />
      ) : !state.data ? (
        <Loading />
      ) : state.data.items.length === 0 ? (
        <Empty>{t('pca.sensitive.empty')}</Empty>
      ) : (
        <div className="table-wrap panel">
          <table className="table" data-testid="sensitive-table">
            <caption className="sr-only">{t('pca.sensitive.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('pca.sensitive.hs')}</th>
                <th scope="col">{t('pca.sensitive.reason')}</th>
                <th scope="col">{t('pca.sensitive.note')}</th>
                <th scope="col">{t('pca.sensitive.validity')}</th>
                <th scope="col">{t('pca.status')}</th>
                <th scope="col">{t('pca.sensitive.who')}</th>
                <th scope="col">{t('pca.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {state.data.items.map((s) => {
                const pending = s.status === 'pending' || s.status === 'withdrawal_pending';
                const mine = (s.status === 'pending' ? s.proposedBy : s.withdrawalBy) === me;
                return (
                  <tr key={s.id} data-hs={s.hs}>
                    <td className="mono strong">{s.hs}</td>
                    <td>{tk('pca.reason', s.reason)}</td>
                    <td>{s.note}</td>
                    <td className="nowrap">
                      {s.validFrom} – {s.validTo ?? t('pca.sensitive.open')}
                    </td>
                    <td>
                      <span className={`badge pca-${s.status}`}>{tk('pca.sensitiveStatus', s.status)}</span>
                    </td>
                    <td className="small">
                      {s.proposedBy} · {fmt.date(s.proposedAt)}
                      {s.decidedBy && <div className="muted">{t('pca.decidedBy', { name: s.decidedBy })}</div>}
                      {s.withdrawalReason && <div className="muted">{t('pca.sensitive.withdrawalAsked', { name: s.withdrawalBy ?? '', reason: s.withdrawalReason })}</div>}
                    </td>
                    <td className="nowrap">
                      {pending && !mine && (
                        <>
                          <button type="button" className="btn btn-small" disabled={decide.busy} onClick={() => void decide.run(() => api(`/api/v1/pca/sensitive-goods/${s.id}/decision`, { method: 'POST', body: { approve: true } }), state.reload)}>
                            {t('pca.approve')}
                          </button>{' '}
                          <button type="button" className="btn btn-small" disabled={decide.busy} onClick={() => void decide.run(() => api(`/api/v1/pca/sensitive-goods/${s.id}/decision`, { method: 'POST', body: { approve: false } }), state.reload)}>
                            {t('pca.reject')}
                          </button>
                        </>
                      )}
                      {pending && mine && <span className="muted small">{t('pca.awaitingOther')}</span>}
                      {s.status === 'active' && (
                        <button
                          type="button"
                          className="btn btn-small"
                          disabled={decide.busy}
                          onClick={() => {
                            const reason = window.prompt(t('pca.sensitive.withdrawReason'));
                            if (reason) void decide.run(() => api(`/api/v1/pca/sensitive-goods/${s.id}/withdraw`, { method: 'POST', body: { reason } }), state.reload);
                          }}
                        >
                          {t('pca.sensitive.withdraw')}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
