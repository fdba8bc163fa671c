/**
 * A finished job's audio: the player with waveform, the sentences from AiResult following
 * playback, and the downloads (audio and subtitle files). Signed URLs expire, so an expired one is
 * fetched again before it is used and when the <audio> element fails on it.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SmartHandleJob } from '../api/ice-types.js';
import { currentSentenceIndex, parseAiResult, type Sentence } from '../models/ai-result.js';
import { downloadName, isOtherOrigin, needsFreshUrl, reachableUrl } from '../models/media-url.js';
import { useI18n } from './i18n-context.js';
import { Waveform } from './waveform.js';
import { DownloadLink } from './download-link.js';

/** The sentences with their times; buttons that play from there when there is a player (not for PCM). */
function Sentences({ sentences, current, onSeek }: { sentences: Sentence[]; current: number; onSeek?: (seconds: number) => void }) {
  const { t } = useI18n();
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const item = list.current?.querySelector('[aria-current="true"]');
    if (item && 'scrollIntoView' in item) (item as HTMLElement).scrollIntoView({ block: 'nearest' });
  }, [current]);
  return (
    <div class="sentences">
      <h3>{t('sentences')}</h3>
      {onSeek && <p class="muted small">{t('sentencesHint')}</p>}
      <ol ref={list}>
        {sentences.map((sentence, index) => (
          <li key={index}>
            {onSeek ? (
              <button type="button" class="segment" data-testid="segment" data-from={sentence.from} aria-current={index === current ? 'true' : undefined} onClick={() => onSeek(sentence.from)}>
                <span class="time">{sentence.from.toFixed(1)}s</span> {sentence.text}
              </button>
            ) : (
              <span class="segment" data-testid="segment" data-from={sentence.from}>
                <span class="time">{sentence.from.toFixed(1)}s</span> {sentence.text}
              </span>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** Follows the element's position (every frame while playing, so the highlight is prompt). */
function usePlaybackTime(audio: HTMLAudioElement | null) {
  const [time, setTime] = useState(0);
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
  return [time, setTime] as const;
}

export function Player({ job, format, refresh }: { job: SmartHandleJob; format: string; refresh: () => Promise<SmartHandleJob | null> }) {
  const { t } = useI18n();
  const [audio, setAudio] = useState<HTMLAudioElement | null>(null);
  const [audioFailed, setAudioFailed] = useState(false);
  const [waveFailed, setWaveFailed] = useState(false);
  const [time, setTime] = usePlaybackTime(audio);
  const result = job.JobResult!;
  const url = reachableUrl(result.MediaUrl, window.location);
  const receivedAt = useMemo(() => Date.now(), [url]);
  // Each URL is given up on after one refresh, so a server that keeps failing cannot make a loop.
  const refreshedFrom = useRef(new Set<string>());
  const sentences = useMemo(() => parseAiResult(result.AiResult), [result.AiResult]);
  const playable = format !== 'PCM';

  useEffect(() => {
    setAudioFailed(false);
    setWaveFailed(false);
  }, [url]);

  const freshJob = async (): Promise<SmartHandleJob | null> => {
    refreshedFrom.current.add(url);
    return refresh();
  };

  // Where the element was when its URL is replaced, so a refresh does not send the listener back to 0:00.
  const resumeAt = useRef<{ time: number; playing: boolean } | null>(null);
  const renew = () => {
    if (refreshedFrom.current.has(url)) return false;
    if (audio) resumeAt.current = { time: audio.currentTime, playing: !audio.paused };
    void freshJob();
    return true;
  };
  useEffect(() => {
    if (!audio) return;
    const onError = () => {
      if (!renew()) setAudioFailed(true);
    };
    // A file not yet fully loaded is fetched again (Range requests) as it plays: with an expired URL that fails.
    const onPlay = () => {
      if (!audio.currentSrc.startsWith('blob:') && needsFreshUrl({ url, receivedAt, now: Date.now() })) renew();
    };
    const onLoaded = () => {
      const resume = resumeAt.current;
      if (!resume) return;
      resumeAt.current = null;
      audio.currentTime = resume.time;
      if (resume.playing) void audio.play().catch(() => {});
    };
    audio.addEventListener('error', onError);
    audio.addEventListener('play', onPlay);
    audio.addEventListener('loadedmetadata', onLoaded);
    return () => {
      audio.removeEventListener('error', onError);
      audio.removeEventListener('play', onPlay);
      audio.removeEventListener('loadedmetadata', onLoaded);
    };
  }, [audio, url, receivedAt]);

  const seek = (seconds: number) => {
    if (!audio) return;
    audio.currentTime = seconds;
    setTime(seconds);
    void audio.play().catch(() => {});
  };

  const otherOrigin = isOtherOrigin(url, window.location.origin);
  const failure = audioFailed ? t('audioError') : waveFailed ? t('waveformError') : null;

  return (
    <div class="player">
      <div class="player-main">
        {playable ? (
          <>
            <Waveform audio={audio} url={url} onError={() => setWaveFailed(true)} />
            <audio ref={setAudio} data-testid="audio-player" controls preload="auto" src={url} />
          </>
        ) : (
          <p class="muted" data-testid="pcm-note">
            {t('pcmNotPlayable')}
          </p>
        )}
        {failure && (
          <p class="error" role="alert" data-testid="player-error">
            {failure}
            {otherOrigin && ` ${t('otherOrigin', { media: new URL(url).origin, page: window.location.origin })}`}
          </p>
        )}
        <div class="downloads">
          <DownloadLink
            url={url}
            fileName={downloadName(url, format)}
            testId="download"
            freshUrl={async () => {
              const fresh = (await freshJob())?.JobResult?.MediaUrl;
              return fresh ? reachableUrl(fresh, window.location) : null;
            }}
          >
            ⤓ {t('download')}
          </DownloadLink>
          {(result.Subtitles ?? []).map((file) => {
            const fileUrl = reachableUrl(file.Url, window.location);
            return (
              <DownloadLink
                key={file.Format}
                url={fileUrl}
                fileName={downloadName(file.Object)}
                testId="subtitle-download"
                format={file.Format}
                freshUrl={async () => {
                  const fresh = (await freshJob())?.JobResult?.Subtitles?.find((item) => item.Format === file.Format)?.Url;
                  return fresh ? reachableUrl(fresh, window.location) : null;
                }}
              >
                ⤓ {file.Format.toUpperCase()}
              </DownloadLink>
            );
          })}
        </div>
      </div>
      {sentences.length > 0 && <Sentences sentences={sentences} current={playable ? currentSentenceIndex(sentences, time) : -1} onSeek={playable ? seek : undefined} />}
    </div>
  );
}
