/**
 * `--include tags --state` on a resource bookmarked by update time (issue 15, item 2): the records
 * whose memberships changed since the last run are written too, although their update time did
 * not move. The memberships come from the gathered field's inverse lists (memberships.ts); the
 * records the date window did not bring are read one by one after the last page.
 */
import { join, relative, dirname, basename } from 'node:path';
import type { KeapApi, Page } from '../../api/types.js';
import { actionsOfKind, singularName } from '../../catalog/index.js';
import type { GatheredDef, ResourceDef } from '../../catalog/types.js';
import { ApiError } from '../../errors.js';
import { counted, type Reporter } from '../../reporter.js';
import { changedMemberships, type MembershipRead, readMembershipFile, readMemberships, writeMembershipFile } from './memberships.js';
import type { Bookmark } from './state.js';

/** Records read one by one per page handed to the writer. */
const EXTRA_PAGE = 50;

export interface MembershipSetup {
  api: KeapApi;
  resource: ResourceDef;
  gathered: GatheredDef;
  stateFile: string;
  bookmarkKey: string;
  /** The job's saved bookmark entry, which names the memberships file of the last run. */
  saved: Bookmark | undefined;
  /** The list query's optional properties, so a record read alone has the same fields. */
  optionalProperties?: string;
  reporter: Reporter;
  signal?: AbortSignal;
}

export interface MembershipTracker {
  /**
   * Reads the memberships, or takes them from the inverse plan's read of the same lists (`shared`),
   * and finds the records whose memberships changed. Called once, before the first page.
   */
  load(shared?: MembershipRead): Promise<void>;
  /** A record the date window brought: written anyway, so not read again. */
  seen(record: Record<string, unknown>): void;
  /** After the last page: the records whose memberships changed, read one by one. */
  extraPages(): AsyncIterable<Page>;
  /** Saves this run's memberships (under the state lock); returns the bookmark's fields for them. */
  save(): Promise<Bookmark>;
  /** Records written for changed memberships alone. */
  readonly written: number;
}

export function membershipFilePath(stateFile: string, key: string, field: string): string {
  const name = encodeURIComponent(`${key}#${field}`).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return join(dirname(stateFile), `${basename(stateFile)}.hashes`, `${name.slice(0, 120)}.memberships.tsv`);
}

export async function startMembershipTracking(setup: MembershipSetup): Promise<MembershipTracker> {
  const { api, resource, gathered, reporter } = setup;
  const inverse = gathered.inverse;
  if (!inverse) throw new Error(`${gathered.name} has no inverse lists`);
  const file = membershipFilePath(setup.stateFile, setup.bookmarkKey, gathered.name);
  const savedFile = setup.saved?.[`${gathered.name}_memberships`];
  const previous = savedFile ? await readMembershipFile(join(dirname(setup.stateFile), savedFile), setup.bookmarkKey) : undefined;
  let current: MembershipRead | undefined;
  let changed = new Set<string>();
  const single = actionsOfKind(resource, 'read-single')[0];
  let written = 0;
  return {
    async load(shared) {
      current = shared ?? (await readMemberships(api, inverse, setup.signal));
      if (previous) changed = changedMemberships(previous, current.digests);
      const read = shared
        ? `took ${counted(current.memberships, `${gathered.name} membership`)} of ${counted(current.groups, 'group')} from the inverse plan's read`
        : `read ${counted(current.memberships, `${gathered.name} membership`)} of ${counted(current.groups, 'group')} in ${counted(current.requests, 'request')}`;
      reporter.info(
        `${resource.name}: ${read}` +
          (previous
            ? `; ${counted(changed.size, singularName(resource), resource.name)} changed ${gathered.name} since the last run`
            : '; the next run writes the records whose memberships change'),
      );
    },
    seen(record) {
      changed.delete(String(record.id));
    },
    async *extraPages() {
      if (!changed.size || !single) return;
      let gone = 0;
      const ids = [...changed];
      for (let start = 0; start < ids.length; start += EXTRA_PAGE) {
        const records: unknown[] = [];
        for (const id of ids.slice(start, start + EXTRA_PAGE)) {
          try {
            const path = single.path.replace('{id}', encodeURIComponent(id));
            const query = {
              ...(single.query ?? {}),
              ...(setup.optionalProperties ? { optional_properties: setup.optionalProperties } : {}),
            };
            const response = await api.request('GET', path, { query, ...(setup.signal ? { signal: setup.signal } : {}) });
            records.push(response.body);
          } catch (error) {
            // Deleted since its memberships were read: nothing to write for it.
            if (error instanceof ApiError && error.status === 404) gone++;
            else throw error;
          }
        }
        written += records.length;
        yield { records, offset: start };
      }
      reporter.info(
        `${resource.name}: wrote ${counted(written, 'record')} whose ${gathered.name} changed without a new update time, one request each` +
          (gone ? ` (${gone} deleted meanwhile)` : ''),
      );
    },
    async save() {
      if (!current) throw new Error(`${gathered.name} memberships were never read`);
      await writeMembershipFile(file, setup.bookmarkKey, current.digests);
      return { [`${gathered.name}_memberships`]: relative(dirname(setup.stateFile), file) };
    },
    get written() {
      return written;
    },
  };
}
