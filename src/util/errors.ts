/**
 * A problem with what the user asked for (a flag, a file, a folder).
 * The CLI prints its message as one line on stderr and exits with code 2, never a stack trace.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function isUsageError(error: unknown): error is UsageError {
  return error instanceof UsageError;
}

/**
 * The machine cannot do what was asked (a tool or library is missing, a build failed): the CLI
 * prints the message as one line on stderr and exits 1.
 */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
}

export function isEnvironmentError(error: unknown): error is EnvironmentError {
  return error instanceof EnvironmentError;
}
