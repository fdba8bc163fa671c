import { errors } from '../shared/errors.js';
import type { JobStore } from '../store/store.types.js';
import { authKeyProblem } from './callback-auth.models.js';
import { callbackUrlProblem, isCallbackQueueName, MAX_QUEUE_NAME_LENGTH } from './notify-target.models.js';
import type { EventCallbackSettings } from './notify.types.js';

/** The store setting that holds the account-wide callback, as JSON. */
export const EVENT_CALLBACK_SETTING_KEY = 'notify.eventCallback';
/** ICE: "The callback URL cannot exceed 256 bytes in length." */
export const MAX_CALLBACK_URL_BYTES = 256;
/** Guards the settings row against absurd lists; ICE has a few dozen event types. */
export const MAX_EVENT_TYPES = 100;

const EVENT_TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Reads the stored global callback; null when none was ever set (or it was cleared). */
export async function loadEventCallbackSettings(store: Pick<JobStore, 'getSetting'>): Promise<EventCallbackSettings | null> {
  const text = await store.getSetting(EVENT_CALLBACK_SETTING_KEY);
  if (text === null || text === '') return null;
  const parsed = JSON.parse(text) as EventCallbackSettings | { cleared: true };
  return 'cleared' in parsed ? null : parsed;
}

function nonEmpty(params: Record<string, string>, name: string): string | null {
  const value = params[name];
  return value === undefined || value === '' ? null : value;
}

/**
 * SetEventCallback: validates and stores the whole account-wide callback (it replaces the previous
 * one). CallbackType may be left out when exactly one of CallbackURL / CallbackQueueName is given;
 * with neither the callback is cleared. AuthSwitch=on without AuthKey keeps the stored key, so a
 * client can toggle auth without resending the secret. Returns the body without RequestId.
 */
export async function setEventCallback(
  store: Pick<JobStore, 'getSetting' | 'putSetting'>,
  params: Record<string, string>,
): Promise<{ Success: true }> {
  const typeParam = nonEmpty(params, 'CallbackType');
  const url = nonEmpty(params, 'CallbackURL');
  const queue = nonEmpty(params, 'CallbackQueueName');

  let callbackType: 'HTTP' | 'MNS' | null;
  if (typeParam === null) callbackType = url !== null ? 'HTTP' : queue !== null ? 'MNS' : null;
  else if (typeParam.toUpperCase() === 'HTTP' || typeParam.toUpperCase() === 'MNS') callbackType = typeParam.toUpperCase() as 'HTTP' | 'MNS';
  else throw errors.invalidParameter('CallbackType', 'it must be HTTP or MNS.');

  if (callbackType === null) {
    // Kept as a marker row rather than deleted: the store port has no deleteSetting.
    await store.putSetting(EVENT_CALLBACK_SETTING_KEY, JSON.stringify({ cleared: true }));
    return { Success: true };
  }

  if (callbackType === 'HTTP') {
    if (url === null) throw errors.missingParameter('CallbackURL');
    if (Buffer.byteLength(url, 'utf8') > MAX_CALLBACK_URL_BYTES) throw errors.invalidParameter('CallbackURL', `it may have at most ${MAX_CALLBACK_URL_BYTES} bytes.`);
    const problem = callbackUrlProblem(url, MAX_CALLBACK_URL_BYTES);
    if (problem !== null) throw errors.invalidParameter('CallbackURL', problem);
  } else {
    if (queue === null) throw errors.missingParameter('CallbackQueueName');
    if (!isCallbackQueueName(queue)) {
      throw errors.invalidParameter('CallbackQueueName', `it must be "ice-callback-" followed by letters, digits and hyphens, at most ${MAX_QUEUE_NAME_LENGTH} characters in all.`);
    }
  }

  const eventTypes = parseEventTypeList(params.EventTypeList);

  const switchParam = nonEmpty(params, 'AuthSwitch');
  if (switchParam !== null && switchParam !== 'on' && switchParam !== 'off') throw errors.invalidParameter('AuthSwitch', 'it must be on or off.');
  const previous = await loadEventCallbackSettings(store);
  let authKey = nonEmpty(params, 'AuthKey');
  if (authKey !== null) {
    const problem = authKeyProblem(authKey);
    if (problem !== null) throw errors.invalidParameter('AuthKey', problem);
  } else {
    authKey = previous?.authKey ?? null;
  }
  const authSwitch = switchParam === 'on';
  if (authSwitch && authKey === null) throw errors.missingParameter('AuthKey');

  const settings: EventCallbackSettings = {
    callbackType,
    callbackUrl: callbackType === 'HTTP' ? url : null,
    callbackQueueName: callbackType === 'MNS' ? queue : null,
    eventTypes,
    authSwitch,
    authKey,
  };
  await store.putSetting(EVENT_CALLBACK_SETTING_KEY, JSON.stringify(settings));
  return { Success: true };
}

function parseEventTypeList(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  for (const name of names) {
    if (!EVENT_TYPE_PATTERN.test(name)) throw errors.invalidParameter('EventTypeList', `"${name}" is not an event type name (letters, digits and underscores, starting with a letter).`);
  }
  if (names.length > MAX_EVENT_TYPES) throw errors.invalidParameter('EventTypeList', `it may name at most ${MAX_EVENT_TYPES} event types.`);
  return [...new Set(names)];
}

/** The GetEventCallback body (without RequestId), shaped as ICE's SDK model. */
export interface GetEventCallbackBody {
  CallbackType?: 'HTTP' | 'MNS';
  CallbackURL?: string;
  CallbackQueueName?: string;
  EventTypeList?: string;
  /** ICE returns the auth fields only for HTTP callbacks. */
  AuthSwitch?: 'on' | 'off';
  AuthKey?: string;
}

/** GetEventCallback: the stored callback; an empty body when none is set. */
export async function getEventCallback(store: Pick<JobStore, 'getSetting'>): Promise<GetEventCallbackBody> {
  const settings = await loadEventCallbackSettings(store);
  if (settings === null) return {};
  const body: GetEventCallbackBody = { CallbackType: settings.callbackType };
  if (settings.callbackUrl !== null) body.CallbackURL = settings.callbackUrl;
  if (settings.callbackQueueName !== null) body.CallbackQueueName = settings.callbackQueueName;
  body.EventTypeList = settings.eventTypes.join(',');
  if (settings.callbackType === 'HTTP') {
    body.AuthSwitch = settings.authSwitch ? 'on' : 'off';
    if (settings.authKey !== null) body.AuthKey = settings.authKey;
  }
  return body;
}
