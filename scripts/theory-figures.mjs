#!/usr/bin/env node
// The figures of docs/theory.md, from the built CLI (npm run build first):
//   docs/phase-map-tanh.png        vgrad theory --map --act tanh (Schoenholz et al. 2017, Fig. 1's ranges)
//   docs/trainable-depth-tanh.png  vgrad report's trainable-depth chart of the schoenholz-2017 sweep
// Usage: node scripts/theory-figures.mjs [SWEEP_DIR]   (default results/sweeps/schoenholz-2017, made by
//   vgrad sweep experiments/schoenholz-2017.yaml --jobs 2)
// The report is rendered into a temporary folder and only its trainable-depth.png is kept.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'vgrad.js');
const sweep = process.argv[2] ?? join(ROOT, 'results', 'sweeps', 'schoenholz-2017');
const vgrad = (args) => {
  const run = spawnSync(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.status !== 0) process.exit(run.status ?? 1);
};

vgrad(['theory', '--map', '--act', 'tanh', '--grid', '61x31', '--picture', join(ROOT, 'docs', 'phase-map-tanh.png')]);
if (!existsSync(sweep)) {
  console.error(`${sweep}: no sweep folder; run vgrad sweep experiments/schoenholz-2017.yaml --jobs 2 first (the phase map is written)`);
  process.exit(2);
}
const out = mkdtempSync(join(tmpdir(), 'vgrad-figures-'));
try {
  vgrad(['report', sweep, '--out', out, '--format', 'png']);
  copyFileSync(join(out, 'trainable-depth.png'), join(ROOT, 'docs', 'trainable-depth-tanh.png'));
} finally {
  rmSync(out, { recursive: true, force: true });
}
console.error('wrote docs/phase-map-tanh.png and docs/trainable-depth-tanh.png');
