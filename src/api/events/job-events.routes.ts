/**
 * GET /events/job?JobId=...: a server-sent-events stream of one job's state and progress.
 * Signed like every ICE request (Action=WatchSmartJob; v1 query signatures work from a browser's
 * EventSource, which cannot send headers). Events: `state` {JobId, State, Progress} on every change,
 * then the stream ends after Finished or Failed.
 */
import type { FastifyInstance } from 'fastify';
import type { JobStore } from '../../store/store.types.js';
import { authorize, type IceIdentity } from '../ice/ice.auth.js';
import { guessIceFormat, parseIceRequest, type IceFormat, type ParsedIceRequest } from '../ice/ice.request.js';
import { formatIceError, newIceRequestId, publicError } from '../ice/ice.format.js';
import { errors } from '../../shared/errors.js';
import type { RateLimiter } from '../ice/ice.rate-limit.js';

const POLL_MS = 250;
const HEARTBEAT_MS = 15_000;

export function registerJobEventRoutes(
  app: FastifyInstance,
  {
    store,
    authenticator,
    livePercent,
    rateLimiter,
    limits,
  }: {
    store: Pick<JobStore, 'getJob'>;
    authenticator: { authenticate(parsed: ParsedIceRequest): Promise<IceIdentity> };
    livePercent?: (jobId: string) => number | undefined;
    /** The ICE endpoint's per-key limiter: opening a stream spends a token like any other request. */
    rateLimiter?: Pick<RateLimiter, 'consume'>;
    /**
     * Each open stream polls the store four times a second, so one key may hold only so many; and a
     * stream ends after streamMs even if its job has not (one that never runs would hold it for ever).
     */
    limits: { streamsPerKey: number; streamMs: number };
  },
) {
  const openStreams = new Map<string, number>();

  app.get('/events/job', async (request, reply) => {
    const requestId = newIceRequestId();
    let jobId: string;
    let keyId: string;
    // Errors answer in the Format asked for (XML with Format=XML), as on the ICE endpoint.
    let format: IceFormat | undefined;
    try {
      const parsed = parseIceRequest({ method: request.method, url: request.url, headers: request.headers, rawBody: undefined });
      format = parsed.format;
      if (parsed.action !== 'WatchSmartJob') throw errors.actionNotFound(parsed.action.slice(0, 64));
      const identity = await authenticator.authenticate(parsed);
      authorize({ action: parsed.action, allowedActions: identity.allowedActions });
      // Without this a key could open streams (each polling the store four times a second) as fast as
      // it can sign requests, past the limit every other route of the key is held to.
      rateLimiter?.consume(identity.keyId);
      keyId = identity.keyId;
      jobId = (parsed.params.JobId ?? '').toLowerCase();
      if (!jobId) throw errors.missingParameter('JobId');
      if (!/^[0-9a-f]{32}$/.test(jobId) || !(await store.getJob(jobId))) throw errors.jobNotFound(jobId.slice(0, 64));
      // Counted with no await between the check and the count, so concurrent opens cannot pass it together.
      if ((openStreams.get(keyId) ?? 0) >= limits.streamsPerKey) throw errors.tooManyStreams(limits.streamsPerKey);
      openStreams.set(keyId, (openStreams.get(keyId) ?? 0) + 1);
    } catch (error) {
      const response = formatIceError({
        error: publicError(error),
        requestId,
        hostId: request.hostname,
        format: format ?? guessIceFormat({ url: request.url, headers: request.headers }),
      });
      return reply.code(response.status).headers(response.headers).type(response.contentType).send(response.payload);
    }

    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    reply.hijack();
    let closed = false;
    request.raw.on('close', () => {
      closed = true;
    });
    try {
      await stream({ jobId, write: (text) => reply.raw.write(text), isClosed: () => closed });
    } finally {
      const left = (openStreams.get(keyId) ?? 1) - 1;
      if (left > 0) openStreams.set(keyId, left);
      else openStreams.delete(keyId);
      reply.raw.end();
    }
  });

  /** Writes the job's state whenever it changes, until the job ends, the client leaves or limits.streamMs passes. */
  async function stream({ jobId, write, isClosed }: { jobId: string; write: (text: string) => void; isClosed: () => boolean }) {
    const endsAt = Date.now() + limits.streamMs;
    let last = '';
    let lastWrite = Date.now();
    while (!isClosed()) {
      if (Date.now() >= endsAt) {
        write(`event: timeout\ndata: ${JSON.stringify({ JobId: jobId })}\n\n`);
        return;
      }
      const job = await store.getJob(jobId).catch(() => null);
      if (!job) {
        write(`event: error\ndata: ${JSON.stringify({ JobId: jobId, Code: 'JobNotFound' })}\n\n`);
        return;
      }
      const progress = job.state === 'Finished' ? 100 : job.state === 'Executing' ? (livePercent?.(jobId) ?? job.progress) : 0;
      const payload = JSON.stringify({ JobId: job.id, State: job.state, Progress: progress });
      if (payload !== last) {
        write(`event: state\ndata: ${payload}\n\n`);
        last = payload;
        lastWrite = Date.now();
      } else if (Date.now() - lastWrite > HEARTBEAT_MS) {
        write(': keep-alive\n\n');
        lastWrite = Date.now();
      }
      if (job.state === 'Finished' || job.state === 'Failed') return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
