/**
 * The validation pass: every row read, mapped and checked before the first write (issue #9, item
 * 5). Invalid rows become outcomes for the error report and are never sent. The same mapping runs
 * again in the apply pass (it is deterministic), so a million rows are never all held at once;
 * only rows grouped into one body (orders of line items) are kept, as their units.
 */
import { CellError } from '../errors.js';
import { blameRows, type GroupedUnit, notSentMessage, RowGrouper } from './group.js';
import { mapRow } from './map-row.js';
import type { MappedRow } from './mapping.js';
import { valuesAt } from './lookup.js';
import { matchKeyOf, reviewProblems } from './match.js';
import { cellText, type PreparedImport } from './prepare.js';
import type { ImportInput, InputRow, RowOutcome } from './types.js';
import { type RowProblem, validateBody } from './validate.js';

export type OnDuplicate = 'first' | 'last' | 'error';

export interface CheckOptions {
  onDuplicate: OnDuplicate;
  createTags: boolean;
  /** `--duplicate-option` of an upsert: `EmailAndName` makes the names part of the match key. */
  duplicateOption?: string;
}

/** A row mapped and checked: its body is ready to send, or `problems` say why not. */
export interface CheckedRow {
  mapped: MappedRow;
  problems: RowProblem[];
  /** Required fields an update leaves out: filled from the record read before sending. */
  fillFromRecord: string[];
  /** Tag names no tag has yet (created before applying with --create-tags). */
  newTags: string[];
  /** Email addresses whose surrounding whitespace was trimmed. */
  trimmedEmails?: number;
}

export interface CheckedInput {
  read: number;
  /** Units that will be sent (rows, or groups of rows). */
  valid: number;
  /** Invalid rows and rows skipped by --on-duplicate or --only-created, by row. */
  outcomes: Map<number, RowOutcome>;
  /** Grouped bodies (orders of line items), in the order of their first rows; undefined when every row is a unit. */
  units?: CheckedUnit[];
  /** Row -> the first row of its unit, for rows of a group. */
  unitOf: Map<number, number>;
  /** Update rows that give only the key (skipped: nothing to send). */
  emptyUpdates: number;
  /** Email addresses sent without the whitespace around them in the file (one summary line). */
  trimmedEmails: number;
  /** Grouped input: the groups (orders) in the file, valid or not; a row without a group value is one of its own. */
  groups?: number;
}

function invalid(row: number, problem: RowProblem): RowOutcome {
  return { row, status: 'invalid', ...(problem.field ? { field: problem.field } : {}), error: problem.message };
}

/** Replaces each lookup column's natural key with the id it resolved to, or says why it cannot. */
function substituteLookups(prepared: PreparedImport, row: InputRow): { row: InputRow; problems: RowProblem[] } {
  if (!prepared.lookups.length) return { row, problems: [] };
  const values = { ...row.values };
  const problems: RowProblem[] = [];
  for (const lookup of prepared.lookups) {
    const cell = values[lookup.column];
    if (cell === null || cell === undefined) continue;
    const text = String(cell).trim();
    if (text === '') continue;
    const answer = lookup.results.get(text);
    if (answer && 'id' in answer) {
      values[lookup.column] = typeof cell === 'string' ? String(answer.id) : answer.id;
      continue;
    }
    problems.push({ field: lookup.column, message: answer ? answer.error : `"${text}" was not looked up` });
    // The natural key is not an id: left in, the mapping would report the same cell again as "not a whole number".
    values[lookup.column] = null;
  }
  return { row: { row: row.row, values }, problems };
}

/** Maps one row: lookups substituted, cells read; a cell that does not fit is a problem, not a throw. */
function mapChecked(prepared: PreparedImport, input: InputRow): { mapped: MappedRow; problems: RowProblem[] } {
  const { row, problems } = substituteLookups(prepared, input);
  try {
    return { mapped: mapRow(prepared.plan, row), problems };
  } catch (error) {
    if (!(error instanceof CellError)) throw error;
    const message = error.message.replace(/^column [^:]*: /, '');
    return { mapped: { row: row.row, body: {}, path: {}, partialArrays: [] }, problems: [...problems, { field: error.column, message }] };
  }
}

