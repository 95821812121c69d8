#!/usr/bin/env node
/**
 * The test command StrykerJS runs for every mutant (`npm run mutate`, stryker.config.json). Stryker's
 * command runner reruns one command per mutant and tells it only the mutant's id (environment
 * variable __STRYKER_ACTIVE_MUTANT__). This script finds which source file holds that id (the
 * instrumented build in the sandbox's dist/src marks every mutant with stryMutAct_9fa48("id")) and
 * runs, in ONE node process, only the in-process test files that cover that file (TESTS_FOR below):
 * a mutant of src/store is not re-tested with the probe tests. Without an active mutant (Stryker's
 * dry run) it runs every test file in the table. Exit code non-zero = at least one test failed
 * (the mutant is killed).
 */
import { readdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

/**
 * Source file (relative to src/) → the unit-level test files (dist/test/<name>.test.js) that cover it;
 * `name:pattern` runs only the tests of that file whose name (or suite name) matches the pattern, in
 * a process of its own (node --test-name-pattern), to leave out tests that spawn whole CLI runs.
 */
const STORE_IN_PROCESS = 'store:^(a run folder appears|non-finite numbers|atomic write|partial folders without a lock|run ids are|a dead PID|one process-alive rule|a final folder that appears|a run that finishes between|RunStore.createAt)';
export const TESTS_FOR = {
  'model/activations.ts': ['probes', 'records'],
  'model/activationOps.ts': ['probes', 'records'],
  'model/initializers.ts': ['initializers', 'records'],
  'model/sampleWeights.ts': ['initializers'],
  'model/orthonormal.ts': ['initializers'],
  // mlp.ts and layerStats.ts: probes.test only (1 s; float64 references on small nets). signal.test
  // (20-layer nets, 4 s) would triple the run and leaks.test (6 s of training) more: a dropped
  // dispose() survives here, the suite catches it.
  'model/mlp.ts': ['probes'],
  'train/memory.ts': ['memory'],
  'probes/layerStats.ts': ['probes'],
  // The rules on hand-made statistics (thresholds at their boundaries); the calibration grid in the
  // same file measures real nets (8 s) and is left to the suite.
  'probes/verdicts.ts': ['verdicts:^verdict rules on hand-made statistics'],
  'probes/histograms.ts': ['histogramBins'],
  'probes/binSpecs.ts': ['histogramBins'],
  'config/runConfig.ts': ['config'],
  'util/decimal.ts': ['config', 'flagReaders'],
  'config/options.ts': ['flagReaders'],
  'util/errors.ts': ['config', 'flagReaders'],
  'store/runStore.ts': [STORE_IN_PROCESS],
  'util/atomicFile.ts': [STORE_IN_PROCESS],
  'util/signedPercent.ts': ['util'],
  'util/random.ts': ['util'],
  'util/abort.ts': ['util'],
  'util/signalExit.ts': ['util'],
  'store/record.ts': [STORE_IN_PROCESS, 'storeReaders'],
  'store/recordSchema.ts': ['storeReaders'],
  'store/read.ts': ['storeReaders'],
  'store/diskErrors.ts': ['storeReaders'],
};

/**
 * Every other source file: the tests of its folder (scripts/mutate.mjs mutates all of src/). Files
 * that spawn the CLI (readback, flagEffects, sweep, cli …) kill mutants too: the child inherits the
 * active mutant's id, and the sandbox's bin/vgrad.js runs the instrumented build.
 */
export const TESTS_FOR_FOLDER = {
  util: ['util', 'config', 'flagReaders', STORE_IN_PROCESS],
  backend: ['backendChoice'],
  data: ['data'],
  native: ['nativeInstall'],
  model: ['probes', 'initializers', 'records'],
  config: ['config', 'flagReaders', 'options'],
  probes: ['probes', 'histogramBins', 'boundaries', 'verdicts:^verdict rules on hand-made statistics'],
  theory: ['theory', 'boundaries'],
  train: ['memory', 'record'],
  store: [STORE_IN_PROCESS, 'storeReaders', 'records'],
  interop: ['interop', 'csv', 'readback'],
  run: ['cli'],
  sweep: ['boundaries', 'readback', 'sweep', 'experiments'],
  bench: ['bench'],
  report: ['boundaries', 'readback', 'report'],
  cli: ['flagEffects', 'cli'],
};

/** The tests run for a mutant of `source` (relative to src/). */
export function testsFor(source) {
  return TESTS_FOR[source] ?? TESTS_FOR_FOLDER[source.split('/')[0]] ?? [];
}

const active = process.env.__STRYKER_ACTIVE_MUTANT__;
const mapPath = join('.stryker-mutant-files.json');

/** mutant id → source file, read from the instrumented build once and cached in the sandbox. */
function mutantFiles() {
  if (existsSync(mapPath)) return JSON.parse(readFileSync(mapPath, 'utf8'));
  const map = {};
  const sources = readdirSync(join('dist', 'src'), { recursive: true }).filter((name) => String(name).endsWith('.js')).map((name) => String(name).replace(/\\/g, '/').replace(/\.js$/, '.ts'));
  for (const source of sources) {
    const built = join('dist', 'src', source.replace(/\.ts$/, '.js'));
    for (const m of readFileSync(built, 'utf8').matchAll(/stryMutAct_9fa48\("(\d+)"\)/g)) map[m[1]] = source;
  }
  const temp = `${mapPath}.${process.pid}`;
  writeFileSync(temp, JSON.stringify(map));
  renameSync(temp, mapPath);
  return map;
}

// The dry run (no active mutant) runs the tests of the folders being mutated (VGRAD_MUTATE_FOLDERS,
// set by scripts/mutate.mjs; every folder when unset).
const folders = process.env.VGRAD_MUTATE_FOLDERS ? process.env.VGRAD_MUTATE_FOLDERS.split(',') : Object.keys(TESTS_FOR_FOLDER);
const allTests = () => [...new Set([...folders.flatMap((f) => TESTS_FOR_FOLDER[f] ?? []), ...Object.entries(TESTS_FOR).filter(([s]) => folders.includes(s.split('/')[0])).flatMap(([, t]) => t)])];
let files;
if (active === undefined) {
  files = allTests();
} else {
  const source = mutantFiles()[active];
  files = source ? testsFor(source) : allTests();
}
// One process for all plain files (TensorFlow.js loads once; node --test would start one per file),
// one more per file with a name pattern; stop at the first failing process.
const plain = files.filter((f) => !f.includes(':'));
const runs = [];
if (plain.length > 0) runs.push(['-e', plain.map((name) => `await import(${JSON.stringify(`./dist/test/${name}.test.js`)});`).join('')]);
for (const entry of files.filter((f) => f.includes(':'))) {
  const [name, pattern] = [entry.slice(0, entry.indexOf(':')), entry.slice(entry.indexOf(':') + 1)];
  runs.push([`--test-name-pattern=${pattern}`, '-e', `await import(${JSON.stringify(`./dist/test/${name}.test.js`)});`]);
}
// A mutant can make a test loop forever: each process gets 90 s (the unmutated runs take under 10 s).
for (const args of runs) {
  const result = spawnSync(process.execPath, ['--test-reporter=dot', '--input-type=module', ...args], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 90_000, killSignal: 'SIGKILL' });
  if (result.error || result.signal) console.error(`mutate-tests: ${args.at(-1)} did not finish (${result.error?.message ?? result.signal})`);
  if (result.status !== 0) process.exit(result.status ?? 1);
}
