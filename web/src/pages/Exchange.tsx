/** The regional exchange, for administrators: the link, messages and their delivery, dead letters, partners and keys, sharing rules. */
import { useState } from 'react';
import { api, withQuery } from '../api/client.ts';
import { can } from '../app/access.ts';
import { useFormat } from '../app/format.ts';
import { useApi } from '../app/useApi.ts';
import { useSession } from '../app/session.tsx';
import { useLinkStatus } from '../components/ExchangeBanner.tsx';
import { Facts, PageHeader, Panel, Tile } from '../components/Layout.tsx';
import { ActionError, PcaField, useAction } from '../components/PcaParts.tsx';
import { Async } from '../components/States.tsx';
import { useI18n } from '../i18n/index.tsx';

interface Delivery { messageId: string; recipient: string; kind: string; state: 'queued' | 'sent' | 'applied' | 'refused'; reason: string | null; queuedAt: string; sentAt: string | null; answeredAt: string | null }
interface Received { messageId: string; recipient: string; sender: string; kind: string; subject: string | null; sentAt: string; receivedAt: string; appliedAt: string }
interface DeadLetter { id: string; messageId: string | null; recipient: string; sender: string | null; kind: string | null; code: string; reason: string; receivedAt: string; status: 'open' | 'applied' | 'discarded'; examinations: number }
interface Key { keyId: string; administration: string; origin: 'local' | 'imported'; createdAt: string; retiredAt: string | null; revokedAt: string | null; revocationReason: string | null; registeredBy: string }
interface Partner { sender: string; kinds: string[] | null; version: number; updatedBy: string | null; updatedAt: string | null; keys: number }
interface Rules { administration: string; version: number; rules: { kind: string; partners: string[]; redact: string[] }[]; note: string | null; createdBy: string | null; createdAt: string | null }

const TABS = ['messages', 'deadLetters', 'partners', 'rules'] as const;
type Tab = (typeof TABS)[number];

export function Exchange() {
  const { t } = useI18n();
  const fmt = useFormat();
  const s = useLinkStatus(10_000);
  const [tab, setTab] = useState<Tab>('messages');
  return (
    <>
      <PageHeader title={t('exchange.title')} subtitle={t('exchange.intro')} />
      <Panel title={t('exchange.link')}>
        {s ? (
          <>
            <div className="tiles">
              <Tile label={t('exchange.link.state')} value={s.up ? t('exchange.link.up') : t('exchange.link.down')} note={t('exchange.link.since', { since: fmt.dateTime(s.since) })} tone={s.up ? 'ok' : 'bad'} />
              <Tile label={t('exchange.link.queued')} value={fmt.int(s.queued)} note={s.oldestQueuedAt ? t('exchange.link.oldest', { at: fmt.dateTime(s.oldestQueuedAt) }) : undefined} tone={s.queued ? 'warn' : undefined} />
              <Tile label={t('exchange.link.deadLetters')} value={s.deadLetters} tone={s.deadLetters ? 'bad' : undefined} />
            </div>
            <Facts items={[[t('exchange.link.transport'), `${s.transport === 'nats' ? 'NATS JetStream' : t('exchange.link.inProcess')} · ${s.location}`], [t('exchange.link.local'), s.local.join(', ')], [t('exchange.link.lastSent'), fmt.dateTime(s.lastSentAt)], [t('exchange.link.lastReceived'), fmt.dateTime(s.lastReceivedAt)], [t('exchange.link.lastError'), s.lastError ?? '—']]} />
          </>
        ) : (
          <p>{t('state.loading')}</p>
        )}
      </Panel>
      <div className="tabs" role="tablist" aria-label={t('exchange.title')}>
        {TABS.map((x) => (
          <button key={x} type="button" role="tab" aria-selected={tab === x} className={`tab${tab === x ? ' tab-active' : ''}`} onClick={() => setTab(x)}>
            {t(`exchange.tab.${x}`)}
          </button>
        ))}
      </div>
      {tab === 'messages' && <Messages />}
      {tab === 'deadLetters' && <DeadLetters />}
      {tab === 'partners' && <Partners />}
      {tab === 'rules' && <SharingRules />}
    </>
  );
}

