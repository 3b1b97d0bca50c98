import { useEffect, useRef, type ReactNode } from 'react';
import { navFor } from '../app/access.ts';
import { Link, useRouter } from '../app/router.tsx';
import { useSession } from '../app/session.tsx';
import { useI18n } from '../i18n/index.tsx';
import { ExchangeBanner } from './ExchangeBanner.tsx';

export function LanguageToggle() {
  const { t, lang, setLang } = useI18n();
  const other = lang === 'es' ? 'en' : 'es';
  return (
    <button type="button" className="btn btn-ghost lang-toggle" onClick={() => setLang(other)} aria-label={t('app.language.switchLabel')} lang={other} data-testid="lang-toggle">
      {t('app.language.switch')}
    </button>
  );
}

function Brand() {
  const { t } = useI18n();
  return (
    <span className="brand">
      <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
        <rect width="32" height="32" rx="7" fill="#0f2a44" />
        <path d="M16 5l9 4v6c0 6-4 10-9 12-5-2-9-6-9-12V9z" fill="none" stroke="#e8b04a" strokeWidth="2.4" strokeLinejoin="round" />
        <circle cx="16" cy="15" r="3" fill="#e8b04a" />
      </svg>
      <span className="brand-name">{t('app.name')}</span>
    </span>
  );
}

/** The signed-in shell: skip link, header with the role's navigation, language, the person, sign-out. */
export function Layout({ children }: { children: ReactNode }) {
  const { t, tk } = useI18n();
  const { session, signOut } = useSession();
  const { path, navigate } = useRouter();
  const main = useRef<HTMLElement>(null);
  const shownPath = useRef(path);
  const user = session!.user;

  // on each change of screen, move focus to the content so that keyboard and screen reader users start there
  useEffect(() => {
    if (shownPath.current === path) return;
    shownPath.current = path;
    main.current?.focus();
  }, [path]);

  const active = (p: string) => (p === '/' ? path === '/' : path === p || path.startsWith(`${p}/`) || (p === '/queue' && path.startsWith('/declarations/')));

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <Link to="/" className="brand-link" aria-label={`${t('app.name')} — ${t('app.tagline')}`}>
            <Brand />
          </Link>
          <span className="admin-chip" title={t('app.administration')}>
            {user.country} · {tk('country', user.country)}
          </span>
          <nav aria-label={t('app.mainNav')} className="mainnav">
            <ul>
              {navFor(user.role).map((n) => (
                <li key={n.path}>
                  <Link to={n.path} aria-current={active(n.path) ? 'page' : undefined} className="navlink">
                    {t(n.label)}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <div className="topbar-right">
            <LanguageToggle />
            <span className="user" aria-label={t('app.signedInAs', { name: user.displayName })}>
              <span className="user-name">{user.displayName}</span>
              <span className="user-role">{tk('role', user.role)}</span>
            </span>
            <button
              type="button"
              className="btn btn-ghost"
              data-testid="sign-out"
              onClick={() => {
                void signOut().then(() => navigate('/', { replace: true }));
              }}
            >
              {t('app.signOut')}
            </button>
          </div>
        </div>
      </header>
      <ExchangeBanner />
      <main id="main" ref={main} tabIndex={-1} className="content">
        {children}
      </main>
    </div>
  );
}

export function PageHeader({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · Centinela`;
  }, [title]);
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="subtitle">{subtitle}</p>}
      </div>
      {children && <div className="page-actions">{children}</div>}
    </div>
  );
}

export function Panel({ title, children, id, actions, className }: { title: ReactNode; children: ReactNode; id?: string; actions?: ReactNode; className?: string }) {
  const hid = id ? `${id}-title` : undefined;
  return (
    <section className={`panel${className ? ` ${className}` : ''}`} aria-labelledby={hid} id={id}>
      <div className="panel-head">
        <h2 id={hid}>{title}</h2>
        {actions}
      </div>
      <div className="panel-body">{children}</div>
    </section>
  );
}

export function Tile({ label, value, note, tone }: { label: string; value: ReactNode; note?: ReactNode; tone?: 'ok' | 'warn' | 'bad' }) {
  return (
    <div className={`tile${tone ? ` tile-${tone}` : ''}`}>
      <div className="tile-label">{label}</div>
      <div className="tile-value">{value}</div>
      {note && <div className="tile-note">{note}</div>}
    </div>
  );
}

/** A definition list of label/value pairs. */
export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {items.map(([k, v]) => (
        <div key={k} className="fact">
          <dt>{k}</dt>
          <dd>{v ?? '—'}</dd>
        </div>
      ))}
    </dl>
  );
}
