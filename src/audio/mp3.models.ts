/** MP3 facts Narrate relies on: the bitrate we pick per rate, and a frame-header parser. */

/**
 * Constant bitrate (kbps) per output rate, mono speech. Roughly 2 bits per sample at the low rates
 * (where every bit is audible) and 64 kbps at 48 kHz, where LAME's low-pass is already above the
 * speech band. LAME picks the MPEG version from the rate: 8 kHz → MPEG-2.5, 16/24 kHz → MPEG-2,
 * 48 kHz → MPEG-1 (all Layer III).
 */
export const MP3_BITRATE_KBPS: Readonly<Record<number, 16 | 32 | 48 | 64>> = {
  8000: 16,
  16000: 32,
  24000: 48,
  48000: 64,
};

/** Samples per Layer III frame: 1152 for MPEG-1, 576 for MPEG-2 and 2.5. */
export function mp3SamplesPerFrame(version: Mp3FrameHeader['version']): number {
  return version === '1' ? 1152 : 576;
}

export interface Mp3FrameHeader {
  version: '1' | '2' | '2.5';
  layer: 1 | 2 | 3;
  /** CRC-protected frame (a 16-bit CRC follows the header). */
  protected: boolean;
  bitrateKbps: number;
  sampleRate: number;
  padding: boolean;
  channelMode: 'stereo' | 'joint-stereo' | 'dual-channel' | 'mono';
  channels: 1 | 2;
  /** Whole frame length in bytes, header included. */
  frameBytes: number;
  samplesPerFrame: number;
}

const BITRATES_V1_L3 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const BITRATES_V2_L3 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const RATES: Record<Mp3FrameHeader['version'], number[]> = {
  '1': [44100, 48000, 32000],
  '2': [22050, 24000, 16000],
  '2.5': [11025, 12000, 8000],
};
const MODES: Mp3FrameHeader['channelMode'][] = ['stereo', 'joint-stereo', 'dual-channel', 'mono'];

/**
 * Parses the 4-byte Layer III frame header at `offset`, or returns undefined when the bytes are
 * not a valid header (bad sync, reserved version/layer/rate, free or bad bitrate). Layers I/II are
 * reported as undefined too: Narrate only writes Layer III.
 */
export function parseMp3FrameHeader(bytes: Uint8Array, offset = 0): Mp3FrameHeader | undefined {
  if (offset + 4 > bytes.length) return undefined;
  const b1 = bytes[offset + 1];
  const b2 = bytes[offset + 2];
  const b3 = bytes[offset + 3];
  if (bytes[offset] !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;
  const versionBits = (b1 >> 3) & 0x3;
  const layerBits = (b1 >> 1) & 0x3;
  if (versionBits === 1 || layerBits !== 1) return undefined;
  const version: Mp3FrameHeader['version'] = versionBits === 3 ? '1' : versionBits === 2 ? '2' : '2.5';
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 0x3;
  if (bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return undefined;
  const bitrateKbps = (version === '1' ? BITRATES_V1_L3 : BITRATES_V2_L3)[bitrateIndex];
  const sampleRate = RATES[version][rateIndex];
  const padding = ((b2 >> 1) & 1) === 1;
  const channelMode = MODES[b3 >> 6];
  const samplesPerFrame = mp3SamplesPerFrame(version);
  const frameBytes = Math.floor((samplesPerFrame / 8) * bitrateKbps * 1000 / sampleRate) + (padding ? 1 : 0);
  return {
    version,
    layer: 3,
    protected: (b1 & 1) === 0,
    bitrateKbps,
    sampleRate,
    padding,
    channelMode,
    channels: channelMode === 'mono' ? 1 : 2,
    frameBytes,
    samplesPerFrame,
  };
}
