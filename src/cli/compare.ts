/**
 * `vgrad compare DIR|RUN…`: one statistic per layer, one column per cell or run, on one fixed
 * log scale, from stored records only. A sweep folder stands for all its finished cells.
 */
import { Command } from 'commander';
import { UsageError } from '../util/errors.js';
import { decimalInteger, readFlag } from '../util/decimal.js';
import { COMMAND_DEFAULTS } from '../config/defaults.js';
import { compareColumnsFor } from '../report/compareColumns.js';
import { COMPARE_STATS, renderCompare, type CompareStat } from '../report/compareTable.js';
import { chalkFor } from './color.js';
import { fixedWidth } from './terminal.js';
import { writeStdout } from './output.js';

export function compareCommand(): Command {
  return new Command('compare')
    .description('one statistic per layer, one column per run or sweep cell, on one fixed log scale')
    .argument('<dirs...>', 'sweep folders (all finished cells), cell or run folders')
    .option('--stat <name>', `statistic: ${COMPARE_STATS.join(', ')}`, COMMAND_DEFAULTS.compare.stat)
    .option('--at <when>', 'init (step 0) or end (last probe point)', COMMAND_DEFAULTS.compare.at)
    .option('--width <n>', 'columns to fit (default: the terminal width, else 80)')
    .addHelpText('after', '\nExamples:\n  $ vgrad compare results/sweeps/he-2015-depth30\n  $ vgrad compare results/runs/A results/runs/B --stat actVar --at end')
    .action((dirs: string[], flags: { stat: string; at: string; width?: string }) => {
      const stat = COMPARE_STATS.find((s) => s.toLowerCase() === flags.stat.toLowerCase());
      if (!stat) throw new UsageError(`--stat must be one of ${COMPARE_STATS.join(', ')} (got '${flags.stat}')`);
      if (flags.at !== 'init' && flags.at !== 'end') throw new UsageError(`--at must be init or end (got '${flags.at}')`);
      let width = fixedWidth(process.stdout);
      if (flags.width !== undefined) {
        width = readFlag('--width', decimalInteger(20, 1000), flags.width);
      }
      const columns = compareColumnsFor(dirs);
      writeStdout(renderCompare(columns, stat as CompareStat, flags.at === 'init' ? 'initial' : 'final', width, chalkFor(process.stdout)));
    });
}
