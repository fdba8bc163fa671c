/**
 * One job: live state and progress (server-sent events, or polling where the stream fails), then
 * the player with waveform, the sentences from AiResult following playback, the download link and
 * the same request as code.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { IceClient } from '../api/ice-client.js';
import { isFinal, type JobState, type SmartHandleJob } from '../api/ice-types.js';
import { currentSentenceIndex, parseAiResult, type Sentence } from '../models/ai-result.js';
import { useI18n } from './i18n-context.js';
import { errorText } from './error-text.js';
import { Waveform } from './waveform.js';
import { CodePanel } from './code-panel.js';

function useJob(client: IceClient, jobId: string | null) {
  const [job, setJob] = useState<SmartHandleJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { t } = useI18n();

  useEffect(() => {
    setJob(null);
    setError(null);
    if (!jobId) return;
    let stopped = false;
    let source: EventSource | null = null;
    let timer: number | undefined;

    const fetchJob = async (): Promise<SmartHandleJob | null> => {
      try {
        const found = await client.call<SmartHandleJob>('GetSmartHandleJob', { JobId: jobId });
        if (!stopped) setJob(found);
        return found;
      } catch (caught) {
        if (!stopped) setError(errorText(caught, t('errorNetwork')));
        return null;
      }
    };
    const poll = async () => {
      const found = await fetchJob();
      if (!stopped && (!found || !isFinal(found.State))) timer = window.setTimeout(poll, 1000);
    };
    const watch = async () => {
      const found = await fetchJob();
      if (stopped || !found || isFinal(found.State)) return;
      source = new EventSource(await client.jobEventsUrl(jobId));
      source.addEventListener('state', (event) => {
        const data = JSON.parse((event as MessageEvent<string>).data) as { State: JobState; Progress: number };
        if (isFinal(data.State)) {
          source?.close();
          void fetchJob();
        } else {
          setJob((current) => (current ? { ...current, State: data.State, Progress: data.Progress } : current));
        }
      });
      // EventSource would reconnect with the same (now used) nonce; poll instead.
      source.onerror = () => {
        source?.close();
        if (!stopped) void poll();
      };
    };
    void watch();
    return () => {
      stopped = true;
      source?.close();
      window.clearTimeout(timer);
    };
  }, [client, jobId]);
  return { job, error };
}

function Sentences({ sentences, current, onSeek }: { sentences: Sentence[]; current: number; onSeek: (seconds: number) => void }) {
  const { t } = useI18n();
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const item = list.current?.querySelector('[aria-current="true"]');
    if (item && 'scrollIntoView' in item) (item as HTMLElement).scrollIntoView({ block: 'nearest' });
  }, [current]);
  return (
    <div class="sentences">
      <h3>{t('sentences')}</h3>
      <p class="muted small">{t('sentencesHint')}</p>
      <ol ref={list}>
        {sentences.map((sentence, index) => (
          <li key={index}>
            <button type="button" class="segment" data-testid="segment" data-from={sentence.from} aria-current={index === current ? 'true' : undefined} onClick={() => onSeek(sentence.from)}>
              <span class="time">{sentence.from.toFixed(1)}s</span> {sentence.text}
            </button>
          </li>
        ))}
      </ol>
    </div>
  );
}

function Player({ url, format, sentences }: { url: string; format: string; sentences: Sentence[] }) {
  const { t } = useI18n();
  const [audio, setAudio] = useState<HTMLAudioElement | null>(null);
  const [time, setTime] = useState(0);

  // timeupdate fires only a few times a second; while playing, follow every frame so the highlight is prompt.
  useEffect(() => {
    if (!audio) return;
    let frame = 0;
    const tick = () => {
      setTime(audio.currentTime);
      if (!audio.paused) frame = requestAnimationFrame(tick);
    };
    const onPlay = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(tick);
    };
    const onTime = () => setTime(audio.currentTime);
    audio.addEventListener('play', onPlay);
    audio.addEventListener('timeupdate', onTime);
    audio.addEventListener('seeked', onTime);
    return () => {
      cancelAnimationFrame(frame);
      audio.removeEventListener('play', onPlay);
      audio.removeEventListener('timeupdate', onTime);
      audio.removeEventListener('seeked', onTime);
    };
  }, [audio]);

  const playable = format !== 'PCM';
  const seek = (seconds: number) => {
    if (!audio) return;
    audio.currentTime = seconds;
    setTime(seconds);
    void audio.play().catch(() => {});
  };

  return (
    <div class="player">
      <div class="player-main">
        {playable ? (
          <>
            <Waveform audio={audio} url={url} />
            <audio ref={setAudio} data-testid="audio-player" controls preload="auto" src={url} />
          </>
        ) : (
          <p class="muted">PCM</p>
        )}
        <a class="download" href={url} download data-testid="download">
          ⤓ {t('download')}
        </a>
      </div>
      {sentences.length > 0 && <Sentences sentences={sentences} current={currentSentenceIndex(sentences, time)} onSeek={seek} />}
    </div>
  );
}

export function ResultPanel({ client, jobId }: { client: IceClient; jobId: string | null }) {
  const { t } = useI18n();
  const { job, error } = useJob(client, jobId);
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
        {job && <span class={`state state-${job.State}`} data-testid="result-state" data-state={job.State}>{t(job.State)}</span>}
      </div>
      <p class="muted small mono">{jobId}</p>
      {error && (
        <p class="error" role="alert">
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
      {job?.State === 'Finished' && job.JobResult && <Player key={job.JobId} url={job.JobResult.MediaUrl} format={format} sentences={parseAiResult(job.JobResult.AiResult)} />}
      {job && <CodePanel client={client} job={job} />}
    </section>
  );
}
