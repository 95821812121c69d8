/**
 * Issue 31 (hardening, input side), through the real CLI: strict numbers on every command, an
 * option in both grid and fixed of an experiment file, the sweep cell cap, interrupts in long
 * loops, experiment-file paths and control characters in what vgrad prints.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertRefusedInOneLine, runCli, startCli, tempDir } from './helpers.js';

describe('one strict decimal reader for every integer and decimal flag', () => {
  // Each of these ran (or printed a table) before: Number() and a '+' in the integer pattern took them.
  const refused: [string[], RegExp][] = [
    [['theory', '--depth', '+3'], /^vgrad: --depth must be an integer ≥ 1 \(got '\+3'\); decimal digits only$/],
    [['theory', '--steps', '+3'], /^vgrad: --steps must be an integer ≥ 0 \(got '\+3'\); decimal digits only$/],
    [['run', '--depth', '+3', '--steps', '0'], /^vgrad: --depth must be an integer ≥ 1 \(got '\+3'\)/],
    [['inits', '--fan-in', '0x10'], /^vgrad: --fan-in must be an integer ≥ 1 \(got '0x10'\); decimal digits only$/],
    [['inits', '--fan-in', '1e2'], /^vgrad: --fan-in must be an integer ≥ 1 \(got '1e2'\)/],
    [['inits', '--fan-in', ' 12'], /^vgrad: --fan-in must be an integer ≥ 1 \(got ' 12'\)/],
    [['inits', '--fan-out', '12 '], /^vgrad: --fan-out must be an integer ≥ 1 \(got '12 '\)/],
    [['inits', '--fan-out', '+12'], /^vgrad: --fan-out must be an integer ≥ 1 \(got '\+12'\)/],
    [['inits', '--gain', '0x1'], /^vgrad: --gain must be a number > 0 \(got '0x1'\)/],
    [['inits', '--gain', ' 1'], /^vgrad: --gain must be a number > 0 \(got ' 1'\)/],
    [['inits', '--gain', 'Infinity'], /^vgrad: --gain must be a number > 0 \(got 'Infinity'\)/],
    [['compare', '--width', '+30', 'x'], /^vgrad: --width must be an integer ≥ 20 \(got '\+30'\)/],
    [['sweep', '--dry-run', '--depth', '2', '--jobs', ' 2'], /^vgrad: --jobs must be an integer from 1 to 256 \(got ' 2'\)/],
    [['sweep', '--dry-run', '--depth', '2', '--seeds', '+2'], /^vgrad: --seeds must be an integer from 1 to 1000 \(got '\+2'\)/],
    [['sweep', '--dry-run', '--depth', '+3,4'], /^vgrad: --depth must be an integer ≥ 1 \(got '\+3'\)/],
    [['sweep', '--dry-run', '--depth', '2,3', '--shard', ' 0/2'], /^vgrad: --shard must be i\/n/],
    [['run', '--layers', ' 300'], /^vgrad: --layers must be a comma list of integers ≥ 1/],
  ];
  for (const [args, message] of refused) {
    test(`${args.join(' ')} is refused in one line`, () => assertRefusedInOneLine(runCli(args), message, args.join(' ')));
  }

  test('the plain decimal forms still read to their values', () => {
    const inits = runCli(['inits', '--fan-in', '16', '--fan-out', '4', '--gain', '2.5e-1', '--json']);
    assert.equal(inits.status, 0, inits.stderr);
    const parsed = JSON.parse(inits.stdout);
    assert.equal(parsed.fanIn, 16);
    assert.equal(parsed.fanOut, 4);
    // He normal: σ = √(2 / fan_in) = √(2/16).
    assert.ok(Math.abs(parsed.schemes.find((s: { name: string }) => s.name === 'he').std - Math.sqrt(2 / 16)) < 1e-12);
    const theory = runCli(['theory', '--depth', '3', '--width', '007', '--json']);
    assert.equal(theory.status, 0, theory.stderr);
    const prediction = JSON.parse(theory.stdout);
    assert.deepEqual(prediction.config.layers, [300, 7, 7]);
  });
});

describe('experiment files', () => {
  test('an option in both grid and fixed is refused, naming it', (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'clash.yaml');
    writeFileSync(file, 'description: clash\ngrid:\n  depth: [2, 3]\nfixed:\n  depth: 5\n  steps: 0\n');
    assertRefusedInOneLine(runCli(['sweep', file, '--dry-run', '--out', dir]), /: fixed\.depth: 'depth' is also given in grid\.depth; give each option in grid or in fixed, not both$/, 'grid/fixed clash');
    const seeds = join(dir, 'seeds.yaml');
    writeFileSync(seeds, 'description: clash\ngrid:\n  depth: [2, 3]\nseeds: 2\nfixed:\n  seed: 5\n');
    assertRefusedInOneLine(runCli(['sweep', seeds, '--dry-run', '--out', dir]), /: fixed\.seed: 'seed' is also given in seeds;/, 'seeds/fixed clash');
    const grids = join(dir, 'groups.yaml');
    writeFileSync(grids, 'description: clash\ngrid:\n  - { depth: [2, 3] }\n  - { act: [tanh], init: he }\nfixed:\n  init: xavier\n');
    assertRefusedInOneLine(runCli(['sweep', grids, '--dry-run', '--out', dir]), /: fixed\.init: 'init' is also given in grid\[1\]\.init;/, 'second group clash');
  });
});

describe('mkdir on a path that cannot exist fails at once', () => {
  // Node 20's recursive mkdirSync loops forever when a parent refuses children with ENOENT (/proc).
  const skip = process.platform === 'linux' ? false : 'needs /proc (Linux)';
  for (const [args, message] of [
    [['run', '--out', '/proc/vgrad-none', '--steps', '0', '--data', 'gaussian', '--train-size', '64', '--test-size', '64'], /^vgrad: --out \/proc\/vgrad-none: cannot create \/proc\/vgrad-none\/runs \(ENOENT/],
    [['sweep', '--out', '/proc/vgrad-none', '--depth', '2', '--steps', '0', '--data', 'gaussian', '--train-size', '64', '--test-size', '64', '--quiet'], /^vgrad: --out: cannot create \/proc\/vgrad-none\/sweeps\/single \(ENOENT/],
    [['run', '--tensorboard', '/proc/vgrad-none/tb', '--steps', '0', '--data', 'gaussian', '--train-size', '64', '--test-size', '64'], /^vgrad: --tensorboard \/proc\/vgrad-none\/tb: cannot write there \(ENOENT\)/],
  ] as [string[], RegExp][]) {
    test(`${args.slice(0, 3).join(' ')} exits 2 in one line`, { skip }, () => assertRefusedInOneLine(runCli(args), message, args.join(' ')));
  }
});

describe('limits that hold for products, and signals during long loops', () => {
  test('a grid of more cells than --max-cells is refused before it is expanded, naming the count', () => {
    const result = runCli(['sweep', '--dry-run', '--depth', '1..100', '--width', '1..100', '--seed', '1..100', '--steps', '0']);
    assertRefusedInOneLine(result, /^vgrad: the grid has 1,000,000 cells \(depth 100 × width 100 × seed 100\), more than the 10,000 a sweep may have; give a smaller grid, or --max-cells 1000000 to plan it anyway$/, '10^6 cells');
    const lowered = runCli(['sweep', '--dry-run', '--depth', '2,3,4', '--act', 'relu,tanh', '--steps', '0', '--max-cells', '5']);
    assertRefusedInOneLine(lowered, /the grid has 6 cells \(depth 3 × act 2\), more than the 5 a sweep may have/, '--max-cells 5');
    assertRefusedInOneLine(runCli(['sweep', '--dry-run', '--depth', '2', '--max-cells', '+5']), /^vgrad: --max-cells must be an integer ≥ 1 \(got '\+5'\)/, '--max-cells +5');
  });

  test('--dry-run prints the count and an estimated time from the FLOP model', () => {
    // 784→300→10 at batch 64, 100 steps, 8000 + 2000 rows evaluated, 512 probe rows at 3 probes:
    // weights 784·300 + 300·10 = 238,200; training 6·238200·64·100 = 9.15e9 flops at 4e9/s = 2.29 s;
    // probes (steps 0, 50, 100 and the end) and evaluation 6·238200·512·4 + 2·238200·10000 = 7.69e9
    // at 4e10/s = 0.19 s; +1 s start: 3.48 s a cell, 4 cells on 2 workers: 6.96 s → "about 7 s".
    const result = runCli(['sweep', '--dry-run', '--depth', '1', '--seed', '1..4', '--steps', '100', '--log-every', '50', '--jobs', '2', '--out', tempDir()]);
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.match(lines[lines.length - 1], /^4 cells in sweep /);
    assert.equal(result.stderr.trimEnd(), 'estimated time: about 7 s for 4 cells on 2 workers (a rough model of the wasm backend; a loaded machine is slower)');
  });
});

/** Starts `args`, sends `signal` after `afterMs` of work, and returns how it ended (SIGKILL after 60 s: a failure). */
async function interrupted(args: string[], signal: NodeJS.Signals, afterMs: number) {
  const live = startCli(args);
  // Under load the process may take seconds to start: signal it only once its handlers are in
  // (Linux: SigCgt of /proc/PID/status has SIGHUP, SIGINT and SIGTERM: bits 0, 1 and 14), then after `afterMs` of work.
  const handled = () => {
    try {
      const mask = BigInt(`0x${/SigCgt:\s*([0-9a-f]+)/.exec(readFileSync(`/proc/${live.child.pid}/status`, 'utf8'))![1]}`);
      return (mask & 0x4003n) === 0x4003n;
    } catch {
      return process.platform !== 'linux';
    }
  };
  for (let waited = 0; !handled() && waited < 60_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  const timer = setTimeout(() => live.child.kill(signal), afterMs);
  const guard = setTimeout(() => live.child.kill('SIGKILL'), afterMs + 60_000);
  const end = await live.exit;
  clearTimeout(timer);
  clearTimeout(guard);
  return { ...end, stderr: live.stderr() };
}

describe('SIGINT, SIGTERM and SIGHUP end loops that ran for minutes ignoring them', () => {
  // Each ran for minutes before (theory --depth 1000000: > 282 s; a 10^6-cell grid: 13 min).
  const cases: [string[], NodeJS.Signals, number][] = [
    [['theory', '--depth', '1000000'], 'SIGTERM', 143],
    [['theory', '--depth', '1000000', '--json'], 'SIGINT', 130],
    [['sweep', '--dry-run', '--depth', '1..100', '--width', '1..100', '--seed', '1..100', '--steps', '0', '--max-cells', '1000000'], 'SIGHUP', 129],
  ];
  for (const [args, signal, code] of cases) {
    test(`${args.slice(0, 3).join(' ')} … ends on ${signal} with ${code}`, async () => {
      const end = await interrupted(args, signal, 500);
      assert.deepEqual({ code: end.code, signal: end.signal }, { code, signal: null }, end.stderr);
      assert.doesNotMatch(end.stderr, /\n\s+at /);
    });
  }
});

describe('control characters and formulas in stored text are shown escaped', () => {
  const ESC_ID = '=evil\x1b]0;pwned\x07-run';
  const SHOWN = '=evil\\x1b]0;pwned\\x07-run';

  /** A real run (2 steps) copied into a folder named ESC_ID, its record's runId set to ESC_ID. */
  function craftedRoot(t: { after(fn: () => void): void }): { root: string; run: string; clean: string } {
    const root = tempDir(t);
    const made = runCli(['run', '--json', '--out', root, '--depth', '2', '--width', '8', '--steps', '2', '--log-every', '1', '--data', 'gaussian', '--train-size', '64', '--test-size', '64', '--probe-size', '32']);
    assert.equal(made.status, 0, made.stderr);
    const clean = join(root, 'runs', readdirSync(join(root, 'runs'))[0]);
    const run = join(root, 'runs', ESC_ID);
    cpSync(clean, run, { recursive: true });
    const record = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8'));
    record.runId = ESC_ID;
    writeFileSync(join(run, 'summary.json'), JSON.stringify(record));
    return { root, run, clean };
  }

  test('ls, show, compare and report print \\x1b, never the raw bytes', (t) => {
    const { root, run, clean } = craftedRoot(t);
    for (const args of [['ls', root], ['show', run], ['compare', run, clean], ['report', join(root, 'runs')]]) {
      const result = runCli(args);
      assert.equal(result.status, 0, `${args[0]}: ${result.stderr}`);
      assert.doesNotMatch(result.stdout + result.stderr, /[\x00-\x08\x0b-\x1f\x7f]/, `${args[0]} printed a control character`);
    }
    assert.ok(runCli(['ls', root]).stdout.includes(SHOWN));
    assert.ok(runCli(['compare', run, clean]).stdout.includes(`A  ${SHOWN}`));
  });

  test("CSV: text cells starting with =, +, -, @ get a leading ', numbers never; --raw-csv writes them as stored", (t) => {
    const { run } = craftedRoot(t);
    const csv = runCli(['show', '--csv', run]);
    assert.equal(csv.status, 0, csv.stderr);
    const rows = csv.stdout.trimEnd().split('\n').map((line) => line.split(','));
    assert.equal(rows[1][0], `'${SHOWN}`);
    // preactMean of the first layer is negative and stays a number: no quote before the minus.
    const preactMean = rows[1][rows[0].indexOf('preactMean')];
    assert.match(preactMean, /^-\d/);
    assert.ok(Number(preactMean) < 0);
    const raw = runCli(['export', 'csv', '--raw-csv', run]);
    assert.equal(raw.stdout.trimEnd().split('\n')[1].split(',')[0], SHOWN);
  });

  test('SVG and HTML of a report hold no control character (ESC made the SVGs invalid XML)', (t) => {
    const { root } = craftedRoot(t);
    const out = join(tempDir(t), 'report');
    const result = runCli(['report', join(root, 'runs'), '--out', out, '--format', 'svg,html']);
    assert.equal(result.status, 0, result.stderr);
    for (const name of readdirSync(out)) {
      assert.doesNotMatch(readFileSync(join(out, name), 'utf8'), /[\x00-\x08\x0b\x0c\x0e-\x1f]/, name);
    }
    assert.ok(readFileSync(join(out, 'report.html'), 'utf8').includes('=evil\\x1b]0;pwned\\x07-run'));
  });

  test('a sweep name with a control character is refused at creation', () => {
    assertRefusedInOneLine(runCli(['sweep', '--dry-run', '--depth', '2', '--name', 'a\x1bb']), /^vgrad: --name 'a.b' is not a safe folder name/, 'ESC in --name');
  });
});

describe('experiment files are data: their paths stay in their folder or the results root', () => {
  const SMALL = ['--data', 'gaussian', '--train-size', '64', '--test-size', '64', '--quiet'];

  function files(t: { after(fn: () => void): void }) {
    const dir = tempDir(t);
    mkdirSync(join(dir, 'sub'));
    const write = (name: string, fixed: string) => {
      const file = join(dir, 'sub', name);
      writeFileSync(file, `description: paths\ngrid:\n  depth: 2\nfixed:\n  steps: 0\n${fixed}`);
      return file;
    };
    return { dir, root: join(dir, 'results'), write };
  }

  test('init-from: ../../../../etc/passwd is refused without reading it; --allow-paths reads it, and no message prints its bytes', (t) => {
    const { root, write } = files(t);
    const file = write('passwd.yaml', '  init-from: ../../../../../../../../etc/passwd\n');
    assertRefusedInOneLine(
      runCli(['sweep', file, '--out', root, ...SMALL]),
      /fixed\.init-from: '\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd' leads outside the file's folder and the results root \(.*\); give --allow-paths to allow it, or --init-from on the command line$/,
      'init-from outside',
    );
    assert.ok(!existsSync(root), 'nothing written');
    const allowed = runCli(['sweep', file, '--out', root, '--allow-paths', ...SMALL]);
    assert.equal(allowed.status, 1, allowed.stderr);
    assert.match(allowed.stderr, /--init-from \/etc\/passwd: not a valid safetensors file: not a safetensors file \(its first 8 bytes are not a header length that fits its \d+ bytes\)/);
    // The first 8 bytes of /etc/passwd ('root:x:0') read as a little-endian u64 were printed before.
    assert.doesNotMatch(allowed.stderr, /\d{12,}/);
  });

  test('absolute paths are refused; the same option on the command line replaces the value and is allowed', (t) => {
    const { dir, root, write } = files(t);
    const file = write('abs.yaml', `  tensorboard: ${join(dir, 'abs-tb')}\n`);
    assertRefusedInOneLine(runCli(['sweep', file, '--out', root, ...SMALL]), /fixed\.tensorboard: '.*abs-tb' is an absolute path; paths in an experiment file are relative to its folder;/, 'absolute tensorboard');
    const given = runCli(['sweep', file, '--out', root, '--tensorboard', join(dir, 'cli-tb'), ...SMALL]);
    assert.equal(given.status, 0, given.stderr);
    assert.ok(existsSync(join(dir, 'cli-tb')) && !existsSync(join(dir, 'abs-tb')));
  });

  test('a relative path resolves against the file\'s folder, not the working directory', (t) => {
    const { dir, root, write } = files(t);
    const file = write('rel.yaml', '  tensorboard: tb\n');
    const result = runCli(['sweep', file, '--out', root, ...SMALL]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(readdirSync(join(dir, 'sub', 'tb')).length, 1, 'one run folder of events in sub/tb');
    const idx = write('idx.yaml', '  data: idx:../../elsewhere\n');
    assertRefusedInOneLine(runCli(['sweep', idx, '--out', root, '--dry-run']), /fixed\.data: '\.\.\/\.\.\/elsewhere' leads outside the file's folder/, 'idx outside');
  });
});
