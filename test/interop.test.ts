/**
 * Interop without Python: TFRecord framing against CRC32C written out here, safetensors weights out
 * and in through the real CLI (bit-for-bit step-0 statistics), the tidy CSV, the probe batch export.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { frameRecord, readRecords } from '../src/interop/tfrecord.js';
import { runCli, tempDir } from './helpers.js';

const SMALL = ['--data', 'gaussian', '--train-size', '200', '--test-size', '100', '--probe-size', '64', '--quiet'];

/** CRC32C bit by bit from its definition (reflected polynomial 0x82F63B78), independent of the library. */
function referenceCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
/** TensorFlow's mask: rotate right 15, add 0xa282ead8. */
const mask = (crc: number) => ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;

function runDirs(out: string): string[] {
  const runs = join(out, 'runs');
  return readdirSync(runs).filter((name) => !name.startsWith('.')).map((name) => join(runs, name));
}

/** Parses a safetensors file by its spec, here in the test: header length, JSON, little-endian float32 data. */
function readSafetensors(path: string): Record<string, { dtype: string; shape: number[]; values: number[] }> {
  const buf = readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const out: Record<string, { dtype: string; shape: number[]; values: number[] }> = {};
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const raw = buf.subarray(8 + n + t.data_offsets[0], 8 + n + t.data_offsets[1]);
    const values: number[] = [];
    if (t.dtype === 'F32') for (let i = 0; i < raw.length; i += 4) values.push(raw.readFloatLE(i));
    else for (const b of raw) values.push(b);
    out[name] = { dtype: t.dtype, shape: t.shape, values };
  }
  return out;
}

test('TFRecord framing: CRC32C check value, masked CRCs of length and data, corruption detected', () => {
  // The CRC32C check value of "123456789" (RFC 3720, B.4) pins the reference itself.
  assert.equal(referenceCrc32c(Buffer.from('123456789')), 0xe3069283);
  const data = Buffer.from('vgrad event payload \u00e9\u0000\u00ff', 'utf8');
  const framed = frameRecord(data);
  assert.equal(framed.length, 8 + 4 + data.length + 4);
  assert.equal(Number(framed.readBigUInt64LE(0)), data.length);
  assert.equal(framed.readUInt32LE(8), mask(referenceCrc32c(framed.subarray(0, 8))));
  assert.deepEqual(framed.subarray(12, 12 + data.length), data);
  assert.equal(framed.readUInt32LE(12 + data.length), mask(referenceCrc32c(data)));
  const two = Buffer.concat([framed, frameRecord(Buffer.alloc(0))]);
  assert.deepEqual(readRecords(two).map((r) => Buffer.from(r).toString('hex')), [data.toString('hex'), '']);
  const corrupt = Buffer.from(two);
  corrupt[14] ^= 1;
  assert.throws(() => readRecords(corrupt), /record 0: data CRC mismatch/);
  corrupt[14] ^= 1;
  corrupt[3] ^= 1;
  assert.throws(() => readRecords(corrupt), /record 0: length CRC mismatch/);
});

