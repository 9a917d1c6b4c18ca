/** The engines' own error classes (the shared ones are in src/errors.ts). */
import { UsageError } from '../errors.js';

/** A cell that cannot be read as its field's type; `column` names it for the error report. */
export class CellError extends UsageError {
  readonly column: string;
  constructor(column: string, message: string) {
    super(`column ${column}: ${message}`);
    this.column = column;
  }
}

/**
 * An input that cannot be used at all (encoding, quoting, header, JSON that is not an array, an
 * empty file): exit 2, nothing sent. The message names the file, and the row and column when known.
 */
export class InputError extends UsageError {
  readonly file: string;
  readonly row: number | undefined;
  readonly column: string | undefined;
  constructor(place: { file: string; row?: number; column?: string }, message: string, options?: { hint?: string }) {
    const where = [
      place.file,
      place.row === undefined ? '' : `row ${place.row}`,
      place.column === undefined ? '' : `column ${place.column}`,
    ]
      .filter(Boolean)
      .join(', ');
    super(`${where}: ${message}`, options);
    this.file = place.file;
    this.row = place.row;
    this.column = place.column;
  }
}
