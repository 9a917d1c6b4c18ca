import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openOutput, writeFileAtomic } from '../../src/etl/output.js';
import { UsageError } from '../../src/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'infusionsoft-output-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (error) => (error ? reject(error) : resolve())));
}

describe('openOutput to a regular file', () => {
  it('writes to a hidden temp file in the same folder and renames it over the target on commit', async () => {
    const target = join(dir, 'contacts.csv');
    await writeFile(target, 'old complete file\n');
    const output = await openOutput(target);
    await write(output.stream, 'new ');
    const during = await readdir(dir);
    expect(during.filter((n) => n.endsWith('.tmp'))).toHaveLength(1);
    expect(during.find((n) => n.endsWith('.tmp'))).toMatch(new RegExp(`^\\.contacts\\.csv\\.${process.pid}\\.[0-9a-f]+\\.tmp$`));
    expect(await readFile(target, 'utf8')).toBe('old complete file\n');
    await write(output.stream, 'content\n');
    await output.commit();
    expect(await readFile(target, 'utf8')).toBe('new content\n');
    expect(await readdir(dir)).toEqual(['contacts.csv']);
  });

  it('abort leaves no temp file and the previous target untouched', async () => {
    const target = join(dir, 'contacts.csv');
    await writeFile(target, 'previous\n');
    const output = await openOutput(target);
    await write(output.stream, 'half a fi');
    await output.abort();
    expect(await readdir(dir)).toEqual(['contacts.csv']);
    expect(await readFile(target, 'utf8')).toBe('previous\n');
  });

  it('abort of a new target leaves nothing at all', async () => {
    const output = await openOutput(join(dir, 'new.json'));
    await write(output.stream, '[');
    await output.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps the mode of the file it replaces', async () => {
    const target = join(dir, 'private.csv');
    await writeFile(target, 'x');
    await chmod(target, 0o600);
    const output = await openOutput(target);
    await output.commit();
    expect((await stat(target)).mode & 0o777).toBe(0o600);
  });

  it('replaces the file a symlink points to and keeps the link', async () => {
    const real = join(dir, 'real.csv');
    const link = join(dir, 'link.csv');
    await writeFile(real, 'old');
    await symlink(real, link);
    const output = await openOutput(link);
    await write(output.stream, 'new');
    await output.commit();
    expect(await readFile(real, 'utf8')).toBe('new');
    expect(await readFile(link, 'utf8')).toBe('new');
  });

  it('refuses a missing folder or a folder target with a UsageError naming the path', async () => {
    const missing = join(dir, 'no-such-folder', 'out.csv');
    await expect(openOutput(missing)).rejects.toThrow(UsageError);
    await expect(openOutput(missing)).rejects.toThrow(missing);
    await expect(openOutput(dir)).rejects.toThrow(/is a folder/);
  });
});

describe('openOutput to things that are not regular files', () => {
  it('writes /dev/null directly and never renames over it', async () => {
    const output = await openOutput('/dev/null');
    await write(output.stream, 'discarded\n');
    await output.commit();
    const info = await stat('/dev/null');
    expect(info.isCharacterDevice()).toBe(true);
  });

  it('writes a FIFO directly for its reader', async () => {
    const fifo = join(dir, 'pipe');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      console.log('skipped FIFO case: mkfifo is not available');
      return;
    }
    const chunks: Buffer[] = [];
    const reader = createReadStream(fifo);
    const read = new Promise<string>((resolve, reject) => {
      reader.on('data', (c) => chunks.push(c as Buffer));
      reader.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      reader.on('error', reject);
    });
    const output = await openOutput(fifo);
    await write(output.stream, 'through the pipe\n');
    await output.commit();
    expect(await read).toBe('through the pipe\n');
    expect((await stat(fifo)).isFIFO()).toBe(true);
    expect(await readdir(dir)).toEqual(['pipe']);
  });

  it('uses stdout for - and undefined, without closing it', async () => {
    for (const target of [undefined, '-']) {
      const output = await openOutput(target);
      expect(output.stream).toBe(process.stdout);
      expect(output.path).toBeUndefined();
      await output.commit();
      expect(process.stdout.writable).toBe(true);
    }
  });
});

describe('writeFileAtomic', () => {
  it('writes the whole content and leaves no temp file', async () => {
    const target = join(dir, 'state.json');
    await writeFileAtomic(target, '{"a":1}\n');
    await writeFileAtomic(target, '{"a":2}\n');
    expect(await readFile(target, 'utf8')).toBe('{"a":2}\n');
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('refuses a missing folder with a UsageError', async () => {
    await expect(writeFileAtomic(join(dir, 'nope', 'state.json'), '{}')).rejects.toThrow(UsageError);
  });
});
