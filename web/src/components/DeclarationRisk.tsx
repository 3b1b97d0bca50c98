import { useState, type FormEvent } from 'react';
import { api, fieldError, fieldErrors, fieldPath } from '../api/client.ts';
import { CHANNELS, type Assessment, type Channel, type Control, type ControlResult, type DeclarationRisk } from '../api/types.ts';
import { can } from '../app/access.ts';
import { useFormat } from '../app/format.ts';
import { Link } from '../app/router.tsx';
import { useSession } from '../app/session.tsx';
import { useApi } from '../app/useApi.ts';
import { useI18n } from '../i18n/index.tsx';
import { ChannelBadge } from './Badges.tsx';
import { Facts, Panel } from './Layout.tsx';
import { Async, ErrorBox } from './States.tsx';

const KINDS = ['value', 'classification', 'origin', 'quantity', 'prohibited', 'restricted', 'other'] as const;
const REASON_CODES = ['intelligence', 'capacity', 'perishable_goods', 'humanitarian', 'data_error', 'supervisor_judgement', 'other'] as const;

interface Inputs {
  model?: { version: string; score: number } | null;
  random?: { seedId: string; draw: number; rate: number; selected: boolean };
  capacity?: { office: string; day: string; redsBefore: number; limit: number; demoted: boolean } | null;
  /** the baseline assessor's shape (before the risk engine) */
  draw?: number;
  rate?: number;
  seedId?: string;
}

/** The selectivity facts of the current assessment: the model's part, the random draw, a capacity demotion. */
export function AssessmentFacts({ a }: { a: Assessment }) {
  const { t } = useI18n();
  const fmt = useFormat();
  const i = a.inputs as Inputs;
  const random = i.random ?? (i.draw !== undefined ? { draw: i.draw, rate: i.rate ?? 0, seedId: i.seedId ?? '—', selected: false } : null);
  const modelReason = a.reasons.find((r) => r.code === 'model');
  return (
    <div className="assessment-facts">
      {i.model && (
        <p className="small" data-testid="model">
          <strong>{t('risk.model')}</strong> {t('risk.modelScore', { score: fmt.pct(i.model.score), version: i.model.version, points: modelReason?.weight !== undefined ? fmt.dec(modelReason.weight) : '0' })}
        </p>
      )}
      {random && (
        <p className="muted small" data-testid="random-draw">
          {t('risk.draw', { draw: random.draw.toFixed(4), rate: fmt.pct(random.rate), seed: random.seedId })} · {random.selected ? <strong>{t('risk.drawSelected')}</strong> : t('risk.drawNotSelected')}
        </p>
      )}
      {i.capacity?.demoted && (
        <p className="notice small" data-testid="capacity">
          {t('risk.capacity', { office: i.capacity.office, day: i.capacity.day, reds: fmt.int(i.capacity.redsBefore), limit: fmt.int(i.capacity.limit) })}
        </p>
      )}
    </div>
  );
}

