/** Data fixtures shared by test files (test files never import one another). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx } from '../src/data/idx.js';

export type SplitName = 'train' | 'test';

export interface IdxSetOptions {
  /** Write `name.gz` instead of `name`. */
  gzip?: boolean;
  /** Dotted file names (train-images.idx3-ubyte) instead of dashed ones (train-images-idx3-ubyte). */
  dotted?: boolean;
  /** Image size; default 4×3. */
  rows?: number;
  cols?: number;
  /** Pixel byte at flat offset k of a split; default (k·7) mod 256. */
  pixel?: (split: SplitName, k: number) => number;
  /** Label of sample i of a split; default i mod 10. */
  label?: (split: SplitName, i: number) => number;
}

/** Writes an MNIST-shaped IDX set (the four standard files) into `dir`. */
export function writeIdxSet(dir: string, trainCount: number, testCount: number, options: IdxSetOptions = {}): void {
  mkdirSync(dir, { recursive: true });
  const rows = options.rows ?? 4;
  const cols = options.cols ?? 3;
  const pixel = options.pixel ?? ((_split: SplitName, k: number) => (k * 7) % 256);
  const label = options.label ?? ((_split: SplitName, i: number) => i % 10);
  const write = (stem: string, bytes: Uint8Array) => {
    const name = options.dotted ? stem.replace(/-(idx\d-ubyte)$/, '.$1') : stem;
    if (options.gzip) writeFileSync(join(dir, `${name}.gz`), gzipSync(bytes));
    else writeFileSync(join(dir, name), bytes);
  };
  for (const [prefix, split, count] of [['train', 'train', trainCount], ['t10k', 'test', testCount]] as const) {
    const pixels = Uint8Array.from({ length: count * rows * cols }, (_, k) => pixel(split, k));
    const labels = Uint8Array.from({ length: count }, (_, i) => label(split, i));
    write(`${prefix}-images-idx3-ubyte`, encodeIdx([count, rows, cols], pixels));
    write(`${prefix}-labels-idx1-ubyte`, encodeIdx([count], labels));
  }
}

/** Pixel bytes 1..255 from a fixed hash of the offset k: no all-zero pixel, so every layer-1 weight gets a gradient. */
export function hashPixel(k: number): number {
  let s = (k * 1103515245 + 12345) >>> 0;
  s = (s ^ (s >>> 13)) >>> 0;
  return 1 + (s % 255);
}
