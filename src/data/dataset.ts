/** A labelled set of flat float vectors, row-major. */
export interface Split {
  x: Float32Array;
  labels: Uint8Array;
}

export interface Dataset {
  /** What the user asked for, e.g. "mnist" or "idx:/data/fashion". */
  name: string;
  features: number;
  classes: number;
  train: Split;
  test: Split;
}

export function splitSize(split: Split): number {
  return split.labels.length;
}

/** The rows of `split` at `indices`, in that order. */
export function takeRows(split: Split, indices: ArrayLike<number>, features: number): Split {
  const x = new Float32Array(indices.length * features);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i];
    x.set(split.x.subarray(row * features, (row + 1) * features), i * features);
    labels[i] = split.labels[row];
  }
  return { x, labels };
}
