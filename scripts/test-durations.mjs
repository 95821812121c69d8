/**
 * A node:test reporter that prints, after the suite, each test file's summed top-level durations
 * and its slowest tests: where the suite's time goes.
 *
 *   node --test --test-concurrency=2 --test-reporter=./scripts/test-durations.mjs dist/test/
 *
 * Wall times on a shared machine are noisy; compare files within one run, not across runs.
 */
import { basename } from 'node:path';

export default async function* durations(source) {
  const files = new Map();
  const tests = [];
  let failed = 0;
  for await (const { type, data } of source) {
    if (type === 'test:fail') failed++;
    if (type !== 'test:pass' && type !== 'test:fail') continue;
    const file = data.file ? basename(data.file) : '?';
    const ms = data.details?.duration_ms ?? 0;
    if (data.nesting === 0) files.set(file, (files.get(file) ?? 0) + ms);
    if (data.details?.type !== 'suite') tests.push([ms, file, data.name]);
    if (type === 'test:fail') yield `FAIL ${file}: ${data.name}\n`;
  }
  const total = [...files.values()].reduce((a, b) => a + b, 0);
  yield `\nper file (sum of top-level durations, s), total ${(total / 1000).toFixed(1)} s, ${failed} failing:\n`;
  for (const [file, ms] of [...files].sort((a, b) => b[1] - a[1])) yield `${(ms / 1000).toFixed(1).padStart(7)}  ${file}\n`;
  yield '\nslowest tests (s):\n';
  for (const [ms, file, name] of tests.sort((a, b) => b[0] - a[0]).slice(0, 40)) yield `${(ms / 1000).toFixed(1).padStart(7)}  ${file}  ${name.slice(0, 110)}\n`;
}
