/**
 * The apply pass: each valid unit (a row, or a group of rows sent as one body) becomes one
 * request, with bounded concurrency under the client's pacing (issue #9, items 6 and 8).
 *
 * Nothing is ever sent twice blindly: a unit is journalled as sent (durably) before its request,
 * and its outcome after. PUT, PATCH and DELETE are repeated by the client after a lost answer;
 * a POST only when it provably never left. A create whose answer was lost, or answered 502, 503 or
 * 504, is `unknown`; so is a create or upsert an interrupted run sent without an outcome. Those are
 * looked up in Keap by their natural key at the end of the run (resolve.ts, with recoverUnit), and
 * sent again only when Keap has no such record.
 */
import { bodyProperties, singularName } from '../../catalog/index.js';
import type { ActionDef, ResourceDef } from '../../catalog/types.js';
import { OutcomeUnknownError } from '../../api/errors.js';
import type { KeapApi } from '../../api/types.js';
import { ApiError, AuthError, NetworkError } from '../../errors.js';
import { applyRecordMap, pick } from '../project.js';
import type { CheckedRow } from './check.js';
import { recordQuery } from './compare.js';
import type { WriteGuard } from './guard.js';
import type { Journal } from './journal.js';
import { applyTags } from './lookup.js';
import { mergeArrays } from './merge.js';
import type { PreparedImport } from './prepare.js';
import { type ListReads, recordFromList } from './read-plan.js';
import { needsRecord, replacesRecord } from './record-reads.js';
import type { RowOutcome } from './types.js';
import { upsertStatus } from './upsert-status.js';

/** A unit of work: what to send, from which rows. */
export interface Unit {
  row: number;
  checked: CheckedRow;
  /** The row's cells as read (ungrouped rows), for what is compared but not sent (--if-unchanged). */
  cells?: Record<string, unknown>;
}

export interface ApplyContext {
  api: KeapApi;
  prepared: PreparedImport;
  journal: Journal;
  /** When the import began (ms; its journal's first run): an upsert's record created since then was created by it. */
  startedAt: number;
  /** Change detection and --if-unchanged: decided after the record is read. */
  guard?: WriteGuard;
  /** The list read the records come from, when that plan was chosen (read-plan.ts); else one read per row. */
  reads?: ListReads;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `/orders/{order_id}/items/{id}` with the unit's path values, each encoded. */
export function fillPath(path: string, values: Record<string, string | number>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(String(values[name] ?? '')));
}

/** The read of one record whose placeholders the unit's path values fill (`GET /contacts/{id}`). */
function singleRead(resource: ResourceDef, values: Record<string, string | number>): ActionDef | undefined {
  return resource.actions.find(
    (action) =>
      action.kind === 'read-single' && [...action.path.matchAll(/\{([^}]+)\}/g)].every((match) => values[match[1] ?? ''] !== undefined),
  );
}

/**
 * Keap may replace arrays on write (email_addresses, custom_fields, ...: the catalog's arrayWrites):
 * a body naming only EMAIL2 would drop EMAIL1. The record is read and merged (see merge.ts).
 * Required fields an update leaves out are filled too.
 */
function mergeWithRecord(prepared: PreparedImport, checked: CheckedRow, record: Record<string, unknown>): Record<string, unknown> {
  const properties = bodyProperties(prepared.resource, prepared.action);
  const body = mergeArrays({
    resource: prepared.resource,
    properties,
    body: checked.mapped.body,
    record,
    arrays: checked.mapped.partialArrays,
    ...(checked.mapped.coveredValues ? { covered: checked.mapped.coveredValues } : {}),
  });
  // A PUT update replaces the whole record: what the row leaves out is kept as the record has it.
  const fill = replacesRecord(prepared) ? properties.map((property) => property.name) : checked.fillFromRecord;
  for (const name of fill) {
    if (body[name] === undefined && record[name] !== undefined && record[name] !== null) body[name] = record[name];
  }
  return body;
}

/** The record the unit will change, for a merge: by its key, or (upserts) by its natural key. */
async function readExisting(context: ApplyContext, checked: CheckedRow): Promise<Record<string, unknown> | undefined> {
  const { api, prepared } = context;
  const listed = context.reads && (await recordFromList(context.reads, prepared, checked, context.guard));
  if (listed) return listed.record;
  let values = checked.mapped.path;
  if (prepared.kind === 'upsert') {
    const found = await prepared.lookupClient.recover(prepared.resource, checked.mapped.body);
    if (found.kind !== 'found') return undefined; // a new record: nothing to keep
    values = { ...values, id: found.id };
  }
  const read = singleRead(prepared.resource, values);
  if (!read) return undefined;
  const query = recordQuery(prepared.resource, read.query, checked.mapped.body);
  const response = await api.request('GET', fillPath(read.path, values), query ? { query } : {});
  if (!isObject(response.body)) return undefined;
  // Reads that wrap the record (a file's `file_descriptor`) are unwrapped as export does.
  return read.recordMap ? applyRecordMap(response.body, read.recordMap) : response.body;
}

