/**
 * vgrad sweep, merge, compare and ls through the real CLI: grid and range parsing, cell ids,
 * resume, shards and merge, crash isolation, kill -9 and SIGTERM, experiment files.
 * Small nets on gaussian data at step 0 or a few steps, so each cell costs well under a second.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { BIN, ROOT, runCli, runCliBatch } from './helpers.js';
import { judgeRecord } from '../src/probes/verdicts.js';

function temp(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'vgrad-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A tiny, fast cell: 300→16 hidden units on 64 gaussian samples. */
const TINY = ['--data', 'gaussian', '--train-size', '64', '--test-size', '64', '--probe-size', '32', '--width', '16', '--quiet'];

function dryRunIds(args: string[], env: Record<string, string> = {}): string[] {
  const result = runCli(['sweep', ...args, '--dry-run', '--json'], env);
  assert.equal(result.status, 0, result.stderr);
  return result.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { cell: string }).cell);
}

/** Every entry of a sweep folder that is not a finished cell or a known file: partial, temp, old. */
function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith('.') || name.includes('.tmp-'));
}

function cellDirs(dir: string): string[] {
  return readdirSync(dir).filter((name) => existsSync(join(dir, name, 'summary.json')));
}

function readRows(dir: string): Record<string, unknown>[] {
  return readFileSync(join(dir, 'summary.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('grid: comma lists, integer ranges, init specs with their own commas, layer alternatives; --dry-run writes nothing', (t) => {
  const out = join(temp(t), 'results');
  const result = runCli(['sweep', ...TINY, '--depth', '2..10:4', '--act', 'relu,tanh', '--init', 'he,vs:scale=2,mode=fan_in', '--out', out, '--dry-run']);
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  assert.match(lines[lines.length - 1], /^12 cells in sweep /);
  const cells = lines.slice(0, -1);
  assert.equal(cells.length, 12);
  for (const depth of ['2', '6', '10']) assert.equal(cells.filter((line) => line.includes(` depth=${depth} `)).length, 4);
  assert.equal(cells.filter((line) => line.includes('init=vs:scale=2,mode=fan_in')).length, 6);
  assert.ok(!existsSync(out), '--dry-run must not create the results folder');

  const noWidth = TINY.filter((a, i) => a !== '--width' && TINY[i - 1] !== '--width');
  const layers = runCli(['sweep', ...noWidth, '--layers', '300,100/50', '--dry-run', '--out', out]);
  assert.equal(layers.status, 0, layers.stderr);
  assert.match(layers.stdout, /layers=300,100 /);
  assert.match(layers.stdout, /layers=50 /);
  assert.match(layers.stdout, /^2 cells/m);
  assert.equal(dryRunIds([...TINY, '--seeds', '3', '--out', out]).length, 3);
  assert.deepEqual(dryRunIds([...TINY, '--depth', '2..3', '--out', out]).length, 2);
});

test('cell ids: defaults filled in, case and flag order do not matter, any setting that matters changes the id', () => {
  const [plain] = dryRunIds([...TINY]);
  const [explicit] = dryRunIds([...TINY, '--depth', '2', '--act', 'RELU', '--init', 'He', '--seed', '42', '--lr', '0.05']);
  const [reordered] = dryRunIds(['--seed', '42', '--quiet', '--width', '16', '--probe-size', '32', '--test-size', '64', '--train-size', '64', '--data', 'GAUSSIAN', '--depth', '2']);
  assert.equal(explicit, plain);
  assert.equal(reordered, plain);
  assert.match(plain, /^relu-he-d2-s42-[0-9a-f]{10}$/);
  for (const change of [['--depth', '3'], ['--lr', '0.1'], ['--steps', '1'], ['--standardize'], ['--seed', '1']]) {
    const [other] = dryRunIds([...TINY, ...change]);
    assert.notEqual(other, plain, `${change.join(' ')} must change the id`);
  }
});

test('bad flags are refused with one line naming the flag, exit 2, nothing written', (t) => {
  const out = join(temp(t), 'results');
  const cases: [string[], RegExp][] = [
    [['--depth', '10..2'], /--depth '10\.\.2'.*range/],
    [['--depth', '2,,3'], /--depth .*empty value/],
    [['--depth', '0'], /^vgrad: --depth must be an integer/],
    [['--act', 'relu,swish'], /--act/],
    [['--name', '../x'], /--name '\.\.\/x' is not a safe folder name/],
    [['--name', '/tmp/abs'], /--name '\/tmp\/abs' is not a safe folder name/],
    [['--name', '..'], /--name/],
    [['--seeds', '0'], /--seeds must be an integer from 1/],
    [['--seeds', '2', '--seed', '1'], /--seeds N and --seed cannot both be given/],
    [['--jobs', '0'], /--jobs must be an integer from 1/],
    [['--shard', '3/3'], /--shard must be i\/n with 0 ≤ i < n/],
    [['--shard-count', '2'], /--shard-count needs JOB_COMPLETION_INDEX/],
    [['--act', 'softsign', '--init', 'book'], /^vgrad: cell .*act=softsign init=book.*: --init book/],
    [['--out', out, 'missing.yaml'], /missing\.yaml: cannot read the experiment file/],
  ];
  // One child for all the cases: each is refused before any cell runs.
  const results = runCliBatch(cases.map(([args]) => ['sweep', ...TINY, '--out', out, ...args]));
  for (const [i, [args, message]] of cases.entries()) {
    const result = results[i];
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line, got ${result.stderr}`);
    assert.match(result.stderr, message, args.join(' '));
    assert.ok(!existsSync(out), `${args.join(' ')} wrote ${out}`);
  }
  const k8s = runCli(['sweep', ...TINY, '--out', out], { JOB_COMPLETION_INDEX: '1' });
  assert.equal(k8s.status, 2);
  assert.match(k8s.stderr, /JOB_COMPLETION_INDEX is set.*--shard-count/);
});

test('bad experiment files: one line naming the field, exit 2, nothing written', (t) => {
  const dir = temp(t);
  const out = join(dir, 'results');
  const good = 'description: d\ngrid:\n  depth: [2, 3]\nfixed:\n  data: gaussian\n  steps: 0\n';
  const cases: [string, string, RegExp][] = [
    ['unknown-top.yaml', `${good}colour: red\n`, /unknown-top\.yaml: \(top level\): unknown field 'colour'/],
    ['no-description.yaml', 'grid:\n  depth: 2\n', /no-description\.yaml: description: /],
    ['bad-value.yaml', 'description: d\ngrid:\n  depth: [2, 0]\n', /bad-value\.yaml: grid\.depth: --depth must be an integer/],
    ['bad-option.yaml', 'description: d\ngrid:\n  depht: [2]\n', /bad-option\.yaml: grid\.depht: 'depht' is not a run option/],
    ['bad-fixed.yaml', 'description: d\ngrid:\n  depth: 2\nfixed:\n  lr: -1\n', /bad-fixed\.yaml: fixed\.lr: --lr must be a number > 0/],
    ['out.yaml', 'description: d\ngrid:\n  depth: 2\nfixed:\n  out: /tmp\n', /out\.yaml: fixed\.out: 'out' is not allowed/],
    ['tag.yaml', 'description: !!js/function "x"\ngrid:\n  depth: 2\n', /tag\.yaml: not valid YAML: .*tags are not allowed/],
    ['custom-tag.yaml', 'description: d\ngrid:\n  depth: !env DEPTH\n', /custom-tag\.yaml: not valid YAML: .*tags are not allowed/],
    ['broken.yaml', 'description: d\ngrid: [depth: 2\n', /broken\.yaml: not valid YAML/],
    ['name.yaml', `${good}name: ../escape\n`, /--name '\.\.\/escape' is not a safe folder name/],
    ['expect.yaml', `${good}expect:\n  - says: x\n    where: { act: tanh }\n`, /expect\.yaml: expect\[0\]\.where matches no cell/],
    ['expect-field.yaml', `${good}expect:\n  - says: x\n    testacc: { min: 1 }\n`, /expect-field\.yaml: expect\[0\]: unknown field 'testacc'/],
    ['renamed.yaml', `${good}expect:\n  - says: x\n    gradVarRatioInit: { max: 1 }\n`, /renamed\.yaml: expect\[0\]: 'gradVarRatioInit' was the per-unit grad var ratio; use gradEnergyRatioInit, the width-corrected ratio the flags use/],
    ['verdict.yaml', `${good}expect:\n  - says: x\n    verdict: fine\n`, /verdict\.yaml: expect\[0\]\.verdict: must be one of diverged, .*healthy/],
    ['bad.json', '{"description": "d", "grid": {"depth": [2]}, "seeds": 0}', /bad\.json: seeds: must be an integer ≥ 1/],
    ['broken.json', '{"description": ', /broken\.json: not valid JSON/],
    ['file.txt', good, /file\.txt: an experiment file must end in \.yaml, \.yml or \.json/],
  ];
  for (const [name, text] of cases) writeFileSync(join(dir, name), text);
  const results = runCliBatch(cases.map(([name]) => ['sweep', join(dir, name), '--out', out]));
  for (const [i, [name, , message]] of cases.entries()) {
    const result = results[i];
    assert.equal(result.status, 2, `${name}: ${result.stderr}`);
    assert.equal(result.stderr.trim().split('\n').length, 1, `${name}: one line, got ${result.stderr}`);
    assert.match(result.stderr, message, name);
    assert.ok(!existsSync(out), `${name} wrote ${out}`);
  }
});

test('every shipped experiment file validates and plans its cells', () => {
  const files = readdirSync(join(ROOT, 'experiments')).filter((name) => /\.(ya?ml|json)$/.test(name));
  for (const expected of ['quickstart', 'book-chapter', 'glorot-bengio-2010', 'he-2015-depth30', 'selu-100', 'table-11-1']) {
    assert.ok(files.includes(`${expected}.yaml`), `experiments/${expected}.yaml is shipped`);
  }
  for (const name of files) {
    const result = runCli(['sweep', join(ROOT, 'experiments', name), '--dry-run']);
    assert.equal(result.status, 0, `${name}: ${result.stderr}`);
    assert.match(result.stdout, /^\d+ cells in sweep /m, name);
  }
  const book = runCli(['sweep', join(ROOT, 'experiments', 'book-chapter.yaml'), '--dry-run']);
  assert.match(book.stdout, /^27 cells in sweep book-chapter /m);
});

test('a sweep stores each cell in the run format, the same record as vgrad run, and resumes', (t) => {
  const out = join(temp(t), 'results');
  const grid = [...TINY, '--act', 'relu,tanh', '--init', 'xavier,he', '--steps', '3', '--name', 'g', '--out', out];
  const first = runCli(['sweep', ...grid, '--jobs', '2']);
  assert.equal(first.status, 0, first.stderr);
  const dir = join(out, 'sweeps', 'g');
  const cells = cellDirs(dir);
  assert.equal(cells.length, 4);
  assert.deepEqual(leftovers(dir), []);
  for (const id of cells) for (const file of ['config.json', 'metrics.jsonl', 'summary.json', 'cell.json']) assert.ok(existsSync(join(dir, id, file)), `${id}/${file}`);
  const rows = readRows(dir);
  assert.equal(rows.length, 4);
  assert.ok(readFileSync(join(dir, 'summary.csv'), 'utf8').startsWith('cell,layers,depth,act,'));

  // The same config through `vgrad run` gives the same numbers (same code path, same record).
  const tanhXavier = cells.find((id) => id.startsWith('tanh-xavier-'))!;
  const run = runCli(['run', ...TINY, '--act', 'tanh', '--init', 'xavier', '--steps', '3', '--out', join(out, 'single'), '--json']);
  assert.equal(run.status, 0, run.stderr);
  const runRecord = JSON.parse(run.stdout) as { layers: unknown; final: unknown; config: unknown };
  const cellRecord = JSON.parse(readFileSync(join(dir, tanhXavier, 'summary.json'), 'utf8')) as typeof runRecord;
  assert.deepEqual(cellRecord.layers, runRecord.layers);
  assert.deepEqual(cellRecord.final, runRecord.final);
  assert.deepEqual({ ...(cellRecord.config as object), out: null }, { ...(runRecord.config as object), out: null });
  const cellFile = JSON.parse(readFileSync(join(dir, tanhXavier, 'cell.json'), 'utf8')) as { overrides: Record<string, unknown> };
  assert.equal(cellFile.overrides.act, 'tanh');
  assert.equal(cellFile.overrides.init, 'xavier');

  // Re-run: nothing to do, the records are untouched.
  const mtimes = cells.map((id) => statSync(join(dir, id, 'summary.json')).mtimeMs);
  const again = runCli(['sweep', ...grid.filter((a) => a !== '--quiet')]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /4 already done · 0 to run/);
  assert.deepEqual(cells.map((id) => statSync(join(dir, id, 'summary.json')).mtimeMs), mtimes);

  // A grown grid reuses the cells still in it.
  const grown = runCli(['sweep', ...grid.filter((a) => a !== '--quiet'), '--depth', '2,3']);
  assert.equal(grown.status, 0, grown.stderr);
  assert.match(grown.stderr, /8 cells · 4 already done · 4 to run/);
  assert.equal(cellDirs(dir).length, 8);
  assert.equal(readRows(dir).length, 8);

  // --force redoes them.
  const forced = runCli(['sweep', ...grid.filter((a) => a !== '--quiet'), '--force']);
  assert.equal(forced.status, 0, forced.stderr);
  assert.match(forced.stderr, /4 to run/);
  assert.ok(cells.every((id, i) => statSync(join(dir, id, 'summary.json')).mtimeMs > mtimes[i]));
  assert.deepEqual(leftovers(dir), []);
});

test('--json prints only summary rows; the end table and compare view fit 80 columns; ls lists it', (t) => {
  const out = join(temp(t), 'results');
  const result = runCli(['sweep', ...TINY, '--depth', '2,6', '--init', 'xavier,he', '--steps', '3', '--name', 'j', '--out', out, '--json']);
  assert.equal(result.status, 0, result.stderr);
  const rows = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.equal(rows.length, 4);
  for (const row of rows) {
    for (const key of ['cell', 'status', 'config', 'finalLoss', 'testAcc', 'gradEnergyRatioInit', 'gradEnergyRatioEnd', 'actVarRatioInit', 'saturatedInit', 'deadInit', 'verdict']) assert.ok(key in row, key);
  }
  // One ratio convention: the summary's gradient ratio is the flags' width-corrected one (300-wide
  // first layer, 16-wide top), (300 · gradVar₁) ÷ (16 · gradVar_top), not the per-unit quotient.
  for (const row of rows) {
    const record = JSON.parse(readFileSync(join(out, 'sweeps', 'j', row.cell as string, 'summary.json'), 'utf8'));
    const hidden = record.layers.filter((layer: { kind: string }) => layer.kind === 'hidden');
    for (const [field, pick] of [['gradEnergyRatioInit', 'initial'], ['gradEnergyRatioEnd', 'final']] as const) {
      const expected = (300 * hidden[0][pick].gradVar) / (16 * hidden[hidden.length - 1][pick].gradVar);
      assert.ok(Math.abs((row[field] as number) / expected - 1) < 1e-12, `${field}: ${row[field]} vs ${expected}`);
      assert.ok(Math.abs((row[field] as number) / judgeRecord(record, pick).gradientRatio[0]! - 1) < 1e-12, `${field} equals the flags' ratio`);
    }
  }
  const table = runCli(['sweep', ...TINY, '--depth', '2,6', '--init', 'xavier,he', '--steps', '3', '--name', 'j', '--out', out]);
  assert.equal(table.status, 0);
  for (const line of table.stdout.split('\n')) assert.ok([...line].length <= 80, `wider than 80: ${line}`);
  assert.match(table.stdout, /gradVar per layer at step 0 · one fixed scale for all columns: 1e-16…1e4/);

  const dir = join(out, 'sweeps', 'j');
  const compare = runCli(['compare', dir, '--stat', 'actVar']);
  assert.equal(compare.status, 0, compare.stderr);
  for (const line of compare.stdout.split('\n')) assert.ok([...line].length <= 80, `wider than 80: ${line}`);
  assert.match(compare.stdout, /actVar per layer at step 0 · .*: 1e-12…1e4/);
  assert.match(compare.stdout, /^6 /m, 'the depth-6 cells give rows down to layer 6');
  assert.equal(runCli(['compare', dir, '--stat', 'nope']).status, 2);
  assert.equal(runCli(['compare', join(dir, 'nothing')]).status, 2);

  const ls = runCli(['ls', out]);
  assert.equal(ls.status, 0, ls.stderr);
  assert.match(ls.stdout, /^j\s+4\/4 done/m);
  const cellsLs = runCli(['ls', dir, '--json']);
  assert.equal(cellsLs.stdout.trim().split('\n').length, 4);
});