/** Checks a mapped body (a row's, or a group's) against the action's write facts and the known tags. */
function checkMapped(prepared: PreparedImport, mapped: MappedRow, problems: RowProblem[], options: CheckOptions): CheckedRow {
  const validation = validateBody(prepared.resource, prepared.action, mapped, {
    ...(prepared.customModel ? { customModel: prepared.customModel } : {}),
    columnFor: (field) => prepared.plan.columnFor(field),
    ...(prepared.formats ? { formats: prepared.formats } : {}),
  });
  problems.push(...(prepared.match ? reviewProblems(prepared.match, mapped, validation.problems) : validation.problems));
  const newTags: string[] = [];
  for (const tag of mapped.tags ?? []) {
    if (typeof tag === 'number' || prepared.tagIds.has(tag.toLowerCase())) continue;
    if (options.createTags) newTags.push(tag);
    else problems.push({ field: prepared.plan.tagsColumn ?? 'tags', message: `no tag is named "${tag}"; add --create-tags to create it` });
  }
  return { mapped, problems, fillFromRecord: validation.fillFromRecord, newTags, trimmedEmails: validation.trimmedEmails };
}

/** Maps and checks one row; never throws for a row's own problems. */
export function checkRow(prepared: PreparedImport, input: InputRow, options: CheckOptions): CheckedRow {
  const { mapped, problems } = mapChecked(prepared, input);
  if (problems.length) return { mapped, problems, fillFromRecord: [], newTags: [] };
  return checkMapped(prepared, mapped, problems, options);
}

/** What identifies the record a row writes, for finding two rows of the file that write the same one. */
function matchKey(prepared: PreparedImport, mapped: MappedRow, options: CheckOptions): string | undefined {
  if (prepared.match) return matchKeyOf(prepared.match, mapped);
  if (prepared.kind === 'create') return undefined;
  if (prepared.kind === 'upsert') {
    const key = prepared.resource.naturalKeys?.find((candidate) => candidate.bodyPath);
    if (!key?.bodyPath) return undefined;
    const value = valuesAt(prepared.resource, mapped.body, key.bodyPath).find((candidate) => candidate !== '');
    if (value === undefined) return undefined;
    let text = String(value);
    if (key.ignoreCase) text = text.toLowerCase();
    if (options.duplicateOption === 'EmailAndName')
      text += `\u0000${String(mapped.body.given_name ?? '')}\u0000${String(mapped.body.family_name ?? '')}`;
    return `${key.name} ${text}`;
  }
  const values = prepared.plan.pathFields.map((field) => mapped.path[field]);
  if (values.some((value) => value === undefined)) return undefined;
  return `${prepared.plan.pathFields.join(',')} ${values.join(',')}`;
}

/** Several problems of one row in one message; the first one's field is the row's `_field`. */
function joinProblems(problems: readonly RowProblem[]): string {
  const first = problems[0];
  return problems.map((p) => (p.field && p !== first ? `${p.field}: ${p.message}` : p.message)).join('; ');
}

/** A group of rows sent as one body, checked as one. */
export interface CheckedUnit {
  rows: number[];
  checked: CheckedRow;
}

/**
 * Finds rows that share a match key in flat memory: a million emails kept as strings (which may
 * also hold on to the text they were cut from) cost hundreds of MB, so only a 52-bit hash of each
 * key is kept. Rows whose hashes meet are suspects; their real keys are compared in a second look
 * at just those rows, so a hash collision never makes two different records duplicates.
 */
class MatchKeys {
  /** Each keyed row's hash and row number, in input order (typed arrays: 12 bytes a row). */
  private hashes = new Float64Array(1024);
  private rows = new Int32Array(1024);
  private count = 0;
  private suspectRows = new Set<number>();

