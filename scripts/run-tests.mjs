#!/usr/bin/env node
/**
 * `npm test` after the build: every dist/test/*.test.js once, two files at a time (node --test
 * --test-concurrency=2 does the same but starts the files in alphabetical order, so a long file that
 * sorts last runs alone at the end). Here the files known to take longest start first and the rest
 * follow alphabetically: both workers finish at about the same time.
 *
 *   node scripts/run-tests.mjs                 # the whole suite
 *   node scripts/run-tests.mjs flags record    # only dist/test/flags.test.js and record.test.js
 *
 * Output: spec on a terminal, TAP otherwise (as node --test). Exit 1 when any test fails.
 * Re-measure the order with: node --test --test-concurrency=2 --test-reporter=./scripts/test-durations.mjs dist/test/
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from 'node:test';
import { spec, tap } from 'node:test/reporters';

const TESTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'test');

/** Longest first, as measured on the n3-tests branch (2026-11-30, scripts/test-durations.mjs). */
const SLOWEST_FIRST = ['sweep', 'flags', 'cli', 'signals', 'interopPython', 'options', 'layout', 'bench', 'quickstart-slurm', 'theoryCli', 'theoryMeasured', 'interop', 'verdicts', 'verdictsCli', 'store', 'report', 'divergence', 'record', 'overlay', 'theory', 'leaks', 'data', 'terminal'];

const all = readdirSync(TESTS).filter((name) => name.endsWith('.test.js')).map((name) => name.slice(0, -'.test.js'.length)).sort();
const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!all.includes(name)) {
    console.error(`run-tests: no test file dist/test/${name}.test.js (build first: npx tsc -p tsconfig.json)`);
    process.exit(2);
  }
}
const chosen = wanted.length > 0 ? wanted : all;
const rank = (name) => (SLOWEST_FIRST.includes(name) ? SLOWEST_FIRST.indexOf(name) : SLOWEST_FIRST.length);
const ordered = [...chosen].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

const stream = run({ files: ordered.map((name) => join(TESTS, `${name}.test.js`)), concurrency: 2 });
stream.on('test:fail', () => {
  process.exitCode = 1;
});
stream.compose(process.stdout.isTTY ? spec : tap).pipe(process.stdout);
