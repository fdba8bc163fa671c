/**
 * The job use cases: submit (validate everything, then persist), read, list, delete.
 * Wire formats live in api/; this speaks the internal model only.
 */
import type { Clock } from '../shared/clock.js';
import { iceTime } from '../shared/clock.js';
import { errors } from '../shared/errors.js';
import type { Ids } from '../shared/ids.js';
import type { JobRecord, JobState, JobStore, ListJobsPage, NonceUse } from '../store/store.types.js';
import { outputKey, validateBucketName } from '../storage/object-key.models.js';
import type { SpeechCheck } from '../speech/speech.types.js';
import { normalisedEditingConfig, parseEditingConfig, parseJsonObject, type EditingConfig } from './editing-config.models.js';
import { LIMITS, utf8Bytes } from './submit-limits.models.js';
import { objectsForKey, parseMediaUrl } from './media-url.models.js';
import { wholeNumberParam } from './whole-number.models.js';

export interface SpeechPlanner {
  check(args: { inputText: string; editing: EditingConfig }): SpeechCheck;
}

export interface SubmitParams {
  EditingConfig?: string;
  InputConfig?: string;
  OutputConfig?: string;
  Title?: string;
  Description?: string;
  UserData?: string;
  Overwrite?: string;
}

const JOB_STATES: readonly JobState[] = ['Created', 'Executing', 'Finished', 'Failed'];

function required(params: Record<string, string | undefined>, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') throw errors.missingParameter(name);
  return value;
}

function parseOverwrite(value: string | undefined): boolean {
  // Decision: Overwrite defaults to true, as a plain OSS PUT replaces an existing object.
  if (value === undefined || value === '') return true;
  const text = value.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw errors.invalidParameter('Overwrite', 'it must be true or false.');
}

