/**
 * The safetensors file format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__":
 * {string: string}}), then the raw little-endian tensor data, offsets counted from the end of the
 * header. The header is padded with spaces to a multiple of 8 bytes, as the reference writer does,
 * so every tensor starts 8-byte aligned.
 */

/** The dtypes vgrad writes and reads. */
export type SafeDtype = 'F32' | 'U8';

export interface SafeTensor {
  dtype: SafeDtype;
  shape: number[];
  data: Float32Array | Uint8Array;
}

const BYTES: Record<SafeDtype, number> = { F32: 4, U8: 1 };

/** Why a byte buffer is not a readable safetensors file. */
export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
}

export function encodeSafetensors(tensors: Record<string, SafeTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const names = Object.keys(tensors);
  for (const name of names) {
    const t = tensors[name];
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new Error(`safetensors: ${name} has ${t.data.length} values for shape [${t.shape}]`);
    const bytes = count * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);
  const out = Buffer.alloc(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  let at = 8 + json.length;
  for (const name of names) {
    const t = tensors[name];
    if (t.dtype === 'F32') {
      // Explicitly little-endian, whatever the machine.
      for (let i = 0; i < t.data.length; i++, at += 4) out.writeFloatLE(t.data[i], at);
    } else {
      out.set(t.data as Uint8Array, at);
      at += t.data.length;
    }
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Parses a safetensors file; throws SafetensorsError naming the problem in one line. */
export function decodeSafetensors(bytes: Uint8Array): { tensors: Record<string, SafeTensor>; metadata: Record<string, string> } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buf.length < 8) throw new SafetensorsError(`${buf.length} bytes, too short for the 8-byte header length`);
  const headerLength = buf.readBigUInt64LE(0);
  // Never echo the number read: in a file that is not safetensors it is the file's first 8 bytes.
  if (headerLength < 2n || headerLength > BigInt(buf.length - 8)) throw new SafetensorsError(`not a safetensors file (its first 8 bytes are not a header length that fits its ${buf.length} bytes)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + Number(headerLength)).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new SafetensorsError('the header is not valid JSON');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new SafetensorsError('the header is not a JSON object');
  const dataStart = 8 + Number(headerLength);
  const dataLength = buf.length - dataStart;
  const tensors: Record<string, SafeTensor> = {};
  const ranges: { name: string; begin: number; end: number }[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (dtype !== 'F32' && dtype !== 'U8') throw new SafetensorsError(`tensor ${name}: dtype ${JSON.stringify(dtype)} (vgrad reads F32 and U8)`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new SafetensorsError(`tensor ${name}: bad shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) {
      throw new SafetensorsError(`tensor ${name}: bad data_offsets`);
    }
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end < begin || end > dataLength || end - begin !== count * BYTES[dtype]) {
      throw new SafetensorsError(`tensor ${name}: data_offsets [${begin}, ${end}] do not fit shape [${shape}] in ${dataLength} data bytes`);
    }
    if (end > begin) ranges.push({ name, begin, end });
    const raw = buf.subarray(dataStart + begin, dataStart + end);
    let data: Float32Array | Uint8Array;
    if (dtype === 'F32') {
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = raw.readFloatLE(i * 4);
    } else {
      data = new Uint8Array(raw);
    }
    tensors[name] = { dtype, shape: shape as number[], data };
  }
  // Each byte of the data belongs to one tensor at most: overlapping tensors are a corrupt (or crafted) file.
  ranges.sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < ranges.length; i++) {
    const [prev, next] = [ranges[i - 1], ranges[i]];
    if (next.begin < prev.end) throw new SafetensorsError(`tensors ${prev.name} [${prev.begin}, ${prev.end}] and ${next.name} [${next.begin}, ${next.end}] overlap; each data byte belongs to one tensor`);
  }
  return { tensors, metadata };
}
