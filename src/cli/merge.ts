/**
 * `vgrad merge DIR…`: combines sweep folders (the shards of one sweep, run on other machines or
 * array tasks) into one (sweep/merge.ts), refusing cells whose configs disagree.
 */
import { Command } from 'commander';
import { DEFAULTS } from '../config/runConfig.js';

export function mergeCommand(): Command {
  return new Command('merge')
    .description('combine sweep folders (e.g. shards) into one, refusing cells whose configs disagree')
    .argument('<dirs...>', 'sweep folders, e.g. shard-0/sweeps/quickstart shard-1/sweeps/quickstart')
    .option('--into <dir>', 'the merged sweep folder (default: OUT/sweeps/<name>)')
    .option('--out <dir>', 'results root for the default --into', DEFAULTS.out)
    .option('--quiet', 'no message on stderr')
    .addHelpText('after', '\nExample:\n  $ vgrad merge shard-*/sweeps/quickstart --into results/sweeps/quickstart')
    .action(async (dirs: string[], flags: { into?: string; out: string; quiet?: boolean }) => {
      const { mergeSweeps } = await import('../sweep/merge.js');
      const merged = mergeSweeps(dirs, { into: flags.into, root: flags.out });
      const { target, cells, copied, busy } = merged;
      if (!flags.quiet) {
        process.stderr.write(`merged ${cells} cells from ${dirs.length} folders into ${target} (${copied} copied, ${cells - copied - busy.length} already there); ${merged.rows} of ${merged.planned} planned cells finished\n`);
      }
      if (busy.length > 0) process.stderr.write(`vgrad: ${busy.length} cells are being written in ${target} by another live process and were left to it: ${busy.join(', ')}\n`);
    });
}
