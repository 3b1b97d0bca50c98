/** Pieces the post-clearance audit screens share: form fields with their error, actions with their state, downloads, the capacity bar. */
import { useState, type ReactNode } from 'react';
import { ApiError, fieldError, fieldErrors, loadSession } from '../api/client.ts';
import { can, type Capability } from '../app/access.ts';
import { Link, useRouter } from '../app/router.tsx';
import { useSession } from '../app/session.tsx';
import { useI18n, type MessageKey } from '../i18n/index.tsx';

export function PcaField({ id, label, error, hint, children }: { id: string; label: string; error?: string; hint?: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && !error && (
        <span id={`${id}-hint`} className="field-hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/** Runs a change against the API: busy while it runs, the error (and each field's) when it fails. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (f: () => Promise<unknown>, after?: () => void) => {
    setBusy(true);
    setError(undefined);
    try {
      await f();
      after?.();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  const fields = fieldErrors(error);
  return { busy, error, run, field: (path: string) => fieldError(fields, path), message: error instanceof ApiError ? error.detail : error ? String((error as Error).message ?? error) : undefined };
}

export function ActionError({ message }: { message?: string }) {
  return message ? (
    <p className="form-error" role="alert">
      {message}
    </p>
  ) : null;
}

/** Downloads a file the API answers (a PDF, a CSV) with the session's credentials. */
export function DownloadButton({ path, filename, label }: { path: string; filename: string; label: string }) {
  const { t } = useI18n();
  const [failed, setFailed] = useState(false);
  return (
    <>
      <button
        type="button"
        className="btn btn-small"
        onClick={() => {
          setFailed(false);
          const token = loadSession()?.token;
          void fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} })
            .then(async (r) => {
              if (!r.ok) throw new Error(String(r.status));
              const url = URL.createObjectURL(await r.blob());
              const a = document.createElement('a');
              a.href = url;
              a.download = filename;
              a.click();
              setTimeout(() => URL.revokeObjectURL(url), 10_000);
            })
            .catch(() => setFailed(true));
        }}
      >
        {label}
      </button>
      {failed && <span className="text-bad small"> {t('pca.downloadFailed')}</span>}
    </>
  );
}

/** Hours planned against capacity, with the random share marked. */
export function CapacityBar({ planned, capacity, random }: { planned: number; capacity: number; random: number }) {
  const { t } = useI18n();
  const pct = (v: number) => `${Math.min(100, Math.max(0, (100 * v) / Math.max(capacity, 1))).toFixed(1)}%`;
  return (
    <div className="pca-capacity" role="img" aria-label={t('pca.capacityLabel', { planned: Math.round(planned), capacity: Math.round(capacity), random: Math.round(random) })} data-testid="capacity-bar">
      <div className="pca-capacity-track" style={{ position: 'relative', height: 18, background: 'var(--surface-2, #eceff3)', borderRadius: 4, overflow: 'hidden' }}>
        <div style={{ position: 'absolute', left: 0, top: 0, bottom: 0, width: pct(planned), background: 'var(--accent, #1f5fa8)' }} />
        <div style={{ position: 'absolute', left: 0, top: 0, bottom: 0, width: pct(random), background: 'repeating-linear-gradient(45deg, rgba(255,255,255,.45) 0 4px, transparent 4px 8px)' }} />
      </div>
      <p className="muted small">{t('pca.capacityLabel', { planned: Math.round(planned), capacity: Math.round(capacity), random: Math.round(random) })}</p>
    </div>
  );
}

/** The post-clearance audit screens, as tabs (each shown to the roles that may use it). */
export function PcaTabs() {
  const { t } = useI18n();
  const { session } = useSession();
  const { path } = useRouter();
  const tabs: { to: string; label: MessageKey; needs: Capability }[] = [
    { to: '/pca/plans', label: 'pca.tab.plans', needs: 'pca' },
    { to: '/pca/cases', label: 'pca.tab.cases', needs: 'pcaCases' },
    { to: '/pca/sensitive', label: 'pca.tab.sensitive', needs: 'pca' },
    { to: '/pca/tax', label: 'pca.tab.tax', needs: 'pcaTax' },
    { to: '/pca/effectiveness', label: 'pca.tab.effectiveness', needs: 'pcaEffectiveness' },
  ];
  const shown = tabs.filter((x) => can(session?.user.role, x.needs));
  if (shown.length < 2) return null;
  return (
    <nav aria-label={t('pca.tabs')} className="breadcrumb pca-tabs">
      {shown.map((x, i) => (
        <span key={x.to}>
          {i > 0 && ' · '}
          <Link to={x.to} aria-current={path === x.to ? 'page' : undefined} className={path === x.to ? 'strong' : undefined}>
            {t(x.label)}
          </Link>
        </span>
      ))}
    </nav>
  );
}
