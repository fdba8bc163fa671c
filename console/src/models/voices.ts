/** ListSmartVoiceGroups → options grouped by language and gender for the voice picker. */
import type { ListSmartVoiceGroupsResponse, VoiceListItem } from '../api/ice-types.js';

export type VoiceLanguage = 'zh' | 'en' | 'other';
export type VoiceGender = 'Female' | 'Male' | 'Girl' | 'Boy';

export interface VoiceOption {
  voice: string;
  label: string;
  sampleRates: number[];
}

export interface VoiceGroupOption {
  language: VoiceLanguage;
  gender: VoiceGender;
  voices: VoiceOption[];
}

const GENDERS: readonly VoiceGender[] = ['Female', 'Male', 'Girl', 'Boy'];
const LANGUAGES: readonly VoiceLanguage[] = ['zh', 'en', 'other'];

/** The engine voice in Remark (`espeak cmn+f1`, `espeak en-us+m1`) tells the language; else the scenario group. */
export function languageOf(item: VoiceListItem, groupType: string): VoiceLanguage {
  const code = /^espeak ([a-z]{2,3})/.exec(item.Remark)?.[1];
  if (code) return code === 'cmn' || code === 'yue' || code === 'zh' || code === 'hak' ? 'zh' : code === 'en' ? 'en' : 'other';
  if (groupType === '英文场景' || groupType === 'OpenAI') return 'en';
  if (groupType === '通用场景' || groupType === '客服场景' || groupType === '童声场景') return 'zh';
  return 'other';
}

export function groupVoices(response: ListSmartVoiceGroupsResponse): VoiceGroupOption[] {
  const groups = new Map<string, VoiceGroupOption>();
  const seen = new Set<string>();
  for (const group of response.VoiceGroups) {
    for (const item of group.VoiceList) {
      if (seen.has(item.Voice.toLowerCase())) continue;
      seen.add(item.Voice.toLowerCase());
      const language = languageOf(item, group.Type);
      const gender = (GENDERS as readonly string[]).includes(item.VoiceType) ? (item.VoiceType as VoiceGender) : 'Female';
      const id = `${language}/${gender}`;
      if (!groups.has(id)) groups.set(id, { language, gender, voices: [] });
      const label = item.Name && item.Name !== item.Voice ? `${item.Voice} · ${item.Name} · ${item.Desc}` : `${item.Voice} · ${item.Desc}`;
      groups.get(id)!.voices.push({ voice: item.Voice, label, sampleRates: item.SupportSampleRate.split(',').map(Number).filter(Boolean) });
    }
  }
  return [...groups.values()].sort((a, b) => LANGUAGES.indexOf(a.language) - LANGUAGES.indexOf(b.language) || GENDERS.indexOf(a.gender) - GENDERS.indexOf(b.gender));
}
