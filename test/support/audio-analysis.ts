/**
 * Measuring audio in tests: decode what Narrate wrote, then ask questions a listener would
 * (how long, how loud, what pitch, where are the pauses). Every audio test in the project uses
 * these, so they validate their input strictly and throw with a readable message rather than
 * returning a plausible-looking wrong number.
 */
import { MPEGDecoder } from 'mpg123-decoder';
import { PitchDetector } from 'pitchy';
import type { AudioFormat } from '../../src/audio/audio.types.js';
import { parseMp3FrameHeader, type Mp3FrameHeader } from '../../src/audio/mp3.models.js';

export interface DecodedAudio {
  /** Mono samples (−1…1); for multi-channel input, the first channel. */
  samples: Float32Array;
  sampleRate: number;
  /** Channel count the file declares (WAV fmt chunk, MP3 frame header mode; PCM is always 1). */
  channels: number;
  durationMs: number;
}

/** Duration in ms of `samples` at `sampleRate`. */
export function durationMs(samples: Float32Array | number, sampleRate: number): number {
  const length = typeof samples === 'number' ? samples : samples.length;
  return (length * 1000) / sampleRate;
}

/**
 * Decodes a file Narrate produced. `pcm` is headerless, so its rate must be given.
 * WAV: parses RIFF chunk by chunk and checks every field Narrate writes (PCM tag, 16-bit, block
 * align, byte rate, RIFF and data sizes agreeing with the bytes present).
 * MP3: decodes with mpg123 (gapless, so a LAME/Info tag's delay and padding are honoured); the
 * rate is the decoder's and must match the first frame header, channels come from the header
 * (mpg123 always hands back two channels, duplicating mono).
 */
export async function decodeAudio(bytes: Uint8Array, format: AudioFormat, sampleRateForPcm?: number): Promise<DecodedAudio> {
  switch (format) {
    case 'pcm': {
      if (!sampleRateForPcm) throw new Error('decodeAudio: pcm needs sampleRateForPcm');
      if (bytes.length % 2 !== 0) throw new Error(`decodeAudio: pcm has an odd byte count (${bytes.length})`);
      const samples = pcm16leToFloat(bytes);
      return { samples, sampleRate: sampleRateForPcm, channels: 1, durationMs: durationMs(samples, sampleRateForPcm) };
    }
    case 'wav':
      return decodeWav(bytes);
    case 'mp3':
      return decodeMp3(bytes);
  }
}

function pcm16leToFloat(bytes: Uint8Array, channels = 1): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames = Math.floor(bytes.length / 2 / channels);
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) out[i] = view.getInt16(i * 2 * channels, true) / 32768;
  return out;
}

function decodeWav(bytes: Uint8Array): DecodedAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  const fail = (why: string): never => {
    throw new Error(`decodeAudio(wav): ${why}`);
  };
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') fail('not a RIFF/WAVE file');
  const riffSize = view.getUint32(4, true);
  if (riffSize !== bytes.length - 8) fail(`RIFF size ${riffSize} but file has ${bytes.length - 8} bytes after it`);
  let fmt: { channels: number; sampleRate: number; bits: number } | undefined;
  let data: Uint8Array | undefined;
  for (let offset = 12; offset + 8 <= bytes.length; ) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (body + size > bytes.length) fail(`chunk "${id}" claims ${size} bytes, only ${bytes.length - body} present`);
    if (id === 'fmt ') {
      if (size < 16) fail(`fmt chunk too short (${size})`);
      const audioFormat = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      const byteRate = view.getUint32(body + 8, true);
      const blockAlign = view.getUint16(body + 12, true);
      const bits = view.getUint16(body + 14, true);
      if (audioFormat !== 1) fail(`format tag ${audioFormat}, expected 1 (PCM)`);
      if (bits !== 16) fail(`${bits} bits per sample, expected 16`);
      if (channels < 1) fail('zero channels');
      if (blockAlign !== channels * 2) fail(`block align ${blockAlign}, expected ${channels * 2}`);
      if (byteRate !== sampleRate * blockAlign) fail(`byte rate ${byteRate}, expected ${sampleRate * blockAlign}`);
      fmt = { channels, sampleRate, bits };
    } else if (id === 'data') {
      if (!fmt) fail('data chunk before fmt chunk');
      data = bytes.subarray(body, body + size);
    }
    offset = body + size + (size % 2); // chunks are word-aligned
  }
  if (!fmt) return fail('no fmt chunk');
  if (!data) return fail('no data chunk');
  if (data.length % (fmt.channels * 2) !== 0) fail(`data size ${data.length} is not whole frames`);
  const samples = pcm16leToFloat(data, fmt.channels);
  return { samples, sampleRate: fmt.sampleRate, channels: fmt.channels, durationMs: durationMs(samples, fmt.sampleRate) };
}

/** The first MPEG audio frame header in the stream (skipping an ID3v2 tag if present). */
export function firstMp3Frame(bytes: Uint8Array): { offset: number; header: Mp3FrameHeader } {
  let start = 0;
  if (bytes.length >= 10 && bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33) {
    start = 10 + ((bytes[6] << 21) | (bytes[7] << 14) | (bytes[8] << 7) | bytes[9]);
  }
  for (let offset = start; offset + 4 <= bytes.length; offset++) {
    const header = parseMp3FrameHeader(bytes, offset);
    // Require the next frame to line up too, so a stray 0xFFE in data is not taken for a header.
    if (header && (offset + header.frameBytes >= bytes.length || parseMp3FrameHeader(bytes, offset + header.frameBytes))) {
      return { offset, header };
    }
  }
  throw new Error('decodeAudio(mp3): no MPEG Layer III frame found');
}

