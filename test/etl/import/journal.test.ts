import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { journalPathFor, openJournal } from '../../../src/etl/import/journal.js';
import type { JournalIdentity } from '../../../src/etl/import/types.js';

/** Counts the fsyncs of every appender the journal opens, and can make them fail like a dying disk. */
const disk = vi.hoisted(() => ({ syncs: 0, failSync: false }));
vi.mock('../../../src/fs/index.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../src/fs/index.js')>();
  return {
    ...actual,
    appendDurable: async (...args: Parameters<typeof actual.appendDurable>) => {
      const appender = await actual.appendDurable(...args);
      return {
        ...appender,
        async sync() {
          disk.syncs++;
          if (disk.failSync) throw new Error('EIO: i/o error, fsync');
          await appender.sync();
        },
      };
    },
  };
});

const identity: JournalIdentity = {
  inputHash: 'a'.repeat(64),
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
  disk.syncs = 0;
  disk.failSync = false;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lines = async () => (await readFile(path, 'utf8')).split('\n').filter(Boolean);

/** An earlier run that sent rows 2, 3 and 4, finished 2 and 3, and was then killed. */
async function interruptedRun(): Promise<void> {
  const journal = await openJournal(path, identity, { resume: false, file: 'contacts.csv' });
  await journal.sent(2);
  await journal.finish({ row: 2, status: 'created', id: 101 });
  await journal.sent(3);
  await journal.finish({ row: 3, status: 'failed', httpStatus: 400, field: 'email', error: 'Invalid email,\n"x"' });
  await journal.sent(4);
  await journal.close();
}

describe('journalPathFor', () => {
  it('puts the journal beside the reports', () => {
    expect(journalPathFor('/data/orders')).toBe('/data/orders.journal');
  });
});

describe('writing the journal', () => {
  it('starts with the identity, a version and the start time, then one short line per record, in a 0600 file', async () => {
    const journal = await openJournal(path, identity, { resume: false, file: 'contacts.csv' });
    expect(journal.path).toBe(path);
    expect(journal.previous.size).toBe(0);
    expect(journal.unresolved.size).toBe(0);
    await journal.sent(2);
    await journal.finish({ row: 2, status: 'created', id: 7, error: undefined });
    await journal.complete();
    await journal.close();

    const [header, ...rest] = (await lines()).map((line) => JSON.parse(line));
    expect(header).toMatchObject({ ...identity, v: 1 });
    expect(Number.isNaN(Date.parse(header.started))).toBe(false);
    expect(rest).toEqual([{ s: 2 }, { f: { row: 2, status: 'created', id: 7 } }, { complete: true }]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('has the sent line on disk by the time sent() resolves', async () => {
    const journal = await openJournal(path, identity, { resume: false, file: 'contacts.csv' });
    await journal.sent(9);
    expect(await lines()).toContain('{"s":9}');
    expect(disk.syncs).toBeGreaterThanOrEqual(1);
    await journal.close();
  });

  it('shares fsyncs between concurrent callers (group commit)', async () => {
    const journal = await openJournal(path, identity, { resume: false, file: 'contacts.csv' });
    const rows = Array.from({ length: 200 }, (_, i) => i + 2);
    await Promise.all(rows.map((row) => journal.sent(row)));
    expect(disk.syncs).toBeLessThanOrEqual(2);
    await journal.close();
    expect((await lines()).slice(1)).toEqual(rows.map((row) => `{"s":${row}}`));
  });

  it('batches the lines written while a sync runs into the next sync', async () => {
    const journal = await openJournal(path, identity, { resume: false, file: 'contacts.csv' });
    const first = journal.sent(2);
    // Let the first batch start its sync, then write 50 more while it runs.
    await new Promise((resolve) => setImmediate(resolve));
    const more = Array.from({ length: 50 }, (_, i) => journal.finish({ row: i + 3, status: 'updated' }));
    await Promise.all([first, ...more]);
    expect(disk.syncs).toBe(2);
    await journal.close();
    expect(await lines()).toHaveLength(52);
  });

  it('refuses every later record once a sync failed: nothing after it could be called durable', async () => {
    const journal = await openJournal(path, identity, { resume: false, file: 'contacts.csv' });
    disk.failSync = true;
    await expect(journal.sent(2)).rejects.toThrow(/EIO/);
    disk.failSync = false;
    await expect(journal.finish({ row: 2, status: 'created' })).rejects.toThrow(/EIO/);
    await journal.close();
  });
});

describe('starting afresh (no --resume)', () => {
  it('refuses over an interrupted import, saying how to continue or start over', async () => {
    await interruptedRun();
    const before = await readFile(path, 'utf8');
    const refusal = openJournal(path, identity, { resume: false, file: 'contacts.csv' });
    await expect(refusal).rejects.toThrow(UsageError);
    await expect(refusal).rejects.toThrow(
      `an earlier import of contacts.csv was interrupted: run the same command with --resume to continue it, or delete ${path} to start over`,
    );
    expect(await readFile(path, 'utf8')).toBe(before);
  });

  it('replaces a complete journal', async () => {
    const earlier = await openJournal(path, identity, { resume: false, file: 'contacts.csv' });
    await earlier.sent(2);
    await earlier.finish({ row: 2, status: 'created', id: 1 });
    await earlier.complete();
    await earlier.close();

    const journal = await openJournal(path, { ...identity, resource: 'companies' }, { resume: false, file: 'contacts.csv' });
    expect(journal.previous.size).toBe(0);
    await journal.close();
    const all = await lines();
    expect(all).toHaveLength(1);
    expect(JSON.parse(all[0]!)).toMatchObject({ resource: 'companies' });
    expect(await readdir(dir)).toEqual(['contacts.journal']);
  });

  it('replaces a journal whose run never sent a row (nothing to protect)', async () => {
    const earlier = await openJournal(path, identity, { resume: false, file: 'contacts.csv' });
    await earlier.close();
    const journal = await openJournal(path, identity, { resume: false, file: 'contacts.csv' });
    await journal.close();
    expect(await lines()).toHaveLength(1);
  });

  it('names the folder when it does not exist', async () => {
    const missing = join(dir, 'nope', 'x.journal');
    await expect(openJournal(missing, identity, { resume: false, file: 'x.csv' })).rejects.toThrow(`cannot write ${missing}: the folder`);
  });
});

describe('resuming (--resume)', () => {
  it('knows the earlier outcomes and the rows sent without one', async () => {
    await interruptedRun();
    const journal = await openJournal(path, identity, { resume: true, file: 'contacts.csv' });
    expect([...journal.previous.values()]).toEqual([
      { row: 2, status: 'created', id: 101 },
      { row: 3, status: 'failed', httpStatus: 400, field: 'email', error: 'Invalid email,\n"x"' },
    ]);
    expect([...journal.unresolved]).toEqual([4]);
    await journal.close();
  });

  it('appends to the earlier journal, so a second interruption still knows everything', async () => {
    await interruptedRun();
    const second = await openJournal(path, identity, { resume: true, file: 'contacts.csv' });
    await second.finish({ row: 4, status: 'unknown', error: 'sent, no answer' });
    await second.sent(5);
    await second.close();

    const third = await openJournal(path, identity, { resume: true, file: 'contacts.csv' });
    expect([...third.previous.keys()]).toEqual([2, 3, 4]);
    expect(third.previous.get(4)).toEqual({ row: 4, status: 'unknown', error: 'sent, no answer' });
    expect([...third.unresolved]).toEqual([5]);
    await third.close();
  });

  it('is fine over a complete journal: nothing left to send, every outcome known', async () => {
    const earlier = await openJournal(path, identity, { resume: false, file: 'contacts.csv' });
    await earlier.sent(2);
    await earlier.finish({ row: 2, status: 'deleted' });
    await earlier.complete();
    await earlier.close();
    const journal = await openJournal(path, identity, { resume: true, file: 'contacts.csv' });
    expect(journal.previous.get(2)).toEqual({ row: 2, status: 'deleted' });
    expect(journal.unresolved.size).toBe(0);
    await journal.close();
  });

  it('ignores a torn last line (killed mid-write) and cuts it off before appending', async () => {
    await interruptedRun();
    await appendFile(path, '{"f":{"row":4,"status":"crea');
    const journal = await openJournal(path, identity, { resume: true, file: 'contacts.csv' });
    expect(journal.previous.has(4)).toBe(false);
    expect([...journal.unresolved]).toEqual([4]);
    await journal.finish({ row: 4, status: 'unknown' });
    await journal.close();
    expect((await lines()).at(-1)).toBe('{"f":{"row":4,"status":"unknown"}}');
    const again = await openJournal(path, identity, { resume: true, file: 'contacts.csv' });
    expect(again.previous.get(4)).toEqual({ row: 4, status: 'unknown' });
    await again.close();
  });

  it('treats a journal whose header was torn as no journal', async () => {
    await writeFile(path, '{"journal":"infusionsoft imp');
    await expect(openJournal(path, identity, { resume: true, file: 'contacts.csv' })).rejects.toThrow('nothing to resume for contacts.csv');
    const fresh = await openJournal(path, identity, { resume: false, file: 'contacts.csv' });
    await fresh.close();
    expect(JSON.parse((await lines())[0]!)).toMatchObject(identity);
  });

  it('refuses a damaged line that is not the last, naming the journal and the line', async () => {
    await interruptedRun();
    const whole = await lines();
    whole.splice(2, 0, '{"s":3,,}');
    await writeFile(path, `${whole.join('\n')}\n`);
    const refusal = openJournal(path, identity, { resume: true, file: 'contacts.csv' });
    await expect(refusal).rejects.toThrow(UsageError);
    await expect(refusal).rejects.toThrow(`cannot read the journal ${path}: line 3 is not valid JSON`);
    await expect(refusal).rejects.toMatchObject({ hint: expect.stringContaining(`delete ${path} to start over`) });
  });

  it('refuses an entry it does not know, naming the line', async () => {
    await interruptedRun();
    await appendFile(path, '{"f":{"row":5,"status":"maybe"}}\n');
    await expect(openJournal(path, identity, { resume: true, file: 'contacts.csv' })).rejects.toThrow(
      `cannot read the journal ${path}: line 7 records an outcome it cannot read`,
    );
  });

  it('refuses a file that is not a journal', async () => {
    await writeFile(path, 'id,email\n1,a@example.com\n');
    await expect(openJournal(path, identity, { resume: true, file: 'contacts.csv' })).rejects.toThrow(
      `cannot read the journal ${path}: line 1 is not valid JSON`,
    );
  });

  it('says there is nothing to resume when there is no journal', async () => {
    const refusal = openJournal(path, identity, { resume: true, file: 'contacts.csv' });
    await expect(refusal).rejects.toThrow(UsageError);
    await expect(refusal).rejects.toThrow(`nothing to resume for contacts.csv: there is no journal ${path}`);
    await expect(refusal).rejects.toMatchObject({ hint: 'run the command without --resume to start the import' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses when the input changed since the interrupted run', async () => {
    await interruptedRun();
    const refusal = openJournal(path, { ...identity, inputHash: 'b'.repeat(64) }, { resume: true, file: 'contacts.csv' });
    await expect(refusal).rejects.toThrow(UsageError);
    await expect(refusal).rejects.toThrow('cannot resume: contacts.csv has changed since the interrupted import');
    await expect(refusal).rejects.toMatchObject({ hint: expect.stringMatching(/^restore contacts.csv as it was to resume, or delete /) });
  });

  it('refuses another resource, action, profile or API URL, naming what differs', async () => {
    await interruptedRun();
    const other = { ...identity, resource: 'companies', profile: 'client-b' };
    const refusal = openJournal(path, other, { resume: true, file: 'contacts.csv' });
    await expect(refusal).rejects.toThrow(
      'cannot resume the import of contacts.csv: the interrupted run was another import (resource contacts then, companies now; profile default then, client-b now)',
    );
    await expect(refusal).rejects.toMatchObject({
      hint: expect.stringContaining('run the same command as the interrupted import with --resume'),
    });
    await expect(openJournal(path, { ...identity, action: 'upsert' }, { resume: true, file: 'contacts.csv' })).rejects.toThrow(
      '--action create then, upsert now',
    );
    await expect(
      openJournal(path, { ...identity, apiUrl: 'https://api.infusionsoft.com/crm/rest' }, { resume: true, file: 'c.csv' }),
    ).rejects.toThrow('API URL http://127.0.0.1:4010 then, https://api.infusionsoft.com/crm/rest now');
  });
});
