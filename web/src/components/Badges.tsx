import type { Channel } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';

/** The channel's colours everywhere: green, amber (yellow), red, blue. */
export const CHANNEL_COLORS: Record<Channel, string> = {
  green: '#2e7d4f',
  yellow: '#d99a1e',
  red: '#c8372d',
  blue: '#2f6fc0',
};

export function ChannelBadge({ channel, large }: { channel: Channel | null | undefined; large?: boolean }) {
  const { t } = useI18n();
  const c = channel ?? 'none';
  return (
    <span className={`badge channel-${c}${large ? ' badge-large' : ''}`} title={channel ? t(`channel.${channel}.meaning`) : undefined}>
      <span className="dot" aria-hidden="true" />
      {t(`channel.${c}`)}
    </span>
  );
}

export function SeverityBadge({ severity }: { severity: string }) {
  const { tk } = useI18n();
  return <span className={`badge severity-${severity}`}>{tk('severity', severity)}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  const { tk } = useI18n();
  return <span className={`badge status-${status}`}>{tk('status', status)}</span>;
}

export function CriterionStatusBadge({ status }: { status: string }) {
  const { tk } = useI18n();
  return <span className={`badge crit-${status}`}>{tk('critStatus', status)}</span>;
}
