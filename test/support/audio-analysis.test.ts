import { describe, expect, it } from 'vitest';
import { wavHeader } from '../../src/audio/wav.models.js';
import { concatSamples, silence } from '../../src/audio/samples.models.js';
import { decodeAudio, durationMs, findSilences, fundamentalHz, rmsDb, toneLevelDb } from './audio-analysis.js';
import { harmonicTone, sine, speechSample } from './audio-fixtures.js';

function wavFile(samples: number[], sampleRate = 8000): Uint8Array {
  const data = new Uint8Array(samples.length * 2);
  const view = new DataView(data.buffer);
  samples.forEach((s, i) => view.setInt16(i * 2, s, true));
  const file = new Uint8Array(44 + data.length);
  file.set(wavHeader({ sampleRate, dataBytes: data.length }));
  file.set(data, 44);
  return file;
}

describe('decodeAudio', () => {
  it('reads a well-formed WAV', async () => {
    const decoded = await decodeAudio(wavFile([0, 16384, -32768, 32767]), 'wav');
    expect(decoded).toMatchObject({ sampleRate: 8000, channels: 1, durationMs: 0.5 });
    expect(Array.from(decoded.samples)).toEqual([0, 0.5, -1, 32767 / 32768]);
  });

  it('rejects WAV files whose header does not match their content', async () => {
    const truncated = wavFile([1, 2, 3, 4]).subarray(0, 48);
    await expect(decodeAudio(truncated, 'wav')).rejects.toThrow(/RIFF size/);
    const placeholder = wavFile([1, 2]);
    placeholder.set(wavHeader({ sampleRate: 8000 }));
    await expect(decodeAudio(placeholder, 'wav')).rejects.toThrow(/RIFF size/);
    const eightBit = wavFile([1, 2]);
    new DataView(eightBit.buffer).setUint16(34, 8, true);
    await expect(decodeAudio(eightBit, 'wav')).rejects.toThrow(/8 bits/);
    await expect(decodeAudio(new Uint8Array(100), 'mp3')).rejects.toThrow(/no MPEG/);
  });

  it('needs a rate for headerless PCM', async () => {
    await expect(decodeAudio(new Uint8Array(4), 'pcm')).rejects.toThrow(/sampleRateForPcm/);
    expect((await decodeAudio(new Uint8Array(32000), 'pcm', 16000)).durationMs).toBe(1000);
  });
});

describe('measurements', () => {
  it('measures levels in dBFS', () => {
    expect(rmsDb(sine({ hz: 1000, sampleRate: 16000, seconds: 1, amplitude: 1 }))).toBeCloseTo(-3.01, 1);
    expect(rmsDb(new Float32Array(100))).toBe(-Infinity);
    expect(toneLevelDb(sine({ hz: 440, sampleRate: 16000, seconds: 1, amplitude: 0.5 }), 16000, 440)).toBeCloseTo(-6.02, 1);
    expect(durationMs(24000, 48000)).toBe(500);
  });

  it('finds the pitch of a tone and of real speech, and refuses silence', async () => {
    expect(fundamentalHz(harmonicTone({ f0: 220, sampleRate: 22050, seconds: 1 }), 22050)).toBeCloseTo(220, -1);
    const { samples, sampleRate } = await speechSample();
    const f0 = fundamentalHz(samples, sampleRate);
    // eSpeak's default en-us voice is a low male voice.
    expect(f0).toBeGreaterThan(70);
    expect(f0).toBeLessThan(160);
    expect(() => fundamentalHz(new Float32Array(22050), 22050)).toThrow(/no voiced frame/);
  });

  it('finds pauses, including leading and trailing silence', () => {
    const rate = 16000;
    const tone = sine({ hz: 300, sampleRate: rate, seconds: 0.5 });
    const signal = concatSamples([silence({ ms: 200, sampleRate: rate }), tone, silence({ ms: 300, sampleRate: rate }), tone, silence({ ms: 50, sampleRate: rate })]);
    const found = findSilences(signal, rate, { minMs: 100 });
    expect(found).toHaveLength(2);
    expect(found[0]).toEqual({ startMs: 0, endMs: 200 });
    expect(found[1].startMs).toBeCloseTo(700, -1);
    expect(found[1].endMs).toBeCloseTo(1000, -1);
    expect(findSilences(signal, rate, { minMs: 40 })).toHaveLength(3);
  });
});
