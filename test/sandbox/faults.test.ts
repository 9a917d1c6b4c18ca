/** Fault injection: the kinds, their rates, resets and cut-off bodies, and faulted writes that never act. */
import { describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { UsageError } from '../../src/errors.js';
import { parseFaults, startSandbox } from '../../src/sandbox/server.js';
import type { SandboxHandle } from '../../src/sandbox/types.js';
import { call, get, stats, withSandbox } from './support.js';

/** A raw request that reports how the response ended: complete, truncated or reset. */
function rawGet(
  sandbox: SandboxHandle,
  path: string,
): Promise<{ outcome: 'complete' | 'truncated' | 'reset'; status?: number; received: number; declared?: number }> {
  return new Promise((resolve) => {
    const req = request(sandbox.apiUrl + path, { headers: { authorization: `Bearer ${sandbox.token}` }, agent: false }, (res) => {
      let received = 0;
      const declared = Number(res.headers['content-length']);
      res.on('data', (chunk: Buffer) => (received += chunk.length));
      res.on('end', () =>
        resolve({ outcome: received === declared ? 'complete' : 'truncated', status: res.statusCode as number, received, declared }),
      );
      res.on('error', () => resolve({ outcome: 'truncated', status: res.statusCode as number, received, declared }));
      res.on('aborted', () => resolve({ outcome: 'truncated', status: res.statusCode as number, received, declared }));
    });
    req.on('error', () => resolve({ outcome: 'reset', received: 0 }));
    req.end();
  });
}

describe('faults', () => {
  it('parses a fault spec and names the bad part', async () => {
    expect(parseFaults('500:0.05, 429:0.02,reset:0.01,slow:0,truncate:0.01,5xx:0.1')).toHaveLength(6);
    expect(() => parseFaults('5xx:2')).toThrow(UsageError);
    expect(() => parseFaults('5xx:2')).toThrow('--faults: "5xx:2" rate must be between 0 and 1');
    expect(() => parseFaults('teapot:0.1')).toThrow(/"teapot:0.1" has unknown kind "teapot"/);
    expect(() => parseFaults('500')).toThrow(/"500" should be KIND:RATE/);
    expect(() => parseFaults('500:0.7,503:0.7')).toThrow(/more than 1/);
    await expect(startSandbox({ faults: '500:x' })).rejects.toThrow(UsageError);
  });

  it('injects the configured kinds at about their rate and counts them', () =>
    withSandbox({ seed: 5, faults: '500:0.2,5xx:0.2,429:0.1' }, async (sandbox) => {
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) statuses.push((await get(sandbox, '/tags?limit=1')).status);
      const counters = await stats(sandbox);
      const n500 = statuses.filter((s) => s === 500).length;
      const n5xx = statuses.filter((s) => s >= 502 && s <= 504).length;
      const n429 = statuses.filter((s) => s === 429).length;
      expect(counters.faults).toEqual({ '500': n500, '5xx': n5xx, '429': n429 });
      expect(n500).toBeGreaterThan(20);
      expect(n5xx).toBeGreaterThan(20);
      expect(n429).toBeGreaterThan(5);
      expect(statuses.filter((s) => s === 200).length).toBe(200 - n500 - n5xx - n429);
      expect(counters.requests['GET /tags']).toBe(200);
      expect(counters.throttled).toBe(0);
    }));

  it('resets sockets and truncates bodies on GETs', () =>
    withSandbox({ seed: 5, faults: 'reset:0.5,truncate:0.5' }, async (sandbox) => {
      const outcomes = [];
      for (let i = 0; i < 20; i++) outcomes.push(await rawGet(sandbox, '/contacts?limit=20'));
      const counters = await stats(sandbox);
      expect(outcomes.filter((o) => o.outcome === 'reset').length).toBe(counters.faults.reset);
      const truncated = outcomes.filter((o) => o.outcome === 'truncated');
      expect(truncated.length).toBe(counters.faults.truncate);
      expect(truncated[0]?.status).toBe(200);
      expect(truncated[0]?.received).toBeLessThan(truncated[0]?.declared as number);
      expect(outcomes.some((o) => o.outcome === 'complete')).toBe(false);
    }));

  it('gone answers 404 for reads of one record or what hangs off it, never for lists or writes', () =>
    withSandbox({ seed: 5, faults: 'gone:1' }, async (sandbox) => {
      const list = await get(sandbox, '/contacts?limit=2');
      expect(list.status).toBe(200);
      const id = list.body.contacts[0].id as number;
      const tags = await get(sandbox, `/contacts/${id}/tags`);
      expect(tags.status).toBe(404);
      expect(tags.body).toEqual({ message: `Record with id ${id} not found` });
      expect((await get(sandbox, `/contacts/${id}`)).status).toBe(404);
      expect((await get(sandbox, '/contacts/model')).status).toBe(200);
      const counters = await stats(sandbox);
      expect(counters.faults).toEqual({ gone: 2 });
    }));

  it('ignore-offset answers every offset with the first page, stuck-next links back to the offset asked for', async () => {
    expect(parseFaults('ignore-offset:1')).toEqual([{ kind: 'ignore-offset', rate: 1 }]);
    await withSandbox({ seed: 5, faults: 'ignore-offset:1' }, async (sandbox) => {
      const first = await get(sandbox, '/contacts?limit=3&offset=0');
      const later = await get(sandbox, '/contacts?limit=3&offset=6');
      expect(later.body.contacts).toEqual(first.body.contacts);
      expect(new URL(later.body.next).searchParams.get('offset')).toBe('3');
      expect((await stats(sandbox)).faults).toEqual({ 'ignore-offset': 2 });
    });
    await withSandbox({ seed: 5, faults: 'stuck-next:1' }, async (sandbox) => {
      const page = await get(sandbox, '/contacts?limit=3&offset=6');
      expect(page.body.contacts.map((r: { id: number }) => r.id)).toEqual([7, 8, 9]);
      expect(new URL(page.body.next).searchParams.get('offset')).toBe('6');
    });
  });

  it('never applies a write that got a fault', () =>
    withSandbox({ seed: 8, faults: '503:0.5,reset:0.2' }, async (sandbox) => {
      let applied = 0;
      for (let i = 0; i < 20; i++) {
        try {
          const answer = await call(sandbox, 'POST', '/tags', { name: `fault test ${i}` });
          if (answer.status === 200) applied++;
        } catch {
          // reset: the request failed at the socket
        }
      }
      const counters = await stats(sandbox);
      expect(applied).toBe(20 - (counters.faults['503'] ?? 0) - (counters.faults.reset ?? 0));
      // Read back with the faults still on: retry until a clean answer.
      let tags: Array<{ name: string }> | undefined;
      for (let tries = 0; tries < 50 && !tags; tries++) {
        try {
          const answer = await get(sandbox, '/tags?name=&limit=1000');
          if (answer.status === 200) tags = answer.body.tags;
        } catch {
          // reset
        }
      }
      expect(tags.filter((t: { name: string }) => t.name.startsWith('fault test')).length).toBe(applied);
    }));

  it('drop-after-write carries a write out, then drops the connection without an answer; reads are untouched', () =>
    withSandbox({ seed: 3, faults: 'drop-after-write:1' }, async (sandbox) => {
      expect(parseFaults('drop-after-write:0.1')).toEqual([{ kind: 'drop-after-write', rate: 0.1 }]);
      await expect(call(sandbox, 'POST', '/tags', { name: 'sent, never answered' })).rejects.toThrow();
      const found = await get(sandbox, `/tags?name=${encodeURIComponent('sent, never answered')}`);
      expect(found.status).toBe(200);
      expect(found.body.tags).toHaveLength(1);
      await expect(call(sandbox, 'PATCH', `/contacts/3`, { job_title: 'Dropped answer' })).rejects.toThrow();
      expect((await get(sandbox, '/contacts/3?optional_properties=job_title')).body.job_title).toBe('Dropped answer');
      const counters = await stats(sandbox);
      expect(counters.faults).toEqual({ 'drop-after-write': 2 });
    }));

  it('slows a response down and answers it normally', () =>
    withSandbox({ seed: 1, faults: 'slow:1' }, async (sandbox) => {
      const started = Date.now();
      const answer = await get(sandbox, '/tags?limit=1');
      expect(answer.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    }));
});
