#!/usr/bin/env node
// The training verdict's calibration (docs/run.md "Flag rules", not-learning): mnist, seeds 1–3, the
// default 250 steps, the grid of scripts/training-calibration.yaml. Prints every configuration with
// its test accuracy, final training loss and probe accuracy at step 100, and whether the rule in
// src/probes/verdicts.ts fires, against what it must do: stay silent on nets that learn (the healthy
// set and the slow learners), fire on nets that stay at chance.
//
// Usage (after `npm run build`):
//   node scripts/training-calibration.mjs            print the table from the cache
//   node scripts/training-calibration.mjs --check    … and exit 1 if any cell gets the wrong answer
//   node scripts/training-calibration.mjs --measure [ROOT]
//        run the grid (vgrad sweep --jobs 1: one core, resumable; ROOT default results) and rewrite
//        the cache, scripts/training-calibration.json, from its records (about 30 min on one free core)
// The cache holds what the rule reads (steps, test accuracy, training loss, classes) and the probe
// points' accuracy and loss, so a changed threshold is re-judged without re-running anything.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHANCE_MARGIN, LOSS_FALL, NOT_LEARNING_MIN_STEPS, notLearning } from '../dist/src/probes/verdicts.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const GRID = join(ROOT, 'scripts', 'training-calibration.yaml');
const CACHE = join(ROOT, 'scripts', 'training-calibration.json');

/** What the rule must say about a configuration: the lists (issue 34). */
export function expectedOf({ act, init, depth }) {
  const healthy = { relu: 'he', 'leaky-relu': 'he', elu: 'he', tanh: 'xavier', softsign: 'xavier', selu: 'lecun' };
  if (healthy[act] === init) return 'learns';
  if (act === 'sigmoid' && init === 'xavier-logistic' && depth === 5) return 'slow';
  if (act === 'sigmoid' && init === 'normal1') return 'slow';
  return 'chance';
}

