/**
 * Writing the data a command prints (a table, a JSON record) to stdout. When stdout is a file,
 * Node's own stream ignores a short write, so `vgrad run --json > full-disk/x` would end with exit
 * 0 and a truncated file; here every byte is written or the failure is a DiskError (exit 1).
 * Pipes and terminals go through process.stdout (a closed pipe: see main.ts).
 */
import { fstatSync, writeSync } from 'node:fs';
import { DiskError, environmentProblem } from '../store/diskErrors.js';

function stdoutIsFile(): boolean {
  try {
    return fstatSync(1).isFile();
  } catch {
    return false;
  }
}

export function writeStdout(text: string): void {
  if (!stdoutIsFile()) {
    process.stdout.write(text);
    return;
  }
  const bytes = Buffer.from(text, 'utf8');
  try {
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(1, bytes, offset);
  } catch (error) {
    throw new DiskError(`cannot write to stdout: ${environmentProblem(error) ?? (error as Error).message}`);
  }
}
