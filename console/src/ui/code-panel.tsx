/** The job's request as a pop-core program and a curl command, with copy buttons. */
import { useEffect, useState } from 'preact/hooks';
import type { IceClient } from '../api/ice-client.js';
import type { SmartHandleJob } from '../api/ice-types.js';
import { paramsOfJob } from '../models/submit-form.js';
import { curlCommand, popCoreSnippet } from '../models/snippets.js';
import { useI18n } from './i18n-context.js';
import { serverPrefix } from '../models/media-url.js';

function CopyButton({ text }: { text: string }) {
  const { t } = useI18n();
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      class="chip"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setDone(true);
          window.setTimeout(() => setDone(false), 1500);
        });
      }}
    >
      {done ? t('copied') : t('copy')}
    </button>
  );
}

export function CodePanel({ client, job }: { client: IceClient; job: SmartHandleJob }) {
  const { t } = useI18n();
  // The snippets call the API where this page reached it, prefix included (pop-core takes an endpoint with a path).
  const endpoint = `${window.location.origin}${serverPrefix(window.location.pathname)}`;
  const params = paramsOfJob(job);
  const [curl, setCurl] = useState('');
  const [open, setOpen] = useState(false);

  // Signed only when opened: each curl command spends a fresh nonce.
  useEffect(() => {
    if (!open) return;
    void client.sign('SubmitAudioProduceJob', params, 'POST').then((signed) => setCurl(curlCommand({ endpoint, signedParams: signed })));
  }, [open, job.JobId]);

  const pop = popCoreSnippet({ endpoint, keyId: client.keyId, params });
  return (
    <details class="code" onToggle={(event) => setOpen((event.currentTarget as HTMLDetailsElement).open)} data-testid="code-panel">
      <summary>{t('code')}</summary>
      <div class="snippet">
        <div class="snippet-head">
          <strong>@alicloud/pop-core</strong> <CopyButton text={pop} />
        </div>
        <pre data-testid="pop-core-snippet">
          <code>{pop}</code>
        </pre>
      </div>
      <div class="snippet">
        <div class="snippet-head">
          <strong>curl</strong> <CopyButton text={curl} />
        </div>
        {client.signed && <p class="muted small">{t('curlHint')}</p>}
        <pre data-testid="curl-snippet">
          <code>{curl}</code>
        </pre>
      </div>
    </details>
  );
}
