import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { compareEntries, parseBenchmarkEntries, type BenchmarkEntry } from '../src/bench/actionBenchmark.js';
import { UsageError } from '../src/util/errors.js';
import { runCli, tempDir } from './helpers.js';

/** What github-action-benchmark's customBiggerIsBetter tool accepts, checked field by field. */
function assertActionBenchmarkSchema(entries: unknown): asserts entries is BenchmarkEntry[] {
  assert.ok(Array.isArray(entries) && entries.length > 0, 'a non-empty array');
  for (const entry of entries as Record<string, unknown>[]) {
    assert.equal(typeof entry.name, 'string');
    assert.equal(typeof entry.unit, 'string');
    assert.ok(typeof entry.value === 'number' && Number.isFinite(entry.value) && entry.value > 0, `value ${entry.value}`);
    if ('range' in entry) assert.equal(typeof entry.range, 'string');
    if ('extra' in entry) assert.equal(typeof entry.extra, 'string');
    for (const key of Object.keys(entry)) assert.ok(['name', 'unit', 'value', 'range', 'extra'].includes(key), `unexpected key ${key}`);
  }
}

const entry = (name: string, value: number, unit = 'samples/s'): BenchmarkEntry => ({ name, unit, value });

describe('compare logic', () => {
  test('a drop beyond the tolerance is a regression; within it is not; faster never is', () => {
    const baseline = [entry('a', 1000), entry('b', 1000), entry('c', 1000)];
    const current = [entry('a', 740), entry('b', 760), entry('c', 2000)];
    const result = compareEntries(baseline, current, 0.25);
    assert.deepEqual(result.map((c) => [c.name, c.regressed]), [['a', true], ['b', false], ['c', false]]);
    assert.ok(Math.abs(result[0].ratio - 0.74) < 1e-12);
  });

  test('configs missing on either side, or with another unit, are not compared', () => {
    const result = compareEntries([entry('old', 10), entry('u', 10, 'ms')], [entry('new', 1), entry('u', 1)], 0.25);
    assert.deepEqual(result, []);
  });

  test('a malformed baseline is a usage error', () => {
    assert.throws(() => parseBenchmarkEntries('{', 'x'), UsageError);
    assert.throws(() => parseBenchmarkEntries('[{"name":"a","value":"3"}]', 'x'), /expected a github-action-benchmark array/);
    assert.deepEqual(parseBenchmarkEntries('[{"name":"a","unit":"u","value":3}]', 'x'), [entry('a', 3, 'u')]);
  });
});

