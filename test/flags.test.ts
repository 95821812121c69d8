/**
 * One test per documented flag of `vgrad run`, through the real CLI, checking what the flag DOES to
 * the numbers (not just exit 0). Every reference value is computed here from formulas written in
 * this file (or the literature), never taken from src/.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { selectBackend } from '../src/backend/select.js';
import { loadDataset } from '../src/data/load.js';
import { parseInit } from '../src/model/initializers.js';
import { createMlp, disposeMlp } from '../src/model/mlp.js';
import { BatchStream } from '../src/train/batches.js';
import { train } from '../src/train/loop.js';
import { rngFor } from '../src/util/random.js';
import { hashPixel as pixelOf, writeIdxSet } from './fixtures.js';
import { runCli, tempDir } from './helpers.js';

type Stats = Record<string, number | null>;
interface Layer { index: number; kind: string; fanIn: number; fanOut: number; initial: Stats; final: Stats }
type RunRecordJson = any;
interface Context { after(fn: () => void): void }

/** Runs `vgrad run --json` into a temp folder removed with the test; returns the record and metrics.jsonl. */
function run(t: Context, args: string[], env: Record<string, string> = {}) {
  const out = tempDir(t);
  const result = runCli(['run', '--json', '--out', out, ...args], env);
  assert.equal(result.status, 0, result.stderr);
  const record: RunRecordJson = JSON.parse(result.stdout);
  const [runId] = readdirSync(join(out, 'runs'));
  const metrics = readFileSync(join(out, 'runs', runId, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  return { record, metrics, stderr: result.stderr, out };
}

/**
 * `vgrad sweep ARGS` (one worker) into a temp folder: each cell's record and metrics, keyed by the
 * values the cell was given for `keys`, as typed (e.g. "tanh" or "book sigmoid"). A sweep parses
 * each cell's flags with the option table `vgrad run` uses and runs it through the same
 * runExperiment; it loads TensorFlow.js once for all cells, where a run per value would load it
 * once per value. Each flag's own path through `vgrad run` is tested by a run of its own.
 */
function sweep(args: string[], keys: string[]): Map<string, { record: RunRecordJson; metrics: any[] }> {
  const out = tempDir();
  const result = runCli(['sweep', ...args, '--out', out, '--name', 'cells', '--jobs', '1', '--quiet']);
  assert.equal(result.status, 0, result.stderr);
  const dir = join(out, 'sweeps', 'cells');
  const cells = new Map<string, { record: RunRecordJson; metrics: any[] }>();
  for (const id of readdirSync(dir).filter((name) => existsSync(join(dir, name, 'cell.json')))) {
    const overrides = JSON.parse(readFileSync(join(dir, id, 'cell.json'), 'utf8')).overrides as Record<string, string>;
    const record = JSON.parse(readFileSync(join(dir, id, 'summary.json'), 'utf8'));
    const metrics = readFileSync(join(dir, id, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    cells.set(keys.map((key) => overrides[key]).join(' '), { record, metrics });
  }
  return cells;
}

const layer = (record: RunRecordJson, index: number): Layer => record.layers[index - 1];
const num = (value: number | null): number => {
  assert.equal(typeof value, 'number');
  return value as number;
};

/** Relative closeness, with the reason for the tolerance in the message. */
function near(actual: number | null, expected: number, relTol: number, what: string) {
  const a = num(actual);
  assert.ok(Math.abs(a - expected) <= relTol * Math.abs(expected), `${what}: ${a} vs expected ${expected} (tolerance ${relTol * 100}%)`);
}

// ---------------------------------------------------------------------------------------------
// Activations: φ written from its definition, integrated over the measured N(preactMean, preactVar).

/** Klambauer et al. (2017), "Self-Normalizing Neural Networks", eq. (14) and their reference code. */
const SELU_LAMBDA = 1.0507009873554804934;
const SELU_ALPHA = 1.6732632423543772848;

const PHI: Record<string, (z: number, alpha: number) => number> = {
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  tanh: (z) => Math.tanh(z),
  relu: (z) => Math.max(0, z),
  'leaky-relu': (z, alpha) => (z > 0 ? z : alpha * z),
  elu: (z) => (z > 0 ? z : Math.exp(z) - 1),
  selu: (z) => SELU_LAMBDA * (z > 0 ? z : SELU_ALPHA * (Math.exp(z) - 1)),
  softsign: (z) => z / (1 + Math.abs(z)),
  linear: (z) => z,
};
const SLOPE: Record<string, (z: number, alpha: number) => number> = {
  sigmoid: (z) => { const s = 1 / (1 + Math.exp(-z)); return s * (1 - s); },
  tanh: (z) => 1 - Math.tanh(z) ** 2,
  relu: (z) => (z > 0 ? 1 : 0),
  'leaky-relu': (z, alpha) => (z > 0 ? 1 : alpha),
  elu: (z) => (z > 0 ? 1 : Math.exp(z)),
  selu: (z) => (z > 0 ? SELU_LAMBDA : SELU_LAMBDA * SELU_ALPHA * Math.exp(z)),
  softsign: (z) => 1 / (1 + Math.abs(z)) ** 2,
  linear: () => 1,
};
/**
 * The largest slope of each φ, from its definition: the logistic's σ'(0) = 1/4; SELU's λα as
 * z → 0⁻; leaky-relu max(1, α); every other one 1.
 */
const MAX_SLOPE: Record<string, (alpha: number) => number> = {
  sigmoid: () => 0.25, tanh: () => 1, relu: () => 1, 'leaky-relu': (alpha) => Math.max(1, alpha),
  elu: () => 1, selu: () => SELU_LAMBDA * SELU_ALPHA, softsign: () => 1, linear: () => 1,
};
/** The documented saturation rule: φ'(z) below 5% of φ's largest slope. */
const SATURATION_SHARE = 0.05;

/** E[f(z)] for z ~ N(mean, variance), by the trapezoid rule over ±12σ (error far below 1e-9). */
function gaussianExpectation(f: (z: number) => number, mean: number, variance: number): number {
  const sd = Math.sqrt(variance);
  const n = 24_000;
  const h = 24 / n;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const t = -12 + i * h;
    const weight = (i === 0 || i === n ? 0.5 : 1) * Math.exp(-t * t / 2);
    sum += weight * f(mean + sd * t);
  }
  return (sum * h) / Math.sqrt(2 * Math.PI);
}

function expectedActStats(act: string, alpha: number, mean: number, variance: number) {
  const phi = (z: number) => PHI[act](z, alpha);
  const m = gaussianExpectation(phi, mean, variance);
  const v = gaussianExpectation((z) => (phi(z) - m) ** 2, mean, variance);
  const threshold = SATURATION_SHARE * MAX_SLOPE[act](alpha);
  const sat = gaussianExpectation((z) => (SLOPE[act](z, alpha) < threshold ? 1 : 0), mean, variance);
  return { actMean: m, actVar: v, saturated: sat };
}

/**
 * Layer 1 of 784→300→10 on N(0,1) inputs with weights N(0, (1/14)²): z ~ N(0, 784/196 = 4) for
 * every unit up to the χ² spread of ‖w_j‖² (relative sd √(2/784) = 5%, a second-order effect on the
 * moments below). 256 probe samples × 300 units = 76,800 pairs; pairs of one sample are correlated
 * only through wⱼ·wₖ (|ρ| ~ 1/28), which inflates the variance of a mean by at most ~1.4, so the
 * standard error of actMean is ≤ sd(φ)/√55,000 ≈ 0.0043·sd(φ) and of actVar ≤ 0.6%·Var(φ)·√(κ−1)/√2.
 * Tolerances: actMean within 0.03·sd(φ) (7 SE), actVar within 5% (≥ 6 SE for κ ≤ 6), saturated
 * share within 0.01 (binomial SE ≤ 0.002, 5 SE).
 */
const ACT_ARGS = ['--data', 'gaussian', '--train-size', '64', '--test-size', '256', '--probe-size', '256', '--steps', '0', '--depth', '1', '--init', 'normal:0.07142857142857142'];
const ACT_CASES: [string, number][] = [
  ['sigmoid', 0.01], ['tanh', 0.01], ['relu', 0.01], ['leaky-relu', 0.01], ['leaky-relu', 0.3], ['elu', 0.01], ['selu', 0.01], ['softsign', 0.01], ['linear', 0.01],
];

function matchesActivation(stats: Stats, act: string, alpha: number): string | null {
  const expected = expectedActStats(act, alpha, num(stats.preactMean), num(stats.preactVar));
  const sd = Math.sqrt(expected.actVar);
  if (Math.abs(num(stats.actMean) - expected.actMean) > 0.03 * sd) return `actMean ${stats.actMean} vs ${expected.actMean}`;
  if (Math.abs(num(stats.actVar) - expected.actVar) > 0.05 * expected.actVar) return `actVar ${stats.actVar} vs ${expected.actVar}`;
  if (Math.abs(num(stats.saturated) - expected.saturated) > 0.01) return `saturated ${stats.saturated} vs ${expected.saturated}`;
  return null;
}

describe('--act and --alpha: layer-1 statistics are those of that φ on z ~ N(0, 4)', () => {
  const measured = new Map<string, Stats>();
  // Every activation at the default α (0.01) in one sweep; leaky-relu at α 0.3 by `vgrad run --alpha`.
  let cells: ReturnType<typeof sweep>;
  before(() => {
    cells = sweep([...ACT_ARGS, '--act', ACT_CASES.filter(([, alpha]) => alpha === 0.01).map(([act]) => act).join(',')], ['act']);
  });
  for (const [act, alpha] of ACT_CASES) {
    const name = act === 'leaky-relu' ? `${act} --alpha ${alpha}` : act;
    test(name, (t) => {
      const { record } = alpha === 0.01 ? cells.get(act)! : run(t, [...ACT_ARGS, '--act', act, '--alpha', String(alpha)]);
      assert.equal(record.config.act, act);
      assert.equal(record.config.alpha, alpha);
      const stats = layer(record, 1).initial;
      near(stats.preactVar, 4, 0.05, 'preactVar = 784 · (1/14)² = 4 (χ² over 235,200 weights and 76,800 pairs: < 1% sd)');
      const mismatch = matchesActivation(stats, act, alpha);
      assert.equal(mismatch, null, `${name}: ${mismatch}`);
      measured.set(name, stats);
    });
  }
  test('each measurement fits its own φ only (the check above can tell them apart)', () => {
    assert.equal(measured.size, ACT_CASES.length, 'every activation case ran');
    for (const [act, alpha] of ACT_CASES) {
      const name = act === 'leaky-relu' ? `${act} --alpha ${alpha}` : act;
      for (const [otherAct, otherAlpha] of ACT_CASES) {
        if (otherAct === act && otherAlpha === alpha) continue;
        if (['leaky-relu', 'relu'].includes(act) && ['leaky-relu', 'relu'].includes(otherAct) && Math.max(alpha, otherAlpha) <= 0.01) {
          continue; // relu and leaky-relu at α = 0.01 differ by 0.004 in actMean: below what 76,800 pairs resolve
        }
        assert.notEqual(matchesActivation(measured.get(name)!, otherAct, otherAlpha), null, `${name} also fits ${otherAct} (α ${otherAlpha})`);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Initializers: the recorded weightStd of every layer against the scheme's formula for that shape.

/** 784→300→50→10: three shapes per scheme. */
const INIT_ARGS = ['--data', 'gaussian', '--train-size', '16', '--test-size', '16', '--probe-size', '16', '--batch', '16', '--steps', '0', '--depth', '2', '--width', '50'];
const SHAPES: [number, number][] = [[784, 300], [300, 50], [50, 10]];
const GLOROT_VAR = (i: number, o: number) => 2 / (i + o);
/** Each entry: flags, and the std the formula gives for a fanIn × fanOut layer (from the papers / the book's Table 11-1). */
const INIT_CASES: [string, string[], (i: number, o: number) => number][] = [
  ['normal1', [], () => 1],
  ['standard', [], (i) => 1 / Math.sqrt(3 * i)], // U[±1/√n_in]
  ['xavier', [], (i, o) => Math.sqrt(GLOROT_VAR(i, o))],
  ['xavier-uniform', [], (i, o) => Math.sqrt(6 / (i + o)) / Math.sqrt(3)],
  ['he', [], (i) => Math.sqrt(2 / i)],
  ['he-uniform', [], (i) => Math.sqrt(6 / i) / Math.sqrt(3)],
  ['lecun', [], (i) => Math.sqrt(1 / i)],
  ['lecun-uniform', [], (i) => Math.sqrt(3 / i) / Math.sqrt(3)],
  ['normal:0.03', [], () => 0.03],
  ['uniform:0.2', [], () => 0.2 / Math.sqrt(3)],
  // The default gain 1, and a gain that run would fail this case by ignoring.
  ['orthogonal', [], (i, o) => 1 / Math.sqrt(Math.max(i, o))],
  ['orthogonal', ['--gain', '1.7'], (i, o) => 1.7 / Math.sqrt(Math.max(i, o))],
  ['book', ['--act', 'relu'], (i, o) => Math.SQRT2 * Math.sqrt(GLOROT_VAR(i, o))],
  ['book', ['--act', 'tanh'], (i, o) => 4 * Math.sqrt(GLOROT_VAR(i, o))], // the table's factor 4, on its (wrong) tanh row
  ['book', ['--act', 'sigmoid'], (i, o) => Math.sqrt(GLOROT_VAR(i, o))],
  ['book-uniform', ['--act', 'relu'], (i, o) => (Math.SQRT2 * Math.sqrt(6 / (i + o))) / Math.sqrt(3)],
  ['vs:scale=3,mode=fan_out,dist=uniform', [], (_i, o) => Math.sqrt(3 / o)],
  ['vs:scale=2,mode=fan_avg,dist=truncated', [], (i, o) => Math.sqrt(2 / ((i + o) / 2))],
];

/**
 * Tolerance per layer from the sampling error of a std over n weights, ≈ std·√((κ−1)/(4n)) with
 * κ ≤ 3 (normal; uniform 1.8): 1/√(2n) relative. n = 235,200, 15,000, 500 → 0.15%, 0.6%, 3.2%;
 * 5 standard errors each. Orthogonal matrices have their sum of squares fixed exactly; only the
 * subtracted mean moves the std, by < 0.5%.
 */
const STD_TOLERANCE = [0.0075, 0.03, 0.16];

describe('--init and --gain: every layer\'s recorded weightStd follows the scheme\'s formula for its shape', () => {
  const records = new Map<string, RunRecordJson>();
  // The schemes at the default act (relu) in one sweep, the book's tanh and sigmoid rows in another;
  // --gain through `vgrad run`.
  let cells: Map<string, RunRecordJson>;
  before(() => {
    const atRelu = INIT_CASES.filter(([, extra]) => extra.length === 0 || (extra[0] === '--act' && extra[1] === 'relu')).map(([name]) => name);
    const bookActs = INIT_CASES.filter(([name, extra]) => name === 'book' && extra[0] === '--act' && extra[1] !== 'relu').map(([, extra]) => extra[1]);
    cells = new Map();
    for (const [key, { record }] of sweep([...INIT_ARGS, '--init', [...new Set(atRelu)].join(',')], ['init'])) cells.set(key, record);
    for (const [key, { record }] of sweep([...INIT_ARGS, '--init', 'book', '--act', bookActs.join(',')], ['act'])) cells.set(`book --act ${key}`, record);
  });
  for (const [name, extra, formula] of INIT_CASES) {
    const label = [name, ...extra].join(' ');
    test(label, (t) => {
      const fromSweep = extra.length === 0 ? cells.get(name) : extra[0] === '--act' ? (extra[1] === 'relu' ? cells.get(name) : cells.get(label)) : undefined;
      const record = fromSweep ?? run(t, [...INIT_ARGS, '--init', name, ...extra]).record;
      assert.equal(record.config.init, name, 'the record names the scheme');
      if (extra[0] === '--act') assert.equal(record.config.act, extra[1]);
      if (extra[0] === '--gain') assert.equal(record.config.gain, Number(extra[1]));
      records.set(label, record);
      SHAPES.forEach(([i, o], l) => {
        const stats = layer(record, l + 1).initial;
        const tolerance = name === 'orthogonal' ? 0.005 : STD_TOLERANCE[l];
        near(stats.weightStd, formula(i, o), tolerance, `${label} layer ${l + 1} (${i}×${o})`);
      });
    });
  }
  test('aliases draw identical numbers: glorot = xavier, glorot-uniform = xavier-uniform, case-insensitive', (t) => {
    for (const [alias, name] of [['glorot', 'xavier'], ['GLOROT-Uniform', 'xavier-uniform']]) {
      const a = run(t, [...INIT_ARGS, '--init', alias]).record;
      const b = records.get(name) ?? run(t, [...INIT_ARGS, '--init', name]).record;
      assert.equal(a.config.init, name, 'the record names the canonical scheme');
      assert.deepEqual(a.layers, b.layers);
    }
  });
  test('-uniform variants differ from their normal twins in the draws, not in the std', () => {
    for (const name of ['xavier', 'he', 'lecun']) {
      const normal = records.get(name);
      const uniform = records.get(`${name}-uniform`);
      assert.ok(normal && uniform, 'both ran');
      assert.notEqual(layer(normal, 1).initial.preactVar, layer(uniform, 1).initial.preactVar, `${name}: another distribution, other weights`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// A full-batch fixture: the training split IS the test split and one batch holds all of it, so each
// training step's gradient is the gradient the previous probe measured (up to float32 summation order).

const FULL = 64;
function fullBatchSet(t: Context, options: { label?: (split: 'train' | 'test', i: number) => number } = {}): string {
  const dir = tempDir(t);
  writeIdxSet(dir, FULL, FULL, { pixel: (_split, k) => pixelOf(k), label: options.label });
  return dir;
}
const fullArgs = (dir: string) => ['--data', `idx:${dir}`, '--batch', String(FULL), '--probe-size', String(FULL), '--depth', '1', '--act', 'tanh'];
/** ‖W‖ from the record: √(n·std²); the weights' mean adds mean²/std² ~ 1/n (< 0.03% here), ignored. */
const weightNorm = (stats: Stats, fanIn: number, fanOut: number) => Math.sqrt(fanIn * fanOut) * num(stats.weightStd);

describe('--optimizer, --lr, --momentum: the update each optimizer applies, measured by ‖ΔW‖/‖W‖', () => {
  const LR = 1e-4;
  const optimizerRun = (t: Context, extra: string[]) => {
    const dir = fullBatchSet(t);
    return run(t, [...fullArgs(dir), '--steps', '2', '--log-every', '1', '--lr', String(LR), ...extra]);
  };

  test('sgd: ‖ΔW‖/‖W‖ = lr · ‖∇W‖ / ‖W‖ at every step, for every layer', (t) => {
    const { metrics, record } = optimizerRun(t, ['--optimizer', 'sgd']);
    assert.deepEqual(metrics.map((m) => m.step), [0, 1, 2]);
    record.layers.forEach((l: Layer, i: number) => {
      for (const step of [1, 2]) {
        const before = metrics[step - 1].layers[i];
        // Tolerance 0.2%: float32 sums in another order (batch shuffled) and the ignored weight mean.
        near(metrics[step].layers[i].updateRatio, (LR * before.weightGradNorm) / weightNorm(before, l.fanIn, l.fanOut), 0.002, `layer ${l.index} step ${step}`);
      }
    });
  });

  for (const momentum of [0.9, 0.5]) {
    test(`momentum ${momentum}: the first step is plain SGD, the second ≈ (1 + ${momentum}) × an SGD step`, (t) => {
      const { metrics, record } = optimizerRun(t, ['--optimizer', 'momentum', '--momentum', String(momentum)]);
      assert.equal(record.config.momentum, momentum);
      record.layers.forEach((l: Layer, i: number) => {
        const [p0, p1, p2] = metrics.map((m) => m.layers[i]);
        near(p1.updateRatio, (LR * p0.weightGradNorm) / weightNorm(p0, l.fanIn, l.fanOut), 0.002, `layer ${l.index} step 1`);
        // v₂ = m·g₀ + g₁ (tfjs: v ← m·v + g; w ← w − lr·v). At lr 1e-4 the gradient barely moves in
        // one step (asserted: its norm by < 1%), so ‖v₂‖ = (1 + m)·‖g₁‖ within m·‖g₁ − g₀‖ ≲ 1%.
        near(p1.weightGradNorm, p0.weightGradNorm, 0.01, `layer ${l.index}: gradient norm stable over one step`);
        near(p2.updateRatio, (LR * (1 + momentum) * p1.weightGradNorm) / weightNorm(p1, l.fanIn, l.fanOut), 0.02, `layer ${l.index} step 2`);
      });
    });
  }

  test('momentum 0 applies exactly the SGD update (tfjs: v = 0·v + g)', (t) => {
    const dir = fullBatchSet(t);
    const args = [...fullArgs(dir), '--steps', '3', '--log-every', '1', '--lr', '0.05'];
    const sgd = run(t, [...args, '--optimizer', 'sgd']).record;
    const zero = run(t, [...args, '--optimizer', 'momentum', '--momentum', '0']).record;
    assert.deepEqual(zero.layers, sgd.layers);
    assert.deepEqual(zero.final, sgd.final);
  });

  test('adam: the first step moves every weight by lr (m̂/√v̂ = sign g), so ‖ΔW‖/‖W‖ = lr / rms(W)', (t) => {
    const { metrics, record } = optimizerRun(t, ['--optimizer', 'adam']);
    record.layers.forEach((l: Layer, i: number) => {
      const p0 = metrics[0].layers[i];
      // ‖ΔW‖ = lr·√n when |g| ≫ ε = 1e-7 for every entry (tanh: no zero gradients); 1% tolerance
      // covers the few entries with |g| near ε and the ignored weight mean.
      near(metrics[1].layers[i].updateRatio, LR / num(p0.weightStd), 0.01, `layer ${l.index} step 1`);
      const sgdLike = (LR * p0.weightGradNorm) / weightNorm(p0, l.fanIn, l.fanOut);
      assert.ok(Math.abs(metrics[1].layers[i].updateRatio / sgdLike - 1) > 0.1, 'distinguishable from an SGD step');
    });
  });
});

describe('--probe-size: the probe batch is that many HELD-OUT samples', () => {
  test('probe statistics come from the test split: test images all zero ⇒ layer-1 z is exactly 0 at step 0', (t) => {
    const dir = tempDir(t);
    writeIdxSet(dir, 40, 20, { pixel: (split, k) => (split === 'test' ? 0 : pixelOf(k)) });
    const { record } = run(t, ['--data', `idx:${dir}`, '--batch', '8', '--steps', '0', '--depth', '1']);
    const first = layer(record, 1).initial;
    // Zero inputs and zero biases: z = 0·W + 0. Drawn from the (non-zero) training images it would not be.
    assert.equal(first.preactVar, 0);
    assert.equal(first.preactMean, 0);
    assert.equal(record.data.probeSamples, 20);
  });

  test('--probe-size 1 measures one sample: for relu, dead = saturated exactly, and probe acc is 0 or 1', (t) => {
    const args = ['--data', 'gaussian', '--train-size', '64', '--test-size', '64', '--steps', '0', '--depth', '1', '--act', 'relu'];
    const one = run(t, [...args, '--probe-size', '1']);
    const many = run(t, [...args, '--probe-size', '64']);
    assert.equal(one.record.data.probeSamples, 1);
    assert.equal(many.record.data.probeSamples, 64);
    const s1 = layer(one.record, 1).initial;
    const s64 = layer(many.record, 1).initial;
    // One sample: a unit is dead iff its only z ≤ 0, which is exactly the saturated share.
    assert.equal(s1.dead, s1.saturated);
    assert.ok([0, 1].includes(one.metrics[0].probeAcc));
    // 64 samples: a unit is dead only if z ≤ 0 on all 64 (p = 2⁻⁶⁴ each); saturated stays ≈ ½.
    assert.equal(s64.dead, 0);
    near(s64.saturated, 0.5, 0.05, 'relu saturated share on N(0, 2) (binomial SE 0.0036)');
    assert.equal(Math.round(many.metrics[0].probeAcc * 64), many.metrics[0].probeAcc * 64, 'probe acc is k/64');
  });
});

describe('--standardize', () => {
  test('the probe inputs get per-pixel mean 0 and variance 1 from the training statistics', (t) => {
    const dir = fullBatchSet(t); // train = test, so the test split is standardized exactly
    const args = ['--data', `idx:${dir}`, '--batch', '16', '--probe-size', String(FULL), '--steps', '0', '--depth', '1', '--init', 'normal:0.1', '--act', 'linear'];
    const raw = layer(run(t, args).record, 1).initial;
    const std = layer(run(t, [...args, '--standardize']).record, 1).initial;
    // Inputs with per-pixel mean exactly 0 give Σₖ x̄ₖ·w̄ₖ = 0: preactMean 0 up to float32 rounding.
    assert.ok(Math.abs(num(std.preactMean)) < 1e-5, `standardized preactMean ${std.preactMean}`);
    // Raw pixels in (0, 1] have mean ≈ ½: the same seeded weights give a preactMean far from 0 (seed-fixed, not random).
    assert.ok(Math.abs(num(raw.preactMean)) > 1e-3, `raw preactMean ${raw.preactMean}`);
    // Var(z) = mean over 300 units of wⱼᵀ C wⱼ with C the pixels' correlation matrix (diagonal 1):
    // E = 12 · 0.1² = 0.12; the χ² of Σₖ wₖⱼ² over 300 units gives 2.4% sd, off-diagonal terms < 1%: 10% is > 4 sd.
    near(std.preactVar, 12 * 0.01, 0.1, 'standardized preactVar = n_in · σ_w²');
    // Raw pixels: E[x²] ≈ 1/3 (uniform bytes), so Var(z) ≈ 12 · 0.01 · (1/3 − ¼·(mean over units)) ≈ 0.01–0.04: far from 0.12.
    assert.ok(num(raw.preactVar) < 0.06, `raw preactVar ${raw.preactVar}`);
  });
});

describe('--quiet, --backend', () => {
  test('--quiet: nothing on stderr; without it, progress lines and where the run is stored', (t) => {
    const args = ['--data', 'gaussian', '--train-size', '64', '--test-size', '16', '--probe-size', '16', '--batch', '16', '--steps', '2', '--depth', '1'];
    const quiet = run(t, [...args, '--quiet']);
    const loud = run(t, args);
    assert.equal(quiet.stderr, '');
    assert.match(loud.stderr, /^step 0\/2 {2}probe loss/m);
    assert.match(loud.stderr, /stored in /);
  });

  const PACKAGES: Record<string, string> = { wasm: '@tensorflow/tfjs-backend-wasm', cpu: '@tensorflow/tfjs-backend-cpu', tensorflow: '@tensorflow/tfjs-node' };
  for (const backend of ['wasm', 'cpu', 'tensorflow']) {
    test(`--backend ${backend}: recorded with the installed package's version`, (t) => {
      const require = createRequire(import.meta.url);
      if (backend === 'tensorflow' && process.env.VGRAD_BACKEND !== 'tensorflow') {
        try {
          require.resolve('@tensorflow/tfjs-node');
        } catch {
          return t.skip('the native backend is not installed here (vgrad native install builds it)');
        }
      }
      const { record } = run(t, ['--backend', backend, '--data', 'gaussian', '--train-size', '16', '--test-size', '16', '--probe-size', '16', '--batch', '16', '--steps', '1', '--depth', '1']);
      const version = (pkg: string) => (require(`${pkg}/package.json`) as { version: string }).version;
      assert.equal(record.backend.name, backend);
      assert.equal(record.config.backend, backend);
      assert.equal(record.backend.version, version(PACKAGES[backend]));
      assert.equal(record.backend.coreVersion, version('@tensorflow/tfjs-core'));
      if (backend === 'wasm') assert.deepEqual(Object.keys(record.backend.features).sort(), ['simd', 'threads']);
      else assert.deepEqual(record.backend.features, {});
    });
  }
});

describe('--epochs, --steps, --log-every, --train-size, --test-size', () => {
  test('--epochs rounds UP to whole steps: 1 epoch of 50 samples at batch 16 is 4 steps, 0.5 epoch 2', (t) => {
    const dir = tempDir(t);
    writeIdxSet(dir, 50, 20);
    for (const [epochs, steps] of [['1', 4], ['0.5', 2]] as const) {
      const { record, metrics } = run(t, ['--data', `idx:${dir}`, '--batch', '16', '--epochs', epochs, '--log-every', '1', '--depth', '1']);
      assert.equal(record.config.steps, steps, `ceil(${epochs} × 50 / 16)`);
      assert.equal(record.config.epochs, Number(epochs));
      assert.equal(record.final.step, steps);
      assert.deepEqual(metrics.map((m) => m.step), Array.from({ length: steps + 1 }, (_, i) => i));
      // 50 samples make 3 full batches of 16 (the partial one is dropped): step 4 starts pass 2.
      assert.deepEqual(metrics.map((m) => m.epoch), [0, 1, 1, 1, 2].slice(0, steps + 1));
    }
  });

  test('--log-every K probes at step 0, every K steps and the last step', (t) => {
    const { metrics, record } = run(t, ['--data', 'gaussian', '--train-size', '64', '--test-size', '16', '--probe-size', '16', '--batch', '16', '--steps', '5', '--log-every', '2', '--depth', '1']);
    assert.deepEqual(metrics.map((m) => m.step), [0, 2, 4, 5]);
    assert.equal(record.config.logEvery, 2);
  });

  test('--train-size and --test-size set the splits; accuracies are counts over them', (t) => {
    const { record } = run(t, ['--data', 'gaussian', '--train-size', '96', '--test-size', '40', '--probe-size', '24', '--batch', '16', '--steps', '1', '--depth', '1']);
    const { inputSecondMoment, ...sizes } = record.data;
    assert.deepEqual(sizes, { name: 'gaussian', trainSamples: 96, testSamples: 40, probeSamples: 24, features: 784 });
    // E[x²] of N(0,1) inputs over 96 × 784 values: 1 ± √(2/75264) = ±0.005 (1σ); 0.03 is 6σ.
    assert.ok(Math.abs(inputSecondMoment - 1) < 0.03, `inputSecondMoment ${inputSecondMoment}`);
    assert.equal(Math.round(record.final.trainAcc * 96), record.final.trainAcc * 96);
    assert.equal(Math.round(record.final.testAcc * 40), record.final.testAcc * 40);
  });
});

describe('--data idx:DIR: both file name styles, plain and gzipped, give the same run', () => {
  test('dashed and dotted names, plain and .gz', (t) => {
    const records = [];
    for (const dotted of [false, true]) {
      for (const gzip of [false, true]) {
        const dir = tempDir(t);
        writeIdxSet(dir, 30, 20, { dotted, gzip, rows: 5, cols: 2 });
        const names = readdirSync(dir);
        assert.ok(names.every((n) => n.includes(dotted ? '.idx' : '-idx') && n.endsWith(gzip ? '.gz' : 'ubyte')), names.join());
        const { record } = run(t, ['--data', `idx:${dir}`, '--batch', '10', '--steps', '2', '--depth', '1']);
        assert.equal(record.layers[0].fanIn, 10, '5×2 images');
        assert.equal(record.data.trainSamples, 30);
        assert.equal(record.data.testSamples, 20);
        records.push(record);
      }
    }
    for (const other of records.slice(1)) {
      assert.deepEqual(other.layers, records[0].layers, 'same data, same numbers');
      assert.deepEqual(other.final, records[0].final);
    }
  });
});

describe('--seed', () => {
  before(async () => {
    await selectBackend('auto');
  });

  test('BatchStream: the order depends on the rng, each pass visits every row once, the partial batch is dropped', () => {
    const split = { x: Float32Array.from({ length: 20 }, (_, i) => i), labels: Uint8Array.from({ length: 20 }, (_, i) => i % 10) };
    const order = (seed: number) => {
      const stream = new BatchStream(split, 1, 6, 10, rngFor(seed, 'batches'));
      const rows: number[] = [];
      for (let b = 0; b < 6; b++) {
        const batch = stream.next();
        rows.push(...Array.from(batch.x.dataSync()));
        batch.x.dispose(); batch.xT?.dispose(); batch.targets.dispose();
      }
      return rows;
    };
    assert.deepEqual(order(1), order(1));
    assert.notDeepEqual(order(1), order(2));
    const rows = order(3);
    for (const pass of [rows.slice(0, 18), rows.slice(18, 36)]) assert.equal(new Set(pass).size, 18, 'three batches of 6 distinct rows per pass of 20');
  });

  test('the shuffle follows the training seed: same weights, same data, another seed ⇒ other batches ⇒ other weights', async () => {
    const data = loadDataset({ data: 'gaussian', seed: 1, standardize: false, trainSize: 64, testSize: 16 });
    const trained = async (seed: number) => {
      const model = createMlp({ sizes: [784, 16, 10], act: 'tanh', alpha: 0 }, parseInit('xavier'), { act: 'tanh', gain: 1 }, 7);
      await train(model, data, { optimizer: 'sgd', lr: 0.1, momentum: 0, batch: 8, steps: 3, seed, probeSize: 16, logEvery: 100 });
      const values = model.weights.map((w) => Array.from(w.dataSync()));
      disposeMlp(model);
      return values;
    };
    const a = await trained(1);
    assert.deepEqual(await trained(1), a, 'same seed, same result');
    assert.notDeepEqual(await trained(2), a, 'initial weights identical by construction: only the batch order can differ');
  });

  test('through the CLI, --seed changes the weights, the split and the shuffle, and is recorded', (t) => {
    const args = ['--data', 'gaussian', '--train-size', '64', '--test-size', '16', '--probe-size', '16', '--batch', '16', '--steps', '2', '--depth', '1'];
    const a = run(t, [...args, '--seed', '3']).record;
    const b = run(t, [...args, '--seed', '4']).record;
    assert.equal(a.config.seed, 3);
    assert.notEqual(layer(a, 1).initial.weightStd, layer(b, 1).initial.weightStd);
  });
});
