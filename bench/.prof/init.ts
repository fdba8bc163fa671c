import { createResampler } from '../../src/audio/speex.resampler.js';
import { crc16Arc } from '../../src/audio/mp3-info-tag.models.js';
const x = new Float32Array(22050 * 2);
for (let r = 0; r < 3; r++) {
  let t = performance.now();
  for (let i = 0; i < 100; i++) { const s = await createResampler({ from: 22050, to: 16000 }); s.process(x.subarray(0, 10)); s.flush(); }
  console.log('init+flush per piece ms', ((performance.now() - t) / 100).toFixed(3));
  t = performance.now();
  const s = await createResampler({ from: 22050, to: 16000 }); for (let i = 0; i < 10; i++) s.process(x); s.flush();
  console.log('20 s audio resample ms', (performance.now() - t).toFixed(1));
  const b = new Uint8Array(100000); t = performance.now(); crc16Arc(b); console.log('crc 100KB ms', (performance.now() - t).toFixed(2));
}
