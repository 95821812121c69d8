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

/**
 * Rows of one byte per value, each an index into `palette` (the embedded digits: 256 grey levels),
 * so a source of 31 MB of float32 pixels is held in 7.8 MB until its rows are taken.
 */
export interface PalettedSplit {
  palette: Float32Array;
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** The rows of `split` at `indices`, in that order, as float32. */
export function takeRows(split: Split | PalettedSplit, indices: ArrayLike<number>, features: number): Split {
  const x = new Float32Array(indices.length * features);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i];
    if ('palette' in split) {
      const { palette, pixels } = split;
      for (let j = 0, from = row * features, to = i * features; j < features; j++) x[to + j] = palette[pixels[from + j]];
    } else {
      x.set(split.x.subarray(row * features, (row + 1) * features), i * features);
    }
    labels[i] = split.labels[row];
  }
  return { x, labels };
}
