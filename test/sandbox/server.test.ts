/**
 * The server around the parts: statistics, request logs, latency and shutdown. Shutdown is checked
 * by what happens (the open connections end, close resolves), not by how long it took.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import { get, stats, withSandbox } from './support.js';

describe('statistics, logs and shutdown', () => {
  it('counts requests by method and path template, and resets', () =>
    withSandbox({ seed: 1 }, async (sandbox) => {
      await get(sandbox, '/contacts/1/tags');
      await get(sandbox, '/contacts/2/tags');
      await get(sandbox, '/contacts?limit=1');
      await fetch(`${sandbox.origin}/token`, { method: 'POST' });
      const counters = await stats(sandbox);
      expect(counters.requests).toEqual({ 'GET /contacts/{id}/tags': 2, 'GET /contacts': 1 });
      const reset = await fetch(`${sandbox.origin}/_sandbox/reset-stats`, { method: 'POST' });
      expect(reset.status).toBe(204);
      expect(await stats(sandbox)).toEqual({ requests: {}, throttled: 0, faults: {}, tokensIssued: 0, refreshes: 0, windows: {} });
    }));

  it('logs one line per request and adds latency', async () => {
    const lines: string[] = [];
    await withSandbox({ seed: 1, latencyMs: 120, log: (line) => lines.push(line) }, async (sandbox) => {
      const started = Date.now();
      await get(sandbox, '/contacts?limit=1');
      expect(Date.now() - started).toBeGreaterThanOrEqual(110);
      await get(sandbox, '/contacts/999999');
    });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^GET \/crm\/rest\/v1\/contacts 200 \d+ms$/);
    expect(lines[1]).toMatch(/^GET \/crm\/rest\/v1\/contacts\/999999 404 \d+ms$/);
  });

  it('closes with a keep-alive connection idle and a request half sent: it ends both rather than waiting for them', async () => {
    const sandbox = await startSandbox({ seed: 1 });
    await get(sandbox, '/tags?limit=1'); // fetch keeps the socket alive
    // A request whose body never comes: server.close() alone would wait for it (5 minutes, Node's requestTimeout).
    const socket = connect(sandbox.port, '127.0.0.1');
    const ended = once(socket, 'close');
    socket.write(
      `POST /crm/rest/v1/tags HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${sandbox.token}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n',
    );
    // The server has read the headers and waits for the body: the request is in flight.
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    expect(chunk.toString('latin1')).toMatch(/^HTTP\/1\.1 100 Continue/);
    await sandbox.close();
    await ended;
    await expect(fetch(`${sandbox.apiUrl}/tags`)).rejects.toThrow();
  });
});
