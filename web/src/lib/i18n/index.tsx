// Words come from one catalog per language: a file <code>.ts beside this one (en.ts, fr.ts…); adding a language is
// adding a file. The language is the one picked (remembered in localStorage), else the browser's, else English.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import en, { type Catalog, type MessageKey } from './en';

export type { MessageKey } from './en';

const modules = import.meta.glob<{ default: Catalog }>(['./*.ts', '!./*.test.ts'], { eager: true });

/** Every catalog, by language code. */
export const catalogs: Record<string, Catalog> = Object.fromEntries(
  Object.values(modules).map((module) => [module.default.language, module.default]),
);

const storageKey = 'parley.language';

/** The picked language if it still has a catalog, else the first of the browser's that has one, else English. */
export function initialLanguage(): string {
  try {
    const stored = localStorage.getItem(storageKey);
    if (stored && catalogs[stored]) return stored;
  } catch {
    // Storage can be off (private windows); the browser's language still applies.
  }
  const wanted = typeof navigator !== 'undefined' ? (navigator.languages ?? [navigator.language]) : [];
  for (const tag of wanted) {
    const code = tag?.toLowerCase().split('-')[0];
    if (code && catalogs[code]) return code;
  }
  return 'en';
}

/** The kinds of codes the API answers with, each with its words in the catalogs (`code.<group>.<value>`). */
export type CodeGroup = 'platform' | 'decision' | 'priority' | 'role' | 'document' | 'reason' | 'channelField';

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** Fills {name} placeholders; a placeholder without a value stays as written, so a missing value is visible. */
export function format(template: string, values?: Record<string, string | number>): string {
  if (!values) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    values[name] === undefined ? whole : String(values[name]),
  );
}

interface I18n {
  language: string;
  setLanguage: (language: string) => void;
  t: Translate;
  /** The words for one of the API's codes (`code('reason', 'low_relevance')`); an unknown code shows as it is. */
  code: (group: CodeGroup, value: string | null | undefined) => string;
  /** Dates and times in the language's conventions. */
  formatDateTime: (iso: string) => string;
  /** "in 5 hours", "3 minutes ago". */
  formatRelative: (iso: string, now?: number) => string;
  /** A file's size: "820 B", "34 kB", "2.5 MB". */
  formatBytes: (bytes: number) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children, language: forced }: { children: ReactNode; language?: string }) {
  const [language, setLanguageState] = useState(() => forced ?? initialLanguage());
  const setLanguage = useCallback((next: string) => {
    if (!catalogs[next]) return;
    setLanguageState(next);
    try {
      localStorage.setItem(storageKey, next);
    } catch {
      // Not remembered, still applied.
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  const value = useMemo<I18n>(() => {
    const messages = (catalogs[language] ?? en).messages;
    const dateTime = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });
    const relative = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
    return {
      language,
      setLanguage,
      t: (key, values) => format(messages[key] ?? en.messages[key], values),
      code: (group, value) => {
        if (!value) return '';
        const key = `code.${group}.${value}`;
        return key in messages ? messages[key as MessageKey] : value;
      },
      formatDateTime: (iso) => (iso ? dateTime.format(new Date(iso)) : ''),
      formatRelative: (iso, now = Date.now()) => {
        const seconds = (new Date(iso).getTime() - now) / 1000;
        const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [
          ['day', 86400],
          ['hour', 3600],
          ['minute', 60],
        ];
        for (const [unit, size] of units) {
          if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
        }
        return relative.format(Math.round(seconds), 'second');
      },
      formatBytes: (bytes) => {
        const [unit, size] =
          bytes >= 1e6 ? (['megabyte', 1e6] as const) : bytes >= 1e3 ? (['kilobyte', 1e3] as const) : (['byte', 1] as const);
        const number = new Intl.NumberFormat(language, {
          style: 'unit',
          unit,
          unitDisplay: 'short',
          maximumFractionDigits: 1,
        });
        return number.format(bytes / size);
      },
    };
  }, [language, setLanguage]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const context = useContext(I18nContext);
  if (!context) throw new Error('useI18n outside I18nProvider');
  return context;
}
