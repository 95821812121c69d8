/** `vgrad theory` through the real CLI: each flag's effect on the prediction, the verdict, and no TensorFlow.js. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { judgeRecord, type JudgedRecord } from '../src/probes/verdicts.js';
import { blockTensorFlowEnv, isStoredNonFinite, runCli, runCliBatch, tempDir } from './helpers.js';


interface TheoryLayer {
  kind: string;
  fanIn: number;
  fanOut: number;
  sigmaW2: number;
  preactVar: number;
  actMean: number | null;
  chi: number | null;
  gradVarRatio: number;
  saturated: number | null;
}
interface TheoryJson {
  inputSecondMoment: number;
  layers: TheoryLayer[];
  depthScale: { qStar: number; chiStar: number; xi: number | null; trend: string };
  verdict: string;
  flags: string[][];
}

function theory(args: string[]): TheoryJson {
  const result = runCli(['theory', ...args, '--json']);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr, '');
  return JSON.parse(result.stdout) as TheoryJson;
}

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol * Math.abs(expected), `${what}: ${actual} vs ${expected}`);

describe('vgrad theory', () => {
  test('tanh + N(0,1) at width 100: layer 1 has q = 784·E[x²] = 784, then q* ≈ 92, χ ≈ 5.5, verdict exploding', () => {
    const out = theory(['--act', 'tanh', '--init', 'normal1', '--depth', '10', '--data', 'gaussian']);
    assert.equal(out.layers.length, 11);
    assert.deepEqual(
      out.layers.map((l) => `${l.fanIn}→${l.fanOut}`),
      ['784→300', '300→100', ...Array(8).fill('100→100'), '100→10'],
    );
    assert.equal(out.inputSecondMoment, 1);
    close(out.layers[0].preactVar, 784, 1e-12, 'q¹');
    assert.ok(out.depthScale.qStar > 89 && out.depthScale.qStar < 93, `q* ${out.depthScale.qStar}`);
    assert.ok(out.depthScale.chiStar > 5.4 && out.depthScale.chiStar < 5.6, `χ* ${out.depthScale.chiStar}`);
    assert.equal(out.verdict, 'exploding');
  });

  test('--init and --layers set σw² per layer: he 2 everywhere; xavier 2·fan_in/(fan_in+fan_out); orthogonal gain²·fan_in/max(fan_in, fan_out)', () => {
    const he = theory(['--act', 'relu', '--init', 'he', '--layers', '500,200', '--data', 'gaussian']);
    assert.deepEqual(he.layers.map((l) => l.fanOut), [500, 200, 10]);
    for (const l of he.layers) close(l.sigmaW2, 2, 1e-12, 'he σw²');
    const xavier = theory(['--act', 'relu', '--init', 'xavier', '--layers', '500,200', '--data', 'gaussian']);
    xavier.layers.forEach((l) => close(l.sigmaW2, (2 * l.fanIn) / (l.fanIn + l.fanOut), 1e-12, 'xavier σw²'));
    const orth = theory(['--act', 'tanh', '--init', 'orthogonal', '--gain', '1.5', '--layers', '100,300', '--data', 'gaussian']);
    orth.layers.forEach((l) => close(l.sigmaW2, (2.25 * l.fanIn) / Math.max(l.fanIn, l.fanOut), 1e-12, 'orthogonal σw²'));
    // Truncated normal draws are widened to the stated variance: same σw² as the normal.
    const truncated = theory(['--act', 'relu', '--init', 'vs:scale=2,mode=fan_in,dist=truncated', '--layers', '500,200', '--data', 'gaussian']);
    for (const l of truncated.layers) close(l.sigmaW2, 2, 1e-12, 'truncated σw²');
  });

  test('--act changes the recursion: relu + he keeps q; relu + xavier on square layers halves it', () => {
    const he = theory(['--act', 'relu', '--init', 'he', '--layers', '100,100,100,100', '--data', 'gaussian']);
    for (const l of he.layers) close(l.preactVar, 2, 1e-9, 'he q');
    assert.equal(he.verdict, 'healthy');
    const xavier = theory(['--act', 'relu', '--init', 'xavier', '--layers', '100,100,100,100', '--data', 'gaussian']);
    for (let l = 2; l < 4; l++) close(xavier.layers[l].preactVar / xavier.layers[l - 1].preactVar, 0.5, 1e-9, 'xavier q ratio');
    for (let l = 1; l < 3; l++) close(xavier.layers[l].chi!, 0.5, 1e-9, 'xavier χ');
  });

  test('--data mnist takes E[x²] from the training split (MNIST: 0.3081² + 0.1307² ≈ 0.112); --standardize changes it', () => {
    const mnist = theory(['--act', 'relu', '--init', 'he', '--depth', '2', '--data', 'mnist']);
    // The usual MNIST pixel mean 0.1307 and std 0.3081 (all 60k training digits); a subset is within a few %.
    close(mnist.inputSecondMoment, 0.3081 ** 2 + 0.1307 ** 2, 0.05, 'mnist E[x²]');
    close(mnist.layers[0].preactVar, 2 * mnist.inputSecondMoment, 1e-12, 'q¹ = σw²·E[x²]');
    const standardized = theory(['--act', 'relu', '--init', 'he', '--depth', '2', '--data', 'mnist', '--standardize']);
    // Each pixel with spread gets mean 0, variance 1; constant (border) pixels are only centred, so below 1.
    assert.ok(standardized.inputSecondMoment > 0.5 && standardized.inputSecondMoment < 1, `standardized E[x²] ${standardized.inputSecondMoment}`);
  });

  test('the table names the columns, the depth scale and the verdict', () => {
    const result = runCli(['theory', '--act', 'relu', '--init', 'xavier', '--depth', '20', '--data', 'gaussian']);
    assert.equal(result.status, 0, result.stderr);
    for (const column of ['layer', 'shape', 'σw²', 'z var q', 'φ(z) mean', 'χ', 'grad var ÷ out', 'sat', 'flags']) assert.ok(result.stdout.includes(column), column);
    assert.match(result.stdout, /│ 21 out +│ 100→10 /);
    assert.match(result.stdout, /χ\* = 0\.500 .*ξ = −1\/ln χ\* = 1\.44.*vanishing/);
    assert.match(result.stdout, /^verdict: vanishing/m);
  });

  test('the depth-scale line never contradicts the verdict (issue 34: "(vanishing)" above "verdict: healthy")', () => {
    const cases: [string[], string, RegExp][] = [
      // χ* = 0.40 shrinks the gradient, but over 10 layers only 10^-3.3 of energy: within the flags' 10^4.
      [['--act', 'sigmoid', '--init', 'xavier-logistic', '--depth', '10'], 'healthy', /only ×10\^-3\.3 of gradient energy, within the flags' 10\^4 \(not flagged\)/],
      [['--act', 'relu', '--init', 'xavier', '--depth', '30'], 'vanishing', /gradient energy changes ×10\^-8\.6, beyond the flags' 10\^4 \(vanishing\)/],
      [['--act', 'tanh', '--init', 'normal1', '--depth', '10'], 'exploding', /gradient energy changes ×10\^6\.9, beyond the flags' 10\^4 \(exploding\)/],
    ];
    for (const [args, verdict, line] of cases) {
      const result = runCli(['theory', ...args]);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, line, args.join(' '));
      assert.match(result.stdout, new RegExp(`^verdict: ${verdict} at step 0 `, 'm'));
      for (const word of ['vanishing', 'exploding']) {
        if (word !== verdict) assert.doesNotMatch(result.stdout.split('\n').filter((l) => l.startsWith('depth scale')).join(''), new RegExp(word), args.join(' '));
      }
    }
  });

  test('a prediction that overflows is data: relu + N(0,1), depth 200 (q ×50 per layer) gives non-finite markers and verdict diverged', () => {
    const result = runCli(['theory', '--act', 'relu', '--init', 'normal1', '--depth', '200', '--data', 'gaussian', '--json']);
    assert.equal(result.status, 0, result.stderr);
    const out = JSON.parse(result.stdout) as TheoryJson;
    // 784·50^(l−1)·… passes 1.8e308 near layer 180: finite below, non-finite above, written as the
    // record's markers ("+Inf", "-Inf", "NaN"), never as a number or null.
    assert.ok(Number.isFinite(out.layers[100].preactVar));
    assert.ok(isStoredNonFinite(out.layers[199].preactVar), `layer 200 q: ${JSON.stringify(out.layers[199].preactVar)}`);
    assert.equal(out.verdict, 'diverged');
    // The depth scale is the map's, not the overflowed net's: χ* = σw²/2 = 50.
    assert.ok(Math.abs(out.depthScale.chiStar - 50) < 1e-9);
  });

  test('bad flags: one line on stderr, exit 2, nothing on stdout', () => {
    const cases = [['--act', 'nope'], ['--init', 'book', '--act', 'selu'], ['--layers', '10,x']];
    const results = runCliBatch(cases.map((args) => ['theory', ...args]));
    for (const [i, args] of cases.entries()) {
      const result = results[i];
      assert.equal(result.status, 2, args.join(' '));
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^vgrad: .+\n$/);
    }
  });

  test('never loads TensorFlow.js, also when it reads the mnist data', () => {
    const env = blockTensorFlowEnv();
    for (const args of [['--act', 'tanh', '--data', 'gaussian'], ['--data', 'mnist', '--json'], ['--help']]) {
      const result = runCli(['theory', ...args], env);
      assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
    }
    // Control: the hook does stop a command that trains.
    const control = runCli(['run', '--steps', '0', '--data', 'gaussian', '--train-size', '64', '--test-size', '64', '--out', tempDir()], env);
    assert.match(control.stderr, /TFJS LOADED/);
  });

  test("its verdict is the one run's flag rules give the measured net at step 0", () => {
    for (const args of [
      ['--act', 'relu', '--init', 'xavier', '--depth', '20'],
      ['--act', 'tanh', '--init', 'xavier', '--depth', '5'],
    ]) {
      const common = [...args, '--data', 'gaussian'];
      const predicted = theory(common).verdict;
      const run = runCli(['run', ...common, '--steps', '0', '--train-size', '64', '--test-size', '512', '--json', '--quiet', '--out', tempDir()]);
      assert.equal(run.status, 0, run.stderr);
      const measured = judgeRecord(JSON.parse(run.stdout) as JudgedRecord, 'initial').verdict;
      assert.equal(predicted, measured, args.join(' '));
    }
  });
});
