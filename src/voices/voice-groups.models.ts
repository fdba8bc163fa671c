/**
 * Turns the voice mapping into ListSmartVoiceGroups' `VoiceGroups[]` (reference §3.4). Group names
 * for the Alibaba scenarios are the Chinese ones ICE uses (`通用场景`), so clients that show them
 * look as they do against Alibaba; the OpenAI and installed groups are ours.
 */
import type { AliVoiceGroup, AliVoiceListItem, VoiceMapping } from './voices.types.js';

/** Group order and names. */
export const VOICE_GROUP_TYPES: ReadonlyArray<{ scenario: VoiceMapping['scenario']; type: string }> = [
  { scenario: 'general', type: '通用场景' },
  { scenario: 'customer-service', type: '客服场景' },
  { scenario: 'children', type: '童声场景' },
  { scenario: 'english', type: '英文场景' },
  { scenario: 'openai', type: 'OpenAI' },
  { scenario: 'installed', type: 'Installed' },
];

/** What a name maps to, for Remark: `sherpa kokoro-multi-lang-v1_0 speaker 45` or `espeak cmn+f1`. */
export function describeMapping(m: VoiceMapping): string {
  const v = m.resolved.engineVoice;
  const target = v.engine === 'espeak' ? `espeak ${v.model}${v.speaker === '' ? '' : `+${v.speaker}`}` : `sherpa ${v.model} speaker ${v.speaker}`;
  const pitch = m.resolved.pitchShiftSemitones ? ` pitch +${m.resolved.pitchShiftSemitones} st` : '';
  return `${target}${pitch}`;
}

function toItem(m: VoiceMapping, tag: string): AliVoiceListItem {
  return {
    Voice: m.voice,
    Name: m.displayName,
    VoiceType: m.voiceType,
    Desc: m.desc,
    Tag: tag,
    Remark: describeMapping(m),
    VoiceUrl: '',
    SupportSampleRate: m.resolved.supportedSampleRates.join(','),
  };
}

/** Groups in a fixed order; empty groups are left out. */
export function toVoiceGroups(list: VoiceMapping[]): AliVoiceGroup[] {
  return VOICE_GROUP_TYPES.map(({ scenario, type }) => ({
    Type: type,
    VoiceList: list.filter((m) => m.scenario === scenario).map((m) => toItem(m, type)),
  })).filter((g) => g.VoiceList.length > 0);
}
