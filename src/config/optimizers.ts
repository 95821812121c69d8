/**
 * The optimizers `--optimizer` offers, one entry each with what the rest of vgrad needs to know
 * about it without TensorFlow.js: the option table, reports and the memory estimate read these.
 * The tfjs optimizer each one builds is the parallel total record in src/train/optimizers.ts; an
 * optimizer missing from either, or missing a fact, does not compile.
 */
export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface OptimizerFacts {
  /** Reads --momentum (reports say its value beside the name). */
  usesMomentum: boolean;
  /**
   * What the tfjs optimizer holds, in values per parameter: `slots` for the whole run (momentum's
   * velocity, adam's two moments), and the temporaries of one update (src/train/memory.ts).
   */
  memory: { slots: number; updatePerParameter: number; updatePerLargestLayer: number };
}

/**
 * sgd and momentum update one variable at a time inside its own tidy (2 temporaries of the largest
 * layer); adam computes every variable's update inside one tidy, keeping 11 temporaries per
 * parameter until it ends (tfjs-core 4.22 adam_optimizer.js: the scaled moments, the square, both
 * bias corrections, sqrt, +ε, the quotient and its scaled step). Measured (tf.profile peakBytes, 20
 * layers of width 1000) adam's peak was 1.6 parameter sets above that count, so 13 are charged.
 */
export const OPTIMIZER: Record<OptimizerName, OptimizerFacts> = {
  sgd: { usesMomentum: false, memory: { slots: 0, updatePerParameter: 0, updatePerLargestLayer: 2 } },
  momentum: { usesMomentum: true, memory: { slots: 1, updatePerParameter: 0, updatePerLargestLayer: 2 } },
  adam: { usesMomentum: false, memory: { slots: 2, updatePerParameter: 13, updatePerLargestLayer: 0 } },
};

/** The facts of a name read from a stored record (any string): undefined when vgrad has no such optimizer. */
export function optimizerFacts(name: string): OptimizerFacts | undefined {
  return Object.hasOwn(OPTIMIZER, name) ? OPTIMIZER[name as OptimizerName] : undefined;
}
