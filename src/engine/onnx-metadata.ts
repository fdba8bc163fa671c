import { open } from 'node:fs/promises';

/**
 * Reads the `metadata_props` of an ONNX model without loading it. sherpa-onnx exits the process on
 * missing metadata, so the engine inspects a pack itself before handing it over, and needs the
 * speaker count and sample rate for listVoices() without paying for a model load.
 *
 * Walks the top-level fields of ModelProto, reading only tags and lengths and seeking over the
 * (large) graph, so a 300 MB model costs a handful of small reads.
 */
export async function readOnnxMetadata(path: string): Promise<Record<string, string>> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const metadata: Record<string, string> = {};
    const head = Buffer.alloc(20);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await file.read(head, 0, head.length, offset);
      let p = 0;
      const next = (): number => {
        let result = 0;
        let shift = 0;
        for (;;) {
          if (p >= bytesRead) throw new Error(`truncated ONNX file at byte ${offset + p}`);
          const b = head[p++];
          // Multiplication instead of shifts so lengths above 2^31 survive.
          result += (b & 0x7f) * 2 ** shift;
          if ((b & 0x80) === 0) return result;
          shift += 7;
        }
      };
      const tag = next();
      const field = Math.floor(tag / 8);
      const wireType = tag % 8;
      if (wireType === 0) {
        next();
        offset += p;
      } else if (wireType === 1) {
        offset += p + 8;
      } else if (wireType === 5) {
        offset += p + 4;
      } else if (wireType === 2) {
        const length = next();
        const start = offset + p;
        if (field === 14) {
          const entry = Buffer.alloc(length);
          await file.read(entry, 0, length, start);
          const [key, value] = decodeStringStringEntry(entry);
          metadata[key] = value;
        }
        offset = start + length;
      } else {
        throw new Error(`not an ONNX model (wire type ${wireType} at byte ${offset})`);
      }
    }
    return metadata;
  } finally {
    await file.close();
  }
}

function decodeStringStringEntry(buf: Buffer): [string, string] {
  let key = '';
  let value = '';
  let p = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = buf[p++];
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  };
  while (p < buf.length) {
    const tag = varint();
    if (tag % 8 !== 2) throw new Error('malformed ONNX metadata entry');
    const length = varint();
    const text = buf.toString('utf8', p, p + length);
    p += length;
    if (tag >> 3 === 1) key = text;
    else if (tag >> 3 === 2) value = text;
  }
  return [key, value];
}
