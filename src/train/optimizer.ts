import * as tf from '../backend/tf.js';
import type { OptimizerName } from '../config/runConfig.js';

export function makeOptimizer(name: OptimizerName, lr: number, momentum: number): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, momentum);
    case 'adam':
      return tf.train.adam(lr);
  }
}
