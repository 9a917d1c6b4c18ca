/** Rendering helpers shared by the commands: JSON documents and aligned text tables, to the CLI's stdout. */
import type { Writable } from 'node:stream';

/** One JSON document on `out` (the command's `io.stdout`). */
export function printJson(value: unknown, out: Writable): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function renderTable(rows: string[][], header?: string[]): string {
  const all = header ? [header, ...rows] : rows;
  const widths: number[] = [];
  for (const row of all) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${all.map(line).join('\n')}\n`;
}
