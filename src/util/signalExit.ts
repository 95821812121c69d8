/**
 * Clean-ups for a command that a signal ends before it finishes (the CLI's fallback handler in
 * src/cli/interrupts.ts runs them): e.g. `vgrad report` removes the output folder it created when
 * it is interrupted before writing anything into it. Kept apart from the CLI so any module can
 * register one without knowing where signals come from.
 */
const cleanups = new Set<() => void>();

/** Registers `cleanup`; returns the function that unregisters it. */
export function onSignalExit(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}

/** Runs every registered clean-up once; one that fails does not stop the others. */
export function runSignalExitCleanups(): void {
  for (const cleanup of [...cleanups]) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // Exiting on a signal: a failed clean-up must not turn into a stack trace.
    }
  }
}
