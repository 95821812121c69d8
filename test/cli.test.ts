import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { encodeIdx } from '../src/data/idx.js';
import { assertRefusedInOneLine, blockTensorFlowEnv, type CliResult, runCli, runCliBatch, tempDir, withoutNativeEnv } from './helpers.js';
import { writeIdxSet } from './fixtures.js';

/** Small and quick: 500 training digits, a 2-layer net, a few steps. */
const QUICK = ['--train-size', '500', '--test-size', '200', '--probe-size', '100'];
const STATS_KEYS = ['weightStd', 'preactMean', 'preactVar', 'actMean', 'actVar', 'saturated', 'dead', 'gradVar', 'weightGradVar', 'updateRatio'];

function runJson(args: string[], out = tempDir()) {
  const result = runCli(['run', ...QUICK, '--json', '--out', out, ...args]);
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  assert.equal(lines.length, 1, '--json prints exactly one line on stdout');
  return { record: JSON.parse(lines[0]), out, stderr: result.stderr };
}

function runFolders(out: string): string[] {
  const runs = join(out, 'runs');
  return existsSync(runs) ? readdirSync(runs) : [];
}

describe('vgrad run end to end', () => {
  test('--json prints the vgrad.run/2 record, and the same record is stored with config and metrics', () => {
    const { record, out, stderr } = runJson(['--steps', '6', '--log-every', '3', '--act', 'tanh', '--init', 'xavier', '--depth', '3']);
    assert.equal(record.schema, 'vgrad.run/2');
    for (const key of ['layers', 'depth', 'act', 'init', 'optimizer', 'lr', 'batch', 'steps', 'seed', 'data', 'backend']) assert.ok(key in record.config, `config.${key}`);
    assert.deepEqual(record.config.layers, [300, 100, 100]);
    assert.equal(record.config.act, 'tanh');
    assert.equal(record.config.steps, 6);
    assert.ok(['wasm', 'cpu', 'tensorflow'].includes(record.config.backend));
    assert.equal(record.status, 'ok');
    assert.equal(record.divergedAt, null);
    assert.equal(record.final.step, 6);
    for (const key of ['loss', 'trainAcc', 'testAcc']) assert.equal(typeof record.final[key], 'number');
    assert.equal(record.layers.length, 4, 'hidden layers then the output layer');
    assert.deepEqual(record.layers.map((l: { fanIn: number; fanOut: number }) => [l.fanIn, l.fanOut]), [[784, 300], [300, 100], [100, 100], [100, 10]]);
    assert.deepEqual(record.layers.map((l: { index: number }) => l.index), [1, 2, 3, 4]);
    for (const layer of record.layers) {
      for (const key of STATS_KEYS) {
        assert.ok(key in layer.initial && key in layer.final, `layer ${layer.index} ${key}`);
      }
      assert.equal(layer.initial.updateRatio, null, 'no update before step 0');
      assert.ok(layer.final.updateRatio > 0, 'an update was applied');
    }
    // Stored: config.json, metrics.jsonl (steps 0, 3, 6), summary.json equal to stdout.
    const [runId] = runFolders(out);
    assert.equal(runFolders(out).length, 1);
    const dir = join(out, 'runs', runId);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')), record);
    assert.equal(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).init, 'xavier');
    const metrics = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(metrics.map((m) => m.step), [0, 3, 6]);
    assert.equal(metrics[0].layers.length, 4);
    assert.deepEqual(metrics[2].layers[1], record.layers[1].final);
    assert.match(stderr, new RegExp(`stored in .*${runId}`));
  });

  test('the same seed on the same backend gives identical numbers; another seed does not', () => {
    const args = ['--steps', '4', '--log-every', '2', '--optimizer', 'adam', '--lr', '0.001'];
    const a = runJson([...args, '--seed', '5']).record;
    const b = runJson([...args, '--seed', '5']).record;
    const c = runJson([...args, '--seed', '6']).record;
    assert.deepEqual(a.layers, b.layers);
    assert.deepEqual(a.final, b.final);
    assert.notDeepEqual(a.layers, c.layers);
  });

  test('the cpu backend runs the same code, and agrees with the default backend at initialization', () => {
    const args = ['--steps', '0', '--act', 'tanh', '--init', 'xavier', '--depth', '3'];
    const cpu = runJson([...args, '--backend', 'cpu']).record;
    const auto = runJson(args).record;
    assert.equal(cpu.config.backend, 'cpu');
    // Same seeded weights (drawn by tfjs-core, not the backend), so only float32 rounding differs.
    cpu.layers.forEach((layer: { index: number; initial: Record<string, number | null> }, l: number) => {
      for (const [key, value] of Object.entries(layer.initial)) {
        const other = auto.layers[l].initial[key];
        if (value === null) assert.equal(other, null, key);
        else assert.ok(Math.abs(value - other) <= 1e-4 * Math.abs(value) + 1e-9, `layer ${layer.index} ${key}: cpu ${value} vs ${auto.config.backend} ${other}`);
      }
    });
  });

  test('--steps 0 measures the net at initialization: one pass, no update', () => {
    const { record, out } = runJson(['--steps', '0']);
    assert.equal(record.final.step, 0);
    for (const layer of record.layers) assert.deepEqual(layer.final, layer.initial);
    const [runId] = runFolders(out);
    assert.equal(readFileSync(join(out, 'runs', runId, 'metrics.jsonl'), 'utf8').trim().split('\n').length, 1);
  });

  test('a non-finite loss ends the run as diverged at that step, exit 0, valid JSON', () => {
    const { record } = runJson(['--act', 'relu', '--init', 'normal1', '--depth', '6', '--lr', '1', '--steps', '30']);
    assert.equal(record.status, 'diverged');
    assert.ok(Number.isInteger(record.divergedAt) && record.divergedAt >= 1 && record.divergedAt <= 30);
    assert.equal(record.final.step, record.divergedAt - 1);
  });

  // --epochs (rounding up) and --data idx:DIR (both name styles, plain and gzipped) / gaussian are
  // checked by their effect in flags.test.ts; the copies that stood here ran the same paths again.

  test('the table: both probe points, flags in words, no colour under NO_COLOR, colour under FORCE_COLOR', () => {
    const out = tempDir();
    const args = ['run', ...QUICK, '--steps', '2', '--act', 'sigmoid', '--init', 'normal1', '--depth', '3', '--out', out];
    const plain = runCli(args, { NO_COLOR: '1' });
    assert.equal(plain.status, 0, plain.stderr);
    assert.match(plain.stdout, /At initialization \(step 0\)/);
    assert.match(plain.stdout, /After training \(step 2\)/);
    assert.match(plain.stdout, /saturated/);
    assert.match(plain.stdout, /784→300/);
    assert.doesNotMatch(plain.stdout, /\x1b\[/);
    // Non-TTY stderr: plain progress lines, no bar.
    assert.match(plain.stderr, /^step 0\/2 {2}probe loss/m);
    assert.doesNotMatch(plain.stderr, /\r/);
    const colored = runCli(args, { NO_COLOR: '1', FORCE_COLOR: '1' });
    assert.match(colored.stdout, /\x1b\[/);
  });

  test('vgrad show renders a stored run from its record', () => {
    const { out } = runJson(['--steps', '1']);
    const [runId] = runFolders(out);
    const shown = runCli(['show', join(out, 'runs', runId)]);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /At initialization \(step 0\)/);
    const missing = runCli(['show', join(out, 'nope')]);
    assert.equal(missing.status, 2);
  });
});

