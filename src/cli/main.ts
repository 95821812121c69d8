/**
 * vgrad's command line. Subcommands live in their own files and load TensorFlow.js only when
 * they train, so `--help` and `vgrad inits` stay fast.
 */
import { Command, CommanderError } from 'commander';
import { isEnvironmentError, isUsageError } from '../util/errors.js';
import { environmentProblem, isDiskError } from '../store/diskErrors.js';
import { exitOnSignal } from './interrupts.js';
import { describeFsError } from '../util/fsErrors.js';

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

/**
 * Every subcommand, in the order `vgrad --help` lists them, each defined in its own file. Only the
 * one named on the command line is loaded (all of them for `vgrad --help` or `vgrad help`): each
 * file pulls in its own libraries (schemas, YAML, protobuf, tables), and a process that loaded
 * them all paid ~0.2 s of CPU before doing anything.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run.js')).runCommand(),
  inits: async () => (await import('./inits.js')).initsCommand(),
  show: async () => (await import('./show.js')).showCommand(),
  bench: async () => (await import('./bench.js')).benchCommand(),
  theory: async () => (await import('./theory.js')).theoryCommand(),
  sweep: async () => (await import('./sweep.js')).sweepCommand(),
  compare: async () => (await import('./compare.js')).compareCommand(),
  merge: async () => (await import('./merge.js')).mergeCommand(),
  ls: async () => (await import('./ls.js')).lsCommand(),
  report: async () => (await import('./report.js')).reportCommand(),
  export: async () => (await import('./export.js')).exportCommand(),
  tensorboard: async () => (await import('./tensorboard.js')).tensorboardCommand(),
  native: async () => (await import('./native.js')).nativeCommand(),
};

/** The subcommand `argv` names (its first word after the program), when it is one of COMMANDS. */
function requestedCommand(argv: string[]): string | undefined {
  const first = argv[2];
  return first !== undefined && Object.hasOwn(COMMANDS, first) ? first : undefined;
}

/** The program with the commands `argv` can reach: the one it names, or all of them. */
export async function buildProgram(argv: string[]): Promise<Command> {
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
  const requested = requestedCommand(argv);
  for (const name of requested === undefined ? Object.keys(COMMANDS) : [requested]) program.addCommand(await COMMANDS[name]());
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
    await (await buildProgram(argv)).parseAsync(argv);
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
    const fsError = describeFsError(error);
    if (fsError !== null) {
      process.stderr.write(`vgrad: ${fsError.line}\n`);
      return fsError.exitCode;
    }
    process.stderr.write(`vgrad: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
