/** `vgrad run`: one experiment, a per-layer table (or --json), and a stored run folder. */
import { Command } from 'commander';
import { DEFAULTS, parseRunConfig, type RawRunOptions } from '../config/runConfig.js';
import { ACTIVATIONS } from '../model/activations.js';
import { toJson } from '../store/record.js';
import { chalkFor } from './color.js';
import { writeStdout } from './output.js';
import { Interrupts } from './interrupts.js';
import { ProgressReporter } from './progress.js';
import { outputWidth } from './terminal.js';

interface RunFlags extends RawRunOptions {
  json?: boolean;
  quiet?: boolean;
  discardInterrupted?: boolean;
  wide?: boolean;
}

export function runCommand(): Command {
  return new Command('run')
    .description('train one MLP and show per-layer activation and gradient statistics')
    .option('--depth <n>', `hidden layers (first ${DEFAULTS.firstWidth} units, the rest --width)`, String(DEFAULTS.depth))
    .option('--width <n>', 'units in hidden layers 2..depth', String(DEFAULTS.width))
    .option('--layers <list>', 'hidden layer widths, e.g. 300,100,100 (instead of --depth/--width)')
    .option('--act <name>', `activation: ${ACTIVATIONS.join(', ')}`, DEFAULTS.act)
    .option('--alpha <x>', 'leaky-relu negative slope', String(DEFAULTS.alpha))
    .option('--init <name>', "initializer (see 'vgrad inits'): normal1, standard, xavier, he, lecun, orthogonal, book, normal:STD, uniform:R, vs:…", DEFAULTS.init)
    .option('--gain <x>', 'gain of the orthogonal initializer', String(DEFAULTS.gain))
    .option('--optimizer <name>', 'sgd, momentum or adam', DEFAULTS.optimizer)
    .option('--lr <x>', 'learning rate', String(DEFAULTS.lr))
    .option('--momentum <x>', 'momentum coefficient for --optimizer momentum', String(DEFAULTS.momentum))
    .option('--batch <n>', 'minibatch size', String(DEFAULTS.batch))
    .option('--steps <n>', `training steps; 0 measures the net at initialization only (default ${DEFAULTS.steps})`)
    .option('--epochs <x>', 'train for this many passes over the training split instead of --steps')
    .option('--seed <n>', 'seed for initialization, data split and shuffling', String(DEFAULTS.seed))
    .option('--data <source>', 'mnist (embedded 10k digits), gaussian, or idx:DIR (MNIST/Fashion-MNIST IDX files)', DEFAULTS.data)
    .option('--train-size <n>', 'training samples (mnist, gaussian: 8000; idx: all), stratified')
    .option('--test-size <n>', 'test samples (mnist, gaussian: 2000; idx: all), stratified')
    .option('--standardize', 'standardize each pixel with the training split mean and std')
    .option('--probe-size <n>', 'held-out samples in the fixed probe batch', String(DEFAULTS.probeSize))
    .option('--log-every <k>', 'probe every K steps (and at step 0 and the end)', String(DEFAULTS.logEvery))
    .option('--backend <name>', 'auto, tensorflow, wasm or cpu', DEFAULTS.backend)
    .option('--out <dir>', 'root folder for stored runs', DEFAULTS.out)
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
      // Loaded only now, so --help and bad flags never pay for TensorFlow.js.
      const { runExperiment } = await import('../train/experiment.js');
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
        writeStdout(renderFittedReport(result.record, chalkFor(process.stdout), outputWidth(process.stdout, flags.wide)));
      }
      if (!flags.quiet) process.stderr.write(`stored in ${result.runDir}\n`);
    });
}