  add(key: string, row: number): void {
    if (this.count === this.hashes.length) {
      const hashes = new Float64Array(this.count * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
      const rows = new Int32Array(this.count * 2);
      rows.set(this.rows);
      this.rows = rows;
    }
    this.hashes[this.count] = hashKey(key);
    this.rows[this.count] = row;
    this.count++;
  }

  suspects(row: number): boolean {
    return this.suspectRows.has(row);
  }

  /** The real duplicates among the rows whose hashes meet: key -> rows, in input order. */
  async confirm(suspectKeys: () => AsyncIterable<[string, number]>): Promise<Map<string, number[]>> {
    const used = this.hashes.subarray(0, this.count);
    const sorted = Float64Array.from(used).sort();
    const shared = new Set<number>();
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) shared.add(sorted[i] as number);
    const byKey = new Map<string, number[]>();
    if (shared.size === 0) return byKey;
    for (let i = 0; i < this.count; i++) if (shared.has(used[i] as number)) this.suspectRows.add(this.rows[i] as number);
    for await (const [key, row] of suspectKeys()) byKey.set(key, [...(byKey.get(key) ?? []), row]);
    for (const [key, rows] of byKey) if (rows.length < 2) byKey.delete(key);
    return byKey;
  }
}

/** Two 32-bit FNV-1a hashes of the key's UTF-16 units, folded into 52 bits (exact in a double). */
function hashKey(key: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const unit = key.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x5bd1e995);
  }
  return (a >>> 0) * 0x100000 + ((b >>> 0) & 0xfffff);
}

/** The validation pass over the whole input. */
export async function checkInput(input: ImportInput, prepared: PreparedImport, options: CheckOptions): Promise<CheckedInput> {
  const outcomes = new Map<number, RowOutcome>();
  const grouper = prepared.plan.itemArray && prepared.plan.groupBy ? new RowGrouper(prepared.plan) : undefined;
  const keys = new MatchKeys();
  let read = 0;
  let emptyUpdates = 0;
  let trimmedEmails = 0;
  const groupBy = grouper ? prepared.plan.groupBy : undefined;
  /** Grouped rows without a group value that could not even be mapped: each is a group of its own. */
  let looseRows = 0;
  /** Groups with rows that cannot be sent: the whole order is held back, never sent without those lines. */
  const brokenGroups = new Map<string, number[]>();
  for await (const inputRow of input.rows()) {
    read++;
    if (grouper) {
      const { mapped, problems } = mapChecked(prepared, inputRow);
      const first = problems[0];
      if (first) {
        outcomes.set(mapped.row, invalid(mapped.row, { ...first, message: joinProblems(problems) }));
        const group = groupBy === undefined ? undefined : cellText(inputRow, groupBy);
        if (group !== undefined) brokenGroups.set(group, [...(brokenGroups.get(group) ?? []), mapped.row]);
        else looseRows++;
      } else grouper.add(mapped, inputRow.values);
      continue;
    }
    const checked = checkRow(prepared, inputRow, options);
    const { mapped } = checked;
    // A row that run did not create has nothing to undo, whatever else it lacks (an `_id`).
    if (mapped.onlyCreated && mapped.onlyCreated.action !== 'created') {
      outcomes.set(mapped.row, {
        row: mapped.row,
        status: 'skipped',
        intended: true,
        error: `not created by that run (_action ${mapped.onlyCreated.action || 'empty'})`,
      });
      continue;
    }
    const firstProblem = checked.problems[0];
    if (firstProblem) {
      outcomes.set(mapped.row, invalid(mapped.row, { ...firstProblem, message: joinProblems(checked.problems) }));
      continue;
    }
    trimmedEmails += checked.trimmedEmails ?? 0;
    if (prepared.kind === 'update' && Object.keys(mapped.body).length === 0 && !mapped.tags?.length) {
      // A PATCH of nothing changes nothing: not worth a request, and likely not what was meant.
      outcomes.set(mapped.row, {
        row: mapped.row,
        status: 'skipped',
        intended: true,
        error: 'nothing to update: the row gives only the key',
      });
      emptyUpdates++;
      continue;
    }
    const key = matchKey(prepared, mapped, options);
    if (key !== undefined) keys.add(key, mapped.row);
  }
  const duplicates = await keys.confirm(async function* () {
    for await (const inputRow of input.rows()) {
      if (!keys.suspects(inputRow.row)) continue;
      const key = matchKey(prepared, checkRow(prepared, inputRow, options).mapped, options);
      if (key !== undefined) yield [key, inputRow.row];
    }
  });
  settleDuplicates(duplicates, outcomes, options.onDuplicate, matchColumn(prepared));
  const unitOf = new Map<number, number>();
  let units: CheckedUnit[] | undefined;
  let groups: number | undefined;
  if (grouper) {
    units = [];
    const grouped = grouper.units();
    const held = new Set(grouped.map((unit) => unit.mapped.group));
    groups = grouped.length + looseRows + [...brokenGroups.keys()].filter((group) => !held.has(group)).length;
    for (const unit of grouped) {
      const first = unit.rows[0] ?? unit.mapped.row;
      for (const row of unit.rows) unitOf.set(row, first);
      const broken = (unit.mapped.group === undefined ? undefined : brokenGroups.get(unit.mapped.group)) ?? [];
      const checked = checkMapped(prepared, unit.mapped, [...unit.problems], options);
      if (checked.problems.length || broken.length) {
        holdBack(unit, checked.problems, broken, outcomes, groupBy ?? 'group', (row) => grouper.cellsOf(row));
      } else {
        units.push({ rows: unit.rows, checked });
        trimmedEmails += checked.trimmedEmails ?? 0;
      }
    }
    // A broken group whose every row was invalid has no unit left: nothing to add.
  }
  const valid = units ? units.length : read - outcomes.size;
  return {
    read,
    valid,
    outcomes,
    unitOf,
    emptyUpdates,
    trimmedEmails,
    ...(units ? { units } : {}),
    ...(groups === undefined ? {} : { groups }),
  };
}

