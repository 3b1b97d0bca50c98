/**
 * Regional risk cooperation: risk information forms (inbox / outbox, compose, accept as a criterion
 * or decline), common regional criteria (proposals, each member's answer, hit rates per country),
 * and regional intelligence (seizures and control results shared by partners, turned into watch
 * criteria). Every change goes through the API, which queues the message to partners with it.
 */
import { useState } from 'react';
import type { z } from 'zod';
import type * as Coop from '../../../src/modules/cooperation/responses.ts';
import { api } from '../api/client.ts';
import { ADMINISTRATIONS } from '../api/types.ts';
import { can } from '../app/access.ts';
import { useFormat } from '../app/format.ts';
import { Link } from '../app/router.tsx';
import { useSession } from '../app/session.tsx';
import { useApi } from '../app/useApi.ts';
import { PageHeader, Panel } from '../components/Layout.tsx';
import { ActionError, PcaField as Field, useAction } from '../components/PcaParts.tsx';
import { Empty, ErrorBox, Loading } from '../components/States.tsx';
import { useI18n } from '../i18n/index.tsx';

type Rif = z.output<typeof Coop.rifView>;
type RifDetail = z.output<typeof Coop.rifDetail>;
type Proposal = z.output<typeof Coop.proposalView>;
type Intel = z.output<typeof Coop.intelView>;

const RISK_TYPES = ['revenue', 'drugs', 'weapons', 'security', 'safety', 'ipr', 'environment', 'other'] as const;
const ACTIONS = ['inspect', 'scan', 'document_check', 'watch'] as const;
const list = (s: string) =>
  s
    .split(/[,;\n]/)
    .map((x) => x.trim())
    .filter(Boolean);

export function CooperationTabs() {
  const { t } = useI18n();
  return (
    <nav className="tabs" aria-label={t('coop.title')}>
      <Link to="/cooperation/rifs" className="tab">
        {t('coop.tab.rifs')}
      </Link>{' '}
      <Link to="/cooperation/criteria" className="tab">
        {t('coop.tab.criteria')}
      </Link>{' '}
      <Link to="/cooperation/intel" className="tab">
        {t('coop.tab.intel')}
      </Link>
    </nav>
  );
}

function BoxSwitch({ box, setBox }: { box: 'inbox' | 'outbox'; setBox: (b: 'inbox' | 'outbox') => void }) {
  const { t } = useI18n();
  return (
    <div className="segmented" role="group" aria-label={t('coop.box')}>
      {(['inbox', 'outbox'] as const).map((b) => (
        <button key={b} type="button" className={`btn btn-small${box === b ? ' btn-primary' : ''}`} aria-pressed={box === b} onClick={() => setBox(b)}>
          {t(b === 'inbox' ? 'coop.box.inbox' : 'coop.box.outbox')}
        </button>
      ))}
    </div>
  );
}

function Partners({ value, onChange, own, id }: { value: string[]; onChange: (v: string[]) => void; own: string; id: string }) {
  return (
    <div id={id} className="checks">
      {ADMINISTRATIONS.filter((a) => a !== own).map((a) => (
        <label key={a} className="check">
          <input type="checkbox" checked={value.includes(a)} onChange={(e) => onChange(e.target.checked ? [...value, a] : value.filter((x) => x !== a))} /> {a}
        </label>
      ))}
    </div>
  );
}

function DeliveryBadge({ state, withheld }: { state: string | null; withheld: boolean }) {
  const { t, tk } = useI18n();
  if (withheld) return <span className="badge">{t('coop.withheld')}</span>;
  return <span className={`badge delivery-${state ?? 'queued'}`}>{tk('coop.delivery', state ?? 'queued')}</span>;
}

// ================================================================== RIFs

