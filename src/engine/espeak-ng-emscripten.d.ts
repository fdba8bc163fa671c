/** Types for the parts of @echogarden/espeak-ng-emscripten (eSpeak NG 1.52 compiled to WebAssembly) the engine uses. */
declare module '@echogarden/espeak-ng-emscripten' {
  export interface EspeakEvent {
    type: 'list_terminated' | 'word' | 'sentence' | 'mark' | 'play' | 'end' | 'msg_terminated' | 'phoneme' | 'samplerate';
    /** 1-based code-point index into the input text. */
    text_position: number;
    /** Length in code points (word events). */
    word_length: number;
    /** Milliseconds from the start of this synthesize call. */
    audio_position: number;
    id?: number | string;
  }

  export interface EspeakVoiceInfo {
    name: string;
    identifier: string;
    languages: Array<{ priority: number; name: string }>;
  }

  export interface ESpeakNGWorker {
    set_voice(name: string): number;
    set_rate(wpm: number): void;
    get_rate(): number;
    set_pitch(pitch: number): void;
    set_volume(volume: number): void;
    get_samplerate(): number;
    list_voices(): EspeakVoiceInfo[];
    /** Calls back with chunks of 16-bit audio; returning true aborts synthesis. */
    synthesize(text: string, callback: (audio: Int16Array, events: EspeakEvent[]) => boolean): void;
  }

  export interface EspeakModule {
    eSpeakNGWorker: new () => ESpeakNGWorker;
    FS: {
      readdir(path: string): string[];
      readFile(path: string): Uint8Array;
      readFile(path: string, options: { encoding: 'utf8' }): string;
      stat(path: string): { mode: number; size: number };
      isDir(mode: number): boolean;
    };
  }

  const createModule: () => Promise<EspeakModule>;
  export default createModule;
}
