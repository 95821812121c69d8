/** `vgrad show RUN`: the per-layer table of a stored run, read from its summary.json. */
import { Command } from 'commander';
import { UsageError } from '../util/errors.js';
import { toJson } from '../store/record.js';
import { DEFAULTS } from '../config/runConfig.js';
import { isDirectory, isRunFolder, locateRun, METRICS_FILE } from '../store/layout.js';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StoredEntry } from '../report/storedList.js';
import { readRunRecord } from '../store/read.js';
import { renderFittedReport } from '../report/layerTable.js';
import { prepareTheoryOverlay } from '../report/theoryOverlay.js';
import { pacer } from '../util/abort.js';
import { chalkFor } from './color.js';
import { writeStdout } from './output.js';
import { outputWidth } from './terminal.js';

export function showCommand(): Command {
  return new Command('show')
    .description('print the per-layer table of a stored run')
    .argument('<run>', 'a run id (looked up under --out), a run folder, or its summary.json')
    .option('--out <dir>', 'root folder of stored runs, for a bare run id', DEFAULTS.out)
    .option('--json', 'print the stored record as JSON')
    .option('--csv', 'print every probe point\'s per-layer statistics as CSV (as vgrad export csv)')
    .option('--wide', 'print every table column even if wider than the terminal')
    .option('--raw-csv', "with --csv: write text cells as stored, no ' before a leading =, +, -, @, tab or CR")
    .addHelpText('after', '\nExamples:\n  $ vgrad show 20261129-161144-relu-he-d2-s42\n  $ vgrad show results/runs/20261129-161144-relu-he-d2-s42/summary.json --json')
    .action(async (run: string, flags: { json?: boolean; csv?: boolean; out: string; wide?: boolean; rawCsv?: boolean }) => {
      if (flags.csv) {
        if (flags.json) throw new UsageError('--csv and --json cannot both be given; pick one');
        const { csvForRuns } = await import('./export.js');
        const summary = locateRun(run, flags.out);
        // Only the header would print: say why instead.
        if (!existsSync(join(dirname(summary), METRICS_FILE))) throw new UsageError(`${dirname(summary)}: no ${METRICS_FILE}, so no probe points to print as CSV; vgrad show without --csv prints the record`);
        writeStdout(csvForRuns([summary], flags.out, { raw: flags.rawCsv }));
        return;
      }
      if (isDirectory(run) && !isRunFolder(run)) {
        // A folder of runs (results/runs, a sweep, a results root): say so, and list what is in it.
        const { listStored } = await import('../report/storedList.js');
        const { printStored } = await import('./ls.js');
        let entries: StoredEntry[] = [];
        try {
          entries = listStored(run);
        } catch {
          // neither a results root, a sweep nor a folder of runs: locateRun says what is wrong
        }
        if (entries.length > 0) {
          const runs = entries.filter((e) => e.kind !== 'sweep').length;
          const sweeps = entries.length - runs;
          const what = [runs > 0 ? `${runs} run${runs === 1 ? '' : 's'}` : '', sweeps > 0 ? `${sweeps} sweep${sweeps === 1 ? '' : 's'}` : ''].filter(Boolean).join(' and ');
          const first = entries.find((e) => e.kind !== 'sweep');
          const example = first === undefined ? '' : ` (vgrad show ${first.path})`;
          process.stderr.write(`vgrad: ${run} is a folder of ${what}, listed below; give one run to show${example}\n`);
          printStored(run, entries, flags);
          process.exitCode = 2;
          return;
        }
      }
      const record = readRunRecord(locateRun(run, flags.out));
      if (flags.json) {
        writeStdout(`${toJson(record)}\n`);
        return;
      }
      // The theory columns' prediction takes ~1 ms a layer: made first, in steps a signal can stop.
      await prepareTheoryOverlay(record, pacer(undefined, () => 'while predicting the theory columns'));
      writeStdout(renderFittedReport(record, chalkFor(process.stdout), outputWidth(process.stdout, flags.wide)));
    });
}
