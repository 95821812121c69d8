/**
 * Which share of the cells this process runs. Cells are ordered by id (so the share does not
 * depend on how the grid was written) and shard i of n takes every n-th one from the i-th:
 * the shards are disjoint and together cover every cell once.
 *
 * Where i/n comes from, first match wins:
 *   --shard i/n                                   (0 ≤ i < n)
 *   SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT   (Slurm job arrays; MIN and STEP honoured, so --array=1-4 works)
 *   JOB_COMPLETION_INDEX with --shard-count n     (Kubernetes Indexed Jobs)
 */
import { UsageError } from '../util/errors.js';
import { readDecimalInteger } from '../util/decimal.js';

export interface Shard {
  index: number;
  count: number;
  /** Where it came from, for messages. */
  from: string;
}

const INTEGER = /^\d+$/;

function parseCount(text: string, what: string): number {
  const count = readDecimalInteger(text);
  if (count === undefined || count < 1) throw new UsageError(`${what} must be an integer ≥ 1 (got '${text}'); decimal digits only`);
  return count;
}

export function resolveShard(flag: string | undefined, shardCount: string | undefined, env: NodeJS.ProcessEnv): Shard | undefined {
  if (flag !== undefined) {
    const match = /^(\d+)\/(\d+)$/.exec(flag);
    if (!match) throw new UsageError(`--shard must be i/n with 0 ≤ i < n, e.g. 0/4 (got '${flag}')`);
    const [index, count] = [Number(match[1]), Number(match[2])];
    if (count < 1 || index >= count) throw new UsageError(`--shard must be i/n with 0 ≤ i < n, e.g. 0/4 (got '${flag}')`);
    if (shardCount !== undefined) throw new UsageError('--shard and --shard-count cannot both be given; --shard i/n says both');
    return { index, count, from: '--shard' };
  }
  const slurmId = env.SLURM_ARRAY_TASK_ID;
  if (slurmId !== undefined && slurmId !== '') {
    const count = parseCount(env.SLURM_ARRAY_TASK_COUNT ?? '', 'SLURM_ARRAY_TASK_COUNT');
    const min = env.SLURM_ARRAY_TASK_MIN ? Number(env.SLURM_ARRAY_TASK_MIN) : 0;
    const step = env.SLURM_ARRAY_TASK_STEP ? Number(env.SLURM_ARRAY_TASK_STEP) : 1;
    const offset = Number(slurmId) - min;
    const index = offset / step;
    if (!INTEGER.test(slurmId) || !Number.isInteger(index) || index < 0 || index >= count) {
      throw new UsageError(`SLURM_ARRAY_TASK_ID ${slurmId} does not fit an array of ${count} tasks from ${min} step ${step}`);
    }
    return { index, count, from: 'SLURM_ARRAY_TASK_ID' };
  }
  const k8sIndex = env.JOB_COMPLETION_INDEX;
  if (k8sIndex !== undefined && k8sIndex !== '') {
    if (shardCount === undefined) {
      throw new UsageError('JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job): give --shard-count N, the Job\'s completions, or --shard i/n');
    }
    const count = parseCount(shardCount, '--shard-count');
    if (!INTEGER.test(k8sIndex) || Number(k8sIndex) >= count) throw new UsageError(`JOB_COMPLETION_INDEX ${k8sIndex} must be an integer below --shard-count ${count}`);
    return { index: Number(k8sIndex), count, from: 'JOB_COMPLETION_INDEX' };
  }
  if (shardCount !== undefined) throw new UsageError('--shard-count needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); otherwise use --shard i/n');
  return undefined;
}

export function shareOf<T extends { id: string }>(cells: T[], shard: Shard | undefined): T[] {
  if (!shard) return cells;
  const order = [...cells].map((cell) => cell.id).sort();
  const mine = new Set(order.filter((_, i) => i % shard.count === shard.index));
  return cells.filter((cell) => mine.has(cell.id));
}
