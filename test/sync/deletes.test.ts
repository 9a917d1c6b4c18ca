/**
 * Deletions of contacts, which are read by update time (issue 18, item 4): `--detect-deletes`
 * sweeps every id; a sweep that could not read every page deletes nothing, and a contact that
 * reappears is un-deleted. One sandbox data file is served first as it is, then by a sandbox
 * whose paging is broken (`ignore-offset`: every page is the first one), then as it is again.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli, sandboxSend, startTestSandbox } from '../support/cli.js';
import { sqliteCount, sqliteRows, tempFolder } from './support.js';

const counts = { contacts: 1100 };

it('a sweep that cannot read every page marks nothing deleted; a complete one does, and a contact that reappears is un-deleted', async () => {
  const folder = tempFolder('sync-sweep-');
  const dataFile = join(folder, 'sandbox.json');
  const db = join(folder, 'keap.db');
  const sync = (env: Record<string, string>) => runCli(['sync', 'contacts', '--detect-deletes', '--to', `sqlite:${db}`], { env });

  const plain = await startTestSandbox({ counts, dataFile });
  try {
    expect((await sync(plain.env)).code).toBe(0);
    await sandboxSend(plain, 'DELETE', '/contacts/5');
  } finally {
    await plain.stop();
  }

  const broken = await startTestSandbox({ counts, dataFile, faults: 'ignore-offset:1' });
  try {
    const run = await sync(broken.env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('contacts: failed');
    expect(sqliteCount(db, 'contacts', 'WHERE _deleted_at IS NOT NULL')).toBe(0);
  } finally {
    await broken.stop();
  }

  const again = await startTestSandbox({ counts, dataFile });
  try {
    const run = await sync(again.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('contacts: swept 1,099 ids in 2 requests for deletions');
    expect(sqliteRows(db, 'SELECT id FROM contacts WHERE _deleted_at IS NOT NULL')).toEqual([{ id: 5 }]);
    expect(sqliteCount(db, 'contacts')).toBe(1100);
  } finally {
    await again.stop();
  }

  // The account as it was before the delete: contact 5 is there again.
  const restored = await startTestSandbox({ counts });
  try {
    const run = await sync(restored.env);
    expect(run.code, run.stderr).toBe(0);
    expect(sqliteCount(db, 'contacts', 'WHERE _deleted_at IS NOT NULL')).toBe(0);
  } finally {
    await restored.stop();
  }
}, 60_000);
