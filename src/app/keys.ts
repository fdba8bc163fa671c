/**
 * Access keys come from two places: NARRATE_ACCESS_KEYS / --access-keys (kept in memory) and the
 * store (`narrate keys create`). Lookups try the configured ones first.
 */
import { randomBytes } from 'node:crypto';
import { ICE_ACTION_NAMES, WATCH_ACTION_NAME } from '../api/ice-actions/ice-actions.js';
import { SPEECH_PERMISSION } from '../api/openai/openai.routes.js';
import type { AccessKeyRecord, JobStore } from '../store/store.types.js';

/** Every permission a key can be given, by its lower-case form (RAM action names are case-insensitive). */
const KNOWN_PERMISSIONS = new Map(['*', 'ice:*', SPEECH_PERMISSION, ...[...ICE_ACTION_NAMES, WATCH_ACTION_NAME].map((name) => `ice:${name}`)].map((name) => [name.toLowerCase(), name]));

/**
 * The permissions of a new key from a comma-separated list. A misspelt name would make a key that
 * every request refuses, and an empty list a key that can do nothing: both are mistakes to report.
 */
export function parseAllowedActions(text: string): string[] {
  const names = text.split(',').map((name) => name.trim()).filter(Boolean);
  if (names.length === 0) throw new Error('--actions: give at least one action, or * for all');
  const unknown = names.filter((name) => !KNOWN_PERMISSIONS.has(name.toLowerCase()));
  if (unknown.length > 0) {
    throw new Error(`--actions: unknown action ${unknown.map((name) => `"${name}"`).join(', ')}; use *, ice:*, ice:<Action> (e.g. ice:SubmitAudioProduceJob) or ${SPEECH_PERMISSION}`);
  }
  // Stored as spelt here, so every check that compares names exactly agrees with this one.
  return names.map((name) => KNOWN_PERMISSIONS.get(name.toLowerCase())!);
}

export function parseAccessKeys(text: string | null, now: Date): AccessKeyRecord[] {
  if (!text) return [];
  return text
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const [id, secret] = pair.split(':') as [string, string];
      return { id, secret, allowedActions: ['*'], active: true, createdAt: now };
    });
}

export function createKeyring({ store, configured }: { store: Pick<JobStore, 'getAccessKey' | 'listAccessKeys' | 'useNonce'>; configured: AccessKeyRecord[] }) {
  const byId = new Map(configured.map((key) => [key.id, key]));
  return {
    async getAccessKey(id: string) {
      return byId.get(id) ?? store.getAccessKey(id);
    },
    useNonce: store.useNonce.bind(store),
    async listKeys(): Promise<AccessKeyRecord[]> {
      const stored = await store.listAccessKeys();
      return [...configured, ...stored.filter((key) => !byId.has(key.id))];
    },
  };
}

/** A new key pair in Alibaba's shape: a 24-character id starting LTAI-like, and a 30-character secret. */
export function newAccessKey({ allowedActions, now }: { allowedActions: string[]; now: Date }): AccessKeyRecord {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const pick = (length: number) => [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
  return { id: `NRT${pick(21)}`, secret: pick(30), allowedActions, active: true, createdAt: now };
}
