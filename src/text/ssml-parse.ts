/**
 * Reads SSML (possibly several <speak> blocks mixed with plain text, reference §1.4) into a flat
 * stream of inline items. saxes does the XML; we wrap the input in a synthetic root so text between
 * blocks parses, and map every position back to the original input for error messages.
 */
import { SaxesParser } from 'saxes';
import { errors } from '../shared/errors.js';
import type { InlineItem, SayAsKind } from './inline.models.js';
import {
  NEUTRAL_PROSODY,
  multiplyProsody,
  parseBreakStrength,
  parseBreakTime,
  parseProsodyPitch,
  parseProsodyRate,
  parseProsodyVolume,
  parseSpeakAttribute,
  pitchRateToRatio,
  speechRateToMultiplier,
  type Parsed,
} from './ssml-attributes.js';
import type { PieceProsody, SpeakOverrides } from './text.types.js';
import { createBrokenTagFinder } from './ssml-broken-tag.js';
import { createPositionMapper } from './text-position.js';

const ROOT = 'narrate-synthetic-root';

/** Attributes each tag accepts (xml:lang and namespace declarations are accepted everywhere and ignored). */
const ALLOWED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  speak: ['voice', 'rate', 'pitch', 'volume', 'encodeType', 'sampleRate', 'version'],
  break: ['time', 'strength'],
  s: [],
  p: [],
  sub: ['alias'],
  'say-as': ['interpret-as', 'format', 'detail'],
  phoneme: ['alphabet', 'ph'],
  w: ['role'],
  prosody: ['rate', 'pitch', 'volume'],
};

const findBrokenTag = createBrokenTagFinder(Object.keys(ALLOWED_ATTRIBUTES));

const SAY_AS: Readonly<Record<string, SayAsKind>> = {
  cardinal: 'cardinal',
  number: 'cardinal',
  ordinal: 'ordinal',
  digits: 'digits',
  telephone: 'telephone',
  date: 'date',
  time: 'time',
  currency: 'currency',
  characters: 'characters',
  'spell-out': 'characters',
  id: 'characters',
  // Read as written: we accept them because Alibaba documents them, but they need no rewriting.
  name: 'verbatim',
  address: 'verbatim',
  punctuation: 'verbatim',
  measure: 'verbatim',
};

/**
 * Silence one input may ask for with <break>. Tags count no characters, so without a cap a few
 * hundred kilobytes of breaks would make days of audio (gigabytes of WAV).
 */
const MAX_TOTAL_BREAK_MS = 10 * 60_000;

/** Elements whose content is taken as one literal string: no child elements allowed. */
const TEXT_ONLY = new Set(['sub', 'say-as', 'phoneme', 'w', 'break']);

interface Frame {
  name: string;
  /** JS index of '<' in the original input. */
  start: number;
  prosody: PieceProsody;
  voice?: string;
  /** Text collected for text-only elements. */
  content: string;
  attributes: Record<string, string>;
}

export interface SsmlReadResult {
  items: InlineItem[];
  overrides: SpeakOverrides;
}

/**
 * `<speak>` attributes override the request's settings (reference §1.4) for the whole job when the
 * input is all SSML. When plain text stands outside the blocks, a block's voice, rate, pitch and
 * volume stay inside it (the text around keeps the request's settings); the output format and
 * sample rate are the file's, so they apply job-wide either way.
 */
export function readSsml(input: string): SsmlReadResult {
  const whole = readSsmlBlocks(input, { scoped: false });
  return whole.textOutsideBlocks ? readSsmlBlocks(input, { scoped: true }) : whole;
}

