import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import type { DeclarationHistory, DeclarationView, HsEntry, Party } from '../api/types.ts';
import { useFormat } from '../app/format.ts';
import { useReference } from '../app/reference.tsx';
import { Link } from '../app/router.tsx';
import { useApi } from '../app/useApi.ts';
import { ChannelBadge } from '../components/Badges.tsx';
import { Facts, PageHeader, Panel } from '../components/Layout.tsx';
import { ReasonList } from '../components/Reasons.tsx';
import { AssessmentFacts, RiskPanels } from '../components/DeclarationRisk.tsx';
import { Async, ErrorBox, Loading } from '../components/States.tsx';
import { useI18n } from '../i18n/index.tsx';

/** HS 2022 descriptions of the codes on a declaration, looked up once each. */
function useHsDescriptions(codes: string[]): Record<string, string> {
  const [map, setMap] = useState<Record<string, string>>({});
  const key = [...new Set(codes)].sort().join(',');
  useEffect(() => {
    const ctl = new AbortController();
    const list = key ? key.split(',') : [];
    void Promise.all(list.map((c) => api<HsEntry>(`/api/v1/reference/hs/${c}`, { signal: ctl.signal }).then((e) => [c, e.description] as const, () => [c, ''] as const))).then((pairs) => {
      if (!ctl.signal.aborted) setMap(Object.fromEntries(pairs));
    });
    return () => ctl.abort();
  }, [key]);
  return map;
}

function PartyCard({ role, party }: { role: string; party: Party | undefined }) {
  const { t, tk } = useI18n();
  if (!party) return null;
  return (
    <div className="party">
      <div className="party-role">{role}</div>
      <div className="party-name">{party.name}</div>
      <div className="party-meta">
        <span className="mono">{party.tin}</span>
        {party.country && <span> · {tk('country', party.country)}</span>}
      </div>
      <Link to={`/traders/${encodeURIComponent(party.tin)}`} className="party-link">
        {t('decl.traderPage')} →
      </Link>
    </div>
  );
}

export function Declaration({ id }: { id: string }) {
  const { t } = useI18n();
  const state = useApi<DeclarationView>(`/api/v1/declarations/${encodeURIComponent(id)}`);
  const history = useApi<DeclarationHistory>(state.data ? `/api/v1/declarations/${encodeURIComponent(id)}/history` : null);
  if (state.error) {
    return (
      <>
        <PageHeader title={t('decl.title', { reference: '' })} />
        <ErrorBox error={state.error} onRetry={state.reload} />
        <p>
          <Link to="/queue">← {t('decl.back')}</Link>
        </p>
      </>
    );
  }
  if (!state.data) return <Loading />;
  return <DeclarationBody d={state.data} history={history} reload={() => (state.reload(), history.reload())} />;
}

