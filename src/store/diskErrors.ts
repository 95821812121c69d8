/**
 * Failures of the machine rather than of the user's input: a full disk, a read-only or
 * unwritable folder. The CLI prints the message as one line and exits 1, without a stack trace.
 */

import { environmentProblem } from '../util/fsErrors.js';

export { environmentProblem, injectedFault } from '../util/fsErrors.js';

export class DiskError extends Error {
  override readonly name = 'DiskError';
}

export function isDiskError(error: unknown): error is DiskError {
  return error instanceof DiskError;
}

/**
 * Runs a write; an environment failure becomes a DiskError naming `folder` and the problem,
 * anything else is rethrown unchanged.
 */
export function guardWrite<T>(folder: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    const problem = environmentProblem(error);
    if (problem) throw new DiskError(`cannot write in ${folder}: ${problem}`);
    throw error;
  }
}
