/**
 * Throughput of each audio stage, in seconds of audio processed per wall-clock second (single
 * core). Not a test (timings are never asserted); run by hand:
 *   node --import tsx test/support/audio-throughput.ts
 */
import { createEncoder } from '../../src/audio/audio.encoder.js';
import { pitchShift, timeStretch } from '../../src/audio/rubberband.stretcher.js';
import { concatSamples } from '../../src/audio/samples.models.js';
import { createResampler } from '../../src/audio/speex.resampler.js';
import { speechSample } from './audio-fixtures.js';

async function resample(samples: Float32Array, from: number, to: number): Promise<Float32Array> {
  const r = await createResampler({ from, to });
  return concatSamples([r.process(samples), r.flush()]);
}

async function measure(label: string, audioSeconds: number, run: () => Promise<unknown> | unknown): Promise<void> {
  await run(); // warm-up: WASM compile and JIT
  const rounds = 3;
  const start = performance.now();
  for (let i = 0; i < rounds; i++) await run();
  const seconds = (performance.now() - start) / 1000 / rounds;
  console.log(`${label.padEnd(44)} ${(audioSeconds / seconds).toFixed(0).padStart(6)} × real time`);
}

const { samples: one, sampleRate } = await speechSample();
const speech = concatSamples(Array.from({ length: 6 }, () => one)); // ~34 s, a long segment
const seconds = speech.length / sampleRate;
console.log(`input: ${seconds.toFixed(1)} s of eSpeak speech at ${sampleRate} Hz`);

await measure('resample 22050 → 16000 (speex q5)', seconds, () => resample(speech, sampleRate, 16000));
await measure('resample 22050 → 48000 (speex q5)', seconds, () => resample(speech, sampleRate, 48000));
for (const rate of [8000, 16000, 24000, 48000]) {
  const input = await resample(speech, sampleRate, rate);
  await measure(`mp3 encode ${rate} Hz (4096-sample chunks)`, seconds, async () => {
    const encoder = await createEncoder({ format: 'mp3', sampleRate: rate });
    for (let o = 0; o < input.length; o += 4096) encoder.encode(input.subarray(o, o + 4096));
    encoder.finish();
  });
}
const at16k = await resample(speech, sampleRate, 16000);
await measure('wav encode 16000 Hz', seconds, async () => {
  const encoder = await createEncoder({ format: 'wav', sampleRate: 16000 });
  encoder.encode(at16k);
  encoder.finish();
});
await measure('pitch shift ×1.335 at 22050 Hz', seconds, () => pitchShift({ samples: speech, sampleRate, ratio: 2 ** (5 / 12) }));
await measure('pitch shift ×0.8 at 22050 Hz', seconds, () => pitchShift({ samples: speech, sampleRate, ratio: 0.8 }));
await measure('pitch shift ×1.335 at 16000 Hz', seconds, () => pitchShift({ samples: at16k, sampleRate: 16000, ratio: 2 ** (5 / 12) }));
await measure('time stretch tempo 1.5 at 22050 Hz', seconds, () => timeStretch({ samples: speech, sampleRate, tempo: 1.5 }));
await measure('time stretch tempo 0.7 at 22050 Hz', seconds, () => timeStretch({ samples: speech, sampleRate, tempo: 0.7 }));
