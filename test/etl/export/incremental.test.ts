/** The pieces of `--state` change tracking that the end-to-end tests cannot reach one by one. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findResource } from '../../../src/catalog/index.js';
import { UsageError } from '../../../src/errors.js';
import { planExport } from '../../../src/etl/export/plan.js';
import { readState } from '../../../src/etl/export/state.js';
import {
  canonicalJson,
  deletedFileText,
  deletedKeys,
  filterTime,
  hashFilePath,
  recordHash,
  recordIdentity,
  startTracking,
} from '../../../src/etl/export/incremental.js';
import type { Reporter } from '../../../src/reporter.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'infusionsoft-incremental-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const quiet: Reporter = { verbose: false, quiet: true, info() {}, warn() {}, debug() {}, progress: () => ({ update() {}, stop() {} }) };

describe('record hashes', () => {
  it('do not depend on key order, at any depth', () => {
    const a = { id: 1, title: 'x', address: { line1: 'a', city: 'b' }, tags: [{ id: 2, name: 'n' }] };
    const b = { tags: [{ name: 'n', id: 2 }], address: { city: 'b', line1: 'a' }, title: 'x', id: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(recordHash(a)).toBe(recordHash(b));
    expect(recordHash(a)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('change with any value, with array order, and between a number and its text', () => {
    const base = { id: 1, tags: [1, 2], zip: '02134' };
    const hash = recordHash(base);
    expect(recordHash({ ...base, tags: [2, 1] })).not.toBe(hash);
    expect(recordHash({ ...base, zip: 2134 })).not.toBe(hash);
    expect(recordHash({ ...base, extra: null })).not.toBe(hash);
  });

  it('identify a record by its key values, or not at all when one is missing', () => {
    expect(recordIdentity({ id: 12, name: 'x' }, ['id'])).toBe('[12]');
    expect(recordIdentity({ order_id: 3, id: 31 }, ['order_id', 'id'])).toBe('[3,31]');
    expect(recordIdentity({ name: 'x' }, ['id'])).toBeUndefined();
    expect(recordIdentity({ id: 1 }, [])).toBeUndefined();
  });

  it('write deleted keys one a line, and NDJSON objects for several key fields', () => {
    expect(deletedFileText(deletedKeys(['[4]', '["K-9"]', '#0123456789abcdef'], ['id']))).toBe('4\nK-9\n');
    expect(deletedFileText(deletedKeys(['[3,31]'], ['order_id', 'id']))).toBe('{"order_id":3,"id":31}\n');
  });

  it('keep each bookmark key in its own file beside the state file', () => {
    expect(hashFilePath('/srv/keap/state.json', 'appointments')).toBe('/srv/keap/state.json.hashes/appointments.tsv');
    expect(hashFilePath('/srv/keap/state.json', 'order-items?order_id=3')).toBe(
      '/srv/keap/state.json.hashes/order-items%3Forder_id%3D3.tsv',
    );
    const long = hashFilePath('s.json', `notes?contact_id=${'9'.repeat(300)}`);
    expect(long.length).toBeLessThan(200);
    expect(long).not.toBe(hashFilePath('s.json', `notes?contact_id=${'9'.repeat(299)}`));
  });
});

describe('bookmarks', () => {
  it('only dates are times', () => {
    expect(filterTime('2026-01-31T12:00:00+01:00')).toBe('2026-01-31T11:00:00.000Z');
    expect(filterTime('string')).toBeUndefined();
    expect(filterTime('12')).toBeUndefined();
    expect(filterTime(1767225600000)).toBeUndefined();
  });

  it('a bookmark that is not a date is refused when planning, naming the file, key and value', () => {
    const state = { bookmarks: { contacts: { last_updated: 'garbage' } } };
    const plan = () => planExport({ resource: findResource('contacts'), format: 'ndjson', stateFile: 's.json' }, state);
    expect(plan).toThrow(UsageError);
    expect(plan).toThrow('state file s.json: the bookmark "contacts.last_updated" is "garbage", which is not a date');
    // --full-refresh does not read it, and so is the way out.
    expect(
      planExport({ resource: findResource('contacts'), format: 'ndjson', stateFile: 's.json', fullRefresh: true }, state).query.since,
    ).toBeUndefined();
  });

  it('a date bookmark on an event time is not used as a filter', () => {
    const state = { bookmarks: { appointments: { start_date: '2026-01-01T00:00:00.000Z' } } };
    const plan = planExport({ resource: findResource('appointments'), format: 'ndjson', stateFile: 's.json' }, state);
    expect(plan.tracking).toBe('hash');
    expect(plan.query.since).toBeUndefined();
  });
});

describe('the saved hashes', () => {
  it('a damaged hashes file is refused, naming the file and the line', async () => {
    const stateFile = join(dir, 'state.json');
    const hashes = hashFilePath(stateFile, 'notes');
    await mkdir(join(dir, 'state.json.hashes'));
    await writeFile(hashes, '# infusionsoft record hashes v1\tnotes\n0123456789abcdef\t[1]\nnot a line\n');
    const state = { bookmarks: { notes: { hashes: 'state.json.hashes/notes.tsv' } } };
    const request = { resource: findResource('notes'), format: 'ndjson' as const, stateFile };
    const plan = planExport(request, state);
    await expect(startTracking(request, plan, state, { reporter: quiet, startedAt: Date.now() })).rejects.toThrow(`${hashes}, line 3`);
  });
});

describe('hash mode from one run to the next', () => {
  const runOnce = async (resourceName: string, batch: Array<Record<string, unknown>>) => {
    const stateFile = join(dir, 'state.json');
    const state = await readState(stateFile);
    const request = { resource: findResource(resourceName), format: 'ndjson' as const, stateFile };
    const tracker = (await startTracking(request, planExport(request, state), state, { reporter: quiet, startedAt: Date.now() }))!;
    const kept = batch.filter((record) => tracker.keep(record, record));
    return { kept, outcome: await tracker.finish(false) };
  };

  it('keyed records: unchanged ones are skipped, changed ones kept, missing ones reported', async () => {
    const first = await runOnce('notes', [
      { id: 1, title: 'a' },
      { id: 2, title: 'b' },
      { id: 3, title: 'c' },
    ]);
    expect(first.kept.length).toBe(3);
    expect(first.outcome).toMatchObject({ mode: 'hash', compared: false, deleted: [] });
    const second = await runOnce('notes', [
      { title: 'a', id: 1 },
      { id: 3, title: 'c!' },
      { id: 4, title: 'd' },
      { id: 3, title: 'c!' },
    ]);
    expect(second.kept).toEqual([
      { id: 3, title: 'c!' },
      { id: 4, title: 'd' },
    ]);
    expect(second.outcome).toMatchObject({ unchanged: 1, deleted: [2], compared: true });
  });

  it('records without a key: equal twins are both written once, and no deletions are claimed', async () => {
    const twin = { amount_earned: 5, date_earned: '2026-01-01T00:00:00.000Z', description: 'sale' };
    const first = await runOnce('affiliate-commissions', [twin, { ...twin }]);
    expect(first.kept.length).toBe(2);
    expect(first.outcome.deleted).toBeUndefined();
    const second = await runOnce('affiliate-commissions', [{ ...twin }, { ...twin }]);
    expect(second.kept).toEqual([]);
    expect(second.outcome).toMatchObject({ unchanged: 2 });
    const third = await runOnce('affiliate-commissions', [{ ...twin }]);
    expect(third.kept).toEqual([]);
    expect(third.outcome.deleted).toBeUndefined();
  });
});
