/**
 * Theory against measurement: `vgrad theory` beside `vgrad run --steps 0` on N(0,1) inputs, nets
 * of width 500, every layer (orthogonal ones too: their rows are exactly orthonormal, so the Gaussian
 * bound below over-covers them).
 *
 * Tolerance, on ln(measured ÷ predicted), is 3 standard deviations of an upper bound on the
 * sampling noise of one finite net measured on one probe batch:
 * - finite width: a layer's measured second moment averages its n units, each a quadratic form
 *   of one Gaussian weight column, relative variance at most 2/n; the errors multiply down the
 *   layers (Hanin & Rolnick 2018), so Var ln ≈ Σ_{k ≤ l} 2/n_k for z var. Going down, every
 *   hidden layer's back-propagation averages the same way: Σ over all hidden layers for grad var.
 *   (This is the Gaussian part only: what the next layer receives, the unit average of φ(z)²,
 *   fluctuates by κ/n with κ = E[φ⁴]/E[φ²]² − 1, 5 for ReLU; src/theory/finiteWidth.ts models it
 *   for the overlay; for ReLU that makes the sd up to √(5/2) times this test's, which its margin
 *   still covers: every measured ratio here is within 0.87–1.19);
 * - probe sampling: N·n_l values in a variance estimate, relative variance 2/(N·n_l).
 * At width 500, depth 5 that is 3·√(10/500) ≈ 0.42 for the top layer (a factor 1.5), while the
 * errors the test guards against are far larger: the truncated normal's missing 1/0.88 (×0.774
 * per layer), Xavier's ½ per ReLU layer, the sigmoid's variance in place of its second moment
 * (×27 at Xavier). The output layer (10 units) gets the same formula, which makes it loose there.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import type { ActivationName } from '../src/model/activations.js';
import { overlayForRecord } from '../src/theory/overlay.js';
import { runCli, tempDir } from './helpers.js';

const WIDTHS = [500, 500, 500, 500, 500];
const PROBE = 512;
const SDS = 3;

const out = tempDir();
after(() => rmSync(out, { recursive: true, force: true }));

interface Stats {
  preactVar: number;
  actVar: number;
  gradVar: number;
}
interface RunJson {
  config: { layers: number[]; act: ActivationName; alpha: number; init: string; gain: number };
  data: { features: number; probeSamples: number };
  layers: { kind: 'hidden' | 'output'; fanIn: number; fanOut: number; initial: Stats }[];
}
interface TheoryJson {
  layers: { preactVar: number; actVar: number | null; gradVarRatio: number }[];
}

const CONFIGS: string[][] = [
  ['--act', 'relu', '--init', 'he'],
  ['--act', 'sigmoid', '--init', 'normal1'],
  ['--act', 'sigmoid', '--init', 'xavier'],
  ['--act', 'selu', '--init', 'lecun'],
  ['--act', 'elu', '--init', 'vs:scale=2,mode=fan_in,dist=truncated'],
  ['--act', 'tanh', '--init', 'orthogonal', '--gain', '1.3'],
];

const measured = new Map<string, { run: RunJson; theory: TheoryJson }>();

function measureAndPredict(config: string[], seed: number): { run: RunJson; theory: TheoryJson } {
  const key = [...config, seed].join(' ');
  const known = measured.get(key);
  if (known) return known;
  const common = [...config, '--layers', WIDTHS.join(','), '--data', 'gaussian', '--seed', String(seed)];
  const run = runCli(['run', ...common, '--steps', '0', '--train-size', '64', '--test-size', String(PROBE), '--probe-size', String(PROBE), '--json', '--quiet', '--out', out]);
  assert.equal(run.status, 0, run.stderr);
  const theory = runCli(['theory', ...common, '--json']);
  assert.equal(theory.status, 0, theory.stderr);
  const result = { run: JSON.parse(run.stdout) as RunJson, theory: JSON.parse(theory.stdout) as TheoryJson };
  measured.set(key, result);
  return result;
}

describe('mean-field prediction vs one measured net at width 500 (--data gaussian, probe 512)', () => {
  for (const config of CONFIGS) {
    test(config.join(' '), () => {
      const widths = [...WIDTHS, 10];
      const hiddenSum = WIDTHS.reduce((sum, n) => sum + 2 / n, 0);
      const { run, theory } = measureAndPredict(config, 7);
      const outputGradVar = run.layers[run.layers.length - 1].initial.gradVar;
      let forwardSum = 0;
      run.layers.forEach((layer, l) => {
        const predicted = theory.layers[l];
        forwardSum += 2 / widths[l];
        const probe = 2 / (PROBE * widths[l]);
        const zTol = SDS * Math.sqrt(forwardSum + probe);
        const zLog = Math.log(layer.initial.preactVar / predicted.preactVar);
        assert.ok(Math.abs(zLog) <= zTol, `layer ${l + 1} z var: measured ${layer.initial.preactVar}, predicted ${predicted.preactVar} (|ln| ${zLog} > ${zTol})`);
        if (layer.kind === 'output') return;
        const aLog = Math.log(layer.initial.actVar / predicted.actVar!);
        assert.ok(Math.abs(aLog) <= zTol, `layer ${l + 1} φ(z) var: measured ${layer.initial.actVar}, predicted ${predicted.actVar}`);
        const gTol = SDS * Math.sqrt(hiddenSum + probe + 2 / (PROBE * 10));
        const gLog = Math.log(layer.initial.gradVar / outputGradVar / predicted.gradVarRatio);
        assert.ok(Math.abs(gLog) <= gTol, `layer ${l + 1} grad var ÷ output: measured ${layer.initial.gradVar / outputGradVar}, predicted ${predicted.gradVarRatio}`);
      });
      // The overlay the run table will show agrees: nothing differs beyond noise.
      const overlay = overlayForRecord(run, 1);
      assert.deepEqual(
        overlay.layers.map((row) => row.preactDiffers || row.gradDiffers),
        run.layers.map(() => false),
      );
    });
  }

  test('the overlay does flag a prediction for the wrong net (relu + he measured, relu + xavier predicted)', () => {
    const { run } = measureAndPredict(['--act', 'relu', '--init', 'he'], 7);
    const wrong = overlayForRecord({ ...run, config: { ...run.config, init: 'xavier' } }, 1);
    // Xavier is ½ per 500→500 ReLU layer against He's 1: from layer 3 on, off by ≥ 4 in z var.
    assert.ok(wrong.layers.slice(2, 5).every((row) => row.preactDiffers), JSON.stringify(wrong.layers.map((r) => r.preactRatio)));
  });
});
