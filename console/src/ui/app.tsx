/** The console shell: who is signed in, the language, and the three panels. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { createIceClient, IceError, type IceClient } from '../api/ice-client.js';
import { serverPrefix } from '../models/media-url.js';
import type { AccessKey } from '../api/signature.js';
import { type Locale, preferredLocale, translator } from '../i18n/messages.js';
import { I18nContext } from './i18n-context.js';
import { errorText } from './error-text.js';
import { SignIn } from './sign-in.js';
import { SubmitPanel } from './submit-panel.js';
import { JobsPanel } from './jobs-panel.js';
import { ResultPanel } from './result-panel.js';

/** Where the API answers: the page's own path before /console (a proxy may have added a prefix). */
const SERVER = serverPrefix(window.location.pathname);

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

/** The selected job lives in the address (`#job=<id>`), so a reload or a shared link shows it again. */
function jobIdFromHash(): string | null {
  const match = /^#job=([0-9A-Za-z_-]{1,128})$/.exec(window.location.hash);
  return match ? match[1]! : null;
}

/** Whether an unsigned request was refused for being unsigned (the server runs without --allow-anonymous). */
function signingRequired(error: unknown): boolean {
  return error instanceof IceError && (error.code === 'MissingAccessKeyId' || error.code === 'MissingSignature' || error.status === 401);
}

/** Signed correctly, but the key may not call this action: the key itself is good. */
function isForbidden(error: unknown): boolean {
  return error instanceof IceError && error.code === 'Forbidden.RAM';
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
  const [selectedJobId, setSelectedJobId] = useState<string | null>(jobIdFromHash);
  const [jobsVersion, setJobsVersion] = useState(0);
  const [probeError, setProbeError] = useState<string | null>(null);

  useEffect(() => {
    document.documentElement.lang = locale === 'zh' ? 'zh-CN' : 'en';
    document.title = i18n.t('appTitle');
    localStorage.setItem(LOCALE_STORAGE, locale);
  }, [locale]);

  useEffect(() => {
    const { pathname, search } = window.location;
    history.replaceState(history.state, '', selectedJobId ? `#job=${selectedJobId}` : `${pathname}${search}`);
  }, [selectedJobId]);
  useEffect(() => {
    const onHash = () => setSelectedJobId(jobIdFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  /**
   * An unsigned probe tells whether the server runs with --allow-anonymous. Only a refusal of the
   * unsigned request means "sign in"; any other failure (a 503 while the server restarts, no
   * network) says nothing about that, so it is shown with a way to try again.
   */
  function probe(key: AccessKey | null) {
    setChecking(key === null);
    setProbeError(null);
    const anonymous = createIceClient({ baseUrl: SERVER, key: null });
    const allowed = () => {
      setAnonymousAllowed(true);
      if (!key) setClient(anonymous);
    };
    anonymous
      .call('ListSmartVoiceGroups')
      .then(allowed)
      .catch((error: unknown) => {
        if (isForbidden(error)) allowed();
        else if (signingRequired(error)) setAnonymousAllowed(false);
        else if (!key) setProbeError(errorText(error, i18n.t));
      })
      .finally(() => setChecking(false));
  }

  // A key from this tab's session wins; the probe still runs, to offer going back to anonymous access.
  useEffect(() => {
    const key = storedKey();
    if (key) setClient(createIceClient({ baseUrl: SERVER, key }));
    probe(key);
  }, []);

  async function signIn(key: AccessKey): Promise<void> {
    const candidate = createIceClient({ baseUrl: SERVER, key });
    try {
      await candidate.call('ListSmartVoiceGroups');
    } catch (error) {
      // A key limited to other actions passed the signature check: it may sign in, the voice list then degrades.
      if (!isForbidden(error)) throw error;
    }
    sessionStorage.setItem(KEY_STORAGE, JSON.stringify(key));
    setWantKey(false);
    setClient(candidate);
  }

  function signOut() {
    sessionStorage.removeItem(KEY_STORAGE);
    setSelectedJobId(null);
    setClient(anonymousAllowed ? createIceClient({ baseUrl: SERVER, key: null }) : null);
    setWantKey(false);
  }

  const showSignIn = !checking && ((client === null && probeError === null) || wantKey);
  const showProbeError = !checking && client === null && probeError !== null && !wantKey;

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
        {showSignIn && <SignIn onSignIn={signIn} onCancel={(anonymousAllowed && client) || probeError ? () => setWantKey(false) : undefined} />}
        {showProbeError && (
          <section class="card probe" aria-labelledby="probe-title" data-testid="probe-error">
            <h2 id="probe-title">{i18n.t('appTitle')}</h2>
            <p class="muted">{i18n.t('probeFailed')}</p>
            <p class="error" role="alert">
              {probeError}
            </p>
            <div class="actions">
              <button type="button" class="primary" data-testid="probe-retry" onClick={() => probe(null)}>
                {i18n.t('retry')}
              </button>
              <button type="button" onClick={() => setWantKey(true)}>
                {i18n.t('useKey')}
              </button>
            </div>
          </section>
        )}
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
