import { createEspeakEngine } from '/work/main/src/engine/espeak.engine.js';
import { EDITING_DEFAULTS } from '/work/main/src/jobs/editing-config.models.js';
import { createSpeechService } from '/work/main/src/speech/speech.service.js';
import { createVoiceResolver } from '/work/main/src/voices/voice-resolver.models.js';
import { loadPackCatalog } from '/work/main/src/voices/pack-catalog.models.js';
import { CHINESE_TEXT } from '/work/main/bench/support/texts.js';
const espeak = await createEspeakEngine();
const resolver = createVoiceResolver({ installed: await espeak.listVoices(), packs: loadPackCatalog().packs });
const speech = createSpeechService({ engines: { espeak }, resolver: () => resolver });
for (let i = 0; i < 15; i++) {
  const plan = speech.prepare({ inputText: CHINESE_TEXT, editing: { ...EDITING_DEFAULTS, voice: 'Siqi' } });
  const t = performance.now();
  await speech.render({ plan, write: async () => {} });
  console.log((performance.now() - t).toFixed(0));
}
