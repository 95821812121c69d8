/** Minibatches in a seeded order: a fresh permutation each epoch, the last partial batch dropped. */
import type { Split } from '../data/dataset.js';
import { batchTensors, type LabeledBatch } from '../model/mlp.js';
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
    private readonly classes: number,
    private readonly rng: Rng,
  ) {
    this.order = Int32Array.from(split.labels.keys());
    this.cursor = this.order.length; // forces a shuffle on the first call
    this.xBuffer = new Float32Array(batch * features);
    this.labelBuffer = new Int32Array(batch);
  }

  /** The next batch as tensors; the caller disposes x and targets. */
  next(): LabeledBatch {
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
    // Copies: the buffers are reused for the next batch, and the caller may hold this one.
    return batchTensors(this.xBuffer, Int32Array.from(this.labelBuffer), features, this.classes);
  }
}
