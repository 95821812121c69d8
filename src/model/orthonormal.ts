/**
 * The orthonormal factor of a QR decomposition, on the host in float64 (Householder reflections).
 *
 * Why not tf.linalg.qr: tfjs builds it from a loop of small ops per column, which took seconds
 * for a 784×300 layer on wasm (and ~6 s of CPU for a depth-2 orthogonal net); this takes ~0.1 s,
 * in float64, and gives the same matrix on every backend.
 */

/**
 * Q (rows × cols, rows ≥ cols, row-major like the input) of A = QR with R's diagonal made
 * non-negative (Q's columns flipped to match), the unique such factor of a full-rank A. With a
 * Gaussian A, Q is uniformly (Haar) distributed (Mezzadri 2007).
 */
export function orthonormalFactor(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  if (rows < cols) throw new Error(`orthonormalFactor needs rows ≥ cols (got ${rows}×${cols})`);
  if (a.length !== rows * cols) throw new Error(`orthonormalFactor: ${a.length} values for ${rows}×${cols}`);
  // Column-major working copy: each reflection reads and updates whole columns.
  const work = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) work[j * rows + i] = a[i * cols + j];
  // Householder vectors v_k (unit length, zero above k) and the signs of R's diagonal.
  const reflectors: Float64Array[] = [];
  const diagonalSigns = new Float64Array(cols);
  for (let k = 0; k < cols; k++) {
    const column = k * rows;
    let norm = 0;
    for (let i = k; i < rows; i++) norm += work[column + i] ** 2;
    norm = Math.sqrt(norm);
    const v = new Float64Array(rows);
    // H x = alpha e_k with alpha = −sign(x_k)‖x‖: v = x − alpha e_k has no cancellation.
    const alpha = work[column + k] >= 0 ? -norm : norm;
    for (let i = k; i < rows; i++) v[i] = work[column + i];
    v[k] -= alpha;
    let vNorm = 0;
    for (let i = k; i < rows; i++) vNorm += v[i] ** 2;
    vNorm = Math.sqrt(vNorm);
    if (vNorm > 0) for (let i = k; i < rows; i++) v[i] /= vNorm;
    reflectors.push(v);
    diagonalSigns[k] = alpha < 0 ? -1 : 1;
    // Apply H = I − 2vvᵀ to the columns still to be reduced.
    for (let j = k + 1; j < cols; j++) reflect(v, work, j * rows, k, rows);
  }
  // Q = H_0 H_1 … H_{cols−1} applied to the first cols columns of the identity.
  const q = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    q[j * rows + j] = 1;
    for (let k = Math.min(j, cols - 1); k >= 0; k--) reflect(reflectors[k], q, j * rows, k, rows);
  }
  const out = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) out[i * cols + j] = q[j * rows + i] * diagonalSigns[j];
  return out;
}

/** x ← (I − 2vvᵀ) x for the column of `m` at `offset`, where v is zero above `from`. */
function reflect(v: Float64Array, m: Float64Array, offset: number, from: number, rows: number): void {
  let dot = 0;
  for (let i = from; i < rows; i++) dot += v[i] * m[offset + i];
  dot *= 2;
  if (dot !== 0) for (let i = from; i < rows; i++) m[offset + i] -= dot * v[i];
}
