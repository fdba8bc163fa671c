/**
 * One job: live state and progress (use-job.ts), then the player and downloads (player.tsx) and
 * the same request as code.
 */
import type { IceClient } from '../api/ice-client.js';
import { isFinal } from '../api/ice-types.js';
import { useI18n } from './i18n-context.js';
import { useJob } from './use-job.js';
import { Player } from './player.js';
import { CodePanel } from './code-panel.js';

export function ResultPanel({ client, jobId }: { client: IceClient; jobId: string | null }) {
  const { t } = useI18n();
  const { job, error, refresh } = useJob(client, jobId);
  if (!jobId) {
    return (
      <section class="card result" aria-labelledby="result-title">
        <h2 id="result-title">{t('resultTitle')}</h2>
        <p class="muted">{t('selectJob')}</p>
      </section>
    );
  }
  let format = 'MP3';
  try {
    format = String((JSON.parse(job?.SmartJobInfo.EditingConfig ?? '{}') as { format?: string }).format ?? 'MP3').toUpperCase();
  } catch {
    // Shown as MP3; the download link still works.
  }
  return (
    <section class="card result" aria-labelledby="result-title" data-testid="result" data-job-id={jobId}>
      <div class="card-head">
        <h2 id="result-title">{job?.SmartJobInfo.Title || t('resultTitle')}</h2>
        {job && (
          <span class={`state state-${job.State}`} data-testid="result-state" data-state={job.State}>
            {t(job.State)}
          </span>
        )}
      </div>
      <p class="muted small mono">{jobId}</p>
      {error && (
        <p class="error" role="alert" data-testid="result-error">
          {error}
        </p>
      )}
      {!job && !error && <p class="muted">{t('loading')}</p>}
      {job && !isFinal(job.State) && (
        <div class="progress">
          <progress max={100} value={job.Progress ?? 0} aria-label={t('progress', { percent: job.Progress ?? 0 })} />
          <span class="muted">{t('progress', { percent: job.Progress ?? 0 })}</span>
        </div>
      )}
      {job?.State === 'Failed' && (
        <p class="error" role="alert">
          {t('failedWith', { code: job.ErrorCode ?? '', message: job.ErrorMessage ?? '' })}
        </p>
      )}
      {job?.State === 'Finished' && job.JobResult && <Player key={job.JobId} job={job} format={format} refresh={refresh} />}
      {job && <CodePanel client={client} job={job} />}
    </section>
  );
}