/** `currency`: the declaration's currency, what a control's result is assessed in unless the officer says otherwise. */
export function RiskPanels({ declarationId, assessment, country, currency, onChanged }: { declarationId: string; assessment: Assessment | null; country: string; currency?: string; onChanged: () => void }) {
  const { t } = useI18n();
  const { session } = useSession();
  const role = session!.user.role;
  const state = useApi<DeclarationRisk>(`/api/v1/risk/declarations/${declarationId}`);
  const fmt = useFormat(country);
  const reload = () => {
    state.reload();
    onChanged();
  };
  return (
    <Async state={state}>
      {(r) => (
        <>
          <Panel title={t('risk.criteria')} id="criteria-hit">
            {r.criteria.length === 0 ? (
              <p className="muted">{t('risk.noCriteria')}</p>
            ) : (
              <div className="table-wrap">
                <table className="table" data-testid="criteria-hit">
                  <thead>
                    <tr>
                      <th scope="col">{t('crit.col.name')}</th>
                      <th scope="col">{t('editor.reason')}</th>
                      <th scope="col" className="num">{t('editor.weight')}</th>
                      <th scope="col">{t('editor.forcedChannel')}</th>
                      <th scope="col" className="num">{t('crit.col.version')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.criteria.map((c) => (
                      <tr key={c.versionId} data-criterion={c.name}>
                        <td className="strong">{can(role, 'criteria') ? <Link to={`/criteria/${c.criterionId}`}>{c.name}</Link> : c.name}</td>
                        <td>{c.reason}</td>
                        <td className="num">{fmt.dec(c.weight)}</td>
                        <td>{c.forcedChannel ? <ChannelBadge channel={c.forcedChannel} /> : '—'}</td>
                        <td className="num">v{c.version}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {r.overrides.length > 0 && (
              <>
                <h3>{t('risk.overrides')}</h3>
                <ul className="plain" data-testid="overrides">
                  {r.overrides.map((o) => (
                    <li key={o.id}>
                      <ChannelBadge channel={o.from} /> → <ChannelBadge channel={o.to} /> · {t(`override.${o.reasonCode}` as 'override.other')} · “{o.reason}” · {o.by} · {fmt.dateTime(o.at)}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </Panel>
          <ControlPanel r={r} assessment={assessment} country={country} currency={currency} onChanged={reload} />
        </>
      )}
    </Async>
  );
}

function ControlPanel({ r, assessment, country, currency, onChanged }: { r: DeclarationRisk; assessment: Assessment | null; country: string; currency?: string; onChanged: () => void }) {
  const { t, tk } = useI18n();
  const { session } = useSession();
  const fmt = useFormat(country);
  const role = session!.user.role;
  const c: Control | undefined = r.controls.find((x) => x.status !== 'cancelled') ?? r.controls[0];
  const mine = c && c.officerId === session!.user.id;
  const canRecord = c && (c.status === 'assigned' || c.status === 'unassigned') && ((role === 'officer' && mine) || role === 'supervisor');
  return (
    <Panel title={t('control.title')} id="control" className={canRecord ? 'panel-accent' : undefined}>
      {!c ? (
        <p className="muted" data-testid="no-control">
          {role === 'officer' ? t('control.noneForYou') : t('control.none')}
        </p>
      ) : (
        <div data-testid="control" data-status={c.status}>
          <Facts
            items={[
              [t('control.status'), <span className={`badge control-${c.status}`} data-testid="control-status">{tk('controlStatus', c.status)}</span>],
              [t('control.channel'), <ChannelBadge channel={c.channel} />],
              [t('control.officer'), <span data-testid="control-officer">{c.officerName ?? t('control.nobody')}</span>],
              [t('control.opened'), fmt.dateTime(c.createdAt)],
              [t('control.random'), c.randomSelected ? t('control.yes') : t('control.no')],
              [t('control.assignments'), fmt.int(c.assignments.length)],
            ]}
          />
          {c.waitingReason && <p className="notice small">{t('control.waiting', { office: c.office })}</p>}
          {c.assignments.filter((a) => a.reason).map((a, i) => (
            <p key={i} className="muted small">
              {t('control.reassigned', { by: a.by ?? '—', when: fmt.dateTime(a.at), reason: a.reason ?? '' })}
            </p>
          ))}
          {c.result && <ResultView r={c.result} country={country} />}
          {canRecord && <ResultForm control={c} currency={currency ?? 'USD'} onDone={onChanged} />}
        </div>
      )}
      {can(role, 'supervise') && assessment && <SupervisorActions control={c} assessment={assessment} onDone={onChanged} />}
    </Panel>
  );
}

function ResultView({ r, country }: { r: ControlResult; country: string }) {
  const { t, tk } = useI18n();
  const fmt = useFormat(country);
  return (
    <div className="result" data-testid="control-result">
      <h3>{t('result.title')}</h3>
      <p className={r.hit ? 'text-bad' : 'text-ok'}>{tk('outcome', r.outcome)}</p>
      {r.discrepancies.length > 0 && (
        <ul className="plain">
          {r.discrepancies.map((d, i) => (
            <li key={i}>
              <strong>{tk('kind', d.kind)}</strong>
              {d.line ? ` · ${t('result.lineN', { line: d.line })}` : ''} — {d.note}
            </li>
          ))}
        </ul>
      )}
      <Facts
        items={[
          [t('result.duties'), fmt.money(r.extraDutiesAssessed, r.currency)],
          [t('result.taxes'), fmt.money(r.extraTaxesAssessed, r.currency)],
          [t('result.seized'), r.goodsSeized ? `${t('control.yes')} — ${r.seizureDescription ?? ''}` : t('control.no')],
          [t('result.by'), `${r.officer} · ${fmt.dateTime(r.recordedAt)}`],
        ]}
      />
      {r.notes && <p className="small">{r.notes}</p>}
    </div>
  );
}

interface Row {
  kind: string;
  line: string;
  note: string;
}

/** The fields of the form, by path: an error at any other path is listed in the summary, not lost. */
const RESULT_FIELDS = /^(outcome|discrepancies(\.\d+\.(kind|line|note))?|extraDutiesAssessed|extraTaxesAssessed|currency|seizureDescription|notes)$/;

function ResultForm({ control, currency: declared, onDone }: { control: Control; currency: string; onDone: () => void }) {
  const { t, tk } = useI18n();
  const [outcome, setOutcome] = useState<'no_discrepancy' | 'discrepancy'>('no_discrepancy');
  const [rows, setRows] = useState<Row[]>([]);
  const [duties, setDuties] = useState('');
  const [taxes, setTaxes] = useState('');
  const [currency, setCurrency] = useState(declared);
  const [seized, setSeized] = useState(false);
  const [seizure, setSeizure] = useState('');
  const [notes, setNotes] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const setRow = (i: number, k: keyof Row, v: string) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, [k]: v } : r)));
  const err = (k: string) => fieldError(errors, k);
  const elsewhere = Object.entries(errors).filter(([k]) => !RESULT_FIELDS.test(k));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setFailure(null);
    const body = {
      outcome,
      discrepancies: outcome === 'discrepancy' ? rows.map((r) => ({ kind: r.kind, ...(r.line ? { line: Number(r.line) } : {}), note: r.note })) : [],
      extraDutiesAssessed: duties ? Number(duties) : 0,
      extraTaxesAssessed: taxes ? Number(taxes) : 0,
      currency,
      goodsSeized: seized,
      ...(seizure.trim() ? { seizureDescription: seizure } : {}),
      ...(notes.trim() ? { notes } : {}),
    };
    try {
      await api(`/api/v1/risk/controls/${control.id}/result`, { method: 'POST', body });
      onDone();
    } catch (x) {
      setErrors(fieldErrors(x));
      setFailure(x);
      setBusy(false);
    }
  };
  const errorId = (k: string) => `r-${fieldPath(k).replace(/\./g, '-')}-error`;
  const described = (k: string) => (err(k) ? { 'aria-invalid': true, 'aria-describedby': errorId(k) } : {});
  const E = ({ k }: { k: string }) => (err(k) ? <span id={errorId(k)} className="field-error" data-testid={`error-${fieldPath(k)}`}>{err(k)}</span> : null);

  return (
    <form className="result-form" onSubmit={(e) => void submit(e)} noValidate data-testid="result-form" aria-labelledby="result-form-title">
      <h3 id="result-form-title">{t('result.record')}</h3>
      <fieldset className="checks">
        <legend>{t('result.outcome')}</legend>
        <div className="checks-list">
          {(['no_discrepancy', 'discrepancy'] as const).map((o) => (
            <label key={o} className="check">
              <input
                type="radio"
                name="outcome"
                value={o}
                checked={outcome === o}
                onChange={() => {
                  setOutcome(o);
                  if (o === 'discrepancy' && rows.length === 0) setRows([{ kind: 'value', line: '', note: '' }]);
                }}
              />
              {tk('outcome', o)}
            </label>
          ))}
        </div>
        <E k="outcome" />
      </fieldset>
      {outcome === 'discrepancy' && (
        <fieldset className="checks">
          <legend>{t('result.discrepancies')}</legend>
          {rows.map((r, i) => (
            <div key={i} className="form-row discrepancy" data-testid="discrepancy">
              <div className="field">
                <label htmlFor={`d-kind-${i}`}>{t('result.kind')}</label>
                <select id={`d-kind-${i}`} value={r.kind} onChange={(e) => setRow(i, 'kind', e.target.value)} {...described(`discrepancies.${i}.kind`)}>
                  {KINDS.map((k) => (
                    <option key={k} value={k}>
                      {tk('kind', k)}
                    </option>
                  ))}
                </select>
                <E k={`discrepancies.${i}.kind`} />
              </div>
              <div className="field field-narrow">
                <label htmlFor={`d-line-${i}`}>{t('result.line')}</label>
                <input id={`d-line-${i}`} type="number" min={1} value={r.line} onChange={(e) => setRow(i, 'line', e.target.value)} {...described(`discrepancies.${i}.line`)} />
                <E k={`discrepancies.${i}.line`} />
              </div>
              <div className="field field-wide">
                <label htmlFor={`d-note-${i}`}>{t('result.note')}</label>
                <input id={`d-note-${i}`} value={r.note} onChange={(e) => setRow(i, 'note', e.target.value)} {...described(`discrepancies.${i}.note`)} />
                <E k={`discrepancies.${i}.note`} />
              </div>
              <button type="button" className="btn btn-small" onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))} aria-label={t('result.removeN', { n: i + 1 })}>
                ✕
              </button>
            </div>
          ))}
          <button type="button" className="btn btn-small" onClick={() => setRows((rs) => [...rs, { kind: 'value', line: '', note: '' }])} data-testid="add-discrepancy">
            + {t('result.add')}
          </button>
          <E k="discrepancies" />
        </fieldset>
      )}
      <div className="form-row">
        <div className="field">
          <label htmlFor="r-duties">{t('result.duties')}</label>
          <input id="r-duties" type="number" min={0} step="0.01" inputMode="decimal" value={duties} onChange={(e) => setDuties(e.target.value)} {...described('extraDutiesAssessed')} />
          <E k="extraDutiesAssessed" />
        </div>
        <div className="field">
          <label htmlFor="r-taxes">{t('result.taxes')}</label>
          <input id="r-taxes" type="number" min={0} step="0.01" inputMode="decimal" value={taxes} onChange={(e) => setTaxes(e.target.value)} {...described('extraTaxesAssessed')} />
          <E k="extraTaxesAssessed" />
        </div>
        <div className="field field-narrow">
          <label htmlFor="r-currency">{t('result.currency')}</label>
          <input id="r-currency" value={currency} maxLength={3} onChange={(e) => setCurrency(e.target.value.toUpperCase())} {...described('currency')} />
          <E k="currency" />
        </div>
      </div>
      <label className="check">
        <input type="checkbox" id="r-seized" checked={seized} onChange={(e) => setSeized(e.target.checked)} /> {t('result.seizedQ')}
      </label>
      {seized && (
        <div className="field">
          <label htmlFor="r-seizure">{t('result.seizure')}</label>
          <input id="r-seizure" value={seizure} onChange={(e) => setSeizure(e.target.value)} {...described('seizureDescription')} />
          <E k="seizureDescription" />
        </div>
      )}
      <div className="field">
        <label htmlFor="r-notes">{t('result.notes')}</label>
        <textarea id="r-notes" rows={2} value={notes} onChange={(e) => setNotes(e.target.value)} {...described('notes')} />
        <E k="notes" />
      </div>
      {failure !== null && Object.keys(errors).length === 0 && <ErrorBox error={failure} />}
      {Object.keys(errors).length > 0 && (
        <p className="form-error" role="alert" data-testid="result-errors">
          {t('editor.fixErrors', { count: Object.keys(errors).length })}
          {elsewhere.map(([k, m]) => (
            <span key={k} className="block small">
              {k || t('result.request')}: {m}
            </span>
          ))}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="record-result">
          {busy ? t('editor.saving') : t('result.save')}
        </button>
      </div>
    </form>
  );
}

function SupervisorActions({ control, assessment, onDone }: { control: Control | undefined; assessment: Assessment; onDone: () => void }) {
  const { t } = useI18n();
  const [mode, setMode] = useState<'' | 'reassign' | 'override'>('');
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const [channel, setChannel] = useState<Channel>(assessment.channel === 'red' ? 'yellow' : 'red');
  const [code, setCode] = useState<string>('intelligence');
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState('');
  const open = (m: 'reassign' | 'override') => {
    setMode(m);
    // offer a channel other than the one shown now (it changes after each override)
    setChannel(assessment.channel === 'red' ? 'yellow' : 'red');
    setConfirming(false);
    setReason('');
    setFailure(null);
    setDone('');
  };
  const short = reason.trim().length < 10;
  const go = async () => {
    setBusy(true);
    setFailure(null);
    try {
      if (mode === 'reassign') await api(`/api/v1/risk/controls/${control!.id}/reassign`, { method: 'POST', body: { reason: reason.trim() } });
      else await api(`/api/v1/risk/assessments/${assessment.id}/override`, { method: 'POST', body: { channel, reasonCode: code, reason: reason.trim() } });
      setDone(mode === 'reassign' ? t('super.reassigned') : t('super.overridden'));
      setMode('');
      onDone();
    } catch (e) {
      setFailure(e);
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  };
  const canReassign = control && (control.status === 'assigned' || control.status === 'unassigned');
  return (
    <div className="supervisor" data-testid="supervisor-actions">
      <h3>{t('super.title')}</h3>
      {done && (
        <p className="notice notice-ok" role="status">
          {done}
        </p>
      )}
      {failure !== null && <ErrorBox error={failure} />}
      {mode === '' ? (
        <div className="form-actions">
          {canReassign && (
            <button type="button" className="btn" onClick={() => open('reassign')} data-testid="reassign">
              {t('super.reassign')}
            </button>
          )}
          <button type="button" className="btn" onClick={() => open('override')} data-testid="override">
            {t('super.override')}
          </button>
        </div>
      ) : (
        <form
          className="decision"
          onSubmit={(e) => {
            e.preventDefault();
            if (!short) setConfirming(true);
          }}
          data-testid={`${mode}-form`}
        >
          <p className="small muted">{mode === 'reassign' ? t('super.reassignIntro') : t('super.overrideIntro')}</p>
          {mode === 'override' && (
            <div className="form-row">
              <div className="field">
                <label htmlFor="o-channel">{t('super.newChannel')}</label>
                <select id="o-channel" value={channel} onChange={(e) => setChannel(e.target.value as Channel)}>
                  {CHANNELS.filter((c) => c !== assessment.channel).map((c) => (
                    <option key={c} value={c}>
                      {t(`channel.${c}`)}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="o-code">{t('super.reasonCode')}</label>
                <select id="o-code" value={code} onChange={(e) => setCode(e.target.value)}>
                  {REASON_CODES.map((c) => (
                    <option key={c} value={c}>
                      {t(`override.${c}`)}
                    </option>
                  ))}
                </select>
              </div>
            </div>
          )}
          <div className="field">
            <label htmlFor="s-reason">{t('super.reason')}</label>
            <textarea id="s-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} aria-describedby="s-reason-hint" />
            <span id="s-reason-hint" className="field-hint">
              {t('super.reasonHint')}
            </span>
          </div>
          {confirming ? (
            <div className="confirm" role="alertdialog" aria-labelledby="confirm-text" data-testid="confirm">
              <p id="confirm-text" className="strong">
                {mode === 'reassign' ? t('super.confirmReassign') : t('super.confirmOverride', { from: t(`channel.${assessment.channel}`), to: t(`channel.${channel}`) })}
              </p>
              <div className="form-actions">
                <button type="button" className="btn btn-primary" onClick={() => void go()} disabled={busy} autoFocus data-testid="confirm-yes">
                  {t('super.confirm')}
                </button>
                <button type="button" className="btn" onClick={() => setConfirming(false)}>
                  {t('super.back')}
                </button>
              </div>
            </div>
          ) : (
            <div className="form-actions">
              <button type="submit" className="btn btn-primary" disabled={short}>
                {t('super.continue')}
              </button>
              <button type="button" className="btn" onClick={() => setMode('')}>
                {t('editor.cancel')}
              </button>
            </div>
          )}
        </form>
      )}
    </div>
  );
}