describe('bad input: one line on stderr naming the flag and what is allowed, exit 2, nothing written', () => {
  const corruptIdx = () => {
    const dir = tempDir();
    writeIdxSet(dir, 20, 10);
    const bytes = readFileSync(join(dir, 'train-images-idx3-ubyte'));
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), bytes.subarray(0, bytes.length - 7));
    return dir;
  };
  const badMagic = () => {
    const dir = tempDir();
    writeIdxSet(dir, 20, 10);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 0, 1, 0]));
    return dir;
  };
  const mismatched = () => {
    const dir = tempDir();
    writeIdxSet(dir, 20, 10);
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), encodeIdx([19], new Uint8Array(19)));
    return dir;
  };
  const aFile = () => {
    const path = join(tempDir(), 'not-a-folder');
    writeFileSync(path, 'x');
    return path;
  };
  const cases: [string, () => string[], RegExp][] = [
    ['unknown activation', () => ['--act', 'swish'], /--act must be one of sigmoid, tanh, relu, leaky-relu, elu, selu, softsign, linear \(got 'swish'\)/],
    ['unknown initializer', () => ['--init', 'kaiming'], /--init 'kaiming' is not an initializer; allowed: normal1, standard, xavier/],
    ['depth 0', () => ['--depth', '0'], /--depth must be an integer ≥ 1 \(got '0'\)/],
    ['non-integer depth', () => ['--depth', '2.5'], /--depth must be an integer ≥ 1 \(got '2.5'\)/],
    ['width 0', () => ['--width', '0'], /--width must be an integer ≥ 1/],
    ['non-integer width', () => ['--width', 'wide'], /--width must be an integer ≥ 1 \(got 'wide'\)/],
    ['bad --layers', () => ['--layers', '300,0'], /--layers must be a comma list of integers ≥ 1/],
    ['lr 0', () => ['--lr', '0'], /--lr must be a number > 0 \(got '0'\)/],
    ['negative lr', () => ['--lr', '-0.1'], /--lr must be a number > 0/],
    ['malformed vs: spec', () => ['--init', 'vs:scale=2,mode=fanin'], /mode 'fanin' is not allowed; allowed: fan_in, fan_out, fan_avg/],
    ['vs: without settings', () => ['--init', 'vs:'], /--init 'vs:': give settings/],
    ['book with an activation it has no row for', () => ['--init', 'book', '--act', 'selu'], /no row for --act selu/],
    ['unknown optimizer', () => ['--optimizer', 'rmsprop'], /--optimizer must be one of sgd, momentum, adam/],
    ['unknown data source', () => ['--data', 'cifar'], /--data 'cifar' is not a data source; allowed: mnist, gaussian, idx:DIR/],
    ['missing IDX folder', () => ['--data', `idx:${join(tempDir(), 'nothing')}`], /missing train-images-idx3-ubyte/],
    ['truncated IDX file', () => ['--data', `idx:${corruptIdx()}`], /truncated IDX file: header says 20×4×3 \(240 data bytes\) but the file has 233/],
    ['IDX file with a wrong magic number', () => ['--data', `idx:${badMagic()}`], /not an IDX file \(magic number 0x504b0304/],
    ['IDX sizes that disagree', () => ['--data', `idx:${mismatched()}`], /20 images but 19 labels/],
    ['unwritable output folder', () => ['--out', aFile()], /--out .*not-a-folder: cannot create .* give a writable folder/],
    ['unknown flag', () => ['--depht', '3'], /unknown option '--depht'/],
    ['steps and epochs together', () => ['--steps', '3', '--epochs', '1'], /--steps and --epochs cannot both be given/],
    ['batch larger than the data', () => ['--batch', '600'], /--batch 600 is larger than the 500 training samples/],
  ];
  // All cases in one child (each is refused before anything is written), one test each.
  const prepared = cases.map(([, args]) => {
    const out = tempDir();
    const extra = args();
    return { out, argv: ['run', ...QUICK, '--steps', '1', ...(extra.includes('--out') ? [] : ['--out', out]), ...extra] };
  });
  let results: CliResult[] = [];
  before(() => {
    results = runCliBatch(prepared.map((p) => p.argv));
  });
  cases.forEach(([name, , message], i) => {
    test(name, () => {
      assertRefusedInOneLine(results[i], message, name);
      assert.deepEqual(runFolders(prepared[i].out), [], 'no run folder, not even a partial one');
    });
  });

  test('--backend tensorflow without @tensorflow/tfjs-node says how to install it', () => {
    const out = tempDir();
    const result = runCli(['run', ...QUICK, '--steps', '1', '--backend', 'tensorflow', '--out', out], withoutNativeEnv());
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^vgrad: --backend tensorflow: @tensorflow\/tfjs-node is not installed.*npm install @tensorflow\/tfjs-node/);
    assert.deepEqual(runFolders(out), []);
  });
});

