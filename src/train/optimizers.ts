/** The tfjs optimizer of each `--optimizer` name: the tensor half of the optimizer records (src/config/optimizers.ts). */
import * as tf from '../backend/tf.js';
import type { OptimizerName } from '../config/optimizers.js';

export const OPTIMIZER_MAKERS: Record<OptimizerName, (lr: number, momentum: number) => tf.Optimizer> = {
  sgd: (lr) => tf.train.sgd(lr),
  momentum: (lr, momentum) => tf.train.momentum(lr, momentum),
  adam: (lr) => tf.train.adam(lr),
};

export function makeOptimizer(name: OptimizerName, lr: number, momentum: number): tf.Optimizer {
  return OPTIMIZER_MAKERS[name](lr, momentum);
}
