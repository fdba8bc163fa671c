/** The console's pure logic, checked against the server's own rules where both exist. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countChars as serverCount } from '../../src/text/char-count.js';
import { parseInput } from '../../src/text/parse-input.js';
import { countChars } from '../../console/src/models/char-count.js';
import { fieldOfError } from '../../console/src/models/field-errors.js';
import { groupVoices } from '../../console/src/models/voices.js';
import { currentSentenceIndex, parseAiResult } from '../../console/src/models/ai-result.js';
import { defaultFormValues, paramsOfJob, toSubmitParams } from '../../console/src/models/submit-form.js';
import { downloadName, needsFreshUrl, reachableUrl, urlExpiresAt } from '../../console/src/models/media-url.js';
import { SSML_EXAMPLES } from '../../console/src/i18n/ssml-examples.js';
import { MESSAGES } from '../../console/src/i18n/messages.js';
import { previewText, updateInPlace } from '../../console/src/models/job-list.js';
import { popCoreSnippet } from '../../console/src/models/snippets.js';

describe('console character counter', () => {
  it('counts plain text exactly as the server does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        expect(countChars(text.replace(/<speak/g, ''))).toBe(serverCount(text.replace(/<speak/g, '')));
      }),
      { numRuns: 300 },
    );
  });

  it.each([...SSML_EXAMPLES.map((example) => example.text), '<speak voice="siqi"><prosody rate="fast">你好</prosody><break time="1s"/>世界</speak>', '<speak><s>Hello</s><s>world</s> &amp; 你好</speak>'])(
    'counts SSML as the server does: %s',
    (text) => {
      expect(countChars(text)).toBe(parseInput(text, { language: 'zh', maxChars: 10_000 }).charCount);
    },
  );
});

describe('server errors to form fields', () => {
  it.each([
    ['InvalidParameter', 'The specified parameter EditingConfig.volume is not valid: 150 is outside 0…100.', 'volume'],
    ['InvalidParameter', 'The specified parameter UserData.NotifyAddress is not valid: it must be an http(s) URL.', 'notifyAddress'],
    ['InvalidParameter', 'The specified parameter Title is not valid: it is 200 bytes; at most 128 are allowed.', 'title'],
    ['MissingInputConfig', 'InputConfig is mandatory for this action.', 'text'],
    ['InvalidParameter.TextTooLong', 'InputConfig has 10001 characters; at most 10000 are allowed.', 'text'],
    ['InvalidParameter.Voice', 'The voice "nobody" is not known. ListSmartVoiceGroups lists the voices.', 'voice'],
    ['SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.', null],
  ])('%s "%s" → %s', (code, message, field) => {
    expect(fieldOfError({ code, message })).toBe(field);
  });
});

describe('voice picker groups', () => {
  it('groups by language and gender, Chinese first, each voice once', () => {
    const groups = groupVoices({
      VoiceGroups: [
        { Type: '通用场景', VoiceList: [voice('Xiaoyun', 'Female', 'espeak cmn+f1'), voice('Xiaogang', 'Male', 'espeak cmn+m1')] },
        { Type: '英文场景', VoiceList: [voice('Harry', 'Male', 'espeak en-gb+m1')] },
        { Type: '童声场景', VoiceList: [voice('Sitong', 'Girl', 'espeak cmn+f5 pitch +4 st')] },
        { Type: 'Installed', VoiceList: [voice('xiaoyun', 'Female', 'espeak cmn'), voice('kokoro:1', 'Female', 'sherpa kokoro speaker 1')] },
      ],
    });
    expect(groups.map((g) => `${g.language}/${g.gender}:${g.voices.map((v) => v.voice).join(',')}`)).toEqual([
      'zh/Female:Xiaoyun',
      'zh/Male:Xiaogang',
      'zh/Girl:Sitong',
      'en/Male:Harry',
      'other/Female:kokoro:1',
    ]);
  });
});

describe('sentences and playback position', () => {
  const sentences = parseAiResult(JSON.stringify([
    { content: '第一句。', from: 0, to: 1.2, text: '第一句。', begin_time: 0, end_time: 1200 },
    { content: '第二句。', from: 1.5, to: 2.5 },
    { text: 'third', begin_time: 2600, end_time: 3000 },
  ]));

  it('reads both AiResult shapes', () => {
    expect(sentences).toEqual([
      { text: '第一句。', from: 0, to: 1.2 },
      { text: '第二句。', from: 1.5, to: 2.5 },
      { text: 'third', from: 2.6, to: 3 },
    ]);
  });

  it('always names exactly one sentence, the last one started', () => {
    expect([0, 1.3, 1.5, 2.55, 9].map((t) => currentSentenceIndex(sentences, t))).toEqual([0, 0, 1, 1, 2]);
    expect(currentSentenceIndex([], 1)).toBe(-1);
  });
});

describe('submit parameters', () => {
  it('builds EditingConfig, OutputConfig and UserData as JSON text; out-of-range numbers go to the server as typed', () => {
    const params = toSubmitParams({ ...defaultFormValues(new Date('2024-01-02T03:04:05Z')), text: '你好', volume: '150', notifyAddress: 'https://example.com/cb', subtitles: ['srt'], overwrite: false });
    expect(JSON.parse(params.EditingConfig!)).toEqual({ voice: 'Xiaoyun', format: 'MP3', sample_rate: 16000, volume: 150, speech_rate: 0, pitch_rate: 0, subtitles: ['srt'] });
    expect(JSON.parse(params.OutputConfig!)).toEqual({ bucket: 'console', object: 'console/20240102-030405' });
    expect(JSON.parse(params.UserData!)).toEqual({ NotifyAddress: 'https://example.com/cb' });
    expect(params.Overwrite).toBe('false');
    expect(params.Title).toBeUndefined();
  });
});

describe('the same request in code', () => {
  const job = {
    UserData: '',
    SmartJobInfo: { Title: 'default_title_2024-01-02T03:04:05Z', Description: '', EditingConfig: '{"voice":"Xiaoyun"}', InputConfig: { InputFile: '你好' }, OutputConfig: { Bucket: 'b', Object: 'o' } },
  };

  it('leaves out the title the server generated, keeps a typed one', () => {
    expect(paramsOfJob(job).Title).toBeUndefined();
    expect(paramsOfJob({ ...job, SmartJobInfo: { ...job.SmartJobInfo, Title: 'Chapter 1' } }).Title).toBe('Chapter 1');
  });

  it('says how to run the pop-core program, which always needs a key, also on an anonymous server', () => {
    const endpoint = 'http://127.0.0.1:8080';
    const anonymous = popCoreSnippet({ endpoint, keyId: null, params: paramsOfJob(job) });
    expect(anonymous).toContain('// ALIBABA_CLOUD_ACCESS_KEY_ID=<key id> ALIBABA_CLOUD_ACCESS_KEY_SECRET=<secret> node narrate-job.js');
    expect(anonymous).toContain('narrate keys create');
    const signed = popCoreSnippet({ endpoint, keyId: 'demo', params: paramsOfJob(job) });
    expect(signed).toContain('// ALIBABA_CLOUD_ACCESS_KEY_SECRET=<the secret of demo> node narrate-job.js');
    expect(signed).toContain('process.env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? "demo"');
  });

  it('does not overwrite the file that made the job fail with OutputObjectExists', () => {
    expect(paramsOfJob({ ...job, ErrorCode: 'OutputObjectExists' }).Overwrite).toBe('false');
    expect(paramsOfJob(job).Overwrite).toBeUndefined();
    expect(paramsOfJob({ ...job, SmartJobInfo: { ...job.SmartJobInfo, Overwrite: false } }).Overwrite).toBe('false');
  });
});

describe('job list rows', () => {
  it('shows plain text as typed, and SSML without its markup', () => {
    expect(previewText('Is 3 <4> & "x" < y?')).toBe('Is 3 <4> & "x" < y?');
    expect(previewText('<speak>A &amp; B &lt;C&gt; <break time="1s"/>你好&#x4E16;界</speak>')).toBe('A & B <C> 你好世界');
    expect(previewText('<speak>\n  <s>One</s>\n  <!-- a <note> -->\n  <s>Two</s>\n</speak>')).toBe('One Two');
    expect(previewText(`${'好'.repeat(79)}😀😀`)).toBe(`${'好'.repeat(79)}😀`);
  });

  it('changes rows in place, never their order or which rows there are', () => {
    const shown = [{ JobId: 'a', JobState: 'Executing' }, { JobId: 'b', JobState: 'Created' }];
    const fresh = [{ JobId: 'new', JobState: 'Created' }, { JobId: 'a', JobState: 'Finished' }];
    expect(updateInPlace(shown, fresh)).toEqual([{ JobId: 'a', JobState: 'Finished' }, { JobId: 'b', JobState: 'Created' }]);
  });
});

describe('media URLs', () => {
  const local = 'http://127.0.0.1:8080/buckets/console/dir/story%20one.mp3?Expires=1700000000&Signature=abc';

  it('names the file after the object, with the format’s extension', () => {
    expect(downloadName(local, 'MP3')).toBe('story one.mp3');
    expect(downloadName('http://h/buckets/b/raw?Expires=1&Signature=x', 'PCM')).toBe('raw.pcm');
    expect(downloadName('console/20240102-030405.srt')).toBe('20240102-030405.srt');
  });

  it('reads the expiry of local, OSS and S3 signed URLs', () => {
    expect(urlExpiresAt(local)).toBe(1_700_000_000_000);
    expect(urlExpiresAt('https://s3/b/k.mp3?X-Amz-Date=20240102T030405Z&X-Amz-Expires=60&X-Amz-Signature=x')).toBe(Date.UTC(2024, 0, 2, 3, 5, 5));
    expect(urlExpiresAt('https://cdn/k.mp3')).toBeNull();
  });

  it('asks for a fresh URL only near the end of its life, in proportion to a short lifetime', () => {
    const expiresAt = 1_700_000_000_000;
    expect(needsFreshUrl({ url: local, receivedAt: expiresAt - 3_600_000, now: expiresAt - 60_000 })).toBe(false);
    expect(needsFreshUrl({ url: local, receivedAt: expiresAt - 3_600_000, now: expiresAt - 10_000 })).toBe(true);
    expect(needsFreshUrl({ url: local, receivedAt: expiresAt - 4_000, now: expiresAt - 2_000 })).toBe(false);
    expect(needsFreshUrl({ url: local, receivedAt: expiresAt - 4_000, now: expiresAt })).toBe(true);
  });

  it('reaches this server’s own buckets from the page’s origin, and leaves other URLs alone', () => {
    expect(reachableUrl(local, { origin: 'http://localhost:8080', pathname: '/console/' })).toBe('/buckets/console/dir/story%20one.mp3?Expires=1700000000&Signature=abc');
    expect(reachableUrl('https://tts.example/narrate/buckets/b/k.mp3?Expires=1&Signature=x', { origin: 'http://10.0.0.5:8080', pathname: '/narrate/console/' })).toBe('/narrate/buckets/b/k.mp3?Expires=1&Signature=x');
    expect(reachableUrl(local, { origin: 'http://127.0.0.1:8080', pathname: '/console/' })).toBe(local);
    const s3 = 'https://s3.example/buckets/k.mp3?X-Amz-Signature=x';
    expect(reachableUrl(s3, { origin: 'http://localhost:8080', pathname: '/console/' })).toBe(s3);
  });
});

describe('interface text', () => {
  it('has every key in both languages', () => {
    expect(Object.keys(MESSAGES.zh).sort()).toEqual(Object.keys(MESSAGES.en).sort());
  });
});

function voice(Voice: string, VoiceType: string, Remark: string) {
  return { Voice, Name: Voice, VoiceType, Desc: 'd', Remark, SupportSampleRate: '16000' };
}
