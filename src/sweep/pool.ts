/**
 * Runs a sweep's cells on N worker processes. A cell that throws or whose worker dies (a crash,
 * as opposed to a divergence, which is a result) is recorded as failed and the others go on; a
 * dead worker is replaced while cells remain. On abort (Ctrl-C, SIGTERM) no new cell starts, the
 * workers abort the cells in flight and exit, and runCells resolves once all of them have.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { PlannedCell } from './plan.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { CELL_SCHEMA, cellConfigOf, type CellConfig } from '../store/record.js';
import { clearFailure, recordFailure } from './sweepFolder.js';

export type CellOutcomeKind = 'ok' | 'diverged' | 'failed' | 'done' | 'busy' | 'interrupted';

export interface CellOutcome {
  id: string;
  kind: CellOutcomeKind;
  error?: string;
  ms: number;
}

export interface PoolEvents {
  onCellStart?(worker: number, cell: PlannedCell): void;
  onCellSteps?(worker: number, cell: PlannedCell, steps: number): void;
  onCellProgress?(worker: number, cell: PlannedCell, step: number, loss: number): void;
  onCellEnd?(worker: number, cell: PlannedCell, outcome: CellOutcome): void;
}

export interface PoolOptions {
  sweepDir: string;
  jobs: number;
  force: boolean;
  signal: AbortSignal;
  events: PoolEvents;
}

const WORKER_ENTRY = new URL('./worker.js', import.meta.url);
/** After 'stop', a worker that has not exited by then is killed. */
const STOP_GRACE_MS = 15_000;
const STDERR_TAIL = 2000;
/** Workers that die before taking a cell, in a row, before the sweep stops replacing them. */
const MAX_START_FAILURES = 3;

interface Slot {
  index: number;
  child: ChildProcess;
  cell?: PlannedCell;
  started: number;
  ready: boolean;
  stderr: string;
  exited: Promise<void>;
}

export function runCells(cells: PlannedCell[], options: PoolOptions): Promise<CellOutcome[]> {
  const queue = [...cells];
  const outcomes: CellOutcome[] = [];
  const slots = new Set<Slot>();
  const { sweepDir, events, signal } = options;

  return new Promise((resolve) => {
    let finishing = false;
    let startFailures = 0;
    const maybeResolve = () => {
      if (slots.size === 0 && (queue.length === 0 || signal.aborted) && !finishing) {
        finishing = true;
        signal.removeEventListener('abort', onAbort);
        resolve(outcomes);
      }
    };

    const end = (slot: Slot, kind: CellOutcomeKind, error?: string) => {
      const cell = slot.cell;
      if (!cell) return;
      slot.cell = undefined;
      const outcome: CellOutcome = { id: cell.id, kind, error, ms: performance.now() - slot.started };
      if (kind === 'failed') recordFailure(sweepDir, cell.id, error ?? 'failed');
      if (kind === 'ok' || kind === 'diverged' || kind === 'done') clearFailure(sweepDir, cell.id);
      outcomes.push(outcome);
      events.onCellEnd?.(slot.index, cell, outcome);
    };

    const dispatch = (slot: Slot) => {
      const cell = signal.aborted ? undefined : queue.shift();
      if (!cell) {
        const stopMessage: ToWorker = { type: 'stop' };
        if (slot.child.connected) slot.child.send(stopMessage);
        return;
      }
      slot.cell = cell;
      slot.started = performance.now();
      events.onCellStart?.(slot.index, cell);
      const config: CellConfig = cellConfigOf(cell.config);
      const message: ToWorker = {
        type: 'run',
        sweepDir,
        cell: { schema: CELL_SCHEMA, id: cell.id, overrides: cell.overrides, config },
        config: cell.config,
        force: options.force,
      };
      slot.child.send(message);
    };

    const spawn = (index: number) => {
      const child = fork(WORKER_ENTRY, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
      let resolveExit!: () => void;
      const slot: Slot = { index, child, started: performance.now(), ready: false, stderr: '', exited: new Promise((r) => (resolveExit = r)) };
      slots.add(slot);
      child.stderr!.on('data', (chunk: Buffer) => (slot.stderr = (slot.stderr + chunk.toString()).slice(-STDERR_TAIL)));
      child.on('message', (message: FromWorker) => {
        const cell = slot.cell;
        switch (message.type) {
          case 'ready':
            slot.ready = true;
            startFailures = 0;
            return dispatch(slot);
          case 'started':
            if (cell) events.onCellSteps?.(slot.index, cell, message.steps);
            return;
          case 'progress':
            if (cell) events.onCellProgress?.(slot.index, cell, message.step, message.loss);
            return;
          case 'finished':
            end(slot, message.outcome);
            return dispatch(slot);
          case 'failed':
            end(slot, 'failed', message.error);
            return; // the worker exits; a fresh one takes over
          case 'interrupted':
            end(slot, 'interrupted');
            return;
        }
      });
      child.on('exit', (code, exitSignal) => {
        slots.delete(slot);
        if (slot.cell) {
          if (signal.aborted) end(slot, 'interrupted');
          else {
            const last = slot.stderr.trim().split('\n').filter(Boolean).pop();
            end(slot, 'failed', `worker process ${exitSignal ? `killed by ${exitSignal}` : `exited with code ${code}`}${last ? `: ${last}` : ''}`);
          }
        }
        resolveExit();
        if (!slot.ready && !signal.aborted && ++startFailures >= MAX_START_FAILURES) {
          // A worker that cannot even start (a broken install) would be replaced forever: fail what is left.
          const last = slot.stderr.trim().split('\n').filter(Boolean).pop() ?? `exit code ${code ?? exitSignal}`;
          for (const cell of queue.splice(0)) {
            slot.cell = cell;
            end(slot, 'failed', `no worker process could start: ${last}`);
          }
        }
        if (!signal.aborted && queue.length > 0) spawn(index);
        maybeResolve();
      });
      child.on('error', () => {
        // 'exit' follows and handles the cell
      });
    };

    const onAbort = () => {
      for (const slot of slots) {
        if (slot.child.connected) slot.child.send({ type: 'stop' } satisfies ToWorker);
        const timer = setTimeout(() => slot.child.kill('SIGKILL'), STOP_GRACE_MS);
        void slot.exited.then(() => clearTimeout(timer));
      }
      maybeResolve();
    };
    signal.addEventListener('abort', onAbort);

    const jobs = Math.max(1, Math.min(options.jobs, queue.length));
    if (queue.length === 0) return maybeResolve();
    for (let i = 0; i < jobs; i++) spawn(i);
  });
}
