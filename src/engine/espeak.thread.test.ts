import { describe, expect, it } from 'vitest';
import { startEspeakThread } from './espeak.thread.js';

describe('the eSpeak NG thread', () => {
  it('recovers after the thread dies: requests in flight fail, the next one gets a fresh thread', async () => {
    const thread = startEspeakThread();
    try {
      const first = await thread.synthesize({ voice: 'en-us', rate: 175, text: 'Hello.' });
      expect(first.samples.length).toBeGreaterThan(5000);
      // Long enough (seconds of work) that the thread is still busy with it when it dies.
      const inFlight = thread.synthesize({ voice: 'en-us', rate: 175, text: 'This request is lost with its thread. '.repeat(300) });
      await thread.crashForTest();
      await expect(inFlight).rejects.toThrow(/exited/);
      const after = await thread.synthesize({ voice: 'cmn', rate: 175, text: '你好。' });
      expect(after.samples.length).toBeGreaterThan(5000);
    } finally {
      await thread.close();
    }
    await expect(thread.synthesize({ voice: 'en-us', rate: 175, text: 'x' })).rejects.toThrow(/closed/);
  });
});
