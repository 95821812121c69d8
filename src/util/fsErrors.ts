/**
 * Filesystem errors in plain words, and which of them are the machine's fault (exit 1) rather than
 * the input's (exit 2). Also the test-only fault injection every writer shares.
 */

/** errno codes that mean "this environment cannot take the read or write", with the words to say. */
export const ENVIRONMENT_CODES: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
};

/** errno codes that mean the path given is wrong (bad input, exit 2), with the words to say. */
export const INPUT_CODES: Record<string, string> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a folder',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'name too long',
  EEXIST: 'already exists',
  ENOTEMPTY: 'folder not empty',
  EXDEV: 'crosses filesystems',
  ENXIO: 'no such device',
  ENODEV: 'no such device',
  EINVAL: 'invalid path',
};

/** The plain words for an environment errno, or null for other errors. */
export function environmentProblem(error: unknown): string | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  // Own keys only: an error whose code is 'toString' is not a disk problem.
  return typeof code === 'string' && Object.hasOwn(ENVIRONMENT_CODES, code) ? ENVIRONMENT_CODES[code] : null;
}

/** A Node filesystem error (it has an errno code and a syscall), as one line and its exit code; null for other errors. */
export function describeFsError(error: unknown): { line: string; exitCode: 1 | 2 } | null {
  const e = error as NodeJS.ErrnoException | null;
  if (e === null || typeof e !== 'object' || typeof e.code !== 'string' || typeof e.syscall !== 'string') return null;
  const where = e.path === undefined ? '' : ` ${e.path}`;
  const env = environmentProblem(e);
  if (env !== null) return { line: `cannot ${e.syscall}${where}: ${env}`, exitCode: 1 };
  const words = Object.hasOwn(INPUT_CODES, e.code) ? INPUT_CODES[e.code] : e.code;
  return { line: `cannot ${e.syscall}${where}: ${words}`, exitCode: 2 };
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
