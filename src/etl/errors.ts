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
