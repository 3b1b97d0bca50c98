import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError } from '../api/client.ts';
import type { BacktestResult, Channel, Criterion, CriterionVersion, Stage } from '../api/types.ts';
import { can } from '../app/access.ts';
import { dayStartIso, localDay, useFormat } from '../app/format.ts';
import { useReference } from '../app/reference.tsx';
import { Link, useRouter } from '../app/router.tsx';
import { useSession } from '../app/session.tsx';
import { useApi } from '../app/useApi.ts';
import { ChannelBadge, CriterionStatusBadge } from '../components/Badges.tsx';
import { CelEditor } from '../components/CelEditor.tsx';
import { Facts, PageHeader, Panel, Tile } from '../components/Layout.tsx';
import { ErrorBox, Loading } from '../components/States.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useEffectiveness } from './Criteria.tsx';

const STAGES: Stage[] = ['declaration', 'transit', 'manifest'];
const TYPES = ['IM', 'EX', 'TR'];
const FORCED: ('' | Channel)[] = ['', 'red', 'yellow', 'blue'];
const ACTIONS = ['', 'hold', 'scan', 'inspect'];

interface Draft {
  name: string;
  reason: string;
  expression: string;
  stages: Stage[];
  offices: string[];
  types: string[];
  weight: string;
  forcedChannel: '' | Channel;
  manifestAction: string;
  validFrom: string;
  validTo: string;
  regional: boolean;
}

const EMPTY: Draft = { name: '', reason: '', expression: '', stages: ['declaration'], offices: [], types: [], weight: '30', forcedChannel: '', manifestAction: '', validFrom: '', validTo: '', regional: false };

function draftOf(v: CriterionVersion, tz: string): Draft {
  return {
    name: v.name,
    reason: v.reason,
    expression: v.expression,
    stages: v.scope.stages,
    offices: v.scope.offices,
    types: v.scope.types,
    weight: String(v.weight),
    forcedChannel: v.forcedChannel ?? '',
    manifestAction: v.manifestAction ?? '',
    validFrom: localDay(v.validFrom, tz),
    validTo: localDay(v.validTo, tz),
    regional: v.regional,
  };
}

/** The field errors of a 400 problem, by first path segment (expression, name, scope, weight, …). */
function fieldErrors(e: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (e instanceof ApiError) for (const x of e.problem.errors ?? []) out[x.path.split('.')[0] || '_'] ??= x.message;
  return out;
}

/** records a criterion could not be evaluated on (GET /api/v1/risk/criteria/{id}: evaluationErrors) */
type EvaluationErrors = NonNullable<Criterion['evaluationErrors']>;

/** A criterion that failed on some records: skipped for them (their decisions say so), counted here. */
function EvaluationErrorsNotice({ e }: { e: EvaluationErrors }) {
  const { lang } = useI18n();
  const fmt = useFormat();
  const es = lang === 'es';
  const n = fmt.int(e.failures);
  const over = e.budgetExceeded ? (es ? ` (${fmt.int(e.budgetExceeded)} por exceder el tiempo máximo de evaluación)` : ` (${fmt.int(e.budgetExceeded)} over the evaluation time limit)`) : '';
  return (
    <div className="notice" role="status" data-testid="criterion-evaluation-errors">
      <strong>{es ? `Este criterio no pudo evaluarse en ${n} registros${over}.` : `This criterion could not be evaluated on ${n} records${over}.`}</strong>{' '}
      {es ? 'Se omitió en ellos y cada decisión lo indica (criterion_error). Último error' : 'It was skipped for them and each decision says so (criterion_error). Last error'}
      {e.lastReference ? ` (${e.lastReference}, ${fmt.date(e.lastAt)})` : ` (${fmt.date(e.lastAt)})`}: <code>{e.lastError}</code>
    </div>
  );
}

function FieldError({ id, text }: { id: string; text?: string }) {
  return text ? (
    <span id={id} className="field-error" data-testid={id}>
      {text}
    </span>
  ) : null;
}

