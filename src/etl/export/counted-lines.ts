/**
 * The files `--state` keeps beside a bookmark for id sweeps and tag memberships: a header line
 * `HEADER<TAB>key<TAB>count`, then one line a record. The count in the header catches a file cut
 * short, even at a line boundary, which would otherwise read as records that disappeared.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { UsageError } from '../../errors.js';
import { writeLinesAtomic } from '../../fs/index.js';

export interface CountedLinesFormat {
  /** The header's first field (`# infusionsoft ids`). */
  header: string;
  /** What the file holds, for messages (`ids`, `memberships`). */
  noun: string;
  /** What one line is, counted (`ids`, `records`). */
  unit: string;
  /** What to tell a user whose file is damaged. */
  hint: string;
}

/**
 * Reads the lines after the header of `key`'s file, handing each non-empty one to `take`; returns
 * how many there were, or undefined when the file does not exist. A file of another key, or one
 * holding another number of lines than its header says, is a UsageError naming it.
 */
export async function readCountedLines(
  file: string,
  key: string,
  format: CountedLinesFormat,
  take: (line: string, damaged: (why: string) => UsageError) => void,
): Promise<number | undefined> {
  const damaged = (why: string) => new UsageError(`${file}: ${why}`, { hint: format.hint });
  let expected: number | undefined;
  let count = 0;
  try {
    const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of lines) {
      if (expected === undefined) {
        const [head, name, total] = line.split('\t');
        if (head !== format.header || name !== key || !/^\d+$/.test(total ?? '')) throw damaged(`not the ${format.noun} of "${key}"`);
        expected = Number(total);
      } else if (line !== '') {
        take(line, damaged);
        count++;
      }
    }
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
  if (expected === undefined) throw damaged('the file is empty');
  if (count !== expected) throw damaged(`it holds ${count} ${format.unit} where it saved ${expected}: it was cut short`);
  return count;
}

/** Writes `key`'s file atomically: the header with `count`, then `lines` (each without its newline). */
export async function writeCountedLines(
  file: string,
  key: string,
  format: CountedLinesFormat,
  count: number,
  lines: Iterable<string>,
): Promise<void> {
  await writeLinesAtomic(
    file,
    (function* () {
      yield `${format.header}\t${key}\t${count}\n`;
      for (const line of lines) yield `${line}\n`;
    })(),
  );
}
