import { describe, expect, it } from 'vitest';
import { isAppError } from '../shared/errors.js';
import { contentTypeForKey, outputKey, validateBucketName, validateObjectKey } from './object-key.models.js';

function errorOf(fn: () => unknown): { code: string; param?: string; message: string } | null {
  try {
    fn();
    return null;
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { code: error.code, param: error.param, message: error.message };
  }
}

describe('validateObjectKey', () => {
  const good = [
    'a',
    'target_audio',
    'dir/name',
    'a/b/c/d.mp3',
    '语音/你好 世界',
    'naïve café/ü.wav',
    'emoji-🎵',
    'with space and (parens) + = & ; , @ $',
    '.hidden',
    'a..b',
    '...',
    'x'.repeat(255),
    `${'y'.repeat(255)}/`.repeat(3) + 'z'.repeat(255),
    '中'.repeat(85) + '/' + '中'.repeat(85),
  ];
  it.each(good)('accepts %j', (key) => {
    expect(errorOf(() => validateObjectKey(key))).toBeNull();
  });

  const bad: Array<[string, string, RegExp]> = [
    ['empty', '', /empty/],
    ['parent segment', '..', /"\." or "\.\."/],
    ['parent inside', 'a/../b', /"\." or "\.\."/],
    ['dot segment', 'a/./b', /"\." or "\.\."/],
    ['leading slash', '/abs', /start with "\/"/],
    ['trailing slash', 'dir/', /end with "\/"/],
    ['empty segment', 'a//b', /empty folder/],
    ['backslash', 'a\\b', /backslash/],
    ['NUL', 'a\u0000b', /control/],
    ['newline', 'a\nb', /control/],
    ['DEL', 'a\u007fb', /control/],
    ['C1 control', 'a\u0085b', /control/],
    ['lone surrogate', 'a\ud800b', /surrogate/],
    ['1024 bytes', 'a/'.repeat(511) + 'bb', /1024 bytes/],
    ['1024 bytes of CJK', '中'.repeat(341) + 'a', /1024 bytes/],
    ['256-byte segment', 'x'.repeat(256), /at most 255 bytes/],
  ];
  it.each(bad)('refuses %s', (_, key, reason) => {
    const error = errorOf(() => validateObjectKey(key));
    expect(error).toMatchObject({ code: 'InvalidParameter', param: 'OutputConfig.object' });
    expect(error?.message).toMatch(reason);
  });

  it('counts bytes, not characters: 1023 bytes pass', () => {
    expect(errorOf(() => validateObjectKey('a/'.repeat(511) + 'b'))).toBeNull();
    expect(Buffer.byteLength('中'.repeat(341))).toBe(1023);
    expect(errorOf(() => validateObjectKey('中'.repeat(85) + '/' + '中'.repeat(85) + '/' + '中'.repeat(85) + '/' + '中'.repeat(85)))).toBeNull();
  });
});

describe('outputKey (extension rule)', () => {
  const cases: Array<[string, string, string]> = [
    ['target_audio', 'MP3', 'target_audio.mp3'],
    ['dir/name', 'MP3', 'dir/name.mp3'],
    ['dir/name', 'wav', 'dir/name.wav'],
    ['raw', 'PCM', 'raw.pcm'],
    ['name.mp3', 'MP3', 'name.mp3'],
    ['name.MP3', 'MP3', 'name.MP3'],
    ['name.Wav', 'WAV', 'name.Wav'],
    ['name.wav', 'MP3', 'name.wav.mp3'],
    ['name.mp3x', 'MP3', 'name.mp3x.mp3'],
    ['namemp3', 'MP3', 'namemp3.mp3'],
    ['语音/你好', 'MP3', '语音/你好.mp3'],
  ];
  it.each(cases)('%j as %s → %j', (object, format, key) => {
    expect(outputKey({ object, format })).toBe(key);
  });

  it('counts the extension against the 1023-byte limit', () => {
    const object = 'a'.repeat(200) + '/' + 'b'.repeat(200) + '/' + 'c'.repeat(200) + '/' + 'd'.repeat(200) + '/' + 'e'.repeat(219);
    expect(Buffer.byteLength(object)).toBe(1023);
    expect(errorOf(() => validateObjectKey(object))).toBeNull();
    expect(errorOf(() => outputKey({ object, format: 'MP3' }))).toMatchObject({ param: 'OutputConfig.object' });
    expect(outputKey({ object: object.slice(0, -4) + '.mp3', format: 'MP3' })).toBe(object.slice(0, -4) + '.mp3');
  });

  it('refuses a bad object before adding anything', () => {
    expect(errorOf(() => outputKey({ object: '../x', format: 'MP3' }))).toMatchObject({ param: 'OutputConfig.object' });
    expect(errorOf(() => outputKey({ object: 'dir/', format: 'MP3' }))).toMatchObject({ param: 'OutputConfig.object' });
    expect(errorOf(() => outputKey({ object: 'x', format: 'mp3/../..' }))).toMatchObject({ param: 'EditingConfig.format' });
  });
});

describe('validateBucketName', () => {
  it.each(['abc', 'my-bucket', 'my_bucket', 'b1', 'bucket.with.dots', 'a'.repeat(63), '123'].filter((n) => n.length >= 3))('accepts %j', (name) => {
    expect(errorOf(() => validateBucketName(name))).toBeNull();
  });

  it.each([
    ['', /empty/],
    ['a'.repeat(64), /1 to 63/],
    ['MyBucket', /lower-case/],
    ['-bucket', /starting and ending/],
    ['bucket-', /starting and ending/],
    ['_bucket', /starting and ending/],
    ['.tmp', /starting and ending/],
    ['a/b', /lower-case/],
    ['buc ket', /lower-case/],
    ['a..b', /"\.\."/],
    ['192.168.1.1', /IP address/],
    ['../etc', /starting and ending/],
  ])('refuses %j', (name, reason) => {
    const error = errorOf(() => validateBucketName(name));
    expect(error).toMatchObject({ code: 'InvalidParameter', param: 'OutputConfig.bucket' });
    expect(error?.message).toMatch(reason);
  });
});

describe('contentTypeForKey', () => {
  it.each([
    ['a.mp3', 'audio/mpeg'],
    ['dir/A.MP3', 'audio/mpeg'],
    ['a.wav', 'audio/wav'],
    ['a.pcm', 'application/octet-stream'],
    ['a.srt', 'application/x-subrip'],
    ['noext', 'application/octet-stream'],
    ['dir.mp3/noext', 'application/octet-stream'],
    ['a.unknown', 'application/octet-stream'],
  ])('%s → %s', (key, type) => {
    expect(contentTypeForKey(key)).toBe(type);
  });
});