test('--save-weights init,final writes out×in safetensors; --init-from reproduces step-0 statistics bit for bit', () => {
  const dir = tempDir();
  try {
    const a = runCli(['run', ...SMALL, '--depth', '2', '--steps', '3', '--log-every', '3', '--save-weights', 'init,final', '--json', '--out', join(dir, 'a')]);
    assert.equal(a.status, 0, a.stderr);
    const [runA] = runDirs(join(dir, 'a'));
    const recordA = JSON.parse(a.stdout);
    const init = readSafetensors(join(runA, 'weights-step0.safetensors'));
    const final = readSafetensors(join(runA, 'weights-final.safetensors'));
    const sizes = [784, 300, 100, 10];
    assert.deepEqual(Object.keys(init).sort(), ['layers.0.bias', 'layers.0.weight', 'layers.1.bias', 'layers.1.weight', 'layers.2.bias', 'layers.2.weight']);
    for (let l = 0; l < 3; l++) {
      // PyTorch's nn.Linear layout: weight is out × in.
      assert.deepEqual(init[`layers.${l}.weight`].shape, [sizes[l + 1], sizes[l]]);
      assert.deepEqual(init[`layers.${l}.bias`].shape, [sizes[l + 1]]);
      assert.equal(init[`layers.${l}.weight`].dtype, 'F32');
      // The stored weights are the run's: their population std is the record's step-0 weightStd
      // (float32 moments over ≥1000 values: 1e-5 relative is far above their rounding).
      const w = init[`layers.${l}.weight`].values;
      const mean = w.reduce((s, v) => s + v, 0) / w.length;
      const std = Math.sqrt(w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length);
      assert.ok(Math.abs(std / recordA.layers[l].initial.weightStd - 1) < 1e-5, `layer ${l}: ${std} vs ${recordA.layers[l].initial.weightStd}`);
      assert.ok(init[`layers.${l}.bias`].values.every((v) => v === 0), 'biases start at 0');
    }
    // Three SGD steps moved the weights.
    assert.notDeepEqual(final['layers.0.weight'].values.slice(0, 50), init['layers.0.weight'].values.slice(0, 50));

    // Another seed would give other weights: --init-from must override them.
    const b = runCli(['run', ...SMALL, '--depth', '2', '--steps', '0', '--seed', '7', '--init', 'xavier', '--init-from', join(runA, 'weights-step0.safetensors'), '--json', '--out', join(dir, 'b')]);
    assert.equal(b.status, 0, b.stderr);
    const again = runCli(['run', ...SMALL, '--depth', '2', '--steps', '0', '--seed', '7', '--init-from', join(runA, 'weights-step0.safetensors'), '--json', '--out', join(dir, 'b')]);
    const recordB = JSON.parse(b.stdout);
    assert.equal(again.status, 0);
    // Same data (seed 7 has another split, so the probe batch differs): compare with a seed-42 run.
    const c = runCli(['run', ...SMALL, '--depth', '2', '--steps', '0', '--init-from', join(runA, 'weights-step0.safetensors'), '--json', '--out', join(dir, 'c')]);
    assert.equal(c.status, 0, c.stderr);
    const recordC = JSON.parse(c.stdout);
    assert.deepEqual(recordC.layers.map((l: { initial: unknown }) => l.initial), recordA.layers.map((l: { initial: unknown }) => l.initial));
    assert.equal(recordC.config.initFrom, join(runA, 'weights-step0.safetensors'));
    assert.notDeepEqual(recordB.layers[0].initial, recordA.layers[0].initial, 'a different probe batch gives other numbers (the comparison can fail)');
    assert.equal(recordB.layers[0].initial.weightStd, recordA.layers[0].initial.weightStd, 'the weights came from the file, not seed 7 + xavier');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--init-from: a shape mismatch or a corrupt file is one line, exit 2, nothing written', () => {
  const dir = tempDir();
  try {
    const a = runCli(['run', ...SMALL, '--depth', '2', '--steps', '0', '--save-weights', 'init', '--out', join(dir, 'a')]);
    assert.equal(a.status, 0, a.stderr);
    const file = join(runDirs(join(dir, 'a'))[0], 'weights-step0.safetensors');
    const cases: [string[], RegExp][] = [
      [['--depth', '3', '--init-from', file], /layers\.2\.weight has shape \[10,100\], the configured net 784→300→100→100→10 needs \[100, 100\] \(out × in\)/],
      [['--depth', '1', '--init-from', file], /layers\.1\.weight has shape \[100,300\], the configured net 784→300→10 needs \[10, 300\]/],
      [['--layers', '300,50', '--init-from', file], /needs \[50, 300\]/],
    ];
    const corrupt = join(dir, 'corrupt.safetensors');
    const bytes = readFileSync(file);
    writeFileSync(corrupt, bytes.subarray(0, bytes.length - 4));
    cases.push([['--depth', '2', '--init-from', corrupt], /not a valid safetensors file: tensor layers\.\d\.\w+: data_offsets/]);
    writeFileSync(join(dir, 'text.safetensors'), 'hello world, not tensors');
    cases.push([['--depth', '2', '--init-from', join(dir, 'text.safetensors')], /not a valid safetensors file: not a safetensors file \(its first 8 bytes are not a header length/]);
    cases.push([['--depth', '2', '--init-from', join(dir, 'missing.safetensors')], /cannot read the file \(ENOENT\)/]);
    cases.push([['--depth', '2', '--save-weights', 'init,last'], /--save-weights has 'last'; allowed: init, final, or init,final/]);
    for (const [args, message] of cases) {
      const out = join(dir, 'never');
      const r = runCli(['run', ...SMALL, '--steps', '0', ...args, '--out', out]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.ok(!existsSync(join(out, 'runs')) || readdirSync(join(out, 'runs')).length === 0, 'no run folder');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CSV: one row per (run, step, layer) with every statistic, parsed by csv-parse; non-finite as inf/-inf/nan', () => {
  const dir = tempDir();
  try {
    const a = runCli(['run', ...SMALL, '--depth', '2', '--steps', '4', '--log-every', '2', '--out', dir]);
    assert.equal(a.status, 0, a.stderr);
    // Weights of 1e25 overflow float32 by the third layer: non-finite statistics at step 0.
    const b = runCli(['run', ...SMALL, '--depth', '3', '--act', 'linear', '--init', 'normal:1e25', '--steps', '0', '--out', dir]);
    assert.equal(b.status, 0, b.stderr);
    const [runA, runB] = runDirs(dir).sort((x, y) => (readFileSync(join(x, 'summary.json'), 'utf8').includes('"depth": 3') ? 1 : 0) - (readFileSync(join(y, 'summary.json'), 'utf8').includes('"depth": 3') ? 1 : 0));
    const show = runCli(['show', '--csv', runA]);
    assert.equal(show.status, 0, show.stderr);
    const rows = parse(show.stdout, { columns: true }) as Record<string, string>[];
    const header = show.stdout.split('\n')[0].split(',');
    assert.deepEqual(header.slice(0, 6), ['run', 'step', 'layer', 'kind', 'fanIn', 'fanOut']);
    const points = readFileSync(join(runA, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(points.map((p) => p.step), [0, 2, 4]);
    assert.equal(rows.length, 3 * 3, 'steps 0, 2, 4 × 3 layers');
    const keys = new Set(rows.map((r) => `${r.run}|${r.step}|${r.layer}`));
    assert.equal(keys.size, rows.length, 'one row per (run, step, layer)');
    for (const row of rows) {
      const stats = points.find((p) => p.step === Number(row.step)).layers[Number(row.layer) - 1];
      for (const [key, value] of Object.entries(stats)) {
        assert.ok(key in row, `column ${key}`);
        assert.equal(row[key], value === null ? '' : String(value), `${key} at step ${row.step} layer ${row.layer}`);
      }
    }
    assert.equal(rows.find((r) => r.layer === '3')!.kind, 'output');
    assert.equal(rows.find((r) => r.layer === '3')!.saturated, '', 'undefined for the softmax layer');

    const all = runCli(['export', 'csv', dir]);
    assert.equal(all.status, 0, all.stderr);
    const allRows = parse(all.stdout, { columns: true }) as Record<string, string>[];
    assert.equal(allRows.length, 9 + 4, 'run A: 3 points × 3 layers; run B: 1 point × 4 layers');
    const diverged = allRows.filter((r) => r.run === readdirSync(join(dir, 'runs')).find((n) => runB.endsWith(n)));
    const cells = diverged.flatMap((r) => Object.values(r));
    // The layer statistics stored as markers (the probe loss may be one too; it is not a CSV column).
    const storedLayers = JSON.parse(readFileSync(join(runB, 'metrics.jsonl'), 'utf8').trim()).layers as Record<string, unknown>[];
    const markers = storedLayers.flatMap((l) => Object.values(l)).filter((v) => v === '+Inf' || v === '-Inf' || v === 'NaN');
    assert.ok(markers.length > 0, 'the overflowing run has non-finite statistics');
    const written = cells.filter((c) => c === 'inf' || c === '-inf' || c === 'nan');
    assert.equal(written.length, markers.length, 'every non-finite value, written as inf/-inf/nan');
    assert.ok(!cells.some((c) => /Inf|NaN|null/.test(c)));

    const bad = runCli(['export', 'csv', join(dir, 'nowhere')]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /no such run/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('export probe-batch: the first probeSize test rows, inputs F32 [n, 784] and labels U8 [n]', () => {
  const dir = tempDir();
  try {
    const r = runCli(['run', ...SMALL, '--depth', '1', '--steps', '0', '--out', dir]);
    assert.equal(r.status, 0, r.stderr);
    const [run] = runDirs(dir);
    const file = join(dir, 'probe.safetensors');
    const e = runCli(['export', 'probe-batch', run, '--out', file]);
    assert.equal(e.status, 0, e.stderr);
    const batch = readSafetensors(file);
    assert.deepEqual(batch.inputs.shape, [64, 784]);
    assert.equal(batch.inputs.dtype, 'F32');
    assert.deepEqual(batch.labels.shape, [64]);
    assert.equal(batch.labels.dtype, 'U8');
    assert.ok(batch.labels.values.every((v) => v >= 0 && v < 10));
    assert.ok(new Set(batch.labels.values).size > 1);
    const none = runCli(['export', 'probe-batch', join(dir, 'nothing'), '--out', file]);
    assert.equal(none.status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
