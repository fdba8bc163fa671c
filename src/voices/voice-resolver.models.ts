/**
 * Maps every voice name a client may send to a concrete engine voice, given what is installed.
 * Pure: the same installed list always gives the same mapping, so the API (at submit time) and
 * the worker (at synthesis time) agree on what "Siqi" means.
 *
 * Names accepted by resolve():
 *  - a catalog name (`Siqi`, `alloy`), any case;
 *  - `espeak:<model>` or `espeak:<model>+<variant>` (`espeak:cmn+f3`, `espeak:en-gb`);
 *  - `<pack>:<speaker>` or `sherpa:<pack>:<speaker>`, where speaker is the installed speaker id
 *    (`kokoro-multi-lang-v1_0:45`) or its name from the pack catalog (`kokoro-multi-lang-v1_0:zf_xiaobei`);
 *  - `<pack>` alone: the pack's first speaker;
 *  - a bare speaker name of an installed pack (`af_bella`, `zf_xiaobei`), as Kokoro-FastAPI clients
 *    send them; when several installed packs have that speaker, the first pack by name speaks it.
 */
import { SAMPLE_RATES } from '../audio/audio.types.js';
import type { EngineVoice, Gender, Language } from '../engine/engine.types.js';
import { loadEspeakVariants, loadVoiceCatalog, type EspeakVariantTable } from './voice-catalog.models.js';
import type { AliVoiceType, CatalogVoice, PackCatalogEntry, ResolvedVoice, VoiceMapping } from './voices.types.js';


export interface VoiceResolverDeps {
  /** What the engines can speak right now (TtsEngine.listVoices of every engine). */
  installed: EngineVoice[];
  /** Catalog names; defaults to voice-catalog.json. */
  catalog?: CatalogVoice[];
  /** eSpeak model and variant table; defaults to espeak-variants.json. */
  espeak?: EspeakVariantTable;
  /** Known packs, used for speaker names (`zf_xiaobei`) when the engine reports numeric ids. */
  packs?: PackCatalogEntry[];
}

export type VoiceResolver = ReturnType<typeof createVoiceResolver>;

interface SpeakerHint {
  language?: Language | 'other';
  accent?: 'en-us' | 'en-gb';
}

/**
 * Kokoro-style speaker names carry language and accent in their prefix (`zf_` Mandarin female,
 * `bm_` British male). Used only to break ties between speakers of one multi-lingual pack.
 */
function hintFromSpeakerName(name: string | undefined): SpeakerHint {
  const m = /^([a-z])[fm](?:_|$)/.exec(name ?? '');
  if (!m) return {};
  if (m[1] === 'z') return { language: 'zh' };
  if (m[1] === 'a') return { language: 'en', accent: 'en-us' };
  if (m[1] === 'b') return { language: 'en', accent: 'en-gb' };
  // Other Kokoro languages (Japanese, Hindi, ...): never a good speaker for zh or en text.
  return { language: 'other' };
}

function voiceTypeOf(gender: Gender): AliVoiceType {
  return gender === 'male' ? 'Male' : gender === 'child' ? 'Girl' : 'Female';
}

