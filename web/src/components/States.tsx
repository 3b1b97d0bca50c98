import type { ReactNode } from 'react';
import { ApiError, NetworkError } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';

export function Loading({ label }: { label?: string }) {
  const { t } = useI18n();
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label ?? t('state.loading')}
    </div>
  );
}

export function Empty({ children }: { children?: ReactNode }) {
  const { t } = useI18n();
  return <div className="state state-empty">{children ?? t('state.empty')}</div>;
}

/** The error as a person can act on it: the server's problem detail, or why there was no answer. */
export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  const text =
    error instanceof ApiError
      ? error.status === 403
        ? `${t('state.forbidden')} ${error.detail}`
        : error.detail
      : error instanceof NetworkError
        ? t('state.network')
        : String((error as Error)?.message ?? error);
  return (
    <div className="state state-error" role="alert">
      <strong>{t('state.error')}</strong>
      <span className="state-detail">{text}</span>
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          {t('state.retry')}
        </button>
      )}
    </div>
  );
}

/** Loading / error / empty / content for one piece of loaded data. */
export function Async<T>({ state, empty, isEmpty, children }: { state: { data: T | undefined; error: unknown; loading: boolean; reload(): void }; empty?: ReactNode; isEmpty?: (d: T) => boolean; children: (d: T) => ReactNode }) {
  if (state.error) return <ErrorBox error={state.error} onRetry={state.reload} />;
  if (state.data === undefined) return <Loading />;
  if (isEmpty?.(state.data)) return <Empty>{empty}</Empty>;
  return <>{children(state.data)}</>;
}
