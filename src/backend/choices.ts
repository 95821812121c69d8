/** The names --backend accepts. Kept apart from select.ts so validating a flag never loads TensorFlow.js. */
import { UsageError } from '../util/errors.js';

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/**
 * The environment variable that says what `auto` (the --backend default) means: one of the
 * backend names forces that backend, so CI (and a user's shell) can run everything on it.
 */
export const BACKEND_ENV = 'VGRAD_BACKEND';

/** The backend VGRAD_BACKEND forces, or undefined when it is unset, empty or 'auto'; one line if it names no backend. */
export function forcedBackend(env: NodeJS.ProcessEnv = process.env): Exclude<BackendChoice, 'auto'> | undefined {
  const text = env[BACKEND_ENV]?.trim().toLowerCase();
  if (text === undefined || text === '' || text === 'auto') return undefined;
  const choice = BACKEND_CHOICES.find((name) => name === text);
  if (choice === undefined || choice === 'auto') {
    throw new UsageError(`${BACKEND_ENV} '${env[BACKEND_ENV]}' is not a backend; allowed: ${BACKEND_CHOICES.join(', ')} (or unset)`);
  }
  return choice;
}
