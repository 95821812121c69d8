import seedrandom from 'seedrandom';

/** A seeded PRNG returning floats in [0, 1). */
export type Rng = () => number;

/** Independent streams from one user seed, keyed by purpose, so adding a stream never shifts another. */
export function rngFor(seed: number, purpose: string): Rng {
  return seedrandom(`vgrad:${seed}:${purpose}`);
}

/**
 * A positive 31-bit integer seed for tfjs random ops. Never 0: tfjs-core treats a seed of 0 as
 * "not given" and falls back to Math.random.
 */
export function tfSeedFor(seed: number, purpose: string): number {
  const value = seedrandom(`vgrad:${seed}:${purpose}`).int32() & 0x7fffffff;
  return value === 0 ? 1 : value;
}

/** Fisher-Yates shuffle in place. */
export function shuffleInPlace<T>(items: T[] | Int32Array | Uint32Array, rng: Rng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const held = items[i];
    items[i] = items[j];
    items[j] = held;
  }
}

/** Standard normal draws by the Box-Muller transform. */
export function fillStandardNormal(out: Float32Array, rng: Rng): void {
  for (let i = 0; i < out.length; i += 2) {
    const u1 = 1 - rng(); // (0, 1], so log is finite
    const u2 = rng();
    const radius = Math.sqrt(-2 * Math.log(u1));
    out[i] = radius * Math.cos(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = radius * Math.sin(2 * Math.PI * u2);
  }
}
