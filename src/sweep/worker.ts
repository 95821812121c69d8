/**
 * A sweep worker: a long-lived child process that runs the cells the coordinator sends it, one at
 * a time, through runExperiment (the same code path and record as `vgrad run`). TensorFlow.js is
 * loaded once per worker, not once per cell.
 *
 * It stops cleanly on 'stop', on SIGINT/SIGTERM/SIGHUP and when the coordinator goes away (its IPC
 * channel closes, e.g. after kill -9): the cell in flight is aborted and its partial folder removed.
 *
 * Test hook (documented in CONTRIBUTING.md): when VGRAD_SWEEP_TEST_CRASH is set, a worker kills itself
 * with SIGKILL on starting a cell whose id contains that text, so tests can check that a crashing
 * cell is isolated.
 */
import { isUsageError } from '../util/errors.js';
import { join } from 'node:path';
import { runExperiment } from '../run/experiment.js';
import { InterruptedError } from '../util/abort.js';
import { claimCell } from '../store/cellStore.js';
import type { FromWorker, ToWorker } from './protocol.js';

const PROGRESS_INTERVAL_MS = 250;
const abort = new AbortController();
let busy = false;

function send(message: FromWorker): void {
  if (process.connected) process.send!(message);
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? (isUsageError(error) ? error.message : `${error.name}: ${error.message}`) : String(error);
  return text.split('\n')[0];
}

async function runCell(message: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const { cell, config } = message;
  const crashOn = process.env.VGRAD_SWEEP_TEST_CRASH;
  if (crashOn && cell.id.includes(crashOn)) process.kill(process.pid, 'SIGKILL');
  const claim = claimCell(message.sweepDir, cell, message.force);
  if (claim.kind !== 'claimed') {
    send({ type: 'finished', id: cell.id, outcome: claim.kind });
    return;
  }
  let lastProgress = 0;
  try {
    const result = await runExperiment(config, {
      signal: abort.signal,
      openStore: () => claim.store,
      onStart: (info) => send({ type: 'started', id: cell.id, steps: info.steps }),
      onStep: (step, loss) => {
        const now = performance.now();
        if (now - lastProgress < PROGRESS_INTERVAL_MS) return;
        lastProgress = now;
        send({ type: 'progress', id: cell.id, step, loss });
      },
    });
    if (config.tensorboard !== null) {
      // One sub-folder per cell, named by its id, so TensorBoard's run selector shows the grid.
      const { writeRunEvents } = await import('../interop/tensorboardExport.js');
      writeRunEvents(join(config.tensorboard, cell.id), result.record, result.points);
    }
    send({ type: 'finished', id: cell.id, outcome: result.record.status === 'diverged' ? 'diverged' : 'ok' });
  } catch (error) {
    claim.store.abandon();
    if (error instanceof InterruptedError || abort.signal.aborted) {
      send({ type: 'interrupted', id: cell.id });
    } else {
      send({ type: 'failed', id: cell.id, error: oneLine(error) });
      // A fresh process for the next cell: nothing of a failed run's state carries over.
      exit(1);
    }
  }
}

function exit(code: number): void {
  if (process.connected) process.disconnect();
  process.exit(code);
}

function stop(): void {
  abort.abort();
  if (!busy) exit(0);
}

process.on('message', (message: ToWorker) => {
  if (message.type === 'stop') return stop();
  if (message.type !== 'run' || busy || abort.signal.aborted) return;
  busy = true;
  void runCell(message).finally(() => {
    busy = false;
    if (abort.signal.aborted) exit(0);
  });
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
process.on('disconnect', stop);
send({ type: 'ready' });
