import { existsSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bookmark, readState, withBookmark, writeState } from '../../../src/etl/export/state.js';
import { UsageError } from '../../../src/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'infusionsoft-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('export state', () => {
  it('a missing file is an empty state', async () => {
    const state = await readState(join(dir, 'state.json'));
    expect(state).toEqual({ bookmarks: {} });
    expect(bookmark(state, 'contacts')).toBeUndefined();
  });

  it('round-trips bookmarks, keeping other resources and unknown keys', async () => {
    const file = join(dir, 'state.json');
    await writeFile(
      file,
      JSON.stringify({
        version: 9,
        note: { by: 'cron' },
        bookmarks: { orders: { last_updated: '2025-12-01T00:00:00.000Z' }, contacts: { cursor: 'x' } },
      }),
    );
    const state = await readState(file);
    const next = withBookmark(state, 'contacts', 'last_updated', '2026-01-01T00:00:00.000Z');
    expect(bookmark(state, 'contacts')).toEqual({ cursor: 'x' }); // the original is not changed
    await writeState(file, next);
    const reread = await readState(file);
    expect(reread).toEqual({
      version: 9,
      note: { by: 'cron' },
      bookmarks: {
        orders: { last_updated: '2025-12-01T00:00:00.000Z' },
        contacts: { cursor: 'x', last_updated: '2026-01-01T00:00:00.000Z' },
      },
    });
    expect(bookmark(reread, 'contacts')?.last_updated).toBe('2026-01-01T00:00:00.000Z');
    expect(await readdir(dir)).toEqual(['state.json']);
    expect((await readFile(file, 'utf8')).endsWith('\n')).toBe(true);
  });

  it('refuses bad JSON and wrong shapes, naming the file and saying to fix or delete it', async () => {
    const file = join(dir, 'state.json');
    for (const text of [
      '{not json',
      '[]',
      '{"bookmarks": []}',
      '{"bookmarks": {"contacts": 5}}',
      '{"bookmarks": {"contacts": {"last_updated": 5}}}',
    ]) {
      await writeFile(file, text);
      const error = await readState(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).message).toContain(file);
      expect((error as UsageError).hint).toMatch(/fix it, or delete it/);
    }
  });

  it('does not confuse a resource name with an object property', async () => {
    const state = await readState(join(dir, 'none.json'));
    expect(bookmark(state, 'constructor')).toBeUndefined();
    expect(bookmark(state, 'toString')).toBeUndefined();
  });

  it('refuses to write into a missing folder', async () => {
    await expect(writeState(join(dir, 'missing', 'state.json'), { bookmarks: {} })).rejects.toThrow(UsageError);
  });
});

describe('updateState', () => {
  it('keeps every bookmark when many runs save into one file at once', async () => {
    const { updateState, readState: read } = await import('../../../src/etl/export/state.js');
    const dir = mkdtempSync(join(tmpdir(), 'state-lock-'));
    const file = join(dir, 'shared.json');
    const names = Array.from({ length: 12 }, (_, i) => `resource-${i}`);
    await Promise.all(
      names.map((name, i) =>
        updateState(file, (state) => ({
          ...state,
          bookmarks: { ...state.bookmarks, [name]: { last_updated: `2026-01-0${(i % 9) + 1}T00:00:00.000Z` } },
        })),
      ),
    );
    const state = await read(file);
    expect(Object.keys(state.bookmarks).sort()).toEqual([...names].sort());
    expect(readdirSync(dir)).toEqual(['shared.json']);
  });

  it('takes over a lock left by a run that died', async () => {
    const { updateState, readState: read } = await import('../../../src/etl/export/state.js');
    const dir = mkdtempSync(join(tmpdir(), 'state-lock-'));
    const file = join(dir, 'state.json');
    writeFileSync(`${file}.lock`, '12345\n');
    const old = new Date(Date.now() - 5 * 60_000);
    utimesSync(`${file}.lock`, old, old);
    await updateState(file, (state) => ({ ...state, bookmarks: { contacts: { last_updated: 'x' } } }));
    expect((await read(file)).bookmarks.contacts).toEqual({ last_updated: 'x' });
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});

describe('assertStateWritable', () => {
  it('names the flag and the missing folder before any work is done', async () => {
    const { assertStateWritable } = await import('../../../src/etl/export/state.js');
    await expect(assertStateWritable('/nonexistent/folder/s.json', '--state')).rejects.toThrow(
      /--state .*the folder \/nonexistent\/folder does not exist/,
    );
    await expect(assertStateWritable(join(tmpdir(), 's.json'), '--state')).resolves.toBeUndefined();
  });
});
