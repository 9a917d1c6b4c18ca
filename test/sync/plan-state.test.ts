/**
 * `sync --plan --to sqlite:PATH` estimates the run that would happen (issue 18): it reads the
 * database's `_infusionsoft_state` without writing anything, so the night after a first sync it
 * counts only the pages of the records changed since the bookmark, probing the list with the run's
 * own `since=` filter. The database file is compared byte for byte, and the sandbox's request
 * counter shows that only the probes went out.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, sandboxSend, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { totalRequests } from '../support/stats.js';
import { sqliteRows, tempFolder } from './support.js';

const CONTACTS = 250;
const NOTES = 12;
let sandbox: TestSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({ seed: 5, counts: { contacts: CONTACTS, notes: NOTES } });
});
afterAll(async () => {
  await sandbox.stop();
});

const PAGE = ['--page-size', '100'];
const sync = (db: string, args: string[], api: TestSandbox = sandbox) =>
  runCli(['sync', ...args, '--to', `sqlite:${db}`, ...PAGE], { env: api.env });

async function plan(db: string, args: string[]) {
  const result = await sync(db, [...args, '--plan', '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

/** What a look at the folder and the file shows: the file's bytes and time, and every file beside it. */
function snapshot(db: string) {
  return { bytes: readFileSync(db).toString('base64'), mtime: statSync(db).mtimeMs, files: readdirSync(join(db, '..')).sort() };
}

it('estimates every page before the first sync, then only the pages of the records edited since, sending only probes and writing nothing', async () => {
  const folder = tempFolder('sync-plan-state-');
  const db = join(folder, 'keap.db');
  const first = await plan(db, ['contacts']);
  // The sandbox's contacts: CONTACTS plus the account's own; three pages of 100.
  expect(first.resources[0]).toMatchObject({ resource: 'contacts', pages: 3 });
  expect(first.resources[0].records).toBeGreaterThanOrEqual(CONTACTS);
  expect(readdirSync(folder)).toEqual([]);

  expect((await sync(db, ['contacts'])).code).toBe(0);
  const [state] = sqliteRows(db, "SELECT bookmark FROM _infusionsoft_state WHERE resource = 'contacts'");
  const edited = [7, 130, 244];
  for (const id of edited) await sandboxSend(sandbox, 'PATCH', `/contacts/${id}`, { given_name: `Edited ${id}` });
  const before = snapshot(db);
  const sent = await totalRequests(sandbox);
  const perRoute = (await sandbox.stats()).requests;

  const next = await plan(db, ['contacts', '--detect-deletes']);
  const contacts = next.resources[0];
  // The edited ones, and the record the bookmark was taken from (the filter is `>=`): not every contact.
  expect(contacts.records).toBeLessThanOrEqual(edited.length + 1);
  expect(contacts.records).toBeGreaterThanOrEqual(edited.length);
  expect(contacts).toMatchObject({ pages: 1, read: 'incremental', since: state?.bookmark, sweep: 1 });
  expect(first.resources[0]).toMatchObject({ mode: 'since', read: 'first' });
  expect(contacts.requests).toBe(1 + 1);
  expect(next.destination).toBe(`sqlite:${db}`);
  // Only probes: the changed records' first page, and the sweep's first page (its size).
  expect((await totalRequests(sandbox)) - sent).toBe(next.probes);
  expect(next.probes).toBe(2);
  const after = (await sandbox.stats()).requests;
  const routes = Object.keys(after).filter((route) => after[route] !== perRoute[route]);
  expect(routes.map((route) => [route, (after[route] ?? 0) - (perRoute[route] ?? 0)])).toEqual([['GET /contacts', 2]]);
  expect(snapshot(db)).toEqual(before);

  const text = await sync(db, ['contacts', '--detect-deletes', '--plan']);
  expect(text.code, text.stderr).toBe(0);
  expect(text.stdout).toContain(
    `contacts: changed since ${state?.bookmark}: ${contacts.records} records in 1 page, --detect-deletes sweep 1 request: 2 requests\n`,
  );
  expect(text.stdout).toContain(`probes: 2 requests; the state read from sqlite:${db}, nothing written\n`);
  expect(snapshot(db)).toEqual(before);

  // The run that follows reads the records the plan counted, and writes the edited ones.
  const run = await sync(db, ['contacts', '--json']);
  expect(run.code, run.stderr).toBe(0);
  const synced = JSON.parse(run.stdout).resources[0];
  expect(synced).toMatchObject({ inserted: 0, updated: edited.length });
  expect(synced.inserted + synced.updated + synced.unchanged).toBe(contacts.records);
});

