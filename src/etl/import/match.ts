/**
 * `--match FIELD` (issue 13, item 10): rows find their record by a field of the user's own (a
 * legacy id kept in a custom field, any field or `custom.<label>`) instead of Keap's upsert, which
 * knows only Email and EmailAndName.
 *
 * A value is resolved through a filtered read where the resource's list read filters on the field
 * (contacts by given_name), else through the whole list read once and indexed, as `--lookup` does.
 * One match: the row updates that record (by its update action, so merges, change detection and
 * --if-unchanged apply). None: `--action upsert` creates it (POST), `--action update` fails the
 * row. Several: the row fails.
 */
import { actionsOfKind, plainReadAction, singularName } from '../../catalog/index.js';
import type { ActionDef } from '../../catalog/types.js';
import type { KeapApi } from '../../api/types.js';
import { UsageError } from '../../errors.js';
import type { Reporter } from '../../reporter.js';
import { type ApplyContext, applyUnit, isFatal, type Unit } from './apply.js';
import { valuesAt } from './lookup.js';
import type { MappedRow } from './mapping.js';
import { type PrepareOptions, type PreparedImport, prepareImport } from './prepare.js';
import type { RowProblem } from './validate.js';
import type { ImportInput, RowOutcome } from './types.js';

export interface MatchPlan {
  field: string;
  /** The column the values are in. */
  column: string;
  /** `upsert`: no match creates; `update`: no match fails the row. */
  kind: 'upsert' | 'update';
  /** The import as an update of a matched record, and (upsert) as a create. */
  update: PreparedImport;
  create?: PreparedImport;
  /** The row's value to match by, or undefined when it has none. */
  valueOf(mapped: MappedRow): string | undefined;
  /** The ids of the records holding the value (asked once per value, or of one indexed read). */
  find(value: string, signal?: AbortSignal): Promise<number[]>;
  /** A record's values of the field, as `find` compares them (for a list read indexed by them). */
  recordValues(record: unknown): string[];
}

/** The unit routed: as an update of the one record found, as a create, or the reason it cannot be sent. */
export type Route = { prepared: PreparedImport; unit: Unit } | { outcome: RowOutcome };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Reads the field's values from a record or a body: a custom field by its id, else its dot path. */
function reader(prepared: PreparedImport, field: string): (record: unknown) => string[] {
  if (!field.startsWith('custom.')) return (record) => valuesAt(prepared.resource, record, field);
  const id = prepared.customModel?.labelToId.get(field.slice('custom.'.length));
  return (record) => {
    const fields = isRecord(record) && Array.isArray(record.custom_fields) ? record.custom_fields : [];
    const found = fields.find((entry) => isRecord(entry) && entry.id === id);
    const value = isRecord(found) ? text(found.content) : undefined;
    return value === undefined ? [] : [value];
  };
}

/** Record ids by value: one filtered read per value where the list read can filter on the field, else one indexed read. */
function finder(api: KeapApi, prepared: PreparedImport, field: string, values: (record: unknown) => string[]) {
  const { resource } = prepared;
  const read = plainReadAction(resource);
  if (!read?.shape) throw new UsageError(`--match: ${resource.name} cannot be listed, so no record can be found by ${field}`);
  const shape = read.shape;
  const custom = field.startsWith('custom.');
  const filter = !custom && !field.includes('.') && read.filters?.includes(field) ? field : undefined;
  const query = { ...(read.query ?? {}) };
  if (custom) query.optional_properties = [...(query.optional_properties ?? '').split(',').filter(Boolean), 'custom_fields'].join(',');
  const idOf = (record: Record<string, unknown>) => Number(record[resource.keyFields[0] ?? 'id']);
  const scan = async (extra: Record<string, string>, each: (record: Record<string, unknown>) => void, signal?: AbortSignal) => {
    const pages = api.paginate(read.path, shape, {
      query: { ...query, ...extra },
      pageSize: 1000,
      keyFields: resource.keyFields,
      ...(read.stableOrder ? { order: read.stableOrder } : {}),
      ...(signal ? { signal } : {}),
    });
    for await (const page of pages) for (const record of page.records) if (isRecord(record)) each(record);
  };
  const answers = new Map<string, Promise<number[]>>();
  let index: Promise<Map<string, number[]>> | undefined;
  const readIndex = async (signal?: AbortSignal) => {
    const byValue = new Map<string, number[]>();
    await scan(
      {},
      (record) => {
        for (const value of new Set(values(record))) byValue.set(value, [...(byValue.get(value) ?? []), idOf(record)]);
      },
      signal,
    );
    return byValue;
  };
  return (value: string, signal?: AbortSignal): Promise<number[]> => {
    if (!filter) {
      index ??= readIndex(signal);
      return index.then((byValue) => byValue.get(value) ?? []);
    }
    let answer = answers.get(value);
    if (!answer) {
      const ids = new Set<number>();
      // The filter may match loosely (Keap's may ignore case): only exact values count.
      answer = scan({ [filter]: value }, (record) => (values(record).includes(value) ? ids.add(idOf(record)) : undefined), signal).then(
        () => [...ids],
      );
      answers.set(value, answer);
    }
    return answer;
  };
}

/** The resource's action of a kind, or a UsageError saying --match needs it. */
function needAction(prepared: PreparedImport, kind: 'update' | 'create', why: string): ActionDef {
  const action = actionsOfKind(prepared.resource, kind)[0];
  if (!action) throw new UsageError(`--match: ${prepared.resource.name} cannot be ${kind}d, and ${why}`);
  return action;
}

