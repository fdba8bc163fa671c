import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.js';

describe('parseConfig', () => {
  it('reads an empty variable as unset, so it never switches a boolean on', () => {
    const config = parseConfig({ env: { NARRATE_ALLOW_ANONYMOUS: '', NARRATE_CALLBACK_ALLOW_PRIVATE: ' ', NARRATE_S3_FORCE_PATH_STYLE: '', NARRATE_PORT: '' } });
    expect(config.allowAnonymous).toBe(false);
    expect(config.callbackAllowPrivate).toBe(false);
    expect(config.s3ForcePathStyle).toBe(false);
    expect(config.port).toBe(8080);
  });

  it('takes the usual spellings of true and false', () => {
    for (const yes of ['1', 'true', 'YES', 'on']) expect(parseConfig({ env: { NARRATE_ALLOW_ANONYMOUS: yes } }).allowAnonymous).toBe(true);
    for (const no of ['0', 'false', 'No', 'off']) expect(parseConfig({ env: { NARRATE_ALLOW_ANONYMOUS: no } }).allowAnonymous).toBe(false);
    expect(() => parseConfig({ env: { NARRATE_ALLOW_ANONYMOUS: 'maybe' } })).toThrow(/--allow-anonymous \/ NARRATE_ALLOW_ANONYMOUS: expected true or false/);
  });

  it('takes plain decimal numbers only', () => {
    expect(parseConfig({ env: { NARRATE_PORT: '9000', NARRATE_RATE_LIMIT: '2.5' } })).toMatchObject({ port: 9000, rateLimit: 2.5 });
    expect(parseConfig({ flags: { rateLimit: '.5' } }).rateLimit).toBe(0.5);
    for (const bad of ['0x20', '1e3', '12abc', '- 1']) {
      expect(() => parseConfig({ env: { NARRATE_PORT: bad } }), bad).toThrow(ConfigError);
    }
    expect(() => parseConfig({ env: { NARRATE_RATE_LIMIT: '1e3' } })).toThrow(/expected a number, got "1e3"/);
    expect(() => parseConfig({ env: { NARRATE_CONCURRENCY: '2.5' } })).toThrow(/expected a whole number, got "2.5"/);
    expect(() => parseConfig({ env: { NARRATE_PORT: '70000' } })).toThrow(/70000 is outside 0…65535/);
  });

  it('lets a flag win over the variable, and the variable over the default', () => {
    expect(parseConfig({ env: { NARRATE_PORT: '9000' }, flags: { port: '9001' } }).port).toBe(9001);
    expect(parseConfig({ env: { NARRATE_PORT: '9000' } }).port).toBe(9000);
  });

  it('with a scope, reads only that command\'s options: a bad worker variable does not stop keys list', () => {
    const env = { NARRATE_CALLBACK_MODE: 'foo', NARRATE_DATABASE_SCHEMA: 'jobs2' };
    expect(() => parseConfig({ env })).toThrow(/NARRATE_CALLBACK_MODE/);
    const keys = parseConfig({ env, scope: 'keys' });
    expect(keys.databaseSchema).toBe('jobs2');
    expect(keys.callbackMode).toBe('backoff');
    expect(() => parseConfig({ env, scope: 'worker' })).toThrow(/"foo" is not one of backoff, ice/);
  });
});

describe('parseConfig scopes', () => {
  it('lets a worker choose where its metrics listen, and an api process size its engines (it speaks /v1/audio/speech)', () => {
    expect(parseConfig({ env: { NARRATE_HOST: '0.0.0.0' }, scope: 'worker' }).host).toBe('0.0.0.0');
    expect(parseConfig({ env: { NARRATE_ENGINE_THREADS: '3', NARRATE_ESPEAK_THREADS: '2' }, scope: 'api' })).toMatchObject({ engineThreads: 3, espeakThreads: 2 });
  });

  it('lets a worker read NARRATE_PORT, so its callbacks name the api port of a shared env file, not 8080', () => {
    expect(parseConfig({ env: { NARRATE_PORT: '9000' }, scope: 'worker' }).port).toBe(9000);
  });

  it('refuses an explicitly empty flag', () => {
    expect(() => parseConfig({ flags: { port: '' } })).toThrow(/--port: expected a value, got ""/);
  });
});

describe('--public-url', () => {
  it('takes an absolute http(s) URL, with or without a path', () => {
    for (const url of ['https://narrate.example.com', 'http://10.0.0.5:8080', 'https://example.com/narrate/']) {
      expect(parseConfig({ env: { NARRATE_PUBLIC_URL: url } }).publicUrl).toBe(url);
    }
  });

  it('refuses at start what every MediaUrl would then fail on (jobs would never finish)', () => {
    expect(() => parseConfig({ flags: { publicUrl: 'example.com' } })).toThrow(/--public-url \/ NARRATE_PUBLIC_URL: "example.com" is not an absolute URL/);
    expect(() => parseConfig({ env: { NARRATE_PUBLIC_URL: 'ftp://example.com' } })).toThrow(/must be an http or https URL/);
    expect(() => parseConfig({ env: { NARRATE_PUBLIC_URL: 'https://example.com/?a=1' } })).toThrow(/must not have a query or a fragment/);
  });
});
