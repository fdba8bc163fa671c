/** The console shell: who is signed in, the language, and the three panels. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { createIceClient, type IceClient } from '../api/ice-client.js';
import type { AccessKey } from '../api/signature.js';
import { type Locale, preferredLocale, translator } from '../i18n/messages.js';
import { I18nContext } from './i18n-context.js';
import { SignIn } from './sign-in.js';
import { SubmitPanel } from './submit-panel.js';
import { JobsPanel } from './jobs-panel.js';
import { ResultPanel } from './result-panel.js';

const KEY_STORAGE = 'narrate.console.key';
const LOCALE_STORAGE = 'narrate.console.locale';

function storedKey(): AccessKey | null {
  try {
    const raw = sessionStorage.getItem(KEY_STORAGE);
    const key = raw ? (JSON.parse(raw) as AccessKey) : null;
    return key && typeof key.id === 'string' && typeof key.secret === 'string' ? key : null;
  } catch {
    return null;
  }
}

function initialLocale(): Locale {
  const saved = localStorage.getItem(LOCALE_STORAGE);
  return saved === 'zh' || saved === 'en' ? saved : preferredLocale(navigator.languages ?? [navigator.language]);
}

export function App() {
  const [locale, setLocale] = useState<Locale>(initialLocale);
  const i18n = useMemo(() => ({ locale, t: translator(locale) }), [locale]);
  const [client, setClient] = useState<IceClient | null>(null);
  const [checking, setChecking] = useState(true);
  const [anonymousAllowed, setAnonymousAllowed] = useState(false);
  const [wantKey, setWantKey] = useState(false);
  const [selectedJobId, setSelectedJobId] = useState<string | null>(null);
  const [jobsVersion, setJobsVersion] = useState(0);

  useEffect(() => {
    document.documentElement.lang = locale === 'zh' ? 'zh-CN' : 'en';
    document.title = i18n.t('appTitle');
    localStorage.setItem(LOCALE_STORAGE, locale);
  }, [locale]);

  // A key from this tab's session wins; otherwise an unsigned probe tells whether the server runs with --allow-anonymous.
  useEffect(() => {
    const key = storedKey();
    if (key) {
      setClient(createIceClient({ key }));
      setChecking(false);
    }
    const anonymous = createIceClient({ key: null });
    anonymous
      .call('ListSmartVoiceGroups')
      .then(() => {
        setAnonymousAllowed(true);
        if (!key) setClient(anonymous);
      })
      .catch(() => setAnonymousAllowed(false))
      .finally(() => setChecking(false));
  }, []);

  async function signIn(key: AccessKey): Promise<void> {
    const candidate = createIceClient({ key });
    await candidate.call('ListSmartVoiceGroups');
    sessionStorage.setItem(KEY_STORAGE, JSON.stringify(key));
    setWantKey(false);
    setClient(candidate);
  }

  function signOut() {
    sessionStorage.removeItem(KEY_STORAGE);
    setSelectedJobId(null);
    setClient(anonymousAllowed ? createIceClient({ key: null }) : null);
    setWantKey(false);
  }

  const showSignIn = !checking && (client === null || wantKey);

  return (
    <I18nContext.Provider value={i18n}>
      <header class="top">
        <h1>
          <span class="logo" aria-hidden="true">◗</span> {i18n.t('appTitle')}
        </h1>
        <div class="top-actions">
          <label class="locale">
            <span class="visually-hidden">{i18n.t('language')}</span>
            <select data-testid="locale-select" value={locale} onChange={(event) => setLocale((event.currentTarget as HTMLSelectElement).value as Locale)}>
              <option value="zh">中文</option>
              <option value="en">English</option>
            </select>
          </label>
          {client && !wantKey && (
            <>
              <span class="who" data-testid="who">
                {client.signed ? `${i18n.t('signedInAs')} ${client.keyId}` : i18n.t('anonymous')}
              </span>
              {client.signed ? (
                <button type="button" class="link" onClick={signOut} data-testid="sign-out">
                  {i18n.t('signOut')}
                </button>
              ) : (
                <button type="button" class="link" onClick={() => setWantKey(true)}>
                  {i18n.t('useKey')}
                </button>
              )}
            </>
          )}
        </div>
      </header>
      <main>
        {checking && <p class="muted">{i18n.t('loading')}</p>}
        {showSignIn && <SignIn onSignIn={signIn} onCancel={anonymousAllowed && client ? () => setWantKey(false) : undefined} />}
        {!showSignIn && client && (
          <div class="layout">
            <SubmitPanel
              client={client}
              onSubmitted={(jobId) => {
                setSelectedJobId(jobId);
                setJobsVersion((v) => v + 1);
              }}
            />
            <div class="side">
              <JobsPanel client={client} selectedJobId={selectedJobId} onSelect={setSelectedJobId} refreshToken={jobsVersion} />
              <ResultPanel client={client} jobId={selectedJobId} />
            </div>
          </div>
        )}
      </main>
    </I18nContext.Provider>
  );
}
