/**
 * The flag-effect table (test/flagEffects.ts) is complete and true: every flag `--help` lists for
 * sweep, merge, compare, ls, theory, report, tensorboard and export has a row, and each row's test
 * exists. Then the tests the table names here, each checking what a flag changes: every run option
 * of a sweep in two sweeps (one of them from --init-from), theory's flags in-process through the
 * real command parser, --width, --wide, --out/--root with a bare run id, merge --out, ls --json,
 * report --histogram-steps.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { buildProgram } from '../src/cli/main.js';
import { FLAG_EFFECTS } from './flagEffects.js';
import { BIN, ROOT, runCli, tempDir } from './helpers.js';

const COMMANDS = ['sweep', 'merge', 'compare', 'ls', 'theory', 'report', 'tensorboard', 'export csv', 'export probe-batch'];

/** The long flags `--help` lists for `vgrad <command>` (a subcommand as "export csv"). */
async function helpFlags(command: string): Promise<string[]> {
  const words = command.split(' ');
  let found: Command = await buildProgram(['node', 'vgrad', words[0]]);
  for (const word of words) found = found.commands.find((c) => c.name() === word)!;
  const help = found.helpInformation();
  return [...help.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]);
}

/** Test titles of test/<stem>.test.ts as written in the source (literal and template strings). */
function titlesOf(stem: string): string {
  const path = join(ROOT, 'test', `${stem}.test.ts`);
  assert.ok(existsSync(path), `no test file test/${stem}.test.ts`);
  return readFileSync(path, 'utf8').replace(/\\'/g, "'");
}

describe('the flag-effect table', () => {
  test('every flag in --help has a row', async () => {
    for (const command of COMMANDS) {
      const flags = await helpFlags(command);
      assert.ok(flags.length > 1, `${command}: flags read from --help`);
      const rows = FLAG_EFFECTS.filter((row) => row.command === command).map((row) => row.flag);
      assert.deepEqual(flags.filter((flag) => !rows.includes(flag)), [], `${command}: flags in --help without a row`);
      assert.deepEqual(rows.filter((flag) => !flags.includes(flag)), [], `${command}: rows for flags --help does not list`);
      assert.equal(new Set(rows).size, rows.length, `${command}: one row per flag`);
    }
  });

  test('each row names an observable and a test that exists', () => {
    for (const row of FLAG_EFFECTS) {
      assert.ok(row.observable.length > 5, `${row.command} ${row.flag}`);
      const match = /^(\w[\w-]*): (.+)$/.exec(row.test);
      assert.ok(match, `${row.command} ${row.flag}: "${row.test}" is not "<file>: <title>"`);
      const source = titlesOf(match[1]);
      assert.ok(/(test|describe)\(/.test(source) && source.includes(match[2]), `${row.command} ${row.flag}: no test "${match[2]}" in test/${match[1]}.test.ts`);
    }
  });
});

let out: string;
let runRoot: string;
let runId: string;

/** The cells of OUT/sweeps/<name>: id → record. */
function cellsOf(name: string): Map<string, any> {
  const dir = join(out, 'sweeps', name);
  return new Map(readdirSync(dir).filter((id) => existsSync(join(dir, id, 'cell.json'))).map((id) => [id, JSON.parse(readFileSync(join(dir, id, 'summary.json'), 'utf8'))]));
}

before(() => {
  out = join(tempDir(), 'results');
  runRoot = join(tempDir(), 'elsewhere');
  const run = runCli(['run', '--data', 'gaussian', '--train-size', '64', '--test-size', '64', '--probe-size', '32', '--width', '16', '--steps', '6', '--log-every', '3', '--quiet', '--json', '--out', runRoot]);
  assert.equal(run.status, 0, run.stderr);
  runId = JSON.parse(run.stdout).runId;
});

describe('sweep', () => {
  test('every run option given to a sweep reaches each cell (two sweeps: every option, then --layers, --epochs, --init-from)', (t) => {
    const tb = join(tempDir(t), 'tb');
    const all = runCli([
      'sweep', '--depth', '3', '--width', '12', '--act', 'leaky-relu', '--alpha', '0.2', '--init', 'orthogonal', '--gain', '1.5', '--optimizer', 'momentum',
      '--lr', '0.01', '--momentum', '0.5', '--batch', '16', '--steps', '2', '--seed', '7,8', '--data', 'gaussian', '--train-size', '40', '--test-size', '30',
      '--standardize', '--probe-size', '20', '--log-every', '1', '--backend', 'cpu', '--threads', '1', '--save-weights', 'init', '--tensorboard', tb,
      '--out', out, '--name', 'all', '--jobs', '1',
    ]);
    assert.equal(all.status, 0, all.stderr);
    assert.match(all.stderr, /2 to run on 1 workers/, '--jobs 1');
    const cells = cellsOf('all');
    assert.equal(cells.size, 2, '--name all: the folder OUT/sweeps/all');
    for (const [id, record] of cells) {
      const c = record.config;
      assert.deepEqual(
        [c.layers, c.depth, c.act, c.alpha, c.init, c.gain, c.optimizer, c.lr, c.momentum, c.batch, c.steps, c.data, c.trainSize, c.testSize, c.standardize, c.probeSize, c.logEvery, c.backend, c.threads, c.saveWeights],
        [[300, 12, 12], 3, 'leaky-relu', 0.2, 'orthogonal', 1.5, 'momentum', 0.01, 0.5, 16, 2, 'gaussian', 40, 30, true, 20, 1, 'cpu', 1, ['init']],
        id,
      );
      assert.ok([7, 8].includes(c.seed));
      assert.equal(record.backend.name, 'cpu');
      assert.deepEqual([record.data.trainSamples, record.data.testSamples, record.data.probeSamples], [40, 30, 20]);
      assert.equal(record.final.step, 2);
      const points = readFileSync(join(out, 'sweeps', 'all', id, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
      assert.deepEqual(points, [0, 1, 2], '--log-every 1');
      assert.ok(existsSync(join(out, 'sweeps', 'all', id, 'weights-step0.safetensors')), '--save-weights init');
      assert.ok(!existsSync(join(out, 'sweeps', 'all', id, 'weights-final.safetensors')));
      assert.equal(readdirSync(join(tb, id)).filter((f) => f.startsWith('events.out.tfevents.')).length, 1, '--tensorboard');
    }
    const seven = [...cells].find(([, r]) => r.config.seed === 7)!;
    const weights = join(out, 'sweeps', 'all', seven[0], 'weights-step0.safetensors');
    const from = runCli([
      'sweep', '--layers', '300,12,12', '--epochs', '1', '--init-from', weights, '--act', 'leaky-relu', '--alpha', '0.2', '--seed', '7', '--batch', '16',
      '--data', 'gaussian', '--train-size', '40', '--test-size', '30', '--standardize', '--probe-size', '20', '--backend', 'cpu', '--out', out, '--name', 'from', '--quiet',
    ]);
    assert.equal(from.status, 0, from.stderr);
    assert.equal(from.stderr, '', '--quiet');
    const [record] = [...cellsOf('from').values()];
    assert.deepEqual(record.config.layers, [300, 12, 12]);
    assert.equal(record.config.epochs, 1);
    assert.equal(record.final.step, 3, '--epochs 1 of 40 samples at batch 16: 3 steps (rounded up)');
    assert.equal(record.config.initFrom, weights);
    record.layers.forEach((layer: any, l: number) => assert.equal(layer.initial.weightStd, seven[1].layers[l].initial.weightStd, `--init-from: layer ${l + 1} starts from the file's weights`));
  });
});

/** `vgrad ARGS` in this process, through the command parser bin/vgrad.js uses; returns stdout. */
async function inProcess(args: string[]): Promise<string> {
  let text = '';
  const write = process.stdout.write;
  // vgrad writes strings; the test runner's own messages to the parent (which can arrive while a
  // paced command awaits) are bytes, and pass through.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof chunk !== 'string') return (write as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
    text += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    await (await buildProgram(['node', 'vgrad', ...args])).parseAsync(['node', 'vgrad', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return text;
}

describe('theory', () => {
  const prediction = async (args: string[]) => {
    const json = JSON.parse(await inProcess(['theory', '--json', ...args]));
    return JSON.stringify({ layers: json.layers, inputSecondMoment: json.inputSecondMoment });
  };
  test('each flag that defines the net changes the prediction', async () => {
    const gaussian = ['--data', 'gaussian'];
    const mnist = ['--train-size', '300', '--test-size', '100'];
    const cases: [string, string[], string[]][] = [
      ['--depth', gaussian, [...gaussian, '--depth', '3']],
      ['--width', [...gaussian, '--depth', '3'], [...gaussian, '--depth', '3', '--width', '50']],
      ['--layers', gaussian, [...gaussian, '--layers', '300,50']],
      ['--act', gaussian, [...gaussian, '--act', 'tanh']],
      ['--alpha', [...gaussian, '--act', 'leaky-relu'], [...gaussian, '--act', 'leaky-relu', '--alpha', '0.3']],
      ['--init', gaussian, [...gaussian, '--init', 'xavier']],
      ['--gain', [...gaussian, '--init', 'orthogonal'], [...gaussian, '--init', 'orthogonal', '--gain', '2']],
      ['--data', gaussian, mnist],
      ['--train-size', mnist, ['--train-size', '400', '--test-size', '100']],
      ['--seed', mnist, [...mnist, '--seed', '3']],
      ['--standardize', mnist, [...mnist, '--standardize']],
      ['--bias-std', gaussian, [...gaussian, '--bias-std', '0.5']],
      ['--batch-norm', gaussian, [...gaussian, '--batch-norm']],
    ];
    for (const [flag, base, changed] of cases) assert.notEqual(await prediction(changed), await prediction(base), `${flag} changes the prediction`);
  });

  test('the training-only flags leave the prediction identical', async (t) => {
    const base = await inProcess(['theory', '--json', '--data', 'gaussian']);
    const training = [
      '--optimizer', 'adam', '--lr', '0.3', '--momentum', '0.1', '--batch', '7', '--probe-size', '5', '--log-every', '2',
      '--backend', 'cpu', '--threads', '1', '--save-weights', 'init', '--clip-norm', '1', '--clip-value', '0.5', '--tensorboard', tempDir(t), '--out', tempDir(t),
    ];
    assert.equal(await inProcess(['theory', '--json', '--data', 'gaussian', ...training, '--steps', '3']), base);
    assert.equal(await inProcess(['theory', '--json', '--data', 'gaussian', ...training, '--epochs', '2']), base);
  });

  test('theory --test-size: checked with --train-size against the data, the prediction unchanged (E[x²] is the training split\'s)', async () => {
    const at = (testSize: string) => prediction(['--train-size', '300', '--test-size', testSize]);
    assert.equal(await at('200'), await at('100'));
    await assert.rejects(at('9800'), /exceed the 10000 digits/);
  });
});

const scriptAvailable = spawnSync('script', ['-V'], { encoding: 'utf8' }).status === 0;

function onTerminal(args: string[], columns: number): string {
  const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  const result = spawnSync('script', ['-qfec', `stty cols ${columns} rows 50; exec ${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}`, '/dev/null'], {
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, COLUMNS: String(columns) } as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(result.status, 0, result.stdout);
  return result.stdout.replace(/\r\n/g, '\n');
}
const widest = (text: string) => Math.max(...text.split('\n').map((line) => [...line].length));

describe('widths', () => {
  test('theory --wide and report --wide on a 60-column terminal: fitted without, wider with', { skip: scriptAvailable ? false : 'util-linux script (pseudo-terminal) is not installed' }, () => {
    const theory = ['theory', '--data', 'gaussian', '--depth', '3'];
    assert.ok(widest(onTerminal(theory, 60)) <= 60, 'theory fits 60 columns');
    assert.ok(widest(onTerminal([...theory, '--wide'], 60)) > 60, 'theory --wide prints every column');
    const report = ['report', join(runRoot, 'runs', runId)];
    assert.ok(widest(onTerminal(report, 60)) <= 60, 'report fits 60 columns');
    assert.ok(widest(onTerminal([...report, '--wide'], 60)) > 60, 'report --wide does not fit it');
  });

  test('compare --width N: no line wider than N; at 30 the two columns wrap into two blocks, at 200 into one', () => {
    const dir = join(out, 'sweeps', 'all');
    for (const [width, blocks] of [[30, 2], [200, 1]] as const) {
      const result = runCli(['compare', dir, '--width', String(width)]);
      assert.equal(result.status, 0, result.stderr);
      assert.ok(widest(result.stdout) <= width, `${width}: ${widest(result.stdout)}`);
      assert.equal(result.stdout.split('\n').filter((l) => l.startsWith('layer')).length, blocks);
    }
  });
});

describe('bare run ids and other roots', () => {
  test('a bare run id is looked up under --out (show, tensorboard, export csv) and --root (export probe-batch); elsewhere it is refused', (t) => {
    const shown = runCli(['show', runId, '--out', runRoot, '--json']);
    assert.equal(shown.status, 0, shown.stderr);
    assert.equal(JSON.parse(shown.stdout).runId, runId);
    assert.equal(runCli(['show', runId, '--out', out]).status, 2, 'not under another root');

    const logdir = join(tempDir(t), 'tb');
    const tb = runCli(['tensorboard', runId, '--out', runRoot, '--logdir', logdir]);
    assert.equal(tb.status, 0, tb.stderr);
    assert.deepEqual(readdirSync(logdir), [runId]);
    assert.equal(runCli(['tensorboard', runId, '--out', out, '--logdir', logdir]).status, 2);

    const csv = runCli(['export', 'csv', runId, '--out', runRoot]);
    assert.equal(csv.status, 0, csv.stderr);
    const rows: Record<string, string>[] = parse(csv.stdout, { columns: true });
    assert.equal(rows.length, 3 * 3, 'three probe points × three layers');
    assert.ok(rows.every((r) => r.run === runId));
    assert.equal(runCli(['export', 'csv', runId, '--out', out]).status, 2);

    const file = join(tempDir(t), 'probe.safetensors');
    const batch = runCli(['export', 'probe-batch', runId, '--root', runRoot, '--out', file]);
    assert.equal(batch.status, 0, batch.stderr);
    const bytes = readFileSync(file);
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8'));
    assert.deepEqual(header.inputs.shape, [32, 784], 'the run\'s probe batch: --probe-size 32');
    assert.equal(runCli(['export', 'probe-batch', runId, '--root', out, '--out', join(tempDir(t), 'x.safetensors')]).status, 2);
  });
});

describe('merge, ls, report', () => {
  test('merge --out puts the merged sweep under OUT/sweeps/<name>; --quiet prints nothing', (t) => {
    const root = join(tempDir(t), 'm');
    const merged = runCli(['merge', join(out, 'sweeps', 'all'), '--out', root]);
    assert.equal(merged.status, 0, merged.stderr);
    assert.notEqual(merged.stderr, '');
    assert.deepEqual(readdirSync(join(root, 'sweeps', 'all')).filter((id) => existsSync(join(root, 'sweeps', 'all', id, 'cell.json'))).sort(), [...cellsOf('all').keys()].sort());
    const quiet = runCli(['merge', join(out, 'sweeps', 'from'), '--out', root, '--quiet']);
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.equal(quiet.stderr, '');
    assert.ok(existsSync(join(root, 'sweeps', 'from', 'summary.csv')));
  });

  test('ls --json: one object per sweep (its cells done) or per cell, with what the records say', () => {
    const sweeps = runCli(['ls', out, '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(sweeps.map((s) => `${s.kind} ${s.id} ${s.status}`).sort(), ['sweep all 2/2 done', 'sweep from 1/1 done']);
    const cells = runCli(['ls', join(out, 'sweeps', 'all'), '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l));
    const records = cellsOf('all');
    assert.deepEqual(cells.map((c) => c.id).sort(), [...records.keys()].sort());
    for (const cell of cells) assert.equal(cell.status, records.get(cell.id).status);
  });

  test('report --histogram-steps 3: the histograms show step 3 instead of the first and last', (t) => {
    const folder = tempDir(t);
    const result = runCli(['report', join(runRoot, 'runs', runId), '--out', folder, '--format', 'html', '--histogram-steps', '3']);
    assert.equal(result.status, 0, result.stderr);
    const html = readFileSync(join(folder, 'report.html'), 'utf8');
    const sections = [...html.matchAll(/<section id="(histogram-[^"]*)"([\s\S]*?)<\/section>/g)];
    assert.ok(sections.length >= 2);
    for (const [, id, body] of sections) assert.deepEqual([...new Set(body.match(/step \d+/g))], ['step 3'], id);
  });
});
