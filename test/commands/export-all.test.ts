/**
 * `export --all -o DIR/` (issue 15, item 9): every readable resource, one file each, and a
 * `manifest.json` saying what each file holds; a resource that fails leaves the others written.
 * In-process against the sandbox, each file compared with the single export of its resource.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog, plainReadAction, readActions } from '../../src/catalog/index.js';
import { runCli, startTestSandbox, totalRequests, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  // Small counts: --all reads every resource, and each file is compared with its own export.
  sandbox = await startTestSandbox({
    counts: { contacts: 30, orders: 6, products: 4, emails: 20, notes: 10, tasks: 10, tags: 5, companies: 5 },
  });
});
afterAll(async () => {
  await sandbox?.stop();
});

interface Entry {
  resource: string;
  file: string;
  status: string;
  records: number;
  bytes: number;
  sha256: string;
  started: string;
  ended: string;
  stateKey?: string;
  error?: string;
}
interface Manifest {
  format: string;
  resources: Entry[];
}

/** Every resource `export RESOURCE` reads without a --param: a plain read, or a walk of its parents. */
const readable = catalog.filter((r) => plainReadAction(r) || readActions(r).some((a) => a.parent)).map((r) => r.name);

const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('export --all -o DIR/', () => {
  it('writes every readable resource to DIR/<resource>.ndjson, each the same as its own export, and manifest.json', async () => {
    const dir = join(tempDir(), 'keap');
    const run = await runCli(['export', '--all', '-o', `${dir}/`], { env: sandbox.env });
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([...readable.map((name) => `${name}.ndjson`), 'manifest.json'].sort());

    const manifest = manifestOf(dir);
    expect(manifest.format).toBe('ndjson');
    expect(manifest.resources.map((e) => e.resource)).toEqual(readable);
    for (const entry of manifest.resources) {
      const file = join(dir, entry.file);
      expect(entry.file).toBe(`${entry.resource}.ndjson`);
      expect(entry.status).toBe('written');
      const single = await runCli(['export', entry.resource], { env: sandbox.env });
      expect(single.code, single.stderr).toBe(0);
      expect(readFileSync(file, 'utf8'), entry.resource).toBe(single.stdout);
      expect(entry.records).toBe(single.stdout.split('\n').filter(Boolean).length);
      expect(entry.bytes).toBe(statSync(file).size);
      expect(entry.sha256).toBe(sha256(file));
      expect(Date.parse(entry.started)).toBeLessThanOrEqual(Date.parse(entry.ended));
      expect(entry.stateKey).toBeUndefined();
    }
    // The children of orders went through the walk.
    expect(manifest.resources.find((e) => e.resource === 'order-items')!.records).toBeGreaterThan(0);
    expect(run.stderr).toMatch(/order-items: walked 6 orders/);
    expect(run.stderr).toMatch(new RegExp(`exported ${readable.length} resources to ${dir}/? \\(manifest\\.json\\)`));
  });

  it('--format csv names the files .csv; --json prints the manifest; --state saves one key per resource, named in the manifest', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    const out = join(dir, 'out');
    mkdirSync(out);
    const run = await runCli(['export', '--all', '--format', 'csv', '-o', out, '--state', state, '--json'], { env: sandbox.env });
    expect(run.code, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as Manifest;
    expect(printed).toEqual(manifestOf(out));
    const contacts = await runCli(['export', 'contacts', '--format', 'csv'], { env: sandbox.env });
    expect(readFileSync(join(out, 'contacts.csv'), 'utf8')).toBe(contacts.stdout);
    const saved = Object.keys((JSON.parse(readFileSync(state, 'utf8')) as { bookmarks: object }).bookmarks).sort();
    expect(printed.resources.map((e) => e.stateKey).sort()).toEqual(saved);
    expect(printed.resources.find((e) => e.resource === 'order-items')!.stateKey).toBe('order-items?order_id=*');

    // A second run writes only what changed: nothing, in hash mode.
    const again = await runCli(['export', '--all', '--format', 'csv', '-o', out, '--state', state, '--json'], { env: sandbox.env });
    expect(again.code, again.stderr).toBe(0);
    const second = JSON.parse(again.stdout) as Manifest;
    expect(second.resources.find((e) => e.resource === 'notes')!.records).toBe(0);
  });

  it('a resource that fails leaves the others written; the manifest says which failed, and the run exits 1', async () => {
    const dir = tempDir();
    // Something that is not a file where contacts would go: that one export cannot be written.
    mkdirSync(join(dir, 'contacts.ndjson'));
    writeFileSync(join(dir, 'contacts.ndjson', 'keep'), 'x');
    const run = await runCli(['export', '--all', '-o', dir], { env: sandbox.env });
    expect(run.code).toBe(1);
    const manifest = manifestOf(dir);
    const failed = manifest.resources.filter((e) => e.status === 'failed');
    expect(failed.map((e) => e.resource)).toEqual(['contacts']);
    expect(failed[0]!.error).toMatch(/contacts\.ndjson/);
    for (const entry of manifest.resources.filter((e) => e.status === 'written')) {
      expect(entry.sha256).toBe(sha256(join(dir, entry.file)));
    }
    expect(manifest.resources).toHaveLength(readable.length);
    expect(run.stderr).toMatch(/1 of \d+ resources failed: contacts/);
  });

  it.each([
    [['contacts', '--all', '-o', 'DIR'], /--all exports every resource: leave out "contacts"/],
    [['--all'], /--all needs -o DIR\//],
    [['--all', '-o', '-'], /--all needs -o DIR\//],
    [['--all', '--fields', 'id', '-o', 'DIR'], /--fields cannot be used with --all/],
    [['--all', '--param', 'order_id=1', '-o', 'DIR'], /--param cannot be used with --all/],
    [['--all', '--detect-deletes', '--state', 'DIR/s.json', '-o', 'DIR'], /--detect-deletes cannot be used with --all/],
    [['--all', '--since', '2026-01-01', '-o', 'DIR'], /--since cannot be used with --all/],
    [['--all', '-o', 'DIR/file.txt'], /is a file, not a folder/],
    [[], /export needs a RESOURCE/],
  ])('export %j is refused with exit 2 before any request', async (args, message) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file.txt'), 'x');
    const before = (await sandbox.stats()).requests;
    const run = await runCli(['export', ...args.map((a) => a.replace('DIR', dir))], { env: sandbox.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect((await sandbox.stats()).requests).toEqual(before);
  });
});

describe('export --all when the quota runs out', () => {
  it('stops at the resource that met it: the ones before are written, the rest not run, exit 1 with the reset time', async () => {
    const limited = await startTestSandbox({ limits: 'pat,quota=3', counts: { contacts: 5 } });
    try {
      const dir = tempDir();
      const run = await runCli(['export', '--all', '-o', dir], { env: limited.env });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/quota is used up; it resets at/);
      const manifest = manifestOf(dir);
      const statuses = manifest.resources.map((e) => e.status);
      expect(statuses.slice(0, 3)).toEqual(['written', 'written', 'written']);
      expect(statuses[3]).toBe('failed');
      expect(new Set(statuses.slice(4))).toEqual(new Set(['not-run']));
      // One refused request, not one per remaining resource.
      const sent = await totalRequests(limited);
      expect(sent).toBe(4);
      expect(run.stderr).toMatch(/manifest\.json says which resources were written and which were not run/);
    } finally {
      await limited.stop();
    }
  });
});
