/**
 * The ICE job actions: SubmitAudioProduceJob, GetSmartHandleJob (alias GetSmartJobResult),
 * ListSmartJobs, DeleteSmartJob, GetMediaInfo. Each takes the merged request parameters and
 * returns the response body without RequestId (the protocol layer adds it).
 */
import { iceTime } from '../../shared/clock.js';
import type { JobRecord } from '../../store/store.types.js';
import type { ObjectStorage } from '../../storage/storage.types.js';
import type { JobService, SubmitParams } from '../../jobs/jobs.service.js';
import { getSmartHandleJobBody, listSmartJobsItem } from './job-format.js';
import { CONTENT_TYPES } from '../../audio/content-types.js';
import type { IceActionContext, IceActionHandler } from '../ice/ice.plugin.js';
import type { FastifyRequest } from 'fastify';

type IceAction = IceActionHandler;

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

  const actions: Record<string, IceAction> = {
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
      const job = await jobs.getByMediaId(params.MediaId);
      const result = job.result!;
      const url = await storage.objectUrl({ bucket: result.bucket, key: result.key, publicBaseUrl });
      const info = await storage.headObject({ bucket: result.bucket, key: result.key });
      const seconds = (result.durationMs / 1000).toFixed(6);
      const created = iceTime(job.createdAt);
      const modified = iceTime(job.modifiedAt);
      return {
        MediaInfo: {
          MediaId: job.mediaId,
          MediaBasicInfo: {
            MediaId: job.mediaId,
            InputURL: url,
            MediaType: 'audio',
            BusinessType: 'general',
            Source: storage.kind === 's3' ? 's3' : 'local',
            Title: job.title,
            Description: job.description ?? '',
            CreateTime: created,
            ModifiedTime: modified,
            // The object is written before the job is marked Finished, so the media is Normal at once.
            Status: info ? 'Normal' : 'Deleted',
            UserData: job.userData ?? '',
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
  };
  return actions;
}
