import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalStorage, type LocalStorage } from './local.storage.js';
import { readAll, runStorageContract } from './storage.test-suite.js';
import { ObjectExistsError } from './storage.types.js';

runStorageContract('local', async () => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'narrate-local-storage-'));
  const storage = createLocalStorage({ root: path.join(dataDir, 'buckets') });
  return {
    storage,
    bucket: 'contract-bucket',
    atomicCreate: true,
    atomicWrites: true,
    urlsAreFetchable: false,
    async writeSource(bytes) {
      const file = storage.tempPath();
      await fs.writeFile(file, bytes);
      return file;
    },
    close: () => fs.rm(dataDir, { recursive: true, force: true }),
  };
});

describe('local storage on disk', () => {
  let dataDir: string;
  let outside: string;
  let storage: LocalStorage;
  const source = async (bytes: string) => {
    const file = storage.tempPath();
    await fs.writeFile(file, bytes);
    return file;
  };

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'narrate-local-disk-'));
    outside = await fs.mkdtemp(path.join(os.tmpdir(), 'narrate-outside-'));
    storage = createLocalStorage({ root: path.join(dataDir, 'buckets') });
  });
  afterAll(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
    await fs.rm(outside, { recursive: true, force: true });
  });

  it('puts {bucket:"b", object:"dir/name"} as MP3 at <data-dir>/buckets/b/dir/name.mp3 and leaves no temp file', async () => {
    await storage.putObject({ bucket: 'my_bucket', key: 'dir/name.mp3', sourcePath: await source('ID3'), contentType: 'audio/mpeg', overwrite: false });
    expect(await fs.readFile(path.join(dataDir, 'buckets', 'my_bucket', 'dir', 'name.mp3'), 'utf8')).toBe('ID3');
    expect(await fs.readdir(path.join(dataDir, 'buckets', '.tmp'))).toEqual([]);
  });

  it('drops the source file when the key already exists', async () => {
    await storage.putObject({ bucket: 'bkt', key: 'dup.wav', sourcePath: await source('one'), contentType: 'audio/wav', overwrite: false });
    const second = await source('two');
    await expect(storage.putObject({ bucket: 'bkt', key: 'dup.wav', sourcePath: second, contentType: 'audio/wav', overwrite: false })).rejects.toBeInstanceOf(
      ObjectExistsError,
    );
    await expect(fs.access(second)).rejects.toThrow();
  });

  it('accepts a source file outside the storage root', async () => {
    const file = path.join(outside, 'elsewhere.bin');
    await fs.writeFile(file, 'from elsewhere');
    await storage.putObject({ bucket: 'bkt', key: 'elsewhere.pcm', sourcePath: file, contentType: 'application/octet-stream', overwrite: true });
    const got = await storage.getObject({ bucket: 'bkt', key: 'elsewhere.pcm' });
    expect((await readAll(got!.body)).toString()).toBe('from elsewhere');
    expect(got!.info.contentType).toBe('application/octet-stream');
  });

  it('a read that started before a replace still returns the whole old object', async () => {
    const old = 'o'.repeat(300_000);
    await storage.putObject({ bucket: 'bkt', key: 'swap.mp3', sourcePath: await source(old), contentType: 'audio/mpeg', overwrite: true });
    const reading = await storage.getObject({ bucket: 'bkt', key: 'swap.mp3' });
    await storage.putObject({ bucket: 'bkt', key: 'swap.mp3', sourcePath: await source('new'), contentType: 'audio/mpeg', overwrite: true });
    expect((await readAll(reading!.body)).toString()).toBe(old);
    const now = await storage.getObject({ bucket: 'bkt', key: 'swap.mp3' });
    expect((await readAll(now!.body)).toString()).toBe('new');
  });

  it('does not follow a symlinked folder out of the bucket, for writes or reads', async () => {
    await fs.mkdir(path.join(dataDir, 'buckets', 'bkt'), { recursive: true });
    await fs.writeFile(path.join(outside, 'secret.mp3'), 'secret');
    await fs.symlink(outside, path.join(dataDir, 'buckets', 'bkt', 'link'));
    await expect(
      storage.putObject({ bucket: 'bkt', key: 'link/sub/x.mp3', sourcePath: await source('x'), contentType: 'audio/mpeg', overwrite: true }),
    ).rejects.toThrow(/outside its bucket/);
    await expect(fs.access(path.join(outside, 'sub'))).rejects.toThrow();
    await expect(storage.getObject({ bucket: 'bkt', key: 'link/secret.mp3' })).rejects.toThrow(/outside its bucket/);
    await expect(storage.headObject({ bucket: 'bkt', key: 'link/secret.mp3' })).rejects.toThrow(/outside its bucket/);
    await expect(storage.deleteObject({ bucket: 'bkt', key: 'link/secret.mp3' })).rejects.toThrow(/outside its bucket/);
    expect(await fs.readFile(path.join(outside, 'secret.mp3'), 'utf8')).toBe('secret');
  });

  it('does not read through a symlinked file that points out of the bucket', async () => {
    await fs.writeFile(path.join(outside, 'passwd.mp3'), 'root:x');
    await fs.symlink(path.join(outside, 'passwd.mp3'), path.join(dataDir, 'buckets', 'bkt', 'evil.mp3'));
    await expect(storage.getObject({ bucket: 'bkt', key: 'evil.mp3' })).rejects.toThrow(/outside its bucket/);
  });

  it('refuses a bucket that is a symlink', async () => {
    await fs.symlink(outside, path.join(dataDir, 'buckets', 'linked-bucket'));
    await expect(
      storage.putObject({ bucket: 'linked-bucket', key: 'x.mp3', sourcePath: await source('x'), contentType: 'audio/mpeg', overwrite: true }),
    ).rejects.toThrow(/outside its bucket/);
    await expect(fs.access(path.join(outside, 'x.mp3'))).rejects.toThrow();
  });

  it('builds object URLs under publicBaseUrl/buckets with each segment encoded', async () => {
    expect(await storage.objectUrl({ bucket: 'b-1', key: 'dir/a b#?.mp3', publicBaseUrl: 'https://tts.example.com/' })).toBe(
      'https://tts.example.com/buckets/b-1/dir/a%20b%23%3F.mp3',
    );
    expect(await storage.objectUrl({ bucket: 'b-1', key: '中/文.wav', publicBaseUrl: 'http://127.0.0.1:8080' })).toBe(
      'http://127.0.0.1:8080/buckets/b-1/%E4%B8%AD/%E6%96%87.wav',
    );
  });
});
