import { useRef, useState, type FormEvent } from 'react';
import { ApiError, NetworkError } from '../api/client.ts';
import { useSession } from '../app/session.tsx';
import { LanguageToggle } from '../components/Layout.tsx';
import { useI18n } from '../i18n/index.tsx';

export function Login() {
  const { t } = useI18n();
  const { signIn, ended } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const userRef = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!username.trim() || !password) {
      setError(t('login.required'));
      userRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signIn(username.trim(), password);
    } catch (err) {
      setError(err instanceof ApiError ? err.detail : err instanceof NetworkError ? t('state.network') : String(err));
      setBusy(false);
    }
  };

  return (
    <div className="login-page">
      <main id="main" className="login-card" tabIndex={-1}>
        <div className="login-top">
          <span className="brand">
            <svg viewBox="0 0 32 32" width="40" height="40" aria-hidden="true">
              <rect width="32" height="32" rx="7" fill="#0f2a44" />
              <path d="M16 5l9 4v6c0 6-4 10-9 12-5-2-9-6-9-12V9z" fill="none" stroke="#e8b04a" strokeWidth="2.4" strokeLinejoin="round" />
              <circle cx="16" cy="15" r="3" fill="#e8b04a" />
            </svg>
            <span>
              <span className="brand-name">{t('app.name')}</span>
              <span className="brand-tagline">{t('app.tagline')}</span>
            </span>
          </span>
          <LanguageToggle />
        </div>
        <h1>{t('login.title')}</h1>
        <p className="muted">{t('login.intro')}</p>
        {ended === 'expired' && !error && (
          <p className="notice" role="status">
            {t('login.expired')}
          </p>
        )}
        <form onSubmit={submit} noValidate aria-describedby={error ? 'login-error' : undefined}>
          <div className="field">
            <label htmlFor="username">{t('login.username')}</label>
            <input id="username" ref={userRef} name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} value={username} onChange={(e) => setUsername(e.target.value)} required aria-invalid={!!error && !username.trim()} />
          </div>
          <div className="field">
            <label htmlFor="password">{t('login.password')}</label>
            <input id="password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required aria-invalid={!!error && !password} />
          </div>
          {error && (
            <p id="login-error" className="form-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
            {busy ? t('login.submitting') : t('login.submit')}
          </button>
        </form>
      </main>
    </div>
  );
}
