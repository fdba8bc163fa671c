/**
 * The ICE job actions: SubmitAudioProduceJob, GetSmartHandleJob (alias GetSmartJobResult),
 * ListSmartJobs, DeleteSmartJob, GetMediaInfo. Each takes the merged request parameters and
 * returns the response body without RequestId (the protocol layer adds it).
 */
import { iceTime } from '../../shared/clock.js';
import { errors } from '../../shared/errors.js';
import type { JobRecord } from '../../store/store.types.js';
import type { ObjectStorage } from '../../storage/storage.types.js';
import type { JobService, SubmitParams } from '../../jobs/jobs.service.js';
import { getSmartHandleJobBody, listSmartJobsItem } from './job-format.js';
import { CONTENT_TYPES } from '../../audio/content-types.js';
import type { IceActionContext, IceActionHandler } from '../ice/ice.plugin.js';
import type { FastifyRequest } from 'fastify';
import { parseWholeNumber } from '../../jobs/whole-number.models.js';

type IceAction = IceActionHandler;

/** ICE media asset statuses for a job that has no file (yet). */
const MEDIA_STATUS: Record<JobRecord['state'], string> = { Created: 'Init', Executing: 'Preparing', Failed: 'PrepareFail', Finished: 'Normal' };

/** Longest signed-URL lifetime a client may ask for with AuthTimeout: 7 days, S3's own limit. */
const MAX_URL_SECONDS = 7 * 24 * 3600;

/** GetMediaInfo's AuthTimeout: the signed URLs' lifetime in seconds, or the server's default. */
function urlLifetime(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const seconds = parseWholeNumber(value);
  if (seconds === null || seconds < 1 || seconds > MAX_URL_SECONDS) {
    throw errors.invalidParameter('AuthTimeout', `it must be a whole number of seconds from 1 to ${MAX_URL_SECONDS}.`);
  }
  return seconds;
}

export function createJobActions({
  jobs,
  storage,
  publicBaseUrlOf,
  livePercent,
}: {
  jobs: JobService;
  storage: ObjectStorage;
  /** The base URL clients reach this server at (for local bucket URLs). */
  publicBaseUrlOf: (request: FastifyRequest) => string;
  /** Live progress of a job this process is rendering (single-process mode), fresher than the store's. */
  livePercent?: (job: JobRecord) => number | undefined;
}) {
  async function mediaUrlOf(job: JobRecord, publicBaseUrl: string): Promise<string | null> {
    if (job.state !== 'Finished' || !job.result) return null;
    return storage.objectUrl({ bucket: job.result.bucket, key: job.result.key, publicBaseUrl });
  }

  const getJob: IceAction = async ({ params, request }) => {
    const publicBaseUrl = publicBaseUrlOf(request);
    const job = await jobs.get(params.JobId);
    const live = livePercent?.(job);
    const result = job.state === 'Finished' ? job.result : null;
    const sidecars = await Promise.all(
      (result?.extraKeys ?? []).map(async (key) => ({
        Format: key.slice(key.lastIndexOf('.') + 1),
        Object: key,
        Url: await storage.objectUrl({ bucket: result!.bucket, key, publicBaseUrl }),
      })),
    );
    const body = getSmartHandleJobBody(job.state === 'Executing' && live !== undefined ? { ...job, progress: live } : job, await mediaUrlOf(job, publicBaseUrl), sidecars);
    return body;
  };

  const actions = {
    SubmitAudioProduceJob: Object.assign(
      async ({ params, keyId, nonce }: IceActionContext) => {
        const job = await jobs.submit({ params: params as SubmitParams, ownerKeyId: keyId, nonce });
        return { JobId: job.id, MediaId: job.mediaId, State: job.state };
      },
      // The job row and the nonce commit together: one fsync per submit, and a replay is refused
      // by the same transaction that would have created its job.
      { recordsNonce: true },
    ),
    GetSmartHandleJob: getJob,
    // Decision (reference §0): the doc page title is accepted as an alias of the real action name.
    GetSmartJobResult: getJob,
    ListSmartJobs: async ({ params }) => {
      const page = await jobs.list({
        state: params.JobState,
        jobType: params.JobType,
        sortBy: params.SortBy,
        pageNo: params.PageNo,
        pageSize: params.PageSize,
        nextToken: params.NextToken,
        maxResults: params.MaxResults,
      });
      return {
        SmartJobList: page.jobs.map(listSmartJobsItem),
        NextToken: page.nextToken ?? '',
        MaxResults: String(page.pageSize),
        TotalCount: String(page.total),
      };
    },
    DeleteSmartJob: async ({ params }) => {
      await jobs.delete(params.JobId);
      return {};
    },
    GetMediaInfo: async ({ params, request }) => {
      const publicBaseUrl = publicBaseUrlOf(request);
      // InputURL only when MediaId is empty (reference §3.3).
      const job = !params.MediaId && params.InputURL ? await jobs.getByMediaUrl(params.InputURL) : await jobs.getByMediaId(params.MediaId);
      const ttlSeconds = urlLifetime(params.AuthTimeout);
      const created = iceTime(job.createdAt);
      const modified = iceTime(job.modifiedAt);
      const result = job.state === 'Finished' ? job.result : null;
      const basicInfo = {
        MediaId: job.mediaId,
        MediaType: 'audio',
        BusinessType: 'general',
        Source: storage.kind === 's3' ? 's3' : 'local',
        Title: job.title,
        Description: job.description ?? '',
        CreateTime: created,
        ModifiedTime: modified,
        UserData: job.userData ?? '',
      };
      if (!result) {
        // Not produced yet (or never will be): the asset exists with no file, as ICE's media
        // statuses say, so a client polling for Normal keeps polling or stops at PrepareFail.
        return { MediaInfo: { MediaId: job.mediaId, MediaBasicInfo: { ...basicInfo, InputURL: '', Status: MEDIA_STATUS[job.state] }, FileInfoList: [] } };
      }
      const url = await storage.objectUrl({ bucket: result.bucket, key: result.key, publicBaseUrl, ttlSeconds });
      const info = await storage.headObject({ bucket: result.bucket, key: result.key });
      const seconds = (result.durationMs / 1000).toFixed(6);
      return {
        MediaInfo: {
          MediaId: job.mediaId,
          MediaBasicInfo: {
            ...basicInfo,
            InputURL: url,
            // The object is written before the job is marked Finished, so the media is Normal at once.
            Status: info ? 'Normal' : 'Deleted',
          },
          FileInfoList: [
            {
              FileBasicInfo: {
                FileName: result.key.split('/').pop(),
                FileUrl: url,
                FileSize: String(info?.bytes ?? result.bytes),
                FileStatus: info ? 'Normal' : 'Deleted',
                FileType: 'source_file',
                FormatName: result.format,
                Duration: seconds,
                Bitrate: result.durationMs > 0 ? String(Math.round((result.bytes * 8) / (result.durationMs / 1000) / 1000)) : '0',
                CreateTime: created,
                ModifiedTime: modified,
              },
              AudioStreamInfoList: [
                {
                  Index: '0',
                  CodecName: result.format === 'mp3' ? 'mp3' : 'pcm_s16le',
                  CodecLongName: result.format === 'mp3' ? 'MP3 (MPEG audio layer 3)' : 'PCM signed 16-bit little-endian',
                  SampleRate: String(result.sampleRate),
                  Channels: '1',
                  ChannelLayout: 'mono',
                  Duration: seconds,
                  ContentType: CONTENT_TYPES[result.format],
                },
              ],
            },
          ],
        },
      };
    },
  } satisfies Record<string, IceAction>;
  return actions;
}
