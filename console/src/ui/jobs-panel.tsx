/**
 * The job list. It polls ListSmartJobs (every second while a job on the page is unfinished, every
 * few seconds otherwise, and never while the tab is hidden), so states change without a reload.
 * While the pointer is over the rows or the focus is on one, rows only change state in place: a
 * new job arriving would otherwise move the row being clicked, or remove the focused one.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { IceClient } from '../api/ice-client.js';
import { isFinal, JOB_STATES, type JobState, type ListSmartJobsResponse, type SmartJobListItem } from '../api/ice-types.js';
import { previewText, updateInPlace } from '../models/job-list.js';
import { useI18n } from './i18n-context.js';
import { errorText, isUnreachable } from './error-text.js';

const PAGE_SIZE = 10;
const FAST_MS = 1000;
const SLOW_MS = 3000;

function voiceOf(editingConfig: string): string {
  try {
    return String((JSON.parse(editingConfig) as { voice?: unknown }).voice ?? '');
  } catch {
    return '';
  }
}

export function JobsPanel({ client, selectedJobId, onSelect, refreshToken }: { client: IceClient; selectedJobId: string | null; onSelect: (jobId: string) => void; refreshToken: number }) {
  const { t, locale } = useI18n();
  // The polling below outlives a change of language: it reads the current one.
  const translate = useRef(t);
  translate.current = t;
  const [filter, setFilter] = useState<JobState | ''>('');
  const [page, setPage] = useState(1);
  const [jobs, setJobs] = useState<SmartJobListItem[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [unreachable, setUnreachable] = useState(false);
  const timer = useRef<number | undefined>(undefined);
  const list = useRef<HTMLUListElement | null>(null);
  // Whether the pointer is over the rows; the page held back meanwhile, shown when it leaves.
  const pointerIn = useRef(false);
  // A list that goes away (no rows) sends no pointerleave.
  const attachList = useCallback((element: HTMLUListElement | null) => {
    list.current = element;
    if (!element) pointerIn.current = false;
  }, []);
  const held = useRef<SmartJobListItem[] | null>(null);
  const holding = () => pointerIn.current || (list.current?.contains(document.activeElement) ?? false);
  const release = () => {
    if (holding() || !held.current) return;
    setJobs(held.current);
    held.current = null;
  };

  // A job was just submitted: it is the newest, so show the first page, unfiltered, where it appears.
  useEffect(() => {
    setPage(1);
    setFilter('');
  }, [refreshToken]);

  useEffect(() => {
    let stopped = false;
    // The first answer for this page and filter is always shown: the user asked for it.
    let first = true;
    held.current = null;
    async function load() {
      window.clearTimeout(timer.current);
      let delay = SLOW_MS;
      if (document.visibilityState !== 'hidden') {
        try {
          const params: Record<string, string> = { PageNo: String(page), PageSize: String(PAGE_SIZE), SortBy: 'CreationTime:Desc' };
          if (filter) params.JobState = filter;
          const response = await client.call<ListSmartJobsResponse>('ListSmartJobs', params);
          if (stopped) return;
          const fresh = response.SmartJobList;
          if (!first && holding()) {
            held.current = fresh;
            setJobs((shown) => (shown ? updateInPlace(shown, fresh) : fresh));
          } else {
            held.current = null;
            setJobs(fresh);
          }
          first = false;
          setTotal(Number(response.TotalCount) || 0);
          setError(null);
          if (fresh.some((job) => !isFinal(job.JobState))) delay = FAST_MS;
        } catch (caught) {
          if (stopped) return;
          setError(errorText(caught, translate.current));
          setUnreachable(isUnreachable(caught));
        }
      }
      if (!stopped) timer.current = window.setTimeout(load, delay);
    }
    const onVisible = () => document.visibilityState === 'visible' && void load();
    document.addEventListener('visibilitychange', onVisible);
    void load();
    return () => {
      stopped = true;
      window.clearTimeout(timer.current);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [client, filter, page, refreshToken]);

  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const time = (text: string) => new Date(text).toLocaleString(locale === 'zh' ? 'zh-CN' : 'en', { dateStyle: 'short', timeStyle: 'medium' });

  return (
    <section class="card jobs" aria-labelledby="jobs-title">
      <div class="card-head">
        <h2 id="jobs-title">{t('jobsTitle')}</h2>
        {/* Red while the list cannot be fetched: "live" would be a false promise then. */}
        <span class={`live muted${error ? ' offline' : ''}`} data-testid="live">
          <span class="dot" aria-hidden="true" /> {error ? (unreachable ? t('offline') : t('notUpdating')) : t('live')}
        </span>
      </div>
      <div class="filters" role="group" aria-label={t('jobsTitle')}>
        {(['', ...JOB_STATES] as const).map((state) => (
          <button
            type="button"
            key={state || 'all'}
            class="chip"
            aria-pressed={filter === state ? 'true' : 'false'}
            data-testid="state-filter"
            data-state={state || 'All'}
            onClick={() => {
              setFilter(state);
              setPage(1);
            }}
          >
            {state ? t(state) : t('filterAll')}
          </button>
        ))}
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {jobs === null && <p class="muted">{t('loading')}</p>}
      {jobs !== null && jobs.length === 0 && <p class="muted">{t('noJobs')}</p>}
      {jobs !== null && jobs.length > 0 && (
        <ul
          class="job-list"
          ref={attachList}
          onPointerEnter={() => {
            pointerIn.current = true;
          }}
          onPointerLeave={() => {
            pointerIn.current = false;
            release();
          }}
          // Once the focus has settled: during focusout, document.activeElement is still <body>.
          onFocusOut={() => window.setTimeout(release)}
        >
          {jobs.map((job) => (
            <li key={job.JobId}>
              <button
                type="button"
                class="job-row"
                data-testid="job-row"
                data-job-id={job.JobId}
                data-state={job.JobState}
                aria-current={job.JobId === selectedJobId ? 'true' : undefined}
                onClick={() => onSelect(job.JobId)}
              >
                <span class="job-title">{job.Title || t('untitled')}</span>
                <span class={`state state-${job.JobState}`}>{t(job.JobState)}</span>
                <span class="job-meta muted">
                  {voiceOf(job.EditingConfig)} · {time(job.CreateTime)}
                </span>
                <span class="job-text muted">{previewText(job.InputConfig.InputFile)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <nav class="pager" aria-label={t('page', { page, pages })}>
        <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)} data-testid="page-previous">
          {t('previous')}
        </button>
        <span class="muted" data-testid="page-label">
          {t('page', { page, pages })}
        </span>
        <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)} data-testid="page-next">
          {t('next')}
        </button>
      </nav>
    </section>
  );
}
