import { describe, expect, it } from 'vitest';
import { isAppError } from '../shared/errors.js';
import { isCallbackQueueName, notifyTargetOf, validateNotifyAddress, validateUserDataNotifyAddress } from './notify-target.models.js';
import type { EventCallbackSettings } from './notify.types.js';

const globalHttp: EventCallbackSettings = {
  callbackType: 'HTTP',
  callbackUrl: 'https://global.example.com/cb',
  callbackQueueName: null,
  eventTypes: [],
  authSwitch: false,
  authKey: null,
};

function errorOf(fn: () => void): { code: string; param?: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (isAppError(error)) return { code: error.code, param: error.param, message: error.message };
    throw error;
  }
  throw new Error('expected an error');
}

describe('notifyTargetOf', () => {
  const eventType = 'AudioProduceComplete';

  it('sends to the per-job http(s) URL, which wins over the global callback', () => {
    expect(notifyTargetOf({ userData: '{"NotifyAddress":"https://job.example.com/x?a=1"}', globalSettings: globalHttp, eventType })).toEqual({
      kind: 'http',
      url: 'https://job.example.com/x?a=1',
    });
    expect(notifyTargetOf({ userData: '{"NotifyAddress":"http://job.example.com/"}', globalSettings: null, eventType })).toEqual({ kind: 'http', url: 'http://job.example.com/' });
  });

  it('sends to the per-job queue name', () => {
    expect(notifyTargetOf({ userData: '{"NotifyAddress":"ice-callback-demo","x":1}', globalSettings: globalHttp, eventType })).toEqual({ kind: 'queue', queue: 'ice-callback-demo' });
  });

  it('falls back to the global callback when the job names none', () => {
    for (const userData of [null, '', '{}', '{"NotifyAddress":""}', 'not json', '[1]']) {
      expect(notifyTargetOf({ userData, globalSettings: globalHttp, eventType })).toEqual({ kind: 'http', url: 'https://global.example.com/cb' });
    }
  });

  it('uses the global callback only for subscribed event types', () => {
    const subscribed = { ...globalHttp, eventTypes: ['ProduceMediaComplete', eventType] };
    const other = { ...globalHttp, eventTypes: ['ProduceMediaComplete'] };
    expect(notifyTargetOf({ userData: null, globalSettings: subscribed, eventType })).toEqual({ kind: 'http', url: 'https://global.example.com/cb' });
    expect(notifyTargetOf({ userData: null, globalSettings: other, eventType })).toEqual({ kind: 'none' });
  });

  it('uses a global MNS-style queue', () => {
    const mns: EventCallbackSettings = { ...globalHttp, callbackType: 'MNS', callbackUrl: null, callbackQueueName: 'ice-callback-all' };
    expect(notifyTargetOf({ userData: null, globalSettings: mns, eventType })).toEqual({ kind: 'queue', queue: 'ice-callback-all' });
  });

  it('has no target without either', () => {
    expect(notifyTargetOf({ userData: '{"a":1}', globalSettings: null, eventType })).toEqual({ kind: 'none' });
  });
});

describe('validateNotifyAddress', () => {
  it('accepts http(s) URLs and ice-callback- queue names', () => {
    for (const value of ['https://a.example.com/cb', 'http://10.0.0.1:8080/x?y=1', 'HTTPS://A.EXAMPLE.COM/', 'ice-callback-demo', 'ice-callback-A-1', `ice-callback-${'a'.repeat(107)}`]) {
      expect(() => validateNotifyAddress(value), value).not.toThrow();
    }
  });

  it('refuses everything else with InvalidParameter on UserData.NotifyAddress', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['ftp://a.example.com/', /neither/],
      ['mailto:a@example.com', /neither/],
      ['https://user:pw@a.example.com/', /user name or password/],
      ['http://', /neither/],
      ['http://[::1', /neither/],
      ['http:x', /neither/],
      [' https://a.example.com/', /neither/],
      ['https://a.example.com/ ', /white space/],
      [`https://a.example.com/${'x'.repeat(2048)}`, /2048/],
      ['ice-callback-', /queue name/],
      ['ice-callback-under_score', /queue name/],
      [`ice-callback-${'a'.repeat(108)}`, /120/],
      ['my-queue', /neither/],
      [42, /string/],
    ];
    for (const [value, message] of cases) {
      const error = errorOf(() => validateNotifyAddress(value));
      expect(error.code, String(value)).toBe('InvalidParameter');
      expect(error.param).toBe('UserData.NotifyAddress');
      expect(error.message).toMatch(message);
    }
  });

  it('checks the NotifyAddress inside a UserData text, and nothing when there is none', () => {
    expect(() => validateUserDataNotifyAddress('{"NotifyAddress":"ice-callback-x"}')).not.toThrow();
    expect(() => validateUserDataNotifyAddress('{"other":1}')).not.toThrow();
    expect(() => validateUserDataNotifyAddress(null)).not.toThrow();
    expect(errorOf(() => validateUserDataNotifyAddress('{"NotifyAddress":"queue-1"}')).param).toBe('UserData.NotifyAddress');
    expect(errorOf(() => validateUserDataNotifyAddress('{"NotifyAddress":{"url":"x"}}')).param).toBe('UserData.NotifyAddress');
  });

  it('queue names: prefix, then letters, digits and hyphens, at most 120 chars', () => {
    expect(isCallbackQueueName('ice-callback-q')).toBe(true);
    expect(isCallbackQueueName('ice-callbackq')).toBe(false);
    expect(isCallbackQueueName('Ice-callback-q')).toBe(false);
    expect(isCallbackQueueName('ice-callback-q.1')).toBe(false);
    expect(isCallbackQueueName('ice-callback-' + 'q'.repeat(107))).toBe(true);
    expect(isCallbackQueueName('ice-callback-' + 'q'.repeat(108))).toBe(false);
  });
});
