/**
 * The voice catalog and the eSpeak variant table, loaded from their JSON data files and checked
 * once, so a bad edit to the data fails at start-up with a message naming the entry.
 */
import catalogData from './voice-catalog.json' with { type: 'json' };
import variantData from './espeak-variants.json' with { type: 'json' };
import type { Gender, Language } from '../engine/engine.types.js';
import type { CatalogVoice } from './voices.types.js';

/** The eSpeak NG side of the catalog (espeak-variants.json). */
export interface EspeakVariantTable {
  /** eSpeak voice per language or English accent. */
  models: { zh: string; 'en-us': string; 'en-gb': string };
  /** Variant names per gender, handed out round-robin. */
  variants: Record<Gender, string[]>;
  /** Pitch shift the audio stage adds to child voices spoken by an adult speaker. */
  childPitchSemitones: number;
  /** eSpeak NG's native output rate. */
  sampleRate: number;
}

const GENDERS: readonly Gender[] = ['female', 'male', 'child'];
const LANGUAGES: readonly Language[] = ['zh', 'en'];
const SCENARIOS = ['general', 'customer-service', 'children', 'english', 'openai'];
const VOICE_TYPES = ['Male', 'Female', 'Boy', 'Girl'];

function fail(what: string): never {
  throw new Error(`voice catalog: ${what}`);
}

/** Checks one catalog entry; throws naming the entry and the field. */
function checkVoice(value: unknown, index: number): CatalogVoice {
  const v = value as Partial<CatalogVoice>;
  const at = `entry ${index} (${String(v?.id)})`;
  if (typeof v?.id !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(v.id)) fail(`${at}: id must be a plain name`);
  if (typeof v.name !== 'string' || v.name === '') fail(`${at}: name is missing`);
  if (!GENDERS.includes(v.gender as Gender)) fail(`${at}: gender must be one of ${GENDERS.join(', ')}`);
  if (!VOICE_TYPES.includes(v.voiceType as string)) fail(`${at}: voiceType must be one of ${VOICE_TYPES.join(', ')}`);
  if (!SCENARIOS.includes(v.scenario as string)) fail(`${at}: scenario must be one of ${SCENARIOS.join(', ')}`);
  if (!Array.isArray(v.languages) || v.languages.length === 0 || !v.languages.every((l) => LANGUAGES.includes(l))) {
    fail(`${at}: languages must be a non-empty list of ${LANGUAGES.join(', ')}`);
  }
  if (v.accent !== undefined && v.accent !== 'en-us' && v.accent !== 'en-gb') fail(`${at}: accent must be en-us or en-gb`);
  if (typeof v.timestamps !== 'boolean') fail(`${at}: timestamps must be true or false`);
  return {
    id: v.id,
    name: v.name,
    gender: v.gender as Gender,
    voiceType: v.voiceType as CatalogVoice['voiceType'],
    style: String(v.style ?? ''),
    desc: String(v.desc ?? ''),
    scenario: v.scenario as CatalogVoice['scenario'],
    languages: [...v.languages],
    ...(v.accent ? { accent: v.accent } : {}),
    timestamps: v.timestamps,
  };
}

/** Every name of the catalog (38 Alibaba voices, then the six OpenAI names), in catalog order. */
export function loadVoiceCatalog(data: unknown = catalogData): CatalogVoice[] {
  const voices = (data as { voices?: unknown }).voices;
  if (!Array.isArray(voices)) fail('"voices" must be a list');
  const checked = voices.map(checkVoice);
  const seen = new Set<string>();
  for (const v of checked) {
    const key = v.id.toLowerCase();
    if (seen.has(key)) fail(`voice "${v.id}" is listed twice (names match case-insensitively)`);
    seen.add(key);
  }
  return checked;
}

/** The eSpeak variant table, checked. */
export function loadEspeakVariants(data: unknown = variantData): EspeakVariantTable {
  const t = data as Partial<EspeakVariantTable>;
  const models = t.models as Partial<EspeakVariantTable['models']> | undefined;
  if (!models || typeof models.zh !== 'string' || typeof models['en-us'] !== 'string' || typeof models['en-gb'] !== 'string') {
    fail('espeak-variants: models needs zh, en-us and en-gb');
  }
  for (const g of GENDERS) {
    const list = t.variants?.[g];
    if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string' && s !== '')) {
      fail(`espeak-variants: variants.${g} must be a non-empty list of names`);
    }
  }
  if (typeof t.childPitchSemitones !== 'number') fail('espeak-variants: childPitchSemitones must be a number');
  if (!Number.isInteger(t.sampleRate) || (t.sampleRate as number) <= 0) fail('espeak-variants: sampleRate must be a rate in Hz');
  return {
    models: { zh: models.zh, 'en-us': models['en-us'], 'en-gb': models['en-gb'] },
    variants: { female: [...t.variants!.female], male: [...t.variants!.male], child: [...t.variants!.child] },
    childPitchSemitones: t.childPitchSemitones,
    sampleRate: t.sampleRate as number,
  };
}
