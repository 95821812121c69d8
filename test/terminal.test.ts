/**
 * Terminal behaviour on a real terminal: the CLI runs under a pseudo-terminal made by script(1)
 * (util-linux), so process.stdout/stderr.isTTY are true as for a user. Colour on a terminal, off
 * under NO_COLOR or FORCE_COLOR=0; a progress bar on a terminal, plain lines when piped.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { BIN, tempDir } from './helpers.js';
import { outputWidth, terminalColumns } from '../src/cli/terminal.js';

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
/** SGR sequences (colour, bold): ESC [ … m. The progress bar's cursor codes end in other letters. */
const SGR = /\x1b\[[0-9;]*m/;

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs vgrad under a pty; `stderrTo` sends stderr to a file (not a terminal) instead. Output is what the terminal showed. */
function runInTerminal(t: { after(fn: () => void): void }, args: string[], env: Record<string, string>, stderrTo?: string) {
  const out = tempDir(t);
  const command = `stty cols 120 rows 40; ${quote(process.execPath)} ${quote(BIN)} ${[...args, '--out', out].map(quote).join(' ')}${stderrTo ? ` 2>${quote(stderrTo)}` : ''}`;
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const key of ['NO_COLOR', 'FORCE_COLOR']) if (!(key in env)) delete childEnv[key];
  const result = spawnSync('script', ['-qfec', command, '/dev/null'], { env: childEnv, encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  return result.stdout;
}

const RUN = ['run', '--data', 'gaussian', '--train-size', '64', '--test-size', '16', '--probe-size', '16', '--batch', '16', '--steps', '3', '--depth', '1', '--act', 'sigmoid', '--init', 'normal1'];

describe('on a terminal', { skip: hasScript ? false : 'script(1) is not installed' }, () => {
  test('colour by default, with a progress bar on stderr', (t) => {
    const shown = runInTerminal(t, RUN, {});
    assert.match(shown, SGR, 'colour on a terminal');
    assert.match(shown, /training .* \d\/3 steps/, 'the progress bar');
    assert.doesNotMatch(shown, /^step 1\/3 /m, 'no plain progress lines on a terminal');
  });

  for (const [name, env] of [['NO_COLOR=1', { NO_COLOR: '1' }], ['FORCE_COLOR=0', { FORCE_COLOR: '0' }]] as const) {
    test(`${name}: no colour anywhere, the table and the flags still in words`, (t) => {
      const shown = runInTerminal(t, RUN, env);
      assert.doesNotMatch(shown, SGR);
      assert.match(shown, /At initialization \(step 0\)/);
      assert.match(shown, /training .* \d\/3 steps/, 'the bar is not colour: it stays');
    });
  }

  test('NO_COLOR empty does not disable colour (no-color.org: "present and not an empty string")', (t) => {
    assert.match(runInTerminal(t, RUN, { NO_COLOR: '' }), SGR);
  });

  test('FORCE_COLOR=1 wins over NO_COLOR', (t) => {
    assert.match(runInTerminal(t, RUN, { NO_COLOR: '1', FORCE_COLOR: '1' }), SGR);
  });

  test('stderr piped while stdout is a terminal: plain progress lines on stderr, colour stays on stdout', (t) => {
    const errFile = join(tempDir(t), 'stderr.txt');
    const shown = runInTerminal(t, RUN, {}, errFile);
    const stderr = readFileSync(errFile, 'utf8');
    assert.match(stderr, /^step 0\/3 {2}probe loss/m);
    assert.match(stderr, /^step 3\/3 {2}train loss/m);
    assert.doesNotMatch(stderr, /\r|\x1b/, 'no bar and no escape codes in a file');
    assert.match(shown, SGR, 'stdout is still a terminal');
    assert.doesNotMatch(shown, /training .* steps/, 'the bar went nowhere');
  });
});

/** Runs `vgrad ARGS` under a pty of `cols` columns (0: a terminal that reports none) in `cwd`; what the terminal showed. */
function shownAt(cols: number, args: string[], env: Record<string, string | undefined>, cwd: string): string {
  const command = `stty cols ${cols} rows 40; ${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}`;
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
  delete childEnv.FORCE_COLOR;
  for (const key of Object.keys(childEnv)) if (childEnv[key] === undefined) delete childEnv[key];
  const result = spawnSync('script', ['-qfec', command, '/dev/null'], { cwd, env: childEnv, encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  return result.stdout.replace(/\r/g, '');
}

describe('the width: COLUMNS, then the terminal, then 80 (issue 27)', () => {
  const stream = (columns: number | undefined) => ({ columns, isTTY: true }) as unknown as NodeJS.WriteStream;

  test('terminalColumns: COLUMNS when a positive integer, else the terminal when it reports > 0, else 80', () => {
    assert.equal(terminalColumns(stream(0), { COLUMNS: '100' }), 100);
    assert.equal(terminalColumns(stream(120), { COLUMNS: '100' }), 100);
    assert.equal(terminalColumns(stream(120), {}), 120);
    assert.equal(terminalColumns(stream(0), {}), 80);
    assert.equal(terminalColumns(stream(undefined), {}), 80);
    for (const bad of ['0', '', 'wide', '-5', '1e2']) assert.equal(terminalColumns(stream(0), { COLUMNS: bad }), 80, bad);
    assert.equal(outputWidth(stream(0)), 80);
    assert.equal(outputWidth(stream(0), true), undefined);
    assert.equal(outputWidth({ isTTY: false, columns: 50 } as unknown as NodeJS.WriteStream), undefined);
  });

  test('a terminal that reports 0 columns: the header is one line, the table fits COLUMNS (or 80 without it)', { skip: hasScript ? false : 'script(1) is not installed' }, (t) => {
    const dir = tempDir(t);
    for (const [columns, width] of [['100', 100], [undefined, 80]] as const) {
      const shown = shownAt(0, [...RUN, '--out', dir], { COLUMNS: columns }, dir);
      assert.match(shown, /^vgrad run \S+ · backend \w+/m, `COLUMNS=${columns}: the header on one line`);
      const widest = Math.max(...shown.split('\n').filter((line) => /^[│┌└]/.test(line)).map((line) => [...line].length));
      assert.ok(widest <= width && widest > width - 40, `COLUMNS=${columns}: table ${widest} wide`);
    }
  });
});

describe('vgrad ls and show on stored runs (issue 27)', () => {
  const dir = tempDir();
  const made = spawnSync(process.execPath, [BIN, ...RUN, '--steps', '0', '--quiet', '--out', dir], { encoding: 'utf8' });
  const made2 = spawnSync(process.execPath, [BIN, ...RUN, '--steps', '0', '--seed', '7', '--quiet', '--out', dir], { encoding: 'utf8' });
  const plain = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  test('ls --json: dates in ISO 8601 with the year; piped, the config column whole', () => {
    assert.equal(made.status, 0, made.stderr);
    assert.equal(made2.status, 0, made2.stderr);
    const lines = plain(['ls', dir, '--json']).stdout.trim().split('\n').map((line) => JSON.parse(line) as { date: string; config: string });
    assert.equal(lines.length, 2);
    for (const entry of lines) {
      assert.match(entry.date, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.ok(Math.abs(Date.parse(entry.date) - Date.now()) < 3600_000, entry.date);
    }
    const table = plain(['ls', dir]).stdout;
    for (const entry of lines) assert.ok(table.includes(entry.config), `piped ls keeps the config column: ${table}`);
    assert.match(table, /\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    assert.doesNotMatch(table, /…/);
  });

  test('ls on a narrow terminal cuts the config with …, or says it left it out; --wide keeps it whole', { skip: hasScript ? false : 'script(1) is not installed' }, () => {
    const narrow = shownAt(95, ['ls', dir], {}, dir);
    assert.match(narrow, /config\n.*…\n/s);
    for (const line of narrow.split('\n')) assert.ok([...line].length <= 95, line);
    const narrower = shownAt(70, ['ls', dir], {}, dir);
    assert.match(narrower, /^vgrad: the config column does not fit in 70 columns and is left out; --wide/m);
    const wide = shownAt(70, ['ls', dir, '--wide'], {}, dir);
    assert.doesNotMatch(wide, /…|left out/);
    assert.match(wide, /sigmoid normal1 d1 s42/);
  });

  test('show on a folder of runs says so in one stderr line, lists them on stdout, exit 2', () => {
    const result = plain(['show', join(dir, 'runs')]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^vgrad: .*runs is a folder of 2 runs, listed below; give one run to show \(vgrad show .*runs\/\S+\)\n$/);
    const ids = plain(['ls', dir, '--json']).stdout.trim().split('\n').map((line) => (JSON.parse(line) as { id: string }).id);
    for (const id of ids) assert.ok(result.stdout.includes(id), result.stdout);
    const json = plain(['show', join(dir, 'runs'), '--json']);
    assert.equal(json.status, 2);
    assert.deepEqual(json.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { id: string }).id).sort(), ids.sort());
  });
});
