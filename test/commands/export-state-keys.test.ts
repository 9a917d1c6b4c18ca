/**
 * A job's bookmark is its own (issue 15, item 1): two exports of one resource on one state file
 * that write different things (`--include`, `--fields`) keep separate bookmarks, `--state-key`
 * names a job, and a state file written before keeps working. In-process against the sandbox.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/files.js';
import { runCli, sandboxGet, sandboxSend, startTestSandbox, type TestSandbox } from '../support/cli.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox?.stop();
});

const ids = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { id: number }).id);
const savedKeys = (state: string) => Object.keys((JSON.parse(readFileSync(state, 'utf8')) as { bookmarks: object }).bookmarks).sort();
/** A clock past the bookmark's few minutes of safety margin, so a run's bookmark reaches the newest record. */
const later = () => Date.now() + 10 * 60_000;

async function twoContacts(): Promise<[number, number]> {
  const page = (await sandboxGet(sandbox, '/contacts?limit=2&offset=20')) as { contacts: Array<{ id: number }> };
  return [page.contacts[0]!.id, page.contacts[1]!.id];
}

describe('two jobs on one state file', () => {
  it('export contacts and export contacts --include tags each see a contact edited between their runs', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    const plain = ['export', 'contacts', '--state', state];
    const tagged = ['export', 'contacts', '--include', 'tags', '--state', state];
    expect((await runCli(plain, { env: sandbox.env })).code).toBe(0);
    expect((await runCli(tagged, { env: sandbox.env })).code).toBe(0);
    expect(savedKeys(state)).toEqual(['contacts', 'contacts --include tags']);

    // x is edited, then y a little later: the plain job's next bookmark passes x.
    const [x, y] = await twoContacts();
    const edited = (await sandboxSend(sandbox, 'PATCH', `/contacts/${x}`, { job_title: 'Edited for the tagged job' })) as {
      last_updated: string;
    };
    // y's edit must come a millisecond later than x's on the clock the sandbox stamps with.
    while (Date.now() <= Date.parse(edited.last_updated)) await new Promise((resolve) => setImmediate(resolve));
    await sandboxSend(sandbox, 'PATCH', `/contacts/${y}`, { job_title: 'Edited later' });
    const plainAgain = await runCli(plain, { env: sandbox.env, now: later });
    expect(plainAgain.code, plainAgain.stderr).toBe(0);
    expect(ids(plainAgain.stdout)).toEqual(expect.arrayContaining([x, y]));

    const taggedAgain = await runCli(tagged, { env: sandbox.env, now: later });
    expect(taggedAgain.code, taggedAgain.stderr).toBe(0);
    expect(ids(taggedAgain.stdout)).toEqual(expect.arrayContaining([x, y]));
  });

  it('--fields makes a job of its own; the format does not', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    await runCli(['export', 'contacts', '--fields', 'id,email_addresses.EMAIL1.email', '--state', state, '-o', join(dir, 'a.csv')], {
      env: sandbox.env,
    });
    await runCli(['export', 'contacts', '--fields', 'id,email_addresses.EMAIL1.email', '--state', state, '-o', join(dir, 'a.ndjson')], {
      env: sandbox.env,
    });
    expect(savedKeys(state)).toEqual(['contacts --fields id,email_addresses.EMAIL1.email']);
  });

  it('--state-key names the job; it needs --state and a name', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    const named = await runCli(['export', 'contacts', '--include', 'tags', '--state', state, '--state-key', 'nightly-tagged'], {
      env: sandbox.env,
    });
    expect(named.code, named.stderr).toBe(0);
    expect(savedKeys(state)).toEqual(['nightly-tagged']);
    expect((await runCli(['export', 'contacts', '--state-key', 'x'], { env: sandbox.env })).code).toBe(2);
    const blank = await runCli(['export', 'contacts', '--state', state, '--state-key', ' '], { env: sandbox.env });
    expect(blank.code).toBe(2);
    expect(blank.stderr).toMatch(/--state-key " ": give a name/);
  });
});

it('a state file written before keys named --include keeps working, with one note', async () => {
  const dir = tempDir();
  const state = join(dir, 'state.json');
  const bookmark = '2026-01-01T00:00:00.000Z';
  writeFileSync(state, `${JSON.stringify({ bookmarks: { contacts: { last_updated: bookmark } } })}\n`);
  const result = await runCli(['export', 'contacts', '--include', 'tags', '--state', state, '--verbose'], { env: sandbox.env });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toMatch(/no bookmark under "contacts --include tags" yet; this run continues from "contacts"/);
  expect(result.stderr).toMatch(/continuing from bookmark last_updated >= 2026-01-01T00:00:00.000Z/);
  expect(savedKeys(state)).toEqual(['contacts', 'contacts --include tags']);
  const again = await runCli(['export', 'contacts', '--include', 'tags', '--state', state], { env: sandbox.env });
  expect(again.stderr).not.toMatch(/no bookmark under/);
});