test('shards: each cell in exactly one share (flag, Slurm and Kubernetes variables); merged shards equal the unsharded sweep', (t) => {
  const dir = temp(t);
  const grid = [...TINY, '--act', 'relu,tanh', '--init', 'xavier,he', '--steps', '2', '--name', 's'];
  const all = dryRunIds(grid);
  assert.equal(all.length, 4);
  const shares = [0, 1, 2].map((i) => dryRunIds([...grid, '--shard', `${i}/3`]));
  assert.deepEqual(shares.flat().sort(), [...all].sort(), 'shares cover every cell once');
  assert.equal(new Set(shares.flat()).size, all.length);
  assert.deepEqual(dryRunIds(grid, { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '3' }), shares[1]);
  assert.deepEqual(dryRunIds(grid, { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '2', SLURM_ARRAY_TASK_STEP: '2' }), shares[1]);
  assert.deepEqual(dryRunIds([...grid, '--shard-count', '3'], { JOB_COMPLETION_INDEX: '2' }), shares[2]);

  for (let i = 0; i < 3; i++) assert.equal(runCli(['sweep', ...grid, '--shard', `${i}/3`, '--out', join(dir, `shard-${i}`), '--jobs', '1']).status, 0);
  assert.equal(runCli(['sweep', ...grid, '--out', join(dir, 'full')]).status, 0);
  const merged = join(dir, 'merged', 'sweeps', 's');
  const merge = runCli(['merge', ...[0, 1, 2].map((i) => join(dir, `shard-${i}`, 'sweeps', 's')), '--into', merged]);
  assert.equal(merge.status, 0, merge.stderr);
  const full = join(dir, 'full', 'sweeps', 's');
  assert.equal(readFileSync(join(merged, 'summary.jsonl'), 'utf8'), readFileSync(join(full, 'summary.jsonl'), 'utf8'));
  assert.equal(readFileSync(join(merged, 'summary.csv'), 'utf8'), readFileSync(join(full, 'summary.csv'), 'utf8'));
  assert.deepEqual(cellDirs(merged).sort(), [...all].sort());

  for (const id of all) assert.ok(!existsSync(join(merged, id, '.lock')), `${id}: no lock published`);

  // A cell a live process is writing in the target (its lock names this test's PID): left to it.
  const busyTarget = join(dir, 'merged-3');
  const busyCell = all[0];
  const livePartial = join(busyTarget, `.partial-${busyCell}`);
  mkdirSync(livePartial, { recursive: true });
  writeFileSync(join(livePartial, '.lock'), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }));
  writeFileSync(join(livePartial, 'metrics.jsonl'), 'being written\n');
  const mergeBusy = runCli(['merge', ...[0, 1, 2].map((i) => join(dir, `shard-${i}`, 'sweeps', 's')), '--into', busyTarget]);
  assert.equal(mergeBusy.status, 0, mergeBusy.stderr);
  assert.match(mergeBusy.stderr, new RegExp(`\\(3 copied, 0 already there\\)[^\\n]*\\nvgrad: 1 cells are being written in [^\\n]* by another live process and were left to it: ${busyCell}\\n`));
  assert.equal(readFileSync(join(livePartial, 'metrics.jsonl'), 'utf8'), 'being written\n', 'the live partial is untouched');
  assert.deepEqual(cellDirs(busyTarget).sort(), all.filter((id) => id !== busyCell).sort());

  // A cell whose config disagrees between folders: refused, naming it; nothing written.
  const victim = shares[0][0];
  const configPath = join(dir, 'shard-0', 'sweeps', 's', victim, 'config.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  writeFileSync(configPath, JSON.stringify({ ...config, backend: 'cpu-elsewhere' }));
  const target = join(dir, 'merged-2');
  const refused = runCli(['merge', join(dir, 'shard-0', 'sweeps', 's'), full, '--into', target]);
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(refused.stderr, new RegExp(`cell ${victim}: configs disagree .*backend`));
  assert.ok(!existsSync(target));
});

