/**
 * Access keys come from two places: NARRATE_ACCESS_KEYS / --access-keys (kept in memory) and the
 * store (`narrate keys create`). Lookups try the configured ones first.
 */
import { randomBytes } from 'node:crypto';
import type { AccessKeyRecord, JobStore } from '../store/store.types.js';

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