function readSsmlBlocks(input: string, { scoped }: { scoped: boolean }): SsmlReadResult & { textOutsideBlocks: boolean } {
  // Built only when an error needs a position: it costs a pass over the input.
  let mapper: ReturnType<typeof createPositionMapper> | undefined;
  const positions = { at: (offset: number) => (mapper ??= createPositionMapper(input)).at(offset) };
  const fail = (reason: string, offset: number): never => {
    throw errors.invalidSsml(reason, positions.at(offset));
  };

  checkAmpersands(input, fail);
  const body = blankOutXmlDeclaration(input);
  const prefix = `<${ROOT}>`;
  const wrapped = `${prefix}${body}</${ROOT}>`;
  const toOriginal = (wrappedOffset: number) => Math.max(0, Math.min(input.length, wrappedOffset - prefix.length));

  const items: InlineItem[] = [];
  const overrides: SpeakOverrides = {};
  const stack: Frame[] = [];
  let tagStart = 0;
  /** Where the text after the last tag, comment or CDATA section starts in the input. */
  let rawTextStart = 0;
  const markupEnded = () => {
    rawTextStart = toOriginal(parser.position);
  };
  let speakBlocks = 0;
  let textOutsideBlocks = false;
  let silenceMs = 0;
  /** Multiplies onto every piece of the current <speak> block: its rate/pitch/volume against the job's. */
  let blockProsody: PieceProsody = NEUTRAL_PROSODY;

  const parser = new SaxesParser({ position: true });
  const top = () => stack[stack.length - 1];

  const onText = (text: string) => {
    const frame = top();
    if (!frame) return; // whitespace after the synthetic root closes
    // The text as written (entities not yet decoded, so an escaped "&gt;" is no tag): from the end of
    // the last markup to the "<" saxes has just read.
    const raw = input.slice(rawTextStart, toOriginal(parser.position - 1));
    const broken = findBrokenTag(raw);
    if (broken) {
      fail(`"${broken.piece}" in the text looks like part of a tag (a "<" missing or a ">" too early); write &lt; and &gt; for literal ones`, rawTextStart + broken.index);
    }
    readText(text);
  };

  const readText = (text: string) => {
    const frame = top();
    if (!frame) return;
    if (frame.name === ROOT && text.trim() !== '') textOutsideBlocks = true;
    if (frame.name === 'break') {
      if (text.trim() !== '') fail('<break> must be empty', frame.start);
      return;
    }
    if (TEXT_ONLY.has(frame.name)) {
      frame.content += text;
      return;
    }
    items.push({ kind: 'text', text, atomic: false, prosody: frame.prosody, voice: frame.voice });
  };

  parser.on('opentagstart', (tag) => {
    // saxes has read the name and one character past it.
    tagStart = toOriginal(parser.position - tag.name.length - 2);
  });

  parser.on('opentag', (tag) => {
    markupEnded();
    const parent = top();
    if (!parent) {
      stack.push({ name: tag.name, start: 0, prosody: NEUTRAL_PROSODY, content: '', attributes: {} });
      return;
    }
    const start = tagStart;
    const name = tag.name;
    const allowed = ALLOWED_ATTRIBUTES[name];
    if (!allowed) {
      // XML names are case-sensitive: <Speak> is not <speak>, and saying so is the useful answer.
      const hint = ALLOWED_ATTRIBUTES[name.toLowerCase()] ? ` (SSML tags are lower case: <${name.toLowerCase()}>)` : '';
      fail(`unknown tag <${name}>${hint}`, start);
    }
    if (parent.name === ROOT && name !== 'speak') fail(`<${name}> must be inside <speak>`, start);
    if (TEXT_ONLY.has(parent.name)) fail(`<${parent.name}> may contain only text, not <${name}>`, start);
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries(tag.attributes as Record<string, string>)) {
      if (key === 'xml:lang' || key === 'xmlns' || key.startsWith('xmlns:') || key.startsWith('xsi:')) continue;
      if (!allowed.includes(key)) fail(`attribute "${key}" is not allowed on <${name}>`, start);
      attributes[key] = value;
    }
    const check = <T>(parsed: Parsed<T>): T => (parsed.ok ? parsed.value : fail(`<${name}>: ${parsed.reason}`, start));
    const frame: Frame = { name, start, prosody: parent.prosody, voice: parent.voice, content: '', attributes };

    switch (name) {
      case 'speak': {
        if (stack.some((f) => f.name === 'speak')) fail('<speak> cannot be nested', start);
        const block: SpeakOverrides = {};
        for (const [key, value] of Object.entries(attributes)) {
          if (key === 'version') continue;
          Object.assign(block, check(parseSpeakAttribute(key, value)));
        }
        blockProsody = mergeBlockOverrides({ overrides, block, isFirst: speakBlocks === 0 && !scoped, scoped, fail: (reason) => fail(reason, start) });
        speakBlocks++;
        frame.prosody = blockProsody;
        frame.voice = block.voice;
        items.push({ kind: 'boundary' });
        break;
      }
      case 's':
      case 'p': {
        const enclosing = stack.find((f) => f.name === 's' || (f.name === 'p' && name === 'p'));
        if (enclosing) fail(`<${name}> cannot be inside <${enclosing.name}>`, start);
        items.push({ kind: 'boundary', sentence: true });
        break;
      }
      case 'break': {
        // A strength next to a time is overridden by it, but must still be a real strength.
        const strength = check(parseBreakStrength(attributes.strength ?? 'medium'));
        const ms = attributes.time !== undefined ? check(parseBreakTime(attributes.time)) : strength;
        silenceMs += ms;
        if (silenceMs > MAX_TOTAL_BREAK_MS) fail(`the breaks add up to more than ${MAX_TOTAL_BREAK_MS / 60_000} minutes of silence`, start);
        items.push({ kind: 'silence', ms, voice: frame.voice });
        break;
      }
      case 'sub':
        if (attributes.alias === undefined) fail('<sub> needs an alias attribute', start);
        break;
      case 'say-as': {
        const kind = attributes['interpret-as'];
        if (kind === undefined) fail('<say-as> needs an interpret-as attribute', start);
        if (!SAY_AS[kind]) fail(`<say-as>: interpret-as="${kind}" must be one of ${Object.keys(SAY_AS).join(', ')}`, start);
        break;
      }
      case 'phoneme': {
        const alphabet = attributes.alphabet;
        if (alphabet === undefined || attributes.ph === undefined) fail('<phoneme> needs alphabet and ph attributes', start);
        if (!['py', 'pinyin', 'ipa'].includes(alphabet)) fail(`<phoneme>: alphabet="${alphabet}" must be py, pinyin or ipa`, start);
        if (attributes.ph.trim() === '') fail('<phoneme>: ph must not be empty', start);
        if (alphabet !== 'ipa' && !PINYIN.test(attributes.ph.trim())) {
          fail(`<phoneme>: ph="${attributes.ph}" is not pinyin with tone numbers, like "zhong1 guo2"`, start);
        }
        break;
      }
      case 'prosody': {
        const change: Partial<PieceProsody> = {};
        if (attributes.rate !== undefined) change.rate = check(parseProsodyRate(attributes.rate));
        if (attributes.pitch !== undefined) change.pitch = check(parseProsodyPitch(attributes.pitch));
        if (attributes.volume !== undefined) change.volume = check(parseProsodyVolume(attributes.volume));
        frame.prosody = multiplyProsody(parent.prosody, change);
        break;
      }
    }
    stack.push(frame);
  });

  parser.on('closetag', (tag) => {
    markupEnded();
    const open = top();
    // saxes closes inner tags implicitly before it reports a mismatched close tag; we refuse instead.
    if (open && open.name !== ROOT && !tag.isSelfClosing) {
      const closeAt = wrapped.lastIndexOf('</', parser.position - 1);
      const written = wrapped.startsWith(tag.name, closeAt + 2) && /[\s>]/.test(wrapped[closeAt + 2 + tag.name.length]);
      if (!written) {
        // The input ended (the synthetic root closes) with this tag still open.
        if (closeAt >= prefix.length + body.length) fail(`<${open.name}> is not closed`, open.start);
        // The error is where the wrong closing tag stands, and names the tag it should have closed.
        const writtenName = /^[^\s>]*/.exec(wrapped.slice(closeAt + 2))![0];
        const where = positions.at(open.start);
        fail(`closing tag </${writtenName}> does not match <${open.name}> opened at line ${where.line}, column ${where.column}`, toOriginal(closeAt));
      }
    }
    const frame = stack.pop();
    if (!frame) return;
    const { name, attributes, content, start } = frame;
    switch (name) {
      case 'speak':
        items.push({ kind: 'boundary' });
        break;
      case 's':
      case 'p':
        items.push({ kind: 'boundary', sentence: true });
        break;
      case 'sub':
        if (content.trim() === '') fail('<sub> must contain the text it replaces', start);
        items.push({ kind: 'text', text: content, alias: attributes.alias, atomic: true, prosody: frame.prosody, voice: frame.voice });
        break;
      case 'say-as':
        items.push({
          kind: 'text',
          text: content,
          sayAs: { kind: SAY_AS[attributes['interpret-as']], format: attributes.format },
          atomic: true,
          prosody: frame.prosody,
          voice: frame.voice,
        });
        break;
      case 'w':
        items.push({ kind: 'text', text: content, atomic: true, prosody: frame.prosody, voice: frame.voice });
        break;
      case 'phoneme': {
        const alphabet = attributes.alphabet === 'ipa' ? 'ipa' : 'pinyin';
        const phonemes = attributes.ph.trim().replace(/\s+/g, ' ');
        if (alphabet === 'pinyin') {
          const hanCount = [...content].filter((char) => HAN.test(char)).length;
          const syllables = phonemes.split(' ').length;
          if (hanCount > 0 && hanCount !== syllables) {
            fail(`<phoneme>: ph has ${syllables} syllables but the text has ${hanCount} Chinese characters`, start);
          }
        }
        if (content.trim() === '') fail('<phoneme> must contain the text it stands for', start);
        items.push({ kind: 'phoneme', text: content, alphabet, phonemes, prosody: frame.prosody, voice: frame.voice });
        break;
      }
    }
  });

  parser.on('text', onText);
  // CDATA is literal text by definition: whatever it holds was meant to be read.
  parser.on('cdata', (text) => {
    markupEnded();
    readText(text);
  });
  parser.on('comment', markupEnded);
  parser.on('doctype', () => fail('a DOCTYPE is not allowed in SSML', 0));
  parser.on('processinginstruction', () => fail('processing instructions are not allowed in SSML', Math.max(0, toOriginal(parser.position) - 1)));
  parser.on('error', (error) => {
    const offset = toOriginal(parser.position - 1);
    const unclosed = [...stack].reverse().find((f) => f.name !== ROOT);
    for (const [opener, closer, what] of [['<!--', '-->', 'comment'], ['<![CDATA[', ']]>', 'CDATA section']] as const) {
      const at = input.lastIndexOf(opener);
      if (at >= 0 && input.indexOf(closer, at + opener.length) < 0) fail(`the ${what} is not closed (${opener} without ${closer})`, at);
    }
    if (/unexpected close tag|unclosed tag/.test(error.message)) {
      // Past the input's end means the synthetic root closed while a tag was still open.
      if (unclosed && parser.position > prefix.length + body.length) fail(`<${unclosed.name}> is not closed`, unclosed.start);
      const closeStart = input.lastIndexOf('</', offset);
      const where = positions.at(unclosed?.start ?? 0);
      fail(
        unclosed
          ? `closing tag does not match <${unclosed.name}> opened at line ${where.line}, column ${where.column}`
          : 'closing tag without a matching opening tag',
        closeStart >= 0 ? closeStart : offset,
      );
    }
    fail(error.message.replace(/^\d+:\d+: /, ''), offset);
  });

  parser.write(wrapped).close();
  return { items, overrides, textOutsideBlocks };
}

