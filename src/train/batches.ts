/** Minibatches in a seeded order: a fresh permutation each epoch, the last partial batch dropped. */
import type { Split } from '../data/dataset.js';
import { batchTensors, type LabeledBatch } from '../model/mlp.js';
import { type Rng, shuffleInPlace } from '../util/random.js';

export class BatchStream {
  private order: Int32Array;
  private cursor: number;
  private readonly xBuffer: Float32Array;
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
  }

  /** The next batch as tensors; the caller disposes it with disposeBatch. */
  next(): LabeledBatch {
    if (this.cursor + this.batch > this.order.length) {
      shuffleInPlace(this.order, this.rng);
      this.cursor = 0;
      this.epoch++;
    }
    const { features } = this;
    // Fresh per batch: the labels stay with the returned batch for scoring.
    const labels = new Int32Array(this.batch);
    for (let i = 0; i < this.batch; i++) {
      const row = this.order[this.cursor + i];
      this.xBuffer.set(this.split.x.subarray(row * features, (row + 1) * features), i * features);
      labels[i] = this.split.labels[row];
    }
    this.cursor += this.batch;
    return batchTensors(this.xBuffer, labels, features, this.classes);
  }
}
