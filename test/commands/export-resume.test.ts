/**
 * `export --resume` (issue 15, item 4): a run stopped by a used-up daily quota keeps its temporary
 * file and a checkpoint; once the quota resets, `--resume` with the same command continues from the
 * last written page, and the file is byte for byte the one an uninterrupted run writes. A changed
 * command is refused; leftovers are named and removed by the run that replaces them.
 *
 * Two sandboxes with the same seed hold the same records: one without limits writes the reference
 * file, the other has a quota of a few requests and a clock the test moves a day on to reset it.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sandboxSend, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

const DAY = 86_400_000;
const counts = { contacts: 40 };
let shift = 0;
let reference: TestSandbox;
let limited: TestSandbox;

beforeAll(async () => {
  reference = await startTestSandbox({ counts });
  limited = await startTestSandbox({ counts, limits: 'pat,quota=7,spike=1000,throttle=10000', now: () => Date.now() + shift });
});
afterAll(async () => {
  await reference?.stop();
  await limited?.stop();
});

const leftovers = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.tmp') || name.endsWith('.checkpoint'));
const BOOKMARK = '{"bookmarks":{"contacts":{"last_updated":"2020-01-01T00:00:00.000Z"}}}\n';

/** Runs until the quota stops it (exit 1), checking what it says; returns the first stop's stderr. */
async function stoppedRun(args: string[]): Promise<string> {
  const result = await runCli(args, { env: limited.env });
  expect(result.stderr).toMatch(/quota is used up; it resets at \d{4}-\d\d-\d\dT00:00:00\.000Z/);
  expect(result.code).toBe(1);
  return result.stderr;
}

/** `--resume` after each reset of the quota until the run finishes; how many resumed runs it took. */
async function resumeUntilDone(args: string[]): Promise<number> {
  for (let attempt = 1; attempt <= 6; attempt++) {
    shift += DAY;
    const result = await runCli([...args, '--resume'], { env: limited.env });
    if (result.code === 0) return attempt;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/quota is used up/);
  }
  throw new Error('the resumed export never finished');
}

describe.each([
  { format: 'csv', state: true },
  { format: 'json', state: false },
  { format: 'ndjson', state: false },
])('$format (with --state: $state)', ({ format, state }) => {
  it('a quota-stopped run resumes into the file an uninterrupted run writes, byte for byte', async () => {
    const dir = tempDir();
    const flags = (name: string) => [
      'export',
      'contacts',
      '--page-size',
      '5',
      '-o',
      join(dir, `${name}.${format}`),
      ...(state ? ['--state', join(dir, `${name}-state.json`)] : []),
    ];
    if (state) {
      writeFileSync(join(dir, 'clean-state.json'), BOOKMARK);
      writeFileSync(join(dir, 'run-state.json'), BOOKMARK);
    }
    const clean = await runCli(flags('clean'), { env: reference.env });
    expect(clean.code, clean.stderr).toBe(0);

    const stderr = await stoppedRun(flags('run'));
    // The exact command to continue with, and the kept part named.
    expect(stderr).toContain(`to continue: infusionsoft ${flags('run').join(' ')} --resume`);
    expect(stderr).toMatch(/what was written so far \(\d+ contacts\) is kept in .*\.run\.\w+\.\d+\.[0-9a-f]+\.tmp/);
    expect(existsSync(join(dir, `run.${format}`))).toBe(false);
    expect(leftovers(dir).length).toBe(2);
    if (state) expect(readFileSync(join(dir, 'run-state.json'), 'utf8')).toBe(BOOKMARK);

    expect(await resumeUntilDone(flags('run'))).toBeGreaterThanOrEqual(1);
    expect(readFileSync(join(dir, `run.${format}`))).toEqual(readFileSync(join(dir, `clean.${format}`)));
    expect(leftovers(dir)).toEqual([]);
    if (state) {
      // The bookmark moves once, to where the uninterrupted run's moved.
      const saved = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')).bookmarks.contacts.last_updated;
      expect(saved('run-state.json')).toBe(saved('clean-state.json'));
    }
  });
});

