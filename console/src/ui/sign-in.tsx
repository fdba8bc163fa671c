import { useState } from 'preact/hooks';
import { useI18n } from './i18n-context.js';
import { errorText } from './error-text.js';
import type { AccessKey } from '../api/signature.js';

export function SignIn({ onSignIn, onCancel }: { onSignIn: (key: AccessKey) => Promise<void>; onCancel?: () => void }) {
  const { t } = useI18n();
  const [id, setId] = useState('');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [hintBefore, hintAfter = ''] = t('signInHint').split('{command}');

  async function submit(event: Event) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await onSignIn({ id: id.trim(), secret: secret.trim() });
    } catch (caught) {
      setError(errorText(caught, t));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card sign-in" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">{t('signInTitle')}</h2>
      <p class="muted">
        {hintBefore}
        <code>narrate keys create</code>
        {hintAfter}
      </p>
      <form onSubmit={submit}>
        <div class="field">
          <label for="access-key-id">{t('accessKeyId')}</label>
          <input id="access-key-id" data-testid="access-key-id" autocomplete="username" required value={id} onInput={(e) => setId(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="access-key-secret">{t('accessKeySecret')}</label>
          <input id="access-key-secret" data-testid="access-key-secret" type="password" autocomplete="current-password" required value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
        </div>
        {error && (
          <p class="error" role="alert" data-testid="sign-in-error">
            {error}
          </p>
        )}
        <div class="actions">
          {/* aria-disabled, not disabled: a disabled button drops the keyboard focus to <body>. */}
          <button type="submit" class="primary" data-testid="sign-in" aria-disabled={busy ? 'true' : undefined}>
            {busy ? t('signingIn') : t('signIn')}
          </button>
          {onCancel && (
            <button type="button" onClick={onCancel}>
              {t('close')}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