test('a crashing cell is isolated: the others finish, it is listed, exit 1; a re-run retries only it', (t) => {
  const out = join(temp(t), 'results');
  const grid = [...TINY, '--act', 'relu,tanh', '--init', 'xavier,he', '--steps', '2', '--name', 'c', '--out', out, '--jobs', '2'];
  const crashing = dryRunIds(grid).find((id) => id.startsWith('tanh-xavier-'))!;
  const result = runCli(['sweep', ...grid], { VGRAD_SWEEP_TEST_CRASH: crashing });
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, new RegExp(`1 of 4 cells failed[^\\n]*\\n  ${crashing}: worker process killed by SIGKILL`));
  const dir = join(out, 'sweeps', 'c');
  assert.equal(cellDirs(dir).length, 3);
  assert.ok(existsSync(join(dir, 'failed', `${crashing}.json`)));
  assert.deepEqual(leftovers(dir), []);
  const failedRow = readRows(dir).find((row) => row.cell === crashing)!;
  assert.equal(failedRow.status, 'failed');

  const retry = runCli(['sweep', ...grid.filter((a) => a !== '--quiet')]);
  assert.equal(retry.status, 0, retry.stderr);
  assert.match(retry.stderr, /3 already done · 1 to run/);
  assert.equal(cellDirs(dir).length, 4);
  assert.ok(!existsSync(join(dir, 'failed', `${crashing}.json`)));
});