/**
 * Prepares an import with --match: mapped and checked as the create it may become (upsert) or as
 * the update (update; its id comes from the match), with the match plan attached.
 */
export async function prepareMatched(
  api: KeapApi,
  input: ImportInput,
  options: PrepareOptions & { match?: string },
  reporter: Reporter,
): Promise<PreparedImport> {
  if (options.match === undefined) return prepareImport(api, input, options, reporter);
  const kind = options.action ?? 'upsert';
  if (kind !== 'upsert' && kind !== 'update') {
    throw new UsageError(`--match finds the record a row updates: it works with --action upsert or update, not ${kind}`);
  }
  if (options.duplicateOption) {
    throw new UsageError('--match and --duplicate-option are two ways to find the record: give one of them', {
      hint: '--duplicate-option is Keap’s own upsert (by email); --match FIELD matches on any field',
    });
  }
  const base = await prepareImport(api, input, { ...options, action: kind === 'upsert' ? 'create' : 'update' }, reporter);
  const update = { ...base, action: needAction(base, 'update', 'a matched record is updated'), kind: 'update' as const };
  const create =
    kind === 'upsert'
      ? { ...base, action: needAction(base, 'create', 'a row without a match is created'), kind: 'create' as const }
      : undefined;
  const field = options.match.trim();
  if (field.startsWith('custom.') && !base.customModel?.labelToId.has(field.slice('custom.'.length))) {
    throw new UsageError(`--match ${field}: ${base.resource.name} have no custom field labelled "${field.slice('custom.'.length)}"`);
  }
  const column = base.plan.columnFor(field);
  if (column === undefined) {
    throw new UsageError(`--match ${field}: the file has no column for ${field}`, {
      hint: `name the column ${field}, or map it with --map COLUMN=${field}`,
    });
  }
  if (base.plan.itemArray && base.plan.groupBy)
    throw new UsageError(`--match: ${base.resource.name} rows are grouped into one body, which is not matched row by row`);
  const values = reader(base, field);
  const match: MatchPlan = {
    field,
    column,
    kind,
    update,
    ...(create ? { create } : {}),
    valueOf: (mapped) => values(mapped.body)[0],
    find: finder(api, base, field, values),
    recordValues: values,
  };
  return { ...base, kind, match };
}

/** The validation's problems for a row of a --match import: its id comes from the match, and it needs a value to match by. */
export function reviewProblems(match: MatchPlan, mapped: MappedRow, problems: RowProblem[]): RowProblem[] {
  const keys = new Set(match.update.plan.pathFields);
  const kept = problems.filter((problem) => !keys.has(problem.field ?? ''));
  if (match.valueOf(mapped) === undefined)
    kept.unshift({ field: match.column, message: `no ${match.field} to find the record by (--match)` });
  return kept;
}

/** What two rows writing the same record share: the value they match by. */
export function matchKeyOf(match: MatchPlan, mapped: MappedRow): string | undefined {
  const value = match.valueOf(mapped);
  return value === undefined ? undefined : `${match.field.replace(/\s/g, '_')} ${value}`;
}

/** Where a unit goes: the one record found, a create, or a failed row. `find` replaces the plan's (a list read's index). */
export async function routeUnit(match: MatchPlan, unit: Unit, signal?: AbortSignal, find = match.find): Promise<Route> {
  const value = match.valueOf(unit.checked.mapped) ?? '';
  const ids = await find(value, signal);
  const noun = singularName(match.update.resource);
  const fail = (error: string): Route => ({ outcome: { row: unit.row, status: 'failed', field: match.column, error } });
  if (ids.length > 1) return fail(`several ${match.update.resource.name} have ${match.field} "${value}" (ids ${ids.join(', ')}): not sent`);
  const [id] = ids;
  if (id !== undefined) {
    const mapped = { ...unit.checked.mapped, path: { ...unit.checked.mapped.path, [match.update.plan.pathFields[0] ?? 'id']: id } };
    return { prepared: match.update, unit: { ...unit, checked: { ...unit.checked, mapped } } };
  }
  if (match.create) return { prepared: match.create, unit };
  return fail(`no ${noun} has ${match.field} "${value}" (--action update with --match creates nothing)`);
}

/** Sends one unit of a --match import. */
export async function applyMatched(context: ApplyContext, match: MatchPlan, unit: Unit): Promise<RowOutcome> {
  let route: Route;
  const list = context.reads?.by === 'match' ? context.reads : undefined;
  const idField = match.update.resource.keyFields[0] ?? 'id';
  // With a list read, the record is found in its index, and read from it below (apply.ts).
  const find = list ? async (value: string) => (await list.snapshot.withKey(value)).map((record) => Number(record[idField])) : match.find;
  try {
    route = await routeUnit(match, unit, undefined, find);
  } catch (error) {
    if (isFatal(error)) throw error;
    return {
      row: unit.row,
      status: 'failed',
      field: match.column,
      error: `finding the record by ${match.field}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if ('outcome' in route) return route.outcome;
  // Resolved afresh in every run: a record an interrupted run created is found by its value and
  // updated (harmless twice), and none found means none was created, so nothing needs recovering.
  return applyUnit({ ...context, prepared: route.prepared }, route.unit, false);
}
