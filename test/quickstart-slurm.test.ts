/**
 * The shipped quickstart experiment end to end with --check (as CI runs it); then a sweep as a real
 * Slurm job array (deploy/slurm-array.sh, submitted with sbatch --array on a one-machine cluster
 * started here, as in ../shared/reference/local-slurm.md), merged, and compared with the same sweep
 * unsharded. The Slurm test sweeps a tiny four-cell experiment written here, not the quickstart: it
 * tests the sharding, the array script and the merge, which do not depend on the cells' size, and
 * the quickstart's numbers are already checked once above (each quickstart run costs about a minute). Where Slurm is not installed or cannot start, that test is
 * skipped with the reason printed. The daemons this file starts are stopped by their PIDs.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, ROOT, runCli } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'vgrad-test-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const EXPERIMENT = join(ROOT, 'experiments', 'quickstart.yaml');
const unsharded = join(work, 'unsharded');

/** Four cells (2 activations × 2 initializers) of a few steps on small gaussian data. */
const TINY_EXPERIMENT = [
  'description: four tiny cells for the Slurm array test',
  'grid:',
  '  - { act: [relu, tanh], init: [xavier, he] }',
  'fixed:',
  '  data: gaussian',
  '  depth: 2',
  '  width: 16',
  '  steps: 3',
  '  train-size: 64',
  '  test-size: 64',
  '  probe-size: 32',
  '  seed: 1',
  '',
].join('\n');

test('quickstart runs and its expectations hold (--check)', () => {
  const result = runCli(['sweep', EXPERIMENT, '--out', unsharded, '--check']);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /all 4 expectations held/);
  assert.match(result.stdout, /^quickstart: /m);
  const rows = readFileSync(join(unsharded, 'sweeps', 'quickstart', 'summary.jsonl'), 'utf8').trim().split('\n');
  assert.equal(rows.length, 4);
});

/** Why Slurm cannot run here, or undefined when it can be tried. */
function slurmUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (munged and slurmd need root here)';
  for (const tool of ['munged', 'munge', 'unmunge', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'sinfo']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed (apt-get install -y slurm-wlm; .ci/run does this where it can)`;
  }
  return undefined;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function waitUntil(check: () => boolean, timeoutMs: number): boolean {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (check()) return true;
    sleep(250);
  }
  return check();
}

function mungeWorks(): boolean {
  return spawnSync('sh', ['-c', 'munge -n | unmunge'], { stdio: 'ignore' }).status === 0;
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function stopPid(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  waitUntil(() => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  }, 10_000);
}

test('the quickstart sweep as a Slurm job array, merged, equals the unsharded sweep', (t) => {
  const reason = slurmUnavailable();
  if (reason) {
    process.stderr.write(`# Slurm array test skipped: ${reason}\n`);
    t.skip(`Slurm unavailable: ${reason}`);
    return;
  }
  const dir = join(work, 'slurm');
  for (const sub of ['state', 'spool', 'submit']) mkdirSync(join(dir, sub), { recursive: true });
  const host = hostname();
  const conf = join(dir, 'slurm.conf');
  writeFileSync(
    conf,
    [
      'ClusterName=vgradtest',
      `SlurmctldHost=${host}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'SlurmctldPort=16817',
      'SlurmdPort=16818',
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'JobAcctGatherType=jobacct_gather/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'ReturnToService=2',
      `SlurmctldLogFile=${join(dir, 'ctld.log')}`,
      `SlurmdLogFile=${join(dir, 'd.log')}`,
      `NodeName=${host} CPUs=${availableParallelism()} State=UNKNOWN`,
      `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  let mungePid: number | undefined;
  const stopAll = () => {
    stopPid(readPid(join(dir, 'slurmd.pid')));
    stopPid(readPid(join(dir, 'slurmctld.pid')));
    stopPid(mungePid);
  };
  t.after(stopAll);

  if (!mungeWorks()) {
    // Started here, so stopped here (by the PID in its pid file); an already running munged is left alone.
    spawnSync('sh', ['-c', 'mkdir -p /run/munge && chown munge:munge /run/munge && su -s /bin/sh munge -c /usr/sbin/munged'], { stdio: 'ignore' });
    if (!waitUntil(mungeWorks, 10_000)) {
      process.stderr.write('# Slurm array test skipped: munged did not start\n');
      t.skip('munged did not start');
      return;
    }
    mungePid = readPid('/run/munge/munged.pid');
  }
  spawnSync('slurmctld', ['-f', conf], { env, stdio: 'ignore' });
  spawnSync('slurmd', ['-f', conf], { env, stdio: 'ignore' });
  const idle = () => /idle/.test(spawnSync('sinfo', ['-h', '-o', '%T'], { env, encoding: 'utf8' }).stdout ?? '');
  if (!waitUntil(idle, 30_000)) {
    const log = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8').trim().split('\n').slice(-2).join(' | ') : 'no log');
    process.stderr.write(`# Slurm array test skipped: the node did not become idle (ctld: ${log('ctld.log')}; d: ${log('d.log')})\n`);
    t.skip('Slurm did not start');
    return;
  }

  const experiment = join(dir, 'tiny.yaml');
  writeFileSync(experiment, TINY_EXPERIMENT);
  const tinyUnsharded = join(dir, 'unsharded');
  const reference = runCli(['sweep', experiment, '--out', tinyUnsharded, '--quiet']);
  assert.equal(reference.status, 0, reference.stderr);
  const submit = join(dir, 'submit');
  const jobId = execFileSync(
    'sbatch',
    ['--parsable', '--array=0-3', `--chdir=${submit}`, `--output=${join(submit, 'out-%a.txt')}`, '--export=ALL', join(ROOT, 'deploy', 'slurm-array.sh')],
    { env: { ...env, EXPERIMENT: experiment, VGRAD: `${process.execPath} ${BIN}` }, encoding: 'utf8' },
  ).trim();
  assert.match(jobId, /^\d+/);
  const finished = waitUntil(() => (spawnSync('squeue', ['-h', '-j', jobId], { env, encoding: 'utf8' }).stdout ?? '').trim() === '', 300_000);
  if (!finished) spawnSync('scancel', [jobId], { env });
  assert.ok(finished, `the array job ${jobId} did not finish within 5 minutes`);
  const outputs = readdirSync(submit).filter((name) => name.startsWith('out-'));
  assert.equal(outputs.length, 4, 'four array tasks ran');
  for (const name of outputs) assert.match(readFileSync(join(submit, name), 'utf8'), /shard \d\/4 \(SLURM_ARRAY_TASK_ID\)/, name);

  const shards = [0, 1, 2, 3].map((i) => join(submit, 'shards', String(i), 'sweeps', 'tiny'));
  for (const shard of shards) assert.ok(existsSync(join(shard, 'sweep.json')), `${shard} was written by its array task`);
  const merged = join(dir, 'merged', 'sweeps', 'tiny');
  const merge = runCli(['merge', ...shards, '--into', merged]);
  assert.equal(merge.status, 0, merge.stderr);
  const rows = readFileSync(join(tinyUnsharded, 'sweeps', 'tiny', 'summary.jsonl'), 'utf8');
  assert.equal(rows.trim().split('\n').length, 4, 'the unsharded sweep has the four cells');
  assert.equal(readFileSync(join(merged, 'summary.jsonl'), 'utf8'), rows);
});
