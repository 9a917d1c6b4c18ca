/**
 * `--include tags` read per record or from the tag lists (issue 17): the same bytes either way,
 * `auto` takes the cheaper, `--plan` only probes, and a run beyond the day's quota is warned about.
 * In-process against the sandbox.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/files.js';
import { runCli, sandboxGet, sandboxSend, startTestSandbox, type TestSandbox } from '../support/cli.js';
import { totalRequests } from '../support/stats.js';

let sandbox: TestSandbox;
let untagged: number;
let emptyTag: number;
const CONTACTS = 100;
const TAGS = 12;

beforeAll(async () => {
  sandbox = await startTestSandbox({ seed: 11, counts: { contacts: CONTACTS, tags: TAGS } });
  // A tag nobody carries, a new contact with no tags, and a contact whose tags were all removed.
  emptyTag = ((await sandboxSend(sandbox, 'POST', '/tags', { name: 'Nobody, yet' })) as { id: number }).id;
  untagged = (
    (await sandboxSend(sandbox, 'POST', '/contacts', { email_addresses: [{ field: 'EMAIL1', email: 'untagged@example.com' }] })) as {
      id: number;
    }
  ).id;
  const applied = (await sandboxGet(sandbox, '/contacts/50/tags')) as { tags: Array<{ tag: { id: number } }> };
  await sandboxSend(sandbox, 'DELETE', `/contacts/50/tags?ids=${applied.tags.map((t) => t.tag.id).join(',')}`);
});
afterAll(async () => {
  await sandbox?.stop();
});

/** Requests per endpoint made by one run. */
async function requestsOf(run: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = (await sandbox.stats()).requests;
  await run();
  const after = (await sandbox.stats()).requests;
  return Object.fromEntries(
    Object.entries(after)
      .map(([key, n]) => [key, n - (before[key] ?? 0)])
      .filter(([, n]) => n !== 0),
  );
}

