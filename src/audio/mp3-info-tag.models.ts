/**
 * The Xing "Info" frame + LAME extension that starts a gapless CBR MP3 (the layout LAME itself
 * writes, http://gabriel.mp3-tech.org/mp3infotag.html). It records the frame and byte counts and,
 * above all, the encoder delay and end padding, so decoders that honour it (mpg123, ffmpeg,
 * browsers' gapless paths) return exactly the samples that were encoded, aligned at time 0:
 * durations and sentence timestamps then match the file to the sample.
 *
 * The tag is metadata around the LAME stream, not audio coding; it is written here only because
 * wasm-media-encoders does not expose lame_get_lametag_frame().
 */
import { type Mp3FrameHeader } from './mp3.models.js';

/** LAME's encoder delay in samples (ENCDELAY); decoders add their own 529 on top. */
export const LAME_ENCODER_DELAY = 576;

const XING_FIELDS_BYTES = 4 + 4 + 4 + 4 + 100 + 4; // "Info", flags, frames, bytes, TOC, quality
const LAME_TAG_BYTES = 36;
const BITRATES_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const BITRATES_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];

export interface InfoTagLayout {
  /** The first four header bytes of the Info frame. */
  header: Uint8Array;
  frameBytes: number;
  /** Offset of "Info" inside the frame (after header and mono side info). */
  xingOffset: number;
}

/**
 * Chooses the Info frame's header: same version, rate and (mono) mode as the audio, at the
 * lowest bitrate whose frame holds the tag. At 8 kHz/16 kbps a frame is 144 bytes, too small,
 * so the Info frame may have a higher bitrate than the audio, exactly as LAME does.
 */
export function infoTagLayout(audio: Pick<Mp3FrameHeader, 'version' | 'sampleRate'>): InfoTagLayout {
  const sideInfo = audio.version === '1' ? 17 : 9; // mono
  const xingOffset = 4 + sideInfo;
  const needed = xingOffset + XING_FIELDS_BYTES + LAME_TAG_BYTES;
  const table = audio.version === '1' ? BITRATES_V1 : BITRATES_V2;
  const samplesPerFrame = audio.version === '1' ? 1152 : 576;
  const rates = { '1': [44100, 48000, 32000], '2': [22050, 24000, 16000], '2.5': [11025, 12000, 8000] }[audio.version];
  const rateIndex = rates.indexOf(audio.sampleRate);
  if (rateIndex < 0) throw new RangeError(`No MPEG-${audio.version} rate ${audio.sampleRate}`);
  for (let index = 1; index < table.length; index++) {
    const frameBytes = Math.floor(((samplesPerFrame / 8) * table[index] * 1000) / audio.sampleRate);
    if (frameBytes < needed) continue;
    const versionBits = audio.version === '1' ? 3 : audio.version === '2' ? 2 : 0;
    // sync, version, layer III (01), no CRC; bitrate, rate, no padding; mono, no emphasis.
    const header = new Uint8Array([0xff, 0xe0 | (versionBits << 3) | (1 << 1) | 1, (index << 4) | (rateIndex << 2), 0xc0]);
    return { header, frameBytes, xingOffset };
  }
  throw new RangeError('No bitrate gives an MP3 frame large enough for the Info tag');
}

const CRC16_ARC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-16/ARC (poly 0x8005 reflected, init 0), the checksum LAME uses for both tag CRCs. */
export function crc16Arc(bytes: Uint8Array, crc = 0): number {
  let c = crc & 0xffff;
  // Byte-at-a-time table lookup: every encoded byte passes through here, and the bitwise loop cost ~8× more.
  for (let i = 0; i < bytes.length; i++) c = (c >>> 8) ^ CRC16_ARC_TABLE[(c ^ bytes[i]) & 0xff];
  return c;
}

export interface InfoTagFields {
  /** Audio frames after the Info frame. */
  frames: number;
  /** Whole file size in bytes, Info frame included. */
  fileBytes: number;
  /** Samples of encoder delay at the start and of padding at the end. */
  delay: number;
  padding: number;
  /** The audio's constant bitrate (kbps), recorded in the LAME tag. */
  bitrateKbps: number;
  /** CRC-16/ARC of all audio frame bytes. */
  musicCrc: number;
}

/**
 * Builds the Info frame. Without `fields` it is the placeholder written at the start of a stream:
 * an "Info" tag with no fields, which decoders skip (or, at worst, play as one silent frame) when
 * the file is consumed before the real frame is patched in.
 */
export function buildInfoFrame(layout: InfoTagLayout, fields?: InfoTagFields): Uint8Array {
  const frame = new Uint8Array(layout.frameBytes);
  const view = new DataView(frame.buffer);
  frame.set(layout.header, 0);
  let p = layout.xingOffset;
  frame.set([0x49, 0x6e, 0x66, 0x6f], p); // "Info": the Xing tag name for CBR streams
  if (!fields) return frame;
  view.setUint32(p + 4, 0x0f, false); // frames, bytes, TOC and quality present
  view.setUint32(p + 8, fields.frames, false);
  view.setUint32(p + 12, fields.fileBytes, false);
  // CBR: byte position grows linearly with time, so the seek table is a straight line.
  for (let i = 0; i < 100; i++) frame[p + 16 + i] = Math.floor((i * 256) / 100);
  view.setUint32(p + 116, 0, false); // quality: unknown
  p += XING_FIELDS_BYTES;
  const lameStart = p;
  frame.set(Array.from('LAME3.100', (ch) => ch.charCodeAt(0)), p);
  frame[p + 9] = 0x01; // tag revision 0, method 1 = CBR
  frame[p + 20] = Math.min(255, fields.bitrateKbps);
  const delay = Math.max(0, Math.min(0xfff, fields.delay));
  const padding = Math.max(0, Math.min(0xfff, fields.padding));
  frame[p + 21] = delay >> 4;
  frame[p + 22] = ((delay & 0x0f) << 4) | (padding >> 8);
  frame[p + 23] = padding & 0xff;
  view.setUint32(p + 28, fields.fileBytes, false);
  view.setUint16(p + 32, fields.musicCrc, false);
  view.setUint16(lameStart + 34, crc16Arc(frame.subarray(0, lameStart + 34)), false);
  return frame;
}