it('--full-refresh estimates every record whatever the state; a hash-mode resource reads every record every run', async () => {
  const db = join(tempFolder('sync-plan-full-'), 'keap.db');
  expect((await sync(db, ['contacts', 'notes'])).code).toBe(0);
  const before = snapshot(db);
  const next = await plan(db, ['contacts', 'notes']);
  // Only the few records at or after the bookmark (the first test's edits, read again within the bookmark's margin).
  expect(next.resources[0]).toMatchObject({ resource: 'contacts', read: 'incremental', pages: 1 });
  expect(next.resources[0].records).toBeLessThan(10);
  expect(next.resources[1]).toMatchObject({ resource: 'notes', mode: 'hash', read: 'full', records: NOTES, pages: 1 });
  // The tag lists cost the same whether the run is incremental or full: a sync rebuilds contacts__tags from them.
  const tagged = await plan(db, ['contacts', '--include', 'tags']);
  const tagsFull = await plan(db, ['contacts', '--include', 'tags', '--full-refresh']);
  expect(tagged.resources[0].inverse).toEqual(tagsFull.resources[0].inverse);
  expect(tagged.resources[0].gathered).toBe(tagsFull.resources[0].gathered);
  expect(tagged.resources[0].gathered).toBeGreaterThan(tagged.resources[0].inverse.groups);
  const full = await plan(db, ['contacts', 'notes', '--full-refresh']);
  expect(full.resources[0]).toMatchObject({ resource: 'contacts', read: 'full', pages: 3 });
  expect(full.resources[0].records).toBeGreaterThanOrEqual(CONTACTS);
  expect(full.resources[0].since).toBeUndefined();
  expect(full.resources[1]).toMatchObject({ resource: 'notes', read: 'full', records: NOTES });
  const text = await sync(db, ['contacts', 'notes', '--full-refresh', '--plan']);
  expect(text.stdout).toMatch(/^contacts: every record \(--full-refresh\): [\d,]+ records in 3 pages: 3 requests\n/);
  expect(text.stdout).toContain('notes: every record (compared by content hash every run): 12 records in 1 page: 1 request\n');
  expect(snapshot(db)).toEqual(before);
});

it('says a stopped run continues from its committed cursor, and estimates the pages after it', async () => {
  const db = join(tempFolder('sync-plan-resume-'), 'keap.db');
  expect((await sync(db, ['contacts'])).code).toBe(0);
  // What a first run killed after its second page of 100 commits (resource.ts): its cursor, no bookmark yet.
  const ids = sqliteRows(db, 'SELECT id FROM contacts ORDER BY id LIMIT 100 OFFSET 100').map((r) => String(r.id));
  const position = JSON.stringify({ position: { offset: 100, ids, olderIds: [] } });
  sqliteRows(
    db,
    `UPDATE _infusionsoft_state SET bookmark = NULL, run_since = '', run_started = '2026-05-01T02:00:00.000Z', run_position = '${position}' WHERE resource = 'contacts'`,
  );
  const before = snapshot(db);
  const next = await plan(db, ['contacts']);
  expect(next.resources[0]).toMatchObject({
    read: 'first',
    resume: { started: '2026-05-01T02:00:00.000Z', committed: 200 },
    records: next.resources[0].records,
    pages: 1,
  });
  expect(next.resources[0].records).toBeLessThan(100);
  // The tag lists are read whole all the same: only the pages shrink.
  const tagged = (await plan(db, ['contacts', '--include', 'tags'])).resources[0];
  const whole = (await plan(db, ['contacts', '--include', 'tags', '--full-refresh'])).resources[0];
  expect(tagged).toMatchObject({ pages: 1, gathered: whole.gathered, requests: 1 + whole.gathered });
  expect(whole.requests).toBe(3 + whole.gathered);
  const text = await sync(db, ['contacts', '--plan']);
  expect(text.stdout).toMatch(
    /^contacts: first sync, every record, continuing the stopped run of 2026-05-01T02:00:00.000Z after its 200 committed records: \d+ records in 1 page: 1 request\n/,
  );
  expect(snapshot(db)).toEqual(before);
});

it("refuses another Keap account's tables with exit 2, as the run does, and prints no estimate", async () => {
  const db = join(tempFolder('sync-plan-account-'), 'keap.db');
  expect((await sync(db, ['notes'])).code).toBe(0);
  const before = snapshot(db);
  const other = await startTestSandbox({ seed: 6, counts: { notes: 3 } });
  try {
    const wrong = await sync(db, ['notes', '--plan'], other);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(
      'holds the tables of another Keap account (sandbox5.infusionsoft.com; this run reads sandbox6.infusionsoft.com)',
    );
    expect(wrong.stdout).toBe('');
  } finally {
    await other.stop();
  }
  // The bookmark lives in the database: a bookmark file is refused, as the run refuses it.
  const state = await sync(db, ['notes', '--plan', '--state', join(db, '..', 'state.json')]);
  expect(state.code).toBe(2);
  expect(state.stderr).toContain('the bookmark lives in the database');
  expect(snapshot(db)).toEqual(before);
});
