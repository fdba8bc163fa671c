/**
 * Speech pipeline vs bare engine, per default voice. Not a test: prints tables and exits.
 *   node --import tsx bench/synth.ts [--reps N]
 *
 * Pipeline = createSpeechService(...).prepare + render (text front end, engine per piece in worker
 * threads with three pieces in flight, pitch and volume, resample to 16 kHz in the engine's thread
 * or on the main thread, whichever is waiting, MP3 encode on the main thread), written to memory. Bare engine = the same engine's
 * synthesize() on the same pieces of text the front end produced, one call per piece, at the same
 * speed: exactly the engine work the pipeline does, so the ratio isolates the pipeline's own cost.
 * (One call for the whole raw text would be a different workload: eSpeak would read the digits
 * itself and make one long call.) The two are interleaved, after a warm-up, and the median of
 * several repetitions is reported.
 */
import os from 'node:os';
import { createEncoder } from '../src/audio/audio.encoder.js';
import { createResampler } from '../src/audio/speex.resampler.js';
import { createEspeakEngine } from '../src/engine/espeak.engine.js';
import { parseConfig } from '../src/config/config.js';
import type { TtsEngine } from '../src/engine/engine.types.js';
import { EDITING_DEFAULTS, type EditingConfig } from '../src/jobs/editing-config.models.js';
import { createSpeechService } from '../src/speech/speech.service.js';
import type { SpeechPlan } from '../src/speech/speech.types.js';
import { createVoiceResolver } from '../src/voices/voice-resolver.models.js';
import { loadPackCatalog } from '../src/voices/pack-catalog.models.js';
import { median, settle } from './support/stats.js';
import { fixed, renderTable } from './support/table.js';
import { CHINESE_TEXT, ENGLISH_TEXT } from './support/texts.js';

const reps = process.argv.includes('--reps') ? Number(process.argv[process.argv.indexOf('--reps') + 1]) || 7 : 7;
const OUTPUT_RATE = EDITING_DEFAULTS.sample_rate;
const CORES = os.availableParallelism();

/** The default voices of the catalog, one per engine model the defaults use, with text in their language. */
const CASES = [
  { voice: 'Xiaoyun', text: CHINESE_TEXT },
  { voice: 'Siqi', text: CHINESE_TEXT },
  { voice: 'Harry', text: ENGLISH_TEXT },
  { voice: 'Abby', text: ENGLISH_TEXT },
];

// The service's default thread count (--espeak-threads: one per core beyond the first). The bare-engine
// baseline calls the same engine one piece at a time, as a caller of the engine would.
const espeak = await createEspeakEngine({ threads: parseConfig({ env: {} }).espeakThreads });
const engines: Record<'espeak', TtsEngine> = { espeak };
const resolver = createVoiceResolver({ installed: await espeak.listVoices(), packs: loadPackCatalog().packs });
const speech = createSpeechService({ engines, resolver: () => resolver });

/** The text pieces the pipeline hands the engine, in order. */
function enginePieces(plan: SpeechPlan): string[] {
  return plan.parsed.segments.flatMap((segment) => segment.pieces.flatMap((piece) => (piece.kind === 'text' && piece.text.trim() !== '' ? [piece.text] : [])));
}

async function runPipeline({ text, editing }: { text: string; editing: EditingConfig }) {
  const start = performance.now();
  const plan = speech.prepare({ inputText: text, editing });
  const frontEndMs = performance.now() - start;
  const chunks: Uint8Array[] = [];
  const result = await speech.render({
    plan,
    write: async (chunk) => {
      chunks.push(chunk);
    },
  });
  const ms = performance.now() - start;
  return { ms, frontEndMs, audioSeconds: result.durationMs / 1000, bytes: result.bytes };
}

async function runEngine({ pieces, plan }: { pieces: string[]; plan: SpeechPlan }) {
  const start = performance.now();
  const outputs: Float32Array[] = [];
  let sampleRate = 0;
  for (const text of pieces) {
    const audio = await espeak.synthesize({ text, voice: plan.voice.engineVoice, speed: 1 });
    outputs.push(audio.samples);
    sampleRate = audio.sampleRate;
  }
  const ms = performance.now() - start;
  const samples = outputs.reduce((sum, o) => sum + o.length, 0);
  return { ms, audioSeconds: samples / sampleRate, outputs, sampleRate };
}

/** Resample and MP3-encode the engine's pieces on their own, to show what each stage costs. */
async function runStages({ outputs, sampleRate }: { outputs: Float32Array[]; sampleRate: number }) {
  let start = performance.now();
  const resampled: Float32Array[] = [];
  const resampler = await createResampler({ from: sampleRate, to: OUTPUT_RATE });
  for (const samples of outputs) resampled.push(resampler.process(samples));
  resampled.push(resampler.flush());
  const resampleMs = performance.now() - start;
  start = performance.now();
  const encoder = await createEncoder({ format: 'mp3', sampleRate: OUTPUT_RATE });
  encoder.start();
  for (const samples of resampled) encoder.encode(samples);
  encoder.finish();
  const encodeMs = performance.now() - start;
  return { resampleMs, encodeMs };
}

console.log(`Speech pipeline vs bare engine — ${reps} repetitions after a warm-up, medians; output MP3 ${OUTPUT_RATE} Hz.`);
console.log('RTF = processing time / audio duration (lower is faster); speed ratio = engine time / pipeline time (goal ≥ 0.95).\n');