it('--state: a change read before the stop still moves the bookmark the resumed run saves', async () => {
  const dir = tempDir();
  const state = join(dir, 'state.json');
  writeFileSync(state, BOOKMARK);
  shift += DAY;
  // Contact 1, on the first page, is the newest: every other one was last updated before 2026-10.
  await sandboxSend(limited, 'PATCH', '/contacts/1', { job_title: 'Resumed' });
  const args = ['export', 'contacts', '--page-size', '5', '--state', state, '-o', join(dir, 'c.ndjson')];
  await stoppedRun(args);
  await resumeUntilDone(args);
  const first = JSON.parse(readFileSync(join(dir, 'c.ndjson'), 'utf8').split('\n')[0] as string);
  expect(first).toMatchObject({ id: 1, job_title: 'Resumed' });
  const saved = JSON.parse(readFileSync(state, 'utf8')).bookmarks.contacts.last_updated as string;
  expect(Date.parse(saved)).toBeGreaterThan(Date.UTC(2026, 9, 1));
});

it('records deleted before the resume point meanwhile: the resumed paging finds its place again, nothing skipped', async () => {
  const dir = tempDir();
  const out = join(dir, 'c.ndjson');
  const args = ['export', 'contacts', '--page-size', '5', '-o', out];
  shift += DAY;
  await stoppedRun(args);
  shift += DAY;
  // Six contacts from the pages already written go: every later record moves six places forward.
  for (let id = 1; id <= 6; id++) await sandboxSend(limited, 'DELETE', `/contacts/${id}`);
  await resumeUntilDone(args);
  const ids = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { id: number }).id);
  expect(new Set(ids).size).toBe(ids.length);
  for (let id = 7; id <= 40; id++) expect(ids).toContain(id);
});

it('refuses --resume with a changed command (exit 2, saying what differs) and keeps the leftover', async () => {
  const dir = tempDir();
  const out = join(dir, 'c.csv');
  shift += DAY;
  await stoppedRun(['export', 'contacts', '--page-size', '5', '-o', out]);
  const before = leftovers(dir);
  expect(before.length).toBe(2);
  shift += DAY;
  const changed = await runCli(['export', 'contacts', '--page-size', '5', '-o', out, '--fields', 'id,email', '--resume'], {
    env: limited.env,
  });
  expect(changed.code).toBe(2);
  expect(changed.stderr).toMatch(/--resume: .*--fields: \(none\) then, \["id","email"\] now/);
  expect(leftovers(dir)).toEqual(before);
});

it('names the leftover of a stopped run, and the run that replaces it removes it', async () => {
  const dir = tempDir();
  const out = join(dir, 'c.ndjson');
  shift += DAY;
  await stoppedRun(['export', 'contacts', '--page-size', '5', '-o', out]);
  const [temp] = leftovers(dir).filter((name) => name.endsWith('.tmp'));
  shift += DAY;
  const replacing = await runCli(['export', 'contacts', '--page-size', '5', '--max', '5', '-o', out], { env: limited.env });
  expect(replacing.code, replacing.stderr).toBe(0);
  expect(replacing.stderr).toContain(`warning: a stopped export left ${join(dir, temp as string)}`);
  expect(replacing.stderr).toMatch(/resumable with --resume/);
  expect(leftovers(dir)).toEqual([]);
  expect(readFileSync(out, 'utf8').trim().split('\n').length).toBe(5);
});

it('--resume with nothing to resume runs the export from the start, with a note', async () => {
  const dir = tempDir();
  const out = join(dir, 'c.ndjson');
  const result = await runCli(['export', 'contacts', '--max', '3', '-o', out, '--resume'], { env: reference.env });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toMatch(/nothing to resume for .*c\.ndjson/);
  expect(readFileSync(out, 'utf8').trim().split('\n').length).toBe(3);
});

it('refuses --resume where no checkpoint can be kept (gzip), before any request', async () => {
  const dir = tempDir();
  const result = await runCli(['export', 'contacts', '-o', join(dir, 'c.csv.gz'), '--resume'], { env: reference.env });
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/--resume: .*gzip/);
});