export function createVoiceResolver(deps: VoiceResolverDeps) {
  const catalog = deps.catalog ?? loadVoiceCatalog();
  const table = deps.espeak ?? loadEspeakVariants();
  const packs = deps.packs ?? [];
  const sherpaVoices = deps.installed.filter((v) => v.engine === 'sherpa');
  const espeakVoices = deps.installed.filter((v) => v.engine === 'espeak');

  const speakerName = (v: EngineVoice): string | undefined => {
    if (v.speakerName) return v.speakerName;
    if (typeof v.speaker === 'string') return v.speaker;
    const pack = packs.find((p) => p.name.toLowerCase() === v.model.toLowerCase());
    return pack?.speakerNames?.[v.speaker];
  };
  const directName = (v: EngineVoice): string =>
    v.engine === 'espeak' ? `espeak:${v.model}${v.speaker === '' ? '' : `+${v.speaker}`}` : `${v.model}:${v.speaker}`;

  /** Higher is better; null means "must not speak this catalog voice". */
  const score = (cv: CatalogVoice, v: EngineVoice): number | null => {
    const primary = cv.languages[0];
    if (!v.languages.includes(primary)) return null;
    let s = 0;
    if (v.gender === cv.gender) s += 8;
    else if (cv.gender === 'child' && v.gender === 'female') s += 4;
    else return null;
    if (cv.languages.every((l) => v.languages.includes(l))) s += 4;
    const hint = hintFromSpeakerName(speakerName(v));
    if (hint.language !== undefined) s += hint.language === primary ? 2 : -2;
    if (cv.accent && hint.accent) s += hint.accent === cv.accent ? 1 : 0;
    return s;
  };

  // Stable order of candidates, independent of the order engines listed them in.
  const sortKey = (v: EngineVoice) => `${v.model}\u0000${String(v.speaker).padStart(6, '0')}`;
  const sortedSherpa = [...sherpaVoices].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));

  // Round-robin counters: the n-th catalog voice that lands on the same candidate set gets its
  // n-th member, so Siqi and Ruoxi differ whenever a pack has two fitting speakers.
  const turns = new Map<string, number>();
  const takeTurn = <T>(key: string, items: T[]): T => {
    const n = turns.get(key) ?? 0;
    turns.set(key, n + 1);
    return items[n % items.length];
  };

  const espeakSampleRate = (model: string) =>
    espeakVoices.find((v) => v.model.toLowerCase() === model.toLowerCase())?.sampleRate ?? table.sampleRate;
  const espeakLanguages = (model: string): Language[] => {
    const known = espeakVoices.find((v) => v.model.toLowerCase() === model.toLowerCase());
    if (known) return [...known.languages];
    return model === table.models.zh ? ['zh'] : ['en'];
  };

  const mapCatalogVoice = (cv: CatalogVoice): ResolvedVoice => {
    const primary = cv.languages[0];
    let best = -Infinity;
    let top: EngineVoice[] = [];
    for (const v of sortedSherpa) {
      const s = score(cv, v);
      if (s === null) continue;
      if (s > best) {
        best = s;
        top = [v];
      } else if (s === best) top.push(v);
    }
    let engineVoice: EngineVoice;
    if (top.length > 0) {
      engineVoice = takeTurn(`sherpa|${top.map(directName).join('|')}`, top);
    } else {
      const model = primary === 'zh' ? table.models.zh : table.models[cv.accent ?? 'en-us'];
      const variant = takeTurn(`espeak|${model}|${cv.gender}`, table.variants[cv.gender]);
      engineVoice = {
        engine: 'espeak',
        model,
        speaker: variant,
        languages: espeakLanguages(model),
        gender: cv.gender,
        sampleRate: espeakSampleRate(model),
      };
    }
    const adultSpeaksChild = cv.gender === 'child' && (engineVoice.engine === 'espeak' || engineVoice.gender !== 'child');
    return {
      name: cv.id,
      engineVoice,
      language: primary,
      supportedSampleRates: [...SAMPLE_RATES],
      pitchShiftSemitones: adultSpeaksChild ? table.childPitchSemitones : 0,
    };
  };

  const byName = new Map<string, { cv: CatalogVoice; resolved: ResolvedVoice }>();
  for (const cv of catalog) byName.set(cv.id.toLowerCase(), { cv, resolved: mapCatalogVoice(cv) });

  const resolvedDirect = (v: EngineVoice): ResolvedVoice => ({
    name: directName(v),
    engineVoice: v,
    language: v.languages.includes('zh') ? 'zh' : 'en',
    supportedSampleRates: [...SAMPLE_RATES],
    pitchShiftSemitones: 0,
  });

  const allEspeakVariants = new Set(
    [...Object.values(table.variants).flat(), ...espeakVoices.map((v) => String(v.speaker))].map((s) => s.toLowerCase()),
  );
  const espeakModels = () => {
    const models = new Map<string, string>();
    for (const m of Object.values(table.models)) models.set(m.toLowerCase(), m);
    for (const v of espeakVoices) models.set(v.model.toLowerCase(), v.model);
    return models;
  };

  const resolveEspeak = (spec: string): ResolvedVoice | null => {
    const [modelPart, variantPart, ...rest] = spec.split('+');
    if (rest.length > 0 || !modelPart) return null;
    const model = espeakModels().get(modelPart.toLowerCase());
    if (!model) return null;
    const variant = (variantPart ?? '').toLowerCase();
    if (variantPart !== undefined && !allEspeakVariants.has(variant)) return null;
    const listed = espeakVoices.find((v) => v.model === model && String(v.speaker).toLowerCase() === variant);
    const base = espeakVoices.find((v) => v.model === model);
    const gender: Gender = variant.startsWith('f') ? 'female' : variant.startsWith('m') ? 'male' : (base?.gender ?? 'female');
    return resolvedDirect(
      listed ?? { engine: 'espeak', model, speaker: variant, languages: espeakLanguages(model), gender, sampleRate: espeakSampleRate(model) },
    );
  };

  const resolveSherpa = (pack: string, speaker: string | undefined): ResolvedVoice | null => {
    const voices = sortedSherpa.filter((v) => v.model.toLowerCase() === pack);
    if (voices.length === 0) return null;
    if (speaker === undefined) return resolvedDirect(voices[0]);
    const hit =
      voices.find((v) => String(v.speaker).toLowerCase() === speaker) ??
      voices.find((v) => speakerName(v)?.toLowerCase() === speaker);
    return hit ? resolvedDirect(hit) : null;
  };

  return {
    /** The engine voice for a client-supplied name, or null when the name is unknown (→ errors.invalidVoice). */
    resolve(name: string): ResolvedVoice | null {
      const key = name.trim().toLowerCase();
      if (key === '') return null;
      const hit = byName.get(key);
      if (hit) return hit.resolved;
      if (key.startsWith('espeak:')) return resolveEspeak(key.slice('espeak:'.length));
      const parts = (key.startsWith('sherpa:') ? key.slice('sherpa:'.length) : key).split(':');
      if (parts.length > 2 || parts[0] === '') return null;
      const direct = resolveSherpa(parts[0], parts[1]);
      if (direct || parts.length > 1 || key.startsWith('sherpa:')) return direct;
      const named = sortedSherpa.find((v) => speakerName(v)?.toLowerCase() === key);
      return named ? resolvedDirect(named) : null;
    },

    /** Every name and what it maps to: the catalog in order, then each installed voice by its direct name. */
    list(): VoiceMapping[] {
      const rows: VoiceMapping[] = catalog.map((cv) => ({
        voice: cv.id,
        displayName: cv.name,
        source: cv.scenario === 'openai' ? 'openai' : 'alibaba',
        scenario: cv.scenario,
        voiceType: cv.voiceType,
        desc: cv.desc,
        style: cv.style,
        languages: [...cv.languages],
        timestamps: cv.timestamps,
        resolved: byName.get(cv.id.toLowerCase())!.resolved,
      }));
      const direct: EngineVoice[] = [...sortedSherpa];
      if (espeakVoices.length > 0) direct.push(...espeakVoices);
      else {
        for (const model of new Set(Object.values(table.models))) {
          direct.push({ engine: 'espeak', model, speaker: '', languages: espeakLanguages(model), gender: 'female', sampleRate: table.sampleRate });
        }
      }
      for (const v of direct) {
        const resolved = resolvedDirect(v);
        const label = speakerName(v);
        rows.push({
          voice: resolved.name,
          displayName: v.engine === 'espeak' ? `eSpeak NG ${v.model}${v.speaker === '' ? '' : ` ${v.speaker}`}` : `${v.model} ${label ?? v.speaker}`,
          source: 'installed',
          scenario: 'installed',
          voiceType: voiceTypeOf(v.gender),
          desc: v.engine === 'espeak' ? 'eSpeak NG' : 'neural',
          style: label ?? '',
          languages: [...v.languages],
          timestamps: v.engine === 'espeak',
          resolved,
        });
      }
      return rows;
    },
  };
}