const summary: Array<Array<string | number>> = [];
/** The same runs with WAV output: everything but the MP3 encoder, to show what that one stage costs. */
const wavSummary: Array<Array<string | number>> = [];
/** Main-thread codec work (resample + MP3) per second of audio (an RTF), for each voice. */
const codecRtf: number[] = [];
const stages: Array<Array<string | number>> = [];
for (const { voice, text } of CASES) {
  const editing: EditingConfig = { ...EDITING_DEFAULTS, voice };
  const plan = speech.prepare({ inputText: text, editing });
  const pieces = enginePieces(plan);
  const model = `${plan.voice.engineVoice.engine}:${plan.voice.engineVoice.model}${plan.voice.engineVoice.speaker ? `+${plan.voice.engineVoice.speaker}` : ''}`;
  // Warm-up: WASM instantiation, JIT, eSpeak's dictionaries.
  await runEngine({ pieces, plan });
  await runPipeline({ text, editing });
  const wavEditing: EditingConfig = { ...editing, format: 'WAV' };
  await runPipeline({ text, editing: wavEditing });
  const pipe: Array<Awaited<ReturnType<typeof runPipeline>>> = [];
  const wavPipe: Array<Awaited<ReturnType<typeof runPipeline>>> = [];
  const bare: Array<Awaited<ReturnType<typeof runEngine>>> = [];
  const stage: Array<Awaited<ReturnType<typeof runStages>>> = [];
  for (let i = 0; i < reps; i++) {
    await settle();
    const engineRun = await runEngine({ pieces, plan });
    bare.push({ ...engineRun, outputs: [] });
    await settle();
    pipe.push(await runPipeline({ text, editing }));
    await settle();
    wavPipe.push(await runPipeline({ text, editing: wavEditing }));
    await settle();
    stage.push(await runStages(engineRun));
  }
  const pipeMs = median(pipe.map((r) => r.ms));
  const bareMs = median(bare.map((r) => r.ms));
  const pipeAudio = pipe[0].audioSeconds;
  const bareAudio = bare[0].audioSeconds;
  summary.push([
    `${voice} (${model})`,
    `${text.length} / ${pieces.length}`,
    fixed(pipeAudio, 1),
    fixed(bareMs, 0),
    fixed(pipeMs, 0),
    fixed(bareMs / 1000 / bareAudio, 4),
    fixed(pipeMs / 1000 / pipeAudio, 4),
    `${fixed(bareMs / pipeMs, 3)}×`,
  ]);
  const wavMs = median(wavPipe.map((r) => r.ms));
  wavSummary.push([`${voice} (${model})`, fixed(bareMs, 0), fixed(wavMs, 0), fixed(wavMs / 1000 / pipeAudio, 4), `${fixed(bareMs / wavMs, 3)}×`]);
  const frontEnd = median(pipe.map((r) => r.frontEndMs));
  const resample = median(stage.map((r) => r.resampleMs));
  const encode = median(stage.map((r) => r.encodeMs));
  codecRtf.push((resample + encode) / 1000 / pipeAudio);
  stages.push([
    voice,
    fixed(frontEnd, 1),
    fixed(bareMs, 1),
    fixed(resample, 1),
    fixed(encode, 1),
    fixed(resample + encode, 1),
    // The engine thread synthesises (and resamples what it has time for) while the main thread
    // encodes (and resamples the rest): at best the two share the work evenly, and neither can
    // shed its own stage.
    `${fixed(bareMs / Math.max(bareMs, encode, (bareMs + resample + encode) / 2), 3)}×`,
    // However the work is spread over threads, the machine's cores must do all of it: the bare engine
    // keeps one core busy, the pipeline needs engine + codec time shared by all cores.
    `${fixed(Math.min(1, (CORES * bareMs) / (bareMs + resample + encode)), 3)}×`,
  ]);
}

console.log(
  renderTable({
    header: ['voice (engine voice)', 'chars / calls', 'audio s', 'engine ms', 'pipeline ms', 'engine RTF', 'pipeline RTF', 'speed ratio'],
    rows: summary,
  }),
);
console.log('\nThe same pipeline with WAV output (front end, engine thread, resample to 16 kHz, WAV framing; no MP3 encoder):\n');
console.log(renderTable({ header: ['voice (engine voice)', 'engine ms', 'pipeline ms', 'pipeline RTF', 'speed ratio'], rows: wavSummary }));
console.log('\nWhere the time goes (ms, medians): the engine runs in its own thread; the main thread parses the text, then');
console.log('encodes each piece while the engine synthesises the next ones; each piece is resampled by whichever of the two is');
console.log('waiting (resample and MP3 timed alone on the same audio). two-thread ceiling = engine / max(engine, mp3,');
console.log('(engine + resample + mp3) / 2): at best the two threads split the work evenly.');
console.log(`CPU-bound ceiling = ${CORES} cores × engine / (engine + resample + mp3): all the work must fit on this machine's cores, however it is spread.\n`);
console.log(
  renderTable({
    header: ['voice', 'front end', 'engine (bare)', 'resample alone', 'mp3 alone', 'codecs together', 'two-thread ceiling', 'CPU-bound ceiling'],
    rows: stages,
  }),
);
const worst = Math.max(...codecRtf);
console.log(
  `\nResampling to 16 kHz and MP3 cost RTF ${fixed(Math.min(...codecRtf), 4)}–${fixed(worst, 4)}, whatever the engine.` +
    ' The engine and the codecs overlap, so any engine slower than the codecs (a neural model on CPU: RTF 0.05–0.5) meets the 0.95× goal;' +
    ' eSpeak NG is as fast as or faster than them.',
);
await espeak.close();
