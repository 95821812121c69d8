/**
 * The IDX format of the MNIST files (LeCun et al.): a 4-byte magic number (0, 0, type, ndims),
 * ndims big-endian uint32 sizes, then the data. vgrad reads unsigned-byte files (type 0x08),
 * plain or gzipped.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UsageError } from '../util/errors.js';
import type { Dataset, Split } from './dataset.js';
import { READ_CAPS, readFileCapped, rethrowReadProblem } from '../util/readFile.js';

const UNSIGNED_BYTE = 0x08;

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses an IDX file's bytes; `label` names the file in error messages. */
export function parseIdx(bytes: Uint8Array, label: string): IdxArray {
  if (bytes.length < 4) throw new UsageError(`${label}: truncated IDX file (${bytes.length} bytes, no header)`);
  const [zero1, zero2, type, ndims] = bytes;
  if (zero1 !== 0 || zero2 !== 0 || ndims === 0) {
    const magic = Buffer.from(bytes.subarray(0, 4)).toString('hex');
    throw new UsageError(`${label}: not an IDX file (magic number 0x${magic}; expected 0x000008 followed by the number of dimensions)`);
  }
  if (type !== UNSIGNED_BYTE) {
    throw new UsageError(`${label}: IDX data type 0x${type.toString(16).padStart(2, '0')} is not supported; only unsigned bytes (0x08) are`);
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) throw new UsageError(`${label}: truncated IDX file (header needs ${headerBytes} bytes, file has ${bytes.length})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const expected = dims.reduce((product, size) => product * size, 1);
  const actual = bytes.length - headerBytes;
  if (actual !== expected) {
    const shape = dims.join('×');
    throw new UsageError(
      `${label}: ${actual < expected ? 'truncated' : 'corrupt'} IDX file: header says ${shape} (${expected} data bytes) but the file has ${actual}`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Reads `stem` or `stem.gz` from `dir`; the dotted name variant (train-images.idx3-ubyte) is accepted too. */
export function readIdxFile(dir: string, stem: string): IdxArray {
  const dotted = stem.replace(/-(idx\d-ubyte)$/, '.$1');
  const candidates = [stem, `${stem}.gz`, dotted, `${dotted}.gz`].map((name) => join(dir, name));
  const path = candidates.find((candidate) => existsSync(candidate));
  if (path === undefined) throw new UsageError(`--data idx:${dir}: missing ${stem} (or ${stem}.gz) in ${dir}`);
  let bytes: Uint8Array;
  try {
    bytes = readFileCapped(path, 'idx');
    if (path.endsWith('.gz')) bytes = gunzipSync(bytes, { maxOutputLength: READ_CAPS.idx });
  } catch (error) {
    rethrowReadProblem(error, path);
    throw new UsageError(`${path}: cannot read (${(error as Error).message.split('\n')[0]})`);
  }
  return parseIdx(bytes, path);
}

function toSplit(images: IdxArray, labels: IdxArray, imagesName: string, classes: number): Split {
  if (images.dims.length !== 3) throw new UsageError(`${imagesName}: expected 3 dimensions (count, rows, cols), found ${images.dims.length}`);
  if (labels.dims.length !== 1) throw new UsageError(`${imagesName}: its labels file has ${labels.dims.length} dimensions, expected 1`);
  if (images.dims[0] === 0) throw new UsageError(`${imagesName}: the file holds no images (0×${images.dims.slice(1).join('×')}); a split needs at least 1`);
  if (images.dims[1] === 0 || images.dims[2] === 0) {
    throw new UsageError(`${imagesName}: images of ${images.dims[1]}×${images.dims[2]} pixels are empty; each image needs at least 1×1 pixel`);
  }
  if (images.dims[0] !== labels.dims[0]) {
    throw new UsageError(`${imagesName}: ${images.dims[0]} images but ${labels.dims[0]} labels; the counts must agree`);
  }
  const bad = labels.data.findIndex((label) => label >= classes);
  if (bad >= 0) throw new UsageError(`${imagesName}: label ${labels.data[bad]} at index ${bad} is out of range; labels must be 0–${classes - 1}`);
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] / 255; // pixels to [0, 1]
  return { x, labels: Uint8Array.from(labels.data) };
}

/** MNIST or Fashion-MNIST from the standard four files in `dir`. */
export function loadIdxDataset(dir: string): Dataset {
  const classes = 10;
  const trainImages = readIdxFile(dir, 'train-images-idx3-ubyte');
  const trainLabels = readIdxFile(dir, 'train-labels-idx1-ubyte');
  const testImages = readIdxFile(dir, 't10k-images-idx3-ubyte');
  const testLabels = readIdxFile(dir, 't10k-labels-idx1-ubyte');
  const train = toSplit(trainImages, trainLabels, join(dir, 'train-images-idx3-ubyte'), classes);
  const test = toSplit(testImages, testLabels, join(dir, 't10k-images-idx3-ubyte'), classes);
  const features = trainImages.dims[1] * trainImages.dims[2];
  if (testImages.dims[1] * testImages.dims[2] !== features) {
    throw new UsageError(`--data idx:${dir}: train images are ${trainImages.dims.slice(1).join('×')} but test images are ${testImages.dims.slice(1).join('×')}`);
  }
  return { name: `idx:${dir}`, features, classes, train, test };
}

/** Encodes an unsigned-byte IDX file; used by tests and handy for making small fixtures. */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = UNSIGNED_BYTE;
  header[3] = dims.length;
  dims.forEach((size, d) => header.writeUInt32BE(size, 4 + 4 * d));
  return Buffer.concat([header, Buffer.from(data)]);
}