function measure(root) {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'vgrad.js'), 'sweep', GRID, '--jobs', '1', '--out', root], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  const dir = join(root, 'sweeps', 'training-calibration');
  const cells = [];
  for (const id of readdirSync(dir).sort()) {
    const summary = join(dir, id, 'summary.json');
    if (!existsSync(summary)) continue;
    const record = JSON.parse(readFileSync(summary, 'utf8'));
    const points = readFileSync(join(dir, id, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .map((p) => ({ step: p.step, probeAcc: p.probeAcc, probeLoss: p.probeLoss }));
    const c = record.config;
    cells.push({
      cell: id,
      act: c.act,
      init: c.init,
      depth: c.depth,
      standardize: c.standardize,
      seed: c.seed,
      plannedSteps: c.steps,
      steps: record.final.step,
      status: record.status,
      data: record.data.name,
      classes: record.layers[record.layers.length - 1].fanOut,
      testAcc: record.final.testAcc,
      trainAcc: record.final.trainAcc,
      loss: record.final.loss,
      points,
    });
  }
  // One cell per line: small, and a diff shows which runs changed.
  const lines = cells.map((cell) => `  ${JSON.stringify(cell)}`).join(',\n');
  writeFileSync(CACHE, `{"grid": "scripts/training-calibration.yaml", "backend": "wasm", "cells": [\n${lines}\n]}\n`);
  console.error(`wrote ${cells.length} cells to ${CACHE}`);
}

const args = process.argv.slice(2);
if (args[0] === '--measure') measure(args[1] ?? join(ROOT, 'results'));
/** The records' markers for non-finite numbers ("NaN", "+Inf", "-Inf") back to numbers. */
const number = (value) => (typeof value === 'number' ? value : value === '+Inf' ? Infinity : value === '-Inf' ? -Infinity : NaN);
const { cells } = JSON.parse(readFileSync(CACHE, 'utf8'));
for (const cell of cells) cell.loss = number(cell.loss);

/** The rule on a cached cell, as judgeRecord applies it to the stored record. */
const fires = (cell) => notLearning({ steps: cell.steps, testAcc: cell.testAcc, loss: cell.loss, classes: cell.classes, learnable: cell.data !== 'gaussian' });

const groups = new Map();
for (const cell of cells) {
  const key = `${cell.act}+${cell.init}${cell.standardize ? ' --standardize' : ''}|${cell.depth}|${cell.plannedSteps}`;
  groups.set(key, [...(groups.get(key) ?? []), cell]);
}
const f3 = (x) => x.toFixed(3);
const lnK = Math.log(10);
console.log(`rule: after ≥ ${NOT_LEARNING_MIN_STEPS} steps, test acc ≤ 1/classes + ${CHANCE_MARGIN} and train loss ≥ ${1 - LOSS_FALL}·ln(classes) (${f3((1 - LOSS_FALL) * lnK)} for 10)`);
console.log(['config', 'depth', 'steps', 'must', 'test acc (seeds 1/2/3)', 'train loss', 'probe acc @100', 'fires', 'match'].join('\t'));
let misses = 0;
const extremes = { learns: { acc: Infinity, loss: -Infinity, at100: Infinity }, slow: { acc: Infinity, loss: -Infinity }, chance: { acc: -Infinity, loss: Infinity }, diverged: { acc: 0, loss: 0 } };
for (const [key, group] of groups) {
  const [name, depth, steps] = key.split('|');
  group.sort((a, b) => a.seed - b.seed);
  // A net that diverges gets the verdict diverged, which outranks not-learning: the rule itself
  // must stay silent there (elu + he at depth 20 and 30 diverge within 10 steps at lr 0.05).
  const must = group.every((c) => c.status === 'diverged') ? 'diverged' : expectedOf(group[0]);
  const fired = group.map(fires);
  const ok = fired.every((f) => f === (must === 'chance'));
  if (!ok) misses++;
  const at100 = group.map((c) => c.points.find((p) => p.step === 100)?.probeAcc ?? NaN);
  const e = extremes[must];
  for (const c of group) {
    if (must === 'diverged') continue;
    if (must === 'chance') {
      e.acc = Math.max(e.acc, c.testAcc);
      e.loss = Math.min(e.loss, c.loss);
    } else {
      e.acc = Math.min(e.acc, c.testAcc);
      e.loss = Math.max(e.loss, c.loss);
    }
  }
  if (must === 'learns') e.at100 = Math.min(e.at100, ...at100);
  if (must === 'diverged') e.acc = group.length;
  console.log([name, depth, steps, must === 'chance' ? 'fire' : must === 'diverged' ? 'silent (diverged: verdict diverged)' : `silent (${must})`, group.map((c) => f3(c.testAcc)).join('/'), group.map((c) => f3(c.loss)).join('/'), at100.map(f3).join('/'), fired.map((f) => (f ? 'yes' : 'no')).join('/'), ok ? 'ok' : 'MISS'].join('\t'));
}
console.log(
  `extremes: nets that learn: test acc ≥ ${f3(extremes.learns.acc)}, loss ≤ ${f3(extremes.learns.loss)}, probe acc at step 100 ≥ ${f3(extremes.learns.at100)}; ` +
    `slow learners: test acc ≥ ${f3(extremes.slow.acc)}, loss ≤ ${f3(extremes.slow.loss)}; at chance: test acc ≤ ${f3(extremes.chance.acc)}, loss ≥ ${f3(extremes.chance.loss)}`,
)
const accLine = 0.1 + CHANCE_MARGIN;
const lossLine = (1 - LOSS_FALL) * lnK;
console.log(
  `margins: the loss line ${f3(lossLine)} (${1 - LOSS_FALL}·ln 10) sits ${f3(extremes.chance.loss - lossLine)} below the lowest loss at chance and ${f3(lossLine - extremes.learns.loss)} above the highest of a net that learns ` +
    `(${f3(lossLine - extremes.slow.loss)} above the slow ones): it decides. The accuracy line ${f3(accLine)} sits ${f3(accLine - extremes.chance.acc)} above the best net at chance; ` +
    `the slowest net that learns is at ${f3(extremes.learns.acc)} (${extremes.learns.acc > accLine ? 'above' : 'below'} it, kept silent by its loss).`,
);
if (args.includes('--check')) {
  console.error(misses === 0 ? 'training calibration: every configuration got its expected answer' : `training calibration: ${misses} configurations MISSED`);
  process.exitCode = misses === 0 ? 0 : 1;
}
