import type { Reason } from '../api/types.ts';
import { hasKey, useI18n } from '../i18n/index.tsx';

/** A reason in the reader's language when its code is known (rates etc. from the text), else as the engine wrote it. */
export function useReasonText() {
  const { t } = useI18n();
  return (r: Reason) => {
    const key = `reason.${r.code}`;
    if (!hasKey(key)) return r.text;
    const rate = /(\d+(?:[.,]\d+)?\s?%)/.exec(r.text)?.[1] ?? '';
    return t(key, { rate });
  };
}

export function ReasonList({ reasons, compact }: { reasons: Reason[]; compact?: boolean }) {
  const text = useReasonText();
  if (!reasons.length) return <span className="muted">—</span>;
  return (
    <ul className={compact ? 'reasons reasons-compact' : 'reasons'}>
      {reasons.map((r, i) => (
        <li key={`${r.code}-${i}`} data-reason={r.code}>
          <span className="reason-text">{text(r)}</span>
          {r.weight !== undefined && !compact && <span className="reason-weight">{r.weight}</span>}
        </li>
      ))}
    </ul>
  );
}
