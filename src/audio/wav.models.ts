/** RIFF/WAVE header for 16-bit PCM mono, the only WAV layout Narrate writes. */

export const WAV_HEADER_BYTES = 44;

/**
 * The canonical 44-byte header. `dataBytes` is the size of the PCM payload that follows it.
 * Leave it undefined for the placeholder written before the length is known: both sizes are then
 * 0xFFFFFFFF, the "unknown length" convention streaming writers (ffmpeg, browsers) understand,
 * so a streamed WAV still plays; the encoder's finish() supplies the real header.
 */
export function wavHeader({ sampleRate, dataBytes, channels = 1 }: { sampleRate: number; dataBytes?: number; channels?: number }): Uint8Array {
  const bytesPerSample = 2;
  const header = new Uint8Array(WAV_HEADER_BYTES);
  const view = new DataView(header.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) header[offset + i] = text.charCodeAt(i);
  };
  // RIFF sizes are 32-bit; a mono 16-bit stream reaches that limit after ~6 h at 48 kHz, far
  // beyond a 10,000-character job, so clamping is only a guard against nonsense headers.
  const unknown = dataBytes === undefined;
  const data = unknown ? 0xffffffff : Math.min(dataBytes, 0xffffffff - 36);
  ascii(0, 'RIFF');
  view.setUint32(4, unknown ? 0xffffffff : 36 + data, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels * bytesPerSample, true); // byte rate
  view.setUint16(32, channels * bytesPerSample, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, data, true);
  return header;
}
