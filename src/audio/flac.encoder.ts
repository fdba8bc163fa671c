/**
 * Streaming FLAC encoder on libFLAC 1.3.4 (libflacjs, its WASM build): 16-bit mono, compression
 * level 5 (flac's default). The native FLAC stream starts with fLaC, STREAMINFO and a
 * VORBIS_COMMENT, then frames as they are encoded. A stream cannot go back, so its STREAMINFO keeps
 * total samples = 0 ("unknown", which the format allows), frame sizes 0 and an all-zero MD5
 * ("not computed"); finish().header is the final STREAMINFO, same length, for a caller that can
 * write it at offset 0 (a file; the OpenAI endpoint cannot).
 */
import { createRequire } from 'node:module';
import type * as LibFlac from 'libflacjs/dist/libflac.wasm.js';
import { concatBytes } from './bytes.models.js';
import { floatToInt16 } from './samples.models.js';
import type { StreamEncoder } from './stream-encoder.types.js';

type Flac = typeof LibFlac;
type StreamMetadata = NonNullable<Parameters<Parameters<Flac['init_encoder_stream']>[2] & {}>[0]>;

/** flac's own default: within a few percent of level 8's size at a fraction of the time. */
export const FLAC_COMPRESSION_LEVEL = 5;
/** fLaC marker + STREAMINFO block header + its 34 bytes. */
export const FLAC_STREAMINFO_END = 4 + 4 + 34;
/**
 * Largest block handed to libFLAC at once: its JS glue mallocs a copy of each block in the shared
 * WASM heap, so splitting bounds that copy whatever chunk size the caller uses (256 KiB of int32).
 */
const MAX_BLOCK = 65536;

let flacModule: Promise<Flac> | undefined;

/**
 * libFLAC is loaded once per process; each encoder is its own state in the shared heap, and every
 * call into it is synchronous, so streams never interleave inside it.
 */
export function loadFlac(): Promise<Flac> {
  flacModule ??= new Promise<Flac>((resolve, reject) => {
    // Emscripten 1.39's loader prefers fetch() whenever it exists, and Node's fetch cannot read a
    // file path; without fetch it reads the .wasm with fs. The require is synchronous, so nothing
    // else can observe fetch missing.
    const saved = globalThis.fetch;
    let flac: Flac;
    try {
      (globalThis as { fetch?: typeof fetch }).fetch = undefined;
      flac = createRequire(import.meta.url)('libflacjs/dist/libflac.wasm.js') as Flac;
    } catch (error) {
      reject(error as Error);
      return;
    } finally {
      globalThis.fetch = saved;
    }
    if (flac.isReady()) resolve(flac);
    else flac.on('ready', () => resolve(flac));
  });
  flacModule.catch(() => (flacModule = undefined));
  return flacModule;
}

/** The STREAMINFO of `header` (fLaC first) rewritten with what is known once the stream is complete. */
export function finalStreamInfo(header: Uint8Array, metadata: StreamMetadata): Uint8Array {
  const out = header.slice(0, FLAC_STREAMINFO_END);
  const view = new DataView(out.buffer);
  const info = 8; // STREAMINFO data starts after "fLaC" and the 4-byte block header
  const setUint24 = (offset: number, value: number) => {
    view.setUint8(offset, (value >>> 16) & 0xff);
    view.setUint16(offset + 1, value & 0xffff);
  };
  setUint24(info + 4, metadata.min_framesize);
  setUint24(info + 7, metadata.max_framesize);
  // Total samples: 36 bits, the low nibble of byte 13 and bytes 14–17 (the high nibble is bits-per-sample − 1).
  const total = metadata.total_samples;
  out[info + 13] = (out[info + 13] & 0xf0) | (Math.floor(total / 2 ** 32) & 0x0f);
  view.setUint32(info + 14, total >>> 0);
  const md5 = metadata.md5sum;
  for (let i = 0; i < 16; i++) out[info + 18 + i] = parseInt(md5.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export async function createFlacEncoder({ sampleRate }: { sampleRate: number }): Promise<StreamEncoder> {
  const flac = await loadFlac();
  const handle = flac.create_libflac_encoder(sampleRate, 1, 16, FLAC_COMPRESSION_LEVEL, 0, false, 0);
  if (handle === 0) throw new Error(`libFLAC could not create an encoder for ${sampleRate} Hz mono 16-bit`);
  let written: Uint8Array[] = [];
  let metadata: StreamMetadata | undefined;
  const status = flac.init_encoder_stream(
    handle,
    (data) => {
      written.push(data);
    },
    (meta) => {
      metadata = meta;
    },
  );
  if (status !== 0) {
    flac.FLAC__stream_encoder_delete(handle);
    throw new Error(`libFLAC encoder init failed (status ${status})`);
  }
  let released = false;
  const take = () => {
    const out = concatBytes(written);
    written = [];
    return out;
  };
  const release = () => {
    if (released) return;
    released = true;
    flac.FLAC__stream_encoder_delete(handle);
  };
  // libFLAC writes its header during init.
  const header = take();

  return {
    format: 'flac',
    contentType: 'audio/flac',
    start: () => header,
    encode(samples) {
      if (released) throw new Error('the FLAC encoder is closed');
      const ints = Int32Array.from(floatToInt16(samples));
      for (let offset = 0; offset < ints.length; offset += MAX_BLOCK) {
        const block = ints.subarray(offset, offset + MAX_BLOCK);
        if (!flac.FLAC__stream_encoder_process_interleaved(handle, block, block.length)) {
          const state = flac.FLAC__stream_encoder_get_state(handle);
          release();
          throw new Error(`libFLAC encoding failed (state ${state})`);
        }
      }
      return take();
    },
    finish() {
      if (released) throw new Error('the FLAC encoder is closed');
      const ok = flac.FLAC__stream_encoder_finish(handle);
      release();
      if (!ok) throw new Error('libFLAC could not finish the stream');
      const tail = take();
      return metadata && header.length >= FLAC_STREAMINFO_END ? { tail, header: finalStreamInfo(header, metadata) } : { tail };
    },
    release,
  };
}
