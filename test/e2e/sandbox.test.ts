/** `infusionsoft sandbox` as its own process: its OAuth client flags and its rate-limit presets. */
import { afterAll, describe, expect, it } from 'vitest';
import { run, startSandboxProcess, type SandboxProcess } from './cli.js';

const started: SandboxProcess[] = [];
async function sandbox(args: string[]): Promise<SandboxProcess> {
  const process = await startSandboxProcess(args);
  started.push(process);
  return process;
}
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

async function refreshWith(origin: string, basic: string): Promise<number> {
  const response = await fetch(`${origin}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(basic).toString('base64')}` },
    body: 'grant_type=refresh_token&refresh_token=unknown',
  });
  return response.status;
}

describe('sandbox OAuth client flags', () => {
  it('accepts the default client, or the one given with --client-id and --client-secret', async () => {
    const plain = await sandbox([]);
    // A known client with an unknown refresh token is invalid_grant (400), an unknown client 401.
    expect(await refreshWith(plain.origin, 'sandbox-client-id:sandbox-client-secret')).toBe(400);
    const custom = await sandbox(['--client-id', 'my-app', '--client-secret', 's3:cret']);
    expect(await refreshWith(custom.origin, 'sandbox-client-id:sandbox-client-secret')).toBe(401);
    expect(await refreshWith(custom.origin, 'my-app:s3:cret')).toBe(400);
    const page = await fetch(
      `${custom.origin}/app/oauth/authorize?client_id=my-app&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&response_type=code`,
    );
    expect(page.status).toBe(200);
  });

  it('refuses a client id HTTP Basic could not carry', async () => {
    const result = await run(['sandbox', '--port', '0', '--client-id', 'a:b']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--client-id: "a:b" must be non-empty, without spaces or colons');
    expect(result.stdout).toBe('');
  });
});

describe('sandbox --limits', () => {
  it('sends the preset windows to any client', async () => {
    const limited = await sandbox(['--limits', 'pat,quota=1000']);
    const response = await fetch(`${limited.apiUrl}/tags?limit=1`, { headers: { 'x-keap-api-key': limited.token } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-keap-product-spike-limit')).toBe('10ps');
    expect(response.headers.get('x-keap-product-throttle-limit')).toBe('240');
    expect(response.headers.get('x-keap-product-quota-available')).toBe('999');
  });

  it('refuses an unknown preset, and --limits with --throttle, before serving', async () => {
    const unknown = await run(['sandbox', '--port', '0', '--limits', 'sak']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--limits: "sak" is not a preset; presets are pat, oauth');
    expect(unknown.stdout).toBe('');
    const both = await run(['sandbox', '--port', '0', '--limits', 'pat', '--throttle', '5']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--throttle and --limits both set the rate limits: use one');
    expect(both.stdout).toBe('');
  });
});