/** The end of every `unknown` row's message: what the user does about it (never "import it as it is"). */
export const CHECK_BEFORE_REIMPORT = 'check in Keap whether it was created before re-importing it';

/** How long before a send a record may be stamped created and still be this send's: Keap's clock is not ours. */
export const CLOCK_SLACK_MS = 5 * 60_000;

/** created / updated / deleted, from the action and Keap's answer. */
function statusOf(context: ApplyContext, status: number, body: unknown): RowOutcome['status'] {
  switch (context.prepared.kind) {
    case 'create':
      return 'created';
    case 'update':
      return 'updated';
    case 'delete':
      return 'deleted';
    case 'upsert':
      return upsertStatus(context.prepared.resource, context.startedAt, status, body);
  }
}

/** The field that is the record's own id: its read-only key (`id`, a hook's `key`), else its last key. */
function ownKey(resource: ResourceDef): string | undefined {
  return resource.keyFields.find((name) => resource.fields.find((field) => field.name === name)?.readOnly) ?? resource.keyFields.at(-1);
}

/**
 * The record's id for `_id`: where the action says the response holds it (`file_descriptor.id`),
 * else its own key in the response, else the key the unit addressed (an update's path, a campaign).
 */
function idOf(prepared: PreparedImport, body: unknown, values: Record<string, string | number>): string | number | undefined {
  const key = ownKey(prepared.resource);
  const path = prepared.action.createdId ?? key;
  const found = path === undefined ? undefined : pick(body, path);
  if (typeof found === 'number' || typeof found === 'string') return found;
  return key === undefined ? undefined : values[key];
}

/** The note on a deleted row whose delete Keap answered 404. */
export const ALREADY_GONE = 'already gone: Keap answered 404 to the delete';

/** Errors that end the whole run (a refused credential, a used-up quota, an unreachable API). */
export function isFatal(error: unknown): boolean {
  if (error instanceof AuthError) return true;
  if (error instanceof ApiError) return error.status === 429;
  return error instanceof NetworkError && !(error instanceof OutcomeUnknownError);
}

/** A gateway's answer: Keap may have acted behind it (a 504 is often a write still running). */
const GATEWAY_STATUSES = new Set([502, 503, 504]);

/** A failed request as the unit's outcome: `unknown` where Keap may have acted (looked up at the end of the run). */
function failure(context: ApplyContext, row: number, error: unknown): RowOutcome {
  if (error instanceof OutcomeUnknownError) return { row, status: 'unknown', error: error.message };
  if (error instanceof ApiError && GATEWAY_STATUSES.has(error.status) && context.prepared.action.method === 'POST') {
    return {
      row,
      status: 'unknown',
      httpStatus: error.status,
      error: `Keap's gateway answered ${error.status} to the ${singularName(context.prepared.resource)}'s create: it may have been created all the same`,
    };
  }
  if (error instanceof ApiError) return { row, status: 'failed', httpStatus: error.status, error: error.keapMessage || error.message };
  return { row, status: 'failed', error: error instanceof Error ? error.message : String(error) };
}

/** Tag ids for a unit's tags column, creating tags by name where --create-tags said so. */
async function tagIdsFor(context: ApplyContext, checked: CheckedRow): Promise<number[]> {
  const { prepared } = context;
  const ids: number[] = [];
  for (const tag of checked.mapped.tags ?? []) {
    if (typeof tag === 'number') ids.push(tag);
    else {
      let id = prepared.tagIds.get(tag.toLowerCase());
      if (id === undefined && prepared.lookupClient.createTag) {
        id = await prepared.lookupClient.createTag(tag);
        prepared.tagIds.set(tag.toLowerCase(), id);
      }
      if (id !== undefined) ids.push(id);
    }
  }
  return ids;
}

/** After the record is written: its tags. A tag Keap refuses fails the row (the record stays written). */
async function finishWithTags(context: ApplyContext, outcome: RowOutcome, checked: CheckedRow): Promise<RowOutcome> {
  if (!checked.mapped.tags?.length || outcome.id === undefined) return outcome;
  const tagIds = await tagIdsFor(context, checked);
  if (!tagIds.length) return outcome;
  const result = await applyTags(context.api, Number(outcome.id), tagIds);
  if (!result.failed.length) return outcome;
  const listed = result.failed.map((failed) => `${failed.tagId} (${failed.status})`).join(', ');
  return {
    row: outcome.row,
    status: 'failed',
    id: outcome.id,
    field: context.prepared.plan.tagsColumn ?? 'tags',
    error: `the ${singularName(context.prepared.resource)} was ${outcome.status} (id ${outcome.id}) but Keap did not apply tag ${listed}`,
  };
}

/** A create (POST) could be made twice by sending it again; an upsert is, but whether it created is then lost. */
export function needsLookup(prepared: PreparedImport): boolean {
  return prepared.action.method === 'POST' || prepared.kind === 'upsert';
}

