import { execFileSync } from 'node:child_process';
import { closeSync, createReadStream, existsSync, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { chmod, lstat, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectOutput, openOutput, writeFileAtomic } from '../../src/fs/index.js';
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

describe('inspectOutput decides without opening anything', () => {
  const hasProc = existsSync('/proc/self/fd');

  it('names /dev/stdout, /dev/fd/1 and /dev/stderr as our own descriptors', async () => {
    expect(await inspectOutput('/dev/stdout')).toMatchObject({ kind: 'descriptor', fd: 1, target: '/dev/stdout' });
    expect(await inspectOutput('/dev/fd/1')).toMatchObject({ kind: 'descriptor', fd: 1 });
    expect(await inspectOutput('/dev/stderr')).toMatchObject({ kind: 'descriptor', fd: 2 });
    expect(await inspectOutput('-')).toEqual({ kind: 'stdout' });
    expect(await inspectOutput(undefined)).toEqual({ kind: 'stdout' });
  });

  it.skipIf(!hasProc)('follows links, of the file or of a folder on the way, into /proc/self/fd', async () => {
    await symlink('/proc/self/fd/1', join(dir, 'out'));
    await symlink(join(dir, 'out'), join(dir, 'out-again'));
    await symlink('/proc/self/fd', join(dir, 'fds'));
    for (const target of ['out', 'out-again', join('fds', '1')]) {
      const decided = await inspectOutput(join(dir, target));
      expect(decided).toMatchObject({ kind: 'descriptor', fd: 1 });
      expect(decided).not.toHaveProperty('pid');
    }
    expect((await lstat(join(dir, 'out'))).isSymbolicLink()).toBe(true);
  });

  it('a regular file (through a link) is replaced; a new one too; neither is touched yet', async () => {
    const real = join(dir, 'real.csv');
    await writeFile(real, 'kept until commit\n');
    await chmod(real, 0o640);
    await symlink(real, join(dir, 'link.csv'));
    expect(await inspectOutput(join(dir, 'link.csv'))).toEqual({
      kind: 'replace',
      target: join(dir, 'link.csv'),
      path: real,
      mode: 0o640,
    });
    expect(await inspectOutput(join(dir, 'new.csv'))).toMatchObject({ kind: 'replace', path: join(dir, 'new.csv'), mode: 0o666 });
    expect(await readFile(real, 'utf8')).toBe('kept until commit\n');
    expect((await readdir(dir)).sort()).toEqual(['link.csv', 'real.csv']);
  });

  it('a FIFO or a device is written in place', async () => {
    expect(await inspectOutput('/dev/null')).toEqual({ kind: 'in-place', target: '/dev/null', path: '/dev/null', fifo: false });
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    // Inspecting a FIFO must not open it: that would block until a reader came.
    expect(await inspectOutput(fifo)).toEqual({ kind: 'in-place', target: fifo, path: fifo, fifo: true });
  });

  it('refuses a missing folder, a folder, a descriptor that is not open or is read-only', async () => {
    await expect(inspectOutput(join(dir, 'no', 'such', 'x.csv'))).rejects.toThrow(/the folder .*no\/such does not exist/);
    await expect(inspectOutput(dir)).rejects.toThrow(/is a folder/);
    await expect(inspectOutput('/dev/fd/250')).rejects.toThrow(/descriptor 250 is not open/);
    const file = join(dir, 'read-only.txt');
    await writeFile(file, 'x');
    const fd = openSync(file, 'r');
    try {
      await expect(inspectOutput(`/dev/fd/${fd}`)).rejects.toThrow(UsageError);
    } finally {
      closeSync(fd);
    }
  });
});

describe('openOutput through a descriptor of ours', () => {
  it('appends where the descriptor was opened for appending, and leaves it open', async () => {
    const file = join(dir, 'log.ndjson');
    await writeFile(file, '{"held":"before"}\n');
    const fd = openSync(file, 'a');
    try {
      const decided = await inspectOutput(`/dev/fd/${fd}`);
      expect(decided).toMatchObject({ kind: 'descriptor', fd, append: true });
      const output = await openOutput(decided);
      expect(output.inPlace).toBe(true);
      await write(output.stream, '{"new":1}\n');
      await output.commit();
      expect(fstatSync(fd).isFile()).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe('{"held":"before"}\n{"new":1}\n');
      expect(await readdir(dir)).toEqual(['log.ndjson']);
    } finally {
      closeSync(fd);
    }
  });

  it("writes at the descriptor's own position, never truncating what is before it", async () => {
    const file = join(dir, 'out.csv');
    const fd = openSync(file, 'w');
    try {
      const header = Buffer.from('# written by the shell\n');
      // Advances the descriptor's offset, as an `echo` before the export in `{ ...; } > file` does.
      writeSync(fd, header);
      const output = await openOutput(`/dev/fd/${fd}`);
      await write(output.stream, 'id\n1\n');
      await output.commit();
      expect(readFileSync(file, 'utf8')).toBe('# written by the shell\nid\n1\n');
    } finally {
      closeSync(fd);
    }
  });
});
