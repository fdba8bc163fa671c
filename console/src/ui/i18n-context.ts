import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { type Locale, type Translate, translator } from '../i18n/messages.js';

export const I18nContext = createContext<{ locale: Locale; t: Translate }>({ locale: 'en', t: translator('en') });

export function useI18n() {
  return useContext(I18nContext);
}
