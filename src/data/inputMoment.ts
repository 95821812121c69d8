/**
 * The first layer's input as the mean-field theory needs it: the input width, the classes and
 * E[x²] over every entry of the training split `vgrad run` would train on (after --standardize).
 * A source that knows it (--data gaussian is N(0,1) by construction: exactly 1) loads nothing.
 */
import { type DataOptions, loadDataset } from './load.js';
import { type InputMoment, parseDataSource } from './sources.js';

export type { InputMoment } from './sources.js';

export function inputMomentFor(options: DataOptions): InputMoment {
  const known = parseDataSource(options.data)?.source.knownInput;
  if (known && !options.standardize) return { ...known };
  const data = loadDataset(options);
  const x = data.train.x;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  return { features: data.features, classes: data.classes, inputSecondMoment: sum / x.length };
}
