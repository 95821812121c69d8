/**
 * Ctrl-C, SIGTERM (what Slurm and Kubernetes send first) and SIGHUP as one AbortSignal.
 * Minimal stand-in for the shared src/cli/interrupts.ts (h3-signals); swap when it lands.
 */
const CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
export type StopSignal = keyof typeof CODES;

export interface StopWatch {
  signal: AbortSignal;
  /** The signal that arrived first, if any. */
  received(): StopSignal | undefined;
  /** 128 + the signal's number. */
  exitCode(): number;
  dispose(): void;
}

export function watchStopSignals(): StopWatch {
  const controller = new AbortController();
  let first: StopSignal | undefined;
  const handlers = (Object.keys(CODES) as StopSignal[]).map((name) => {
    const handler = () => {
      first ??= name;
      controller.abort();
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    received: () => first,
    exitCode: () => (first ? CODES[first] : 0),
    dispose: () => handlers.forEach(([name, handler]) => process.off(name, handler)),
  };
}
