#!/usr/bin/env node
/**
 * `npm run headline`: README's headline figure, docs/headline.png, from the quickstart sweep.
 *
 *   1. vgrad sweep experiments/quickstart.yaml --out results   (about a minute on 2 cores; cells
 *      already finished are kept, so a second run only redraws)
 *   2. vgrad report results/sweeps/quickstart --charts gradient-profile --format png
 *   3. the PNG is renamed into docs/headline.png (written beside it first, so a failure leaves the
 *      old figure), and its size is checked: under 300 kB, 1600–2000 px wide (read at ~900 px).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, copyFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vgrad = (args) => {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'vgrad.js'), ...args], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) {
    process.stderr.write(`headline: vgrad ${args.join(' ')} exited with ${result.status}\n`);
    process.exit(1);
  }
};

vgrad(['sweep', 'experiments/quickstart.yaml', '--out', 'results', '--quiet']);
const out = mkdtempSync(join(tmpdir(), 'vgrad-headline-'));
try {
  vgrad(['report', 'results/sweeps/quickstart', '--charts', 'gradient-profile', '--format', 'png', '--out', out]);
  const png = join(out, 'gradient-profile.png');
  const bytes = readFileSync(png);
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  if (bytes.length >= 300_000 || width < 1600 || width > 2000) {
    process.stderr.write(`headline: ${bytes.length} bytes, ${width}×${height} px: want under 300 kB and 1600–2000 px wide\n`);
    process.exit(1);
  }
  const target = join(root, 'docs', 'headline.png');
  const partial = `${target}.partial-${process.pid}`;
  copyFileSync(png, partial);
  renameSync(partial, target);
  process.stdout.write(`${target}: ${width}×${height} px, ${Math.round(statSync(target).size / 1024)} kB\n`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
