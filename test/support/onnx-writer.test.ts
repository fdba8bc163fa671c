import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readOnnxMetadata } from '../../src/engine/onnx-metadata.js';
import { constant, DataType, encodeOnnxModel } from './onnx-writer.js';

describe('ONNX writer', () => {
  it('encodes the header fields as protobuf (ir_version 8 first, varint tags)', () => {
    const bytes = encodeOnnxModel({ nodes: [], inputs: [], outputs: [] });
    // field 1 varint = 8; field 2 string "narrate-tests"
    expect([...bytes.subarray(0, 4)]).toEqual([0x08, 0x08, 0x12, 13]);
    expect(new TextDecoder().decode(bytes.subarray(4, 17))).toBe('narrate-tests');
  });

  it('writes negative int64 values as ten-byte varints and raw tensor data little-endian', () => {
    const bytes = encodeOnnxModel({ nodes: [], inputs: [], outputs: [], initializers: [constant('neg', DataType.INT64, [-1])] });
    const hex = Buffer.from(bytes).toString('hex');
    // raw_data of an int64 -1: eight 0xff bytes; dims [1]; data_type 7.
    expect(hex).toContain('4a08ffffffffffffffff');
    expect(hex).toContain('08011007');
  });

  it('round-trips metadata through the engine reader, including multi-byte lengths and UTF-8', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'narrate-onnx-'));
    try {
      const long = 'x'.repeat(300);
      const path = join(dir, 'm.onnx');
      const metadata = { model_type: 'vits', comment: 'piper', speaker_names: '小北,af_heart', long };
      await writeFile(
        path,
        encodeOnnxModel({
          nodes: [{ opType: 'Identity', inputs: ['a'], outputs: ['b'] }],
          inputs: [{ name: 'a', elemType: DataType.FLOAT, shape: [1, 'T'] }],
          outputs: [{ name: 'b', elemType: DataType.FLOAT, shape: [1, 'T'] }],
          initializers: [constant('big', DataType.FLOAT, new Array(5000).fill(0.5))],
          metadata,
        }),
      );
      expect(await readOnnxMetadata(path)).toEqual(metadata);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the reader rejects a file that is not ONNX', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'narrate-onnx-'));
    try {
      const path = join(dir, 'bad.onnx');
      await writeFile(path, Buffer.from([0x0f, 0xff, 0xff]));
      await expect(readOnnxMetadata(path)).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
