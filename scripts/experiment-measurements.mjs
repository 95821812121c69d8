#!/usr/bin/env node
// The measurements behind an experiment file's bounds: runs the file over seeds 1–N (vgrad sweep
// --jobs 1, resumable), stores the summary rows (and every cell's hidden-layer series, for
// `layer:` expectations) in experiments/measured/<name>.json, and prints, for every bound of every
// expectation, the mean and seed standard deviation of what it bounds and how many standard
// deviations the bound sits from that mean (on the log scale for ratios): the files' comments quote
// these, and test/experiments.test.ts feeds the stored rows to `--check`'s checker, real and
// counterfactual.
//
// Usage (after `npm run build`):
//   node scripts/experiment-measurements.mjs experiments/he-2015-depth30.yaml [--seeds 3] [--out ROOT] [--report]
// --report only reads experiments/measured/<name>.json and prints the table (no run).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadExperimentFile } from '../dist/src/sweep/experimentFile.js';
import { checkExpectation, layerFieldValue, matches, selectLayer } from '../dist/src/sweep/expectations.js';
import { cellLayersIn } from '../dist/src/sweep/cellLayers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--') && (a.endsWith('.yaml') || a.endsWith('.yml') || a.endsWith('.json')));
if (!file) {
  console.error('usage: node scripts/experiment-measurements.mjs experiments/FILE.yaml [--seeds 3] [--out ROOT] [--report]');
  process.exit(2);
}
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const seeds = Number(option('--seeds', '3'));
const out = option('--out', join(ROOT, 'results'));
const name = basename(file, extname(file));
const stored = join(ROOT, 'experiments', 'measured', `${name}.json`);

if (!args.includes('--report')) {
  const sweepName = `${name}-measured`;
  const seedList = Array.from({ length: seeds }, (_, i) => i + 1).join(',');
  const started = Date.now();
  const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'vgrad.js'), 'sweep', file, '--seed', seedList, '--jobs', '1', '--name', sweepName, '--out', out, '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.status !== 0) process.exit(run.status ?? 1);
  const dir = join(out, 'sweeps', sweepName);
  const rows = readFileSync(join(dir, 'summary.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  // The hidden layers' series only where an expectation bounds a layer (they are large for deep nets).
  const needsLayers = loadExperimentFile(file).expectations.some((expectation) => expectation.layer !== undefined);
  const layersOf = cellLayersIn(dir);
  const layers = needsLayers ? Object.fromEntries(rows.map((row) => [row.cell, layersOf(row.cell)])) : undefined;
  const trainMs = rows.map((row) => JSON.parse(readFileSync(join(dir, row.cell, 'summary.json'), 'utf8')).timing.trainMs);
  mkdirSync(dirname(stored), { recursive: true });
  writeFileSync(
    stored,
    `${JSON.stringify({ file, seeds, backend: 'wasm', command: `node scripts/experiment-measurements.mjs ${file} --seeds ${seeds}`, wallMs: Date.now() - started, trainMs, rows, layers })}\n`,
  );
  console.error(`stored ${rows.length} rows in ${stored}`);
}

const measured = JSON.parse(readFileSync(stored, 'utf8'));
const spec = loadExperimentFile(file);
const layersOf = (cell) => measured.layers?.[cell] ?? null;
const isRatio = (field) => /Ratio/.test(field);
const stats = (values) => {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : NaN;
  return { mean, sd };
};
const fmt = (x) => (Math.abs(x) >= 1e3 || (Math.abs(x) < 1e-2 && x !== 0) ? x.toExponential(2) : x.toPrecision(3));
const totalTrain = measured.trainMs.reduce((a, b) => a + b, 0);
console.log(`${name}: ${measured.rows.length} cells over ${measured.seeds} seeds; training time ${(totalTrain / 1000).toFixed(0)} s in all (${(totalTrain / 1000 / measured.seeds).toFixed(0)} s per seed)`);
spec.expectations.forEach((expectation, i) => {
  const outcome = checkExpectation(expectation, measured.rows, layersOf);
  console.log(`expect[${i}] ${outcome.held ? 'held' : 'NOT HELD'}: ${expectation.says} (${outcome.cells} cells)`);
  for (const problem of outcome.problems) console.log(`    ${problem}`);
  const selected = measured.rows.filter((row) => matches(row.config, expectation.where) && row.status !== 'failed');
  const report = (field, values, bound) => {
    const log = isRatio(field);
    const xs = values.filter((v) => v !== null && Number.isFinite(v) && (!log || v > 0)).map((v) => (log ? Math.log10(v) : v));
    const { mean, sd } = stats(xs);
    const at = (b) => (b === undefined ? '' : `${fmt(b)} at ${(Math.abs((log ? Math.log10(b) : b) - mean) / sd).toFixed(1)} sd`);
    const shown = log ? `10^${mean.toFixed(2)} (sd ${sd.toFixed(2)} decades)` : `${fmt(mean)} (sd ${fmt(sd)})`;
    console.log(`    ${field}: ${shown} over ${xs.length}; min ${at(bound.min)}; max ${at(bound.max)}; values ${values.map((v) => (v === null ? 'null' : fmt(v))).join(' ')}`);
  };
  for (const [field, bound] of Object.entries(expectation.bounds)) report(field, selected.map((row) => row[field]), bound);
  if (expectation.layer !== undefined) {
    for (const [field, bound] of Object.entries(expectation.layerBounds ?? {})) {
      report(
        `${expectation.layer} ${field}`,
        selected.map((row) => {
          const layers = layersOf(row.cell);
          const index = layers ? selectLayer(expectation.layer, layers.length) : null;
          return index === null ? null : layerFieldValue(layers[index], field);
        }),
        bound,
      );
    }
  }
  for (const key of ['verdict', 'verdictInit', 'verdictEnd']) {
    if (expectation[key]) console.log(`    ${key}: ${selected.map((row) => row[key]).join(' ')} (allowed ${expectation[key].join(', ')})`);
  }
});