/**
 * What became of a unit that was sent without a known outcome. Sent again where that is harmless
 * (PATCH, DELETE, PUT updates). A create or upsert an interrupted run sent (`sentAt` undefined)
 * stays `unknown` until the end of the run, when resolve.ts calls this again with its send time:
 * looked up by its natural key, it was created by that send only when exactly one record has the
 * key and that record was created no earlier than CLOCK_SLACK_MS before the send; absent, it is
 * sent (once); anything else leaves it `unknown`. An upsert is sent again rather than left unknown:
 * Keap matches it to the record, so it cannot make a duplicate.
 */
async function recoverUnit(context: ApplyContext, unit: Unit, sentAt: number | undefined): Promise<RowOutcome | 'send'> {
  const { prepared } = context;
  if (!needsLookup(prepared)) return 'send';
  const unknown = (error: string): RowOutcome => ({ row: unit.row, status: 'unknown', error });
  if (sentAt === undefined) return unknown('the interrupted run sent this row but recorded no answer');
  const found = await prepared.lookupClient.recover(prepared.resource, unit.checked.mapped.body).catch((error: unknown) => {
    if (isFatal(error)) throw error;
    return { kind: 'cannot', reason: `the lookup failed: ${error instanceof Error ? error.message : String(error)}` } as const;
  });
  if (found.kind === 'absent') return 'send';
  const madeBySend = found.kind === 'found' && found.createdAt !== undefined && found.createdAt >= sentAt - CLOCK_SLACK_MS;
  if (madeBySend) return { row: unit.row, status: 'created', id: found.id };
  if (prepared.kind === 'upsert') return 'send';
  if (found.kind === 'cannot') return unknown(found.reason);
  const noun = singularName(prepared.resource);
  if (found.createdAt === undefined) {
    return unknown(
      `Keap has a ${noun} with its key (id ${found.id}), but ${prepared.resource.name} show no creation time, so it may have existed before`,
    );
  }
  return unknown(
    `the ${noun} with its key (id ${found.id}) was created ${new Date(found.createdAt).toISOString()}, before this row was sent: it existed already`,
  );
}

/**
 * Sends one unit and returns its outcome; fatal errors (see isFatal) are thrown. `resumed`: the unit
 * was sent before without a known outcome, at `sentAt` when that is known (see recoverUnit).
 */
export async function applyUnit(context: ApplyContext, unit: Unit, resumed: boolean, sentAt?: number): Promise<RowOutcome> {
  const { api, prepared, journal } = context;
  const { checked } = unit;
  const values = checked.mapped.path;
  try {
    if (resumed) {
      const recovered = await recoverUnit(context, unit, sentAt);
      if (recovered !== 'send') return await finishWithTags(context, recovered, checked);
    }
    let body: Record<string, unknown> | undefined = checked.mapped.body;
    if (needsRecord(prepared, checked) || context.guard?.readsRecord) {
      const record = await readExisting(context, checked);
      if (record) body = mergeWithRecord(prepared, checked, record);
      // Keap requires it on update but does not show it on read (a file's file_association): only the row can give it.
      const missing = checked.fillFromRecord.filter((name) => body?.[name] === undefined);
      if (missing.length) {
        const noun = singularName(prepared.resource);
        return {
          row: unit.row,
          status: 'invalid',
          field: missing[0] ?? '',
          error: `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} required to update a ${noun}, and Keap's record does not show ${missing.length > 1 ? 'them' : 'it'}: add ${missing.length > 1 ? 'those columns' : 'that column'}`,
        };
      }
      const held = context.guard?.before({ ...unit, ...(checked.mapped.tags ? { tags: checked.mapped.tags } : {}) }, body, record);
      if (held)
        return {
          ...held,
          ...(idOf(prepared, record, values) !== undefined ? { id: idOf(prepared, record, values) as string | number } : {}),
        };
    }
    const takesBody = prepared.action.kind !== 'delete' && bodyProperties(prepared.resource, prepared.action).length > 0;
    if (takesBody) body = { ...body, ...prepared.callOptions };
    await journal.sent(unit.row, Date.now());
    const path = fillPath(prepared.action.path, values);
    let response: { status: number; body: unknown };
    try {
      response = await api.request(prepared.action.method, path, {
        ...(takesBody ? { body } : {}),
        // PUT, PATCH and DELETE do the same thing twice; a POST could create a duplicate.
        retry: prepared.action.method !== 'POST',
      });
    } catch (error) {
      // A record already gone (deleted in Keap, or by the interrupted run's send) is deleted: said in a note.
      if (prepared.kind === 'delete' && error instanceof ApiError && error.status === 404) {
        return {
          row: unit.row,
          status: 'deleted',
          ...(idOf(prepared, undefined, values) !== undefined ? { id: idOf(prepared, undefined, values) as string | number } : {}),
          error: ALREADY_GONE,
        };
      }
      throw error;
    }
    const id = idOf(prepared, response.body, values);
    const outcome: RowOutcome = {
      row: unit.row,
      status: statusOf(context, response.status, response.body),
      ...(id !== undefined ? { id } : {}),
    };
    return await finishWithTags(context, outcome, checked);
  } catch (error) {
    if (isFatal(error)) throw error;
    return failure(context, unit.row, error);
  }
}