function Checks<T extends string>({ legend, name, options, value, onChange, label, error }: { legend: string; name: string; options: readonly T[]; value: T[]; onChange: (v: T[]) => void; label: (v: T) => string; error?: string }) {
  return (
    <fieldset className="checks" aria-describedby={error ? `${name}-error` : undefined}>
      <legend>{legend}</legend>
      <div className="checks-list">
        {options.map((o) => (
          <label key={o} className="check">
            <input type="checkbox" name={name} value={o} checked={value.includes(o)} onChange={(e) => onChange(e.target.checked ? [...value, o] : value.filter((x) => x !== o))} />
            {label(o)}
          </label>
        ))}
      </div>
      <FieldError id={`${name}-error`} text={error} />
    </fieldset>
  );
}

export function CriterionEditor({ id }: { id?: string }) {
  const existing = useApi<Criterion>(id ? `/api/v1/risk/criteria/${id}` : null);
  const fmt = useFormat();
  if (id && existing.error) return <ErrorBox error={existing.error} onRetry={existing.reload} />;
  if (id && !existing.data) return <Loading />;
  const v = existing.data ? (existing.data.pendingVersion ?? existing.data.activeVersion) : null;
  return <EditorForm criterion={existing.data ?? null} initial={v ? draftOf(v, fmt.timeZone) : EMPTY} />;
}

