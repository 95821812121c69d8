/**
 * Colour on or off, by the usual conventions: FORCE_COLOR wins (chalk reads it), then a
 * non-empty NO_COLOR turns colour off, else colour follows whether the stream is a terminal.
 */
import { Chalk, type ChalkInstance } from 'chalk';

export function colorLevel(env: NodeJS.ProcessEnv, isTTY: boolean): 0 | 1 | 2 | 3 {
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    if (force === '2' || force === '3') return Number(force) as 2 | 3;
    return 1;
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  return isTTY ? 1 : 0;
}

export function chalkFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  return new Chalk({ level: colorLevel(env, Boolean(stream.isTTY)) });
}
