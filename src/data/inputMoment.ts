/**
 * The first layer's input as the mean-field theory needs it: the input width, the classes and
 * E[x²] over every entry of the training split `vgrad run` would train on (after --standardize).
 * --data gaussian is N(0,1) by construction: exactly 1, nothing to load.
 */
import { type DataOptions, loadDataset } from './load.js';
import { MNIST_PACKAGE_FEATURES } from './mnistPackage.js';

export interface InputMoment {
  features: number;
  classes: number;
  inputSecondMoment: number;
}

/** --data gaussian draws MNIST-shaped inputs with 10 random labels (gaussian.ts, load.ts). */
const GAUSSIAN_CLASSES = 10;

export function inputMomentFor(options: DataOptions): InputMoment {
  if (options.data === 'gaussian' && !options.standardize) {
    return { features: MNIST_PACKAGE_FEATURES, classes: GAUSSIAN_CLASSES, inputSecondMoment: 1 };
  }
  const data = loadDataset(options);
  const x = data.train.x;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  return { features: data.features, classes: data.classes, inputSecondMoment: sum / x.length };
}