describe('vgrad bench end to end (one tiny config)', () => {
  // A 10-step probe interval and a 64-sample probe batch keep the cpu backend's share short (at the
  // default 100 steps it was 35 CPU-s; at the default 512 samples, 6.7 s against 2.9 s of wall time).
  const quick = ['bench', '--depths', '1', '--acts', 'relu', '--batches', '32', '--chunks', '1', '--rounds', '1', '--warmup', '2', '--log-every', '10', '--probe-size', '64'];

  test('--json is github-action-benchmark customBiggerIsBetter, with probes off and on', () => {
    const out = join(tempDir(), 'bench.json');
    const result = runCli([...quick, '--json', '--output', out]);
    assert.equal(result.status, 0, result.stderr);
    const entries = JSON.parse(result.stdout);
    assertActionBenchmarkSchema(entries);
    assert.deepEqual(entries.map((e) => e.name), ['relu depth 1 batch 32 (probes off)', 'relu depth 1 batch 32 (probes every 10 steps)']);
    assert.match(entries[1].extra ?? '', /; 1 probe of 64 samples in 10 timed steps;/, 'one chunk of one probe interval, holding its one probe of --probe-size rows');
    assert.ok(entries.every((e) => e.unit === 'samples/s' && /ms\/step/.test(e.extra ?? '') && /tensors (\d+)→\1;/.test(e.extra ?? '')), 'extra names ms/step and a flat tensor count');
    assertActionBenchmarkSchema(JSON.parse(readFileSync(out, 'utf8')));
  });

  test('--compare exits 1 on a regression beyond the tolerance and 0 within it', () => {
    const dir = tempDir();
    const fast = join(dir, 'fast.json');
    const slow = join(dir, 'slow.json');
    const names = ['relu depth 1 batch 32 (probes off)', 'relu depth 1 batch 32 (probes every 10 steps)'];
    writeFileSync(fast, JSON.stringify(names.map((name) => entry(name, 1e9))));
    writeFileSync(slow, JSON.stringify(names.map((name) => entry(name, 1))));
    const regressed = runCli([...quick, '--compare', fast]);
    assert.equal(regressed.status, 1);
    assert.match(regressed.stderr, /REGRESSION relu depth 1 batch 32 \(probes off\)/);
    assert.match(regressed.stderr, /2 of 2 configs slower than baseline beyond 25%/);
    const fine = runCli([...quick, '--compare', slow]);
    assert.equal(fine.status, 0, fine.stderr);
    assert.match(fine.stderr, /no regression beyond 25% in 2 configs/);
  });

  test('--backends cpu,wasm: every config on each backend, names prefixed by the backend, both in the table', () => {
    const result = runCli([...quick, '--backends', 'cpu,wasm', '--json']);
    assert.equal(result.status, 0, result.stderr);
    const entries = JSON.parse(result.stdout);
    assertActionBenchmarkSchema(entries);
    assert.deepEqual(entries.map((e) => e.name), [
      'cpu · relu depth 1 batch 32 (probes off)',
      'cpu · relu depth 1 batch 32 (probes every 10 steps)',
      'wasm · relu depth 1 batch 32 (probes off)',
      'wasm · relu depth 1 batch 32 (probes every 10 steps)',
    ]);
    assert.ok(entries.every((e) => new RegExp(`backend ${e.name.split(' ')[0]} `).test(e.extra ?? '')), 'each entry measured on the backend its name says');
    assert.ok(entries.every((e) => /CPU [\d.]+ ms\/step/.test(e.extra ?? '')), 'CPU time per step beside wall time');
    assert.match(result.stderr, /backends cpu [\d.]+, wasm [\d.]+ · 1 thread ·/);
  });

  test('--log-every K and --chunks N: N chunks of K timed steps, one probe in each', () => {
    const result = runCli(['bench', '--depths', '1', '--acts', 'relu', '--batches', '16', '--rounds', '1', '--warmup', '3', '--log-every', '4', '--chunks', '3', '--json']);
    assert.equal(result.status, 0, result.stderr);
    const entries = JSON.parse(result.stdout);
    assert.deepEqual(entries.map((e: { name: string }) => e.name), ['relu depth 1 batch 16 (probes off)', 'relu depth 1 batch 16 (probes every 4 steps)']);
    assert.match(entries[1].extra, /; 3 probes of 512 samples in 12 timed steps;/, 'the probe batch of vgrad run by default');
    assert.match(result.stderr, /1 rounds of 3×4 timed steps after 3 warm-up · probe batch 512/);
  });

  test('bad flags are exit 2 with one line', () => {
    for (const args of [
      ['--depths', 'x'],
      ['--acts', 'swish'],
      ['--tolerance', '2'],
      ['--compare', join(tempDir(), 'missing.json')],
      ['--backends', 'wasm,gpu'],
      ['--backends', 'wasm,wasm'],
      ['--backends', 'wasm', '--backend', 'cpu'],
      ['--threads', '0'],
      ['--log-every', '0'],
      ['--probe-size', '0'],
      ['--probe-size', '1001'],
      // wasm and cpu run one thread in Node: asking for two is refused before any timing.
      ['--threads', '2', '--backends', 'wasm'],
      ['--threads', '2', '--backends', 'cpu'],
    ]) {
      const result = runCli(['bench', ...args]);
      assert.equal(result.status, 2, `${args}: ${result.stderr}`);
      assert.equal(result.stderr.trimEnd().split('\n').length, 1);
    }
    assert.match(runCli(['bench', '--log-every', '0']).stderr, /^vgrad: --log-every must be an integer ≥ 1 \(got '0'\)/);
    // The probe batch is drawn from bench's 1,000 held-out MNIST digits.
    assert.match(runCli(['bench', '--probe-size', '1001']).stderr, /^vgrad: --probe-size must be an integer ≤ 1000 \(got '1001'\)/);
  });
});
