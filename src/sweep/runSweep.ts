/**
 * A sweep from its plan to its summary: the sweep folder is made ready (leftovers of killed
 * processes removed, the plan written), the unfinished cells of this shard run on the worker pool,
 * and the summary rows are rebuilt from what is stored. `vgrad sweep` (cli/sweep.ts) parses the
 * flags into a plan and prints; everything that touches the folder is here.
 */
import { join } from 'node:path';
import { UsageError } from '../util/errors.js';
import { removeSweepLeftovers } from '../store/cellStore.js';
import { isRunFolder, sweepDirOf } from '../store/layout.js';
import { readCell } from '../store/read.js';
import type { CellConfig } from '../store/record.js';
import { ensureFolder } from '../store/runStore.js';
import { type CellLayers, checkExpectation, matches, type ExpectationOutcome } from './expectations.js';
import type { PlannedCell, SweepPlan } from './plan.js';
import { type CellOutcome, type PoolEvents, runCells } from './pool.js';
import { collectRows, writeSummaries } from './results.js';
import type { SummaryRow } from './summary.js';
import { manifestOf, writeManifest } from './sweepFolder.js';
import { verdictOf } from './verdict.js';

/** Refuses an experiment file whose expectation selects no cell of the grid (a typo in `where`). */
export function checkExpectationsMatch(plan: SweepPlan): void {
  plan.expectations.forEach((expectation, i) => {
    if (!plan.cells.some((cell) => matches(cell.config, expectation.where))) {
      throw new UsageError(`${plan.source}: expect[${i}].where matches no cell of the grid`);
    }
  });
}

export type CellState = 'done' | 'redo' | 'todo';

/** What a run of the share would do with each cell (--dry-run): nothing is written. */
export function cellStates(sweepDir: string, share: PlannedCell[], force: boolean): { cell: PlannedCell; state: CellState }[] {
  return share.map((cell) => ({ cell, state: isRunFolder(join(sweepDir, cell.id)) ? (force ? 'redo' : 'done') : 'todo' }));
}

export interface PreparedSweep {
  plan: SweepPlan;
  dir: string;
  /** The cells of the share that will run: unfinished ones, or all with force. */
  todo: PlannedCell[];
  /** Cells of the share already finished (and kept). */
  done: number;
  force: boolean;
}

/** The sweep's folder under `root`, created, cleared of dead leftovers, with the plan written into it. */
export function prepareSweep(plan: SweepPlan, share: PlannedCell[], root: string, force: boolean): PreparedSweep {
  const dir = sweepDirOf(root, plan.name);
  ensureFolder(dir, '--out');
  removeSweepLeftovers(dir);
  writeManifest(dir, manifestOf(plan));
  const todo = share.filter((cell) => force || !isRunFolder(join(dir, cell.id)));
  return { plan, dir, todo, done: share.length - todo.length, force };
}

export interface SweepEvents extends Omit<PoolEvents, 'onCellEnd'> {
  /** A cell ended; `verdict` is its stored record's verdict when it finished (ok or diverged). */
  onCellEnd?(worker: number, cell: PlannedCell, outcome: CellOutcome, verdict: string | null): void;
}

export interface SweepResult {
  outcomes: CellOutcome[];
  /** Plan order: every cell with a record or a failure. */
  rows: SummaryRow[];
}

/** Runs the prepared cells on `jobs` workers until done or `signal` aborts, then writes the summary from the stored cells. */
export async function executeSweep(prepared: PreparedSweep, options: { jobs: number; signal: AbortSignal; events: SweepEvents }): Promise<SweepResult> {
  const { dir, plan, todo } = prepared;
  const { onCellEnd, ...poolEvents } = options.events;
  const outcomes = await runCells(todo, {
    sweepDir: dir,
    jobs: options.jobs,
    force: prepared.force,
    signal: options.signal,
    events: {
      ...poolEvents,
      onCellEnd: (worker, cell, outcome) => {
        let verdict: string | null = null;
        if (outcome.kind === 'ok' || outcome.kind === 'diverged') {
          try {
            verdict = verdictOf(readCell(dir, cell.id).record);
          } catch {
            verdict = null;
          }
        }
        onCellEnd?.(worker, cell, outcome, verdict);
      },
    },
  });
  const configs = new Map<string, CellConfig>(plan.cells.map((cell) => [cell.id, (({ out: _o, ...rest }) => rest)(cell.config)]));
  const rows = collectRows(dir, manifestOf(plan), configs);
  writeSummaries(dir, rows);
  return { outcomes, rows };
}

/** Each expectation of the plan against the rows (--check). */
export function checkExpectations(plan: SweepPlan, rows: SummaryRow[], cellLayers?: CellLayers): ExpectationOutcome[] {
  return plan.expectations.map((expectation) => checkExpectation(expectation, rows, cellLayers));
}
