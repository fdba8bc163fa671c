import { describe, expect, it } from 'vitest';
import type { EngineVoice } from '../engine/engine.types.js';
import { createVoiceResolver } from './voice-resolver.models.js';
import { toVoiceGroups } from './voice-groups.models.js';

const installed: EngineVoice[] = [
  { engine: 'espeak', model: 'cmn', speaker: '', languages: ['zh'], gender: 'female', sampleRate: 22050 },
  { engine: 'sherpa', model: 'vits-melo-tts-zh_en', speaker: 0, languages: ['zh', 'en'], gender: 'female', sampleRate: 44100 },
];

describe('toVoiceGroups', () => {
  const groups = toVoiceGroups(createVoiceResolver({ installed }).list());

  it('groups names by scenario in a fixed order, Alibaba groups under their ICE names', () => {
    expect(groups.map((g) => g.Type)).toEqual(['通用场景', '客服场景', '童声场景', '英文场景', 'OpenAI', 'Installed']);
    expect(groups[0].VoiceList).toHaveLength(12);
    expect(groups[1].VoiceList).toHaveLength(11);
    expect(groups[2].VoiceList).toHaveLength(5);
    expect(groups[3].VoiceList).toHaveLength(10);
    expect(groups[4].VoiceList.map((v) => v.Voice)).toEqual(['alloy', 'echo', 'fable', 'onyx', 'nova', 'shimmer']);
  });

  it('fills every ListSmartVoiceGroups field as a string', () => {
    for (const g of groups) {
      for (const item of g.VoiceList) {
        expect(Object.keys(item).sort()).toEqual(['Desc', 'Name', 'Remark', 'SupportSampleRate', 'Tag', 'Voice', 'VoiceType', 'VoiceUrl']);
        for (const value of Object.values(item)) expect(typeof value).toBe('string');
        expect(['Male', 'Female', 'Boy', 'Girl']).toContain(item.VoiceType);
        expect(item.Tag).toBe(g.Type);
        // Submit accepts every rate for every voice (the audio stage resamples), so the list says so.
        expect(item.SupportSampleRate).toBe('8000,16000,24000,48000');
      }
    }
  });

  it('says what each name maps to', () => {
    const all = groups.flatMap((g) => g.VoiceList);
    const siqi = all.find((v) => v.Voice === 'Siqi')!;
    expect(siqi).toMatchObject({ Name: '思琪', VoiceType: 'Female', Desc: '温柔女声', VoiceUrl: '', SupportSampleRate: '8000,16000,24000,48000' });
    expect(siqi.Remark).toBe('sherpa vits-melo-tts-zh_en speaker 0');
    expect(all.find((v) => v.Voice === 'Xiaogang')!.Remark).toMatch(/^espeak cmn\+m\d$/);
    expect(all.find((v) => v.Voice === 'Xiaobei')!).toMatchObject({ VoiceType: 'Girl' });
    expect(all.find((v) => v.Voice === 'Xiaobei')!.Remark).toMatch(/pitch \+\d+ st$/);
    expect(groups[5].VoiceList.map((v) => v.Voice)).toEqual(['vits-melo-tts-zh_en:0', 'espeak:cmn']);
  });
});
