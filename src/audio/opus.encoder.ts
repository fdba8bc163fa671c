/**
 * Streaming Ogg Opus encoder (RFC 7845) on libopus (@evan/opus: the native build where one ships
 * for the platform, else its WASM build). Mono, 20 ms frames, VBR speech at OPUS_BITRATE_BPS.
 * The stream is complete as it goes: OpusHead and OpusTags pages first, then one page per encode()
 * call (so a client hears each sentence as it is ready), the last page with EOS and the exact end
 * granule, so players trim the padding of the final frame.
 */
import { randomInt } from 'node:crypto';
import { Encoder } from '@evan/opus';
import { floatToInt16 } from './samples.models.js';
import { createOggStream } from './ogg-page.models.js';
import type { StreamEncoder } from './stream-encoder.types.js';

/** Ogg Opus granule positions always count 48 kHz samples, whatever the input rate. */
export const OPUS_GRANULE_RATE = 48000;
/** Input rates libopus accepts. */
export const OPUS_SAMPLE_RATES = [8000, 12000, 16000, 24000, 48000] as const;
/** Mono speech is transparent-sounding well below this; OpenAI-like size (~4 KB/s). */
export const OPUS_BITRATE_BPS = 32000;
const FRAME_MS = 20;
const OPUS_GET_LOOKAHEAD_REQUEST = 4027;
/** A page every ~1 s of audio at most, so long sentences still stream in pieces. */
const MAX_PACKETS_PER_PAGE = 50;
const VENDOR = 'Narrate (libopus)';

/** The identification header (RFC 7845 §5.1), channel mapping family 0 (mono/stereo). */
export function opusHead({ preSkip, inputSampleRate, channels = 1 }: { preSkip: number; inputSampleRate: number; channels?: number }): Uint8Array {
  const head = new Uint8Array(19);
  const view = new DataView(head.buffer);
  head.set(new TextEncoder().encode('OpusHead'));
  head[8] = 1; // version
  head[9] = channels;
  view.setUint16(10, preSkip, true);
  view.setUint32(12, inputSampleRate, true);
  view.setInt16(16, 0, true); // output gain
  head[18] = 0; // mapping family
  return head;
}

/** The comment header (RFC 7845 §5.2): vendor string and no user comments. */
export function opusTags({ vendor = VENDOR }: { vendor?: string } = {}): Uint8Array {
  const vendorBytes = new TextEncoder().encode(vendor);
  const tags = new Uint8Array(8 + 4 + vendorBytes.length + 4);
  const view = new DataView(tags.buffer);
  tags.set(new TextEncoder().encode('OpusTags'));
  view.setUint32(8, vendorBytes.length, true);
  tags.set(vendorBytes, 12);
  view.setUint32(12 + vendorBytes.length, 0, true);
  return tags;
}

export function createOggOpusEncoder({ sampleRate, serial = randomInt(0, 2 ** 32) }: { sampleRate: number; serial?: number }): StreamEncoder {
  if (!(OPUS_SAMPLE_RATES as readonly number[]).includes(sampleRate)) {
    throw new RangeError(`Opus output supports ${OPUS_SAMPLE_RATES.join(', ')} Hz, not ${sampleRate}`);
  }
  const opus = new Encoder({ channels: 1, sample_rate: sampleRate as (typeof OPUS_SAMPLE_RATES)[number], application: 'audio' });
  opus.signal = 'voice';
  opus.bitrate = OPUS_BITRATE_BPS;
  const frameSize = (sampleRate * FRAME_MS) / 1000;
  const toGranule = OPUS_GRANULE_RATE / sampleRate;
  // The encoder's delay, in input samples; decoders drop this much (at 48 kHz) from the start.
  const lookahead = opus.ctl(OPUS_GET_LOOKAHEAD_REQUEST);
  const preSkip = lookahead * toGranule;
  const ogg = createOggStream({ serial });
  /** Samples of a partial frame waiting for more input. */
  const frame = new Int16Array(frameSize);
  let filled = 0;
  let framesEncoded = 0;
  let samplesIn = 0;

  function encodeFrame() {
    const packet = opus.encode(frame);
    framesEncoded += 1;
    // The packet is a view the next encode() overwrites in the WASM build: copy it.
    ogg.addPacket(packet.slice(), BigInt(framesEncoded * frameSize * toGranule));
    if (ogg.pendingPackets >= MAX_PACKETS_PER_PAGE) ogg.flush();
    filled = 0;
  }

  function push(ints: Int16Array) {
    let offset = 0;
    while (offset < ints.length) {
      const n = Math.min(frameSize - filled, ints.length - offset);
      frame.set(ints.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === frameSize) encodeFrame();
    }
  }

  return {
    format: 'opus',
    contentType: 'audio/opus',
    start() {
      ogg.addPacket(opusHead({ preSkip, inputSampleRate: sampleRate }), 0n);
      ogg.flush();
      ogg.addPacket(opusTags(), 0n);
      ogg.flush();
      return ogg.take();
    },
    encode(samples) {
      samplesIn += samples.length;
      push(floatToInt16(samples));
      ogg.flush();
      return ogg.take();
    },
    finish() {
      // Feed silence until every real sample has come out of the encoder's delay line.
      const needed = Math.ceil((samplesIn + lookahead) / frameSize);
      while (framesEncoded < needed) {
        frame.fill(0, filled);
        encodeFrame();
      }
      // End trimming: the last granule says exactly how many samples are real (RFC 7845 §4.4).
      ogg.end(BigInt(preSkip + samplesIn * toGranule));
      return { tail: ogg.take() };
    },
  };
}
