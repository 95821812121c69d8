/**
 * Issue 31, writes and reads: every output goes through the one writer (never replaces a device,
 * FIFO or folder; writes through a symlink; leaves no temp file), every input is a regular file
 * under a cap, and filesystem failures are one line with exit 1 (environment) or 2 (input).
 * Devices are made with mknod in a temp folder (never /dev), as root; without root those cases skip.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { assertRefusedInOneLine, type CliResult, runCli, tempDir } from './helpers.js';

const TINY = ['--data', 'gaussian', '--train-size', '32', '--test-size', '16', '--probe-size', '16', '--batch', '16', '--steps', '2'];
const BENCH = ['bench', '--depths', '1', '--acts', 'relu', '--batches', '16', '--chunks', '1', '--log-every', '2', '--probe-size', '16', '--warmup', '1', '--rounds', '1'];
const isRoot = process.getuid?.() === 0;

function tool(name: string, args: string[]): boolean {
  return spawnSync(name, args, { stdio: 'ignore' }).status === 0;
}

/** A character device like /dev/null (1,3), made in `dir`; null when mknod is not allowed. */
function makeDevice(dir: string, name: string, minor = 3): string | null {
  const path = join(dir, name);
  return isRoot && tool('mknod', [path, 'c', '1', String(minor)]) ? path : null;
}

function makeFifo(dir: string, name: string): string | null {
  const path = join(dir, name);
  return tool('mkfifo', [path]) ? path : null;
}

/** Exit `code`, exactly one stderr line "vgrad: …" matching `message`, no stack trace. */
function assertOneLine(result: CliResult, code: number, message: RegExp, what: string): void {
  assert.equal(result.status, code, `exit code for ${what} (stderr: ${result.stderr})`);
  // The once-per-process notice of the backend (--backend auto without tfjs-node) is not an error line.
  const lines = result.stderr.trimEnd().split('\n').filter((line) => line.startsWith('vgrad: ') && !line.startsWith('vgrad: running on '));
  assert.equal(lines.length, 1, `one error line for ${what}, got: ${result.stderr}`);
  assert.match(lines[0], message);
  assert.doesNotMatch(result.stderr, /\n\s+at |internal error/, 'no stack trace');
}

function leftovers(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (/\.tmp-\d+$/.test(name) || name.startsWith('.partial-report')) found.push(path);
      if (lstatSync(path).isDirectory()) walk(path);
    }
  };
  walk(dir);
  return found;
}

