/**
 * `KEY=VALUE` pairs, read from flags and from a mapping file's `set` alike, so both the command and
 * the import engine use it. Every error is a UsageError naming the flag and the value.
 */
import { UsageError } from '../errors.js';

/**
 * `KEY=VALUE` pairs (`--where`, `--param`, `--map`); the value may itself contain `=` or be empty.
 * A key given twice is refused: only one value could be sent, and silently keeping one of them
 * would export something other than what the command line says.
 */
export function parseKeyValues(values: readonly string[] | undefined, flag: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const given = new Map<string, string>();
  for (const item of values ?? []) {
    const at = item.indexOf('=');
    const key = at > 0 ? item.slice(0, at).trim() : '';
    if (at <= 0 || key === '') {
      throw new UsageError(`${flag}: "${item}" is not KEY=VALUE`, { hint: `for example ${flag} email=jane@example.com` });
    }
    const value = item.slice(at + 1);
    const earlier = given.get(key);
    if (earlier !== undefined) {
      throw new UsageError(`${flag} ${key} is given twice ("${earlier}" and "${value}")`, {
        hint: `give ${flag} ${key}=... once`,
      });
    }
    given.set(key, value);
    pairs.push([key, value]);
  }
  return pairs;
}
