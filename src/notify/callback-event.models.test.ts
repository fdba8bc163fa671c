import { describe, expect, it } from 'vitest';
import { buildCompletionEvent, createDeliveryForJob, DEFAULT_COMPLETION_EVENT_TYPE } from './callback-event.models.js';

const finished = {
  id: 'a'.repeat(32),
  mediaId: 'b'.repeat(32),
  state: 'Finished' as const,
  userData: '{"NotifyAddress":"https://cb.example.com/x","k":"v"}',
  errorCode: null,
  errorMessage: null,
};
const now = new Date('2024-05-06T07:08:09.123Z');

describe('buildCompletionEvent', () => {
  it('writes the exact envelope for a finished job', () => {
    const text = buildCompletionEvent({ job: finished, userId: 1833220977560000, now, mediaUrl: 'http://127.0.0.1:8080/buckets/b/dir/name.mp3' });
    expect(text).toBe(
      '{"EventType":"AudioProduceComplete","UserId":1833220977560000,"EventTime":"2024-05-06T07:08:09Z",' +
        '"MessageBody":{"JobId":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","JobType":"TextToSpeech","Status":"Finished",' +
        '"MediaId":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","MediaURL":"http://127.0.0.1:8080/buckets/b/dir/name.mp3",' +
        '"ErrorCode":"","ErrorMessage":"","UserData":"{\\"NotifyAddress\\":\\"https://cb.example.com/x\\",\\"k\\":\\"v\\"}"}}',
    );
    const parsed = JSON.parse(text);
    expect(parsed.MessageBody.UserData).toBe(finished.userData);
    expect(typeof parsed.UserId).toBe('number');
  });

  it('carries the error and no media URL for a failed job, and takes a configured event name', () => {
    const failed = { ...finished, state: 'Failed' as const, userData: null, errorCode: 'SynthesisFailed', errorMessage: 'engine "x" broke' };
    const parsed = JSON.parse(buildCompletionEvent({ job: failed, eventType: 'SmartJobComplete', userId: 7, now, mediaUrl: 'http://x/' }));
    expect(parsed).toEqual({
      EventType: 'SmartJobComplete',
      UserId: 7,
      EventTime: '2024-05-06T07:08:09Z',
      MessageBody: { JobId: finished.id, JobType: 'TextToSpeech', Status: 'Failed', MediaId: finished.mediaId, MediaURL: '', ErrorCode: 'SynthesisFailed', ErrorMessage: 'engine "x" broke', UserData: '' },
    });
  });

  it('keeps a UserId beyond 2^53 exact when given as a decimal string', () => {
    const text = buildCompletionEvent({ job: finished, userId: '12345678901234567890', now });
    expect(text).toContain('"UserId":12345678901234567890,');
    expect(() => buildCompletionEvent({ job: finished, userId: '12a', now })).toThrow(/UserId/);
  });

  it('refuses a job that has not ended', () => {
    expect(() => buildCompletionEvent({ job: { ...finished, state: 'Executing' }, userId: 1, now })).toThrow(/Executing/);
  });
});

describe('createDeliveryForJob', () => {
  it('makes an outbox row for the target, with a 32-hex id', () => {
    const delivery = createDeliveryForJob({ job: finished, target: { kind: 'queue', queue: 'ice-callback-q' }, userId: 1, now });
    expect(delivery).toMatchObject({ jobId: finished.id, kind: 'queue', target: 'ice-callback-q', createdAt: now });
    expect(delivery!.id).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse(delivery!.body).EventType).toBe(DEFAULT_COMPLETION_EVENT_TYPE);
    const other = createDeliveryForJob({ job: finished, target: { kind: 'http', url: 'https://h.example.com/' }, userId: 1, now });
    expect(other!.id).not.toBe(delivery!.id);
    expect(other!.target).toBe('https://h.example.com/');
  });
  it('makes none without a target', () => {
    expect(createDeliveryForJob({ job: finished, target: { kind: 'none' }, userId: 1, now })).toBeNull();
  });
});