function StateBadge({ state }: { state: Delivery['state'] }) {
  const { t } = useI18n();
  return <span className={`badge exchange-state exchange-state-${state}`}>{t(`exchange.state.${state}`)}</span>;
}

function Messages() {
  const { t } = useI18n();
  const fmt = useFormat();
  const [state, setState] = useState('');
  const sent = useApi<{ items: Delivery[] }>(withQuery('/api/v1/exchange/messages/sent', { state: state || undefined, limit: 200 }));
  const received = useApi<{ items: Received[] }>('/api/v1/exchange/messages/received?limit=200');
  return (
    <>
      <Panel
        title={t('exchange.sent')}
        actions={
          <label className="inline-field">
            {t('exchange.filter.state')}{' '}
            <select value={state} onChange={(e) => setState(e.target.value)}>
              <option value="">{t('exchange.filter.all')}</option>
              {(['queued', 'sent', 'applied', 'refused'] as const).map((x) => (
                <option key={x} value={x}>
                  {t(`exchange.state.${x}`)}
                </option>
              ))}
            </select>
          </label>
        }
      >
        <Async state={sent} isEmpty={(d) => !d.items.length} empty={t('exchange.sent.none')}>
          {(d) => (
            <table className="table">
              <thead>
                <tr>
                  <th>{t('exchange.col.queued')}</th>
                  <th>{t('exchange.col.kind')}</th>
                  <th>{t('exchange.col.to')}</th>
                  <th>{t('exchange.col.state')}</th>
                  <th>{t('exchange.col.answered')}</th>
                  <th>{t('exchange.col.reason')}</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((x) => (
                  <tr key={`${x.messageId}-${x.recipient}`}>
                    <td title={x.messageId}>{fmt.dateTime(x.queuedAt)}</td>
                    <td>{x.kind}</td>
                    <td>{x.recipient}</td>
                    <td>
                      <StateBadge state={x.state} />
                    </td>
                    <td>{fmt.dateTime(x.answeredAt)}</td>
                    <td>{x.reason ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Async>
      </Panel>
      <Panel title={t('exchange.received')}>
        <Async state={received} isEmpty={(d) => !d.items.length} empty={t('exchange.received.none')}>
          {(d) => (
            <table className="table">
              <thead>
                <tr>
                  <th>{t('exchange.col.received')}</th>
                  <th>{t('exchange.col.kind')}</th>
                  <th>{t('exchange.col.from')}</th>
                  <th>{t('exchange.col.to')}</th>
                  <th>{t('exchange.col.subject')}</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((x) => (
                  <tr key={`${x.messageId}-${x.recipient}`}>
                    <td title={x.messageId}>{fmt.dateTime(x.receivedAt)}</td>
                    <td>{x.kind}</td>
                    <td>{x.sender}</td>
                    <td>{x.recipient}</td>
                    <td>{x.subject ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Async>
      </Panel>
    </>
  );
}

function DeadLetters() {
  const { t } = useI18n();
  const fmt = useFormat();
  const { session } = useSession();
  const manage = can(session?.user.role, 'exchangeManage');
  const [status, setStatus] = useState<'open' | 'applied' | 'discarded'>('open');
  const list = useApi<{ items: DeadLetter[] }>(withQuery('/api/v1/exchange/dead-letters', { status, limit: 200 }));
  const act = useAction();
  const [note, setNote] = useState<string | null>(null);
  return (
    <Panel
      title={t('exchange.deadLetters')}
      actions={
        <select value={status} onChange={(e) => setStatus(e.target.value as typeof status)} aria-label={t('exchange.filter.status')}>
          {(['open', 'applied', 'discarded'] as const).map((x) => (
            <option key={x} value={x}>
              {t(`exchange.dl.${x}`)}
            </option>
          ))}
        </select>
      }
    >
      <p className="subtitle">{t('exchange.deadLetters.intro')}</p>
      <ActionError message={act.message} />
      {note && <p className="notice notice-ok">{note}</p>}
      <Async state={list} isEmpty={(d) => !d.items.length} empty={t('exchange.deadLetters.none')}>
        {(d) => (
          <table className="table">
            <thead>
              <tr>
                <th>{t('exchange.col.received')}</th>
                <th>{t('exchange.col.from')}</th>
                <th>{t('exchange.col.to')}</th>
                <th>{t('exchange.col.kind')}</th>
                <th>{t('exchange.col.code')}</th>
                <th>{t('exchange.col.reason')}</th>
                {manage && status === 'open' && <th>{t('exchange.col.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {d.items.map((x) => (
                <tr key={x.id}>
                  <td title={x.messageId ?? ''}>{fmt.dateTime(x.receivedAt)}</td>
                  <td>{x.sender ?? '?'}</td>
                  <td>{x.recipient}</td>
                  <td>{x.kind ?? '?'}</td>
                  <td>
                    <code>{x.code}</code>
                  </td>
                  <td>{x.reason}</td>
                  {manage && status === 'open' && (
                    <td className="row-actions">
                      <button
                        type="button"
                        className="btn btn-small"
                        disabled={act.busy}
                        onClick={() =>
                          void act.run(async () => {
                            const r = await api<{ outcome: string; reason: string | null }>(`/api/v1/exchange/dead-letters/${x.id}/reexamine`, { method: 'POST' });
                            setNote(r.outcome === 'dead' ? t('exchange.dl.stillRefused', { reason: r.reason ?? '' }) : t('exchange.dl.applied'));
                          }, list.reload)
                        }
                      >
                        {t('exchange.dl.reexamine')}
                      </button>{' '}
                      <button
                        type="button"
                        className="btn btn-small btn-ghost"
                        disabled={act.busy}
                        onClick={() => {
                          const reason = window.prompt(t('exchange.dl.discardReason'));
                          if (reason) void act.run(() => api(`/api/v1/exchange/dead-letters/${x.id}/discard`, { method: 'POST', body: { reason } }), list.reload);
                        }}
                      >
                        {t('exchange.dl.discard')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Async>
    </Panel>
  );
}

function Partners() {
  const { t } = useI18n();
  const fmt = useFormat();
  const { session } = useSession();
  const manage = can(session?.user.role, 'exchangeManage');
  const partners = useApi<{ administration: string; items: Partner[] }>('/api/v1/exchange/partners');
  const keys = useApi<{ items: Key[] }>('/api/v1/exchange/keys');
  const act = useAction();
  const [bundle, setBundle] = useState('');
  const [exported, setExported] = useState<string | null>(null);
  return (
    <>
      <Panel title={t('exchange.partners')}>
        <p className="subtitle">{t('exchange.partners.intro')}</p>
        <ActionError message={act.message} />
        <Async state={partners}>
          {(d) => (
            <table className="table">
              <thead>
                <tr>
                  <th>{t('exchange.col.partner')}</th>
                  <th>{t('exchange.col.kinds')}</th>
                  <th>{t('exchange.col.keys')}</th>
                  <th>{t('exchange.col.updated')}</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((p) => (
                  <tr key={p.sender}>
                    <td>{p.sender}</td>
                    <td>
                      {p.kinds === null ? t('exchange.partners.every') : p.kinds.join(', ') || t('exchange.partners.nothing')}
                      {manage && (
                        <>
                          {' '}
                          <button
                            type="button"
                            className="btn btn-small btn-ghost"
                            onClick={() => {
                              const v = window.prompt(t('exchange.partners.editPrompt'), p.kinds?.join(', ') ?? '*');
                              if (v === null) return;
                              const kinds = v.trim() === '*' ? null : v.split(',').map((k) => k.trim()).filter(Boolean);
                              void act.run(() => api(`/api/v1/exchange/partners/${p.sender}`, { method: 'PUT', body: { kinds } }), partners.reload);
                            }}
                          >
                            {t('exchange.partners.edit')}
                          </button>
                        </>
                      )}
                    </td>
                    <td>{p.keys}</td>
                    <td>{p.updatedAt ? `${fmt.dateTime(p.updatedAt)} · ${p.updatedBy}` : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Async>
      </Panel>
      <Panel
        title={t('exchange.keys')}
        actions={
          <button type="button" className="btn btn-small" onClick={() => void api<unknown>('/api/v1/exchange/keys/export').then((b) => setExported(JSON.stringify(b, null, 2)), () => {})}>
            {t('exchange.keys.export')}
          </button>
        }
      >
        <p className="subtitle">{t('exchange.keys.intro')}</p>
        {exported && <textarea className="code-box" readOnly rows={8} value={exported} aria-label={t('exchange.keys.export')} />}
        <Async state={keys}>
          {(d) => (
            <table className="table">
              <thead>
                <tr>
                  <th>{t('exchange.col.keyId')}</th>
                  <th>{t('exchange.col.admin')}</th>
                  <th>{t('exchange.col.origin')}</th>
                  <th>{t('exchange.col.created')}</th>
                  <th>{t('exchange.col.status')}</th>
                  {manage && <th>{t('exchange.col.actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {d.items.map((k) => (
                  <tr key={k.keyId}>
                    <td>
                      <code>{k.keyId}</code>
                    </td>
                    <td>{k.administration}</td>
                    <td>{t(`exchange.origin.${k.origin}`)}</td>
                    <td>{fmt.dateTime(k.createdAt)}</td>
                    <td>{k.revokedAt ? t('exchange.key.revoked', { at: fmt.dateTime(k.revokedAt), reason: k.revocationReason ?? '' }) : k.retiredAt ? t('exchange.key.retired', { at: fmt.dateTime(k.retiredAt) }) : t('exchange.key.active')}</td>
                    {manage && (
                      <td>
                        {!k.revokedAt && (
                          <button
                            type="button"
                            className="btn btn-small btn-ghost"
                            onClick={() => {
                              const reason = window.prompt(t('exchange.key.revokeReason'));
                              if (reason) void act.run(() => api(`/api/v1/exchange/keys/${encodeURIComponent(k.keyId)}/revoke`, { method: 'POST', body: { reason } }), keys.reload);
                            }}
                          >
                            {t('exchange.key.revoke')}
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Async>
        {manage && (
          <form
            className="form-stack"
            onSubmit={(e) => {
              e.preventDefault();
              void act.run(async () => {
                let body: unknown;
                try {
                  body = JSON.parse(bundle);
                } catch {
                  throw new Error(t('exchange.keys.notJson'));
                }
                await api('/api/v1/exchange/keys/import', { method: 'POST', body });
                setBundle('');
              }, keys.reload);
            }}
          >
            <PcaField id="x-bundle" label={t('exchange.keys.import')} hint={t('exchange.keys.importHint')}>
              <textarea id="x-bundle" rows={6} value={bundle} onChange={(e) => setBundle(e.target.value)} />
            </PcaField>
            <div className="form-actions">
              <button type="submit" className="btn btn-primary" disabled={act.busy || !bundle.trim()}>
                {t('exchange.keys.importButton')}
              </button>
              <button type="button" className="btn" disabled={act.busy} onClick={() => void act.run(() => api('/api/v1/exchange/keys/rotate', { method: 'POST', body: {} }), keys.reload)}>
                {t('exchange.keys.rotate')}
              </button>
            </div>
          </form>
        )}
      </Panel>
    </>
  );
}

function SharingRules() {
  const { t } = useI18n();
  const fmt = useFormat();
  const { session } = useSession();
  const manage = can(session?.user.role, 'exchangeManage');
  const rules = useApi<Rules>('/api/v1/exchange/sharing-rules');
  const history = useApi<{ items: Rules[] }>('/api/v1/exchange/sharing-rules/history');
  const [draft, setDraft] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const act = useAction();
  return (
    <>
      <Panel title={t('exchange.rules')}>
        <p className="subtitle">{t('exchange.rules.intro')}</p>
        <ActionError message={act.message} />
        <Async state={rules}>
          {(r) => (
            <>
              <Facts items={[[t('exchange.rules.version'), r.version === 0 ? t('exchange.rules.default') : String(r.version)], [t('exchange.col.updated'), r.createdAt ? `${fmt.dateTime(r.createdAt)} · ${r.createdBy}` : '—'], [t('exchange.rules.note'), r.note ?? '—']]} />
              <table className="table">
                <thead>
                  <tr>
                    <th>{t('exchange.col.kind')}</th>
                    <th>{t('exchange.col.partners')}</th>
                    <th>{t('exchange.col.redact')}</th>
                  </tr>
                </thead>
                <tbody>
                  {r.rules.map((x) => (
                    <tr key={x.kind}>
                      <td>{x.kind === '*' ? t('exchange.rules.everyKind') : x.kind}</td>
                      <td>{x.partners.includes('*') ? t('exchange.rules.everyPartner') : x.partners.join(', ') || t('exchange.partners.nothing')}</td>
                      <td>{x.redact.join(', ') || '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {manage &&
                (draft === null ? (
                  <button type="button" className="btn" onClick={() => setDraft(JSON.stringify(r.rules, null, 2))}>
                    {t('exchange.rules.edit')}
                  </button>
                ) : (
                  <form
                    className="form-stack"
                    onSubmit={(e) => {
                      e.preventDefault();
                      void act.run(async () => {
                        let parsed: unknown;
                        try {
                          parsed = JSON.parse(draft);
                        } catch {
                          throw new Error(t('exchange.rules.notJson'));
                        }
                        await api('/api/v1/exchange/sharing-rules', { method: 'PUT', body: { rules: parsed, ...(note.trim() ? { note: note.trim() } : {}) } });
                        setDraft(null);
                        setNote('');
                      }, () => {
                        rules.reload();
                        history.reload();
                      });
                    }}
                  >
                    <PcaField id="x-rules" label={t('exchange.rules.json')} hint={t('exchange.rules.hint')} error={act.field('rules')}>
                      <textarea id="x-rules" rows={12} className="code-box" value={draft} onChange={(e) => setDraft(e.target.value)} />
                    </PcaField>
                    <PcaField id="x-note" label={t('exchange.rules.note')} error={act.field('note')}>
                      <input id="x-note" value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} />
                    </PcaField>
                    <div className="form-actions">
                      <button type="submit" className="btn btn-primary" disabled={act.busy}>
                        {t('exchange.rules.save')}
                      </button>
                      <button type="button" className="btn btn-ghost" onClick={() => setDraft(null)}>
                        {t('exchange.rules.cancel')}
                      </button>
                    </div>
                  </form>
                ))}
            </>
          )}
        </Async>
      </Panel>
      <Panel title={t('exchange.rules.history')}>
        <Async state={history} isEmpty={(d) => !d.items.length} empty={t('exchange.rules.noHistory')}>
          {(d) => (
            <ul className="plain-list">
              {d.items.map((h) => (
                <li key={h.version}>
                  <strong>v{h.version}</strong> · {fmt.dateTime(h.createdAt)} · {h.createdBy} {h.note ? `— ${h.note}` : ''}
                </li>
              ))}
            </ul>
          )}
        </Async>
      </Panel>
    </>
  );
}
