/**
 * Reading the output: tables that fit the terminal (checked on a real pseudo-terminal), --wide and
 * piped output with every column, fixed bar scales, the run header, eta, signed percentages, and
 * the PyTorch reference script shipped in the repository.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import stringWidth from 'string-width';
import { fitColumns, wrapCell } from '../src/report/fitWidth.js';
import { compressWidths, runHeaderParts } from '../src/report/runHeader.js';
import { logBar } from '../src/report/logBar.js';
import { signedPercent } from '../src/util/signedPercent.js';
import { formatEta } from '../src/cli/progress.js';
import type { RunRecord } from '../src/store/record.js';
import { BIN, ROOT, runCli, tempDir } from './helpers.js';

const QUICK = ['--train-size', '500', '--test-size', '200', '--probe-size', '100'];
/** Every column the run table has; with --wide or piped output all must be there. */
const ALL_HEADS = ['layer', 'shape', 'w std', 'z mean', 'z var', 'z theory', 'z ÷ theory', 'φ(z) var', 'sat', 'dead', 'grad var', 'grad theory', 'grad ÷ theory', '‖∇W‖', '‖ΔW‖/‖W‖', 'flags'];

const scriptAvailable = spawnSync('script', ['-V'], { encoding: 'utf8' }).status === 0;
const torchAvailable = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the real CLI on a pseudo-terminal `columns` wide (util-linux `script`), so stdout and stderr
 * are TTYs. Both arrive merged, with \r\n line ends turned into \n.
 */
