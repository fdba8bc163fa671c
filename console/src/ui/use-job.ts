/**
 * One job kept up to date: GetSmartHandleJob, then its server-sent events while it runs, falling
 * back to polling whenever the stream fails. `refresh` fetches it again on demand (a fresh signed
 * MediaUrl once the old one has expired).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { IceClient } from '../api/ice-client.js';
import { isFinal, type JobState, type SmartHandleJob } from '../api/ice-types.js';
import { useI18n } from './i18n-context.js';
import { errorText } from './error-text.js';

const POLL_MS = 1000;

export function useJob(client: IceClient, jobId: string | null) {
  const [job, setJob] = useState<SmartHandleJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresher = useRef<() => Promise<SmartHandleJob | null>>(async () => null);
  const { t } = useI18n();
  // The polling below outlives a change of language: it reads the current one.
  const translate = useRef(t);
  translate.current = t;

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
        if (!stopped) {
          setJob(found);
          // An earlier failure (the server was restarting) no longer applies once it answers.
          setError(null);
        }
        return found;
      } catch (caught) {
        if (!stopped) setError(errorText(caught, translate.current));
        return null;
      }
    };
    // Until the job is final: a failed fetch (503 while the server shuts down, a network drop) is retried.
    const poll = async () => {
      window.clearTimeout(timer);
      const found = await fetchJob();
      if (!stopped && (!found || !isFinal(found.State))) timer = window.setTimeout(poll, POLL_MS);
    };
    const watch = async () => {
      const found = await fetchJob();
      if (stopped || (found && isFinal(found.State))) return;
      if (!found) return void poll();
      source = new EventSource(await client.jobEventsUrl(jobId));
      source.addEventListener('state', (event) => {
        const data = JSON.parse((event as MessageEvent<string>).data) as { State: JobState; Progress: number };
        if (isFinal(data.State)) {
          source?.close();
          // The stream only says it ended; the result (MediaUrl, error) comes from GetSmartHandleJob, retried until it answers.
          void poll();
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
    refresher.current = fetchJob;
    void watch();
    return () => {
      stopped = true;
      source?.close();
      window.clearTimeout(timer);
      refresher.current = async () => null;
    };
  }, [client, jobId]);
  return { job, error, refresh: () => refresher.current() };
}
