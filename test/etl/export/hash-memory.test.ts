import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findResource } from '../../../src/catalog/index.js';
import { planExport } from '../../../src/etl/export/plan.js';
import { hashFilePath, recordHash, startTracking } from '../../../src/etl/export/incremental.js';
import { readState } from '../../../src/etl/export/state.js';
import type { Reporter } from '../../../src/reporter.js';

const quiet: Reporter = { verbose: false, quiet: true, info() {}, warn() {}, debug() {}, progress: () => ({ update() {}, stop() {} }) };

describe('hash mode memory', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hash-ledger-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // The collector, to measure what is held rather than what is not yet collected.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const held = () => {
    gc();
    const usage = process.memoryUsage();
    return usage.heapUsed + usage.arrayBuffers;
  };

  it('a second run over 100,000 notes holds the hashes of both runs in under 40 bytes a record', async () => {
    const N = 100_000;
    const stateFile = join(dir, 'state.json');
    await mkdir(join(dir, 'state.json.hashes'));
    const lines = ['# infusionsoft record hashes v1\tnotes'];
    for (let id = 1; id <= N; id++) lines.push(`${(id * 2654435761).toString(16).padStart(16, '0').slice(-16)}\t[${id}]`);
    await writeFile(hashFilePath(stateFile, 'notes'), `${lines.join('\n')}\n`);
    lines.length = 0;
    await writeFile(stateFile, JSON.stringify({ bookmarks: { notes: { hashes: 'state.json.hashes/notes.tsv', records: String(N) } } }));
    const state = await readState(stateFile);
    const request = { resource: findResource('notes'), format: 'ndjson' as const, stateFile };
    const before = held();
    const tracker = (await startTracking(request, planExport(request, state), state, { reporter: quiet, startedAt: Date.now() }))!;
    let kept = 0;
    for (let id = 1; id <= N; id++) {
      const note = { id, title: `note ${id}` };
      if (tracker.keep(note, note)) kept++;
    }
    const perRecord = (held() - before) / N;
    expect(kept).toBe(N);
    expect(perRecord).toBeLessThan(40);
    const outcome = await tracker.finish(false);
    expect(outcome).toMatchObject({ unchanged: 0, deleted: [], compared: true });
    expect(JSON.parse(await readFile(stateFile, 'utf8')).bookmarks.notes.records).toBe(String(N));
  });

  it('a hashes file written before is read, and written again byte for byte when nothing changed', async () => {
    const stateFile = join(dir, 'state.json');
    const runOnce = async (resourceName: string, batch: Array<Record<string, unknown>>) => {
      const state = await readState(stateFile);
      const request = { resource: findResource(resourceName), format: 'ndjson' as const, stateFile };
      const tracker = (await startTracking(request, planExport(request, state), state, { reporter: quiet, startedAt: Date.now() }))!;
      const kept = batch.filter((record) => tracker.keep(record, record));
      return { kept, outcome: await tracker.finish(false) };
    };
    const notes = [
      { id: 5, title: 'e' },
      { id: '7', title: 'string id' },
      { id: 2, title: 'b' },
      { id: 2 ** 53, title: 'too big for an exact integer' },
    ];
    const twin = { amount_earned: 5, description: 'sale' };
    // As the Map-based version wrote them, in the order read.
    const noteLines = notes.map((note) => `${recordHash(note)}\t${JSON.stringify([note.id])}`);
    const written = {
      notes: `# infusionsoft record hashes v1\tnotes\n${noteLines.join('\n')}\n${recordHash({ id: 8 })}\t[8]\n`,
      commissions: `# infusionsoft record hashes v1\taffiliate-commissions\n${recordHash(twin)}\t#\n${recordHash(twin)}\t##2\n`,
    };
    await mkdir(join(dir, 'state.json.hashes'));
    await writeFile(hashFilePath(stateFile, 'notes'), written.notes);
    await writeFile(hashFilePath(stateFile, 'affiliate-commissions'), written.commissions);
    const entry = (name: string, records: number) => ({ hashes: `state.json.hashes/${name}.tsv`, records: String(records) });
    await writeFile(
      stateFile,
      JSON.stringify({ bookmarks: { notes: entry('notes', 5), 'affiliate-commissions': entry('affiliate-commissions', 2) } }),
    );

    const second = await runOnce('notes', [...notes, notes[0] as Record<string, unknown>]);
    expect(second.kept).toEqual([]);
    expect(second.outcome).toMatchObject({ unchanged: 4, deleted: [8], compared: true });
    expect(await readFile(hashFilePath(stateFile, 'notes'), 'utf8')).toBe(written.notes.replace(/^.*\t\[8\]\n/m, ''));
    const commissions = await runOnce('affiliate-commissions', [{ ...twin }, { ...twin }]);
    expect(commissions.kept).toEqual([]);
    expect(await readFile(hashFilePath(stateFile, 'affiliate-commissions'), 'utf8')).toBe(written.commissions);
  });
});
