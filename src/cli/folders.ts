/** Output folders named on the command line, checked before work starts. */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { UsageError } from '../util/errors.js';

/** Creates `folder` if missing and checks it can be written; a one-line UsageError naming the flag if not. */
export function ensureWritableFolder(folder: string, flag: string): string | undefined {
  try {
    const created = mkdirSync(folder, { recursive: true });
    if (!statSync(folder).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    accessSync(folder, constants.W_OK);
    return created;
  } catch (error) {
    throw new UsageError(`${flag} ${folder}: cannot write there (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give a writable folder`);
  }
}
