/** `vgrad run`: one experiment, a per-layer table (or --json), and a stored run folder. */
import { Command } from 'commander';
import { addRunOptions } from '../config/options.js';
import { parseRunConfig, type RawRunOptions } from '../config/runConfig.js';
import { toJson } from '../store/record.js';
import { chalkFor } from './color.js';
import { ProgressReporter } from './progress.js';

type RunFlags = RawRunOptions & {
  json?: boolean;
  quiet?: boolean;
};

export function runCommand(): Command {
  const command = new Command('run').description('train one MLP and show per-layer activation and gradient statistics');
  // The run options come from the one option table; display flags are not run options.
  return addRunOptions(command)
    .option('--json', 'print only the run record as JSON on stdout')
    .option('--quiet', 'no progress on stderr')
    .addHelpText(
      'after',
      '\nExamples:\n  $ vgrad run --init he --act relu\n  $ vgrad run --init normal1 --act sigmoid --depth 10\n  $ vgrad run --init xavier --act relu --depth 20 --steps 0 --data gaussian --json',
    )
    .action(async (flags: RunFlags) => {
      const config = parseRunConfig(flags);
      // Loaded only now, so --help and bad flags never pay for TensorFlow.js.
      const { runExperiment } = await import('../train/experiment.js');
      const { InterruptedError } = await import('../train/loop.js');
      const { renderRunReport } = await import('../report/layerTable.js');
      const progress = flags.quiet ? undefined : new ProgressReporter(process.stderr, chalkFor(process.stderr));
      // Ctrl-C stops between steps; the half-built run folder is removed and nothing is stored.
      const interrupt = new AbortController();
      const onSigint = () => interrupt.abort();
      process.once('SIGINT', onSigint);
      let result;
      try {
        result = await runExperiment(config, {
          signal: interrupt.signal,
          onStart: (info) => progress?.start(info),
          onStep: (step, loss) => progress?.step(step, loss),
          onProbe: (point) => progress?.probe(point),
        });
      } catch (error) {
        if (error instanceof InterruptedError) {
          progress?.stop();
          process.stderr.write(`vgrad: ${error.message}; nothing stored\n`);
          process.exitCode = 130;
          return;
        }
        throw error;
      } finally {
        process.off('SIGINT', onSigint);
        progress?.stop();
      }
      if (flags.json) {
        process.stdout.write(`${toJson(result.record)}\n`);
      } else {
        process.stdout.write(renderRunReport(result.record, chalkFor(process.stdout)));
      }
      if (!flags.quiet) process.stderr.write(`stored in ${result.runDir}\n`);
    });
}
