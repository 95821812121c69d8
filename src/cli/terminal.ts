/** How wide output may be. */

/** The width used when neither COLUMNS nor the terminal says (and for piped output that needs one). */
export const DEFAULT_COLUMNS = 80;

/**
 * A terminal's width in columns: COLUMNS when it is a positive integer, else what the terminal
 * reports when that is positive (a pseudo-terminal may report 0, e.g. under `script`), else 80.
 */
export function terminalColumns(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): number {
  const given = env.COLUMNS?.trim();
  if (given !== undefined && /^\d+$/.test(given) && Number(given) > 0) return Number(given);
  const reported = stream.columns;
  return Number.isInteger(reported) && reported > 0 ? reported : DEFAULT_COLUMNS;
}

/**
 * The width a table may take: the terminal's (terminalColumns) when the stream is one, so tables
 * fit it; no limit when the output is piped (scripts and files get every column) or the user asks
 * for --wide.
 */
export function outputWidth(stream: NodeJS.WriteStream, wide = false): number | undefined {
  if (wide || !stream.isTTY) return undefined;
  return terminalColumns(stream);
}

/** A width for output that always has one (compare's blocks, the sweep's view): the terminal's, or 80 when piped. */
export function fixedWidth(stream: NodeJS.WriteStream): number {
  return stream.isTTY ? terminalColumns(stream) : DEFAULT_COLUMNS;
}
