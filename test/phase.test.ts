/**
 * Issue 29: biases drawn at initialization (--bias-std) and the order-to-chaos numbers of
 * Schoenholz et al. 2017 (src/theory/phase.ts), against closed forms, the published tanh values,
 * an independent computation in this file and one in numpy/scipy (test/python/phase_reference.py).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { loadStoredRuns } from '../src/report/storedRuns.js';
import { trainableDepth } from '../src/report/trainableDepthChart.js';
import { join } from 'node:path';
import { before, describe, test, type TestContext } from 'node:test';
import { selectBackend } from '../src/backend/select.js';
import { parseRunConfig } from '../src/config/runConfig.js';
import { parseInit } from '../src/model/initializers.js';
import { createMlp, disposeMlp } from '../src/model/mlp.js';
import { cellConfigOf } from '../src/store/record.js';
import { cellId } from '../src/store/layout.js';
import { adaptivePairRule, criticalSigmaW2, gridPairRule, phaseNumbers } from '../src/theory/phase.js';
import { predictNet } from '../src/theory/meanField.js';
import { assertRefusedInOneLine, ROOT, runCli, tempDir } from './helpers.js';

const QUICK = ['--data', 'gaussian', '--train-size', '200', '--test-size', '100', '--probe-size', '50', '--depth', '2', '--width', '16', '--quiet'];

/** Rounds to 3 significant digits: the "match to 3 significant digits". */
const sig3 = (x: number) => Number(x.toPrecision(3));

const close = (actual: number, expected: number, relTol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= relTol * Math.abs(expected), `${what}: ${actual} vs ${expected}`);

describe('--bias-std: biases from N(0, S²) at initialization', () => {
  before(async () => {
    await selectBackend('auto');
  });

  test('S = 0 keeps zero biases; S > 0 leaves every weight as it was, draws biases of std S, the same for the same seed', () => {
    const spec = { sizes: [784, 300, 100, 10], act: 'tanh' as const, alpha: 0 };
    const context = { act: 'tanh' as const, gain: 1 };
    const read = (biasStd: number | undefined, seed: number) => {
      const model = biasStd === undefined ? createMlp(spec, parseInit('xavier'), context, seed) : createMlp(spec, parseInit('xavier'), context, seed, biasStd);
      const out = { w: model.weights.map((w) => Array.from(w.dataSync())), b: model.biases.map((b) => Array.from(b.dataSync())) };
      disposeMlp(model);
      return out;
    };
    const before = read(undefined, 5);
    const zero = read(0, 5);
    const drawn = read(0.3, 5);
    const again = read(0.3, 5);
    const other = read(0.3, 6);
    assert.deepEqual(zero, before);
    for (const b of zero.b) assert.ok(b.every((v) => v === 0));
    assert.deepEqual(drawn.w, before.w, 'drawing biases must not change a weight');
    assert.deepEqual(again, drawn, 'same seed, same biases');
    assert.notDeepEqual(other.b[0], drawn.b[0], 'another seed, other biases');
    // 300 + 100 + 10 draws of N(0, 0.09): the sample std is within 10% of 0.3 (≈ 3 standard errors).
    const all = drawn.b.flat();
    const mean = all.reduce((s, v) => s + v, 0) / all.length;
    const std = Math.sqrt(all.reduce((s, v) => s + (v - mean) ** 2, 0) / all.length);
    close(std, 0.3, 0.1, 'bias std');
    assert.ok(Math.abs(mean) < 0.05, `bias mean ${mean}`);
    // The layers' biases come from different streams.
    assert.notDeepEqual(drawn.b[1].slice(0, 10), drawn.b[0].slice(0, 10));
  });

  test('recorded in the config, the record and the run header; refused below 0 in one line', (t) => {
    const out = tempDir(t);
    const result = runCli(['run', ...QUICK, '--steps', '0', '--act', 'tanh', '--bias-std', '0.5', '--out', out]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout.split('\n')[0], /^tanh · he · bias std 0\.5 · 2 hidden layers/);
    const runs = join(out, 'runs');
    const [runDir] = readdirSync(runs);
    const record = JSON.parse(readFileSync(join(runs, runDir, 'summary.json'), 'utf8'));
    const config = JSON.parse(readFileSync(join(runs, runDir, 'config.json'), 'utf8'));
    assert.equal(record.config.biasStd, 0.5);
    assert.equal(config.biasStd, 0.5);
    // Step-0 layer 1: q = σw²·E[x²] + σb² = 2·1 + 0.25 (He, gaussian input), measured on a finite net.
    close(record.layers[0].initial.preactVar, 2.25, 0.15, 'layer 1 z var with biases');
    const plain = runCli(['run', ...QUICK, '--steps', '0', '--act', 'tanh', '--out', out]);
    assert.equal(plain.status, 0, plain.stderr);
    assert.doesNotMatch(plain.stdout.split('\n')[0], /bias/);
    for (const bad of ['-0.1', 'x', 'inf']) assertRefusedInOneLine(runCli(['run', ...QUICK, '--bias-std', bad, '--out', out]), /--bias-std .*a number ≥ 0/, `--bias-std ${bad}`);
  });

  test("a cell's id is unchanged by biasStd 0 (sweeps started before --bias-std resume), changed by any other value", () => {
    const config = cellConfigOf(parseRunConfig({}));
    assert.equal(config.biasStd, 0);
    const { biasStd: _b, ...without } = config;
    assert.equal(cellId(config), cellId(without as typeof config));
    assert.notEqual(cellId({ ...config, biasStd: 0.1 }), cellId(config));
  });

  test('theory: q = σw²·E[x²] + σb² in every layer (linear: closed form)', () => {
    const p = predictNet({ sizes: [10, 10, 10, 10], act: 'linear', alpha: 0, sigmaW2: [0.5, 0.5, 0.5], inputSecondMoment: 2, sigmaB2: 0.25 });
    // 0.5·2 + 0.25 = 1.25; 0.5·1.25 + 0.25 = 0.875; 0.5·0.875 + 0.25 = 0.6875.
    assert.deepEqual(p.layers.map((l) => sig3(l.preactVar)), [1.25, 0.875, 0.688]);
    // The fixed point σb²/(1 − σw²) = 0.5.
    close(p.depthScale.qStar, 0.5, 1e-9, 'linear q*');
  });
});

