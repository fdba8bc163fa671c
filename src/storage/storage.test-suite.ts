/**
 * The contract every ObjectStorage passes, run by local.storage.test.ts and s3.storage.test.ts
 * against real backends (a directory; an S3-compatible server on loopback).
 */
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../shared/errors.js';
import { ObjectExistsError, type ObjectStorage } from './storage.types.js';

export interface StorageHarness {
  storage: ObjectStorage;
  /** A bucket that exists (or is created on demand) and starts empty. */
  bucket: string;
  /** Writes bytes to a fresh source file the storage may take (for local: under its temp dir). */
  writeSource(bytes: Buffer | string): Promise<string>;
  /**
   * true when overwrite=false is atomic on this backend (of N concurrent writers exactly one wins);
   * false for the documented HEAD-then-PUT fallback, where only "nothing torn, loser sees ObjectExistsError
   * if it looked late" can be promised.
   */
  atomicCreate: boolean;
  /**
   * true when the server itself never shows a half-written object (real S3, MinIO, Ceph, local disk).
   * s3rver writes object files in place, so two concurrent PUTs of one key can leave mixed bytes there.
   */
  atomicWrites: boolean;
  /** true when objectUrl returns something plain fetch() can read right now (presigned S3 URL). */
  urlsAreFetchable: boolean;
  close(): Promise<void>;
}

export async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