export function createJobService({
  store,
  speech,
  ids,
  clock,
  validateNotifyAddress,
}: {
  store: JobStore;
  speech: SpeechPlanner;
  ids: Ids;
  clock: Clock;
  /** Throws when UserData.NotifyAddress is neither an http(s) URL nor a queue name. */
  validateNotifyAddress: (value: unknown) => void;
}) {
  /** Everything a submit is checked for, without writing anything; returns the job to create. */
  function validateSubmit(params: SubmitParams) {
    const editingText = required(params as Record<string, string | undefined>, 'EditingConfig');
    const inputText = required(params as Record<string, string | undefined>, 'InputConfig');
    const outputText = required(params as Record<string, string | undefined>, 'OutputConfig');

    const editing = parseEditingConfig(editingText);
    const output = parseJsonObject(outputText, 'OutputConfig');
    for (const key of Object.keys(output)) {
      if (key !== 'bucket' && key !== 'object') throw errors.invalidParameter(`OutputConfig.${key}`, 'unknown key; OutputConfig takes bucket and object.');
    }
    if (typeof output.bucket !== 'string' || output.bucket === '') throw errors.invalidParameter('OutputConfig.bucket', 'it must be a bucket name.');
    if (typeof output.object !== 'string' || output.object === '') throw errors.invalidParameter('OutputConfig.object', 'it must be an object key.');
    validateBucketName(output.bucket);

    const title = params.Title;
    if (title !== undefined && utf8Bytes(title) > LIMITS.titleBytes) throw errors.invalidParameter('Title', `it is ${utf8Bytes(title)} bytes; at most ${LIMITS.titleBytes} are allowed.`);
    const description = params.Description;
    if (description !== undefined && utf8Bytes(description) > LIMITS.descriptionBytes) {
      throw errors.invalidParameter('Description', `it is ${utf8Bytes(description)} bytes; at most ${LIMITS.descriptionBytes} are allowed.`);
    }
    const userData = params.UserData === undefined || params.UserData === '' ? null : params.UserData;
    if (userData !== null) {
      if (utf8Bytes(userData) > LIMITS.userDataBytes) throw errors.invalidParameter('UserData', `it is ${utf8Bytes(userData)} bytes; at most ${LIMITS.userDataBytes} are allowed.`);
      const parsed = parseJsonObject(userData, 'UserData');
      if (parsed.NotifyAddress !== undefined) validateNotifyAddress(parsed.NotifyAddress);
    }
    const overwrite = parseOverwrite(params.Overwrite);

    // Checks voice, SSML and length; <speak> attributes may change voice and format.
    const speechSettings = speech.check({ inputText, editing });
    const format = speechSettings.format;
    outputKey({ object: output.object, format });
    const normalised: EditingConfig = {
      ...editing,
      voice: editing.customizedVoice ? editing.voice : speechSettings.voice.name,
      format: format.toUpperCase() as EditingConfig['format'],
      sample_rate: speechSettings.sampleRate,
      volume: speechSettings.volume,
      speech_rate: speechSettings.speechRate,
      pitch_rate: speechSettings.pitchRate,
    };
    return { inputText, editing: normalised, bucket: output.bucket, object: output.object, title, description, userData, overwrite };
  }

  return {
    /** `nonce`: the signed request's nonce, recorded with the job (refused as SignatureNonceUsed if already used). */
    async submit({ params, ownerKeyId, nonce }: { params: SubmitParams; ownerKeyId: string; nonce?: NonceUse }): Promise<JobRecord> {
      const checked = validateSubmit(params);
      const now = clock();
      return store.createJob({
        id: ids.hex32(),
        mediaId: ids.hex32(),
        ownerKeyId,
        title: checked.title === undefined || checked.title === '' ? `default_title_${iceTime(now)}` : checked.title,
        description: checked.description ?? null,
        userData: checked.userData,
        inputText: checked.inputText,
        editingConfig: normalisedEditingConfig(checked.editing),
        outputBucket: checked.bucket,
        outputObject: checked.object,
        overwrite: checked.overwrite,
        createdAt: now,
      }, { nonce });
    },

    async get(jobId: string | undefined): Promise<JobRecord> {
      if (jobId === undefined || jobId === '') throw errors.missingParameter('JobId');
      if (!/^[0-9a-f]{32}$/i.test(jobId)) throw errors.jobNotFound(jobId.slice(0, 64));
      const job = await store.getJob(jobId.toLowerCase());
      if (!job) throw errors.jobNotFound(jobId);
      return job;
    },

    /**
     * The job that produces (or produced) a MediaId, in any state: the MediaId is known from the
     * moment SubmitAudioProduceJob returns it, and clients poll GetMediaInfo until it is Normal.
     */
    async getByMediaId(mediaId: string | undefined): Promise<JobRecord> {
      if (mediaId === undefined || mediaId === '') throw errors.missingParameter('MediaId');
      const job = /^[0-9a-f]{32}$/i.test(mediaId) ? await store.getJobByMediaId(mediaId.toLowerCase()) : null;
      if (!job) throw errors.mediaNotFound(mediaId.slice(0, 64));
      return job;
    },

    /** The finished job whose output a media URL (GetMediaInfo's InputURL) points at. */
    async getByMediaUrl(inputUrl: string): Promise<JobRecord> {
      const location = parseMediaUrl(inputUrl);
      if (!location) {
        throw errors.invalidParameter('InputURL', 'it must be oss://bucket/key, an OSS URL, or a MediaUrl this service gave out.');
      }
      // One object name may have been written in several formats (name → name.mp3 and name.wav):
      // the newest job whose file is this key.
      const candidates = await store.findFinishedJobsByOutput({ bucket: location.bucket, objects: objectsForKey(location.key), limit: 20 });
      const job = candidates.find((candidate) => candidate.result?.key === location.key);
      if (!job) throw errors.mediaNotFound(inputUrl.slice(0, 64));
      return job;
    },

    async list(query: {
      state?: string;
      jobType?: string;
      sortBy?: string;
      pageNo?: string;
      pageSize?: string;
      nextToken?: string;
      maxResults?: string;
    }): Promise<ListJobsPage & { pageSize: number }> {
      if (query.state !== undefined && query.state !== '' && !JOB_STATES.includes(query.state as JobState)) {
        throw errors.invalidParameter('JobState', `it must be one of ${JOB_STATES.join(', ')}.`);
      }
      if (query.jobType !== undefined && query.jobType !== '' && !['TextToSpeech', 'ASR', 'DynamicChart', 'VideoTranslation', 'TextGenerate'].includes(query.jobType)) {
        throw errors.invalidParameter('JobType', 'it must be TextToSpeech, ASR, DynamicChart, VideoTranslation or TextGenerate.');
      }
      let order: 'asc' | 'desc' = 'desc';
      if (query.sortBy !== undefined && query.sortBy !== '') {
        if (query.sortBy === 'CreationTime:Asc') order = 'asc';
        else if (query.sortBy !== 'CreationTime:Desc') throw errors.invalidParameter('SortBy', 'it must be CreationTime:Asc or CreationTime:Desc.');
      }
      const tokenPaging = (query.nextToken !== undefined && query.nextToken !== '') || (query.maxResults !== undefined && query.maxResults !== '');
      const pageSize = tokenPaging
        ? wholeNumberParam('MaxResults', query.maxResults, { fallback: 10, min: 1, max: 100 })
        : wholeNumberParam('PageSize', query.pageSize, { fallback: 10, min: 1, max: 100 });
      const pageNo = wholeNumberParam('PageNo', query.pageNo, { fallback: 1, min: 1, max: 1_000_000 });
      const page = await store.listJobs({
        state: (query.state || undefined) as JobState | undefined,
        jobType: query.jobType || undefined,
        order,
        limit: pageSize,
        offset: tokenPaging ? undefined : (pageNo - 1) * pageSize,
        afterToken: tokenPaging ? query.nextToken || undefined : undefined,
      });
      return { ...page, pageSize };
    },

    /**
     * Deletes every listed job, or none: an id that is not a job id is InvalidParameter, one that
     * names no job is JobNotFound (reference §6.3), and either way nothing is deleted.
     */
    async delete(jobIds: string | undefined): Promise<number> {
      if (jobIds === undefined || jobIds === '') throw errors.missingParameter('JobId');
      const list = jobIds.split(',').map((id) => id.trim()).filter(Boolean);
      if (list.length === 0) throw errors.missingParameter('JobId');
      if (list.length > LIMITS.deleteIds) throw errors.invalidParameter('JobId', `at most ${LIMITS.deleteIds} ids at once.`);
      const malformed = list.find((id) => !/^[0-9a-f]{32}$/i.test(id));
      if (malformed !== undefined) throw errors.invalidParameter('JobId', `"${malformed.slice(0, 64)}" is not a job id (32 hexadecimal digits).`);
      const ids = [...new Set(list.map((id) => id.toLowerCase()))];
      const found = await Promise.all(ids.map((id) => store.getJob(id)));
      const missing = ids.find((_id, index) => found[index] === null);
      if (missing !== undefined) throw errors.jobNotFound(missing);
      // Deleting a job does not delete its audio (reference §3.2 suggests so; the object is the client's).
      return store.deleteJobs(ids);
    },
  };
}

export type JobService = ReturnType<typeof createJobService>;
