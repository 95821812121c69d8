/**
 * vgrad's command line. Subcommands live in their own files and load TensorFlow.js only when
 * they train, so `--help` and `vgrad inits` stay fast.
 */
import { Command, CommanderError } from 'commander';
import { isUsageError } from '../config/errors.js';
import { benchCommand } from './bench.js';
import { initsCommand } from './inits.js';
import { runCommand } from './run.js';
import { showCommand } from './show.js';
import { sweepCommand } from './sweep.js';
import { compareCommand } from './compare.js';
import { mergeCommand } from './merge.js';
import { lsCommand } from './ls.js';

export const EXIT_USAGE = 2;

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
    .addHelpText('after', '\nExample:\n  $ vgrad run --init he --act relu\n  $ vgrad run --init normal1 --act sigmoid --depth 10\n  $ vgrad inits --fan-in 784 --fan-out 300');
  program.addCommand(runCommand());
  program.addCommand(initsCommand());
  program.addCommand(showCommand());
  program.addCommand(benchCommand());
  program.addCommand(sweepCommand());
  program.addCommand(compareCommand());
  program.addCommand(mergeCommand());
  program.addCommand(lsCommand());
  for (const command of program.commands) command.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 unexpected failure, 2 bad input. */
export async function main(argv: string[]): Promise<number> {
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
    process.stderr.write(`vgrad: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
