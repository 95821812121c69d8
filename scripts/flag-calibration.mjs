#!/usr/bin/env node
// Prints the flag calibration measurements (README "Flag rules"): every configuration of the grid
// at step 0, gaussian and mnist, seeds 1–3, with the verdicts and the extremes the thresholds are
// compared with. Usage (after `npm run build`): node scripts/flag-calibration.mjs [probeSize=512]
import { selectBackend } from '../dist/src/backend/select.js';
import { CALIBRATION, measureAtInit, summarize } from '../dist/test/calibration.js';

await selectBackend('auto');
const probeSize = Number(process.argv[2] ?? 512);
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
    console.log([name, c.depth, data, c.expected, seen.join('/'), match, ext.minRatio.toExponential(1), ext.maxRatio.toExponential(1), `${(ext.maxSat * 100).toFixed(0)}%`, `${(ext.maxDead * 100).toFixed(0)}%`].join('\t'));
  }
}
