import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendDurable } from '../../src/fs/index.js';
import { UsageError } from '../../src/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'infusionsoft-fs-append-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('appendDurable', () => {
  it('appends lines after what the file already holds, one newline each', async () => {
    const path = join(dir, 'journal.ndjson');
    await writeFile(path, '{"batch":0}\n');
    const journal = await appendDurable(path);
    await journal.append(['{"batch":1,"id":1}', '{"batch":1,"id":2}']);
    await journal.sync();
    await journal.append(['{"batch":2,"id":3}']);
    await journal.close();
    expect(await readFile(path, 'utf8')).toBe('{"batch":0}\n{"batch":1,"id":1}\n{"batch":1,"id":2}\n{"batch":2,"id":3}\n');
  });

  it('hands lines to the file at once, so a reader sees them before close', async () => {
    const path = join(dir, 'journal.ndjson');
    const journal = await appendDurable(path);
    await journal.append(['one']);
    await journal.sync();
    expect(await readFile(path, 'utf8')).toBe('one\n');
    await journal.close();
  });

  it('creates a missing file with the mode asked for (before the umask)', async () => {
    const path = join(dir, 'journal.ndjson');
    const journal = await appendDurable(path, { mode: 0o600 });
    await journal.close();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('refuses a line holding a newline, which would split one entry in two, and writes nothing', async () => {
    const path = join(dir, 'journal.ndjson');
    const journal = await appendDurable(path);
    await expect(journal.append(['ok', 'two\nlines'])).rejects.toThrow(/line 2 .* contains a newline/);
    await journal.close();
    expect(await readFile(path, 'utf8')).toBe('');
  });

  it('names the file when its folder does not exist', async () => {
    const path = join(dir, 'missing', 'journal.ndjson');
    await expect(appendDurable(path)).rejects.toThrow(UsageError);
    await expect(appendDurable(path)).rejects.toThrow(`cannot write ${path}: the folder`);
  });

  it('refuses use after close', async () => {
    const journal = await appendDurable(join(dir, 'journal.ndjson'));
    await journal.close();
    await expect(journal.append(['late'])).rejects.toThrow(/closed/);
  });
});
