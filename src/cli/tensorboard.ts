/** `vgrad tensorboard DIR|RUN…`: TensorBoard event files for stored runs, one folder per run under --logdir. */
import { Command } from 'commander';
import { basename } from 'node:path';
import { join } from 'node:path';
import { locateRuns } from '../store/layout.js';
import { writeRunEvents } from '../interop/tensorboardExport.js';
import { hasEventFile } from '../interop/tensorboardEvents.js';
import { UsageError } from '../util/errors.js';
import { readStoredRun } from '../store/read.js';
import { COMMAND_DEFAULTS } from '../config/defaults.js';
import { DEFAULTS } from '../config/runConfig.js';
import { ensureWritableFolder } from './folders.js';

export function tensorboardCommand(): Command {
  return new Command('tensorboard')
    .description('export stored runs as TensorBoard event files (one folder per run under --logdir)')
    .argument('<runs...>', 'folders of runs (e.g. results, a sweep), run folders, or run ids')
    .option('--logdir <dir>', 'where the event folders go; then: tensorboard --logdir DIR', COMMAND_DEFAULTS.tensorboard.logdir)
    .option('--out <dir>', 'root folder of stored runs, for bare run ids', DEFAULTS.out)
    .addHelpText('after', '\nExample:\n  $ vgrad tensorboard results --logdir tb && tensorboard --logdir tb')
    .action((runs: string[], flags: { logdir: string; out: string }) => {
      // All runs are read (and checked) before anything is written.
      const stored = locateRuns(runs, flags.out).map(readStoredRun);
      ensureWritableFolder(flags.logdir, '--logdir');
      // The run folder's name: the run id, or a sweep cell's name.
      const folders = stored.map(({ runDir }) => join(flags.logdir, basename(runDir)));
      const taken = folders.find(hasEventFile);
      if (taken) throw new UsageError(`--logdir: ${taken} already holds an event file; remove it or give another --logdir`);
      for (const [i, { record, points }] of stored.entries()) {
        const path = writeRunEvents(folders[i], record, points);
        process.stderr.write(`${path}\n`);
      }
    });
}
