import { describe, expect, it } from 'vitest';
import { objectsForKey, parseMediaUrl } from './media-url.models.js';

describe('parseMediaUrl', () => {
  it('reads the bucket and key of every accepted form, each segment decoded once', () => {
    expect(parseMediaUrl('oss://my-bucket/tts/hello.mp3')).toEqual({ bucket: 'my-bucket', key: 'tts/hello.mp3' });
    expect(parseMediaUrl('https://my-bucket.oss-cn-shanghai.aliyuncs.com/tts/hello.mp3?Expires=1&Signature=x')).toEqual({ bucket: 'my-bucket', key: 'tts/hello.mp3' });
    expect(parseMediaUrl('http://127.0.0.1:8080/buckets/b/dir/%2561%20x.wav?Expires=1&Signature=s')).toEqual({ bucket: 'b', key: 'dir/%61 x.wav' });
    expect(parseMediaUrl('https://tts.example.com/narrate/buckets/b/x.mp3?Expires=1&Signature=s')).toEqual({ bucket: 'b', key: 'x.mp3' });
    expect(parseMediaUrl('http://s3.local:9000/b/dir/name.mp3?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=f')).toEqual({ bucket: 'b', key: 'dir/name.mp3' });
  });

  it('refuses what names no object of ours or would leave the bucket', () => {
    for (const input of [
      'not a url',
      'ftp://b/k.mp3',
      'https://example.com/some/page',
      'http://host/buckets/b/../x.mp3',
      'http://host/buckets/b/a%2f..%2fx.mp3',
      'oss://b/',
      'http://host/buckets/B_A_D/k.mp3',
      'http://host/buckets/b/%zz.mp3',
    ]) {
      expect(parseMediaUrl(input), input).toBeNull();
    }
  });
});

describe('objectsForKey', () => {
  it('gives the object with and without the audio extension the service appends', () => {
    expect(objectsForKey('dir/name.mp3')).toEqual(['dir/name', 'dir/name.mp3']);
    expect(objectsForKey('name.WAV')).toEqual(['name', 'name.WAV']);
    expect(objectsForKey('name.txt')).toEqual(['name.txt']);
  });
});
