import { describe, expect, it } from 'vitest';
import { isAppError } from '../shared/errors.js';
import { parseInput } from './parse-input.js';
import type { SpeechPiece } from './text.types.js';

const parse = (input: string, language: 'zh' | 'en' = 'zh') => parseInput(input, { language, maxChars: 10_000 });
const neutral = { rate: 1, pitch: 1, volume: 1 };
const allPieces = (input: string, language: 'zh' | 'en' = 'zh'): SpeechPiece[] => parse(input, language).segments.flatMap((s) => s.pieces);

/** Asserts the SSML is refused with InvalidParameter.Ssml at the given place. */
function expectSsmlError(input: string, where: { line: number; column: number }, reason: RegExp) {
  try {
    parse(input);
  } catch (error) {
    expect(isAppError(error)).toBe(true);
    if (!isAppError(error)) return;
    expect(error.code).toBe('InvalidParameter.Ssml');
    expect(error.httpStatus).toBe(400);
    expect(error.message).toContain(`line ${where.line}, column ${where.column}:`);
    expect(error.message).toMatch(reason);
    return;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

describe('SSML tags', () => {
  it('<speak> attributes become overrides and the voice goes on every segment', () => {
    const parsed = parse('<speak voice="xiaoyun" rate="-200" pitch="100" volume="80" encodeType="mp3" sampleRate="24000">你好。</speak>');
    expect(parsed.isSsml).toBe(true);
    expect(parsed.overrides).toEqual({ voice: 'xiaoyun', speechRate: -200, pitchRate: 100, volume: 80, format: 'mp3', sampleRate: 24000 });
    expect(parsed.segments).toEqual([{ text: '你好。', voice: 'xiaoyun', charCount: 3, pieces: [{ kind: 'text', text: '你好。', prosody: neutral }] }]);
  });

  it('accepts an XML declaration, namespaces and xml:lang, and ignores comments', () => {
    const parsed = parse('<?xml version="1.0" encoding="UTF-8"?>\n<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="zh-CN"><!-- note -->好</speak>');
    expect(parsed.segments.map((s) => s.text)).toEqual(['好']);
  });

  it('several <speak> blocks mixed with plain text, each block with its own voice', () => {
    const parsed = parse('<speak voice="siqi">第一段。</speak>中间的文字。<speak voice="harry">Hello.</speak>');
    expect(parsed.segments.map((s) => [s.text, s.voice])).toEqual([['第一段。', 'siqi'], ['中间的文字。', undefined], ['Hello.', 'harry']]);
    // The text between the blocks keeps the request's voice: no block's voice becomes the job's.
    expect(parsed.overrides.voice).toBeUndefined();
  });

  it("with plain text around it, a block keeps its rate, pitch and volume to itself; its format and rate are the file's", () => {
    const parsed = parse('前言很长的一句话。<speak rate="500" pitch="-500" volume="100" encodeType="wav" sampleRate="24000">块。</speak>结尾也是很长的一句话！');
    const prosodyOf = (index: number) => {
      const piece = parsed.segments[index].pieces[0];
      return piece.kind === 'text' ? piece.prosody : null;
    };
    expect(prosodyOf(0)).toEqual(neutral);
    expect(prosodyOf(1)).toMatchObject({ rate: 2, pitch: 0.5, volume: 2 });
    expect(prosodyOf(2)).toEqual(neutral);
    expect(parsed.overrides).toEqual({ format: 'wav', sampleRate: 24000 });
  });

  it("an input that is all SSML takes the first block's attributes as the job's settings", () => {
    const parsed = parse(' <speak voice="harry" rate="500">One.</speak>\n<speak>Two.</speak> ', 'en');
    expect(parsed.overrides).toEqual({ voice: 'harry', speechRate: 500 });
    expect(parsed.segments.map((s) => s.voice)).toEqual(['harry', undefined]);
  });

  it('a later <speak> block with another rate becomes relative prosody', () => {
    const parsed = parse('<speak rate="0">一。</speak><speak rate="500">二。</speak>');
    const second = parsed.segments[1].pieces[0];
    expect(second.kind === 'text' && second.prosody.rate).toBeCloseTo(2);
    expect(parsed.overrides.speechRate).toBe(0);
  });

  it('<break time> and <break strength> become silence inside the sentence', () => {
    expect(allPieces('<speak>你好<break time="1500ms"/>世界<break time="2s"/>啊<break strength="x-strong"/>吧<break/>呢</speak>')).toEqual([
      { kind: 'text', text: '你好', prosody: neutral },
      { kind: 'silence', ms: 1500 },
      { kind: 'text', text: '世界', prosody: neutral },
      { kind: 'silence', ms: 2000 },
      { kind: 'text', text: '啊', prosody: neutral },
      { kind: 'silence', ms: 1250 },
      { kind: 'text', text: '吧', prosody: neutral },
      { kind: 'silence', ms: 750 },
      { kind: 'text', text: '呢', prosody: neutral },
    ]);
  });

  it('a <break> between sentences closes the sentence before it', () => {
    const parsed = parse('<speak><s>One</s><break time="300ms"/><s>Two</s></speak>', 'en');
    expect(parsed.segments).toHaveLength(2);
    expect(parsed.segments[0].pieces.at(-1)).toEqual({ kind: 'silence', ms: 300 });
  });

  it('<s> and <p> are segment boundaries', () => {
    const parsed = parse('<speak><p><s>first part</s><s>second part</s></p><p>third</p></speak>', 'en');
    expect(parsed.segments.map((s) => s.text)).toEqual(['first part', 'second part', 'third']);
  });

  it('<sub> shows its content and reads its alias', () => {
    const parsed = parse('<speak><sub alias="世界卫生组织">WHO</sub>成立了。</speak>');
    expect(parsed.segments[0].text).toBe('WHO成立了。');
    expect(parsed.segments[0].pieces[0]).toEqual({ kind: 'text', text: '世界卫生组织', prosody: neutral });
    expect(parsed.charCount).toBe(7);
  });

  it.each([
    ['cardinal', '10086', '一万零八十六'],
    ['number', '1,234', '一千二百三十四'],
    ['digits', '10086', '一零零八六'],
    ['telephone', '010-12345678', '零幺零 幺二三四五六七八'],
    ['date', '2024-01-05', '二零二四年一月五日'],
    ['time', '14:30', '十四点三十分'],
    ['currency', '12.50元', '十二元五角'],
    ['ordinal', '3', '第三'],
    ['characters', 'AB1', 'A B 一'],
  ])('<say-as interpret-as="%s"> reads %s as %s', (kind, text, spoken) => {
    expect(allPieces(`<speak>号码<say-as interpret-as="${kind}">${text}</say-as></speak>`)[1]).toEqual({ kind: 'text', text: spoken, prosody: neutral });
  });

  it.each([
    ['cardinal', '10086', 'ten thousand eighty-six'],
    ['digits', '2024', 'two zero two four'],
    ['telephone', '555-0123', 'five five five, zero one two three'],
    ['date', '2024-01-05', 'January fifth, twenty twenty-four'],
    ['time', '9:05', 'nine oh five'],
    ['currency', '$3.99', 'three dollars and ninety-nine cents'],
    ['spell-out', 'nasa', 'N A S A'],
  ])('English <say-as interpret-as="%s"> reads %s as %s', (kind, text, spoken) => {
    expect(allPieces(`<speak>Call <say-as interpret-as="${kind}">${text}</say-as> now</speak>`, 'en')[1]).toEqual({ kind: 'text', text: spoken, prosody: neutral });
  });

  it('<phoneme> carries pinyin or IPA and the text it stands for', () => {
    expect(allPieces('<speak><phoneme alphabet="py" ph="zhong1 guo2">中国</phoneme><phoneme alphabet="ipa" ph="təˈmɑːtəʊ">tomato</phoneme></speak>')).toEqual([
      { kind: 'phoneme', alphabet: 'pinyin', phonemes: 'zhong1 guo2', text: '中国', prosody: neutral },
      { kind: 'phoneme', alphabet: 'ipa', phonemes: 'təˈmɑːtəʊ', text: 'tomato', prosody: neutral },
    ]);
  });

  it('<w> keeps a word together even across punctuation', () => {
    const parsed = parse('<speak>我们去<w>长沙，湖南</w>玩。</speak>');
    expect(parsed.segments.map((s) => s.text)).toEqual(['我们去长沙，湖南玩。']);
  });

  it('<prosody> maps rate, pitch and volume to multipliers, nested ones multiply', () => {
    const pieces = allPieces('<speak><prosody rate="x-slow" volume="+6dB">慢<prosody rate="150%" pitch="-10%">快</prosody></prosody><prosody pitch="+12st" volume="soft">高</prosody></speak>');
    const prosodies = pieces.map((piece) => (piece.kind === 'text' ? piece.prosody : undefined));
    expect(prosodies[0]).toEqual({ rate: 0.5, pitch: 1, volume: expect.closeTo(1.995, 3) });
    expect(prosodies[1]).toEqual({ rate: 0.75, pitch: 0.9, volume: expect.closeTo(1.995, 3) });
    expect(prosodies[2]).toEqual({ rate: 1, pitch: 2, volume: 0.5 });
  });

  it('nested <prosody> multiplies only up to the bounds of one: 0.25–4× rate, 0.5–2× pitch, at most 4× volume', () => {
    const nest = (attribute: string, depth: number) => `<speak>${`<prosody ${attribute}>`.repeat(depth)}hi${'</prosody>'.repeat(depth)}</speak>`;
    const prosodyOf = (input: string) => {
      const piece = allPieces(input)[0];
      return piece.kind === 'text' ? piece.prosody : undefined;
    };
    expect(prosodyOf(nest('rate="25%"', 6))?.rate).toBe(0.25);
    expect(prosodyOf(nest('rate="x-fast"', 6))?.rate).toBe(4);
    expect(prosodyOf(nest('pitch="+12st"', 3))?.pitch).toBe(2);
    expect(prosodyOf(nest('pitch="-12st"', 3))?.pitch).toBe(0.5);
    expect(prosodyOf(nest('volume="x-loud"', 4))?.volume).toBe(4);
  });

  it('entities are decoded and never read as markup', () => {
    const parsed = parse('<speak>AT&amp;T &lt;3 &quot;ok&quot;</speak>', 'en');
    expect(parsed.segments[0].text).toBe('AT&T <3 "ok"');
    expect(parsed.segments.flatMap((s) => s.pieces).map((p) => (p.kind === 'text' ? p.text : '')).join('')).not.toMatch(/speak|amp/);
  });

  it('"<speaker>" in plain text is not SSML', () => {
    expect(parse('The <speaker> said hi & left.', 'en').isSsml).toBe(false);
  });
});

describe('malformed SSML', () => {
  it('unclosed tag: names the tag that is left open', () => {
    expectSsmlError('<speak>\n  <s>hello\n</speak>', { line: 3, column: 1 }, /closing tag <\/speak> does not match <s> opened at line 2, column 3/);
    expectSsmlError('<speak>hello', { line: 1, column: 1 }, /<speak> is not closed/);
    // A wrong closing tag is reported where it stands.
    expectSsmlError('<speak>hello</spek>', { line: 1, column: 13 }, /closing tag <\/spek> does not match <speak> opened at line 1, column 1/);
    expectSsmlError('<speak><prosody rate="fast">a</prosody></prosody></speak>', { line: 1, column: 40 }, /closing tag <\/prosody> does not match <speak>/);
    expectSsmlError('<speak>\n<s>a</p></speak>', { line: 2, column: 5 }, /closing tag <\/p> does not match <s> opened at line 2, column 1/);
    expectSsmlError('<speak>a<!-- note</speak>', { line: 1, column: 9 }, /comment is not closed/);
    expectSsmlError('<speak>a<![CDATA[x</speak>', { line: 1, column: 9 }, /CDATA section is not closed/);
  });
  it('unknown tag', () => expectSsmlError('<speak>\n  ok <emphasis>x</emphasis></speak>', { line: 2, column: 6 }, /unknown tag <emphasis>/));
  it('bad attribute value', () => expectSsmlError('<speak><break time="soon"/></speak>', { line: 1, column: 8 }, /time="soon"/));
  it('break longer than 10 s', () => expectSsmlError('<speak>a<break time="11s"/></speak>', { line: 1, column: 9 }, /longer than 10s/));
  it('bad break strength', () => expectSsmlError('<speak>a<break strength="huge"/></speak>', { line: 1, column: 9 }, /strength="huge"/));
  it('out-of-range rate on <speak>', () => expectSsmlError('<speak rate="501">x</speak>', { line: 1, column: 1 }, /-500 to 500/));
  it('a strength that is not one, even beside a time', () => expectSsmlError('<speak>a<break time="1s" strength="bogus"/></speak>', { line: 1, column: 9 }, /strength="bogus"/));
  it('breaks adding up to more than 10 minutes', () => {
    const input = `<speak>a${'<break time="10s"/>'.repeat(60)}<break time="10ms"/></speak>`;
    expectSsmlError(input, { line: 1, column: 9 + 60 * '<break time="10s"/>'.length }, /more than 10 minutes of silence/);
    expect(() => parse(`<speak>a${'<break time="10s"/>'.repeat(60)}</speak>`)).not.toThrow();
  });
  it('out-of-range prosody rate', () => expectSsmlError('<speak>\n<prosody rate="10">x</prosody></speak>', { line: 2, column: 1 }, /out of range/));
  it('bad speak volume, encodeType and sampleRate', () => {
    expectSsmlError('<speak volume="101">x</speak>', { line: 1, column: 1 }, /volume/);
    expectSsmlError('<speak encodeType="ogg">x</speak>', { line: 1, column: 1 }, /encodeType/);
    expectSsmlError('<speak sampleRate="44100">x</speak>', { line: 1, column: 1 }, /sampleRate/);
  });
  it('stray &', () => expectSsmlError('<speak>\nTom & Jerry</speak>', { line: 2, column: 5 }, /&amp;/));
  it('stray <', () => expectSsmlError('<speak>1 < 2</speak>', { line: 1, column: 11 }, /tag name/));
  it('nested speak', () => expectSsmlError('<speak>a<speak>b</speak></speak>', { line: 1, column: 9 }, /nested/));
  it('attribute on the wrong tag', () => expectSsmlError('<speak><s alias="x">a</s></speak>', { line: 1, column: 8 }, /"alias" is not allowed on <s>/));
  it('tag outside <speak>', () => expectSsmlError('<speak>a</speak> b <break/>', { line: 1, column: 20 }, /must be inside <speak>/));
  it('text inside <break>', () => expectSsmlError('<speak><break>x</break></speak>', { line: 1, column: 8 }, /must be empty/));
  it('element inside a text-only element', () => expectSsmlError('<speak><sub alias="a"><s>b</s></sub></speak>', { line: 1, column: 23 }, /only text/));
  it('missing required attributes', () => {
    expectSsmlError('<speak><sub>x</sub></speak>', { line: 1, column: 8 }, /alias/);
    expectSsmlError('<speak><say-as>1</say-as></speak>', { line: 1, column: 8 }, /interpret-as/);
    expectSsmlError('<speak><say-as interpret-as="roman">1</say-as></speak>', { line: 1, column: 8 }, /roman/);
  });
  it('bad phoneme', () => {
    expectSsmlError('<speak><phoneme alphabet="x-sampa" ph="a">a</phoneme></speak>', { line: 1, column: 8 }, /alphabet/);
    expectSsmlError('<speak><phoneme alphabet="py" ph="zhong guo">中国</phoneme></speak>', { line: 1, column: 8 }, /tone numbers/);
    expectSsmlError('<speak><phoneme alphabet="py" ph="zhong1">中国</phoneme></speak>', { line: 1, column: 8 }, /1 syllables but the text has 2/);
  });
  it('p inside s', () => expectSsmlError('<speak><s><p>x</p></s></speak>', { line: 1, column: 11 }, /<p> cannot be inside <s>/));
  it('unquoted attribute and duplicate attribute', () => {
    expectSsmlError('<speak rate=1>x</speak>', { line: 1, column: 13 }, /unquoted/);
    expectSsmlError('<speak rate="1" rate="2">x</speak>', { line: 1, column: 25 }, /duplicate/);
  });
  it('columns count characters, not UTF-16 units', () => expectSsmlError('<speak>😀😀<bad/></speak>', { line: 1, column: 10 }, /unknown tag/));
  it('conflicting output formats between blocks', () => expectSsmlError('<speak encodeType="mp3">a</speak>\n<speak encodeType="wav">b</speak>', { line: 2, column: 1 }, /encodeType/));
  it('a closing </speak> with no opening one, or a miscased <Speak>, is SSML to refuse, not plain text to read aloud', () => {
    expectSsmlError('Hello there.</speak>', { line: 1, column: 13 }, /closing tag without a matching opening tag/);
    expectSsmlError('speak>Hello.</speak>', { line: 1, column: 13 }, /closing tag without a matching opening tag/);
    expectSsmlError('<Speak>Hello.</Speak>', { line: 1, column: 1 }, /unknown tag <Speak> \(SSML tags are lower case: <speak>\)/);
    expect(parse('The <speaker> left; </speakers> too.', 'en').isSsml).toBe(false);
  });
  it('SSML tags in text with no <speak> are refused where they stand, not read aloud', () => {
    expectSsmlError('Hello <break time="1s"/> world.', { line: 1, column: 7 }, /<break> is an SSML tag, and SSML must be inside <speak>…<\/speak>/);
    expectSsmlError('第一句。\n<say-as interpret-as="digits">123</say-as>', { line: 2, column: 1 }, /<say-as> is an SSML tag/);
    expectSsmlError("Read <PROSODY rate='fast'>this</PROSODY>.", { line: 1, column: 6 }, /<PROSODY> is an SSML tag/);
    expectSsmlError('An unsupported one: <emphasis>now</emphasis>', { line: 1, column: 21 }, /<emphasis> is an SSML tag/);
    // Prose with angle brackets, and markup that is not SSML, is still text.
    for (const text of ['a < b and c > d', 'x<y>z', 'Use <b>bold</b> here.', 'if n <s 2 then', 'The <speaker> spoke.', '<substance> matters']) {
      const parsed = parse(text, 'en');
      expect(parsed.isSsml).toBe(false);
      expect(parsed.segments.length).toBeGreaterThan(0);
    }
  });
  it('a self-closing tag that lost its "<" is refused where it stands, not read as words', () => {
    expectSsmlError('<speak>你好break time="1s"/>世界</speak>', { line: 1, column: 10 }, /"break time="1s"\/>" in the text looks like part of a tag/);
    expectSsmlError('<speak>One.\n  break/></speak>', { line: 2, column: 3 }, /"break\/>"/);
  });
  it('attributes cut off by a ">" typed too early are refused, not read as words', () => {
    expectSsmlError('<speak rate="100">\n volume="50">你好</speak>', { line: 2, column: 2 }, /"volume="50">" in the text looks like part of a tag/);
  });
  it('escaped or CDATA text that looks like a tag is the user\'s own text and is read', () => {
    expect(parse('<speak>Type break time=&quot;1s&quot;/&gt; here.</speak>', 'en').segments[0].text).toBe('Type break time="1s"/> here.');
    expect(parse('<speak><![CDATA[a="1"> and break/>]]></speak>', 'en').segments[0].text).toBe('a="1"> and break/>');
    expect(parse('<speak>a > b, yes> no</speak>', 'en').segments.map((s) => s.text)).toEqual(['a > b,', 'yes> no']);
  });
  it('sampleRate in decimal digits only, as numbers in EditingConfig', () => {
    for (const value of ['0x3E80', '16000.0', '16e3', '+16000']) expectSsmlError(`<speak sampleRate="${value}">x</speak>`, { line: 1, column: 1 }, /sampleRate/);
    expect(parse('<speak sampleRate="16000">x</speak>').overrides.sampleRate).toBe(16000);
  });
  it('a DOCTYPE is refused', () => {
    expect(() => parse('<!DOCTYPE x [<!ENTITY a "b">]><speak>&a;</speak>')).toThrow(/InputConfig is not valid/);
  });
});
