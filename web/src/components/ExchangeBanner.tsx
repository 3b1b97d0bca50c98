/** The banner every signed-in screen shows while the link to the regional exchange is down: since when, and what waits. */
import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import { can } from '../app/access.ts';
import { useFormat } from '../app/format.ts';
import { useSession } from '../app/session.tsx';
import { useI18n } from '../i18n/index.tsx';

export interface LinkStatus {
  transport: 'nats' | 'memory';
  location: string;
  up: boolean;
  since: string;
  severed: boolean;
  local: string[];
  queued: number;
  oldestQueuedAt: string | null;
  lastSentAt: string | null;
  lastReceivedAt: string | null;
  deadLetters: number;
  lastError: string | null;
}

/** Polls the link status (every 30 s) for the roles that may read it. */
export function useLinkStatus(everyMs = 30_000): LinkStatus | undefined {
  const { session } = useSession();
  const allowed = can(session?.user.role, 'exchangeStatus');
  const [s, setS] = useState<LinkStatus>();
  useEffect(() => {
    if (!allowed) return;
    let stop = false;
    const load = () =>
      api<LinkStatus>('/api/v1/exchange/status').then(
        (x) => !stop && setS(x),
        () => {},
      );
    void load();
    const t = setInterval(load, everyMs);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [allowed, everyMs]);
  return s;
}

export function ExchangeBanner() {
  const { t } = useI18n();
  const fmt = useFormat();
  const s = useLinkStatus();
  if (!s || s.up) return null;
  return (
    <div className="exchange-banner" role="status" data-testid="exchange-banner">
      <strong>{t('exchange.banner.down', { since: fmt.dateTime(s.since) })}</strong> {t('exchange.banner.detail', { queued: String(s.queued) })}
    </div>
  );
}
