/**
 * Interop checked by independent readers in Python: TensorBoard's own event reader, PyTorch +
 * safetensors loading vgrad's weights into nn.Linear, and tools/torch_crosscheck.py recomputing every
 * step-0 statistic with autograd. Python is Debian's /usr/bin/python3 (python3-torch from apt;
 * safetensors and tensorboard from pip), or $VGRAD_PYTHON; a test whose packages are missing is
 * skipped with the reason printed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ROOT, runCli, tempDir } from './helpers.js';

const PYTHON = process.env.VGRAD_PYTHON ?? '/usr/bin/python3';
const SMALL = ['--data', 'gaussian', '--train-size', '200', '--test-size', '100', '--probe-size', '64', '--quiet'];

function python(args: string[], input?: string) {
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', input, timeout: 240_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}

const imports = new Map<string, string | null>();

/** null if every module imports, else why not (for the skip message); asked once per set (importing torch costs seconds). */
function missing(modules: string[]): string | null {
  const key = modules.join(', ');
  if (!imports.has(key)) {
    const r = python(['-c', `import ${key}`]);
    const why = r.stderr.trim().split('\n').pop() || 'not runnable';
    imports.set(key, r.status === 0 ? null : `${PYTHON} cannot import ${key} (${why}); install: apt-get install python3-torch libopenblas0-pthread; ${PYTHON} -m pip install --break-system-packages safetensors tensorboard`);
  }
  return imports.get(key)!;
}

function skipUnless(t: TestContext, modules: string[]): boolean {
  const why = missing(modules);
  if (why) {
    process.stderr.write(`skipped: ${why}\n`);
    t.skip(why);
    return false;
  }
  return true;
}

const runDirs = (out: string) => readdirSync(join(out, 'runs')).filter((n) => !n.startsWith('.')).map((n) => join(out, 'runs', n));

interface ReadEvents {
  files: number;
  records: number;
  crcError: string | null;
  scalars: Record<string, [number, number | string][]>;
  histograms: Record<string, { step: number; limits: number[]; counts: number[]; num: number }[]>;
  hparams: Record<string, Record<string, unknown>>;
  text: Record<string, string>;
}

