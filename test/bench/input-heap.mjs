#!/usr/bin/env node
// The import's input streams in flat memory: the heap, after garbage collection, at samples taken
// while every row of a large CSV file and of a large JSON array is read, grows by less than a
// quarter of the file. An input held whole (the file, or all its rows) grows by about its size.
// A bench row (`BENCH_ONLY=input npm run bench`), not a test: heap samples move with the garbage
// collector and the machine. Alone: `npm run build && node --expose-gc test/bench/input-heap.mjs`
// (exit 1 when a target is missed); `--json` prints the rows for run.mjs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const root = join(import.meta.dirname, '..', '..');
const { openInput } = await import(pathToFileURL(join(root, 'dist', 'etl', 'import', 'input.js')).href);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

/** The most the heap grew over `before`, sampled after a collection every 20,000 rows; and the rows read. */
async function heapGrowthWhileReading(input) {
  gc();
  const before = process.memoryUsage().heapUsed;
  let most = 0;
  let count = 0;
  for await (const _row of input.rows()) {
    if (++count % 20_000 === 0) {
      gc();
      most = Math.max(most, process.memoryUsage().heapUsed - before);
    }
  }
  return { most, count };
}

const cases = [
  {
    what: 'import input: CSV file, 100,000 rows',
    name: 'many.csv',
    rows: 100_000,
    content() {
      const line = `someone@example.com,${'a'.repeat(100)},${'b'.repeat(100)}\n`;
      return `email,notes,more\n${line.repeat(this.rows)}`;
    },
  },
  {
    what: 'import input: JSON array, 200,000 elements',
    name: 'many.json',
    rows: 200_000,
    content() {
      const element = `{"email": "someone@example.com", "notes": "${'n'.repeat(100)}"}`;
      return `[\n${Array(this.rows).fill(element).join(',\n')}\n]\n`;
    },
  },
];

export async function inputHeapRows() {
  const dir = mkdtempSync(join(tmpdir(), 'infusionsoft-input-heap-'));
  const rows = [];
  try {
    for (const spec of cases) {
      const content = spec.content();
      writeFileSync(join(dir, spec.name), content);
      const input = await openInput(spec.name, { stdin: Readable.from([]), cwd: dir, tempDir: dir });
      const started = performance.now();
      const { most, count } = await heapGrowthWhileReading(input);
      const seconds = (performance.now() - started) / 1000;
      await input.close();
      const ratio = most / content.length;
      rows.push([
        `${spec.what} (heap growth)`,
        `${(most / 1024 / 1024).toFixed(1)} MB of ${(content.length / 1024 / 1024).toFixed(0)} MB`,
        `${Math.round(count / seconds).toLocaleString('en-US')} rows/s, ${count.toLocaleString('en-US')} read`,
        `${(ratio * 100).toFixed(0)}% of the file`,
        '< 25% of the file, every row read',
        ratio < 0.25 && count === spec.rows ? 'ok' : 'MISSED',
      ]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await inputHeapRows();
  if (process.argv.includes('--json')) console.log(JSON.stringify(rows));
  else for (const row of rows) console.log(row.join(' | '));
  if (rows.some((row) => row.at(-1) !== 'ok')) process.exitCode = 1;
}