function runOnTerminal(args: string[], columns: number, env: Record<string, string> = {}): { status: number | null; output: string } {
  const command = `stty cols ${columns} rows 50; exec ${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}`;
  const result = spawnSync('script', ['-qfec', command, '/dev/null'], {
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...env } as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { status: result.status, output: result.stdout.replace(/\r\n/g, '\n') };
}

function widestLine(text: string): { width: number; line: string } {
  return text.split('\n').reduce((best, line) => (stringWidth(line) > best.width ? { width: stringWidth(line), line } : best), { width: 0, line: '' });
}

function assertFits(text: string, columns: number) {
  const { width, line } = widestLine(text);
  assert.ok(width <= columns, `a line is ${width} cells wide on a ${columns}-column terminal: ${line}`);
}

/** The head row of the first table in a report. */
function headRow(text: string): string {
  return text.split('\n').find((line) => line.startsWith('│ layer'))!;
}


function storedRun(args: string[]): string {
  const out = tempDir();
  const result = runCli(['run', ...QUICK, '--quiet', '--json', '--out', out, ...args]);
  assert.equal(result.status, 0, result.stderr);
  const [runId] = readdirSync(join(out, 'runs'));
  return join(out, 'runs', runId);
}

describe('tables fit the terminal', { skip: scriptAvailable ? false : 'util-linux script (pseudo-terminal) is not installed' }, () => {
  let runDir = '';
  before(() => {
    runDir = storedRun(['--steps', '2', '--act', 'sigmoid', '--init', 'normal1', '--depth', '3']);
    // Many flags on one layer: saturated, dead and a gradient far below the others, whatever the exact rules.
    const summary = join(runDir, 'summary.json');
    const record = JSON.parse(readFileSync(summary, 'utf8'));
    Object.assign(record.layers[1].initial, { saturated: 1, dead: 1, gradVar: 1e-30 });
    writeFileSync(summary, JSON.stringify(record));
  });

  for (const columns of [80, 100]) {
    test(`vgrad show at ${columns} columns: no line wider, a note names what was left out`, () => {
      const { status, output } = runOnTerminal(['show', runDir], columns);
      assert.equal(status, 0, output);
      assertFits(output, columns);
      const head = headRow(output);
      for (const kept of ['layer', 'shape', 'grad var', 'flags']) assert.ok(head.includes(kept), `${kept} kept: ${head}`);
      // The note may wrap onto more lines (fitLines): join them.
      const outLines = output.split('\n');
      const noteStart = outLines.findIndex((line) => line.startsWith('Left out to fit: '));
      const noteEnd = outLines.findIndex((line, i) => i >= noteStart && line.endsWith(')'));
      const note = noteStart < 0 || noteEnd < 0 ? undefined : outLines.slice(noteStart, noteEnd + 1).join(' ').replace(/ +/g, ' ');
      assert.ok(note, 'the note on left-out columns');
      assert.match(note!, /\(--wide shows all\)$/);
      // Exactly the columns missing from the head are named in the note.
      const missing = ALL_HEADS.filter((name) => !head.includes(name));
      assert.ok(missing.length > 0);
      assert.deepEqual(note!.replace('Left out to fit: ', '').replace(' (--wide shows all)', '').split(', '), missing);
      // The many-flags layer keeps its flags, wrapped inside the flags column.
      assert.match(output, /saturated/);
      assert.match(output, /dead/);
    });
  }

  test('at 80 columns the less telling columns go first: update ratio, w std, z mean', () => {
    const head = headRow(runOnTerminal(['show', runDir], 80).output);
    for (const gone of ['‖ΔW‖/‖W‖', 'w std', 'z mean']) assert.ok(!head.includes(gone), `${gone} dropped: ${head}`);
  });

  test('--wide prints every column on an 80-column terminal, and no note', () => {
    const { status, output } = runOnTerminal(['show', runDir, '--wide'], 80);
    assert.equal(status, 0, output);
    const head = headRow(output);
    for (const name of ALL_HEADS) assert.ok(head.includes(name), `${name} in ${head}`);
    assert.ok(widestLine(output).width > 80, 'the full table is wider than 80');
    assert.doesNotMatch(output, /Left out to fit/);
  });

  test('piped output keeps the full table', () => {
    const result = runCli(['show', runDir]);
    assert.equal(result.status, 0, result.stderr);
    const head = headRow(result.stdout);
    for (const name of ALL_HEADS) assert.ok(head.includes(name), `${name} in ${head}`);
    assert.doesNotMatch(result.stdout, /Left out to fit/);
  });

  test('vgrad run itself fits an 80-column terminal, header included', () => {
    const out = tempDir();
    const { status, output } = runOnTerminal(['run', ...QUICK, '--steps', '1', '--quiet', '--out', out, '--optimizer', 'momentum', '--standardize'], 80);
    assert.equal(status, 0, output);
    assertFits(output, 80);
    assert.match(output, /momentum 0\.9 lr 0\.05/);
    assert.match(output, /standardized/);
  });

  for (const columns of [80, 100]) {
    test(`vgrad inits fits ${columns} columns`, () => {
      const { status, output } = runOnTerminal(['inits'], columns);
      assert.equal(status, 0, output);
      assertFits(output, columns);
      assert.match(output, /│ he +│/);
    });
  }

  test('vgrad inits --wide and piped keep every column', () => {
    const wide = runOnTerminal(['inits', '--wide'], 80).output;
    const piped = runCli(['inits']).stdout;
    for (const text of [wide, piped]) {
      assert.match(text, /│ init +│ distribution +│ σ +│ r \(uniform\) +│ meant for +│ note +│/);
      assert.doesNotMatch(text, /Left out to fit/);
    }
  });

  test('the progress bar shows eta – until the first step gives a rate, then a time', () => {
    const out = tempDir();
    const { status, output } = runOnTerminal(['run', ...QUICK, '--steps', '30', '--out', out], 80);
    assert.equal(status, 0, output);
    const frames = output.split(/\r|\x1b\[1G/).filter((frame) => frame.startsWith('training'));
    const first = frames.find((frame) => / 0\/30 steps/.test(frame));
    assert.ok(first, `a frame before the first step: ${frames.slice(0, 2)}`);
    assert.match(first!, /eta –/);
    assert.ok(frames.some((frame) => /[1-9]\d*\/30 steps .*eta \d+s/.test(frame)), 'a time once steps ran');
  });
});

describe('bars have one fixed scale', () => {
  test('two very different runs print the same scale heads; values beyond it are marked', () => {
    // Before, these two printed 1e-3…1e0 and 1e-27…1e0.
    const table = (args: string[]) => {
      const result = runCli(['run', ...QUICK, '--steps', '0', '--quiet', '--out', tempDir(), ...args]);
      assert.equal(result.status, 0, result.stderr);
      return result.stdout;
    };
    const healthy = table(['--act', 'sigmoid', '--init', 'normal1', '--depth', '3']);
    const vanishing = table(['--data', 'gaussian', '--init', 'standard', '--depth', '30', '--width', '8']);
    const exploding = table(['--data', 'gaussian', '--init', 'normal1', '--depth', '30', '--width', '8']);
    for (const text of [healthy, vanishing, exploding]) {
      assert.match(headRow(text), /φ\(z\) var +1e-20…1e10 /);
      assert.match(headRow(text), /grad var +1e-20…1e10 /);
    }
    assert.match(vanishing, /◂/, 'relu+standard at depth 30: gradient variance ~1e-26, below the scale');
    assert.match(exploding, /█▸/, 'relu+normal1 at depth 30: variance far above 1e10');
  });

  test('logBar: same value, same bar; clipped with marks; empty when missing', () => {
    const scale = { low: -20, high: 10 };
    assert.equal(logBar(1e-5, scale, 10), '█████     '); // (−5+20)/30 of 10 cells = 5 cells
    assert.equal(logBar(1e-21, scale, 10), '◂         ');
    assert.equal(logBar(0, scale, 10), '◂         ');
    assert.equal(logBar(1e11, scale, 10), '█████████▸');
    assert.equal(logBar(Infinity, scale, 10), '█████████▸');
    assert.equal(logBar(null, scale, 10), '          ');
    assert.equal(logBar(NaN, scale, 10), '          ');
  });
});

describe('the run header', () => {
  const record = (config: Record<string, unknown>) =>
    ({
      config: { act: 'relu', alpha: 0.01, init: 'he', gain: 1, optimizer: 'sgd', lr: 0.05, momentum: 0.9, batch: 64, steps: 250, epochs: null, seed: 42, data: 'mnist', trainSize: null, testSize: null, standardize: false, probeSize: 512, logEvery: 100, layers: [300, 100], ...config },
      data: { name: 'mnist' },
      backend: { name: 'wasm' },
    }) as unknown as RunRecord;

  test('compresses runs of equal widths', () => {
    assert.equal(compressWidths([300, ...Array(999).fill(100)]), '300, 100×999');
    assert.equal(compressWidths([300, 100]), '300, 100');
    assert.equal(compressWidths([300, 100, 100]), '300, 100, 100');
    assert.equal(compressWidths([300, 200, 100, 100, 100, 50]), '300, 200, 100×3, 50');
  });

  test('the defaults say only the net, optimizer, batch, seed, data and backend', () => {
    assert.deepEqual(runHeaderParts(record({})), ['relu', 'he', '2 hidden layers [300, 100]', 'sgd lr 0.05', 'batch 64', 'seed 42', 'mnist', 'wasm']);
  });

  test('every other setting that differs is said', () => {
    const parts = runHeaderParts(
      record({ standardize: true, steps: 7, trainSize: 500, testSize: 200, probeSize: 100, logEvery: 5, layers: [300, ...Array(999).fill(100)] }),
    ).join(' · ');
    for (const text of ['1000 hidden layers [300, 100×999]', 'standardized', 'steps 7', 'train size 500', 'test size 200', 'probe size 100', 'log every 5']) {
      assert.ok(parts.includes(text), `${text} in ${parts}`);
    }
    assert.match(runHeaderParts(record({ epochs: 0.5, steps: 4 })).join(' · '), /epochs 0\.5 \(4 steps\)/);
  });

  test('alpha, gain and momentum when they matter, and only then', () => {
    const relevant = runHeaderParts(record({ act: 'leaky-relu', alpha: 0.2, init: 'orthogonal', gain: 1.5, optimizer: 'momentum', momentum: 0.8 })).join(' · ');
    assert.match(relevant, /leaky-relu alpha 0\.2 · orthogonal gain 1\.5 · .* · momentum 0\.8 lr 0\.05/);
    const irrelevant = runHeaderParts(record({ alpha: 0.2, gain: 1.5, momentum: 0.8 })).join(' · ');
    assert.doesNotMatch(irrelevant, /alpha|gain|momentum/);
  });

  test('through the CLI: the widths are compressed and the non-default settings named', () => {
    const out = tempDir();
    const result = runCli(['run', '--data', 'gaussian', '--steps', '0', '--depth', '30', '--width', '8', '--act', 'leaky-relu', '--alpha', '0.2', '--gain', '1.5', '--optimizer', 'momentum', '--momentum', '0.8', '--standardize', '--quiet', '--out', out, ...QUICK]);
    assert.equal(result.status, 0, result.stderr);
    const header = result.stdout.split('\n')[0];
    // --gain is said only with --init orthogonal (he here).
    assert.match(header, /^leaky-relu alpha 0\.2 · he · 30 hidden layers \[300, 8×29\] · momentum 0\.8 lr 0\.05 · batch 64 · steps 0 · seed 42 · gaussian · standardized · train size 500 · test size 200 · probe size 100 · /);
    assert.doesNotMatch(header, /gain/);
  });
});

describe('small formats', () => {
  test('signed percentages: a true minus, never +-', () => {
    assert.equal(signedPercent(-0.201), '−20.1%');
    assert.equal(signedPercent(0.08), '+8.0%');
    assert.equal(signedPercent(-0.0001), '0.0%');
    assert.equal(signedPercent(NaN), '–');
  });

  test('eta: a dash without a rate, then seconds, minutes, hours', () => {
    assert.equal(formatEta(undefined), '–');
    assert.equal(formatEta(NaN), '–');
    assert.equal(formatEta(42.2), '42s');
    assert.equal(formatEta(185), '3m05s');
    assert.equal(formatEta(3720), '1h02m');
  });

  test('fitColumns drops lowest dropOrder first and wraps the flexible column', () => {
    const columns = [
      { head: 'a', cells: ['x'.repeat(10)] },
      { head: 'b', cells: ['y'.repeat(10)], dropOrder: 2 },
      { head: 'c', cells: ['z'.repeat(10)], dropOrder: 1 },
      { head: 'flags', cells: ['vanishing, saturated, dead'], wraps: true },
    ];
    // Full: 1 + (10+3)×3 + (26+3) = 69; with flags wrapped to its longest word (10): 53.
    assert.deepEqual(fitColumns(columns).dropped, []);
    assert.deepEqual(fitColumns(columns, 69), { kept: [0, 1, 2, 3], widths: [10, 10, 10, 26], dropped: [] });
    assert.deepEqual(fitColumns(columns, 60), { kept: [0, 1, 2, 3], widths: [10, 10, 10, 17], dropped: [] });
    // At 50, c goes (40 left at the narrowest) and flags gets the 10 cells left; at 30, b goes too.
    assert.deepEqual(fitColumns(columns, 50), { kept: [0, 1, 3], widths: [10, 10, 10, 20], dropped: ['c'] });
    assert.deepEqual(fitColumns(columns, 30), { kept: [0, 3], widths: [10, 10, 10, 13], dropped: ['b', 'c'] });
    assert.equal(wrapCell('vanishing, saturated, dead', 12), 'vanishing,\nsaturated,\ndead');
  });
});

describe('the PyTorch reference ships in the repository', () => {
  test('the pages and bench --help point at bench/torch_mlp_reference.py, not outside the repository', () => {
    const help = runCli(['bench', '--help']).stdout;
    assert.match(help, /bench\/torch_mlp_reference\.py/);
    const pages = ['README.md', 'CONTRIBUTING.md', ...(readdirSync(join(ROOT, 'docs')) as string[]).filter((name) => name.endsWith('.md')).map((name) => join('docs', name))];
    assert.ok(pages.length >= 10, pages.join(', '));
    for (const text of [help, ...pages.map((page) => readFileSync(join(ROOT, page), 'utf8'))]) assert.doesNotMatch(text, /\.\.\/shared/);
    assert.match(readFileSync(join(ROOT, 'docs', 'performance.md'), 'utf8'), /bench\/torch_mlp_reference\.py/);
    assert.ok(readFileSync(join(ROOT, 'bench', 'torch_mlp_reference.py'), 'utf8').includes('def main('));
  });

  test('the script times a tiny net and prints the JSON vgrad reads', (t) => {
    if (!torchAvailable) {
      t.skip("PyTorch is not installed for /usr/bin/python3 (apt-get install -y python3-torch libopenblas0-pthread)");
      return;
    }
    for (const act of ['leaky-relu']) {
      const result = spawnSync('/usr/bin/python3', [join(ROOT, 'bench', 'torch_mlp_reference.py'), '--layers', '8,4', '--act', act, '--batch', '4', '--steps', '3', '--warmup', '1', '--threads', '1', '--json'], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      const parsed = JSON.parse(result.stdout.trim().split('\n').pop()!);
      assert.match(parsed.framework, /^pytorch /);
      assert.deepEqual(parsed.layers, [784, 8, 4, 10]);
      assert.equal(parsed.act, act);
      assert.equal(parsed.batch, 4);
      assert.ok(parsed.msPerStep > 0 && parsed.samplesPerSec > 0);
    }
    const bad = spawnSync('/usr/bin/python3', [join(ROOT, 'bench', 'torch_mlp_reference.py'), '--layers', '8,0'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--layers: must be a comma list of integers >= 1/);
  });

  test('vgrad bench prints signed probe overheads (and with PyTorch, --reference uses the shipped script)', () => {
    const args = ['bench', '--depths', '1', '--acts', 'relu', '--batches', '32', '--chunks', '1', '--rounds', '1', '--warmup', '2', '--log-every', '10', '--probe-size', '64'];
    const result = runCli(torchAvailable ? [...args, '--reference'] : args);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /probes ([+−]\d+\.\d|0\.0)%/);
    assert.doesNotMatch(result.stderr + result.stdout, /\+-|\+−/);
    if (torchAvailable) {
      assert.match(result.stderr, /PyTorch \d+\.\d+ ms\/step \(\d+\.\d+×\)/);
      assert.match(result.stdout, /\d+\.\d+×/);
    }
  });
});
