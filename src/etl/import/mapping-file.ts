/**
 * `--mapping FILE` (issue 13, item 11): one JSON file holding what a repeated migration passes on
 * every run (column maps, constant values, lookups, the group column, the date format, the time
 * zone and the match field), so the run is one flag. The file gives defaults; a flag given on the
 * command line wins for the same column or field. Its format is in docs/import.md.
 *
 *   {
 *     "map": { "E-mail": "email_addresses.EMAIL1.email" },
 *     "set": { "order_type": "Offline" },
 *     "lookup": { "contact_id": "contacts.email", "product_id": "products.sku" },
 *     "groupBy": "invoice",
 *     "dateFormat": "MM/DD/YYYY",
 *     "timezone": "Europe/Berlin",
 *     "match": "custom.Legacy ID"
 *   }
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../errors.js';
import { errorCode } from '../../fs/index.js';
import { parseKeyValues } from '../key-values.js';
import { parseLookup } from './lookup.js';

/** A constant cell: text, or a JSON number or boolean (kept as such for JSON and NDJSON input). */
export type ConstantValue = string | number | boolean;

export interface MappingFile {
  /** Column -> field, as `--map COLUMN=FIELD`. */
  map: Record<string, string>;
  /** Field -> the value every row gets, as `--set FIELD=VALUE`. */
  set: Record<string, ConstantValue>;
  /** Field -> `RESOURCE.KEY`, as `--lookup FIELD=RESOURCE.KEY`. */
  lookup: Record<string, string>;
  groupBy?: string;
  dateFormat?: string;
  timezone?: string;
  match?: string;
}

/** The flags a mapping file gives defaults for (the import command's flags, by the names commander gives them). */
export interface MappingFlags {
  mapping?: string;
  map: string[];
  lookup: string[];
  set: string[];
  groupBy?: string;
  dateFormat?: string;
  timezone?: string;
  match?: string;
}

const OBJECT_KEYS = ['map', 'set', 'lookup'] as const;
const TEXT_KEYS = ['groupBy', 'dateFormat', 'timezone', 'match'] as const;
const KNOWN = [...OBJECT_KEYS, ...TEXT_KEYS] as readonly string[];
const FORMAT_HINT = 'see "Mapping files" in docs/import.md for the keys and their values';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function problem(file: string, message: string, hint = FORMAT_HINT): UsageError {
  return new UsageError(`--mapping ${file}: ${message}`, { hint });
}

/** One of the file's objects (`map`, `set`, `lookup`), its values checked. */
function entries(file: string, key: (typeof OBJECT_KEYS)[number], value: unknown): Record<string, ConstantValue> {
  if (value === undefined) return {};
  if (!isObject(value)) throw problem(file, `"${key}" must be an object of names and values, not ${JSON.stringify(value)}`);
  const out: Record<string, ConstantValue> = {};
  for (const [name, item] of Object.entries(value)) {
    const constant = key === 'set' && (typeof item === 'number' || typeof item === 'boolean');
    if (typeof item !== 'string' && !constant) {
      const wanted = key === 'set' ? 'text, a number or a boolean' : 'text';
      throw problem(file, `"${key}"."${name}" must be ${wanted}, not ${JSON.stringify(item)}`);
    }
    if (name.trim() === '') throw problem(file, `"${key}" has an entry without a name`);
    out[name] = item;
  }
  return out;
}

/** Reads and checks a mapping file. Throws UsageError (exit 2) naming the file, and the key when one is wrong. */
export async function readMappingFile(file: string): Promise<MappingFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const why = errorCode(error) === 'ENOENT' ? 'no such file' : `cannot be read (${errorCode(error) ?? (error as Error).message})`;
    throw problem(file, why, 'check the path, then run again');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw problem(file, `is not JSON (${(error as Error).message})`);
  }
  if (!isObject(parsed)) throw problem(file, 'must hold one JSON object');
  for (const key of Object.keys(parsed)) {
    if (!KNOWN.includes(key)) throw problem(file, `unknown key "${key}"`, `the keys are ${KNOWN.join(', ')}; ${FORMAT_HINT}`);
  }
  const result: MappingFile = {
    map: entries(file, 'map', parsed.map) as Record<string, string>,
    set: entries(file, 'set', parsed.set),
    lookup: entries(file, 'lookup', parsed.lookup) as Record<string, string>,
  };
  for (const key of TEXT_KEYS) {
    const value = parsed[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.trim() === '')
      throw problem(file, `"${key}" must be non-empty text, not ${JSON.stringify(value)}`);
    result[key] = value;
  }
  for (const [field, target] of Object.entries(result.lookup)) {
    try {
      parseLookup(`${field}=${target}`);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      throw problem(file, `"lookup"."${field}": ${error.message.replace(/^--lookup "[^"]*": /, '')}`, error.hint);
    }
  }
  return result;
}

/** Names given by KEY=VALUE flags, for leaving out the file's entries they override. */
function flagKeys(values: readonly string[]): Set<string> {
  return new Set(values.map((item) => item.slice(0, Math.max(item.indexOf('='), 0)).trim()));
}

/**
 * Puts the mapping file (`flags.mapping`) under the flags, in place: its maps and lookups join
 * `--map` and `--lookup` unless a flag names the same column or field, and its groupBy, dateFormat,
 * timezone and match fill the flags of those names that were not given. Returns the constant
 * columns: the file's `set`, then `--set FIELD=VALUE` over them.
 */
export async function applyMappingFile(flags: MappingFlags): Promise<Map<string, ConstantValue>> {
  const constants = new Map<string, ConstantValue>();
  if (flags.mapping !== undefined) {
    const file = await readMappingFile(flags.mapping);
    const mapped = flagKeys(flags.map);
    flags.map = [
      ...Object.entries(file.map).flatMap(([column, field]) => (mapped.has(column) ? [] : [`${column}=${field}`])),
      ...flags.map,
    ];
    const looked = new Set(flags.lookup.map((text) => text.slice(0, Math.max(text.indexOf('='), 0)).trim()));
    flags.lookup = [
      ...Object.entries(file.lookup).flatMap(([field, target]) => (looked.has(field) ? [] : [`${field}=${target}`])),
      ...flags.lookup,
    ];
    for (const [field, value] of Object.entries(file.set)) constants.set(field, value);
    // Pass-through: the flags of these names (--group-by, and --date-format, --timezone and --match as
    // they are added) read the file's value when not given on the command line.
    for (const key of TEXT_KEYS) if (flags[key] === undefined && file[key] !== undefined) flags[key] = file[key];
  }
  for (const [field, value] of parseKeyValues(flags.set, '--set')) constants.set(field, value);
  return constants;
}
