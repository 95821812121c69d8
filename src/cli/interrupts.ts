/**
 * SIGINT (Ctrl-C), SIGTERM (batch schedulers, `kill`) and SIGHUP (closed terminal) as one
 * cancellation: the first one aborts an AbortController that the long-running work checks, so the
 * command can clean up (or keep what it measured) and exit with the shell's code for that signal,
 * 128 + signal number: 130, 143, 129. A second signal while cleaning up exits at once with the
 * same code; anything half-written is then left as a .partial-* folder whose lock names a dead
 * process, and the next run removes it.
 *
 * Used by `vgrad run` (and meant for `vgrad sweep`):
 *   const interrupts = new Interrupts().install();
 *   try { await work(interrupts.signal); } catch (e) { if (interrupts.received) return interrupts.exitCode; ... }
 *   finally { interrupts.uninstall(); }
 */

import { runSignalExitCleanups } from '../util/signalExit.js';

export const INTERRUPT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type InterruptSignal = (typeof INTERRUPT_SIGNALS)[number];

/** The exit code a shell reports for a process ended by the signal: 128 + its number. */
export const SIGNAL_EXIT_CODES: Record<InterruptSignal, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

export interface InterruptOptions {
  /** Called once, on the first signal (e.g. to stop a progress bar). */
  onSignal?(signal: InterruptSignal): void;
  /** Where the "exiting now" line of a second signal goes; stderr by default. */
  stream?: NodeJS.WritableStream;
}

/** How many Interrupts are installed: while one is, the command handles signals itself. */
let watching = 0;
/**
 * The fallback for every command without its own Interrupts (report, export, bench, …): on a
 * signal, run the registered clean-ups and exit with 128 + n. Unlike Node's default (the OS ends
 * the process wherever it is), a JavaScript handler runs only between synchronous steps, so a
 * temp-file-then-rename write is never cut in half. Installed once, by the CLI's entry point.
 */
export function exitOnSignal(): void {
  for (const name of INTERRUPT_SIGNALS) {
    process.on(name, () => {
      if (watching > 0) return;
      runSignalExitCleanups();
      process.exit(SIGNAL_EXIT_CODES[name]);
    });
  }
}

export class Interrupts {
  private readonly controller = new AbortController();
  private readonly handlers = new Map<InterruptSignal, () => void>();
  private first: InterruptSignal | null = null;

  constructor(private readonly options: InterruptOptions = {}) {}

  /** Aborted on the first SIGINT, SIGTERM or SIGHUP; its `reason` is the signal's name. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The first signal that arrived, or null. */
  get received(): InterruptSignal | null {
    return this.first;
  }

  /** 130/143/129 for the first signal received, null if none arrived. */
  get exitCode(): number | null {
    return this.first === null ? null : SIGNAL_EXIT_CODES[this.first];
  }

  /** Installs the handlers (replacing Node's default of dying at once). Returns `this`. */
  install(): this {
    watching++;
    for (const name of INTERRUPT_SIGNALS) {
      const handler = () => this.handle(name);
      this.handlers.set(name, handler);
      process.on(name, handler);
    }
    return this;
  }

  /** Removes the handlers; a later signal gets Node's default behaviour again. */
  uninstall(): void {
    if (this.handlers.size > 0) watching--;
    for (const [name, handler] of this.handlers) process.off(name, handler);
    this.handlers.clear();
  }

  private handle(name: InterruptSignal): void {
    if (this.first === null) {
      this.first = name;
      this.options.onSignal?.(name);
      this.controller.abort(name);
      return;
    }
    // A second signal: the user does not want to wait for the clean-up.
    (this.options.stream ?? process.stderr).write(`vgrad: ${name} again, exiting now\n`);
    process.exit(SIGNAL_EXIT_CODES[this.first]);
  }
}