/**
 * A group that cannot be sent: each row with a problem of its own is invalid with it; the others
 * (continuation rows with nothing wrong) are invalid as held back, naming the rows to fix.
 */
function holdBack(
  unit: GroupedUnit,
  problems: readonly RowProblem[],
  broken: readonly number[],
  outcomes: Map<number, RowOutcome>,
  groupBy: string,
  cellsOf: (row: number) => Record<string, unknown> | undefined,
): void {
  const blamed = blameRows(unit.rows, problems, cellsOf);
  const invalidRows = [...broken, ...blamed.keys()];
  for (const row of unit.rows) {
    const own = blamed.get(row);
    const first = own?.[0];
    if (first) outcomes.set(row, invalid(row, { ...first, message: joinProblems(own) }));
    else outcomes.set(row, invalid(row, { field: groupBy, message: notSentMessage(groupBy, unit.mapped.group ?? '', invalidRows) }));
  }
}

/** The column that holds the match key, for `_field` (the email column of an upsert, the key of an update). */
function matchColumn(prepared: PreparedImport): string | undefined {
  if (prepared.match) return prepared.match.column;
  if (prepared.kind !== 'upsert') return prepared.plan.pathFields.map((field) => prepared.plan.columnFor(field) ?? field).join(',');
  const key = prepared.resource.naturalKeys?.find((candidate) => candidate.bodyPath);
  return key?.bodyPath ? prepared.plan.columnFor(key.bodyPath) : undefined;
}

function settleDuplicates(
  duplicates: Map<string, number[]>,
  outcomes: Map<number, RowOutcome>,
  policy: OnDuplicate,
  column: string | undefined,
): void {
  for (const [key, rows] of duplicates) {
    const what = key.slice(0, key.indexOf(' '));
    const field = column ?? what;
    const value = key.slice(key.indexOf(' ') + 1).split('\u0000')[0];
    const list = rows.join(', ');
    if (policy === 'error') {
      for (const row of rows) {
        outcomes.set(row, {
          row,
          status: 'invalid',
          field,
          error: `rows ${list} share ${what} "${value}": keep one, or choose one with --on-duplicate first|last`,
        });
      }
      continue;
    }
    const kept = policy === 'first' ? rows[0] : rows[rows.length - 1];
    for (const row of rows) {
      if (row !== kept)
        outcomes.set(row, {
          row,
          status: 'skipped',
          intended: true,
          field,
          error: `row ${kept} has the same ${what} "${value}" (--on-duplicate ${policy})`,
        });
    }
  }
}
