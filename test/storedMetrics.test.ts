/** One reader of metrics.jsonl for every command that reads stored runs: a damaged line is one line on stderr, exit 2, whichever command meets it. */
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from './helpers.js';

test('report and export csv both refuse a damaged metrics.jsonl line the same way', (t) => {
  const dir = tempDir(t);
  const runs = join(dir, 'runs');
  const made = runCli(['run', '--depth', '2', '--width', '20', '--steps', '4', '--quiet', '--out', runs]);
  assert.equal(made.status, 0, made.stderr);
  // --out ROOT stores the run in ROOT/runs/<run-id>.
  const runDir = join(runs, 'runs', readdirSync(join(runs, 'runs')).find((name) => !name.startsWith('.'))!);
  const metrics = join(runDir, 'metrics.jsonl');
  const lines = readFileSync(metrics, 'utf8').trimEnd().split('\n');
  // Before the damage, each command reads the run.
  for (const args of [['report', runDir], ['export', 'csv', runDir]]) {
    const ok = runCli(args);
    assert.equal(ok.status, 0, `${args.join(' ')}: ${ok.stderr}`);
  }
  // A cut-off last line, as a writer killed mid-line would leave.
  writeFileSync(metrics, `${lines.join('\n')}\n`);
  appendFileSync(metrics, lines[lines.length - 1].slice(0, 25));
  for (const args of [['report', runDir], ['export', 'csv', runDir]]) {
    const bad = runCli(args);
    assert.equal(bad.status, 2, `${args.join(' ')}: ${bad.stderr}`);
    assert.match(bad.stderr, new RegExp(`metrics\\.jsonl: line ${lines.length + 1} is not JSON`));
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  }
});
