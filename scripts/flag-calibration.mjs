#!/usr/bin/env node
// Prints the flag calibration measurements (docs/run.md "Flag rules"): every configuration of the grid
// at step 0, gaussian and mnist, seeds 1–3, with the verdicts and the extremes the thresholds are
// compared with. Usage (after `npm run build`): node scripts/flag-calibration.mjs [probeSize=512] [--check]
// --check exits 1 when any verdict differs from the expected one: the whole grid, of which the
// suite (test/verdicts.test.ts) checks only the extremes; run it with probe size 256, the suite's,
// whenever the flag rules or the probe change.
import { selectBackend } from '../dist/src/backend/select.js';
import { CALIBRATION, measureAtInit, summarize } from '../dist/test/calibration.js';

await selectBackend('auto');
const args = process.argv.slice(2);
const check = args.includes('--check');
const probeSize = Number(args.find((a) => a !== '--check') ?? 512);
let misses = 0;
console.log(['config', 'depth', 'data', 'expected', 'verdicts (seeds 1/2/3)', 'match', 'min energy ratio', 'max energy ratio', 'max sat', 'max dead'].join('\t'));
for (const c of CALIBRATION) {
  for (const data of ['gaussian', 'mnist']) {
    const seen = [];
    const ext = { minRatio: Infinity, maxRatio: 0, maxSat: 0, maxDead: 0 };
    for (const seed of [1, 2, 3]) {
      const { verdict, layers } = measureAtInit(c, data, seed, probeSize);
      seen.push(verdict.verdict);
      const s = summarize(verdict, layers);
      ext.minRatio = Math.min(ext.minRatio, s.minRatio);
      ext.maxRatio = Math.max(ext.maxRatio, s.maxRatio);
      ext.maxSat = Math.max(ext.maxSat, s.maxSat);
      ext.maxDead = Math.max(ext.maxDead, s.maxDead);
    }
    const name = `${c.act}+${c.init}${c.standardize ? ' --standardize' : ''}`;
    const match = seen.every((v) => v === c.expected) ? 'ok' : 'MISS';
    if (match === 'MISS') misses++;
    console.log([name, c.depth, data, c.expected, seen.join('/'), match, ext.minRatio.toExponential(1), ext.maxRatio.toExponential(1), `${(ext.maxSat * 100).toFixed(0)}%`, `${(ext.maxDead * 100).toFixed(0)}%`].join('\t'));
  }
}
if (check) {
  console.error(misses === 0 ? 'flag calibration: every configuration got its expected verdict' : `flag calibration: ${misses} configuration/data pairs MISSED their expected verdict`);
  process.exitCode = misses === 0 ? 0 : 1;
}
