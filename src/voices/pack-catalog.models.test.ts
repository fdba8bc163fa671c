import { describe, expect, it } from 'vitest';
import { isAppError } from '../shared/errors.js';
import { loadPackCatalog, mirrorProblem } from './pack-catalog.models.js';

describe('loadPackCatalog', () => {
  it('builds every download URL from the mirror, keeping the pack paths', () => {
    const catalog = loadPackCatalog({ mirror: 'http://127.0.0.1:8080/sherpa/' });
    expect(catalog.find('kokoro-multi-lang-v1_0')!.url).toBe('http://127.0.0.1:8080/sherpa/tts-models/kokoro-multi-lang-v1_0.tar.bz2');
    expect(catalog.urlOf('vocoder-models/vocos-22khz-univ.onnx')).toBe('http://127.0.0.1:8080/sherpa/vocoder-models/vocos-22khz-univ.onnx');
  });

  it('refuses a mirror that is not an absolute http(s) URL', () => {
    for (const mirror of ['notaurl', '', '/srv/mirror', 'mirror.example/sherpa', 'ftp://mirror.example/sherpa', 'file:///srv/mirror', 'https://mirror.example/?token=1', 'https://mirror.example/#x']) {
      expect(mirrorProblem(mirror), mirror).not.toBeNull();
      let error: unknown;
      try {
        loadPackCatalog({ mirror });
      } catch (e) {
        error = e;
      }
      expect(isAppError(error) && error.code === 'InvalidParameter' && error.param === 'mirror', mirror).toBe(true);
    }
    expect(mirrorProblem('https://mirror.example/sherpa-onnx')).toBeNull();
    expect(mirrorProblem('http://127.0.0.1:9/')).toBeNull();
  });
});