function EditorForm({ criterion, initial }: { criterion: Criterion | null; initial: Draft }) {
  const { t, tk } = useI18n();
  const { session } = useSession();
  const { navigate } = useRouter();
  const { offices: allOffices } = useReference();
  const fmt = useFormat();
  const role = session!.user.role;
  const country = criterion?.country ?? session!.user.country;
  const [d, setD] = useState<Draft>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState<'' | 'save' | 'submit' | 'backtest'>('');
  const [bt, setBt] = useState<BacktestResult | null>(null);
  const [btError, setBtError] = useState<unknown>(null);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((s) => ({ ...s, [k]: v }));
  const offices = useMemo(() => allOffices.filter((o) => o.country === country).sort((a, b) => a.name.localeCompare(b.name)), [allOffices, country]);
  const stage: Stage = d.stages.find((s) => s !== 'manifest') ?? d.stages[0] ?? 'declaration';
  const manifest = d.stages.includes('manifest');

  const body = () => ({
    name: d.name,
    reason: d.reason,
    expression: d.expression,
    scope: { offices: d.offices, types: d.types, stages: d.stages },
    weight: d.weight === '' ? 0 : Number(d.weight),
    forcedChannel: d.forcedChannel || null,
    manifestAction: d.manifestAction || null,
    ...(d.validFrom ? { validFrom: dayStartIso(d.validFrom, fmt.timeZone) } : {}),
    validTo: d.validTo ? dayStartIso(d.validTo, fmt.timeZone, 1) : null,
    regional: d.regional,
  });

  const save = async (submit: boolean) => {
    setBusy(submit ? 'submit' : 'save');
    setErrors({});
    setFailure(null);
    try {
      const saved = criterion ? await api<Criterion>(`/api/v1/risk/criteria/${criterion.id}`, { method: 'PATCH', body: body() }) : await api<Criterion>('/api/v1/risk/criteria', { method: 'POST', body: body() });
      if (submit) await api<Criterion>(`/api/v1/risk/criteria/${saved.id}/submit`, { method: 'POST' });
      navigate(`/criteria/${saved.id}`);
    } catch (e) {
      const fe = fieldErrors(e);
      setErrors(fe);
      setFailure(e);
      setBusy('');
    }
  };

  const backtest = async () => {
    setBusy('backtest');
    setBt(null);
    setBtError(null);
    try {
      setBt(await api<BacktestResult>('/api/v1/risk/backtest', { method: 'POST', body: { expression: d.expression, stage: stage === 'manifest' ? 'declaration' : stage, scope: { offices: d.offices, types: d.types }, labels: 'auto' } }));
    } catch (e) {
      setBtError(e);
    } finally {
      setBusy('');
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void save(false);
  };

  return (
    <>
      <p className="breadcrumb">
        <Link to={criterion ? `/criteria/${criterion.id}` : '/criteria'}>← {criterion ? criterion.name : t('crit.title')}</Link>
      </p>
      <PageHeader title={criterion ? t('editor.editTitle', { name: criterion.name }) : t('editor.newTitle')} subtitle={criterion?.activeVersion ? t('editor.newVersionNote', { version: criterion.activeVersion.version }) : t('editor.intro')} />
      <form className="editor" onSubmit={onSubmit} noValidate data-testid="criterion-form">
        <div className="grid grid-editor">
          <Panel title={t('editor.rule')} id="editor-rule">
            <div className="form-grid">
              <div className="field">
                <label htmlFor="c-name">{t('editor.name')}</label>
                <input id="c-name" value={d.name} onChange={(e) => set('name', e.target.value)} aria-invalid={errors.name ? true : undefined} aria-describedby={errors.name ? 'name-error' : undefined} />
                <FieldError id="name-error" text={errors.name} />
              </div>
              <div className="field">
                <label htmlFor="c-reason">{t('editor.reason')}</label>
                <textarea id="c-reason" rows={2} value={d.reason} onChange={(e) => set('reason', e.target.value)} aria-invalid={errors.reason ? true : undefined} aria-describedby={errors.reason ? 'reason-error' : 'c-reason-hint'} />
                <span id="c-reason-hint" className="field-hint">
                  {t('editor.reasonHint')}
                </span>
                <FieldError id="reason-error" text={errors.reason} />
              </div>
              <CelEditor id="c-expression" value={d.expression} onChange={(v) => set('expression', v)} stage={stage} canCheck={can(role, 'checkCriteria')} serverError={errors.expression} />
            </div>
          </Panel>
          <Panel title={t('editor.effect')} id="editor-effect">
            <div className="form-grid">
              <div className="form-row">
                <div className="field">
                  <label htmlFor="c-weight">{t('editor.weight')}</label>
                  <input id="c-weight" type="number" min={0} max={100} step={1} inputMode="numeric" value={d.weight} onChange={(e) => set('weight', e.target.value)} aria-invalid={errors.weight ? true : undefined} aria-describedby={errors.weight ? 'weight-error' : 'c-weight-hint'} />
                  <span id="c-weight-hint" className="field-hint">
                    {t('editor.weightHint')}
                  </span>
                  <FieldError id="weight-error" text={errors.weight} />
                </div>
                <div className="field">
                  <label htmlFor="c-forced">{t('editor.forcedChannel')}</label>
                  <select id="c-forced" value={d.forcedChannel} onChange={(e) => set('forcedChannel', e.target.value as Draft['forcedChannel'])}>
                    {FORCED.map((c) => (
                      <option key={c} value={c}>
                        {c ? t(`channel.${c}`) : t('editor.noForced')}
                      </option>
                    ))}
                  </select>
                  <FieldError id="forcedChannel-error" text={errors.forcedChannel} />
                </div>
              </div>
              <Checks legend={t('editor.stages')} name="stages" options={STAGES} value={d.stages} onChange={(v) => set('stages', v)} label={(s) => tk('stage', s)} error={errors.scope} />
              {manifest && (
                <div className="field">
                  <label htmlFor="c-action">{t('editor.manifestAction')}</label>
                  <select id="c-action" value={d.manifestAction} onChange={(e) => set('manifestAction', e.target.value)} aria-describedby={errors.manifestAction ? 'manifestAction-error' : undefined}>
                    {ACTIONS.map((a) => (
                      <option key={a} value={a}>
                        {a ? tk('manifestAction', a) : '—'}
                      </option>
                    ))}
                  </select>
                  <FieldError id="manifestAction-error" text={errors.manifestAction} />
                </div>
              )}
              <Checks legend={t('editor.types')} name="types" options={TYPES} value={d.types} onChange={(v) => set('types', v)} label={(s) => tk('type', s)} />
              <fieldset className="checks">
                <legend>{t('editor.offices')}</legend>
                <p className="field-hint">{t('editor.officesHint')}</p>
                <div className="checks-list checks-scroll">
                  {offices.map((o) => (
                    <label key={o.code} className="check">
                      <input type="checkbox" checked={d.offices.includes(o.code)} onChange={(e) => set('offices', e.target.checked ? [...d.offices, o.code] : d.offices.filter((x) => x !== o.code))} />
                      {o.name} <span className="muted mono">{o.code}</span>
                    </label>
                  ))}
                </div>
              </fieldset>
              <div className="form-row">
                <div className="field">
                  <label htmlFor="c-from">{t('editor.validFrom')}</label>
                  <input id="c-from" type="date" value={d.validFrom} onChange={(e) => set('validFrom', e.target.value)} aria-describedby="c-from-hint" />
                  <span id="c-from-hint" className="field-hint">
                    {t('editor.validFromHint')}
                  </span>
                  <FieldError id="validFrom-error" text={errors.validFrom} />
                </div>
                <div className="field">
                  <label htmlFor="c-to">{t('editor.validTo')}</label>
                  <input id="c-to" type="date" value={d.validTo} onChange={(e) => set('validTo', e.target.value)} aria-describedby="c-to-hint" />
                  <span id="c-to-hint" className="field-hint">
                    {t('editor.validToHint')}
                  </span>
                  <FieldError id="validTo-error" text={errors.validTo} />
                </div>
              </div>
              <label className="check">
                <input type="checkbox" checked={d.regional} onChange={(e) => set('regional', e.target.checked)} /> {t('editor.regional')}
              </label>
            </div>
          </Panel>
        </div>

        <Panel
          title={t('bt.title')}
          id="backtest"
          actions={
            can(role, 'backtest') && (
              <button type="button" className="btn" onClick={() => void backtest()} disabled={busy !== '' || !d.expression.trim() || (d.stages.length === 1 && manifest)} data-testid="run-backtest">
                {busy === 'backtest' ? t('bt.running') : t('bt.run')}
              </button>
            )
          }
        >
          {btError ? <ErrorBox error={btError} /> : bt ? <BacktestView r={bt} /> : <p className="muted">{d.stages.length === 1 && manifest ? t('bt.manifestOnly') : t('bt.intro')}</p>}
        </Panel>

        {failure !== null && Object.keys(errors).length === 0 && <ErrorBox error={failure} />}
        {Object.keys(errors).length > 0 && (
          <p className="form-error" role="alert" data-testid="form-errors">
            {t('editor.fixErrors', { count: Object.keys(errors).length })}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="btn" disabled={busy !== ''} data-testid="save-draft">
            {busy === 'save' ? t('editor.saving') : t('editor.saveDraft')}
          </button>
          <button type="button" className="btn btn-primary" disabled={busy !== ''} onClick={() => void save(true)} data-testid="save-submit">
            {busy === 'submit' ? t('editor.saving') : t('editor.saveSubmit')}
          </button>
          <Link to={criterion ? `/criteria/${criterion.id}` : '/criteria'} className="btn btn-ghost">
            {t('editor.cancel')}
          </Link>
        </div>
      </form>
    </>
  );
}

export function BacktestView({ r }: { r: BacktestResult }) {
  const { t, lang } = useI18n();
  const fmt = useFormat(r.country);
  return (
    <div data-testid="backtest-result">
      <div className="tiles tiles-compact">
        <Tile label={t('bt.selected')} value={fmt.int(r.selected)} note={t('bt.ofDeclarations', { rate: fmt.pct(r.selectionRate), total: fmt.int(r.declarations) })} />
        <Tile label={t('bt.hits')} value={fmt.int(r.hits)} note={t('bt.labelled', { labelled: fmt.int(r.labelled) })} />
        <Tile label={t('bt.precision')} value={r.precision === null ? '—' : fmt.pct(r.precision)} note={r.baseRate !== null ? t('bt.baseRate', { rate: fmt.pct(r.baseRate) }) : undefined} tone={r.lift !== null && r.lift > 1 ? 'ok' : undefined} />
        <Tile label={t('bt.revenue')} value={fmt.money(r.revenueUsd)} note={r.lift !== null ? t('bt.lift', { lift: fmt.dec(r.lift) }) : undefined} />
      </div>
      <Facts
        items={[
          [t('bt.labels'), <span data-testid="bt-labels">{t(`bt.labels.${r.labels}`)}</span>],
          [t('bt.period'), `${fmt.date(r.from)} – ${fmt.date(r.to)}`],
          [t('bt.recall'), r.recall === null ? '—' : fmt.pct(r.recall)],
          [t('bt.errors'), `${fmt.int(r.errors)}${r.budgetExceeded ? (lang === 'es' ? ` (${fmt.int(r.budgetExceeded)} por tiempo)` : ` (${fmt.int(r.budgetExceeded)} over time)`) : ''}`],
          [t('bt.seconds'), `${fmt.dec(r.seconds)} s`],
        ]}
      />
      <p className="muted small">{r.labelsNote}</p>
      {r.errorSamples && r.errorSamples.length > 0 && (
        <p className="small" data-testid="bt-error-samples">
          {lang === 'es' ? 'La expresión no pudo evaluarse en: ' : 'The expression could not be evaluated on: '}
          {r.errorSamples.map((x) => (
            <span key={x.reference} className="chip" title={x.message}>
              {x.reference}: {x.message}
            </span>
          ))}
        </p>
      )}
      {r.examples.length > 0 && (
        <p className="small">
          {t('bt.examples')}{' '}
          {r.examples.slice(0, 8).map((x) => (
            <span key={x.reference} className={`chip${x.hit ? ' chip-hit' : ''}`}>
              {x.reference}
              {x.hit ? ' ✓' : ''}
            </span>
          ))}
        </p>
      )}
    </div>
  );
}

function VersionFacts({ v }: { v: CriterionVersion }) {
  const { t, tk } = useI18n();
  const fmt = useFormat();
  const { officeName } = useReference();
  return (
    <>
      <Facts
        items={[
          [t('editor.reason'), v.reason],
          [t('editor.weight'), fmt.dec(v.weight)],
          [t('editor.forcedChannel'), v.forcedChannel ? <ChannelBadge channel={v.forcedChannel} /> : t('editor.noForced')],
          [t('editor.stages'), v.scope.stages.map((s) => tk('stage', s)).join(', ')],
          [t('editor.types'), v.scope.types.length ? v.scope.types.map((x) => tk('type', x)).join(', ') : t('crit.all')],
          [t('editor.offices'), v.scope.offices.length ? v.scope.offices.map(officeName).join(', ') : t('crit.all')],
          [t('crit.validity'), `${fmt.date(v.validFrom)} – ${v.validTo ? fmt.date(v.validTo) : t('crit.noEnd')}`],
          [t('crit.author'), v.author],
          ...(v.manifestAction ? ([[t('editor.manifestAction'), tk('manifestAction', v.manifestAction)]] as [string, ReactNode][]) : []),
        ]}
      />
      <h3>{t('editor.expression')}</h3>
      <pre className="code" data-testid="expression">
        {v.expression}
      </pre>
    </>
  );
}

export function CriterionPage({ id }: { id: string }) {
  const { t, tk } = useI18n();
  const { session } = useSession();
  const role = session!.user.role;
  const fmt = useFormat();
  const state = useApi<Criterion>(`/api/v1/risk/criteria/${id}`);
  const eff = useEffectiveness(role);
  const [action, setAction] = useState<'' | 'approve' | 'reject' | 'suspend' | 'resume'>('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<ApiError | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [done, setDone] = useState('');

  if (state.error) return <ErrorBox error={state.error} onRetry={state.reload} />;
  const c = state.data;
  if (!c) return <Loading />;
  const pending = c.pendingVersion;
  const e = eff.data?.byCriterion.find((r) => r.key === c.id);

  const act = async (what: 'approve' | 'reject' | 'suspend' | 'resume' | 'submit') => {
    setBusy(true);
    setRefusal(null);
    setFailure(null);
    setDone('');
    try {
      const path = `/api/v1/risk/criteria/${c.id}/${what}`;
      const body = what === 'submit' ? undefined : what === 'approve' ? (note.trim() ? { note: note.trim() } : {}) : what === 'reject' ? { note: note.trim() } : { reason: note.trim() };
      await api(path, { method: 'POST', body });
      setDone(t(`decide.done.${what}` as 'decide.done.approve'));
      setAction('');
      setNote('');
      state.reload();
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) setRefusal(err);
      else setFailure(err);
    } finally {
      setBusy(false);
    }
  };

  const iWrote = pending && pending.author === session!.user.username;
  const needsNote = action === 'reject' || action === 'suspend' || action === 'resume';

  return (
    <>
      <p className="breadcrumb">
        <Link to="/criteria">← {t('crit.title')}</Link>
      </p>
      <PageHeader
        title={c.name}
        subtitle={
          <>
            <CriterionStatusBadge status={c.status} /> {c.activeVersion ? t('crit.activeVersion', { version: c.activeVersion.version }) : t('crit.noActive')}
            {c.regional ? ` · ${t('crit.regional')}` : ''} · {t('crit.createdBy', { who: c.createdBy, when: fmt.date(c.createdAt) })}
          </>
        }
      >
        {can(role, 'writeCriteria') && (
          <Link to={`/criteria/${c.id}/edit`} className="btn" data-testid="edit-criterion">
            {t('crit.edit')}
          </Link>
        )}
        {can(role, 'decideCriteria') && c.status === 'active' && (
          <button type="button" className="btn" onClick={() => setAction('suspend')} data-testid="suspend">
            {t('decide.suspend')}
          </button>
        )}
        {can(role, 'decideCriteria') && c.status === 'suspended' && (
          <button type="button" className="btn" onClick={() => setAction('resume')} data-testid="resume">
            {t('decide.resume')}
          </button>
        )}
      </PageHeader>

      {done && (
        <p className="notice notice-ok" role="status" data-testid="decision-done">
          {done}
        </p>
      )}
      {refusal && (
        <div className="four-eyes" role="alert" data-testid="four-eyes">
          <strong>{t('decide.refused')}</strong>
          <p>{refusal.detail}</p>
        </div>
      )}
      {failure !== null && <ErrorBox error={failure} />}
      {c.evaluationErrors && <EvaluationErrorsNotice e={c.evaluationErrors} />}

      {(action === 'suspend' || action === 'resume') && (
        <DecisionForm action={action} note={note} setNote={setNote} busy={busy} needsNote onCancel={() => setAction('')} onConfirm={() => void act(action)} />
      )}

      <div className="tiles">
        <Tile label={t('crit.col.controls')} value={e ? fmt.int(e.controls) : eff.data ? '0' : '—'} />
        <Tile label={t('crit.col.hits')} value={e ? fmt.int(e.hits) : eff.data ? '0' : '—'} />
        <Tile label={t('crit.col.hitRate')} value={e && e.controls ? <span data-testid="criterion-hit-rate">{fmt.pct(e.hitRate)}</span> : '—'} tone={e?.flaggedForReview ? 'bad' : e && e.controls ? 'ok' : undefined} note={e?.flaggedForReview ? `⚑ ${e.reviewReason ?? ''}` : undefined} />
        <Tile label={t('crit.col.revenue')} value={e ? fmt.money(e.extraRevenueUsd) : '—'} note={e ? t('crit.seizures', { count: fmt.int(e.seizures) }) : undefined} />
      </div>

      {pending && (
        <Panel title={t('crit.pending', { version: pending.version, status: tk('versionStatus', pending.status) })} id="pending" className="panel-accent">
          <VersionFacts v={pending} />
          {pending.status === 'draft' && can(role, 'writeCriteria') && (
            <div className="form-actions">
              <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void act('submit')} data-testid="submit-criterion">
                {t('decide.submit')}
              </button>
            </div>
          )}
          {pending.status === 'awaiting_approval' && can(role, 'decideCriteria') && (
            <>
              {iWrote && <p className="notice">{t('decide.youWrote')}</p>}
              {action === 'approve' || action === 'reject' ? (
                <DecisionForm action={action} note={note} setNote={setNote} busy={busy} needsNote={needsNote} onCancel={() => setAction('')} onConfirm={() => void act(action)} />
              ) : (
                <div className="form-actions">
                  <button type="button" className="btn btn-primary" onClick={() => setAction('approve')} data-testid="approve">
                    {t('decide.approve')}
                  </button>
                  <button type="button" className="btn" onClick={() => setAction('reject')} data-testid="reject">
                    {t('decide.reject')}
                  </button>
                </div>
              )}
            </>
          )}
        </Panel>
      )}

      {c.activeVersion && (
        <Panel title={t('crit.running', { version: c.activeVersion.version })} id="active">
          <VersionFacts v={c.activeVersion} />
          {c.activeVersion.decidedBy && <p className="muted small">{t('crit.approvedBy', { who: c.activeVersion.decidedBy, when: fmt.dateTime(c.activeVersion.decidedAt), note: c.activeVersion.decisionNote ?? '' })}</p>}
        </Panel>
      )}

      <Panel title={t('crit.history')} id="versions">
        <div className="table-wrap">
          <table className="table" data-testid="versions-table">
            <thead>
              <tr>
                <th scope="col" className="num">{t('crit.col.version')}</th>
                <th scope="col">{t('crit.col.status')}</th>
                <th scope="col">{t('crit.author')}</th>
                <th scope="col">{t('crit.submitted')}</th>
                <th scope="col">{t('crit.decided')}</th>
                <th scope="col">{t('crit.col.effect')}</th>
                <th scope="col">{t('editor.expression')}</th>
              </tr>
            </thead>
            <tbody>
              {[...(c.versions ?? [])].reverse().map((v) => (
                <tr key={v.id} data-version={v.version}>
                  <td className="num">v{v.version}</td>
                  <td>{tk('versionStatus', v.status)}</td>
                  <td>{v.author}</td>
                  <td className="nowrap">{fmt.dateTime(v.submittedAt)}</td>
                  <td>
                    {v.decidedBy ? `${v.decidedBy} · ${fmt.dateTime(v.decidedAt)}` : '—'}
                    {v.decisionNote && <div className="muted small">“{v.decisionNote}”</div>}
                  </td>
                  <td className="nowrap">
                    {v.weight > 0 ? t('crit.weightPoints', { weight: fmt.dec(v.weight) }) : ''} {v.forcedChannel && <ChannelBadge channel={v.forcedChannel} />}
                  </td>
                  <td>
                    <code className="mono small expr">{v.expression}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
    </>
  );
}

function DecisionForm({ action, note, setNote, busy, needsNote, onCancel, onConfirm }: { action: 'approve' | 'reject' | 'suspend' | 'resume'; note: string; setNote: (v: string) => void; busy: boolean; needsNote: boolean; onCancel: () => void; onConfirm: () => void }) {
  const { t } = useI18n();
  const short = needsNote && note.trim().length < 5;
  return (
    <form
      className="decision"
      role="group"
      aria-labelledby="decision-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (!short) onConfirm();
      }}
      data-testid="decision-form"
    >
      <h3 id="decision-title">{t(`decide.${action}.title`)}</h3>
      <div className="field">
        <label htmlFor="decision-note">{needsNote ? t('decide.reasonRequired') : t('decide.noteOptional')}</label>
        <textarea id="decision-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} aria-describedby="decision-note-hint" autoFocus />
        <span id="decision-note-hint" className="field-hint">
          {needsNote ? t('decide.reasonHint') : t('decide.noteHint')}
        </span>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy || short} data-testid="confirm-decision">
          {t(`decide.${action}.confirm`)}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          {t('editor.cancel')}
        </button>
      </div>
    </form>
  );
}
