/** Messages between the sweep coordinator and its worker processes (child_process IPC). */
import type { RunConfig } from '../config/runConfig.js';
import type { CellFile } from '../store/record.js';

export type ToWorker =
  | { type: 'run'; sweepDir: string; cell: CellFile; config: RunConfig; force: boolean }
  /** Finish nothing more: abort the cell in flight (its partial folder is removed) and exit. */
  | { type: 'stop' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'started'; id: string; steps: number }
  | { type: 'progress'; id: string; step: number; loss: number }
  /** ok/diverged: the record is stored; done: another process had already stored it; busy: another live process is writing it. */
  | { type: 'finished'; id: string; outcome: 'ok' | 'diverged' | 'done' | 'busy' }
  | { type: 'failed'; id: string; error: string }
  | { type: 'interrupted'; id: string };
