/**
 * How wide output may be: a terminal's width when the stream is one, so tables fit it; no limit
 * when the output is piped (scripts and files get every column) or the user asks for --wide.
 */
export function outputWidth(stream: NodeJS.WriteStream, wide = false): number | undefined {
  if (wide || !stream.isTTY) return undefined;
  const columns = stream.columns;
  return Number.isInteger(columns) && columns > 0 ? columns : undefined;
}