describe('commands that do not train never load TensorFlow.js', () => {
  const withHook = blockTensorFlowEnv();

  for (const args of [['--help'], ['run', '--help'], ['inits'], ['run', '--act', 'nope']]) {
    test(`vgrad ${args.join(' ')}`, () => {
      const result = runCli(args, withHook);
      assert.doesNotMatch(result.stderr, /TFJS LOADED/);
      assert.ok(result.status === 0 || result.status === 2, `exit ${result.status}: ${result.stderr}`);
    });
  }

  test('(control: the hook does catch a training run)', () => {
    const result = runCli(['run', ...QUICK, '--steps', '0', '--out', tempDir()], withHook);
    assert.match(result.stderr, /TFJS LOADED/);
  });
});

describe('vgrad inits', () => {
  test('lists every scheme with σ and r for the shape, and names the Table 11-1 error', () => {
    const result = runCli(['inits', '--fan-in', '784', '--fan-out', '300']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /│ he +│ normal +│ 0\.0505 /);
    assert.match(result.stdout, /│ xavier-uniform +│ uniform +│ 0\.0430 +│ 0\.0744 /);
    assert.match(result.stdout, /factor 4 on the wrong row/);
    assert.match(result.stdout, /puts 4× on tanh/);
    // The ×4 for the logistic, listed and credited to the Theano tutorial and Bengio 2012, not to Glorot &
    // Bengio (whose eq. 16 has no 4); Table 11-1's ReLU row set against He et al.'s √(2/784).
    assert.match(result.stdout, /│ xavier-logistic +│ normal +│ 0\.172 /);
    assert.match(result.stdout, /│ logistic +│ 0\.0744 +│ 0\.0430 +│ 0\.298 +│ 0\.172 +│ Theano tutorial, Bengio 2012: ×4/);
    assert.match(result.stdout, /the 4× for the logistic, whose slope at 0 is 1\/4, is from the Theano tutorial and Bengio 2012/);
    assert.doesNotMatch(result.stdout, /Glorot & Bengio[^\n]*×4|Glorot & Bengio's ×4/);
    assert.match(result.stdout, /│ relu +│ 0\.105 +│ 0\.0607 +│ 0\.0875 +│ 0\.0505 +│ He et al\./);
    assert.doesNotMatch(result.stdout, /seed's/);
  });

  test('--json carries the numbers', () => {
    const result = runCli(['inits', '--fan-in', '100', '--fan-out', '100', '--json']);
    const parsed = JSON.parse(result.stdout);
    const he = parsed.schemes.find((s: { name: string }) => s.name === 'he');
    assert.ok(Math.abs(he.std - Math.sqrt(2 / 100)) < 1e-12);
    const tanh = parsed.book.find((b: { row: string }) => b.row === 'tanh');
    assert.ok(Math.abs(tanh.bookLimit - 4 * Math.sqrt(6 / 200)) < 1e-12);
    assert.ok(Math.abs(tanh.publishedLimit - Math.sqrt(6 / 200)) < 1e-12);
  });

  test('bad fan is exit 2', () => {
    const result = runCli(['inits', '--fan-in', '0']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^vgrad: --fan-in must be an integer ≥ 1 \(got '0'\)\n$/);
  });
});
