/** The one-shot callback server and the pasted-back address: state checks, loopback only. */
import { networkInterfaces } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { startCallbackServer } from '../../src/auth/callback.js';
import { parsePasted } from '../../src/auth/login.js';
import { AuthError, UsageError } from '../../src/errors.js';

const start = (options: { state?: string; timeoutMs?: number; signal?: AbortSignal; onRefused?: (r: string) => void } = {}) =>
  startCallbackServer({
    port: 0,
    path: '/callback',
    state: options.state ?? 'right-state',
    timeoutMs: options.timeoutMs ?? 30_000,
    ...options,
  });

describe('the callback server', () => {
  it('refuses a callback with the wrong state, then takes the right one and stops', async () => {
    const refused: string[] = [];
    const server = await start({ onRefused: (reason) => refused.push(reason) });
    expect(server.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const wrong = await fetch(`${server.redirectUri}?code=stolen&state=other-state`);
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('Login refused');
    const missing = await fetch(`${server.redirectUri}?code=stolen`);
    expect(missing.status).toBe(400);
    expect(refused).toHaveLength(2);

    const right = await fetch(`${server.redirectUri}?code=the-code&state=right-state`);
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('Logged in');
    await expect(server.result).resolves.toEqual({ code: 'the-code', state: 'right-state' });
    // One callback only: the server stops by itself.
    await server.stopped;
    await expect(fetch(`${server.redirectUri}?code=again&state=right-state`)).rejects.toThrow();
  });

  it('listens on 127.0.0.1 only', async () => {
    const server = await start();
    const port = new URL(server.redirectUri).port;
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address);
    for (const address of others) {
      await expect(fetch(`http://${address}:${port}/callback?code=x&state=right-state`)).rejects.toThrow();
    }
    await expect(fetch(`http://[::1]:${port}/callback?code=x&state=right-state`)).rejects.toThrow();
    await server.close();
  });

  it('ends with an auth error when the user denies access', async () => {
    const server = await start();
    await fetch(`${server.redirectUri}?error=access_denied&state=right-state`);
    await expect(server.result).rejects.toThrow(/did not grant access: access_denied/);
  });

  it('gives up after its timeout, and when aborted', async () => {
    // The timeout on a fake clock: not a moment early, and then at once.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const timed = await start({ timeoutMs: 30_000 });
      let settled = false;
      timed.result.then(
        () => (settled = true),
        () => (settled = true),
      );
      await vi.advanceTimersByTimeAsync(29_999);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await expect(timed.result).rejects.toBeInstanceOf(AuthError);
      await expect(timed.result).rejects.toThrow('no login arrived within 30 s');
      await timed.stopped;
    } finally {
      vi.useRealTimers();
    }
    const controller = new AbortController();
    const aborted = await start({ signal: controller.signal });
    controller.abort(new Error('Ctrl-C'));
    await expect(aborted.result).rejects.toThrow('Ctrl-C');
  });
});

describe('a pasted address', () => {
  it('gives the code when the state matches, and takes a bare code as it is', () => {
    expect(parsePasted('https://example.com/cb?code=abc&state=s1', 's1')).toEqual({ code: 'abc', state: 's1' });
    expect(parsePasted('code=abc&state=s1', 's1')).toEqual({ code: 'abc', state: 's1' });
    expect(parsePasted('abc123', 's1')).toEqual({ code: 'abc123' });
  });

  it('is refused when its state belongs to another login', () => {
    expect(() => parsePasted('https://example.com/cb?code=abc&state=other', 's1')).toThrow(AuthError);
    expect(() => parsePasted('https://example.com/cb?code=abc', 's1')).toThrow(/state does not match/);
  });

  it('says what is wrong with an address without a code, or text that is neither', () => {
    expect(() => parsePasted('https://example.com/cb?state=s1', 's1')).toThrow(UsageError);
    expect(() => parsePasted('not a code', 's1')).toThrow(/neither an address nor a code/);
    expect(() => parsePasted('https://example.com/cb?error=access_denied&state=s1', 's1')).toThrow(/access_denied/);
  });
});
