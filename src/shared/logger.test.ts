import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from './logger.js';

describe('redactUrl', () => {
  it('hides the values of signature-like query parameters and keeps everything else', () => {
    expect(redactUrl('/buckets/b/a.mp3?Expires=1700000000&Signature=abc_DEF-123')).toBe('/buckets/b/a.mp3?Expires=1700000000&Signature=***');
    expect(redactUrl('/?Action=GetSmartHandleJob&JobId=1&AccessKeyId=k&Signature=x%2By%3D&SignatureNonce=n')).toBe(
      '/?Action=GetSmartHandleJob&JobId=1&AccessKeyId=k&Signature=***&SignatureNonce=***',
    );
    expect(redactUrl('/b/k?X-Amz-Credential=AKIA%2F2024&X-Amz-Signature=f00&X-Amz-Security-Token=t')).toBe('/b/k?X-Amz-Credential=***&X-Amz-Signature=***&X-Amz-Security-Token=***');
  });

  it('hides a value that is itself a signed URL', () => {
    const media = encodeURIComponent('http://127.0.0.1:8080/buckets/b/a.mp3?Expires=1796088544&Signature=1KztJ6abc');
    expect(redactUrl(`/?Action=GetMediaInfo&InputURL=${media}&AuthTimeout=60`)).toBe('/?Action=GetMediaInfo&InputURL=***&AuthTimeout=60');
  });

  it("hides SetEventCallback's AuthKey and a token inside a callback URL", () => {
    const callback = encodeURIComponent('https://example.com/cb?token=t0k');
    expect(redactUrl(`/?Action=SetEventCallback&CallbackURL=${callback}&AuthSwitch=on&AuthKey=k3y`)).toBe('/?Action=SetEventCallback&CallbackURL=***&AuthSwitch=on&AuthKey=***');
  });

  it('leaves a URL without secrets as it is, malformed escapes included', () => {
    for (const url of ['/healthz', '/?Action=ListSmartJobs&PageSize=10', '/?%E0%A4%A=1&Title=%zz']) expect(redactUrl(url)).toBe(url);
  });
});

describe('createLogger', () => {
  it('masks secret fields that are set and leaves unset ones null', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    logger.info({ config: { databaseUrl: 'postgres://narrate:hunter2@db/narrate', accessKeySecret: null } }, 'started');
    logger.info({ config: { databaseUrl: null } }, 'started');
    const [set, unset] = lines.map((line) => JSON.parse(line) as { config: Record<string, unknown> });
    expect(set.config).toEqual({ databaseUrl: '***', accessKeySecret: null });
    expect(lines[0]).not.toContain('hunter2');
    expect(unset.config.databaseUrl).toBeNull();
  });
});
