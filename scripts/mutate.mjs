#!/usr/bin/env node
/**
 * `npm run mutate`: StrykerJS on src/, one folder at a time or all of it, with a score per folder.
 *
 *   npm run mutate                        # every folder of src/ (hours on 2 cores)
 *   npm run mutate -- --folder probes     # one folder (minutes for the small ones)
 *   node scripts/mutate.mjs probes theory # the same, several folders
 *   node scripts/mutate.mjs --scores      # only print the scores of the last reports
 *
 * Each folder gets its own report (reports/mutation/<folder>.json and .html) and incremental file
 * (reports/mutation/<folder>.incremental.json, with `-- --incremental`: a re-run then mutates only
 * what changed in src/; Stryker's command runner does not see test changes, so not after a test
 * changed). The
 * per-mutant test command is scripts/mutate-tests.mjs (which tests cover which file). The score is
 * Stryker's: (killed + timeout) / (killed + timeout + survived + no coverage). Extra arguments after
 * `--` go to stryker (e.g. --concurrency 1 on a shared machine).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPORTS = join(ROOT, 'reports', 'mutation');
const FOLDERS = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

const args = process.argv.slice(2);
const scoresOnly = args.includes('--scores');
const folders = [];
const passThrough = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--scores') continue;
  if (args[i] === '--folder') folders.push(...String(args[++i] ?? '').split(',').filter(Boolean));
  else if (!args[i].startsWith('-') && passThrough.length === 0) folders.push(...args[i].split(',').filter(Boolean));
  else passThrough.push(args[i]);
}
for (const folder of folders) {
  if (!FOLDERS.includes(folder)) {
    console.error(`mutate: no folder src/${folder}; folders: ${FOLDERS.join(', ')}`);
    process.exit(2);
  }
}
const chosen = folders.length > 0 ? folders : FOLDERS;

/** Stryker's score of one JSON report: per file and for the whole. */
function scoreOf(reportPath) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  const total = { killed: 0, survived: 0, noCoverage: 0, timeout: 0, other: 0 };
  for (const file of Object.values(report.files)) {
    for (const mutant of file.mutants) {
      if (mutant.status === 'Killed') total.killed++;
      else if (mutant.status === 'Timeout') total.timeout++;
      else if (mutant.status === 'Survived') total.survived++;
      else if (mutant.status === 'NoCoverage') total.noCoverage++;
      else total.other++;
    }
  }
  const detected = total.killed + total.timeout;
  const valid = detected + total.survived + total.noCoverage;
  return { ...total, score: valid === 0 ? null : (100 * detected) / valid };
}

function printScores() {
  console.log('folder      score   killed  timeout  survived  no cov  (invalid/ignored)');
  for (const folder of FOLDERS) {
    const path = join(REPORTS, `${folder}.json`);
    if (!existsSync(path)) {
      console.log(`${folder.padEnd(10)}  not measured`);
      continue;
    }
    const s = scoreOf(path);
    console.log(`${folder.padEnd(10)}  ${s.score === null ? '  –  ' : `${s.score.toFixed(1)}%`.padStart(6)}  ${String(s.killed).padStart(6)}  ${String(s.timeout).padStart(7)}  ${String(s.survived).padStart(8)}  ${String(s.noCoverage).padStart(6)}  (${s.other})`);
  }
}

if (scoresOnly) {
  printScores();
  process.exit(0);
}

mkdirSync(REPORTS, { recursive: true });
const base = JSON.parse(readFileSync(join(ROOT, 'stryker.config.json'), 'utf8'));
let failed = false;
for (const folder of chosen) {
  const config = {
    ...base,
    mutate: [`src/${folder}/**/*.ts`],
    // Opt-in (`-- --incremental`): with the command runner Stryker sees one "test", so a changed test
    // file does not invalidate stored results; use it only when no test changed since the last run.
    incrementalFile: `reports/mutation/${folder}.incremental.json`,
    htmlReporter: { fileName: `reports/mutation/${folder}.html` },
    jsonReporter: { fileName: `reports/mutation/${folder}.json` },
  };
  delete config.$schema;
  // Stryker reads its config from a file; this one lives beside stryker.config.json for the run.
  const configPath = join(ROOT, `.stryker-${folder}.config.json`);
  writeFileSync(`${configPath}.tmp`, `${JSON.stringify(config, null, 2)}\n`);
  renameSync(`${configPath}.tmp`, configPath);
  console.error(`mutate: src/${folder}/ → reports/mutation/${folder}.json`);
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js'), 'run', configPath, ...passThrough], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, VGRAD_MUTATE_FOLDERS: folder },
  });
  rmSync(configPath, { force: true });
  if (result.status !== 0) {
    console.error(`mutate: stryker on src/${folder}/ ended with ${result.status ?? result.signal}`);
    failed = true;
  }
}
printScores();
process.exit(failed ? 1 : 0);
