#!/usr/bin/env node
/**
 * `npm test` after the build: every dist/test/*.test.js once, three files at a time (node --test
 * --test-concurrency does the same but starts the files in alphabetical order, so a long file that
 * sorts last runs alone at the end). Here the files known to take longest start first and the rest
 * follow alphabetically: the workers finish at about the same time. VGRAD_TEST_CONCURRENCY=N
 * runs N at a time.
 *
 *   node scripts/run-tests.mjs                 # the whole suite
 *   node scripts/run-tests.mjs flags record    # only dist/test/flags.test.js and record.test.js
 *   node scripts/run-tests.mjs --backend-dependent   # only the files that exercise the backend
 *   node scripts/run-tests.mjs --backend-dependent nativeInstall   # those and nativeInstall
 *
 * --backend-dependent is the second backend's pass in .ci/run (VGRAD_BACKEND=tensorflow after the
 * whole suite on wasm): the files of ON_EVERY_BACKEND, whose subject is what the backend computes
 * or how a process running it behaves. The others test parsing, storage, reports, sweep
 * bookkeeping, theory, the terminal and the docs, which no backend changes; they are listed as
 * not re-run, with that reason. Within those files, a test whose subject is not the backend (which
 * exit code a signal maps to, data.*, a comparison that names its backends with --backend) skips
 * on this pass with that reason (VGRAD_TEST_REPEAT_PASS=1, test/helpers.ts onRepeatPass).
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

/** Longest first, as measured on main (2026-12-06, scripts/test-durations.mjs, wasm). */
const SLOWEST_FIRST = ['sweep', 'quickstart-slurm', 'package', 'flags', 'interopPython', 'cli', 'flagEffects', 'options', 'layout', 'signals', 'bench', 'interop', 'readback', 'theoryMeasured', 'report', 'theoryCli', 'interrupts', 'crossBackend', 'backendChoice', 'record', 'initSyntax', 'overlay', 'nativeInstall', 'terminal', 'verdictsCli', 'divergence', 'theory', 'store', 'verdicts', 'reportSignal', 'signal', 'leaks', 'storedMetrics', 'data'];

/**
 * Files whose subject is what the backend itself computes: probe statistics and the backward pass
 * (probes, signal, histograms), initializer draws, training and every record field (record),
 * non-finite values (divergence), tensors and memory (leaks), what only the native backend does
 * (nativeBackend: threads, its log lines), signals arriving while it computes (interrupts), and
 * crossBackend, which holds every per-layer statistic of each backend to the cpu one within 1e-5
 * (native) and 1e-3 (wasm) at the default net and at depth 20. Every other file runs once, on the
 * first backend: what they check on top of those numbers (each flag's effect on the config, the flag
 * rules, theory against measurement, the PyTorch cross-check, bench) is code that does not depend on
 * the backend, fed numbers that crossBackend shows agree.
 */
const ON_EVERY_BACKEND = [
  'record', 'probes', 'signal', 'histograms', 'divergence', 'leaks', 'initializers', 'crossBackend', 'nativeBackend', 'interrupts',
];

/**
 * Files at a time. Three on two cores: a file waiting on Slurm's scheduler, Chromium, a Python import
 * or a signal test's pause leaves its core idle, and a third file fills it (2 → 3 took the wasm pass
 * from about 226 to 194 s of wall time on 2 cores, 2026-12-06).
 */
const CONCURRENCY = Number(process.env.VGRAD_TEST_CONCURRENCY ?? 3);

const all = readdirSync(TESTS).filter((name) => name.endsWith('.test.js')).map((name) => name.slice(0, -'.test.js'.length)).sort();
const args = process.argv.slice(2);
const backendDependent = args.includes('--backend-dependent');
const wanted = args.filter((arg) => arg !== '--backend-dependent');
for (const name of [...wanted, ...(backendDependent ? ON_EVERY_BACKEND : [])]) {
  if (!all.includes(name)) {
    console.error(`run-tests: no test file dist/test/${name}.test.js (build first: npx tsc -p tsconfig.json)`);
    process.exit(2);
  }
}
// --backend-dependent with names: those files as well (.ci/run adds the one it deferred).
const chosen = backendDependent ? [...new Set([...ON_EVERY_BACKEND, ...wanted])] : wanted.length > 0 ? wanted : all;
if (backendDependent) {
  const once = all.filter((name) => !chosen.includes(name));
  if (once.length > 0) console.error(`run-tests: not re-run on this backend (they do not depend on it; the first pass ran them): ${once.join(', ')}`);
  // Read by test/helpers.ts onRepeatPass: the tests in these files that do not depend on the backend skip.
  process.env.VGRAD_TEST_REPEAT_PASS = '1';
}
const rank = (name) => (SLOWEST_FIRST.includes(name) ? SLOWEST_FIRST.indexOf(name) : SLOWEST_FIRST.length);
const ordered = [...chosen].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

const stream = run({ files: ordered.map((name) => join(TESTS, `${name}.test.js`)), concurrency: CONCURRENCY });
stream.on('test:fail', () => {
  process.exitCode = 1;
});
stream.compose(process.stdout.isTTY ? spec : tap).pipe(process.stdout);
