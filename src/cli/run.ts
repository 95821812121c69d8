/** `vgrad run`: one experiment, a per-layer table (or --json), and a stored run folder. */
import { Command } from 'commander';
import { addRunOptions } from '../config/options.js';
import { parseRunConfig, type RawRunOptions } from '../config/runConfig.js';
import { toJson } from '../store/record.js';
import { chalkFor } from './color.js';
import { writeStdout } from './output.js';
import { Interrupts } from './interrupts.js';
import { ProgressReporter } from './progress.js';

type RunFlags = RawRunOptions & {
  json?: boolean;
  quiet?: boolean;
  discardInterrupted?: boolean;
};

export function runCommand(): Command {
  const command = new Command('run').description('train one MLP and show per-layer activation and gradient statistics');
  // The run options come from the one option table; display flags are not run options.
  return addRunOptions(command)
    .option('--json', 'print only the run record as JSON on stdout')
    .option('--quiet', 'no progress on stderr')
    // TODO(h1 options table): a run option like --json/--quiet; move it into src/config/options.ts.
    .option('--discard-interrupted', 'on Ctrl-C, SIGTERM or SIGHUP store nothing (default: keep a run that has a probe point beyond step 0, as status "interrupted")')
    .addHelpText(
      'after',
      '\nExamples:\n  $ vgrad run --init he --act relu\n  $ vgrad run --act relu --init xavier --depth 30   # vanishing; the fix: --init he\n  $ vgrad run --init xavier --act relu --depth 20 --steps 0 --data gaussian --json',
    )
    .action(async (flags: RunFlags) => {
      const config = parseRunConfig(flags);
      // Loaded only now, so --help and bad flags never pay for TensorFlow.js.
      const { runExperiment } = await import('../train/experiment.js');
      const { InterruptedError } = await import('../util/abort.js');
      const { renderRunReport } = await import('../report/layerTable.js');
      const progress = flags.quiet ? undefined : new ProgressReporter(process.stderr, chalkFor(process.stderr));
      // SIGINT, SIGTERM and SIGHUP stop the run at the next checkpoint (between steps, layers or
      // evaluation chunks); a second one exits at once.
      const interrupts = new Interrupts({ onSignal: () => progress?.stop() }).install();
      let result;
      try {
        result = await runExperiment(config, {
          signal: interrupts.signal,
          keepInterrupted: !flags.discardInterrupted,
          onStart: (info) => progress?.start(info),
          onStep: (step, loss) => progress?.step(step, loss),
          onProbe: (point) => progress?.probe(point),
        });
      } catch (error) {
        if (error instanceof InterruptedError && interrupts.received) {
          progress?.stop();
          const outcome = error.keptIn ? `; kept up to the last probe point as status "interrupted" in ${error.keptIn}` : '; nothing stored';
          process.stderr.write(`vgrad: ${error.message} (${interrupts.received})${outcome}\n`);
          process.exitCode = interrupts.exitCode!;
          return;
        }
        throw error;
      } finally {
        interrupts.uninstall();
        progress?.stop();
      }
      if (flags.json) {
        writeStdout(`${toJson(result.record)}\n`);
      } else {
        writeStdout(renderRunReport(result.record, chalkFor(process.stdout)));
      }
      if (!flags.quiet) process.stderr.write(`stored in ${result.runDir}\n`);
    });
}
