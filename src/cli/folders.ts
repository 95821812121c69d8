/** Output folders named on the command line, checked before work starts. */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { EnvironmentError, UsageError } from '../util/errors.js';
import { environmentProblem } from '../util/fsErrors.js';
import { makeFolders } from '../util/makeFolders.js';

/** Creates `folder` if missing and checks it can be written; a one-line UsageError naming the flag if not. */
export function ensureWritableFolder(folder: string, flag: string): string | undefined {
  try {
    const created = makeFolders(folder);
    if (!statSync(folder).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    accessSync(folder, constants.W_OK);
    return created;
  } catch (error) {
    // Unwritable, read-only, full: the machine's fault (exit 1, as the README says); a file in the way is the input's (exit 2).
    const problem = environmentProblem(error);
    if (problem !== null) throw new EnvironmentError(`${flag} ${folder}: cannot write there: ${problem}; give a writable folder`);
    throw new UsageError(`${flag} ${folder}: cannot write there (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give a writable folder`);
  }
}
