import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en } from './en.ts';
import { es, type MessageKey } from './es.ts';

export type Lang = 'es' | 'en';
export type { MessageKey };
export type Params = Record<string, string | number>;

const DICTS: Record<Lang, Record<MessageKey, string>> = { es, en };
const STORAGE_KEY = 'centinela.lang';
/** Intl locale per language: Central American Spanish, US English. */
export const LOCALES: Record<Lang, string> = { es: 'es-GT', en: 'en-US' };

export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const text = DICTS[lang][key] ?? es[key] ?? key;
  return params ? text.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m)) : text;
}

/** A key that may not exist (e.g. `alert.<kind>` for a kind added later): falls back to `fallback`. */
export function hasKey(key: string): key is MessageKey {
  return key in es;
}

interface I18n {
  lang: Lang;
  locale: string;
  setLang(l: Lang): void;
  t(key: MessageKey, params?: Params): string;
  /** for keys built from data: `tk('alert', kind)` → the text, or the raw value when unknown */
  tk(prefix: string, value: string | number | null | undefined, params?: Params): string;
}

const Ctx = createContext<I18n | null>(null);

function initialLang(): Lang {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (v === 'es' || v === 'en') return v;
  } catch {
    /* storage may be disabled */
  }
  return 'es';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      /* ignore */
    }
  }, []);
  const value = useMemo<I18n>(
    () => ({
      lang,
      locale: LOCALES[lang],
      setLang,
      t: (key, params) => translate(lang, key, params),
      tk: (prefix, v, params) => {
        if (v === null || v === undefined) return '—';
        const key = `${prefix}.${v}`;
        return hasKey(key) ? translate(lang, key, params) : String(v);
      },
    }),
    [lang, setLang],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
