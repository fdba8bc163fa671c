/**
 * Subtitle files against what a listener hears: a real render (eSpeak through the pipeline), the
 * job's sidecar writer storing SRT, WebVTT and JSON on local disk, the `subtitle` package reading
 * them back, and the decoded audio measured for where the sound and the silences are.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseSync, type NodeCue } from 'subtitle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoices } from '../../src/app/narrate.js';
import { EDITING_DEFAULTS, type EditingConfig } from '../../src/jobs/editing-config.models.js';
import { createSpeechService, type SpeechService } from '../../src/speech/speech.service.js';
import { createLocalStorage } from '../../src/storage/local.storage.js';
import type { JobRecord } from '../../src/store/store.types.js';
import { createSubtitleWriter } from '../../src/subtitles/subtitle-sidecars.js';
import { decodeAudio, findSilences, type DecodedAudio } from '../support/audio-analysis.js';
import { makeVoicesDir } from '../support/synthetic-models.js';

let voicesDir: string;
let dataDir: string;
let voices: Awaited<ReturnType<typeof createVoices>>;
let speech: SpeechService;

beforeAll(async () => {
  voicesDir = await makeVoicesDir();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'narrate-subtitles-'));
  voices = await createVoices({ voicesDir, engineThreads: 1 });
  speech = createSpeechService({ engines: voices.engines, resolver: voices.resolver });
});
afterAll(async () => {
  await voices?.close();
  if (voicesDir) await rm(voicesDir, { recursive: true, force: true });
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Heard {
  audio: DecodedAudio;
  srt: NodeCue['data'][];
  vtt: NodeCue['data'][];
}

/** Renders `text` as a job would and returns the audio and the cues its SRT and WebVTT files hold. */
async function renderWithSubtitles(text: string, editing: Partial<EditingConfig>): Promise<Heard> {
  const full = { ...EDITING_DEFAULTS, format: 'WAV', ...editing, subtitles: ['srt', 'vtt', 'json'] } as EditingConfig;
  const plan = speech.prepare({ inputText: text, editing: full });
  const chunks: Uint8Array[] = [];
  const result = await speech.render({ plan, write: async (chunk) => void chunks.push(chunk) });
  const bytes = Buffer.concat(chunks);
  bytes.set(result.header!, 0);
  const audio = await decodeAudio(new Uint8Array(bytes), 'wav');
  const root = path.join(dataDir, 'buckets');
  const writer = createSubtitleWriter({ storage: createLocalStorage({ root }), tmpDir: path.join(dataDir, 'tmp'), newId: () => Math.random().toString(36).slice(2) });
  const job = { id: 'job', outputBucket: 'out' } as JobRecord;
  const keys = await writer({ job, editing: full, result, audioKey: 'talk.wav' });
  const read = async (key: string) => readFile(path.join(root, 'out', key), 'utf8');
  const cues = (file: string) => parseSync(file).flatMap((node) => (node.type === 'cue' ? [(node as NodeCue).data] : []));
  expect(keys).toEqual(['talk.srt', 'talk.vtt', 'talk.json']);
  return { audio, srt: cues(await read('talk.srt')), vtt: cues(await read('talk.vtt')) };
}

function checkCues({ audio, srt, vtt }: Heard, { minDurationMs }: { minDurationMs: number }) {
  expect(vtt).toEqual(srt);
  const silences = findSilences(audio.samples, audio.sampleRate, { thresholdDb: -50, minMs: 10 });
  const quietAt = (ms: number) => silences.some((s) => s.startMs <= ms && ms <= s.endMs);
  for (const [i, cue] of srt.entries()) {
    if (i > 0) expect(cue.start).toBeGreaterThanOrEqual(srt[i - 1]!.end);
    expect(cue.end - cue.start, cue.text).toBeGreaterThanOrEqual(minDurationMs);
    // Timings are whole milliseconds: the last may round up past the audio's last sample.
    expect(cue.end).toBeLessThanOrEqual(Math.round(audio.durationMs));
    // A cue comes up with its sentence's first sound (within a 10 ms analysis frame)...
    expect(quietAt(cue.start + 10), `${cue.text} at ${cue.start}`).toBe(false);
    // ...and is not up through a long silence.
    for (const s of silences) {
      const overlap = Math.min(s.endMs, cue.end) - Math.max(s.startMs, cue.start);
      expect(overlap, `${cue.text}: ${s.startMs}-${s.endMs} ms silent`).toBeLessThan(1000);
    }
  }
  // Everything heard is under a cue.
  let heard = 0;
  for (const s of [...silences, { startMs: audio.durationMs, endMs: audio.durationMs }]) {
    if (s.startMs - heard > 10) expect(srt.some((cue) => cue.start <= heard + 10 && cue.end >= s.startMs - 10), `sound ${heard}-${s.startMs} ms`).toBe(true);
    heard = s.endMs;
  }
}

describe('subtitle files line up with the audio', () => {
  // Cues used to follow AiResult's spans, which hold the pause after a sentence and any <break>:
  // "Hello there." was up from 0 though the voice starts at 2 s, and "How are you?" stayed up
  // through the 3 s break after it.
  it('<break> at the start, between sentences and at the end: no cue is up through it', async () => {
    const heard = await renderWithSubtitles('<speak><break time="2s"/>Hello there. How are you?<break time="3s"/>Fine, thanks.<break time="2s"/></speak>', { voice: 'Harry' });
    checkCues(heard, { minDurationMs: 800 });
    expect(heard.srt.map((cue) => cue.text)).toEqual(['Hello there.', 'How are you?', 'Fine, thanks.']);
  });

  it.each([
    ['Harry', 0, 'Speaking of Guo Degang, he is extremely popular now.<break time="2s"/>The meeting starts at 3:30 pm.'],
    ['Siqi', 0, '说起郭德纲，他现在可以说是红得发紫了。<break time="2s"/>今天是2024年1月5日。'],
    ['Siqi', -500, '说起郭德纲，他现在可以说是红得发紫了。<break time="2s"/>今天是2024年1月5日。'],
  ])('%s at speech_rate %i: cues follow the voice', async (voice, speech_rate, body) => {
    checkCues(await renderWithSubtitles(`<speak>${body}</speak>`, { voice, speech_rate }), { minDurationMs: 800 });
  });

  // At twice the speed each of these sentences is heard for about 300 ms: as cues of their own
  // they flashed by (the last for 89 ms).
  it('quick short sentences at speech_rate 500 share cues that stay up long enough to read', async () => {
    const heard = await renderWithSubtitles('Yes. No. Maybe. OK then. Go!', { voice: 'Harry', speech_rate: 500 });
    checkCues(heard, { minDurationMs: 800 });
    expect(heard.srt.map((cue) => cue.text).join(' ')).toBe('Yes. No. Maybe. OK then. Go!');
  });
});