describe('export --include tags, per record and inversely', () => {
  it.each(['ndjson', 'csv'])('writes the same bytes with both plans (%s), tags in tag-id order', async (format) => {
    const dir = tempDir();
    const out = (plan: string) => join(dir, `${plan}.${format}`);
    const run = (plan: string) => async () => {
      const result = await runCli(['export', 'contacts', '--include', 'tags', '--gather', plan, '-o', out(plan)], { env: sandbox.env });
      expect(result.code, result.stderr).toBe(0);
    };
    const perRecord = await requestsOf(run('per-record'));
    const inverse = await requestsOf(run('inverse'));
    expect(readFileSync(out('inverse'))).toEqual(readFileSync(out('per-record')));
    expect(perRecord['GET /contacts/{id}/tags']).toBe(CONTACTS + 1);
    expect(inverse['GET /contacts/{id}/tags']).toBeUndefined();
    // One page of tags and one member page per tag (the empty one too): the probes, whose pages
    // hold every member of these small tags, so nothing is read twice.
    expect(inverse['GET /tags']).toBe(1);
    expect(inverse['GET /tags/{id}/contacts']).toBe(TAGS + 1);
    if (format === 'ndjson') {
      const records = readFileSync(out('inverse'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { id: number; tags: Array<{ tag: { id: number; category: unknown } }> });
      expect(records).toHaveLength(CONTACTS + 1);
      expect(records.find((r) => r.id === untagged)?.tags).toEqual([]);
      expect(records.find((r) => r.id === 50)?.tags).toEqual([]);
      expect(records.some((r) => r.tags.some((t) => t.tag.id === emptyTag))).toBe(false);
      for (const record of records) {
        const ids = record.tags.map((t) => t.tag.id);
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
        for (const t of record.tags) expect(typeof t.tag.category).toBe('string');
      }
    }
  });

  it('auto reads the whole list inversely, and says why with --verbose', async () => {
    const out = join(tempDir(), 'auto.ndjson');
    let stderr = '';
    const requests = await requestsOf(async () => {
      const result = await runCli(['export', 'contacts', '--include', 'tags', '--verbose', '-o', out], { env: sandbox.env });
      expect(result.code, result.stderr).toBe(0);
      stderr = result.stderr;
    });
    expect(stderr).toMatch(
      /contacts: --include tags read from its inverse lists: \d+ requests from the member lists of 13 tags \([\d,]+ memberships\), against 102 requests per record/,
    );
    expect(requests['GET /contacts/{id}/tags']).toBeUndefined();
    expect(Object.values(requests).reduce((a, b) => a + b, 0)).toBeLessThan(0.4 * CONTACTS);
  });

  it('auto reads per record for --where email=... (one contact), and says why', async () => {
    const requests = await requestsOf(async () => {
      const result = await runCli(['export', 'contacts', '--include', 'tags', '--where', 'email=untagged@example.com', '--verbose'], {
        env: sandbox.env,
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/contacts: --include tags read per record: 1 contacts cost fewer requests one by one/);
      expect(JSON.parse(result.stdout.trim()).tags).toEqual([]);
    });
    expect(requests['GET /contacts/{id}/tags']).toBe(1);
    // The list twice (the probe, the read) and the tag list: no member is probed.
    expect(requests).toEqual({ 'GET /contacts': 2, 'GET /tags': 1, 'GET /contacts/{id}/tags': 1, 'GET /contacts/model': 1 });
  });

  it('a tag applied after the tag lists were read shows on the next run (as a tag applied behind a per-record read would)', async () => {
    const dir = tempDir();
    let applying: Promise<unknown> | undefined;
    const args = (name: string) => ['export', 'contacts', '--include', 'tags', '--gather', 'inverse', '-o', join(dir, name)];
    const first = await runCli(args('first.ndjson'), {
      env: sandbox.env,
      onStderr: (chunk) => {
        if (!applying && /read [\d,]+ tags memberships/.test(chunk))
          applying = sandboxSend(sandbox, 'POST', `/tags/${emptyTag}/contacts`, { ids: [untagged] });
      },
    });
    expect(first.code, first.stderr).toBe(0);
    await applying;
    const tagsOf = (name: string) =>
      readFileSync(join(dir, name), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { id: number; tags: Array<{ tag: { id: number } }> })
        .find((r) => r.id === untagged)
        ?.tags.map((t) => t.tag.id);
    expect(tagsOf('first.ndjson')).toEqual([]);
    const second = await runCli(args('second.ndjson'), { env: sandbox.env });
    expect(second.code, second.stderr).toBe(0);
    expect(tagsOf('second.ndjson')).toEqual([emptyTag]);
    await sandboxSend(sandbox, 'DELETE', `/tags/${emptyTag}/contacts/${untagged}`);
  });
});

describe('export --include tags --gather inverse, tags of more than a page', () => {
  it('reads again only the tags whose first page was full, and gives each contact the tags it has', async () => {
    const big = await startTestSandbox({ seed: 4, counts: { contacts: 2500, tags: 5 } });
    try {
      const sizes: number[] = [];
      for (let tag = 1; tag <= 5; tag++) sizes.push(((await sandboxGet(big, `/tags/${tag}/contacts?limit=1`)) as { count: number }).count);
      expect(sizes.filter((n) => n >= 1000).length).toBeGreaterThanOrEqual(2);
      const out = join(tempDir(), 'big.ndjson');
      const before = (await big.stats()).requests['GET /tags/{id}/contacts'] ?? 0;
      const result = await runCli(['export', 'contacts', '--include', 'tags', '--gather', 'inverse', '-o', out], { env: big.env });
      expect(result.code, result.stderr).toBe(0);
      // A probe per tag, then pages of 1,000 overlapping by 3 for the tags the probe could not hold whole.
      const reread = sizes.filter((n) => n >= 1000).reduce((sum, n) => sum + 1 + Math.ceil((n - 999) / 997), 0);
      expect(((await big.stats()).requests['GET /tags/{id}/contacts'] ?? 0) - before).toBe(5 + reread);
      const records = readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { id: number; tags: unknown[] });
      expect(records).toHaveLength(2500);
      for (const id of [1, 2, 3, 999, 1000, 1001, 1997, 2499, 2500]) {
        const direct = (await sandboxGet(big, `/contacts/${id}/tags`)) as { tags: unknown[] };
        expect(records.find((r) => r.id === id)?.tags, `contact ${id}`).toEqual(direct.tags);
      }
    } finally {
      await big.stop();
    }
  });
});

describe('export --include tags --state under the inverse plan', () => {
  it('reads the tag lists once (not again for the memberships --state tracks), and writes a contact whose tags alone changed', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.json');
    const run = (name: string) => async () => {
      const result = await runCli(
        ['export', 'contacts', '--include', 'tags', '--gather', 'inverse', '--state', state, '-o', join(dir, name)],
        {
          env: sandbox.env,
        },
      );
      expect(result.code, result.stderr).toBe(0);
      return result.stderr;
    };
    const first = await requestsOf(run('first.ndjson'));
    // The probes' one member page per tag holds all of these small tags: nothing more, no second read.
    expect(first['GET /tags']).toBe(1);
    expect(first['GET /tags/{id}/contacts']).toBe(TAGS + 1);
    const before = (await sandboxGet(sandbox, `/contacts/${untagged}`)) as { last_updated: string };
    await sandboxSend(sandbox, 'POST', `/contacts/${untagged}/tags`, { tagIds: [emptyTag] });
    try {
      expect(((await sandboxGet(sandbox, `/contacts/${untagged}`)) as { last_updated: string }).last_updated).toBe(before.last_updated);
      const second = await requestsOf(run('second.ndjson'));
      expect(second['GET /tags/{id}/contacts']).toBe(TAGS + 1);
      const written = readFileSync(join(dir, 'second.ndjson'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { id: number; tags: Array<{ tag: { id: number } }> });
      expect(written.find((r) => r.id === untagged)?.tags.map((t) => t.tag.id)).toEqual([emptyTag]);
    } finally {
      await sandboxSend(sandbox, 'DELETE', `/contacts/${untagged}/tags/${emptyTag}`);
    }
  });
});

describe('export --plan', () => {
  it('prints both plans after only the probes: the list, the tag list and one member of each tag', async () => {
    const before = await totalRequests(sandbox);
    const requests = await requestsOf(async () => {
      const result = await runCli(['export', 'contacts', '--include', 'tags', '--plan', '--json'], { env: sandbox.env });
      expect(result.code, result.stderr).toBe(0);
      const plan = JSON.parse(result.stdout);
      expect(plan).toMatchObject({
        resource: 'contacts',
        field: 'tags',
        plan: 'inverse',
        records: CONTACTS + 1,
        lowerBound: false,
        pages: 1,
        perRecordRequests: CONTACTS + 2,
        groups: TAGS + 1,
        probes: 2 + TAGS + 1,
      });
      expect(plan.inverseRequests).toBe(1 + 1 + (TAGS + 1));
      expect(plan.minutes).toBeCloseTo(plan.inverseRequests / plan.ratePerMinute, 3);
    });
    expect(requests).toEqual({ 'GET /contacts': 1, 'GET /tags': 1, 'GET /tags/{id}/contacts': TAGS + 1 });
    expect((await totalRequests(sandbox)) - before).toBe(2 + TAGS + 1);
  });

  it('as text, with the time at the current pace and the share of the quota left', async () => {
    const limited = await startTestSandbox({ seed: 11, counts: { contacts: CONTACTS, tags: TAGS }, limits: 'oauth,quota=5000' });
    try {
      const result = await runCli(['export', 'contacts', '--include', 'tags', '--plan'], { env: limited.env });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/per record {4}101 requests, 4 s at 1,500 a minute\n/);
      expect(result.stdout).toMatch(/plan {10}inverse: /);
      expect(result.stdout).toMatch(/quota {9}0\.\d% of the 4,9\d\d requests left today\n/);
    } finally {
      await limited.stop();
    }
  });

  it('warns before a run whose estimate exceeds what is left of the quota', async () => {
    const limited = await startTestSandbox({ seed: 11, counts: { contacts: CONTACTS, tags: TAGS }, limits: 'oauth,quota=100' });
    try {
      const dir = tempDir();
      const auto = await runCli(['export', 'contacts', '--include', 'tags', '-o', join(dir, 'a.ndjson')], { env: limited.env });
      expect(auto.code, auto.stderr).toBe(0);
      expect(auto.stderr).not.toMatch(/left of today's quota/);
      const perRecord = await runCli(['export', 'contacts', '--include', 'tags', '--gather', 'per-record', '-o', join(dir, 'p.ndjson')], {
        env: limited.env,
      });
      expect(perRecord.stderr).toMatch(
        /warning: contacts: this run needs 101 requests and \d\d are left of today's quota: it will stop when the quota runs out\n/,
      );
      expect(perRecord.code).toBe(1);
    } finally {
      await limited.stop();
    }
  });

  it('refuses a plan that is not one, and --gather inverse where no field has inverse lists', async () => {
    const bad = await runCli(['export', 'contacts', '--include', 'tags', '--gather', 'both'], { env: sandbox.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--gather <plan>' argument 'both' is invalid. Allowed choices are auto, per-record, inverse/);
    const emails = await runCli(['export', 'contacts', '--include', 'emails', '--gather', 'inverse', '--max', '1'], { env: sandbox.env });
    expect(emails.code).toBe(2);
    expect(emails.stderr).toMatch(/--gather inverse: none of the included fields of contacts has inverse lists/);
  });
});
