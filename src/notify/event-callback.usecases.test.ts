import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../shared/errors.js';
import type { JobStore } from '../store/store.types.js';
import { getEventCallback, loadEventCallbackSettings, setEventCallback } from './event-callback.usecases.js';
import { createTestStore } from './notify.test-utils.js';

let store: JobStore;
afterEach(async () => {
  await store?.close();
});

async function rejection(promise: Promise<unknown>): Promise<{ code: string; param?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return { code: error.code, param: error.param, message: error.message };
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('SetEventCallback / GetEventCallback', () => {
  it('stores an HTTP callback with auth and returns it', async () => {
    store = createTestStore();
    expect(await getEventCallback(store)).toEqual({});
    const body = await setEventCallback(store, {
      CallbackType: 'HTTP',
      CallbackURL: 'https://hooks.example.com/ice',
      EventTypeList: 'ProduceMediaComplete, AudioProduceComplete,ProduceMediaComplete',
      AuthSwitch: 'on',
      AuthKey: 'TestKey001',
    });
    expect(body).toEqual({ Success: true });
    expect(await getEventCallback(store)).toEqual({
      CallbackType: 'HTTP',
      CallbackURL: 'https://hooks.example.com/ice',
      EventTypeList: 'ProduceMediaComplete,AudioProduceComplete',
      AuthSwitch: 'on',
      AuthKey: 'TestKey001',
    });
  });

  it('stores an MNS-style queue callback, inferring the type, without auth fields in the answer', async () => {
    store = createTestStore();
    await setEventCallback(store, { CallbackQueueName: 'ice-callback-events' });
    expect(await getEventCallback(store)).toEqual({ CallbackType: 'MNS', CallbackQueueName: 'ice-callback-events', EventTypeList: '' });
    expect(await loadEventCallbackSettings(store)).toMatchObject({ callbackType: 'MNS', eventTypes: [], authSwitch: false });
  });

  it('keeps the stored AuthKey when AuthSwitch=on comes without one, and clears with no target', async () => {
    store = createTestStore();
    await setEventCallback(store, { CallbackURL: 'https://a.example.com/', AuthSwitch: 'on', AuthKey: 'Secret123' });
    await setEventCallback(store, { CallbackURL: 'https://b.example.com/', AuthSwitch: 'on' });
    expect(await getEventCallback(store)).toMatchObject({ CallbackURL: 'https://b.example.com/', AuthSwitch: 'on', AuthKey: 'Secret123' });
    await setEventCallback(store, {});
    expect(await getEventCallback(store)).toEqual({});
    expect(await loadEventCallbackSettings(store)).toBeNull();
  });

  it('refuses bad input, naming the field', async () => {
    store = createTestStore();
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ CallbackType: 'SMS', CallbackURL: 'https://a.example.com/' }, 'InvalidParameter', 'CallbackType'],
      [{ CallbackType: 'HTTP' }, 'MissingCallbackURL', 'CallbackURL'],
      [{ CallbackType: 'MNS' }, 'MissingCallbackQueueName', 'CallbackQueueName'],
      [{ CallbackURL: `https://a.example.com/${'x'.repeat(240)}` }, 'InvalidParameter', 'CallbackURL'],
      [{ CallbackURL: 'ftp://a.example.com/' }, 'InvalidParameter', 'CallbackURL'],
      [{ CallbackURL: 'https://u:p@a.example.com/' }, 'InvalidParameter', 'CallbackURL'],
      [{ CallbackType: 'MNS', CallbackQueueName: 'events' }, 'InvalidParameter', 'CallbackQueueName'],
      [{ CallbackURL: 'https://a.example.com/', EventTypeList: 'Produce Media' }, 'InvalidParameter', 'EventTypeList'],
      [{ CallbackURL: 'https://a.example.com/', AuthSwitch: 'yes' }, 'InvalidParameter', 'AuthSwitch'],
      [{ CallbackURL: 'https://a.example.com/', AuthSwitch: 'on' }, 'MissingAuthKey', 'AuthKey'],
      [{ CallbackURL: 'https://a.example.com/', AuthSwitch: 'on', AuthKey: 'alllowercase1' }, 'InvalidParameter', 'AuthKey'],
      [{ CallbackURL: 'https://a.example.com/', AuthKey: 'Aa1'.repeat(11) }, 'InvalidParameter', 'AuthKey'],
    ];
    for (const [params, code, param] of cases) {
      const error = await rejection(setEventCallback(store, params));
      expect({ code: error.code, param: error.param }, JSON.stringify(params)).toEqual({ code, param });
    }
    // Nothing was stored by the refused calls.
    expect(await getEventCallback(store)).toEqual({});
  });

  it('accepts a 256-byte URL (the ICE limit) and not one byte more', async () => {
    store = createTestStore();
    const base = 'https://a.example.com/';
    await setEventCallback(store, { CallbackURL: base + 'x'.repeat(256 - base.length) });
    const error = await rejection(setEventCallback(store, { CallbackURL: base + 'é'.repeat((256 - base.length) / 2) + 'x' }));
    expect(error.message).toMatch(/256 bytes/);
  });
});
