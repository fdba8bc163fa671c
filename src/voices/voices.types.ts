/**
 * Types of the voices module: the catalog of names clients may send, what each name resolves to,
 * and the catalog of neural voice packs users can install.
 */
import type { EngineVoice, Gender, Language } from '../engine/engine.types.js';

/** Scenario groups of the classic Alibaba voice list (reference §5), plus the OpenAI names. */
export type VoiceScenario = 'general' | 'customer-service' | 'children' | 'english' | 'openai';

/** ListSmartVoiceGroups `VoiceType`. */
export type AliVoiceType = 'Male' | 'Female' | 'Boy' | 'Girl';

/** One voice name a client may send (`Siqi`, `alloy`), as data in voice-catalog.json. */
export interface CatalogVoice {
  /** Canonical id, as Alibaba's docs write it (`Siqi`); matched case-insensitively. */
  id: string;
  /** Display name (`思琪`). */
  name: string;
  gender: Gender;
  voiceType: AliVoiceType;
  /** Style in English (`gentle`, `standard`, `British English`). */
  style: string;
  /** Short Chinese description as ListSmartVoiceGroups shows it (`温柔女声`). */
  desc: string;
  scenario: VoiceScenario;
  /** Languages the voice reads; the first is the primary one used for text normalisation. */
  languages: Language[];
  /** English accent for English voices; picks the eSpeak model and breaks ties between neural speakers. */
  accent?: 'en-us' | 'en-gb';
  /** Whether Alibaba reports word/sentence timestamps for this voice. */
  timestamps: boolean;
}

/** What a voice name resolves to at synthesis time. */
export interface ResolvedVoice {
  /** Canonical name: the catalog id (`Siqi`) or the canonical direct name (`espeak:cmn+f3`). */
  name: string;
  engineVoice: EngineVoice;
  /** Primary language, for text normalisation (numbers as words, and so on). */
  language: Language;
  /** Sample rates a request may ask for with this voice (Hz). */
  supportedSampleRates: number[];
  /**
   * Extra pitch (semitones) the audio stage should add so the voice sounds as the catalog says:
   * non-zero only for child voices spoken by an adult speaker. 0 otherwise.
   */
  pitchShiftSemitones: number;
}

/** One row of `list()`: a name and what it maps to right now. */
export interface VoiceMapping {
  /** The name a client sends. */
  voice: string;
  /** Display name. */
  displayName: string;
  /** Where the name comes from: the Alibaba catalog, the OpenAI names, or a direct engine name. */
  source: 'alibaba' | 'openai' | 'installed';
  scenario: VoiceScenario | 'installed';
  voiceType: AliVoiceType;
  desc: string;
  style: string;
  languages: Language[];
  timestamps: boolean;
  resolved: ResolvedVoice;
}

/** ListSmartVoiceGroups `VoiceList[]` item (reference §3.4). */
export interface AliVoiceListItem {
  Voice: string;
  Name: string;
  VoiceType: AliVoiceType;
  Desc: string;
  Tag: string;
  Remark: string;
  VoiceUrl: string;
  SupportSampleRate: string;
}

/** ListSmartVoiceGroups `VoiceGroups[]` item. */
export interface AliVoiceGroup {
  Type: string;
  VoiceList: AliVoiceListItem[];
}

/** An extra single file a pack needs next to its archive (Matcha's vocoder). */
export interface PackExtraFile {
  /** Path relative to the catalog base URL (`vocoder-models/vocos-22khz-univ.onnx`). */
  path: string;
  /** File name inside the installed pack folder. */
  file: string;
  sizeBytes: number | null;
  sha256: string | null;
}

/** A known sherpa-onnx voice pack, as data in pack-catalog.json. */
export interface PackCatalogEntry {
  /** Pack name, also the archive's top folder and the folder under the voices directory. */
  name: string;
  /** Archive path relative to the catalog base URL (`tts-models/<name>.tar.bz2`). */
  path: string;
  /** Full download URL (base URL or mirror + path); filled in by loadPackCatalog. */
  url: string;
  /** Archive size in bytes when known (progress uses Content-Length anyway). */
  sizeBytes: number | null;
  /** Archive sha256 (hex) when known; null means "not known to the project" (see pack-pull). */
  sha256: string | null;
  licence: string;
  languages: Language[];
  /** Number of speakers. */
  speakers: number;
  /** Speaker names by id where the project knows them (informational; the engine reads the pack). */
  speakerNames?: string[];
  family: 'piper' | 'vits' | 'kokoro' | 'matcha' | 'melo';
  /** Native output rate (Hz). */
  sampleRate: number;
  /** Gender of the single speaker, for one-speaker packs. */
  gender?: Gender;
  extras?: PackExtraFile[];
  notes?: string;
}

/** narrate-pack.json, written into a pack folder at install time. */
export interface InstalledPackManifest {
  name: string;
  /** Where the archive was downloaded from. */
  sourceUrl: string;
  /** sha256 of the archive as downloaded (always computed, even when not verified). */
  sha256: string;
  /** Whether sha256 was checked against a known value (false with insecureSkipChecksum). */
  verified: boolean;
  sizeBytes: number;
  /** ISO-8601 time of installation. */
  installedAt: string;
}
