/**
 * The journal keeps when each row was last sent, for rows whose outcome is unknown or missing, and
 * when its first run started: the lookup at the end of a run waits from the send, judges a found
 * record by it, and counts "created in this import" from the first run (issue 13, item 3).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { journalPathFor, openJournal } from '../../../src/etl/import/journal.js';
import type { JournalIdentity } from '../../../src/etl/import/types.js';

const identity: JournalIdentity = {
  inputHash: 'b'.repeat(64),
  resource: 'contacts',
  action: 'create',
  profile: 'default',
  apiUrl: 'http://127.0.0.1:4010',
};

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'infusionsoft-journal-'));
  path = journalPathFor(join(dir, 'contacts'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('journal: send times and the first start', () => {
  it('keeps the send time of unknown and unanswered rows across runs, and the first run start', async () => {
    const first = await openJournal(path, identity, { resume: false, file: 'contacts.csv' });
    const started = first.started;
    expect(Math.abs(started - Date.now())).toBeLessThan(60_000);
    await first.sent(2, 1_000);
    await first.finish({ row: 2, status: 'created', id: 7 });
    await first.sent(3, 2_000);
    await first.finish({ row: 3, status: 'unknown', error: 'answer lost' });
    await first.sent(4, 3_000);
    expect([first.sentAt(2), first.sentAt(3), first.sentAt(4)]).toEqual([undefined, 2_000, 3_000]);
    await first.close();
    expect((await readFile(path, 'utf8')).split('\n')).toContain('{"s":3,"t":2000}');

    const second = await openJournal(path, identity, { resume: true, file: 'contacts.csv' });
    expect(second.started).toBe(started);
    expect([second.sentAt(2), second.sentAt(3), second.sentAt(4)]).toEqual([undefined, 2_000, 3_000]);
    expect([...second.unresolved]).toEqual([4]);
    // Row 3 sent once more (the end of the run found it absent), then answered.
    await second.sent(3, 5_000);
    await second.finish({ row: 3, status: 'created', id: 9 });
    await second.finish({ row: 4, status: 'unknown', error: 'still not known' });
    await second.close();

    const third = await openJournal(path, identity, { resume: true, file: 'contacts.csv' });
    expect([third.sentAt(3), third.sentAt(4)]).toEqual([undefined, 3_000]);
    expect(third.previous.get(3)).toEqual({ row: 3, status: 'created', id: 9 });
    await third.close();
  });
});