function readEvents(folder: string): ReadEvents {
  const r = python([join(ROOT, 'test', 'python', 'read_events.py'), folder]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as ReadEvents;
}

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/** TensorBoard scalars are float32 (simple_value); what vgrad stored, rounded the same way. */
const asFloat32 = (v: number | string) => (typeof v === 'string' ? v : Math.fround(v));
const decode = (v: number | string) => (v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : v === 'NaN' ? NaN : v);

test('--tensorboard: TensorBoard\'s reader loads every scalar with its tag, step and value, the config and HParams; CRCs check', (t) => {
  if (!skipUnless(t, ['tensorboard'])) return;
  const dir = tempDir();
  try {
    const tb = join(dir, 'tb');
    const r = runCli(['run', ...SMALL, '--depth', '2', '--steps', '6', '--log-every', '3', '--tensorboard', tb, '--out', dir, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const record = JSON.parse(r.stdout);
    const [run] = runDirs(dir);
    assert.deepEqual(readdirSync(tb), [record.runId], 'one folder per run, named by its id');
    const files = readdirSync(join(tb, record.runId));
    assert.equal(files.length, 1, 'no temp file left');
    assert.match(files[0], /^events\.out\.tfevents\.\d+\..+$/);
    const events = readEvents(join(tb, record.runId));
    assert.equal(events.crcError, null);
    const points = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const expected: Record<string, [number, number | string][]> = {};
    const put = (tag: string, step: number, value: number | string | null) => {
      if (value !== null) (expected[tag] ??= []).push([step, asFloat32(value)]);
    };
    for (const p of points) {
      put('loss/probe', p.step, p.probeLoss);
      put('accuracy/probe', p.step, p.probeAcc);
      put('loss/train', p.step, p.trainLoss);
      put('accuracy/train', p.step, p.trainAcc);
      p.layers.forEach((stats: Record<string, number | null>, l: number) => {
        for (const [k, v] of Object.entries(stats)) put(`layer${String(l + 1).padStart(2, '0')}/${snake(k)}`, p.step, v);
      });
    }
    put('final/train_loss', record.final.step, record.final.loss);
    put('final/train_acc', record.final.step, record.final.trainAcc);
    put('final/test_acc', record.final.step, record.final.testAcc);
    assert.ok('layer02/grad_var' in expected && 'layer01/preact_var' in expected && 'layer03/update_ratio' in expected);
    assert.deepEqual(events.scalars, expected);
    // Every event is a record: the file version, the text, 3 hparams summaries, one per scalar value,
    // and two histograms (activations, gradients) per layer per probe point.
    const scalarCount = Object.values(expected).reduce((n, v) => n + v.length, 0);
    const histogramCount = points.reduce((n, p) => n + 2 * p.layers.length, 0);
    assert.equal(events.records, 1 + 1 + 3 + scalarCount + histogramCount);
    assert.match(events.text['config/text_summary'], /\| act \| relu \|/);
    assert.match(events.text['config/text_summary'], /\| layers \| 300,100 \|/);
    const start = events.hparams['_hparams_/session_start_info'].sessionStartInfo as { hparams: Record<string, unknown> };
    // google.protobuf.Value in protobuf's JSON form: the plain value, typed.
    assert.equal(start.hparams.act, 'relu');
    assert.equal(start.hparams.depth, 2);
    assert.equal(start.hparams.lr, 0.05);
    assert.equal(start.hparams.standardize, false);
    assert.ok(!('out' in start.hparams), 'output folders are not hyperparameters');
    const experiment = events.hparams['_hparams_/experiment'].experiment as { hparamInfos: { name: string; type: string }[]; metricInfos: { name: { tag: string } }[] };
    assert.deepEqual(experiment.hparamInfos.find((h) => h.name === 'lr'), { name: 'lr', type: 'DATA_TYPE_FLOAT64' });
    assert.ok(experiment.metricInfos.some((m) => m.name.tag === 'final/test_acc'));
    assert.equal((events.hparams['_hparams_/session_end_info'].sessionEndInfo as { status: string }).status, 'STATUS_SUCCESS');

    // A flipped byte is caught by the reader's CRC check (so the check above could fail).
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    const bytes = readFileSync(join(tb, record.runId, files[0]));
    bytes[bytes.length - 10] ^= 0x40;
    writeFileSync(join(bad, files[0]), bytes);
    assert.match(readEvents(bad).crcError ?? '', /crc32 check/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vgrad tensorboard exports stored runs after the fact, histograms included, and refuses to write a run twice', (t) => {
  if (!skipUnless(t, ['tensorboard'])) return;
  const dir = tempDir();
  try {
    const r = runCli(['run', ...SMALL, '--depth', '1', '--steps', '2', '--log-every', '2', '--out', dir, '--act', 'tanh', '--init', 'normal:100']);
    assert.equal(r.status, 0, r.stderr);
    const [run] = runDirs(dir);
    // The probes' own fixed-bin histograms (metrics.jsonl) are what the exporter converts.
    const lines = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const tb = join(dir, 'tb');
    const e = runCli(['tensorboard', dir, '--logdir', tb]);
    assert.equal(e.status, 0, e.stderr);
    const id = run.split('/').pop()!;
    const events = readEvents(join(tb, id));
    assert.equal(events.crcError, null);
    // Points with non-finite saturation (normal:100 overflows nothing here, but tanh saturates): every value decoded.
    for (const p of lines) assert.deepEqual(events.scalars['layer01/saturated'].find(([s]) => s === p.step)?.[1], asFloat32(decode(p.layers[0].saturated)));
    assert.deepEqual(Object.keys(events.histograms).sort(), ['layer01/activations', 'layer01/gradients', 'layer02/activations', 'layer02/gradients']);
    const h = events.histograms['layer01/activations'];
    assert.deepEqual(h.map((x) => x.step), [0, 2]);
    // tanh: 20 linear bins on [−1, 1] plus under and over (NaN is not a TensorBoard bucket). Bucket
    // limits are the first edge, then each bin's right edge: −1.1, −1, −0.9, …, 1, 1.1.
    const width = 0.1;
    const limits = Array.from({ length: 23 }, (_, k) => -1 + (k - 1) * width);
    h[1].limits.forEach((limit, k) => assert.ok(Math.abs(limit - limits[k]) < 1e-9, `limit ${k}: ${limit}`));
    const stored = lines[1].histograms[0].act.counts as number[];
    assert.deepEqual(h[1].counts, [0, ...stored.slice(0, 22)]);
    assert.equal(h[1].num, stored.slice(0, 22).reduce((a, b) => a + b, 0));
    assert.equal(h[1].num, 64 * 300, 'every (sample, unit) pair of the 64-sample probe batch, none NaN');
    const again = runCli(['tensorboard', dir, '--logdir', tb]);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /already holds an event file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Python\'s safetensors loads --save-weights files into PyTorch nn.Linear layers (nn.ModuleList "layers")', (t) => {
  if (!skipUnless(t, ['torch', 'safetensors'])) return;
  const dir = tempDir();
  try {
    const r = runCli(['run', ...SMALL, '--layers', '30,20', '--steps', '0', '--save-weights', 'init', '--json', '--out', dir]);
    assert.equal(r.status, 0, r.stderr);
    const record = JSON.parse(r.stdout);
    const [run] = runDirs(dir);
    const script = [
      'import json, sys, torch',
      'from safetensors.torch import load_file',
      'net = torch.nn.Module()',
      'net.layers = torch.nn.ModuleList([torch.nn.Linear(784, 30), torch.nn.Linear(30, 20), torch.nn.Linear(20, 10)])',
      'net.load_state_dict(load_file(sys.argv[1]), strict=True)',
      'print(json.dumps([l.weight.double().std(unbiased=False).item() for l in net.layers]))',
    ].join('\n');
    const p = python(['-c', script, join(run, 'weights-step0.safetensors')]);
    assert.equal(p.status, 0, p.stderr);
    const stds = JSON.parse(p.stdout) as number[];
    // float32 moments in vgrad vs float64 here: 1e-5 relative is far above their rounding.
    stds.forEach((std, l) => assert.ok(Math.abs(std / record.layers[l].initial.weightStd - 1) < 1e-5, `layer ${l}: ${std} vs ${record.layers[l].initial.weightStd}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The three configurations cross-checked: a relu net, a tanh net and a saturating sigmoid one. */
const CROSSCHECKED = [['relu', 'he'], ['tanh', 'xavier'], ['sigmoid', 'normal1']] as const;

test(`tools/torch_crosscheck.py: ${CROSSCHECKED.map(([act, init]) => `${act}+${init}`).join(', ')} at depth 5 agree with PyTorch float32 within 1e-4, saturated and dead exactly; a statistic off by 5e-4 fails it`, (t) => {
  if (!skipUnless(t, ['torch', 'safetensors'])) return;
  const dir = tempDir();
  try {
    const tool = join(ROOT, 'tools', 'torch_crosscheck.py');
    const cases = CROSSCHECKED.map(([act, init]) => {
      // The default probe batch (512 samples) on the embedded MNIST, as a user runs it.
      const out = join(dir, `${act}-${init}`);
      const r = runCli(['run', '--quiet', '--depth', '5', '--act', act, '--init', init, '--steps', '0', '--save-weights', 'init', '--out', out]);
      assert.equal(r.status, 0, r.stderr);
      const [run] = runDirs(out);
      const probe = join(out, 'probe.safetensors');
      assert.equal(runCli(['export', 'probe-batch', run, '--out', probe]).status, 0);
      return { name: `${act}+${init}`, run, probe };
    });
    // The tool fails when a statistic is off by more than the tolerance (the test can fail): a copy
    // of the relu run with one gradVar 5e-4 off. Its failure path does not depend on the configuration.
    const tampered = join(dir, 'tampered');
    mkdirSync(tampered);
    for (const file of ['summary.json', 'weights-step0.safetensors']) copyFileSync(join(cases[0].run, file), join(tampered, file));
    const summary = JSON.parse(readFileSync(join(tampered, 'summary.json'), 'utf8'));
    summary.layers[2].initial.gradVar *= 1 + 5e-4;
    writeFileSync(join(tampered, 'summary.json'), JSON.stringify(summary));

    // One Python process for every invocation: torch takes seconds to import.
    const argLists = [...cases.map(({ run, probe }) => [run, probe, '--json']), [tampered, cases[0].probe]];
    const many = python([join(ROOT, 'test', 'python', 'run_many.py'), tool], JSON.stringify(argLists));
    assert.equal(many.status, 0, many.stderr);
    const outcomes = JSON.parse(many.stdout) as { status: number; stdout: string }[];
    assert.equal(outcomes.length, argLists.length);
    cases.forEach(({ name }, i) => {
      const c = outcomes[i];
      assert.equal(c.status, 0, `${name}: ${c.stdout.slice(0, 2000)}`);
      const result = JSON.parse(c.stdout) as { maxRelDiff32: number; failures: number; rows: { stat: string; vgrad: number | null; torch32: number | null }[] };
      assert.equal(result.failures, 0, name);
      assert.ok(result.maxRelDiff32 < 1e-4, `${name}: ${result.maxRelDiff32}`);
      assert.equal(result.rows.length, 6 * 10, `${name}: 6 layers × 10 statistics`);
      // Shares of counted pairs/units: both are the float64 quotient count/n (vgrad counts on the host),
      // so the same count gives the same number to the last bit.
      const shares = result.rows.filter((x) => x.stat === 'saturated' || x.stat === 'dead');
      assert.equal(shares.length, 2 * 6, name);
      for (const row of shares) assert.equal(row.vgrad, row.torch32, `${name} ${row.stat}`);
      assert.ok(shares.some((row) => (row.vgrad ?? 0) > 0), `${name}: some layer has a non-zero share`);
    });
    const off = outcomes[cases.length];
    assert.equal(off.status, 1, off.stdout);
    assert.match(off.stdout, /3 gradVar .*✗/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
