/**
 * src/util in-process (fast: run per mutant by npm run mutate): signed percentages, the seeded
 * streams, Fisher–Yates and Box–Muller on scripted random numbers (expected values computed here by
 * hand), the cancellation checkpoint and the signal-exit clean-ups.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkpoint, InterruptedError } from '../src/util/abort.js';
import { fillStandardNormal, rngFor, shuffleInPlace, tfSeedFor } from '../src/util/random.js';
import { onSignalExit, runSignalExitCleanups } from '../src/util/signalExit.js';
import { signedPercent } from '../src/util/signedPercent.js';

/** An rng that returns these numbers in turn. */
const scripted = (values: number[]) => {
  let i = 0;
  return () => values[i++];
};

describe('signedPercent', () => {
  test('a true minus, a plus, no sign when it rounds to zero, a dash for non-finite', () => {
    assert.equal(signedPercent(0.08), '+8.0%');
    assert.equal(signedPercent(-0.201), '−20.1%');
    assert.equal(signedPercent(0), '0.0%');
    assert.equal(signedPercent(-0.0004), '0.0%', 'rounds to zero: no sign');
    assert.equal(signedPercent(0.0004), '0.0%');
    assert.equal(signedPercent(-0.0005001), '−0.1%', 'just beyond rounding to zero');
    assert.equal(signedPercent(0.12345, 2), '+12.35%');
    assert.equal(signedPercent(-1, 0), '−100%');
    assert.equal(signedPercent(NaN), '–');
    assert.equal(signedPercent(Infinity), '–');
    assert.equal(signedPercent(-Infinity), '–');
  });
});

describe('seeded randomness', () => {
  test('rngFor: the same seed and purpose give the same stream; another seed or purpose another one; values in [0, 1)', () => {
    const a = rngFor(1, 'init');
    const first = Array.from({ length: 5 }, () => a());
    const again = rngFor(1, 'init');
    assert.deepEqual(Array.from({ length: 5 }, () => again()), first);
    const otherSeed = rngFor(2, 'init');
    const otherPurpose = rngFor(1, 'shuffle');
    assert.notDeepEqual(Array.from({ length: 5 }, () => otherSeed()), first);
    assert.notDeepEqual(Array.from({ length: 5 }, () => otherPurpose()), first);
    const many = rngFor(3, 'x');
    for (let i = 0; i < 1000; i++) {
      const v = many();
      assert.ok(v >= 0 && v < 1, String(v));
    }
  });

  test('tfSeedFor: a deterministic positive 31-bit integer, different per seed and purpose', () => {
    const seeds = new Set<number>();
    for (let seed = 0; seed < 200; seed++) {
      const value = tfSeedFor(seed, 'dropout');
      assert.ok(Number.isInteger(value) && value >= 1 && value <= 0x7fffffff, String(value));
      assert.equal(tfSeedFor(seed, 'dropout'), value);
      seeds.add(value);
    }
    assert.ok(seeds.size > 190, 'seeds differ');
    assert.notEqual(tfSeedFor(1, 'a'), tfSeedFor(1, 'b'));
  });

  test('shuffleInPlace is Fisher–Yates from the end: j = floor(r·(i+1)) swapped with i', () => {
    // i = 3: r 0.5 → j 2 → [a b d c]; i = 2: r 0 → j 0 → [d b a c]; i = 1: r 0.99 → j 1 → unchanged.
    const items = ['a', 'b', 'c', 'd'];
    shuffleInPlace(items, scripted([0.5, 0, 0.99]));
    assert.deepEqual(items, ['d', 'b', 'a', 'c']);
    const ints = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    shuffleInPlace(ints, rngFor(7, 'order'));
    assert.deepEqual([...ints].sort(), [0, 1, 2, 3, 4, 5, 6, 7], 'a permutation');
    const one = [1];
    shuffleInPlace(one, () => assert.fail('no draw for one item'));
    assert.deepEqual(one, [1]);
  });

  test('fillStandardNormal is Box–Muller on (1 − u1, u2), two values per pair, odd lengths included', () => {
    const out = new Float32Array(3);
    fillStandardNormal(out, scripted([0.75, 0.125, 0.5, 0.25]));
    const r1 = Math.sqrt(-2 * Math.log(0.25));
    const r2 = Math.sqrt(-2 * Math.log(0.5));
    assert.equal(out[0], Math.fround(r1 * Math.cos(Math.PI / 4)));
    assert.equal(out[1], Math.fround(r1 * Math.sin(Math.PI / 4)));
    assert.equal(out[2], Math.fround(r2 * Math.cos(Math.PI / 2)));
    const zero = new Float32Array(2);
    fillStandardNormal(zero, scripted([0, 0]));
    assert.ok(zero.every((v) => v === 0), 'u1 = 0 is read as 1 − 0 = 1: radius 0, finite');
  });
});

describe('cancellation and signal-exit clean-ups', () => {
  test('checkpoint yields, then throws InterruptedError (phase, step, message) only once aborted', async () => {
    const controller = new AbortController();
    await checkpoint(controller.signal, () => 'never');
    await checkpoint(undefined, () => 'never');
    controller.abort();
    await assert.rejects(checkpoint(controller.signal, () => 'at step 40', 40), (error: unknown) => {
      assert.ok(error instanceof InterruptedError);
      assert.equal(error.name, 'InterruptedError');
      assert.equal(error.message, 'interrupted at step 40');
      assert.equal(error.phase, 'at step 40');
      assert.equal(error.step, 40);
      assert.equal(error.keptIn, null);
      return true;
    });
    await assert.rejects(checkpoint(controller.signal, () => 'building'), (error: InterruptedError) => error.step === 0);
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    await checkpoint(undefined, () => '');
    assert.ok(ran, 'it yields to the event loop');
  });

  test('clean-ups run once each, unregistered ones not at all, a failing one does not stop the others', () => {
    const calls: string[] = [];
    onSignalExit(() => calls.push('a'));
    onSignalExit(() => {
      throw new Error('fails');
    });
    const off = onSignalExit(() => calls.push('gone'));
    onSignalExit(() => calls.push('c'));
    off();
    runSignalExitCleanups();
    assert.deepEqual(calls, ['a', 'c']);
    runSignalExitCleanups();
    assert.deepEqual(calls, ['a', 'c'], 'each runs once');
  });
});
