/** `vgrad export csv DIR…` and `vgrad export probe-batch RUN --out FILE`: stored runs in other tools' formats. */
import { Command } from 'commander';
import { UsageError } from '../util/errors.js';
import { runsCsv } from '../interop/csv.js';
import { DEFAULTS } from '../config/runConfig.js';
import { locateRun, locateRuns } from '../store/layout.js';
import { probeBatchSafetensors } from '../interop/probeBatch.js';
import { readStoredRun } from '../store/read.js';
import { writeFileAtomic } from '../util/atomicFile.js';
import { guardWrite } from '../store/diskErrors.js';
import { writeStdout } from './output.js';
import type { CsvOptions } from '../store/csv.js';

export const RAW_CSV_HELP = "write text cells as stored: no ' before a leading =, +, -, @, tab or CR";
export const CSV_TEXT_NOTE = "Text cells starting with =, +, -, @, a tab or CR get a leading ' (a spreadsheet would run them as formulas; --raw-csv turns it off); control characters are written \\x1b.";
import { dirname } from 'node:path';

/** The tidy CSV of every probe point of the runs the arguments name. */
export function csvForRuns(args: string[], out: string, options: CsvOptions = {}): string {
  return runsCsv(locateRuns(args, out).map((summary) => readStoredRun(summary)), options);
}

export function exportCommand(): Command {
  const command = new Command('export').description('write stored runs in formats other tools read (CSV, safetensors)');
  command
    .command('csv')
    .description('per-layer statistics of every probe point as one CSV table on stdout: run, step, layer, kind, fanIn, fanOut, one column per statistic')
    .argument('<dir...>', 'folders of runs (e.g. results, a sweep), run folders, or run ids')
    .option('--out <dir>', 'root folder of stored runs, for bare run ids', DEFAULTS.out)
    .option('--raw-csv', RAW_CSV_HELP)
    .addHelpText('after', `\nNon-finite values are written inf, -inf, nan; undefined ones (the output layer's saturated/dead, updateRatio at step 0) as empty cells. ${CSV_TEXT_NOTE}\n\nExample:\n  $ vgrad export csv results > stats.csv`)
    .action((dirs: string[], flags: { out: string; rawCsv?: boolean }) => {
      writeStdout(csvForRuns(dirs, flags.out, { raw: flags.rawCsv }));
    });
  command
    .command('probe-batch')
    .description("the run's fixed probe batch, rebuilt from its seed and config, as safetensors (inputs F32 [n, features], labels U8 [n])")
    .argument('<run>', 'a run folder, its summary.json, or a run id')
    .requiredOption('--out <file>', 'the safetensors file to write')
    .option('--root <dir>', 'root folder of stored runs, for a bare run id', DEFAULTS.out)
    .addHelpText('after', '\nExample:\n  $ vgrad export probe-batch results/runs/<id> --out probe.safetensors')
    .action((run: string, flags: { out: string; root: string }) => {
      const { record } = readStoredRun(locateRun(run, flags.root));
      const { bytes, count } = probeBatchSafetensors(record.config, record.runId);
      try {
        guardWrite(dirname(flags.out), () => writeFileAtomic(flags.out, bytes));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === undefined) throw error;
        throw new UsageError(`--out ${flags.out}: cannot write (${code}); give a writable file path`);
      }
      process.stderr.write(`probe batch of ${count} samples written to ${flags.out}\n`);
    });
  return command;
}
