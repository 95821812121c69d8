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
