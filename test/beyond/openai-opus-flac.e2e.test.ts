/**
 * response_format opus and flac through the official `openai` SDK against a real server on
 * loopback (real eSpeak NG, real libopus and libFLAC), checked with independent decoders.
 */
import { describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { type TestServer } from '../support/narrate-server.js';
import { rms } from '../support/audio-analysis.js';
import { OGG_BOS, OGG_EOS, readOggPages } from '../../src/audio/ogg-page.models.js';
import { parseSse, readAll, withOpenAiServer } from './beyond.test-utils.js';

const TEXT = 'Hello from Narrate. This sentence is encoded as Opus and as FLAC, and both should last as long as the WAV.';

let server: TestServer;
let client: OpenAI;
withOpenAiServer((started, sdk) => {
  server = started;
  client = sdk;
});

async function speak(response_format: OpenAI.Audio.SpeechCreateParams['response_format']) {
  const response = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: TEXT, response_format }).asResponse();
  return { contentType: response.headers.get('content-type'), bytes: new Uint8Array(await response.arrayBuffer()) };
}

/** Seconds of audio in the streamed WAV (its header says "unknown length": count the data bytes). */
async function wavSeconds(): Promise<number> {
  const { bytes } = await speak('wav');
  return (bytes.length - 44) / 2 / 24000;
}

describe('response_format opus', () => {
  it('is Ogg Opus (OpusHead, OpusTags, EOS) whose end granule gives the WAV’s duration, and decodes to speech', async () => {
    const { contentType, bytes } = await speak('opus');
    expect(contentType).toBe('audio/opus');
    expect(Buffer.from(bytes.subarray(0, 4)).toString('ascii')).toBe('OggS');
    const pages = readOggPages(bytes);
    expect(pages.every((page) => page.crcOk)).toBe(true);
    expect(pages[0].flags).toBe(OGG_BOS);
    const head = Buffer.from(pages[0].packets[0]);
    expect(head.toString('ascii', 0, 8)).toBe('OpusHead');
    expect(head[9]).toBe(1);
    expect(head.readUInt32LE(12)).toBe(24000);
    const preSkip = head.readUInt16LE(10);
    expect(Buffer.from(pages[1].packets[0]).toString('ascii', 0, 8)).toBe('OpusTags');
    expect(pages.at(-1)!.flags & OGG_EOS).toBe(OGG_EOS);

    const seconds = Number(pages.at(-1)!.granule - BigInt(preSkip)) / 48000;
    const reference = await wavSeconds();
    // Same text, same pipeline: eSpeak's length may vary slightly between runs, never by 5%.
    expect(Math.abs(seconds - reference) / reference).toBeLessThan(0.05);
    // Compressed: mono speech at ~32 kbit/s, far below the WAV's 384 kbit/s.
    expect((bytes.length * 8) / seconds).toBeLessThan(64_000);

    const decoder = new OggOpusDecoder();
    await decoder.ready;
    const decoded = await decoder.decodeFile(bytes);
    decoder.free();
    expect(decoded.errors).toEqual([]);
    expect(decoded.sampleRate).toBe(48000);
    expect(decoded.samplesDecoded / 48000).toBeCloseTo(seconds, 2);
    const samples = decoded.channelData[0].subarray(0, decoded.samplesDecoded);
    const level = rms(samples);
    expect(level).toBeGreaterThan(0.01);
    expect(level).toBeLessThan(0.5);
  });

  it('streams as SSE deltas that join into the same kind of Ogg stream', async () => {
    const response = await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'nova', input: TEXT, response_format: 'opus', stream_format: 'sse' });
    const events = parseSse((await readAll(response.body!)).toString('utf8')).map((e) => JSON.parse(e.data) as { type: string; audio?: string });
    expect(events.at(-1)?.type).toBe('speech.audio.done');
    const bytes = Buffer.concat(events.filter((e) => e.type === 'speech.audio.delta').map((e) => Buffer.from(e.audio!, 'base64')));
    const pages = readOggPages(bytes);
    expect(Buffer.from(pages[0].packets[0]).toString('ascii', 0, 8)).toBe('OpusHead');
    expect(pages.at(-1)!.flags & OGG_EOS).toBe(OGG_EOS);
  });
});

describe('response_format flac', () => {
  it('is fLaC + STREAMINFO (24 kHz, mono, 16-bit) and decodes to the WAV’s length', async () => {
    const { contentType, bytes } = await speak('flac');
    expect(contentType).toBe('audio/flac');
    const buffer = Buffer.from(bytes);
    expect(buffer.toString('ascii', 0, 4)).toBe('fLaC');
    expect(buffer[4] & 0x7f).toBe(0); // first block: STREAMINFO
    const packed = buffer.readBigUInt64BE(8 + 10);
    expect(Number(packed >> 44n)).toBe(24000);
    expect(Number((packed >> 41n) & 7n) + 1).toBe(1);
    expect(Number((packed >> 36n) & 31n) + 1).toBe(16);
    // A stream cannot go back to fill in its length: 0 = unknown, as the format allows.
    expect(Number(packed & 0xfffffffffn)).toBe(0);

    const decoder = new FLACDecoder();
    await decoder.ready;
    const decoded = await decoder.decodeFile(bytes);
    decoder.free();
    expect(decoded.errors).toEqual([]);
    expect(decoded.sampleRate).toBe(24000);
    expect(decoded.bitDepth).toBe(16);
    const seconds = decoded.samplesDecoded / 24000;
    // Lossless from the same pipeline: the same length as the WAV, within a few ms.
    expect(Math.abs(seconds - (await wavSeconds()))).toBeLessThan(0.005);
    expect(rms(decoded.channelData[0].subarray(0, decoded.samplesDecoded))).toBeGreaterThan(0.01);
    // Lossless but compressed.
    expect(bytes.length).toBeLessThan(decoded.samplesDecoded * 2);
  });
});

describe('response_format aac', () => {
  it('is still refused with a 400 naming response_format', async () => {
    const error = await speak('aac').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('response_format');
    expect((error as Error).message).toContain('aac is not supported');
  });
});