/** Starts a sweep in its own process group; resolves once `ready(dir)` holds, with the child. */
function startSweep(args: string[]) {
  const child = spawn(process.execPath, [BIN, 'sweep', ...args], { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, stderr: () => stderr };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function groupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return false;
  } catch {
    return true;
  }
}

test('kill -9 of the whole sweep mid-run, then a re-run: every cell recorded exactly once, nothing partial left', async (t) => {
  const out = join(temp(t), 'results');
  // 4 cells of 40 steps on 2 workers: the kill lands once one cell is finished and another is being
  // written (the wait below), so some but not all are done, whatever the machine's speed.
  const args = [...TINY, '--act', 'relu,tanh', '--init', 'xavier,he', '--steps', '40', '--log-every', '5', '--name', 'k', '--out', out, '--jobs', '2'];
  const dir = join(out, 'sweeps', 'k');
  const sweep = startSweep(args);
  await waitFor(() => existsSync(dir) && cellDirs(dir).length >= 1 && readdirSync(dir).some((n) => n.startsWith('.partial-')), 'a finished cell and one in progress');
  process.kill(-sweep.child.pid!, 'SIGKILL');
  await sweep.exited;
  await waitFor(() => groupGone(sweep.child.pid!), 'the killed workers to go');
  const before = cellDirs(dir);
  assert.ok(before.length >= 1 && before.length < 4, `killed mid-run (${before.length} of 4 done)`);
  const mtimes = new Map(before.map((id) => [id, statSync(join(dir, id, 'summary.json')).mtimeMs]));

  const rerun = runCli(['sweep', ...args.filter((a) => a !== '--quiet')]);
  assert.equal(rerun.status, 0, rerun.stderr);
  assert.match(rerun.stderr, new RegExp(`${before.length} already done · ${4 - before.length} to run`));
  const after = cellDirs(dir);
  assert.equal(after.length, 4, `every cell recorded after the re-run; its stderr: ${rerun.stderr}`);
  assert.deepEqual(leftovers(dir), [], 'no partial, temp or old folders');
  for (const id of after) {
    const record = JSON.parse(readFileSync(join(dir, id, 'summary.json'), 'utf8')) as { runId: string; final: { step: number } };
    assert.equal(record.runId, id);
    assert.equal(record.final.step, 40);
    const lines = readFileSync(join(dir, id, 'metrics.jsonl'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 9, `${id}: probe points 0, 5, …, 40 once each`);
  }
  for (const [id, mtime] of mtimes) assert.equal(statSync(join(dir, id, 'summary.json')).mtimeMs, mtime, `${id} was not redone`);
  assert.equal(readRows(dir).length, 4);
});

test('SIGTERM stops the workers cleanly: exit 143, finished cells kept, no partial folders, no process left', async (t) => {
  const out = join(temp(t), 'results');
  const args = [...TINY, '--act', 'relu,tanh', '--init', 'xavier,he', '--steps', '200', '--log-every', '50', '--name', 'term', '--out', out, '--jobs', '2'];
  const dir = join(out, 'sweeps', 'term');
  const sweep = startSweep(args);
  await waitFor(() => existsSync(dir) && readdirSync(dir).some((n) => n.startsWith('.partial-')), 'a cell in progress');
  process.kill(sweep.child.pid!, 'SIGTERM');
  const { code } = await sweep.exited;
  assert.equal(code, 143, sweep.stderr());
  assert.match(sweep.stderr(), /sweep stopped by SIGTERM/);
  await waitFor(() => groupGone(sweep.child.pid!), 'the workers to exit');
  assert.deepEqual(leftovers(dir), []);
  for (const id of cellDirs(dir)) assert.ok(existsSync(join(dir, id, 'cell.json')));
});

test('docs/cluster.md links each deploy file (linked, not pasted, so the page cannot show an old copy)', () => {
  const page = readFileSync(join(ROOT, 'docs', 'cluster.md'), 'utf8');
  const names = readdirSync(join(ROOT, 'deploy'));
  assert.ok(names.length >= 3, names.join(', '));
  for (const name of names) {
    assert.ok(page.includes(`](../deploy/${name})`), `docs/cluster.md must link deploy/${name}`);
    // Its header comment says how to submit it: the page points there instead of repeating it.
    assert.match(readFileSync(join(ROOT, 'deploy', name), 'utf8'), /^(#!.*\n)?# A vgrad sweep as /, name);
  }
});

test('--tensorboard: one event file per cell, in a sub-folder named by the cell id; the folder does not change the ids', (t) => {
  const dir = temp(t);
  const grid = [...TINY, '--act', 'relu,tanh', '--steps', '2', '--log-every', '1'];
  const tb = join(dir, 'tb');
  const result = runCli(['sweep', ...grid, '--name', 'tb', '--jobs', '1', '--out', dir, '--tensorboard', tb]);
  assert.equal(result.status, 0, result.stderr);
  const cells = cellDirs(join(dir, 'sweeps', 'tb')).sort();
  assert.equal(cells.length, 2);
  assert.deepEqual(readdirSync(tb).sort(), cells);
  for (const cell of cells) assert.match(readdirSync(join(tb, cell)).join(), /^events\.out\.tfevents\.\d+\..+$/);
  assert.deepEqual(dryRunIds(grid).sort(), cells, 'same cells with and without --tensorboard');
});

/** Paths under `dir`, one level of folders deep, whose name starts with `prefix`. */
function findTwoDeep(dir: string, prefix: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith(prefix)) found.push(name);
    const sub = join(dir, name);
    if (name.startsWith('.') && statSync(sub, { throwIfNoEntry: false })?.isDirectory()) {
      for (const inner of readdirSync(sub)) if (inner.startsWith(prefix)) found.push(join(name, inner));
    }
  }
  return found;
}

test('kill -9 while a cell is being claimed (its lock half-written): a re-run at once runs that cell, none is left as "busy"', async (t) => {
  // The claim window: a cell folder taken but its lock not yet complete. A folder visible without a
  // lock cannot be told from a live writer's, so it must never be visible; the hook pauses the lock's
  // write half-way (VGRAD_TEST_PAUSE_WRITE) so the kill lands exactly there.
  const out = join(temp(t), 'results');
  const args = [...TINY, '--act', 'relu,tanh', '--init', 'he', '--steps', '0', '--name', 'w', '--out', out, '--jobs', '1'];
  const dir = join(out, 'sweeps', 'w');
  const child = spawn(process.execPath, [BIN, 'sweep', ...args], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore'],
    env: { ...process.env, NO_COLOR: '1', VGRAD_TEST_PAUSE_WRITE: '.lock' },
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await waitFor(() => findTwoDeep(dir, '.lock.tmp-').length > 0, 'a lock being written');
  process.kill(-child.pid!, 'SIGKILL');
  await exited;
  await waitFor(() => groupGone(child.pid!), 'the killed workers to go');
  assert.equal(cellDirs(dir).length, 0);

  const rerun = runCli(['sweep', ...args.filter((a) => a !== '--quiet')]);
  assert.equal(rerun.status, 0, rerun.stderr);
  assert.doesNotMatch(rerun.stderr, /being written by another live process/);
  assert.equal(cellDirs(dir).length, 2, `both cells recorded; the re-run's stderr: ${rerun.stderr}`);
  assert.deepEqual(leftovers(dir), [], 'no partial, claim, temp or old folders');
});
