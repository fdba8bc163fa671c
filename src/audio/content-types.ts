import type { AudioFormat } from './audio.types.js';

export const CONTENT_TYPES: Record<AudioFormat, string> = {
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  // Little-endian raw PCM has no registered type (audio/L16 is big-endian).
  pcm: 'application/octet-stream',
};