export function CooperationRifs() {
  const { t, tk } = useI18n();
  const fmt = useFormat();
  const { session } = useSession();
  const user = session!.user;
  const [box, setBox] = useState<'inbox' | 'outbox'>('inbox');
  const state = useApi<{ items: Rif[] }>(`/api/v1/cooperation/rifs?box=${box}`);
  const send = useAction();
  const empty = { title: '', riskType: 'revenue', tins: '', plates: '', containers: '', hs: '', goods: '', dispatch: '', text: '', action: 'inspect', validTo: '', contact: '', recipients: [] as string[] };
  const [d, setD] = useState(empty);
  const mayCompose = ['risk_analyst', 'supervisor'].includes(user.role);
  return (
    <>
      <CooperationTabs />
      <PageHeader title={t('coop.rifs.title')} subtitle={t('coop.rifs.intro')} />
      {mayCompose && (
        <Panel title={t('coop.rifs.compose')}>
          <form
            className="form-grid"
            onSubmit={(e) => {
              e.preventDefault();
              const body = {
                title: d.title,
                riskType: d.riskType,
                subject: { traderTins: list(d.tins), plates: list(d.plates), containers: list(d.containers), route: { dispatch: list(d.dispatch).map((x) => x.toUpperCase()), destination: [], offices: [] }, goods: { hsCodes: list(d.hs), ...(d.goods ? { description: d.goods } : {}) } },
                indicators: { text: d.text, items: [] },
                recommendedAction: d.action,
                validTo: d.validTo ? new Date(`${d.validTo}T23:59:59Z`).toISOString() : '',
                ...(d.contact ? { contact: d.contact } : {}),
                recipients: d.recipients,
              };
              void send.run(() => api('/api/v1/cooperation/rifs', { method: 'POST', body }), () => {
                setD(empty);
                setBox('outbox');
                state.reload();
              });
            }}
          >
            <Field id="rif-title" label={t('coop.rif.title')} error={send.field('title')}>
              <input id="rif-title" value={d.title} onChange={(e) => setD({ ...d, title: e.target.value })} />
            </Field>
            <Field id="rif-type" label={t('coop.rif.riskType')} error={send.field('riskType')}>
              <select id="rif-type" value={d.riskType} onChange={(e) => setD({ ...d, riskType: e.target.value })}>
                {RISK_TYPES.map((r) => (
                  <option key={r} value={r}>
                    {tk('coop.riskType', r)}
                  </option>
                ))}
              </select>
            </Field>
            <Field id="rif-tins" label={t('coop.rif.tins')} hint={t('coop.listHint')} error={send.field('subject.traderTins') ?? send.field('subject')}>
              <input id="rif-tins" value={d.tins} onChange={(e) => setD({ ...d, tins: e.target.value })} />
            </Field>
            <Field id="rif-plates" label={t('coop.rif.plates')} hint={t('coop.listHint')} error={send.field('subject.plates')}>
              <input id="rif-plates" value={d.plates} onChange={(e) => setD({ ...d, plates: e.target.value })} />
            </Field>
            <Field id="rif-containers" label={t('coop.rif.containers')} hint={t('coop.listHint')} error={send.field('subject.containers')}>
              <input id="rif-containers" value={d.containers} onChange={(e) => setD({ ...d, containers: e.target.value })} />
            </Field>
            <Field id="rif-hs" label={t('coop.rif.hs')} hint={t('coop.listHint')} error={send.field('subject.goods.hsCodes')}>
              <input id="rif-hs" value={d.hs} inputMode="numeric" onChange={(e) => setD({ ...d, hs: e.target.value })} />
            </Field>
            <Field id="rif-goods" label={t('coop.rif.goods')} error={send.field('subject.goods.description')}>
              <input id="rif-goods" value={d.goods} onChange={(e) => setD({ ...d, goods: e.target.value })} />
            </Field>
            <Field id="rif-dispatch" label={t('coop.rif.dispatch')} hint={t('coop.listHint')} error={send.field('subject.route.dispatch')}>
              <input id="rif-dispatch" value={d.dispatch} onChange={(e) => setD({ ...d, dispatch: e.target.value })} />
            </Field>
            <Field id="rif-text" label={t('coop.rif.indicators')} error={send.field('indicators.text')}>
              <textarea id="rif-text" rows={3} value={d.text} onChange={(e) => setD({ ...d, text: e.target.value })} />
            </Field>
            <Field id="rif-action" label={t('coop.rif.action')} error={send.field('recommendedAction')}>
              <select id="rif-action" value={d.action} onChange={(e) => setD({ ...d, action: e.target.value })}>
                {ACTIONS.map((a) => (
                  <option key={a} value={a}>
                    {tk('coop.action', a)}
                  </option>
                ))}
              </select>
            </Field>
            <Field id="rif-to" label={t('coop.rif.validTo')} error={send.field('validTo')}>
              <input id="rif-to" type="date" value={d.validTo} onChange={(e) => setD({ ...d, validTo: e.target.value })} />
            </Field>
            <Field id="rif-contact" label={t('coop.rif.contact')} error={send.field('contact')}>
              <input id="rif-contact" value={d.contact} onChange={(e) => setD({ ...d, contact: e.target.value })} />
            </Field>
            <Field id="rif-recipients" label={t('coop.recipients')} error={send.field('recipients')}>
              <Partners id="rif-recipients" own={user.country} value={d.recipients} onChange={(recipients) => setD({ ...d, recipients })} />
            </Field>
            <div className="form-actions">
              <button type="submit" className="btn btn-primary" disabled={send.busy}>
                {t('coop.rifs.send')}
              </button>
            </div>
            <ActionError message={send.message} />
          </form>
        </Panel>
      )}
      <BoxSwitch box={box} setBox={setBox} />
      {state.error ? (
        <ErrorBox error={state.error} onRetry={state.reload} />
      ) : !state.data ? (
        <Loading />
      ) : state.data.items.length === 0 ? (
        <Empty>{t(box === 'inbox' ? 'coop.rifs.emptyInbox' : 'coop.rifs.emptyOutbox')}</Empty>
      ) : (
        <div className="table-wrap panel">
          <table className="table" data-testid="rif-table">
            <caption className="sr-only">{t('coop.rifs.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('coop.reference')}</th>
                <th scope="col">{t(box === 'inbox' ? 'coop.from' : 'coop.recipients')}</th>
                <th scope="col">{t('coop.rif.title')}</th>
                <th scope="col">{t('coop.rif.action')}</th>
                <th scope="col">{t('coop.rif.validTo')}</th>
                <th scope="col">{t(box === 'inbox' ? 'coop.status' : 'coop.answers')}</th>
              </tr>
            </thead>
            <tbody>
              {state.data.items.map((r) => (
                <tr key={r.id}>
                  <td className="mono">
                    <Link to={`/cooperation/rifs/${r.id}`}>{r.reference}</Link>
                  </td>
                  <td>{box === 'inbox' ? r.sender : r.recipients.join(', ')}</td>
                  <td>
                    {r.title} <span className="muted small">({tk('coop.riskType', r.riskType)})</span>
                  </td>
                  <td>{tk('coop.action', r.recommendedAction)}</td>
                  <td className="nowrap">
                    {fmt.date(r.validTo)} {r.expired && <span className="badge">{t('coop.expired')}</span>}
                  </td>
                  <td>
                    {box === 'inbox' ? (
                      <span className={`badge coop-${r.status}`}>{tk('coop.rifStatus', r.status)}</span>
                    ) : (
                      r.partners.map((p) => (
                        <div key={p.administration} className="small">
                          {p.administration}: {p.decision ? tk('coop.rifStatus', p.decision) : <DeliveryBadge state={p.delivery} withheld={p.withheld} />}
                        </div>
                      ))
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function CooperationRif({ id }: { id: string }) {
  const { t, tk } = useI18n();
  const fmt = useFormat();
  const { session } = useSession();
  const state = useApi<RifDetail>(`/api/v1/cooperation/rifs/${id}`);
  const answer = useAction();
  const [expression, setExpression] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const r = state.data;
  if (state.error) return <ErrorBox error={state.error} onRetry={state.reload} />;
  if (!r) return <Loading />;
  const mayAnswer = ['risk_analyst', 'admin'].includes(session!.user.role) && r.direction === 'inbound' && r.status === 'received';
  const s = r.subject;
  return (
    <>
      <CooperationTabs />
      <PageHeader title={`${r.reference} — ${r.title}`} subtitle={t(r.direction === 'inbound' ? 'coop.rif.receivedFrom' : 'coop.rif.sentTo', { who: r.direction === 'inbound' ? r.sender : r.recipients.join(', ') })} />
      <Panel title={t('coop.rif.details')}>
        <dl className="facts">
          <dt>{t('coop.rif.riskType')}</dt>
          <dd>{tk('coop.riskType', r.riskType)}</dd>
          <dt>{t('coop.rif.subject')}</dt>
          <dd>
            {[...s.traderTins.map((x) => `${t('coop.rif.tin')} ${x}`), ...s.plates.map((x) => `${t('coop.rif.plate')} ${x}`), ...s.containers, ...s.goods.hsCodes.map((x) => `HS ${x}`), ...s.route.dispatch.map((x) => `${t('coop.rif.dispatch')} ${x}`)].join(' · ')}
            {s.goods.description && <div className="muted">{s.goods.description}</div>}
          </dd>
          <dt>{t('coop.rif.indicators')}</dt>
          <dd>
            {r.indicators.text}
            {r.indicators.items.map((i, k) => (
              <div key={k} className="small muted">
                {i.kind}: {i.value}
              </div>
            ))}
          </dd>
          <dt>{t('coop.rif.action')}</dt>
          <dd>{tk('coop.action', r.recommendedAction)}</dd>
          <dt>{t('coop.rif.validity')}</dt>
          <dd>
            {fmt.date(r.validFrom)} – {fmt.date(r.validTo)} {r.expired && <span className="badge">{t('coop.expired')}</span>}
          </dd>
          <dt>{t('coop.rif.handling')}</dt>
          <dd>{tk('coop.handling', r.handling)}</dd>
          {r.contact && (
            <>
              <dt>{t('coop.rif.contact')}</dt>
              <dd>{r.contact}</dd>
            </>
          )}
          <dt>{t('coop.status')}</dt>
          <dd>
            <span className={`badge coop-${r.status}`}>{tk('coop.rifStatus', r.status)}</span> {r.decisionReason && <span className="muted">{r.decisionReason}</span>}
          </dd>
          {r.redacted.length > 0 && (
            <>
              <dt>{t('coop.redacted')}</dt>
              <dd className="mono small">{r.redacted.join(', ')}</dd>
            </>
          )}
        </dl>
      </Panel>
      {r.direction === 'outbound' && (
        <Panel title={t('coop.answers')}>
          <table className="table" data-testid="rif-partners">
            <thead>
              <tr>
                <th scope="col">{t('coop.partner')}</th>
                <th scope="col">{t('coop.delivery')}</th>
                <th scope="col">{t('coop.answer')}</th>
                <th scope="col">{t('coop.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {r.partners.map((p) => (
                <tr key={p.administration}>
                  <td>{p.administration}</td>
                  <td>
                    <DeliveryBadge state={p.delivery} withheld={p.withheld} />
                    {p.deliveryReason && <div className="small muted">{p.deliveryReason}</div>}
                  </td>
                  <td>
                    {p.decision ? tk('coop.rifStatus', p.decision) : '—'}
                    {p.criterionStatus && <div className="small muted">{t('coop.criterionState', { status: tk('coop.criterionStatus', p.criterionStatus) })}</div>}
                  </td>
                  <td>{p.reason ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Panel>
      )}
      {r.criterion && (
        <Panel title={t('coop.criterion')}>
          <p>
            <Link to={`/criteria/${r.criterion.id}`}>{r.criterion.name}</Link> — <span className="badge">{tk('coop.criterionStatus', r.criterion.status)}</span>
          </p>
          {r.criterion.status === 'awaiting_approval' && <p className="muted">{t('coop.awaitingSecond')}</p>}
          {r.criterion.expression && <pre className="mono small">{r.criterion.expression}</pre>}
        </Panel>
      )}
      {mayAnswer && r.draft && (
        <Panel title={t('coop.rif.answer')}>
          <p className="muted">{t('coop.rif.acceptIntro')}</p>
          <Field id="rif-expr" label={t('coop.expression')} error={answer.field('expression')}>
            <textarea id="rif-expr" rows={4} className="mono" value={expression ?? r.draft.expression ?? ''} onChange={(e) => setExpression(e.target.value)} />
          </Field>
          <div className="form-actions">
            <button type="button" className="btn btn-primary" disabled={answer.busy} onClick={() => void answer.run(() => api(`/api/v1/cooperation/rifs/${id}/accept`, { method: 'POST', body: expression ? { expression } : {} }), state.reload)}>
              {t('coop.rif.accept')}
            </button>
          </div>
          <Field id="rif-reason" label={t('coop.declineReason')} error={answer.field('reason')}>
            <input id="rif-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
          </Field>
          <div className="form-actions">
            <button type="button" className="btn" disabled={answer.busy} onClick={() => void answer.run(() => api(`/api/v1/cooperation/rifs/${id}/decline`, { method: 'POST', body: { reason } }), state.reload)}>
              {t('coop.decline')}
            </button>
          </div>
          <ActionError message={answer.message} />
        </Panel>
      )}
    </>
  );
}

// ================================================================== common regional criteria

function HitBar({ rate }: { rate: number | null }) {
  const fmt = useFormat();
  if (rate === null) return <span className="muted">—</span>;
  return (
    <span className="hitbar" title={fmt.pct(rate)}>
      <span className="hitbar-fill" style={{ display: 'inline-block', height: '0.6em', width: `${Math.max(2, Math.round(rate * 100))}px`, background: 'currentColor', opacity: 0.6 }} /> {fmt.pct(rate)}
    </span>
  );
}

export function CooperationCriteria() {
  const { t, tk } = useI18n();
  const fmt = useFormat();
  const { session } = useSession();
  const user = session!.user;
  const proposer = user.role === 'regional_analyst';
  const [box, setBox] = useState<'inbox' | 'outbox'>(proposer ? 'outbox' : 'inbox');
  const state = useApi<{ items: Proposal[] }>(`/api/v1/cooperation/criteria?box=${box}`);
  const propose = useAction();
  const act = useAction();
  const empty = { name: '', rationale: '', expression: '', weight: '30', forcedChannel: '', recipients: [] as string[] };
  const [d, setD] = useState(empty);
  const mayAnswer = can(user.role, 'writeCriteria');
  return (
    <>
      <CooperationTabs />
      <PageHeader title={t('coop.criteria.title')} subtitle={t('coop.criteria.intro')} />
      {proposer && (
        <Panel title={t('coop.criteria.propose')}>
          <form
            className="form-grid"
            onSubmit={(e) => {
              e.preventDefault();
              const body = { name: d.name, rationale: d.rationale, expression: d.expression, weight: Number(d.weight) || 0, forcedChannel: d.forcedChannel || null, recipients: d.recipients };
              void propose.run(() => api('/api/v1/cooperation/criteria', { method: 'POST', body }), () => {
                setD(empty);
                state.reload();
              });
            }}
          >
            <Field id="cc-name" label={t('coop.criteria.name')} error={propose.field('name')}>
              <input id="cc-name" value={d.name} onChange={(e) => setD({ ...d, name: e.target.value })} />
            </Field>
            <Field id="cc-rationale" label={t('coop.criteria.rationale')} error={propose.field('rationale')}>
              <textarea id="cc-rationale" rows={2} value={d.rationale} onChange={(e) => setD({ ...d, rationale: e.target.value })} />
            </Field>
            <Field id="cc-expr" label={t('coop.expression')} error={propose.field('expression')}>
              <textarea id="cc-expr" rows={3} className="mono" value={d.expression} onChange={(e) => setD({ ...d, expression: e.target.value })} />
            </Field>
            <Field id="cc-weight" label={t('coop.criteria.weight')} error={propose.field('weight')}>
              <input id="cc-weight" type="number" min={0} max={100} value={d.weight} onChange={(e) => setD({ ...d, weight: e.target.value })} />
            </Field>
            <Field id="cc-channel" label={t('coop.criteria.channel')} error={propose.field('forcedChannel')}>
              <select id="cc-channel" value={d.forcedChannel} onChange={(e) => setD({ ...d, forcedChannel: e.target.value })}>
                <option value="">{t('coop.criteria.noChannel')}</option>
                {['red', 'yellow', 'blue'].map((c) => (
                  <option key={c} value={c}>
                    {tk('channel', c)}
                  </option>
                ))}
              </select>
            </Field>
            <Field id="cc-recipients" label={t('coop.criteria.members')} error={propose.field('recipients')}>
              <div id="cc-recipients" className="checks">
                {ADMINISTRATIONS.map((a) => (
                  <label key={a} className="check">
                    <input type="checkbox" checked={d.recipients.includes(a)} onChange={(e) => setD({ ...d, recipients: e.target.checked ? [...d.recipients, a] : d.recipients.filter((x) => x !== a) })} /> {a}
                  </label>
                ))}
              </div>
            </Field>
            <div className="form-actions">
              <button type="submit" className="btn btn-primary" disabled={propose.busy}>
                {t('coop.criteria.submit')}
              </button>
            </div>
            <ActionError message={propose.message} />
          </form>
        </Panel>
      )}
      <BoxSwitch box={box} setBox={setBox} />
      <ActionError message={act.message} />
      {state.error ? (
        <ErrorBox error={state.error} onRetry={state.reload} />
      ) : !state.data ? (
        <Loading />
      ) : state.data.items.length === 0 ? (
        <Empty>{t(box === 'inbox' ? 'coop.criteria.emptyInbox' : 'coop.criteria.emptyOutbox')}</Empty>
      ) : (
        state.data.items.map((p) => (
          <Panel key={p.id} title={`${p.reference} — ${p.name}`} actions={<span className={`badge coop-${p.status}`}>{tk('coop.proposalStatus', p.status)}</span>}>
            <p>{p.rationale}</p>
            <pre className="mono small">{p.expression}</pre>
            <p className="small muted">
              {t('coop.criteria.suggested', { weight: String(p.weight), channel: p.forcedChannel ? tk('channel', p.forcedChannel) : '—', types: p.scope.types.join(', ') || t('coop.all') })} · {t('coop.from')}: {p.sender} · {fmt.date(p.createdAt)}
            </p>
            {box === 'inbox' && p.status === 'received' && mayAnswer && (
              <div className="form-actions">
                <button type="button" className="btn btn-primary" disabled={act.busy} onClick={() => void act.run(() => api(`/api/v1/cooperation/criteria/${p.id}/adopt`, { method: 'POST', body: {} }), state.reload)}>
                  {t('coop.criteria.adopt')}
                </button>{' '}
                <button
                  type="button"
                  className="btn"
                  disabled={act.busy}
                  onClick={() => {
                    const offices = window.prompt(t('coop.criteria.adaptOffices'));
                    if (offices === null) return;
                    const reason = window.prompt(t('coop.criteria.adaptReason'));
                    if (reason) void act.run(() => api(`/api/v1/cooperation/criteria/${p.id}/adopt`, { method: 'POST', body: { scope: { offices: list(offices).map((o) => o.toUpperCase()), types: p.scope.types, stages: p.scope.stages }, reason } }), state.reload);
                  }}
                >
                  {t('coop.criteria.adapt')}
                </button>{' '}
                <button
                  type="button"
                  className="btn"
                  disabled={act.busy}
                  onClick={() => {
                    const reason = window.prompt(t('coop.declineReason'));
                    if (reason) void act.run(() => api(`/api/v1/cooperation/criteria/${p.id}/decline`, { method: 'POST', body: { reason } }), state.reload);
                  }}
                >
                  {t('coop.decline')}
                </button>
              </div>
            )}
            {box === 'inbox' && p.criterionId && (
              <p>
                <Link to={`/criteria/${p.criterionId}`}>{t('coop.criteria.ours')}</Link>
                {p.hitsReportedUntil && <span className="small muted"> · {t('coop.criteria.reportedUntil', { at: fmt.dateTime(p.hitsReportedUntil) })}</span>}{' '}
                <button type="button" className="btn btn-small" disabled={act.busy} onClick={() => void act.run(() => api(`/api/v1/cooperation/criteria/${p.id}/hits`, { method: 'POST', body: {} }), state.reload)}>
                  {t('coop.criteria.reportNow')}
                </button>
              </p>
            )}
            {box === 'outbox' && (
              <table className="table" data-testid="members-table">
                <caption>{t('coop.criteria.byCountry')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('coop.partner')}</th>
                    <th scope="col">{t('coop.answer')}</th>
                    <th scope="col">{t('coop.criteria.evaluated')}</th>
                    <th scope="col">{t('coop.criteria.hits')}</th>
                    <th scope="col">{t('coop.criteria.hitRate')}</th>
                    <th scope="col">{t('coop.criteria.findings')}</th>
                    <th scope="col">{t('coop.criteria.period')}</th>
                  </tr>
                </thead>
                <tbody>
                  {p.members.map((m) => (
                    <tr key={m.administration}>
                      <td>{m.administration}</td>
                      <td>
                        {m.decision ? tk('coop.proposalStatus', m.decision) : <DeliveryBadge state={m.delivery} withheld={m.withheld} />}
                        {m.reason && <div className="small muted">{m.reason}</div>}
                        {m.scope && m.scope.offices.length > 0 && <div className="small muted">{m.scope.offices.join(', ')}</div>}
                      </td>
                      <td className="num">{m.totals ? fmt.int(m.totals.evaluated) : '—'}</td>
                      <td className="num">{m.totals ? fmt.int(m.totals.hits) : '—'}</td>
                      <td>
                        <HitBar rate={m.totals?.hitRate ?? null} />
                      </td>
                      <td className="num">{m.totals ? `${fmt.int(m.totals.controlsWithFindings)} / ${fmt.int(m.totals.controls)}` : '—'}</td>
                      <td className="small nowrap">{m.totals ? `${fmt.date(m.totals.from)} – ${fmt.date(m.totals.to)}` : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Panel>
        ))
      )}
    </>
  );
}

// ================================================================== regional intelligence

export function CooperationIntel() {
  const { t, tk } = useI18n();
  const fmt = useFormat();
  const { session } = useSession();
  const user = session!.user;
  const [box, setBox] = useState<'inbox' | 'outbox'>('inbox');
  const state = useApi<{ items: Intel[] }>(`/api/v1/cooperation/intel?box=${box}`);
  const share = useAction();
  const act = useAction();
  const [d, setD] = useState({ controlId: '', kind: 'seizure', comment: '', recipients: [] as string[] });
  const mayShare = ['officer', 'supervisor', 'risk_analyst'].includes(user.role);
  // officers and supervisors pick among their controls with a result (their queue, done)
  const done = useApi<{ items: { id: string; reference: string | null; office: string; createdAt: string }[] }>(can(user.role, 'controls') ? '/api/v1/risk/controls?status=done&limit=100' : null);
  const mayWatch = ['risk_analyst', 'admin'].includes(user.role);
  return (
    <>
      <CooperationTabs />
      <PageHeader title={t('coop.intel.title')} subtitle={t('coop.intel.intro')} />
      {mayShare && (
        <Panel title={t('coop.intel.share')}>
          <form
            className="form-grid"
            onSubmit={(e) => {
              e.preventDefault();
              void share.run(() => api('/api/v1/cooperation/intel', { method: 'POST', body: { controlId: d.controlId.trim(), kind: d.kind, recipients: d.recipients, ...(d.comment ? { comment: d.comment } : {}) } }), () => {
                setD({ ...d, controlId: '', comment: '' });
                setBox('outbox');
                state.reload();
              });
            }}
          >
            <Field id="in-control" label={t('coop.intel.control')} hint={t('coop.intel.controlHint')} error={share.field('controlId')}>
              {done.data && done.data.items.length > 0 ? (
                <select id="in-control" value={d.controlId} onChange={(e) => setD({ ...d, controlId: e.target.value })}>
                  <option value="">{t('coop.intel.pick')}</option>
                  {done.data.items.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.reference ?? c.id} · {c.office} · {fmt.date(c.createdAt)}
                    </option>
                  ))}
                </select>
              ) : (
                <input id="in-control" className="mono" value={d.controlId} onChange={(e) => setD({ ...d, controlId: e.target.value })} />
              )}
            </Field>
            <Field id="in-kind" label={t('coop.intel.kind')} error={share.field('kind')}>
              <select id="in-kind" value={d.kind} onChange={(e) => setD({ ...d, kind: e.target.value })}>
                {['seizure', 'control_result'].map((k) => (
                  <option key={k} value={k}>
                    {tk('coop.intelKind', k)}
                  </option>
                ))}
              </select>
            </Field>
            <Field id="in-comment" label={t('coop.intel.comment')} error={share.field('comment')}>
              <input id="in-comment" value={d.comment} onChange={(e) => setD({ ...d, comment: e.target.value })} />
            </Field>
            <Field id="in-recipients" label={t('coop.recipients')} error={share.field('recipients')}>
              <Partners id="in-recipients" own={user.country} value={d.recipients} onChange={(recipients) => setD({ ...d, recipients })} />
            </Field>
            <div className="form-actions">
              <button type="submit" className="btn btn-primary" disabled={share.busy}>
                {t('coop.intel.submit')}
              </button>
            </div>
            <ActionError message={share.message} />
          </form>
        </Panel>
      )}
      <BoxSwitch box={box} setBox={setBox} />
      <ActionError message={act.message} />
      {state.error ? (
        <ErrorBox error={state.error} onRetry={state.reload} />
      ) : !state.data ? (
        <Loading />
      ) : state.data.items.length === 0 ? (
        <Empty>{t('coop.intel.empty')}</Empty>
      ) : (
        <div className="table-wrap panel">
          <table className="table" data-testid="intel-table">
            <caption className="sr-only">{t('coop.intel.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('coop.intel.when')}</th>
                <th scope="col">{t(box === 'inbox' ? 'coop.from' : 'coop.recipients')}</th>
                <th scope="col">{t('coop.intel.kind')}</th>
                <th scope="col">{t('coop.intel.what')}</th>
                <th scope="col">{t('coop.intel.subject')}</th>
                <th scope="col">{t('coop.status')}</th>
              </tr>
            </thead>
            <tbody>
              {state.data.items.map((i) => {
                const rep = i.report as { seizureDescription?: string; discrepancies?: { kind: string; note?: string }[]; trader?: { tin: string; name?: string }; transport?: { conveyance: string | null; containers: string[] }; goods?: { hsCode: string; description?: string }[]; officer?: string; comment?: string };
                return (
                  <tr key={i.id}>
                    <td className="nowrap">
                      {fmt.dateTime(i.occurredAt)}
                      <div className="small muted">{i.office}</div>
                    </td>
                    <td>{box === 'inbox' ? i.sender : i.partners.map((p) => `${p.administration} (${p.withheld ? t('coop.withheld') : tk('coop.delivery', p.delivery ?? 'queued')})`).join(', ')}</td>
                    <td>{tk('coop.intelKind', i.kind)}</td>
                    <td>
                      {rep.seizureDescription ?? (rep.discrepancies ?? []).map((x) => x.kind).join(', ')}
                      {rep.comment && <div className="small muted">{rep.comment}</div>}
                      {rep.officer && <div className="small muted">{t('coop.intel.officer', { name: rep.officer })}</div>}
                      {i.redacted.length > 0 && <div className="small muted">{t('coop.redacted')}: {i.redacted.join(', ')}</div>}
                    </td>
                    <td className="small">
                      {rep.trader && <div>{`${t('coop.rif.tin')} ${rep.trader.tin}${rep.trader.name ? ` — ${rep.trader.name}` : ''}`}</div>}
                      {rep.transport?.conveyance && <div>{rep.transport.conveyance}</div>}
                      {(rep.transport?.containers ?? []).length > 0 && <div className="mono">{rep.transport!.containers.join(', ')}</div>}
                      {(rep.goods ?? []).slice(0, 3).map((g, k) => (
                        <div key={k}>
                          HS {g.hsCode} {g.description ?? ''}
                        </div>
                      ))}
                    </td>
                    <td>
                      {i.watchCriterionId ? (
                        <Link to={`/criteria/${i.watchCriterionId}`}>{t('coop.intel.watching')}</Link>
                      ) : box === 'inbox' && mayWatch ? (
                        <button
                          type="button"
                          className="btn btn-small"
                          disabled={act.busy}
                          onClick={() => {
                            const until = window.prompt(t('coop.intel.watchUntil'), new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10));
                            if (until) void act.run(() => api(`/api/v1/cooperation/intel/${i.id}/watch`, { method: 'POST', body: { validTo: new Date(`${until}T23:59:59Z`).toISOString() } }), state.reload);
                          }}
                        >
                          {t('coop.intel.watch')}
                        </button>
                      ) : (
                        '—'
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