function DeclarationBody({ d, history, reload }: { d: DeclarationView; history: ReturnType<typeof useApi<DeclarationHistory>>; reload: () => void }) {
  const { t, tk } = useI18n();
  const fmt = useFormat(d.country);
  const { officeName } = useReference();
  const p = d.declaration;
  const hs = useHsDescriptions(p.items.map((i) => i.hsCode));
  const a = d.assessment;
  const total = p.items.reduce((s, i) => s + i.customsValue, 0);
  const currency = p.items[0]?.currency ?? 'USD';

  return (
    <>
      <p className="breadcrumb">
        <Link to="/queue">← {t('decl.back')}</Link>
      </p>
      <PageHeader title={t('decl.title', { reference: d.reference })} subtitle={`${tk('type', p.type)} · ${officeName(p.office)} · ${fmt.dateTime(p.lodgedAt)}`}>
        <ChannelBadge channel={a?.channel} large />
      </PageHeader>

      <div className="grid grid-decl">
        <Panel title={t('decl.assessment')} id="assessment" className="panel-accent">
          {a ? (
            <div data-testid="assessment">
              <div className="assessment-head">
                <ChannelBadge channel={a.channel} large />
                <span className="meaning">{t(`channel.${a.channel}.meaning`)}</span>
              </div>
              {a.overridden && a.decidedChannel && (
                <p className="notice small" data-testid="overridden">
                  {t('decl.overridden', { decided: t(`channel.${a.decidedChannel}`) })}
                </p>
              )}
              <Facts items={[[t('decl.riskLevel'), tk('risk', a.riskLevel)], [t('decl.score'), fmt.dec(a.score)], [t('decl.decidedAt'), fmt.dateTime(a.decidedAt)], [t('decl.forVersion'), String(a.declarationVersion)], [t('decl.engine'), <span className="mono">{a.engine}</span>]]} />
              <h3>{t('decl.reasons')}</h3>
              <ReasonList reasons={a.reasons} />
              <AssessmentFacts a={a} />
            </div>
          ) : (
            <p className="muted">{t('decl.noAssessment')}</p>
          )}
        </Panel>

        <Panel title={t('decl.header')} id="header">
          <Facts
            items={[
              [t('decl.reference'), <span className="mono">{d.reference}</span>],
              [t('decl.type'), tk('type', p.type)],
              [t('decl.procedure'), p.procedure ?? '—'],
              [t('decl.office'), `${officeName(p.office)} (${p.office})`],
              [t('decl.lodgedAt'), fmt.dateTime(p.lodgedAt)],
              [t('decl.receivedAt'), fmt.dateTime(d.receivedAt)],
              [t('decl.version'), d.version > 1 ? `${d.version} (${t('decl.amended')})` : String(d.version)],
              [t('decl.totalValue'), fmt.money(total, currency)],
              [t('decl.dispatch'), p.countryOfDispatch ?? '—'],
              [t('decl.manifest'), p.manifestReference ?? '—'],
              [t('decl.transportDocument'), p.transportDocument ?? '—'],
            ]}
          />
        </Panel>
      </div>

      <div className="grid grid-2 grid-risk">
        <RiskPanels declarationId={d.id} assessment={a} country={d.country} currency={currency} onChanged={reload} />
      </div>

      <div className="grid grid-2">
        <Panel title={t('decl.parties')} id="parties">
          <div className="parties">
            <PartyCard role={t('decl.importer')} party={p.importer} />
            <PartyCard role={t('decl.exporter')} party={p.exporter} />
            <PartyCard role={t('decl.declarant')} party={p.declarant} />
            <PartyCard role={t('decl.seller')} party={p.seller} />
          </div>
        </Panel>
        <Panel title={t('decl.transport')} id="transport">
          <Facts
            items={[
              [t('decl.mode'), p.transport?.mode !== undefined ? `${tk('mode', p.transport.mode)} (${p.transport.mode})` : '—'],
              [t('decl.conveyance'), p.transport?.conveyance ?? '—'],
              [t('decl.containers'), p.transport?.containers?.length ? <span className="mono">{p.transport.containers.join(', ')}</span> : t('decl.none')],
            ]}
          />
        </Panel>
      </div>

      <Panel title={t('decl.items', { count: p.items.length })} id="items">
        <div className="table-wrap">
          <table className="table table-reflow" data-testid="items-table">
            <thead>
              <tr>
                <th scope="col" className="num">{t('decl.item.line')}</th>
                <th scope="col">{t('decl.item.hs')}</th>
                <th scope="col">{t('decl.item.hsDescription')}</th>
                <th scope="col">{t('decl.item.description')}</th>
                <th scope="col">{t('decl.item.origin')}</th>
                <th scope="col" className="num">{t('decl.item.quantity')}</th>
                <th scope="col" className="num">{t('decl.item.net')}</th>
                <th scope="col" className="num">{t('decl.item.gross')}</th>
                <th scope="col" className="num">{t('decl.item.value')}</th>
                <th scope="col" className="num">{t('decl.item.duty')}</th>
              </tr>
            </thead>
            <tbody>
              {p.items.map((i) => (
                <tr key={i.line}>
                  <td data-label={t('decl.item.line')} className="num">{i.line}</td>
                  <td data-label={t('decl.item.hs')} className="mono nowrap">{i.hsCode.replace(/^(\d{4})(\d{2})/, '$1.$2')}</td>
                  <td data-label={t('decl.item.hsDescription')} className="hs-desc">{hs[i.hsCode] ?? '…'}</td>
                  <td data-label={t('decl.item.description')}>{i.description}</td>
                  <td data-label={t('decl.item.origin')}>{i.origin}</td>
                  <td data-label={t('decl.item.quantity')} className="num nowrap">
                    {fmt.dec(i.quantity)} <span className="muted">{i.unit}</span>
                  </td>
                  <td data-label={t('decl.item.net')} className="num">{fmt.dec(i.netMassKg)}</td>
                  <td data-label={t('decl.item.gross')} className="num">{fmt.dec(i.grossMassKg)}</td>
                  <td data-label={t('decl.item.value')} className="num nowrap">{fmt.money(i.customsValue, i.currency)}</td>
                  <td data-label={t('decl.item.duty')} className="num">{i.dutyRate === undefined ? '—' : fmt.pct(i.dutyRate / 100)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>

      <Panel title={t('decl.history')} id="history">
        <Async state={history}>
          {(h) => (
            <div className="grid grid-2 flat">
              <div>
                <h3>{t('decl.versions')}</h3>
                <ol className="timeline">
                  {h.versions.map((v) => (
                    <li key={v.version}>
                      <div className="timeline-title">
                        {t('decl.version')} {v.version}
                      </div>
                      <div className="muted small">
                        {fmt.dateTime(v.receivedAt)} · {t('decl.source')}: {v.source} · {t('decl.hash')} <span className="mono">{v.contentHash.slice(0, 12)}</span>
                      </div>
                    </li>
                  ))}
                </ol>
              </div>
              <div>
                <h3>{t('decl.assessments')}</h3>
                <ol className="timeline">
                  {h.assessments.map((x) => (
                    <li key={x.id}>
                      <div className="timeline-title">
                        <ChannelBadge channel={x.channel} /> <span className="muted small">{t('decl.forVersion')} {x.declarationVersion}</span>
                      </div>
                      <div className="muted small">
                        {fmt.dateTime(x.decidedAt)} · <span className="mono">{x.engine}</span>
                      </div>
                      <ReasonList reasons={x.reasons} compact />
                    </li>
                  ))}
                </ol>
              </div>
            </div>
          )}
        </Async>
      </Panel>
    </>
  );
}
