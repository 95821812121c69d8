/**
 * Failures of the machine rather than of the user's input: a full disk, a read-only or
 * unwritable folder. The CLI prints the message as one line and exits 1, without a stack trace.
 */

/** errno codes that mean "this environment cannot take the write", with the words to say. */
const ENVIRONMENT_CODES: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
};

export class DiskError extends Error {
  override readonly name = 'DiskError';
}

export function isDiskError(error: unknown): error is DiskError {
  return error instanceof DiskError;
}

/** The plain words for an environment errno, or null for other errors. */
export function environmentProblem(error: unknown): string | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  // Own keys only: an error whose code is 'toString' is not a disk problem.
  return typeof code === 'string' && Object.hasOwn(ENVIRONMENT_CODES, code) ? ENVIRONMENT_CODES[code] : null;
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

/**
 * Test-only fault injection (documented in CONTRIBUTING.md "Test hooks"): VGRAD_TEST_FAIL_AT=CODE:NAME makes
 * the next write of a file called NAME (e.g. ENOSPC:metrics.jsonl) fail with errno CODE, as a full
 * disk would; VGRAD_TEST_FAIL_AT=internal:model throws a plain internal error while the model is
 * built. For tests on machines where a tiny tmpfs cannot be mounted.
 */
export function injectedFault(point: string): void {
  const spec = process.env.VGRAD_TEST_FAIL_AT;
  if (!spec) return;
  const colon = spec.indexOf(':');
  const kind = spec.slice(0, colon);
  if (spec.slice(colon + 1) !== point) return;
  if (kind === 'internal') throw new Error(`injected internal error at ${point} (VGRAD_TEST_FAIL_AT)`);
  throw Object.assign(new Error(`${kind}: injected failure writing ${point} (VGRAD_TEST_FAIL_AT)`), { code: kind });
}