async function decodeMp3(bytes: Uint8Array): Promise<DecodedAudio> {
  const { header } = firstMp3Frame(bytes);
  const decoder = new MPEGDecoder({ enableGapless: true });
  await decoder.ready;
  try {
    const result = decoder.decode(bytes);
    if (result.errors.length > 0) throw new Error(`decodeAudio(mp3): ${result.errors.length} decode errors, first: ${result.errors[0].message}`);
    if (result.sampleRate !== header.sampleRate) {
      throw new Error(`decodeAudio(mp3): decoder says ${result.sampleRate} Hz, frame header says ${header.sampleRate} Hz`);
    }
    const samples = result.channelData[0].slice(0, result.samplesDecoded);
    return { samples, sampleRate: result.sampleRate, channels: header.channels, durationMs: durationMs(samples, result.sampleRate) };
  } finally {
    decoder.free();
  }
}

/** Root mean square level (linear, 0 for silence). */
export function rms(samples: Float32Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / samples.length);
}

/** RMS in dBFS (a full-scale sine is −3 dB); −Infinity for digital silence. */
export function rmsDb(samples: Float32Array): number {
  return 20 * Math.log10(rms(samples));
}

/** Largest absolute sample value. */
export function peak(samples: Float32Array): number {
  let p = 0;
  for (let i = 0; i < samples.length; i++) p = Math.max(p, Math.abs(samples[i]));
  return p;
}

export interface PitchOptions {
  /**
   * Lowest and highest plausible pitch; frames outside are not voiced. Default 60…1000 Hz.
   * minHz also sets the frame length (two periods of minHz), so lower it only when you expect a
   * very low voice (an octave-down shift): longer frames blur short syllables.
   */
  minHz?: number;
  maxHz?: number;
  /** pitchy clarity (0…1) a frame needs to count as voiced. Default 0.8 (eSpeak's buzzy voicing rarely passes 0.9). */
  minClarity?: number;
  /** Frames quieter than this many dB below the loudest frame are ignored. Default 30. */
  floorDb?: number;
}

/**
 * Median fundamental frequency over the voiced frames (McLeod pitch method via pitchy). Frames
 * span two periods of `minHz` and overlap by 75%, so even syllables sped up 2× yield several
 * frames. The median makes one octave error or a stray fricative irrelevant. Throws when no frame
 * is voiced, so silence or noise cannot pass as "some pitch".
 */
export function fundamentalHz(samples: Float32Array, sampleRate: number, options: PitchOptions = {}): number {
  const { minHz = 60, maxHz = 1000, minClarity = 0.8, floorDb = 30 } = options;
  const size = Math.ceil((2 * sampleRate) / minHz);
  const hop = Math.max(1, Math.floor(size / 4));
  const detector = PitchDetector.forFloat32Array(size);
  const frames: { level: number; pitch: number; clarity: number }[] = [];
  for (let start = 0; start + size <= samples.length; start += hop) {
    const frame = samples.subarray(start, start + size);
    const [pitch, clarity] = detector.findPitch(frame, sampleRate);
    frames.push({ level: rms(frame), pitch, clarity });
  }
  const loudest = frames.reduce((max, f) => Math.max(max, f.level), 0);
  const floor = loudest * 10 ** (-floorDb / 20);
  const voiced = frames
    .filter((f) => f.level > floor && f.clarity >= minClarity && f.pitch >= minHz && f.pitch <= maxHz)
    .map((f) => f.pitch)
    .sort((a, b) => a - b);
  if (voiced.length === 0) throw new Error(`fundamentalHz: no voiced frame among ${frames.length}`);
  const mid = voiced.length >> 1;
  return voiced.length % 2 ? voiced[mid] : (voiced[mid - 1] + voiced[mid]) / 2;
}

export interface Silence {
  startMs: number;
  endMs: number;
}

/**
 * Stretches where the level stays below `thresholdDb` dBFS (default −50) for at least `minMs`
 * (default 100), measured in 10 ms frames. Leading and trailing silence are included.
 */
export function findSilences(samples: Float32Array, sampleRate: number, options: { thresholdDb?: number; minMs?: number } = {}): Silence[] {
  const { thresholdDb = -50, minMs = 100 } = options;
  const frame = Math.max(1, Math.round(sampleRate / 100));
  const threshold = 10 ** (thresholdDb / 20);
  const result: Silence[] = [];
  let runStart = -1;
  const close = (endSample: number) => {
    if (runStart >= 0 && durationMs(endSample - runStart, sampleRate) >= minMs) {
      result.push({ startMs: durationMs(runStart, sampleRate), endMs: durationMs(endSample, sampleRate) });
    }
    runStart = -1;
  };
  for (let start = 0; start < samples.length; start += frame) {
    const end = Math.min(samples.length, start + frame);
    const quiet = rms(samples.subarray(start, end)) < threshold;
    if (quiet && runStart < 0) runStart = start;
    if (!quiet) close(start);
  }
  close(samples.length);
  return result;
}

/**
 * Dominant frequency near `expectedHz` is not enough for anti-aliasing checks, so this measures
 * the level of one frequency directly (Goertzel over a Hann window), in dB relative to a
 * full-scale sine at that frequency.
 */
export function toneLevelDb(samples: Float32Array, sampleRate: number, frequencyHz: number): number {
  const n = samples.length;
  if (n === 0) return -Infinity;
  const w = (2 * Math.PI * frequencyHz) / sampleRate;
  let re = 0;
  let im = 0;
  let windowSum = 0;
  for (let i = 0; i < n; i++) {
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    windowSum += hann;
    re += samples[i] * hann * Math.cos(w * i);
    im -= samples[i] * hann * Math.sin(w * i);
  }
  const amplitude = (2 * Math.hypot(re, im)) / windowSum;
  return 20 * Math.log10(amplitude);
}
