import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client.ts';
import type { CelProblem, CheckResult, Stage } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';

/** Offset in `text` of a 1-based line and column. */
function offsetOf(text: string, line: number, column: number): number {
  let off = 0;
  const lines = text.split('\n');
  for (let i = 0; i < Math.min(line - 1, lines.length); i++) off += lines[i].length + 1;
  return Math.min(text.length, off + Math.max(0, column - 1));
}

/** The span to underline: the unknown name, else the token at the position, else one character. */
function spanOf(text: string, p: CelProblem): [number, number] {
  const start = offsetOf(text, p.line, p.column);
  if (p.unknown) {
    const at = text.indexOf(p.unknown, Math.max(0, start - p.unknown.length - 2));
    if (at >= 0) return [at, at + p.unknown.length];
  }
  const m = /^[\w.]+/.exec(text.slice(start));
  return [start, start + Math.max(1, m ? m[0].length : 1)];
}

export type CelState = { state: 'idle' | 'checking' } | { state: 'ok' } | { state: 'error'; problem: CelProblem } | { state: 'failed'; message: string };

/**
 * A CEL expression field that type-checks as the analyst types (debounced call to the check
 * endpoint): the fault is underlined in place, and the message says where (line, column), what was
 * expected, and the nearest known name.
 */
export function CelEditor({ id, value, onChange, stage, canCheck, serverError, onState }: { id: string; value: string; onChange: (v: string) => void; stage: Stage; canCheck: boolean; serverError?: string; onState?: (s: CelState) => void }) {
  const { t } = useI18n();
  const [check, setCheck] = useState<CelState>({ state: 'idle' });
  const mirror = useRef<HTMLPreElement>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const report = useRef(onState);
  report.current = onState;

  useEffect(() => {
    if (!canCheck || !value.trim()) {
      setCheck({ state: 'idle' });
      return;
    }
    const ctl = new AbortController();
    setCheck((c) => (c.state === 'error' ? c : { state: 'checking' }));
    const timer = setTimeout(() => {
      api<CheckResult>('/api/v1/risk/check', { method: 'POST', body: { expression: value, stage }, signal: ctl.signal }).then(
        (r) => setCheck(r.ok ? { state: 'ok' } : { state: 'error', problem: r.problem }),
        (e) => {
          if ((e as Error).name !== 'AbortError') setCheck({ state: 'failed', message: (e as Error).message });
        },
      );
    }, 350);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [value, stage, canCheck]);

  useEffect(() => report.current?.(check), [check]);

  const problem = check.state === 'error' ? check.problem : null;
  const [a, b] = problem ? spanOf(value, problem) : [0, 0];
  const sync = () => {
    if (mirror.current && area.current) {
      mirror.current.scrollTop = area.current.scrollTop;
      mirror.current.scrollLeft = area.current.scrollLeft;
    }
  };
  const describedBy = [`${id}-help`, `${id}-status`, serverError ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field cel-field">
      <label htmlFor={id}>{t('editor.expression')}</label>
      <div className={`cel-box${problem ? ' cel-box-error' : check.state === 'ok' ? ' cel-box-ok' : ''}`}>
        <pre className="cel-mirror" ref={mirror} aria-hidden="true">
          {problem ? (
            <>
              {value.slice(0, a)}
              <mark className="cel-fault" data-testid="cel-fault">
                {value.slice(a, b) || ' '}
              </mark>
              {value.slice(b)}
              {'\n'}
            </>
          ) : (
            `${value}\n`
          )}
        </pre>
        <textarea
          id={id}
          ref={area}
          className="cel-input"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onScroll={sync}
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
          rows={5}
          aria-invalid={problem || serverError ? true : undefined}
          aria-describedby={describedBy}
          data-testid="cel-input"
        />
      </div>
      <span id={`${id}-help`} className="field-hint">
        {t('editor.expressionHelp')}
      </span>
      <div id={`${id}-status`} className="cel-status" aria-live="polite" data-testid="cel-status" data-state={check.state}>
        {check.state === 'checking' && <span className="muted small">{t('editor.checking')}</span>}
        {check.state === 'ok' && <span className="text-ok small">✓ {t('editor.valid')}</span>}
        {check.state === 'failed' && <span className="text-bad small">{t('editor.checkFailed', { message: check.message })}</span>}
        {problem && (
          <div className="cel-problem" role="alert" data-testid="cel-problem">
            <div className="strong">{t('editor.errorAt', { line: problem.line, column: problem.column })}</div>
            <div>{problem.message}</div>
            {problem.expected && <div className="small">{t('editor.expected', { expected: problem.expected })}</div>}
            {problem.suggestion && (
              <div className="small">
                {t('editor.didYouMean')}{' '}
                <button
                  type="button"
                  className="btn btn-small"
                  data-testid="cel-suggestion"
                  onClick={() => {
                    const [s, e] = spanOf(value, problem);
                    onChange(value.slice(0, s) + problem.suggestion + value.slice(e));
                  }}
                >
                  {problem.suggestion}
                </button>
              </div>
            )}
            <pre className="cel-excerpt mono">{problem.excerpt}</pre>
          </div>
        )}
      </div>
      {serverError && (
        <span id={`${id}-error`} className="field-error">
          {serverError}
        </span>
      )}
    </div>
  );
}
