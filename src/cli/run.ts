/** `vgrad run`: one experiment, a per-layer table (or --json), and a stored run folder. */
import { rmSync } from 'node:fs';
import { Command } from 'commander';
import { addRunOptions } from '../config/options.js';
import { parseRunConfig, type RawRunOptions, type RunConfig } from '../config/runConfig.js';
import { toJson } from '../store/record.js';
import { fallbackNotice } from '../backend/notice.js';
import { ensureWritableFolder } from './folders.js';
import { chalkFor } from './color.js';
import { writeStdout } from './output.js';
import { Interrupts } from './interrupts.js';
import { ProgressReporter } from './progress.js';
import { outputWidth } from './terminal.js';

type RunFlags = RawRunOptions & {
  json?: boolean;
  quiet?: boolean;
  discardInterrupted?: boolean;
  wide?: boolean;
};

export function runCommand(): Command {
  const command = new Command('run').description('train one MLP and show per-layer activation and gradient statistics');
  // The run options come from the one option table; display flags are not run options.
  return addRunOptions(command)
    .option('--json', 'print only the run record as JSON on stdout')
    .option('--quiet', 'no progress on stderr')
    // TODO(h1 options table): a run option like --json/--quiet; move it into src/config/options.ts.
    .option('--discard-interrupted', 'on Ctrl-C, SIGTERM or SIGHUP store nothing (default: keep a run that has a probe point beyond step 0, as status "interrupted")')
    .option('--wide', 'print every table column even if wider than the terminal')
    .addHelpText(
      'after',
      '\nExamples:\n  $ vgrad run --init he --act relu\n  $ vgrad run --act relu --init xavier --depth 30   # vanishing; the fix: --init he\n  $ vgrad run --init xavier --act relu --depth 20 --steps 0 --data gaussian --json',
    )
    .action(async (flags: RunFlags) => {
      const config = parseRunConfig(flags);
      // The TensorBoard folder must be writable before any training is paid for; one made here
      // is removed again if the run ends (fails, or is interrupted with nothing kept) before any
      // events go into it.
      const madeTensorboard = config.tensorboard === null ? undefined : ensureWritableFolder(config.tensorboard, '--tensorboard');
      let wroteEvents = false;
      try {
        wroteEvents = await runAndReport(config, flags);
      } finally {
        if (madeTensorboard !== undefined && !wroteEvents) rmSync(madeTensorboard, { recursive: true, force: true });
      }
    });
}

/** Trains, stores and prints one run; true when it wrote TensorBoard events. */
async function runAndReport(config: RunConfig, flags: RunFlags): Promise<boolean> {
  // Loaded only now, so --help and bad flags never pay for TensorFlow.js.
  const { runExperiment } = await import('../run/experiment.js');
  const { InterruptedError } = await import('../util/abort.js');
  const { renderFittedReport } = await import('../report/layerTable.js');
  const progress = flags.quiet ? undefined : new ProgressReporter(process.stderr, chalkFor(process.stderr));
  // SIGINT, SIGTERM and SIGHUP stop the run at the next checkpoint (between steps, layers or
  // evaluation chunks); a second one exits at once.
  const interrupts = new Interrupts({ onSignal: () => progress?.stop() }).install();
  let result;
  try {
    result = await runExperiment(config, {
      signal: interrupts.signal,
      keepInterrupted: !flags.discardInterrupted,
      onStart: (info) => {
        const notice = flags.quiet ? undefined : fallbackNotice(config.backend);
        if (notice !== undefined) process.stderr.write(`${notice}\n`);
        progress?.start(info);
      },
      onStep: (step, loss) => progress?.step(step, loss),
      onProbe: (point) => progress?.probe(point),
    });
  } catch (error) {
    if (error instanceof InterruptedError && interrupts.received) {
      progress?.stop();
      const outcome = error.keptIn ? `; kept up to the last probe point as status "interrupted" in ${error.keptIn}` : '; nothing stored';
      process.stderr.write(`vgrad: ${error.message} (${interrupts.received})${outcome}\n`);
      process.exitCode = interrupts.exitCode!;
      // A kept run gets its events too, read back from the stored folder.
      if (error.keptIn && config.tensorboard !== null) {
        const { runEventsFolder, writeRunEvents } = await import('../interop/tensorboardExport.js');
        const { readStoredRun } = await import('../store/read.js');
        const { summaryPathOf } = await import('../store/layout.js');
        const { record, points } = readStoredRun(summaryPathOf(error.keptIn));
        writeRunEvents(runEventsFolder(config.tensorboard, record), record, points);
        return true;
      }
      return false;
    }
    throw error;
  } finally {
    interrupts.uninstall();
    progress?.stop();
  }
  if (flags.json) {
    writeStdout(`${toJson(result.record)}\n`);
  } else {
    writeStdout(renderFittedReport(result.record, chalkFor(process.stdout), outputWidth(process.stdout, flags.wide)));
  }
  if (!flags.quiet) process.stderr.write(`stored in ${result.runDir}\n`);
  if (config.tensorboard !== null) {
    const { runEventsFolder, writeRunEvents } = await import('../interop/tensorboardExport.js');
    const path = writeRunEvents(runEventsFolder(config.tensorboard, result.record), result.record, result.points);
    if (!flags.quiet) process.stderr.write(`TensorBoard events in ${path}\n`);
    return true;
  }
  return false;
}
