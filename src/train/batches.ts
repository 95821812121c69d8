/** Minibatches in a seeded order: a fresh permutation each epoch, the last partial batch dropped. */
import * as tf from '../backend/tf.js';
import type { Split } from '../data/dataset.js';
import { type Rng, shuffleInPlace } from '../util/random.js';

export class BatchStream {
  private order: Int32Array;
  private cursor: number;
  private readonly xBuffer: Float32Array;
  private readonly labelBuffer: Int32Array;
  epoch = 0;

  constructor(
    private readonly split: Split,
    private readonly features: number,
    private readonly batch: number,
    private readonly rng: Rng,
  ) {
    this.order = Int32Array.from(split.labels.keys());
    this.cursor = this.order.length; // forces a shuffle on the first call
    this.xBuffer = new Float32Array(batch * features);
    this.labelBuffer = new Int32Array(batch);
  }

  /** The next batch as tensors; the caller disposes them. */
  next(): { x: tf.Tensor2D; labels: tf.Tensor1D } {
    if (this.cursor + this.batch > this.order.length) {
      shuffleInPlace(this.order, this.rng);
      this.cursor = 0;
      this.epoch++;
    }
    const { features } = this;
    for (let i = 0; i < this.batch; i++) {
      const row = this.order[this.cursor + i];
      this.xBuffer.set(this.split.x.subarray(row * features, (row + 1) * features), i * features);
      this.labelBuffer[i] = this.split.labels[row];
    }
    this.cursor += this.batch;
    return { x: tf.tensor2d(this.xBuffer, [this.batch, features]), labels: tf.tensor1d(this.labelBuffer, 'int32') };
  }
}
