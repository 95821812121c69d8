/**
 * `vgrad sweep`: many runs of the same code. A grid from flags (comma lists, integer ranges) or an
 * experiment file; each cell is one `vgrad run` (same options, code path and record), stored in
 * ROOT/sweeps/<name>/<cell-id>/; finished cells are skipped on the next run; N worker processes;
 * shards for Slurm arrays and Kubernetes Indexed Jobs; a summary, a table and --check.
 */
import { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../util/errors.js';
import { decimalInteger, readDecimalInteger, readFlag } from '../util/decimal.js';
import { COMMAND_DEFAULTS } from '../config/defaults.js';
import { DEFAULTS } from '../config/runConfig.js';
import type { Axis, Overrides } from '../sweep/grid.js';
import { parseValueList } from '../sweep/grid.js';
import { MAX_CELLS, planSweep, type SweepPlan, type SweepSpec } from '../sweep/plan.js';
import { durationText, sweepSeconds } from '../sweep/estimate.js';
import { addSweepRunOptions, GRID_OPTIONS } from '../sweep/runOptions.js';
import { resolveShard, shareOf, type Shard } from '../sweep/shard.js';
import type { ExpectationOutcome } from '../sweep/expectations.js';
import { FAILED_DIR, SUMMARY_CSV_FILE, SUMMARY_JSONL_FILE, sweepDirOf } from '../store/layout.js';
import { fallbackNotice } from '../backend/notice.js';
import { chalkFor } from './color.js';
import { fixedWidth } from './terminal.js';
import { writeStdout } from './output.js';

interface SweepFlags extends Record<string, string | boolean | undefined> {
  seeds?: string;
  name?: string;
  dryRun?: boolean;
  check?: boolean;
  force?: boolean;
  jobs?: string;
  shard?: string;
  shardCount?: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
  compare?: boolean;
  maxCells?: string;
  allowPaths?: boolean;
}

/** Exit code when an experiment file's expectations did not hold (--check). */
export const EXIT_EXPECTATIONS = 3;
/** A sweep this small also prints the side-by-side compare view at the end. */
const COMPARE_AT_END_MAX_CELLS = 8;

function positiveInt(text: string, flag: string, max = 100_000): number {
  const value = readDecimalInteger(text);
  if (value === undefined || value < 1 || value > max) throw new UsageError(`${flag} must be an integer from 1 to ${max} (got '${text}'); decimal digits only`);
  return value;
}

/** Axes from the run options given on the command line. */
function axesFromFlags(flags: SweepFlags): Axis[] {
  const axes: Axis[] = [];
  for (const option of GRID_OPTIONS) {
    const given = flags[option.key];
    if (given === undefined) continue;
    const values = option.list === 'boolean' ? [true] : parseValueList(String(given), option.list, option.flag);
    if (option.list === 'single' && values.length > 1) throw new UsageError(`${option.flag} takes one value for the whole sweep (got '${given}')`);
    axes.push({ key: option.key, values });
  }
  if (flags.seeds !== undefined) {
    if (axes.some((axis) => axis.key === 'seed')) throw new UsageError('--seeds N and --seed cannot both be given; --seeds 3 means --seed 1,2,3');
    const count = positiveInt(flags.seeds, '--seeds', 1000);
    axes.push({ key: 'seed', values: Array.from({ length: count }, (_, i) => String(i + 1)) });
  }
  return axes;
}

/** Command-line run options replace the file's values for the same option. */
function overrideSpec(spec: SweepSpec, cliAxes: Axis[]): SweepSpec {
  if (cliAxes.length === 0) return spec;
  const keys = new Set(cliAxes.map((axis) => axis.key));
  const fixed: Overrides = Object.fromEntries(Object.entries(spec.fixed).filter(([key]) => !keys.has(key)));
  const extraAxes = cliAxes.filter((axis) => axis.values.length > 1);
  for (const axis of cliAxes) if (axis.values.length === 1) fixed[axis.key] = axis.values[0];
  const groups = spec.groups.map((axes) => [...axes.filter((axis) => !keys.has(axis.key)), ...extraAxes]);
  return { ...spec, fixed, groups };
}

function flagSpec(flags: SweepFlags): SweepSpec {
  return {
    name: flags.name,
    description: undefined,
    groups: [axesFromFlags(flags)],
    fixed: {},
    expectations: [],
    source: 'flags',
    // The run parser's messages start with the flag already.
    fieldName: () => '',
  };
}

async function buildPlan(file: string | undefined, flags: SweepFlags): Promise<SweepPlan> {
  let spec: SweepSpec;
  if (file !== undefined) {
    const { loadExperimentFile } = await import('../sweep/experimentFile.js');
    const cliAxes = axesFromFlags(flags);
    const commandLine = new Set<string>(cliAxes.map((axis) => axis.key));
    spec = overrideSpec(loadExperimentFile(file, { root: flags.out ?? DEFAULTS.out, allowPaths: Boolean(flags.allowPaths), commandLine }), cliAxes);
    if (flags.name !== undefined) spec = { ...spec, name: flags.name };
  } else {
    spec = flagSpec(flags);
  }
  const maxCells = flags.maxCells === undefined ? MAX_CELLS : readFlag('--max-cells', decimalInteger(1), flags.maxCells);
  const plan = await planSweep(spec, flags.out ?? DEFAULTS.out, { maxCells });
  const { checkExpectationsMatch } = await import('../sweep/runSweep.js');
  checkExpectationsMatch(plan);
  return plan;
}

export function sweepCommand(): Command {
  const command = new Command('sweep')
    .description('run a grid of experiments (from flags or an experiment file), resumable, in parallel, shardable')
    .argument('[file]', 'experiment file (.yaml, .yml or .json), e.g. experiments/quickstart.yaml');
  addSweepRunOptions(command);
  command
    .option('--seeds <n>', 'add seeds 1..N as an axis (same as --seed 1,2,…,N)')
    .option('--name <name>', 'sweep name, the folder under OUT/sweeps (default: the file name, or derived from the grid)')
    .option('--jobs <n>', 'worker processes (default: the number of cores)')
    .option('--force', 'redo cells that are already finished')
    .option('--dry-run', 'list the cells, their count and an estimated time; run and write nothing')
    .option('--allow-paths', "let the experiment file name absolute paths and paths outside its folder and the results root (init-from, tensorboard, data idx:DIR)")
    .option('--max-cells <n>', `refuse a grid of more cells than this, before expanding it (default ${MAX_CELLS})`)
    .option('--check', "verify the experiment file's expectations against the results (exit 3 if one does not hold)")
    .option('--shard <i/n>', 'run only share i of n (0 ≤ i < n); default from SLURM_ARRAY_TASK_ID/COUNT')
    .option('--shard-count <n>', 'shares in a Kubernetes Indexed Job (the index comes from JOB_COMPLETION_INDEX)')
    .option('--json', 'print only the summary rows, as JSON lines, on stdout')
    .option('--quiet', 'no progress on stderr')
    .addHelpText(
      'after',
      [
        '',
        'Lists: --depth 2,5,10 · ranges: --depth 2..30:4 (2, 6, …, 30) · --init he,xavier · --layers 300,100/500,300',
        '',
        'Examples:',
        '  $ vgrad sweep experiments/quickstart.yaml',
        '  $ vgrad sweep --depth 2,5,10,20 --act sigmoid,tanh,relu --init normal1,xavier,he --seeds 3',
        '  $ vgrad sweep experiments/he-2015-depth30.yaml --check',
        '  $ vgrad sweep experiments/book-chapter.yaml --shard 0/4 --out shard-0',
      ].join('\n'),
    )
    .action(async (file: string | undefined, flags: SweepFlags) => {
      process.exitCode = await runSweep(file, flags);
    });
  return command;
}

async function runSweep(file: string | undefined, flags: SweepFlags): Promise<number> {
  const root = flags.out ?? DEFAULTS.out;
  const jobs = flags.jobs === undefined ? availableParallelism() : positiveInt(flags.jobs, '--jobs', 256);
  const shard: Shard | undefined = resolveShard(flags.shard, flags.shardCount, process.env);
  if (flags.check && file === undefined) throw new UsageError('--check verifies an experiment file\'s expectations; give the file');
  const plan = await buildPlan(file, flags);
  const share = shareOf(plan.cells, shard);

  const { cellStates, executeSweep, prepareSweep } = await import('../sweep/runSweep.js');
  const err = process.stderr;
  const color = chalkFor(err);
  const shardText = shard ? ` · shard ${shard.index}/${shard.count} (${shard.from}): ${share.length} cells` : '';

  if (flags.dryRun) {
    const dir = sweepDirOf(root, plan.name);
    const states = cellStates(dir, share, Boolean(flags.force));
    for (const { cell, state } of states) {
      const given = Object.entries(cell.overrides).map(([k, v]) => `${k}=${v}`).join(' ');
      writeStdout(flags.json ? `${JSON.stringify({ cell: cell.id, state, overrides: cell.overrides })}\n` : `${cell.id}  ${state}  ${given}\n`);
    }
    const toRun = states.filter(({ state }) => state !== 'done').map(({ cell }) => cell.config);
    if (!flags.json) writeStdout(`${plan.cells.length} cells in sweep ${plan.name}${shardText} → ${dir}\n`);
    // A message, as at the start of a sweep: stdout keeps the cells and their count.
    if (!flags.quiet) process.stderr.write(`${estimateText(toRun, jobs)}\n`);
    return 0;
  }

  const prepared = prepareSweep(plan, share, root, Boolean(flags.force));
  const { dir, todo } = prepared;
  if (!flags.quiet) {
    err.write(
      `${color.bold('vgrad sweep')} ${plan.name} · ${plan.cells.length} cells${shardText} · ${prepared.done} already done · ${todo.length} to run on ${Math.min(jobs, Math.max(1, todo.length))} workers → ${dir}\n`,
    );
    // The workers select the backend; the parent says once for all of them what auto will give.
    const notice = todo.some((cell) => cell.config.backend === 'auto') ? fallbackNotice('auto') : undefined;
    if (notice !== undefined) err.write(`${notice}\n`);
    if (todo.length > 0) err.write(`${estimateText(todo.map((cell) => cell.config), jobs)}\n`);
  }

  const { Interrupts } = await import('./interrupts.js');
  const { SweepProgress } = await import('./sweepProgress.js');
  const progress = flags.quiet ? undefined : new SweepProgress(err, color, todo.length, jobs);
  const stop = new Interrupts({ onSignal: () => progress?.stop() }).install();
  progress?.start();
  let result;
  try {
    result = await executeSweep(prepared, {
      jobs,
      signal: stop.signal,
      events: {
        onCellStart: (w, cell) => progress?.cellStart(w, cell),
        onCellSteps: (w, cell, steps) => progress?.cellSteps(w, cell, steps),
        onCellProgress: (w, cell, step, loss) => progress?.cellProgress(w, cell, step, loss),
        onCellEnd: (_w, cell, outcome, verdict) => progress?.cellEnd(cell, outcome, verdict),
      },
    });
  } finally {
    progress?.stop();
    stop.uninstall();
  }
  const { outcomes, rows } = result;

  const failures = outcomes.filter((o) => o.kind === 'failed');
  const busy = outcomes.filter((o) => o.kind === 'busy');
  if (stop.received) {
    const kept = outcomes.filter((o) => o.kind === 'ok' || o.kind === 'diverged').length;
    err.write(`vgrad: sweep stopped by ${stop.received}; ${kept} cells finished in this run are kept, unfinished cells were removed; run the same command again to resume\n`);
    return stop.exitCode ?? 1;
  }

  if (flags.json) {
    const { toJsonLines } = await import('../sweep/summary.js');
    writeStdout(toJsonLines(rows));
  } else {
    const { renderSweepTable } = await import('../report/sweepTable.js');
    const outColor = chalkFor(process.stdout);
    if (plan.description) writeStdout(`${outColor.bold(plan.name)}: ${plan.description}\n`);
    writeStdout(renderSweepTable(rows, plan.axes, outColor));
    const finished = rows.filter((r) => r.status !== 'failed');
    if (finished.length > 1 && finished.length <= COMPARE_AT_END_MAX_CELLS) {
      const { compareColumnsFromSweep } = await import('../report/compareColumns.js');
      const { renderCompare } = await import('../report/compareTable.js');
      writeStdout('\n');
      const { stat, at } = COMMAND_DEFAULTS.compare;
      writeStdout(renderCompare(compareColumnsFromSweep(dir, finished.map((r) => r.cell)), stat, at === 'init' ? 'initial' : 'final', terminalWidth(), outColor));
    }
  }
  if (!flags.quiet) err.write(`summary: ${join(dir, SUMMARY_CSV_FILE)}, ${join(dir, SUMMARY_JSONL_FILE)}${progress ? ` · ${progress.elapsed()}` : ''}\n`);
  if (busy.length > 0) err.write(`vgrad: ${busy.length} cells are being written by another live process and were left to it: ${busy.map((b) => b.id).join(', ')}\n`);

  let code = 0;
  if (failures.length > 0) {
    err.write(`vgrad: ${failures.length} of ${todo.length} cells failed (their records are in ${join(dir, FAILED_DIR)}/; a re-run retries them):\n`);
    for (const failure of failures) err.write(`  ${failure.id}: ${failure.error}\n`);
    code = 1;
  }
  if (flags.check) {
    const { checkExpectations } = await import('../sweep/runSweep.js');
    const { cellLayersIn } = await import('../sweep/cellLayers.js');
    const held = printChecks(plan, checkExpectations(plan, rows, cellLayersIn(dir)), shard);
    if (!held && code === 0) code = EXIT_EXPECTATIONS;
  }
  return code;
}

/** "estimated time: about 12 min for 30 cells on 2 workers (…)": the rough model of sweep/estimate.ts. */
function estimateText(configs: SweepPlan['cells'][number]['config'][], jobs: number): string {
  if (configs.length === 0) return 'estimated time: nothing to run';
  const workers = Math.min(jobs, configs.length);
  return `estimated time: about ${durationText(sweepSeconds(configs, workers))} for ${configs.length} cell${configs.length === 1 ? '' : 's'} on ${workers} worker${workers === 1 ? '' : 's'} (a rough model of the wasm backend; a loaded machine is slower)`;
}

function terminalWidth(): number {
  return fixedWidth(process.stdout);
}

/** Prints each expectation's outcome (--check); true when all held. */
function printChecks(plan: SweepPlan, outcomes: ExpectationOutcome[], shard: Shard | undefined): boolean {
  const err = process.stderr;
  const color = chalkFor(err);
  if (plan.expectations.length === 0) {
    err.write(`vgrad: --check: ${plan.source} states no expectations\n`);
    return true;
  }
  let allHeld = true;
  for (const outcome of outcomes) {
    allHeld &&= outcome.held;
    err.write(`${outcome.held ? color.green('held') : color.red.bold('NOT HELD')}  ${outcome.expectation.says} (${outcome.cells} cells)\n`);
    for (const problem of outcome.problems) err.write(`        ${problem}\n`);
  }
  if (shard) err.write(`(checked on this shard's cells only; merge the shards and run --check on the merged sweep for the whole grid)\n`);
  err.write(allHeld ? `all ${plan.expectations.length} expectations held\n` : 'some expectations did not hold\n');
  return allHeld;
}
