/**
 * A tiny ONNX protobuf writer for the synthetic voice packs the tests build. It covers only the
 * messages and fields those graphs need (field numbers from onnx/onnx.proto3); nothing here is
 * used by the service itself.
 */

/** ONNX TensorProto.DataType values used by the synthetic graphs. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;
export type DataTypeValue = (typeof DataType)[keyof typeof DataType];

export type AttributeValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: OnnxTensor };

export interface OnnxTensor {
  name?: string;
  dataType: DataTypeValue;
  dims: number[];
  /** Values in row-major order; written as raw little-endian data. */
  values: number[];
}

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attributes?: Record<string, AttributeValue>;
}

export interface OnnxValueInfo {
  name: string;
  elemType: DataTypeValue;
  /** A number is a fixed dimension, a string a symbolic one (`T`). */
  shape: Array<number | string>;
}

export interface OnnxModel {
  nodes: OnnxNode[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers?: OnnxTensor[];
  metadata?: Record<string, string>;
  opset?: number;
  graphName?: string;
}

const encoder = new TextEncoder();

/** Accumulates protobuf wire bytes. */
class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  varint(value: number | bigint): void {
    // Negative int64 values are encoded as their 64-bit two's complement (10 bytes).
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      out.push(byte);
    } while (v !== 0n);
    this.push(Uint8Array.from(out));
  }

  tag(field: number, wireType: 0 | 1 | 2 | 5): void {
    this.varint((field << 3) | wireType);
  }

  int(field: number, value: number): void {
    this.tag(field, 0);
    this.varint(value);
  }

  float(field: number, value: number): void {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, 2);
    this.varint(value.length);
    this.push(value);
  }

  string(field: number, value: string): void {
    this.bytes(field, encoder.encode(value));
  }

  message(field: number, build: (w: Writer) => void): void {
    const inner = new Writer();
    build(inner);
    this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }
}

function rawData(tensor: OnnxTensor): Uint8Array {
  const n = tensor.values.length;
  switch (tensor.dataType) {
    case DataType.FLOAT:
      return new Uint8Array(Float32Array.from(tensor.values).buffer);
    case DataType.INT32:
      return new Uint8Array(Int32Array.from(tensor.values).buffer);
    case DataType.INT64: {
      const arr = new BigInt64Array(n);
      tensor.values.forEach((v, i) => (arr[i] = BigInt(v)));
      return new Uint8Array(arr.buffer);
    }
  }
}

function writeTensor(w: Writer, tensor: OnnxTensor): void {
  for (const d of tensor.dims) w.int(1, d);
  w.int(2, tensor.dataType);
  if (tensor.name) w.string(8, tensor.name);
  w.bytes(9, rawData(tensor));
}

function writeAttribute(w: Writer, name: string, attr: AttributeValue): void {
  w.string(1, name);
  switch (attr.kind) {
    case 'float':
      w.float(2, attr.value);
      w.int(20, 1);
      break;
    case 'int':
      w.int(3, attr.value);
      w.int(20, 2);
      break;
    case 'string':
      w.string(4, attr.value);
      w.int(20, 3);
      break;
    case 'tensor':
      w.message(5, (t) => writeTensor(t, attr.value));
      w.int(20, 4);
      break;
    case 'ints':
      for (const v of attr.value) w.int(8, v);
      w.int(20, 7);
      break;
  }
}

function writeValueInfo(w: Writer, info: OnnxValueInfo): void {
  w.string(1, info.name);
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.int(1, info.elemType);
      tensorType.message(2, (shape) => {
        for (const d of info.shape) {
          shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
        }
      });
    }),
  );
}

/** Serialises a model to ONNX protobuf bytes (IR version 8). */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new Writer();
  w.int(1, 8); // ir_version
  w.string(2, 'narrate-tests'); // producer_name
  w.message(7, (g) => {
    model.nodes.forEach((node, index) =>
      g.message(1, (n) => {
        for (const i of node.inputs) n.string(1, i);
        for (const o of node.outputs) n.string(2, o);
        n.string(3, node.name ?? `${node.opType}_${index}`);
        n.string(4, node.opType);
        for (const [name, attr] of Object.entries(node.attributes ?? {})) n.message(5, (a) => writeAttribute(a, name, attr));
      }),
    );
    g.string(2, model.graphName ?? 'synthetic');
    for (const t of model.initializers ?? []) g.message(5, (tw) => writeTensor(tw, t));
    for (const i of model.inputs) g.message(11, (v) => writeValueInfo(v, i));
    for (const o of model.outputs) g.message(12, (v) => writeValueInfo(v, o));
  });
  w.message(8, (op) => {
    op.string(1, '');
    op.int(2, model.opset ?? 17);
  });
  for (const [key, value] of Object.entries(model.metadata ?? {})) {
    w.message(14, (e) => {
      e.string(1, key);
      e.string(2, value);
    });
  }
  return w.finish();
}

/** Shorthand for a constant tensor (an initializer). */
export function constant(name: string, dataType: DataTypeValue, values: number[], dims: number[] = [values.length]): OnnxTensor {
  return { name, dataType, values, dims };
}
