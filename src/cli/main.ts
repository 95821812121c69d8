/**
 * vgrad's command line. Subcommands live in their own files and load TensorFlow.js only when
 * they train, so `--help` and `vgrad inits` stay fast.
 */
import { Command, CommanderError } from 'commander';
import { isEnvironmentError, isUsageError } from '../config/errors.js';
import { environmentProblem, isDiskError } from '../store/diskErrors.js';
import { benchCommand } from './bench.js';
import { initsCommand } from './inits.js';
import { runCommand } from './run.js';
import { showCommand } from './show.js';
import { theoryCommand } from './theory.js';
import { exportCommand } from './export.js';
import { reportCommand } from './report.js';
import { tensorboardCommand } from './tensorboard.js';
import { sweepCommand } from './sweep.js';
import { compareCommand } from './compare.js';
import { mergeCommand } from './merge.js';
import { lsCommand } from './ls.js';
import { exitOnSignal } from './interrupts.js';
import { nativeCommand } from './native.js';

export const EXIT_USAGE = 2;
/** A full disk, a read-only or unwritable folder: the environment, not the input. */
export const EXIT_ENVIRONMENT = 1;
/**
 * The reader of stdout went away (`vgrad run --json | head -c 10`): the output was not wanted any
 * more, the run is stored, so end quietly with success rather than 141 (a SIGPIPE death).
 */
export const EXIT_CLOSED_PIPE = 0;

/**
 * A closed stdout (EPIPE) ends the process quietly; a closed stderr only silences messages, so a
 * run goes on and is stored. Other stdout failures (a full disk under `> file`) are one line, exit 1.
 */
export function handleOutputErrors(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT_CLOSED_PIPE);
    const problem = environmentProblem(error) ?? error.message;
    process.stderr.write(`vgrad: cannot write to stdout: ${problem}\n`);
    process.exit(EXIT_ENVIRONMENT);
  });
  process.stderr.on('error', () => {
    // Nowhere left to say anything: keep working without messages.
  });
}

export function buildProgram(): Command {
  const program = new Command('vgrad')
    .description('See vanishing and exploding gradients in MNIST MLPs, and watch Xavier and He initialization fix them.')
    .version('0.1.0')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      // Commander's own parse errors: one line, no help dump.
      outputError: (text, write) => write(`vgrad: ${text.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')}\n`),
    })
    .addHelpText('after', '\nExample:\n  $ vgrad run --init he --act relu\n  $ vgrad run --act relu --init xavier --depth 30   # vanishing; the fix: --init he\n  $ vgrad inits --fan-in 784 --fan-out 300');
  program.addCommand(runCommand());
  program.addCommand(initsCommand());
  program.addCommand(showCommand());
  program.addCommand(benchCommand());
  program.addCommand(theoryCommand());
  program.addCommand(sweepCommand());
  program.addCommand(compareCommand());
  program.addCommand(mergeCommand());
  program.addCommand(lsCommand());
  program.addCommand(reportCommand());
  program.addCommand(exportCommand());
  program.addCommand(tensorboardCommand());
  program.addCommand(nativeCommand());
  for (const command of program.commands) {
    command.exitOverride().configureOutput(program.configureOutput());
    for (const sub of command.commands) sub.exitOverride().configureOutput(program.configureOutput());
  }
  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 environment or unexpected failure, 2 bad input. */
export async function main(argv: string[]): Promise<number> {
  handleOutputErrors();
  exitOnSignal();
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here too, with code 0.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (isUsageError(error)) {
      process.stderr.write(`vgrad: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (isDiskError(error) || isEnvironmentError(error)) {
      process.stderr.write(`vgrad: ${error.message}\n`);
      return EXIT_ENVIRONMENT;
    }
    process.stderr.write(`vgrad: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
