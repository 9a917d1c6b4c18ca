/**
 * Constant columns (`--set FIELD=VALUE`, a mapping file's `set`; issue 13, item 11): the input seen
 * with one more column per constant, holding its value in every row, so the column plan, lookups,
 * grouping and checks treat it as any column. The reports leave these columns out (the file never
 * had them), and the journal's identity covers them (a resumed run sends the same bodies).
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../../errors.js';
import type { ConstantValue } from './mapping-file.js';
import type { ImportInput, InputRow } from './types.js';

/** The input with the constant columns; a constant for a column the input has is refused (the input is closed then). */
export async function withConstants(input: ImportInput, constants: ReadonlyMap<string, ConstantValue> | undefined): Promise<ImportInput> {
  if (!constants?.size) return input;
  for (const field of constants.keys()) {
    if (input.columns.includes(field)) {
      await input.close();
      throw new UsageError(`--set ${field}: ${input.name} has a column "${field}" already`, {
        hint: `leave ${field} out of --set (or the mapping file's "set"), or rename the column`,
      });
    }
  }
  const extra = [...constants];
  const rows = async function* (): AsyncGenerator<InputRow> {
    for await (const row of input.rows()) {
      const values = { ...row.values };
      for (const [field, value] of extra) values[field] = value;
      yield { row: row.row, values };
    }
  };
  const hash = createHash('sha256').update(input.hash).update(JSON.stringify(extra)).digest('hex');
  return { ...input, columns: [...input.columns, ...constants.keys()], hash, constants, rows };
}
