/**
 * Cooperative cancellation for the long parts of the core (building a model, probes, the final
 * evaluation). JavaScript runs one thing at a time, so a signal handler only gets to run when the
 * code yields to the event loop: `checkpoint` yields, then checks the AbortSignal. The core takes
 * an AbortSignal and knows nothing of where it comes from (Ctrl-C, SIGTERM, a sweep).
 */

/** The work was stopped from outside (Ctrl-C, SIGTERM, SIGHUP) before it finished. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  /** Set by the caller that stored the run so far (status "interrupted"): its folder. */
  keptIn: string | null = null;
  /**
   * @param phase what was running, e.g. "at step 40", "while building the model (layer 3 of 41)".
   * @param step the last completed training step (0 before training started).
   */
  constructor(
    readonly phase: string,
    readonly step: number,
  ) {
    super(`interrupted ${phase}`);
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Lets pending signal handlers run, then throws an InterruptedError if `signal` was aborted.
 * One setImmediate turn: microseconds, so it is cheap between layers or chunks.
 */
export async function checkpoint(signal: AbortSignal | undefined, phase: () => string, step = 0): Promise<void> {
  await yieldToEventLoop();
  if (signal?.aborted) throw new InterruptedError(phase(), step);
}

/**
 * For a synchronous loop that can run for seconds (grid expansion, the mean-field layers): returns
 * a function to await once per item, which yields to the event loop (a `checkpoint`) only when
 * `everyMs` of work went by since the last one. A signal is then handled within about `everyMs`,
 * by the command's Interrupts (the checkpoint throws) or by the CLI's fallback handler (it exits).
 */
export function pacer(signal: AbortSignal | undefined, phase: () => string, everyMs = 50): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < everyMs) return;
    await checkpoint(signal, phase);
    last = performance.now();
  };
}
