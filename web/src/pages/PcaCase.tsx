import { useState } from 'react';
import { api, withQuery } from '../api/client.ts';
import type { PcaCase, PcaCaseDetail } from '../api/types.ts';
import { can } from '../app/access.ts';
import { useFormat } from '../app/format.ts';
import { Link, useRouter } from '../app/router.tsx';
import { useSession } from '../app/session.tsx';
import { useApi } from '../app/useApi.ts';
import { Facts, PageHeader, Panel } from '../components/Layout.tsx';
import { ActionError, DownloadButton, PcaField, useAction, PcaTabs } from '../components/PcaParts.tsx';
import { Empty, ErrorBox, Loading } from '../components/States.tsx';
import { useI18n } from '../i18n/index.tsx';

const KINDS = ['value', 'classification', 'origin', 'quantity', 'other'] as const;

/** Audit cases: open and closed (a tax participant sees those shared with them). */
export function PcaCases() {
  const { t, tk } = useI18n();
  const { query, navigate } = useRouter();
  const fmt = useFormat();
  const status = query.get('status') ?? '';
  const state = useApi<{ items: PcaCase[] }>(withQuery('/api/v1/pca/cases', { status }));
  return (
    <>
      <PcaTabs />
      <PageHeader title={t('pca.cases.title')} subtitle={t('pca.cases.intro')} />
      <div className="filters">
        <label htmlFor="c-status">{t('pca.status')}</label>{' '}
        <select id="c-status" value={status} onChange={(e) => navigate(withQuery('/pca/cases', { status: e.target.value }), { replace: true })}>
          <option value="">{t('pca.cases.all')}</option>
          <option value="open">{tk('pca.caseStatus', 'open')}</option>
          <option value="closed">{tk('pca.caseStatus', 'closed')}</option>
        </select>
      </div>
      {state.error ? (
        <ErrorBox error={state.error} onRetry={state.reload} />
      ) : !state.data ? (
        <Loading />
      ) : state.data.items.length === 0 ? (
        <Empty>{t('pca.cases.empty')}</Empty>
      ) : (
        <div className="table-wrap panel">
          <table className="table" data-testid="cases-table">
            <caption className="sr-only">{t('pca.cases.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('pca.case.reference')}</th>
                <th scope="col">{t('pca.trader')}</th>
                <th scope="col">{t('pca.source')}</th>
                <th scope="col">{t('pca.case.auditor')}</th>
                <th scope="col">{t('pca.status')}</th>
                <th scope="col">{t('pca.case.due')}</th>
              </tr>
            </thead>
            <tbody>
              {state.data.items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/pca/cases/${c.id}`} className="strong">
                      {c.reference}
                    </Link>
                  </td>
                  <td>
                    {c.traderName} <span className="mono small">{c.traderTin}</span>
                  </td>
                  <td>{tk('pca.src', c.source)}</td>
                  <td>{c.auditorName}</td>
                  <td>
                    <span className={`badge pca-${c.status}`}>{tk('pca.caseStatus', c.status)}</span>
                  </td>
                  <td className="nowrap">{fmt.date(c.dueAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** The case workspace: scope, the random assignment, timeline, document requests, findings line by line, hours, closure, sharing, the report. */
export function PcaCaseWorkspace({ id }: { id: string }) {
  const { t, tk } = useI18n();
  const { session } = useSession();
  const fmt = useFormat();
  const state = useApi<PcaCaseDetail>(`/api/v1/pca/cases/${id}`);
  const act = useAction();
  const finding = useAction();
  const [doc, setDoc] = useState({ description: '', dueDays: '15' });
  const [f, setF] = useState({ declarationId: '', line: '1', kind: 'value', description: '', declared: '', established: '', extraDuties: '0', extraTaxes: '0', penalties: '0', currency: 'USD', legalBasis: '' });
  const [close, setClose] = useState({ outcome: 'assessed', note: '', legalBasis: '' });
  const [hours, setHours] = useState('');
  const [shareWith, setShareWith] = useState('');
  if (state.error) return <ErrorBox error={state.error} onRetry={state.reload} />;
  if (!state.data) return <Loading />;
  const c = state.data;
  const user = session!.user;
  const works = c.status === 'open' && can(user.role, 'pcaCasesWork') && (user.id === c.auditorUserId || user.role === 'supervisor');
  const decl = c.scope.declarations.find((d) => d.id === f.declarationId);
  return (
    <>
      <nav className="breadcrumb">
        <Link to="/pca/cases">{t('pca.cases.title')}</Link>
      </nav>
      <PageHeader title={t('pca.case.title', { reference: c.reference })} subtitle={`${c.traderName} · ${c.traderTin}`}>
        <DownloadButton path={`/api/v1/pca/cases/${c.id}/report.pdf`} filename={`${c.reference}.pdf`} label={t('pca.case.report')} />
      </PageHeader>
      <Panel title={t('pca.case.summary')}>
        <Facts
          items={[
            [t('pca.status'), tk('pca.caseStatus', c.status)],
            [t('pca.source'), tk('pca.src', c.source)],
            [t('pca.case.auditor'), `${c.auditorName} (${t('pca.case.drawn', { n: c.assignment.candidates.length, excluded: c.assignment.excludedForConflict.length, draw: c.assignment.draw.toFixed(6) })})`],
            [t('pca.case.scope'), c.scope.description],
            [t('pca.case.opened'), `${c.openedBy} · ${fmt.dateTime(c.openedAt)}`],
            [t('pca.case.due'), fmt.date(c.dueAt)],
            [t('pca.case.hours'), `${fmt.dec(c.hoursSpent)} / ${fmt.dec(c.hoursPlanned)}`],
            ...(c.totals.map((x) => [t('pca.case.assessed', { currency: x.currency }), fmt.money(x.total, x.currency)] as [string, string])),
          ]}
        />
        <ActionError message={act.message} />
      </Panel>

      <Panel title={t('pca.case.declarations')}>
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('pca.case.declaration')}</th>
                <th scope="col">{t('pca.case.lodged')}</th>
                <th scope="col">{t('pca.case.channel')}</th>
                <th scope="col" className="num">{t('pca.case.lines')}</th>
              </tr>
            </thead>
            <tbody>
              {c.scope.declarations.map((d) => (
                <tr key={d.id}>
                  <td className="mono">{can(user.role, 'declarations') ? <Link to={`/declarations/${d.id}`}>{d.reference}</Link> : d.reference}</td>
                  <td className="nowrap">{fmt.dateTime(d.lodgedAt)}</td>
                  <td>{d.channel ? tk('channel', d.channel) : '—'}</td>
                  <td className="num">{d.lines.length}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>

      <Panel title={t('pca.case.documents')}>
        {c.documentRequests.length === 0 ? (
          <p className="muted">{t('pca.case.noDocuments')}</p>
        ) : (
          <ul className="plain">
            {c.documentRequests.map((r) => (
              <li key={r.id}>
                <span className="strong">{r.description}</span> — {t('pca.case.requested', { at: fmt.date(r.requestedAt), due: fmt.date(r.dueAt) })}{' '}
                {r.receivedAt ? (
                  <span className="tag">{t('pca.case.received', { at: fmt.date(r.receivedAt) })}</span>
                ) : (
                  works && (
                    <button type="button" className="btn btn-small" onClick={() => void act.run(() => api(`/api/v1/pca/cases/${c.id}/document-requests/${r.id}/received`, { method: 'POST', body: {} }), state.reload)}>
                      {t('pca.case.markReceived')}
                    </button>
                  )
                )}
              </li>
            ))}
          </ul>
        )}
        {works && (
          <form
            className="form-row"
            onSubmit={(e) => {
              e.preventDefault();
              void act.run(() => api(`/api/v1/pca/cases/${c.id}/document-requests`, { method: 'POST', body: { description: doc.description, dueDays: Number(doc.dueDays) } }), () => {
                setDoc({ description: '', dueDays: '15' });
                state.reload();
              });
            }}
          >
            <PcaField id="d-desc" label={t('pca.case.requestWhat')} error={act.field('description')}>
              <input id="d-desc" value={doc.description} onChange={(e) => setDoc({ ...doc, description: e.target.value })} />
            </PcaField>
            <PcaField id="d-due" label={t('pca.case.dueDays')} error={act.field('dueDays')}>
              <input id="d-due" type="number" min={1} max={180} value={doc.dueDays} onChange={(e) => setDoc({ ...doc, dueDays: e.target.value })} />
            </PcaField>
            <div className="form-actions">
              <button type="submit" className="btn">
                {t('pca.case.request')}
              </button>
            </div>
          </form>
        )}
      </Panel>

      <Panel title={t('pca.case.findings')}>
        {c.findings.length === 0 ? (
          <p className="muted">{t('pca.case.noFindings')}</p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="findings">
              <thead>
                <tr>
                  <th scope="col">{t('pca.case.declaration')}</th>
                  <th scope="col" className="num">{t('pca.case.line')}</th>
                  <th scope="col">{t('pca.case.kind')}</th>
                  <th scope="col">{t('pca.case.finding')}</th>
                  <th scope="col" className="num">{t('pca.case.amounts')}</th>
                  <th scope="col">{t('pca.case.legalBasis')}</th>
                </tr>
              </thead>
              <tbody>
                {c.findings.map((x) => (
                  <tr key={x.id}>
                    <td className="mono">{x.declarationReference}</td>
                    <td className="num">{x.line}</td>
                    <td>{tk('pca.kind', x.kind)}</td>
                    <td>
                      {x.description}
                      {(x.declared || x.established) && <div className="small muted">{t('pca.case.declaredEstablished', { declared: x.declared ?? '—', established: x.established ?? '—' })}</div>}
                      <div className="small muted">{t('pca.case.foundBy', { at: fmt.date(x.foundAt), name: x.recordedBy })}</div>
                    </td>
                    <td className="num nowrap small">
                      {t('pca.case.duties')} {fmt.money(x.extraDuties, x.currency)}
                      <br />
                      {t('pca.case.taxes')} {fmt.money(x.extraTaxes, x.currency)}
                      <br />
                      {t('pca.case.penalties')} {fmt.money(x.penalties, x.currency)}
                    </td>
                    <td className="small">{x.legalBasis}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {works && (
          <form
            className="form-grid"
            data-testid="finding-form"
            onSubmit={(e) => {
              e.preventDefault();
              void finding.run(
                () =>
                  api(`/api/v1/pca/cases/${c.id}/findings`, {
                    method: 'POST',
                    body: { declarationId: f.declarationId, line: Number(f.line), kind: f.kind, description: f.description, declared: f.declared || null, established: f.established || null, extraDuties: Number(f.extraDuties), extraTaxes: Number(f.extraTaxes), penalties: Number(f.penalties), currency: f.currency, legalBasis: f.legalBasis },
                  }),
                () => {
                  setF({ ...f, description: '', declared: '', established: '', extraDuties: '0', extraTaxes: '0', penalties: '0' });
                  state.reload();
                },
              );
            }}
          >
            <PcaField id="f-decl" label={t('pca.case.declaration')} error={finding.field('declarationId')}>
              <select id="f-decl" value={f.declarationId} onChange={(e) => setF({ ...f, declarationId: e.target.value, line: '1' })}>
                <option value="">—</option>
                {c.scope.declarations.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.reference}
                  </option>
                ))}
              </select>
            </PcaField>
            <PcaField id="f-line" label={t('pca.case.line')} error={finding.field('line')}>
              <select id="f-line" value={f.line} onChange={(e) => setF({ ...f, line: e.target.value })}>
                {(decl?.lines ?? [1]).map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </select>
            </PcaField>
            <PcaField id="f-kind" label={t('pca.case.kind')} error={finding.field('kind')}>
              <select id="f-kind" value={f.kind} onChange={(e) => setF({ ...f, kind: e.target.value })}>
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {tk('pca.kind', k)}
                  </option>
                ))}
              </select>
            </PcaField>
            <PcaField id="f-desc" label={t('pca.case.finding')} error={finding.field('description')}>
              <textarea id="f-desc" rows={2} value={f.description} onChange={(e) => setF({ ...f, description: e.target.value })} />
            </PcaField>
            <PcaField id="f-declared" label={t('pca.case.declared')} error={finding.field('declared')}>
              <input id="f-declared" value={f.declared} onChange={(e) => setF({ ...f, declared: e.target.value })} />
            </PcaField>
            <PcaField id="f-established" label={t('pca.case.established')} error={finding.field('established')}>
              <input id="f-established" value={f.established} onChange={(e) => setF({ ...f, established: e.target.value })} />
            </PcaField>
            {(['extraDuties', 'extraTaxes', 'penalties'] as const).map((k) => (
              <PcaField key={k} id={`f-${k}`} label={t(`pca.case.${k === 'extraDuties' ? 'duties' : k === 'extraTaxes' ? 'taxes' : 'penalties'}`)} error={finding.field(k)}>
                <input id={`f-${k}`} type="number" min={0} step="0.01" value={f[k]} onChange={(e) => setF({ ...f, [k]: e.target.value })} />
              </PcaField>
            ))}
            <PcaField id="f-currency" label={t('pca.case.currency')} error={finding.field('currency')}>
              <input id="f-currency" value={f.currency} maxLength={3} onChange={(e) => setF({ ...f, currency: e.target.value.toUpperCase() })} />
            </PcaField>
            <PcaField id="f-legal" label={t('pca.case.legalBasis')} error={finding.field('legalBasis')}>
              <input id="f-legal" value={f.legalBasis} onChange={(e) => setF({ ...f, legalBasis: e.target.value })} />
            </PcaField>
            <div className="form-actions">
              <button type="submit" className="btn btn-primary" disabled={finding.busy}>
                {t('pca.case.addFinding')}
              </button>
            </div>
            <ActionError message={finding.message} />
          </form>
        )}
      </Panel>

      {works && (
        <Panel title={t('pca.case.work')}>
          <form
            className="form-row"
            onSubmit={(e) => {
              e.preventDefault();
              void act.run(() => api(`/api/v1/pca/cases/${c.id}/hours`, { method: 'POST', body: { hours: Number(hours) } }), () => {
                setHours('');
                state.reload();
              });
            }}
          >
            <PcaField id="h-hours" label={t('pca.case.logHours')} error={act.field('hours')}>
              <input id="h-hours" type="number" min={0.25} step="0.25" value={hours} onChange={(e) => setHours(e.target.value)} />
            </PcaField>
            <div className="form-actions">
              <button type="submit" className="btn">
                {t('pca.case.addHours')}
              </button>
            </div>
          </form>
          <form
            className="form-grid"
            onSubmit={(e) => {
              e.preventDefault();
              void act.run(() => api(`/api/v1/pca/cases/${c.id}/close`, { method: 'POST', body: close }), state.reload);
            }}
          >
            <PcaField id="x-outcome" label={t('pca.case.outcome')} error={act.field('outcome')}>
              <select id="x-outcome" value={close.outcome} onChange={(e) => setClose({ ...close, outcome: e.target.value })}>
                {['assessed', 'no_findings', 'discontinued'].map((o) => (
                  <option key={o} value={o}>
                    {tk('pca.outcome', o)}
                  </option>
                ))}
              </select>
            </PcaField>
            <PcaField id="x-note" label={t('pca.case.closureNote')} error={act.field('note')}>
              <textarea id="x-note" rows={2} value={close.note} onChange={(e) => setClose({ ...close, note: e.target.value })} />
            </PcaField>
            <PcaField id="x-legal" label={t('pca.case.legalBasis')} error={act.field('legalBasis')}>
              <input id="x-legal" value={close.legalBasis} onChange={(e) => setClose({ ...close, legalBasis: e.target.value })} />
            </PcaField>
            <div className="form-actions">
              <button type="submit" className="btn btn-primary">
                {t('pca.case.close')}
              </button>
            </div>
          </form>
        </Panel>
      )}

      {can(user.role, 'pcaCasesShare') && (
        <Panel title={t('pca.case.share')}>
          <p className="muted small">{t('pca.case.shareIntro', { n: c.sharedWith.length })}</p>
          <form
            className="form-row"
            onSubmit={(e) => {
              e.preventDefault();
              void act.run(() => api(`/api/v1/pca/cases/${c.id}/share`, { method: 'POST', body: { userId: shareWith.trim() } }), () => {
                setShareWith('');
                state.reload();
              });
            }}
          >
            <PcaField id="s-user" label={t('pca.case.shareWith')} error={act.field('userId')}>
              <input id="s-user" value={shareWith} onChange={(e) => setShareWith(e.target.value)} />
            </PcaField>
            <div className="form-actions">
              <button type="submit" className="btn">
                {t('pca.case.shareButton')}
              </button>
            </div>
          </form>
        </Panel>
      )}

      <Panel title={t('pca.case.timeline')}>
        <ol className="timeline" data-testid="case-timeline">
          {c.events.map((e) => (
            <li key={e.id}>
              <span className="timeline-title">{tk('pca.event', e.kind)}</span> <span className="muted small">{t('pca.case.eventBy', { at: fmt.dateTime(e.at), name: e.actor })}</span>
            </li>
          ))}
        </ol>
      </Panel>
    </>
  );
}