describe('output files: the one writer', () => {
  let run: string;
  before(() => {
    const out = tempDir();
    const result = runCli(['run', ...TINY, '--depth', '1', '--out', out]);
    assert.equal(result.status, 0, result.stderr);
    run = join(out, 'runs', readdirSync(join(out, 'runs'))[0]);
  });

  const writers: [string, (target: string) => string[]][] = [
    ['export probe-batch --out', (target) => ['export', 'probe-batch', run, '--out', target]],
    ['bench --output', (target) => [...BENCH, '--output', target]],
  ];
  for (const [what, args] of writers) {
    test(`${what} on a device, a FIFO or a folder: refused in one line, exit 2, left as it was`, (t) => {
      const dir = tempDir(t);
      const device = makeDevice(dir, 'null');
      if (device === null) t.diagnostic('not root or no mknod: the device case is skipped');
      const fifo = makeFifo(dir, 'fifo');
      const folder = join(dir, 'folder');
      mkdirSync(folder);
      for (const [target, kind] of [[device, /character device/], [fifo, /FIFO/], [folder, /folder/]] as const) {
        if (target === null) continue;
        assertRefusedInOneLine(runCli(args(target)), kind, `${what} ${target}`);
        const stats = lstatSync(target);
        assert.ok(stats.isCharacterDevice() || stats.isFIFO() || stats.isDirectory(), `${target} is still what it was`);
        assert.equal(stats.isFile(), false, `${target} was not replaced by a regular file`);
      }
      assert.deepEqual(leftovers(dir), []);
    });

    test(`${what} through a symlink writes the file it points to and keeps the link`, (t) => {
      const dir = tempDir(t);
      const real = join(dir, 'real.out');
      writeFileSync(real, 'old');
      const link = join(dir, 'link.out');
      symlinkSync(real, link);
      const result = runCli(args(link));
      assert.equal(result.status, 0, result.stderr);
      assert.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link');
      assert.notEqual(readFileSync(real, 'utf8'), 'old', 'the target was written');
      symlinkSync(join(dir, 'missing'), join(dir, 'dangling'));
      assertRefusedInOneLine(runCli(args(join(dir, 'dangling'))), /symbolic link to a missing file/, 'a dangling link');
      assert.deepEqual(leftovers(dir), []);
    });
  }

  test('report --out over a folder holding a FIFO named report.html: refused, the FIFO stays', (t) => {
    const dir = tempDir(t);
    const fifo = makeFifo(dir, 'report.html');
    if (fifo === null) return t.skip('mkfifo is not available');
    assertRefusedInOneLine(runCli(['report', run, '--out', dir, '--format', 'html']), /report\.html: is a FIFO/, 'report --out');
    assert.ok(lstatSync(fifo).isFIFO());
    assert.deepEqual(readdirSync(dir), ['report.html']);
  });

  test('a full disk (injected ENOSPC) while writing summary.csv or bench --output: one line, exit 1, no temp file left', (t) => {
    const out = tempDir(t);
    const sweep = runCli(['sweep', ...TINY, '--depth', '1', '--out', out, '--name', 'full'], { VGRAD_TEST_FAIL_AT: 'ENOSPC:summary.csv' });
    assertOneLine(sweep, 1, /summary\.csv|full: no space left on device/, 'sweep summary.csv');
    assert.deepEqual(leftovers(out), []);
    const bench = runCli([...BENCH, '--output', join(out, 'bench.json')], { VGRAD_TEST_FAIL_AT: 'ENOSPC:bench.json' });
    assertOneLine(bench, 1, /no space left on device/, 'bench --output');
    assert.equal(existsSync(join(out, 'bench.json')), false);
    assert.deepEqual(leftovers(out), []);
    const probe = runCli(['export', 'probe-batch', run, '--out', join(out, 'p.safetensors')], { VGRAD_TEST_FAIL_AT: 'ENOSPC:p.safetensors' });
    assertOneLine(probe, 1, /no space left on device/, 'export probe-batch');
    assert.deepEqual(leftovers(out), []);
  });

  test('a real full tmpfs and a read-only one (root only): one line, exit 1; a finished sweep re-run writes nothing', (t) => {
    const mount = mkdtempSync(join(tmpdir(), 'vgrad-mount-'));
    const mounted = isRoot && tool('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mount]);
    t.after(() => {
      if (mounted) tool('umount', [mount]);
      rmSync(mount, { recursive: true, force: true });
    });
    if (!mounted) return t.skip('needs root and mount -t tmpfs');
    const res = join(mount, 'res');
    assert.equal(runCli(['sweep', ...TINY, '--depth', '1', '--out', res, '--name', 'sw']).status, 0);
    spawnSync('sh', ['-c', `head -c 1048576 /dev/zero > ${join(mount, 'filler')}`]);
    assertOneLine(runCli(['sweep', ...TINY, '--depth', '1,2', '--out', res, '--name', 'sw']), 1, /no space left on device/, 'sweep on a full disk');
    assertOneLine(runCli(['report', run, '--out', join(mount, 'rep')]), 1, /no space left on device/, 'report --out on a full disk');
    assertOneLine(runCli([...BENCH, '--output', join(mount, 'b.json')]), 1, /no space left on device/, 'bench --output on a full disk');
    assert.deepEqual(leftovers(mount), []);
    execFileSync('rm', [join(mount, 'filler')]);
    execFileSync('mount', ['-o', 'remount,ro', mount]);
    const rerun = runCli(['sweep', ...TINY, '--depth', '1', '--out', res, '--name', 'sw']);
    assert.equal(rerun.status, 0, `a finished sweep re-run on a read-only disk: ${rerun.stderr}`);
    assertOneLine(runCli(['report', run, '--out', join(mount, 'rep2')]), 1, /read-only file system/, 'report --out read-only');
    assertOneLine(runCli(['sweep', ...TINY, '--depth', '1', '--out', join(mount, 'new'), '--name', 'x']), 1, /read-only file system/, 'sweep --out read-only');
    assertOneLine(runCli(['merge', join(res, 'sweeps', 'sw'), '--into', join(mount, 'merged')]), 1, /read-only file system/, 'merge --into read-only');
    assertOneLine(runCli(['tensorboard', run, '--logdir', join(mount, 'tb')]), 1, /read-only file system/, 'tensorboard --logdir read-only');
    assertOneLine(runCli(['run', ...TINY, '--depth', '1', '--out', tempDir(t), '--tensorboard', join(mount, 'tb')]), 1, /read-only file system/, 'run --tensorboard read-only');
  });
});

describe('input files: regular files under a cap', () => {
  test('a device, a FIFO or a folder as --init-from, an experiment file or a bench baseline: one line, exit 2, at once', (t) => {
    const dir = tempDir(t);
    const zero = makeDevice(dir, 'zero.yaml', 5);
    if (zero === null) t.diagnostic('not root or no mknod: the /dev/zero case is skipped');
    const fifo = makeFifo(dir, 'fifo.yaml');
    for (const path of [zero, fifo, dir]) {
      if (path === null) continue;
      for (const args of [['run', ...TINY, '--depth', '1', '--init-from', path, '--out', dir], ['sweep', path, '--out', dir], ['theory', '--init-from', path], [...BENCH, '--compare', path]]) {
        const result = runCli(args);
        assertRefusedInOneLine(result, /not a regular file/, `${args[0]} reading ${path}`);
      }
    }
  });

  test('an experiment file over its 1 MB cap is refused by its size, before parsing', (t) => {
    const dir = tempDir(t);
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `# ${'x'.repeat(1024 * 1024)}\n`);
    assertRefusedInOneLine(runCli(['sweep', big, '--out', dir]), /big\.yaml: 1 MB is more than a experiment file may be \(1 MB\)/, 'a 1 MB experiment file');
    assert.ok(statSync(big).size > 1024 * 1024);
  });

  test('YAML parser limits are bad input: an alias bomb and deep nesting, one line, exit 2', (t) => {
    const dir = tempDir(t);
    const bomb = join(dir, 'bomb.yaml');
    const rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [name, prev] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd']]) rows.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    rows.push(`f: [${Array(9).fill('*e').join(',')}]`);
    writeFileSync(bomb, `${rows.join('\n')}\n`);
    assertRefusedInOneLine(runCli(['sweep', bomb, '--out', dir]), /bomb\.yaml: not usable YAML: Excessive alias count/, 'an alias bomb');
    const deep = join(dir, 'deep.yaml');
    writeFileSync(deep, `a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    assertRefusedInOneLine(runCli(['sweep', deep, '--out', dir]), /deep\.yaml: not (valid|usable) YAML/, 'deep nesting');
  });
});

/** A safetensors file from a header object and data bytes, by the format's spec. */
function safetensors(header: object, data: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, data]);
}

describe('bad data named', () => {
  test('--init-from with overlapping tensor data is refused, naming both tensors', (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'overlap.safetensors');
    writeFileSync(file, safetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, Buffer.alloc(12)));
    assertRefusedInOneLine(runCli(['run', ...TINY, '--depth', '1', '--init-from', file, '--out', dir]), /tensors a \[0, 8\] and b \[4, 12\] overlap/, 'overlapping offsets');
    // Control: the same two tensors side by side are no overlap (the run goes on to the missing layers.0).
    writeFileSync(file, safetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, Buffer.alloc(16)));
    assertRefusedInOneLine(runCli(['run', ...TINY, '--depth', '1', '--init-from', file, '--out', dir]), /has no layers\.0/, 'adjacent offsets');
  });

  test('a file that is not safetensors: the message says so and never echoes its bytes', (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'passwd');
    writeFileSync(file, 'root:x:0:0:root:/root:/bin/bash\n');
    for (const args of [['run', ...TINY, '--depth', '1', '--init-from', file, '--out', dir], ['theory', '--init-from', file]]) {
      const result = runCli(args);
      assertRefusedInOneLine(result, /not a safetensors file/, `${args[0]} --init-from text`);
      assert.doesNotMatch(result.stderr, /3475222254926655346|\d{12,}/, 'the first 8 bytes, read as a number, are not printed');
    }
  });
});

describe('metrics that are missing or not the record\'s', () => {
  test('show --csv without metrics.jsonl is refused; report names the charts it is missing from; a layer count that disagrees is refused', (t) => {
    const out = tempDir(t);
    assert.equal(runCli(['run', ...TINY, '--depth', '2', '--out', out]).status, 0);
    const run = join(out, 'runs', readdirSync(join(out, 'runs'))[0]);
    const metrics = join(run, 'metrics.jsonl');
    const lines = readFileSync(metrics, 'utf8').trimEnd().split('\n');
    // Control: with its own metrics, show --csv prints a row per layer per point (3 layers × 2 points + header).
    const good = runCli(['show', run, '--csv']);
    assert.equal(good.status, 0, good.stderr);
    assert.equal(good.stdout.trimEnd().split('\n').length, 1 + 3 * lines.length);
    const last = JSON.parse(lines.at(-1)!);
    last.layers = last.layers.slice(0, 2);
    writeFileSync(metrics, `${[...lines.slice(0, -1), JSON.stringify(last)].join('\n')}\n`);
    for (const args of [['show', run, '--csv'], ['report', run], ['export', 'csv', run]]) {
      assertRefusedInOneLine(runCli(args), new RegExp(`the point at step ${last.step} has 2 layers but the record \\(summary\\.json\\) has 3`), `${args[0]} with a short point`);
    }
    rmSync(metrics);
    assertRefusedInOneLine(runCli(['show', run, '--csv']), /no metrics\.jsonl, so no probe points to print as CSV/, 'show --csv without metrics');
    const report = runCli(['report', run]);
    assert.equal(report.status, 0, report.stderr);
    assert.match(report.stderr, /no metrics\.jsonl, so not in the training curves, the saturation map or the histograms/);
  });
});