/** An independent computation in this file: E over N(0,1) by a plain composite Simpson rule on ±12. */
function simpson(f: (z: number) => number, n = 4000): number {
  const a = -12;
  const h = 24 / n;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const z = a + i * h;
    const w = i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2;
    sum += w * f(z) * Math.exp((-z * z) / 2);
  }
  return (sum * h) / 3 / Math.sqrt(2 * Math.PI);
}
const sech2 = (u: number) => 1 / Math.cosh(u) ** 2;
function simpsonQStar(sw: number, sb: number): number {
  let q = 1;
  for (let i = 0; i < 400; i++) q = sw * simpson((z) => Math.tanh(Math.sqrt(q) * z) ** 2) + sb;
  return q;
}

describe('order and chaos (Schoenholz et al. 2017): tanh, σb² = 0.05', () => {
  const ordered = phaseNumbers('tanh', 0, 1.5, 0.05);
  const chaotic = phaseNumbers('tanh', 0, 3, 0.05);

  test("the issue's values to 3 significant digits: σw² = 1.5 → χ₁ 0.9386, ξ_c 15.8; σw² = 3 → c* 0.299, ξ_c 9.05; critical σw² 1.76", () => {
    assert.equal(ordered.phase, 'ordered');
    assert.equal(sig3(ordered.chi1), 0.939);
    assert.ok(Math.abs(ordered.chi1 - 0.9386) < 5e-5, `χ₁ ${ordered.chi1}`);
    assert.equal(ordered.cStar, 1);
    assert.equal(sig3(ordered.xiC!), 15.8);
    assert.equal(chaotic.phase, 'chaotic');
    assert.equal(sig3(chaotic.cStar!), 0.299);
    assert.equal(sig3(chaotic.xiC!), 9.05);
    // The reference table's other columns.
    assert.equal(sig3(chaotic.qStar), 1.43);
    assert.equal(sig3(chaotic.chi1), 1.21);
    const critical = criticalSigmaW2('tanh', 0, 0.05, 1, 3);
    assert.ok(critical !== null);
    assert.equal(sig3(critical), 1.76);
  });

  test('against a plain Simpson rule written here (q*, χ₁, ξ_q) and the fixed point of c by iteration', () => {
    for (const p of [ordered, chaotic]) {
      const q = simpsonQStar(p.sigmaW2, 0.05);
      close(p.qStar, q, 1e-9, `q* at σw² ${p.sigmaW2}`);
      close(p.chi1, p.sigmaW2 * simpson((z) => sech2(Math.sqrt(q) * z) ** 2), 1e-9, `χ₁ at σw² ${p.sigmaW2}`);
      // ξ_q from φ″ directly (the paper's form χ₁ + σw²·E[φφ″]), where the module uses Stein's lemma.
      const phi2 = (u: number) => -2 * Math.tanh(u) * sech2(u);
      const slope = p.chi1 + p.sigmaW2 * simpson((z) => Math.tanh(Math.sqrt(q) * z) * phi2(Math.sqrt(q) * z));
      close(p.xiQ!, -1 / Math.log(slope), 1e-8, `ξ_q at σw² ${p.sigmaW2}`);
    }
    // c* by iterating the correlation map itself (double Simpson), which converges at rate χ_c.
    const q = chaotic.qStar;
    const corr = (c: number) => {
      const s = Math.sqrt(1 - c * c);
      const pairMean = simpson((z1) => Math.tanh(Math.sqrt(q) * z1) * simpson((z2) => Math.tanh(Math.sqrt(q) * (c * z1 + s * z2)), 400), 400);
      return (3 * pairMean + 0.05) / q;
    };
    let c = 0.5;
    for (let i = 0; i < 150; i++) c = corr(c);
    close(chaotic.cStar!, c, 1e-6, 'c* by iteration');
  });

  test('the two pair rules agree where φ is smooth, and closed forms hold', () => {
    const adaptive = phaseNumbers('tanh', 0, 3, 0.05, { pairRule: adaptivePairRule('tanh', 0) });
    const grid = phaseNumbers('tanh', 0, 3, 0.05, { pairRule: gridPairRule() });
    close(grid.cStar!, adaptive.cStar!, 1e-9, 'c*');
    close(grid.chiC!, adaptive.chiC!, 1e-9, 'χ_c');
    // ReLU with σb² > 0, σw² < 2: q* = σb²/(1 − σw²/2), χ₁ = σw²/2, c* = 1, ξ_c = ξ_q = −1/ln(σw²/2).
    const relu = phaseNumbers('relu', 0, 1.5, 0.1);
    close(relu.qStar, 0.1 / 0.25, 1e-9, 'relu q*');
    close(relu.chi1, 0.75, 1e-9, 'relu χ₁');
    assert.equal(relu.cStar, 1);
    close(relu.xiC!, -1 / Math.log(0.75), 1e-9, 'relu ξ_c');
    close(relu.xiQ!, -1 / Math.log(0.75), 1e-6, 'relu ξ_q');
    // He for ReLU without biases is on the critical line: ξ_c infinite.
    const he = phaseNumbers('relu', 0, 2, 0);
    assert.equal(he.phase, 'critical');
    assert.equal(he.xiC, Infinity);
    // tanh without biases in the chaotic phase: φ odd, so c* = 0 (up to rounding).
    assert.ok(phaseNumbers('tanh', 0, 1.5, 0).cStar! < 1e-12);
    // ReLU above He has no fixed point q*.
    assert.equal(phaseNumbers('relu', 0, 2.5, 0).phase, null);
  });

  test('against numpy/scipy (test/python/phase_reference.py)', (t: TestContext) => {
    const python = process.env.VGRAD_PYTHON ?? 'python3';
    const probe = spawnSync(python, ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      const why = `${python} cannot import numpy and scipy: ${(probe.stderr || String(probe.error)).trim().split('\n').pop()}`;
      process.stderr.write(`skipped: ${why}\n`);
      t.skip(why);
      return;
    }
    const result = spawnSync(python, [join(ROOT, 'test', 'python', 'phase_reference.py'), '0.05', '1.0', '1.5', '2.0', '3.0'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const reference = JSON.parse(result.stdout) as { rows: Record<string, number>[]; critical: number };
    for (const row of reference.rows) {
      const ours = phaseNumbers('tanh', 0, row.sigmaW2, 0.05) as unknown as Record<string, number>;
      for (const key of ['qStar', 'chi1', 'cStar', 'chiC', 'xiQ', 'xiC']) close(ours[key], row[key], 1e-7, `${key} at σw² ${row.sigmaW2}`);
    }
    close(criticalSigmaW2('tanh', 0, 0.05, 1, 3, 1e-9)!, reference.critical, 1e-7, 'critical σw²');
  });
});

describe('vgrad theory prints the phase numbers', () => {
  test('--json has phase { qStar, chi1, cStar, chiC, xiQ, xiC }; the text says what each means', () => {
    const args = ['theory', '--act', 'tanh', '--init', 'vs:scale=3,mode=fan_in', '--bias-std', String(Math.sqrt(0.05)), '--depth', '4', '--data', 'gaussian'];
    const json = runCli([...args, '--json']);
    assert.equal(json.status, 0, json.stderr);
    const out = JSON.parse(json.stdout);
    assert.equal(out.config.biasStd, Math.sqrt(0.05));
    assert.deepEqual(Object.keys(out.phase).slice(0, 6), ['qStar', 'chi1', 'cStar', 'chiC', 'xiQ', 'xiC']);
    assert.equal(sig3(out.phase.cStar), 0.299);
    assert.equal(sig3(out.phase.xiC), 9.05);
    assert.equal(out.phase.phase, 'chaotic');
    const text = runCli(args, { COLUMNS: '200' });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /χ₁ {2}= 1\.21: .*chaotic/);
    assert.match(text.stdout, /c\* {2}= 0\.299: /);
    assert.match(text.stdout, /ξ_c = 9\.05: .*6ξ_c = 54\.3/);
    // He for ReLU without biases: on the critical line, ξ_c infinite (JSON's +Inf marker).
    const he = JSON.parse(runCli(['theory', '--act', 'relu', '--init', 'he', '--depth', '3', '--data', 'gaussian', '--json']).stdout);
    assert.equal(he.phase.phase, 'critical');
    assert.equal(he.phase.xiC, '+Inf');
  });
});

describe('vgrad theory --map', () => {
  test('--json: the grid, the phases on either side of the critical line, which matches the single-point numbers', () => {
    const result = runCli(['theory', '--map', '--act', 'tanh', '--sigma-w2', '1,3', '--sigma-b2', '0,0.05', '--grid', '5x2', '--json']);
    assert.equal(result.status, 0, result.stderr);
    const map = JSON.parse(result.stdout);
    assert.equal(map.schema, 'vgrad.phase-map/1');
    assert.deepEqual(map.sigmaW2, [1, 1.5, 2, 2.5, 3]);
    assert.deepEqual(map.sigmaB2, [0, 0.05]);
    assert.equal(sig3(map.critical[1]), 1.76);
    const row = map.cells.filter((c: { sigmaB2: number }) => c.sigmaB2 === 0.05);
    assert.deepEqual(row.map((c: { phase: string }) => c.phase), ['ordered', 'ordered', 'chaotic', 'chaotic', 'chaotic']);
    const at3 = row[4];
    close(at3.cStar, 0.2993176418, 1e-6, 'map c* at σw² 3');
    close(at3.xiC, 9.051455726, 1e-6, 'map ξ_c at σw² 3');
    // Without biases tanh's critical σw² is 1 (Xavier on square layers): q* = 0 there, χ₁ = σw².
    close(map.critical[0], 1, 1e-4, 'critical σw² at σb² 0');
  });

  test('text: one row per σb² with the critical line marked; pictures as SVG and PNG; bad ranges refused in one line', (t) => {
    const dir = tempDir(t);
    const svg = join(dir, 'map.svg');
    const png = join(dir, 'map.png');
    const text = runCli(['theory', '--map', '--act', 'tanh', '--grid', '12x4', '--picture', svg], { NO_COLOR: '1' });
    assert.equal(text.status, 0, text.stderr);
    const rows = text.stdout.split('\n').filter((line) => /^ *[0-9.]+ \S/.test(line));
    assert.equal(rows.length, 4);
    for (const row of rows) assert.equal(row.split('|').length, 2, `one critical mark in ${row}`);
    assert.match(readFileSync(svg, 'utf8'), /^<svg[^>]*>/);
    assert.match(readFileSync(svg, 'utf8'), /Order to chaos: tanh/);
    assert.equal(runCli(['theory', '--map', '--act', 'tanh', '--grid', '6x2', '--picture', png]).status, 0);
    assert.deepEqual([...readFileSync(png).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assertRefusedInOneLine(runCli(['theory', '--map', '--sigma-w2', '4,1']), /--sigma-w2 4,1: allowed: two numbers lo,hi/, 'reversed range');
    assertRefusedInOneLine(runCli(['theory', '--map', '--grid', '40']), /--grid 40: allowed: COLUMNSxROWS/, 'bad grid');
    assertRefusedInOneLine(runCli(['theory', '--map', '--picture', join(dir, 'map.txt')]), /--picture .*\.svg or \.png/, 'bad picture name');
    assertRefusedInOneLine(runCli(['theory', '--picture', svg]), /--picture draws the map/, '--picture without --map');
  });
});

describe('experiments/schoenholz-2017.yaml, small: the sweep and the trainable-depth chart', () => {
  test('2 σw² × 2 depths of the file, 5 steps: the report draws accuracy over σw² × depth with ξ_c from the theory', async (t) => {
    const dir = tempDir(t);
    const full = parseYaml(readFileSync(join(ROOT, 'experiments', 'schoenholz-2017.yaml'), 'utf8'));
    assert.equal(full.fixed.act, 'tanh');
    assert.equal(sig3(full.fixed['bias-std'] ** 2), 0.05);
    assert.equal(full.grid.init.length, 13, 'σw² 1 to 4 in steps of 0.25');
    const small = { ...full, grid: { init: [full.grid.init[2], full.grid.init[8]], depth: [2, 3] }, fixed: { ...full.fixed, steps: 5, 'log-every': 5, 'train-size': 200, 'test-size': 100, 'probe-size': 50 } };
    const file = join(dir, 'small.yaml');
    writeFileSync(file, stringifyYaml(small));
    const sweep = runCli(['sweep', file, '--out', dir, '--quiet']);
    assert.equal(sweep.status, 0, sweep.stderr);
    const sweepDir = join(dir, 'sweeps', 'small');
    const runs = loadStoredRuns(sweepDir);
    assert.equal(runs.length, 4);
    const grid = trainableDepth(runs)!;
    assert.ok(grid !== null);
    assert.equal(sig3(grid.sigmaB2), 0.05);
    assert.deepEqual(grid.xiC.map((x) => x.sigmaW2), [1.5, 3]);
    assert.deepEqual(grid.xiC.map((x) => sig3(x.xiC!)), [15.8, 9.05]);
    assert.equal(sig3(grid.critical!), 1.76);
    assert.deepEqual(grid.cells.map((c) => `${c.sigmaW2}@${c.depth}`).sort(), ['1.5@2', '1.5@3', '3@2', '3@3']);
    for (const cell of grid.cells) {
      const run = runs.find((r) => r.record.config.depth === cell.depth && r.record.config.init.includes(`scale=${cell.sigmaW2},`))!;
      assert.equal(cell.trainAcc, run.record.final.trainAcc);
    }
    const report = runCli(['report', sweepDir, '--out', join(dir, 'report'), '--format', 'svg']);
    assert.equal(report.status, 0, report.stderr);
    const svg = readFileSync(join(dir, 'report', 'trainable-depth.svg'), 'utf8');
    assert.match(svg, /Trainable depth: tanh, σb² = 0\.05/);
    assert.match(svg, /the critical σw² = 1\.76/);
    // Not drawn for runs that are not such a grid.
    assert.equal(trainableDepth(runs.filter((r) => r.record.config.depth === 2)), null);
  });
});
