/**
 * Signals, full and read-only disks, closed pipes, and reading records back: all through the real
 * CLI (bin/vgrad.js in a child process).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { BIN, ROOT, runCli, tempDir } from './helpers.js';

const QUICK = ['--train-size', '500', '--test-size', '200', '--probe-size', '100'];
/**
 * Gaussian inputs for the tests whose subject is the record's size or its non-finite values (set by
 * the depth): 256 + 512 rows instead of the default 8,000 + 2,000, whose drawing and final
 * evaluation cost a second a run; the probe keeps its default 512 rows.
 */
const GAUSSIAN = ['--data', 'gaussian', '--train-size', '256', '--test-size', '512'];

function runFolders(out: string): string[] {
  const runs = join(out, 'runs');
  return existsSync(runs) ? readdirSync(runs).sort() : [];
}

describe('failures after the partial folder exists remove it', () => {
  test('an internal error while the model is built (test hook VGRAD_TEST_FAIL_AT=internal:model): exit 1, nothing left', () => {
    const out = tempDir();
    const result = runCli(['run', ...QUICK, '--steps', '1', '--out', out], { VGRAD_TEST_FAIL_AT: 'internal:model' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^vgrad: internal error: Error: injected internal error at model/);
    assert.deepEqual(runFolders(out), []);
    rmSync(out, { recursive: true, force: true });
  });

  test('ENOSPC writing the lock while claiming the run folder (test hook): one line naming the folder, exit 1, no claim or partial folder left', () => {
    const out = tempDir();
    const result = runCli(['run', ...QUICK, '--steps', '1', '--out', out], { VGRAD_TEST_FAIL_AT: 'ENOSPC:.lock' });
    assert.equal(result.status, 1, result.stderr);
    assert.equal(result.stderr.trimEnd().split('\n').at(-1), `vgrad: --out ${out}: cannot write in ${join(out, 'runs')}: no space left on device`);
    assert.deepEqual(readdirSync(join(out, 'runs')), []);
    rmSync(out, { recursive: true, force: true });
  });

  for (const file of ['metrics.jsonl', 'summary.json', 'config.json']) {
    test(`ENOSPC writing ${file} (test hook): one line naming the folder, exit 1, partial folder removed`, () => {
      const out = tempDir();
      const result = runCli(['run', ...QUICK, '--steps', '2', '--out', out], { VGRAD_TEST_FAIL_AT: `ENOSPC:${file}` });
      assert.equal(result.status, 1, result.stderr);
      const last = result.stderr.trimEnd().split('\n').at(-1)!;
      assert.match(last, /^vgrad: cannot write in .*runs\/\.partial-[^ ]+: no space left on device$/);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      assert.deepEqual(runFolders(out), []);
      rmSync(out, { recursive: true, force: true });
    });
  }
});

describe('real full and read-only file systems (tmpfs mounts; needs root and mount permission)', () => {
  const mounted: string[] = [];
  after(() => {
    for (const dir of mounted) {
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
  /** Mounts a tmpfs at a new temp folder; returns the reason when this machine does not allow it. */
  function mountTmpfs(options: string): { dir: string } | { reason: string } {
    const dir = tempDir(); // no prefix argument: test/helpers.ts's signature is changing (h4-tests)
    const result = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
    if (result.error || result.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      return { reason: `cannot mount a tmpfs here (${(result.error?.message ?? result.stderr).trim()})` };
    }
    mounted.push(dir);
    return { dir };
  }

  test('a full disk (64 KB tmpfs): one line "no space left on device", exit 1, nothing left behind', (t) => {
    const mount = mountTmpfs('size=64k');
    if ('reason' in mount) return t.skip(mount.reason);
    // 60 layers: summary.json alone is larger than 64 KB.
    const result = runCli(['run', ...GAUSSIAN, '--steps', '0', '--depth', '60', '--width', '10', '--out', mount.dir]);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr.trimEnd().split('\n').at(-1)!, new RegExp(`^vgrad: cannot write in ${mount.dir}/runs/\\.partial-[^ ]+: no space left on device$`));
    assert.doesNotMatch(result.stderr, /\n\s+at /);
    assert.deepEqual(runFolders(mount.dir), []);
  });

  test('stdout redirected to a full disk: one line, exit 1, no stack', (t) => {
    const mount = mountTmpfs('size=64k');
    if ('reason' in mount) return t.skip(mount.reason);
    const out = tempDir();
    const live = runCli(['run', ...GAUSSIAN, '--steps', '0', '--depth', '100', '--width', '10', '--quiet', '--out', out]);
    assert.equal(live.status, 0, live.stderr);
    const [runId] = runFolders(out);
    const script = `"${process.execPath}" "${BIN}" show --json ${runId} --out "${out}" > "${mount.dir}/record.json"`;
    const result = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
    assert.equal(result.status, 1, result.stderr);
    assert.equal(result.stderr, 'vgrad: cannot write to stdout: no space left on device\n');
    rmSync(out, { recursive: true, force: true });
  });

  test('--out on a read-only file system says so (not ENOENT), exit 1', (t) => {
    const mount = mountTmpfs('ro,size=64k');
    if ('reason' in mount) return t.skip(mount.reason);
    const result = runCli(['run', ...QUICK, '--steps', '1', '--out', mount.dir]);
    assert.equal(result.status, 1, result.stderr);
    assert.equal(result.stderr, `vgrad: --out ${mount.dir}: cannot create ${mount.dir}/runs: read-only file system\n`);
  });
});

describe('a closed stdout ends quietly (exit 0, no message), the run still stored', () => {
  /** Runs vgrad with stdout read by a reader that hangs up after the first chunk, like `| head -c 10`. */
  async function withEarlyHangUp(args: string[]): Promise<{ code: number | null; stderr: string; firstChunk: string }> {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const firstChunk = await new Promise<string>((resolve) =>
      child.stdout!.once('data', (chunk: Buffer) => {
        child.stdout!.destroy();
        resolve(chunk.toString('utf8', 0, 10));
      }),
    );
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    return { code, stderr, firstChunk };
  }

  test('vgrad run --json with a record over 64 KB, and vgrad show --json', async () => {
    const out = tempDir();
    // 100 layers of 10 units: the one-line record is well over the 64 KB a pipe buffers.
    const run = await withEarlyHangUp(['run', ...GAUSSIAN, '--steps', '1', '--depth', '100', '--width', '10', '--json', '--quiet', '--out', out]);
    assert.equal(run.firstChunk, '{"schema":');
    assert.equal(run.stderr, '');
    assert.equal(run.code, 0);
    const [runId] = runFolders(out);
    const summary = readFileSync(join(out, 'runs', runId, 'summary.json'), 'utf8');
    assert.ok(summary.length > 64 * 1024, `record size ${summary.length}`);
    const shown = await withEarlyHangUp(['show', '--json', runId, '--out', out]);
    assert.equal(shown.stderr, '');
    assert.equal(shown.code, 0);
    rmSync(out, { recursive: true, force: true });
  });

  test('a reader gone before anything is written (like `| true`): exit 0, nothing on stderr, the run stored', async () => {
    const out = tempDir();
    const closedAtOnce = async (args: string[]) => {
      const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.destroy();
      let stderr = '';
      child.stderr!.on('data', (chunk) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      return { code, stderr };
    };
    assert.deepEqual(await closedAtOnce(['inits', '--json']), { code: 0, stderr: '' });
    assert.deepEqual(await closedAtOnce(['run', ...GAUSSIAN, '--steps', '1', '--json', '--quiet', '--out', out]), { code: 0, stderr: '' });
    assert.equal(runFolders(out).length, 1);
    rmSync(out, { recursive: true, force: true });
  });

  test('the same through a shell pipe into head -c 10', () => {
    const out = tempDir();
    const script = `"${process.execPath}" "${BIN}" run ${GAUSSIAN.join(' ')} --steps 0 --depth 100 --width 10 --json --quiet --out "${out}" | head -c 10; echo`;
    const result = spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(result.stdout, '{"schema":\n');
    assert.equal(result.stderr, '');
    assert.equal(runFolders(out).length, 1);
    rmSync(out, { recursive: true, force: true });
  });
});

describe('vgrad show reads records back exactly', () => {
  // Two runs shared by the tests below (each reads them, none changes them): one whose statistics
  // are non-finite, one ordinary. Run once each: a run costs seconds, a `show` a fraction of one.
  const nonFinite = { out: '', runId: '', stdout: '' };
  const ordinary = { out: '', runId: '', stdout: '' };
  before(() => {
    // Depth 45: z overflows float32 at initialization, so the statistics are non-finite (depth 30 no
    // longer is: the moments are taken of x/max|x| and stay finite while the values are).
    for (const [shared, args] of [
      [nonFinite, ['--act', 'relu', '--init', 'normal1', '--depth', '45', '--steps', '0', ...GAUSSIAN]],
      [ordinary, [...QUICK, '--steps', '0']],
    ] as const) {
      shared.out = tempDir();
      const live = runCli(['run', ...args, '--out', shared.out]);
      assert.equal(live.status, 0, live.stderr);
      [shared.runId] = runFolders(shared.out);
      shared.stdout = live.stdout;
    }
  });

  test('non-finite statistics round-trip: show prints byte for byte what the live run printed', () => {
    const { out, runId } = nonFinite;
    const live = nonFinite;
    const stored = readFileSync(join(out, 'runs', runId, 'summary.json'), 'utf8');
    assert.match(stored, /"(\+Inf|-Inf|NaN)"/, 'this config has non-finite statistics (the reason for the test)');
    const shown = runCli(['show', runId, '--out', out]);
    assert.equal(shown.status, 0, shown.stderr);
    assert.equal(shown.stdout, live.stdout);
    // --json of run and show carry the same markers.
    const json = runCli(['show', '--json', join(out, 'runs', runId, 'summary.json')]);
    assert.deepEqual(JSON.parse(json.stdout), JSON.parse(stored));
  });

  test('show finds a run by bare id (under --out), by folder and by summary.json', () => {
    const { out, runId } = ordinary;
    const live = ordinary;
    const dir = join(out, 'runs', runId);
    for (const args of [[runId, '--out', out], [dir], [join(dir, 'summary.json')]]) {
      const shown = runCli(['show', ...args]);
      assert.equal(shown.status, 0, `${args}: ${shown.stderr}`);
      assert.equal(shown.stdout, live.stdout);
    }
    const missing = runCli(['show', 'no-such-run', '--out', out]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^vgrad: no-such-run: no such run; give a run folder, its summary.json, or a run id under .*runs \(--out\)\n$/);
  });

  test('records with the right schema but missing parts: one line naming the field, exit 2', (t) => {
    const { runId } = ordinary;
    const out = tempDir(t);
    const good = JSON.parse(readFileSync(join(ordinary.out, 'runs', runId, 'summary.json'), 'utf8'));
    const cases: [string, (r: Record<string, any>) => void, RegExp][] = [
      ['no layers', (r) => delete r.layers, /: layers: missing$/],
      ['no config', (r) => delete r.config, /: config: missing$/],
      ['final null', (r) => (r.final = null), /: final: /],
      ['initial null', (r) => (r.layers[0].initial = null), /: layers\.0\.initial: /],
      ['a statistic that is a word', (r) => (r.layers[1].final.gradVar = 'big'), /: layers\.1\.final\.gradVar: /],
      ['unknown schema', (r) => (r.schema = 'vgrad.run/9'), /not a run record \(schema "vgrad.run\/9"; readable: vgrad.run\/2, vgrad.run\/1\)/],
    ];
    for (const [name, spoil, message] of cases) {
      const record = structuredClone(good);
      spoil(record);
      const path = join(out, `${name}.json`);
      writeFileSync(path, JSON.stringify(record));
      const shown = runCli(['show', path]);
      assert.equal(shown.status, 2, `${name}: ${shown.stderr}`);
      const lines = shown.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `${name}: one line, got ${shown.stderr}`);
      assert.match(lines[0], new RegExp(`^vgrad: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
      assert.match(lines[0], message, name);
    }
  });

  test('a vgrad.run/1 record (non-finite as null) is still read', (t) => {
    const stored = readFileSync(join(nonFinite.out, 'runs', nonFinite.runId, 'summary.json'), 'utf8');
    const out = tempDir(t);
    // What /1 wrote: every non-finite number as null.
    const v1 = stored.replace(/"(\+Inf|-Inf|NaN)"/g, 'null').replace('"vgrad.run/2"', '"vgrad.run/1"');
    const path = join(out, 'v1.json');
    writeFileSync(path, v1);
    const shown = runCli(['show', path]);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /At initialization \(step 0\)/);
  });
});

describe('the Interrupts object (src/cli/interrupts.ts)', () => {
  test('the first signal aborts and sets the exit code; a second one exits at once with the first one\'s code', async () => {
    const module = pathToFileURL(join(ROOT, 'dist', 'src', 'cli', 'interrupts.js')).href;
    // A command that ignores the abort (as if its clean-up hung): only the second signal ends it.
    const script = `
      const { Interrupts } = await import(${JSON.stringify(module)});
      const interrupts = new Interrupts().install();
      interrupts.signal.addEventListener('abort', () => process.stdout.write('aborted ' + interrupts.signal.reason + ' ' + interrupts.exitCode + '\\n'));
      setInterval(() => {}, 1000);
      process.stdout.write('ready\\n');`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const waitFor = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => (stdout.includes(text) ? resolve() : undefined);
        child.stdout!.on('data', (chunk) => {
          stdout += chunk;
          check();
        });
        check();
      });
    await waitFor('ready');
    child.kill('SIGTERM');
    await waitFor('aborted SIGTERM 143');
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 143);
    assert.equal(stderr, 'vgrad: SIGINT again, exiting now\n');
  });
});
