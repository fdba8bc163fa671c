/**
 * Time to first audio byte and total time for a 500-character text through POST /v1/audio/speech
 * (a real server on loopback, streamed), against calling the eSpeak NG engine directly on the
 * same text in the same run. Run: node --import tsx bench/openai.ts [runs]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createNarrate } from '../src/app/narrate.js';
import { overrideConfig } from '../src/config/config.js';
import { createLogger } from '../src/shared/logger.js';
import { createEspeakEngine } from '../src/engine/espeak.engine.js';

const RUNS = Number(process.argv[2] ?? 5);
const SENTENCES = [
  'The river runs past the old mill and under the stone bridge.',
  'Every morning the baker opens her shop before the sun is up.',
  'Children walk to school along the water, counting the ducks.',
  'In the afternoon the market fills with voices and the smell of bread.',
  'By evening the town is quiet again, and the lamps come on one by one.',
  'Nobody remembers who built the bridge, but everybody uses it.',
  'It has stood for three hundred years and will stand for many more.',
  'A stranger once asked why the town loves it; nobody could say.',
];
const TEXT = SENTENCES.join(' ').slice(0, 500);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number) => `${value.toFixed(1)} ms`;

async function main() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'narrate-bench-openai-'));
  const config = overrideConfig({ dataDir, voicesDir: path.join(dataDir, 'voices'), port: 0, host: '127.0.0.1', accessKeys: 'bench:benchsecret', logLevel: 'warn', rateLimit: 0 });
  const narrate = await createNarrate({ config, roles: { api: true, worker: false }, logger: createLogger({ level: 'warn' }) });
  const { url } = await narrate.start();
  const engine = await createEspeakEngine();
  const voice = narrate.speech.resolveVoice('alloy').engineVoice;
  const firstSentence = TEXT.slice(0, TEXT.indexOf('.') + 1);

  async function direct() {
    const start = performance.now();
    await engine.synthesize({ text: firstSentence, voice, speed: 1 });
    const first = performance.now() - start;
    const wholeStart = performance.now();
    const audio = await engine.synthesize({ text: TEXT, voice, speed: 1 });
    return { first, total: performance.now() - wholeStart, seconds: audio.samples.length / audio.sampleRate };
  }

  async function api(format: 'mp3' | 'pcm' | 'wav') {
    const start = performance.now();
    const response = await fetch(`${url}/v1/audio/speech`, {
      method: 'POST',
      headers: { authorization: 'Bearer benchsecret', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tts-1', voice: 'alloy', input: TEXT, response_format: format }),
    });
    if (response.status !== 200) throw new Error(`speech answered ${response.status}: ${await response.text()}`);
    const reader = response.body!.getReader();
    let first = 0;
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (first === 0 && value.length > 0) first = performance.now() - start;
      bytes += value.length;
    }
    return { first, total: performance.now() - start, bytes };
  }

  // Warm up WASM modules, caches and the JIT once for each path.
  await direct();
  await api('mp3');
  await api('pcm');

  const results: Record<string, { first: number[]; total: number[] }> = {};
  const record = (name: string, first: number, total: number) => {
    results[name] ??= { first: [], total: [] };
    results[name].first.push(first);
    results[name].total.push(total);
  };
  let audioSeconds = 0;
  for (let i = 0; i < RUNS; i++) {
    const d = await direct();
    audioSeconds = d.seconds;
    record('engine direct (eSpeak NG, 22.05 kHz float)', d.first, d.total);
    for (const format of ['pcm', 'mp3'] as const) {
      const a = await api(format);
      record(`/v1/audio/speech ${format} (24 kHz, streamed)`, a.first, a.total);
    }
  }

  const base = results['engine direct (eSpeak NG, 22.05 kHz float)']!;
  console.log(`text: ${TEXT.length} characters, ${audioSeconds.toFixed(1)} s of audio; median of ${RUNS} runs; node ${process.version}, ${os.cpus().length} cores`);
  console.log('engine "first byte" = synthesising the first sentence alone; engine total = one synthesize() call on the whole text');
  for (const [name, r] of Object.entries(results)) {
    const first = median(r.first);
    const total = median(r.total);
    console.log(
      `${name.padEnd(44)} first audio ${ms(first).padStart(10)}  total ${ms(total).padStart(10)}  ` +
        `(×${(first / median(base.first)).toFixed(2)} first, ×${(total / median(base.total)).toFixed(2)} total vs engine)`,
    );
  }

  await engine.close();
  await narrate.stop();
  await rm(dataDir, { recursive: true, force: true });
}

await main();
