import type { Alert } from '../api/types.ts';
import { useFormat } from '../app/format.ts';
import { Link } from '../app/router.tsx';
import { useI18n } from '../i18n/index.tsx';
import { SeverityBadge } from './Badges.tsx';

export const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export function sortAlerts(a: Alert[]): Alert[] {
  return [...a].sort((x, y) => (SEVERITY_RANK[x.severity] ?? 9) - (SEVERITY_RANK[y.severity] ?? 9) || y.raisedAt.localeCompare(x.raisedAt));
}

export function AlertList({ alerts, linkMovements = true }: { alerts: Alert[]; linkMovements?: boolean }) {
  const { t, tk, lang } = useI18n();
  const fmt = useFormat();
  return (
    <ul className="alerts" data-testid="alert-list">
      {alerts.map((a) => (
        <li key={a.id} className={`alert alert-${a.severity}`} data-kind={a.kind}>
          <div className="alert-head">
            <SeverityBadge severity={a.severity} />
            <strong className="alert-kind">{tk('alert', a.kind)}</strong>
          </div>
          <p className="alert-text">{a.message[lang]}</p>
          <div className="alert-meta">
            <span>{t('transit.alert.raised', { when: fmt.dateTime(a.raisedAt) })}</span>
            <span>{t('transit.alert.concerns', { countries: a.countries.join(', ') })}</span>
            {linkMovements && a.movementId && (
              <Link to={`/transit/movements/${a.movementId}`} aria-label={`${t('transit.alert.open')} ${a.subject}`}>
                {a.subject} →
              </Link>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