export function runStorageContract(name: string, make: () => Promise<StorageHarness>): void {
  describe(`ObjectStorage contract: ${name}`, () => {
    let h: StorageHarness;
    let n = 0;
    /** A key of its own for each test, so tests do not see each other's objects. */
    const fresh = (suffix = 'mp3') => `contract/t${++n}-${Math.random().toString(36).slice(2, 8)}.${suffix}`;

    async function put(args: { key: string; bytes: Buffer | string; overwrite: boolean; contentType?: string }) {
      return h.storage.putObject({
        bucket: h.bucket,
        key: args.key,
        sourcePath: await h.writeSource(args.bytes),
        contentType: args.contentType ?? 'audio/mpeg',
        overwrite: args.overwrite,
      });
    }

    async function read(key: string, range?: { start: number; end?: number }): Promise<Buffer | null> {
      const got = await h.storage.getObject({ bucket: h.bucket, key, range });
      return got === null ? null : readAll(got.body);
    }

    beforeAll(async () => {
      h = await make();
    });
    afterAll(async () => {
      await h?.close();
    });

    it('returns the same bytes it was given, with size and type', async () => {
      const key = fresh();
      const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) & 255));
      const info = await put({ key, bytes, overwrite: false });
      expect(info).toMatchObject({ bucket: h.bucket, key, bytes: bytes.length, contentType: 'audio/mpeg' });
      expect(await read(key)).toEqual(bytes);
      const head = await h.storage.headObject({ bucket: h.bucket, key });
      expect(head).toMatchObject({ bucket: h.bucket, key, bytes: bytes.length, contentType: 'audio/mpeg' });
      expect(head?.modifiedAt).toBeInstanceOf(Date);
      const got = await h.storage.getObject({ bucket: h.bucket, key });
      expect(got?.info).toMatchObject({ bytes: bytes.length, contentType: 'audio/mpeg' });
      got?.body.destroy();
    });

    it('keeps the type given for a WAV and stores an empty object', async () => {
      const key = fresh('wav');
      await put({ key, bytes: Buffer.alloc(0), overwrite: false, contentType: 'audio/wav' });
      expect(await h.storage.headObject({ bucket: h.bucket, key })).toMatchObject({ bytes: 0, contentType: 'audio/wav' });
      expect(await read(key)).toEqual(Buffer.alloc(0));
    });

    it('round-trips nested and non-ASCII keys', async () => {
      const key = `contract/目录/naïve name (1)+x=y&z/语音 ${++n}.mp3`;
      await put({ key, bytes: '你好', overwrite: false });
      expect((await read(key))?.toString()).toBe('你好');
    });

    it('refuses overwrite=false on an existing key and leaves the old bytes alone', async () => {
      const key = fresh();
      await put({ key, bytes: 'old', overwrite: false });
      await expect(put({ key, bytes: 'new!', overwrite: false })).rejects.toBeInstanceOf(ObjectExistsError);
      expect((await read(key))?.toString()).toBe('old');
      expect(await h.storage.headObject({ bucket: h.bucket, key })).toMatchObject({ bytes: 3 });
    });

    it('replaces the object with overwrite=true', async () => {
      const key = fresh();
      await put({ key, bytes: 'first version', overwrite: true });
      await put({ key, bytes: 'v2', overwrite: true });
      expect((await read(key))?.toString()).toBe('v2');
      expect(await h.storage.headObject({ bucket: h.bucket, key })).toMatchObject({ bytes: 2 });
    });

    it('lets concurrent overwrite=false writers of one key never tear the object', async () => {
      const key = fresh();
      const writers = Array.from({ length: 6 }, (_, i) => Buffer.alloc(20_000 + i, 65 + i));
      const results = await Promise.allSettled(writers.map((bytes) => put({ key, bytes, overwrite: false })));
      const winners = writers.filter((_, i) => results[i].status === 'fulfilled');
      for (const result of results) {
        if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ObjectExistsError);
      }
      const stored = await read(key);
      if (h.atomicCreate) {
        expect(winners).toHaveLength(1);
        expect(stored).toEqual(winners[0]);
      } else {
        // HEAD-then-PUT: more than one may "win" (later PUT replaces earlier), and losers see ObjectExistsError.
        expect(winners.length).toBeGreaterThanOrEqual(1);
        if (h.atomicWrites) expect(winners.some((w) => w.equals(stored as Buffer))).toBe(true);
      }
      // Once the dust settles the key is taken.
      await expect(put({ key, bytes: 'late', overwrite: false })).rejects.toBeInstanceOf(ObjectExistsError);
    });

    it('reads byte ranges with an inclusive end', async () => {
      const key = fresh();
      await put({ key, bytes: '0123456789', overwrite: false });
      expect((await read(key, { start: 2, end: 5 }))?.toString()).toBe('2345');
      expect((await read(key, { start: 7 }))?.toString()).toBe('789');
      expect((await read(key, { start: 0, end: 0 }))?.toString()).toBe('0');
      expect((await read(key, { start: 8, end: 100 }))?.toString()).toBe('89');
      const got = await h.storage.getObject({ bucket: h.bucket, key, range: { start: 3, end: 4 } });
      expect(got?.info.bytes).toBe(10);
      got?.body.destroy();
    });

    it('refuses a range that starts past the end', async () => {
      const key = fresh();
      await put({ key, bytes: 'abc', overwrite: false });
      const error = await h.storage.getObject({ bucket: h.bucket, key, range: { start: 3 } }).catch((e: unknown) => e);
      expect(isAppError(error) && error.code).toBe('InvalidRange');
    });

    it('answers null for a missing object or bucket', async () => {
      const key = fresh();
      expect(await h.storage.headObject({ bucket: h.bucket, key })).toBeNull();
      expect(await h.storage.getObject({ bucket: h.bucket, key })).toBeNull();
      expect(await h.storage.headObject({ bucket: 'no-such-bucket-here', key })).toBeNull();
      expect(await h.storage.getObject({ bucket: 'no-such-bucket-here', key })).toBeNull();
    });

    it('deletes, and deleting a missing object is fine', async () => {
      const key = fresh();
      await put({ key, bytes: 'bye', overwrite: false });
      await h.storage.deleteObject({ bucket: h.bucket, key });
      expect(await h.storage.headObject({ bucket: h.bucket, key })).toBeNull();
      expect(await h.storage.getObject({ bucket: h.bucket, key })).toBeNull();
      await h.storage.deleteObject({ bucket: h.bucket, key });
      // A deleted key can be created again with overwrite=false.
      await put({ key, bytes: 'again', overwrite: false });
      expect((await read(key))?.toString()).toBe('again');
    });

    it('refuses keys that could leave the bucket, and bad bucket names', async () => {
      for (const key of ['../escape.mp3', 'a/../../b.mp3', '/abs.mp3', 'a\\b.mp3', 'a//b.mp3']) {
        const error = await put({ key, bytes: 'x', overwrite: true }).catch((e: unknown) => e);
        expect(isAppError(error) && error.code, key).toBe('InvalidParameter');
        await expect(h.storage.getObject({ bucket: h.bucket, key })).rejects.toThrow(/OutputConfig\.object/);
      }
      await expect(h.storage.headObject({ bucket: '../etc', key: 'passwd' })).rejects.toThrow(/OutputConfig\.bucket/);
    });

    it('gives a URL for the object', async () => {
      const key = `contract/url dir/ä ${++n}.mp3`;
      await put({ key, bytes: 'url bytes', overwrite: false });
      const url = await h.storage.objectUrl({ bucket: h.bucket, key, publicBaseUrl: 'http://127.0.0.1:1/base/' });
      expect(() => new URL(url)).not.toThrow();
      if (h.urlsAreFetchable) {
        const response = await fetch(url);
        expect(response.status).toBe(200);
        expect(await response.text()).toBe('url bytes');
      } else {
        expect(url).toBe(`http://127.0.0.1:1/base/buckets/${h.bucket}/contract/url%20dir/%C3%A4%20${n}.mp3`);
      }
    });

    it('answers ping', async () => {
      await expect(h.storage.ping()).resolves.toBeUndefined();
    });
  });
}
