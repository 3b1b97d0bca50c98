import { useMemo } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { useSession } from './session.tsx';

export const TIME_ZONES: Record<string, string> = {
  GT: 'America/Guatemala',
  SV: 'America/El_Salvador',
  HN: 'America/Tegucigalpa',
  NI: 'America/Managua',
  CR: 'America/Costa_Rica',
  PA: 'America/Panama',
  DO: 'America/Santo_Domingo',
};

/** Numbers and times in the person's language, times in their administration's zone. */
export function useFormat(country?: string) {
  const { locale } = useI18n();
  const { session } = useSession();
  const timeZone = TIME_ZONES[country ?? session?.user.country ?? 'GT'] ?? 'UTC';
  return useMemo(() => {
    const int = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    const dec = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
    const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
    const dt = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
    const d = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium' });
    const day = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', day: 'numeric', month: 'short' });
    // money keeps its cents: the currency's own minor units (2 for GTQ and USD), one formatter per currency
    const byCurrency = new Map<string, Intl.NumberFormat | null>();
    const cents = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const money = (v: number, currency = 'USD') => {
      let f = byCurrency.get(currency);
      if (f === undefined) {
        try {
          f = new Intl.NumberFormat(locale, { style: 'currency', currency });
        } catch {
          f = null;
        }
        byCurrency.set(currency, f);
      }
      return f ? f.format(v) : `${cents.format(v)} ${currency}`;
    };
    return {
      timeZone,
      int: (v: number) => int.format(v),
      dec: (v: number) => dec.format(v),
      pct: (v: number) => pct.format(Number.isFinite(v) ? v : 0),
      dateTime: (v: string | Date | null | undefined) => (v ? dt.format(new Date(v)) : '—'),
      date: (v: string | Date | null | undefined) => (v ? d.format(new Date(v)) : '—'),
      /** a local date (YYYY-MM-DD) as a short label */
      day: (ymd: string) => day.format(new Date(`${ymd}T00:00:00Z`)),
      money,
    };
  }, [locale, timeZone]);
}

/** Today's date (YYYY-MM-DD) in a zone. */
export function todayIn(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** Local day (YYYY-MM-DD) → the instant it starts in the zone, with its offset (what the APIs want). */
export function dayStartIso(ymd: string, timeZone: string, plusDays = 0): string {
  const guess = new Date(`${ymd}T00:00:00Z`);
  guess.setUTCDate(guess.getUTCDate() + plusDays);
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(guess);
  const off = parts.find((p) => p.type === 'timeZoneName')?.value.replace('GMT', '') || '+00:00';
  return `${guess.toISOString().slice(0, 10)}T00:00:00${off === '' ? '+00:00' : off}`;
}

/** The local day (YYYY-MM-DD) of an instant in the zone. */
export function localDay(iso: string | null | undefined, timeZone: string): string {
  return iso ? new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso)) : '';
}
