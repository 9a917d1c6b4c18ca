/**
 * How a CSV input was written, beyond its delimiter: a byte-order mark and its line ends (issue 13,
 * item 12). The reports are written the same way, so Excel opens them as it opened the input: a
 * "CSV UTF-8" file without its BOM opens as Windows-1252 there, and mangles every accent.
 */

export interface CsvDialect {
  /** The input started with a byte-order mark (UTF-8, or UTF-16 written back as UTF-8 with one). */
  bom: boolean;
  /** The input's line end: CRLF (Windows, Excel) or LF. */
  lineEnding: '\r\n' | '\n';
}

/** Whether the first bytes of a file are a byte-order mark (UTF-8, UTF-16 LE or BE). */
export function startsWithBom(start: Buffer): boolean {
  return (
    (start[0] === 0xef && start[1] === 0xbb && start[2] === 0xbf) ||
    (start[0] === 0xff && start[1] === 0xfe) ||
    (start[0] === 0xfe && start[1] === 0xff)
  );
}

/** The first line end outside quotes in `head`, or undefined while there is none yet. A lone CR counts as CRLF. */
export function lineEndingOf(head: string): CsvDialect['lineEnding'] | undefined {
  let quoted = false;
  for (let i = 0; i < head.length; i++) {
    const char = head[i];
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === '\n') return '\n';
    else if (!quoted && char === '\r') return i + 1 < head.length ? '\r\n' : undefined;
  }
  return undefined;
}
