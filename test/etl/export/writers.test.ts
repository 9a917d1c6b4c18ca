import { parse } from 'csv-parse/sync';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvColumns } from '../../../src/etl/columns.js';
import { csvParseOptions } from '../../../src/etl/csv-cells.js';
import { createFlattenPlan } from '../../../src/etl/flatten.js';
import { createRecordWriter, type ExportFormat } from '../../../src/etl/export/writers.js';
import { contactsResource } from '../fixtures.js';

/** A stream that collects everything, optionally with a tiny buffer to force backpressure. */
function collector(highWaterMark = 16 * 1024) {
  const chunks: string[] = [];
  let writes = 0;
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      writes++;
      setImmediate(callback); // slow consumer
    },
  });
  return { stream, text: () => chunks.join(''), writes: () => writes };
}

async function writeAll(format: ExportFormat, records: Array<Record<string, unknown>>, highWaterMark?: number) {
  const sink = collector(highWaterMark);
  const columns = csvColumns(contactsResource);
  const plan = createFlattenPlan(contactsResource, columns);
  const writer = createRecordWriter(format, sink.stream, format === 'csv' ? { columns, plan } : {});
  for (const record of records) await writer.write(record);
  await writer.end();
  await new Promise<void>((resolve) => sink.stream.end(resolve));
  return { text: sink.text(), count: writer.count, writes: sink.writes() };
}

const records = Array.from({ length: 3 }, (_, i) => ({
  id: i + 1,
  given_name: i === 1 ? 'Line\nbreak, "q"' : `Name ${i}`,
  email_addresses: [{ email: `p${i}@example.com`, field: 'EMAIL1' }],
}));

describe('record writers', () => {
  it('json: a valid array, and [] when empty', async () => {
    const { text, count } = await writeAll('json', records);
    expect(JSON.parse(text)).toEqual(records);
    expect(count).toBe(3);
    expect(text.startsWith('[\n')).toBe(true);
    expect(text.endsWith('\n]\n')).toBe(true);
    expect((await writeAll('json', [])).text).toBe('[]\n');
  });

  it('ndjson: one JSON document per line, and nothing when empty', async () => {
    const { text } = await writeAll('ndjson', records);
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l))).toEqual(records);
    expect((await writeAll('ndjson', [])).text).toBe('');
  });

  it('csv: header then one row per record, LF line ends, parseable', async () => {
    const { text } = await writeAll('csv', records);
    const rows = parse(text, csvParseOptions()) as unknown as Array<Record<string, string | null>>;
    expect(rows.map((r) => r.given_name)).toEqual(['Name 0', 'Line\nbreak, "q"', 'Name 2']);
    expect(rows[0]!['email_addresses.EMAIL1.email']).toBe('p0@example.com');
    expect(text.split('\n')[0]).toBe(csvColumns(contactsResource).join(','));
    expect(text).not.toContain('\r');
    const empty = await writeAll('csv', []);
    expect(empty.text).toBe(`${csvColumns(contactsResource).join(',')}\n`);
  });

  it('respects backpressure and batches small writes into larger chunks', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ id: i, given_name: `Person ${i}`, tag_ids: [i] }));
    for (const format of ['csv', 'json', 'ndjson'] as const) {
      const { text, writes } = await writeAll(format, many, 1024);
      expect(writes).toBeLessThan(many.length / 20);
      if (format === 'json') expect(JSON.parse(text)).toHaveLength(5000);
      if (format === 'ndjson') expect(text.trimEnd().split('\n')).toHaveLength(5000);
      if (format === 'csv') expect(parse(text, csvParseOptions())).toHaveLength(5000);
    }
  });

  it('waits for drain instead of buffering without bound', async () => {
    const stream = new PassThrough({ highWaterMark: 1024 }); // nobody reads it
    const writer = createRecordWriter('ndjson', stream, { chunkSize: 512 });
    let settled = false;
    const big = { id: 1, note: 'x'.repeat(2000) };
    let pending: Promise<void> | void;
    let written = 0;
    for (let i = 0; i < 10 && !pending; i++, written++) pending = writer.write(big);
    expect(pending).toBeInstanceOf(Promise);
    // It asked to wait at the first chunk over the stream's limit, not after all ten.
    expect(written).toBeLessThan(10);
    expect(stream.writableLength).toBeLessThan(1024 + 2 * 2100);
    void (pending as Promise<void>).then(() => (settled = true));
    // A write that did not wait would have settled by now (a microtask, or the next turn); only
    // the reader below can end this wait.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    stream.resume();
    await pending;
    expect(settled).toBe(true);
  });

  it('rejects when the output fails while waiting', async () => {
    const stream = new PassThrough({ highWaterMark: 16 });
    const writer = createRecordWriter('ndjson', stream, { chunkSize: 1 });
    const pending = writer.write({ id: 1, note: 'x'.repeat(100) });
    expect(pending).toBeInstanceOf(Promise);
    stream.destroy(new Error('disk full'));
    await expect(pending).rejects.toThrow('disk full');
  });
});