const HAN = /\p{Script=Han}/u;
const PINYIN = /^[a-zA-ZüÜvV]+[1-5](\s+[a-zA-ZüÜvV]+[1-5])*$/;

/**
 * The first <speak> block's attributes become the job's overrides (unless `scoped`: then every
 * block keeps its voice and prosody to itself). A later block may not change the output format; a
 * different rate, pitch or volume becomes prosody relative to the job's settings.
 */
function mergeBlockOverrides({ overrides, block, isFirst, scoped, fail }: {
  overrides: SpeakOverrides;
  block: SpeakOverrides;
  isFirst: boolean;
  scoped: boolean;
  fail: (reason: string) => never;
}): PieceProsody {
  if (isFirst) {
    Object.assign(overrides, block);
    return NEUTRAL_PROSODY;
  }
  for (const key of ['format', 'sampleRate'] as const) {
    if (block[key] !== undefined && overrides[key] !== undefined && block[key] !== overrides[key]) {
      fail(`<speak ${key === 'format' ? 'encodeType' : 'sampleRate'}> differs from an earlier <speak> block; one job makes one audio file`);
    }
    if (block[key] !== undefined && overrides[key] === undefined) overrides[key] = block[key] as never;
  }
  if (!scoped && overrides.voice === undefined && block.voice !== undefined) overrides.voice = block.voice;
  const rate = block.speechRate === undefined ? 1 : speechRateToMultiplier(block.speechRate) / speechRateToMultiplier(overrides.speechRate ?? 0);
  const pitch = block.pitchRate === undefined ? 1 : pitchRateToRatio(block.pitchRate) / pitchRateToRatio(overrides.pitchRate ?? 0);
  const baseVolume = overrides.volume ?? 50;
  const volume = block.volume === undefined ? 1 : baseVolume === 0 ? block.volume / 50 : block.volume / baseVolume;
  return { rate, pitch, volume };
}

/** saxes does not report a bare '&' (it scans on for a ';'), so we find it ourselves, outside comments and CDATA. */
function checkAmpersands(input: string, fail: (reason: string, offset: number) => never): void {
  const pattern = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/g;
  for (const match of input.matchAll(pattern)) {
    if (match[0] === '&') fail('"&" must be written as &amp; (and < as &lt;) in SSML', match.index ?? 0);
  }
}

/** An XML declaration is optional and may only open the input; we blank it out so positions stay put. */
function blankOutXmlDeclaration(input: string): string {
  const match = /^\uFEFF?\s*<\?xml[\s\S]*?\?>/.exec(input);
  if (!match) return input;
  return match[0].replace(/[^\n]/g, ' ') + input.slice(match[0].length);
}
