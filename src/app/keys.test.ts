import { describe, expect, it } from 'vitest';
import { parseAllowedActions } from './keys.js';

describe('parseAllowedActions', () => {
  it('takes *, ice:*, every ICE action and narrate:CreateSpeech, in any case, spelt as the checks expect', () => {
    expect(parseAllowedActions('*')).toEqual(['*']);
    expect(parseAllowedActions(' ice:submitaudioproducejob , ICE:GetSmartHandleJob,narrate:createspeech ')).toEqual([
      'ice:SubmitAudioProduceJob',
      'ice:GetSmartHandleJob',
      'narrate:CreateSpeech',
    ]);
    expect(parseAllowedActions('ice:*,ice:WatchSmartJob,ice:GetSmartJobResult')).toEqual(['ice:*', 'ice:WatchSmartJob', 'ice:GetSmartJobResult']);
  });

  it('refuses an empty list and names the unknown actions', () => {
    expect(() => parseAllowedActions(' , ')).toThrow(/at least one action/);
    expect(() => parseAllowedActions('SubmitAudioProduceJob,ice:Bogus,ice:GetSmartHandleJob')).toThrow(/unknown action "SubmitAudioProduceJob", "ice:Bogus"/);
  });
});
