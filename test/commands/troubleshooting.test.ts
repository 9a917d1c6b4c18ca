/**
 * Keap's error messages from docs/troubleshooting.md, each sent by the sandbox (its faults, its
 * limits or its own rules) to the real CLI in-process (issue 19, item 6): the exit code, Keap's
 * words in the error, and the hint line read from the page itself, so page and CLI cannot drift.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authEnv, oauthLogin, run } from '../auth/in-process.js';
import { docHint } from '../support/troubleshooting-doc.js';
import { runCli, sandboxGet, startTestSandbox, type TestSandbox } from '../support/cli.js';

/** The hint line as the CLI prints it: the page's words, then where to read more. */
const hintLine = (anchor: string) => `\n${docHint(anchor)} (docs/troubleshooting.md#${anchor})\n`;

const started: TestSandbox[] = [];
async function sandbox(options: Parameters<typeof startTestSandbox>[0] = {}): Promise<TestSandbox> {
  const handle = await startTestSandbox(options);
  started.push(handle);
  return handle;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((handle) => handle.stop()));
});

describe('401 with a gateway fault code', () => {
  const kinds: [fault: string, code: string, anchor: string][] = [
    ['401-invalid-token', 'keymanagement.service.invalid_access_token', 'keymanagementserviceinvalid_access_token'],
    ['401-expired-token', 'keymanagement.service.access_token_expired', 'keymanagementserviceaccess_token_expired'],
    ['401-token-not-approved', 'keymanagement.service.access_token_not_approved', 'keymanagementserviceaccess_token_not_approved'],
    ['401-missing-token', 'oauth.v2.InvalidAccessToken', 'oauthv2invalidaccesstoken'],
    [
      '401-client-not-approved',
      'keymanagement.service.invalid_client-client_id_not_approved',
      'keymanagementserviceinvalid_client-client_id_not_approved',
    ],
  ];
  for (const [fault, code, anchor] of kinds) {
    it(`${code}: exit 4, the code, and the page's hint`, async () => {
      const api = await sandbox({ faults: `${fault}:1` });
      const result = await runCli(['export', 'tags'], { env: api.env });
      expect(result.code, result.stderr).toBe(4);
      expect(result.stderr).toMatch(
        new RegExp(`^error: Keap refused the credential from INFUSIONSOFT_ACCESS_TOKEN: 401 .*\\(${code.replace(/\./g, '\\.')}\\)$`, 'm'),
      );
      expect(result.stderr).toContain(hintLine(anchor));
      expect(result.stdout).toBe('');
    });
  }

  it('a key Keap does not know gets the same hint without any fault', async () => {
    const api = await sandbox();
    const result = await runCli(['export', 'tags'], {
      env: { INFUSIONSOFT_API_URL: api.apiUrl, INFUSIONSOFT_API_KEY: 'KeapAK-not-a-key' },
    });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain('(keymanagement.service.invalid_access_token)');
    expect(result.stderr).toContain(hintLine('keymanagementserviceinvalid_access_token'));
  });
});

describe('Quota Exceeded (429)', () => {
  it("both of Keap's bodies end the run with exit 1 and the page's hint", async () => {
    // The sandbox answers its 429s in the two recorded shapes, alternately.
    const api = await sandbox({ limits: 'pat,quota=1' });
    expect((await runCli(['api', 'GET', '/tags'], { env: api.env })).code).toBe(0);
    const gateway = await runCli(['api', 'GET', '/tags'], { env: api.env });
    expect(gateway.code, gateway.stderr).toBe(1);
    expect(gateway.stderr).toMatch(/failed: 429 Rate limit quota violation\. Quota limit exceeded\./);
    expect(gateway.stderr).toMatch(/quota is used up; it resets at \d{4}-\d\d-\d\dT00:00:00\.000Z/);
    expect(gateway.stderr).toContain(hintLine('quota-exceeded-429'));
    const app = await runCli(['export', 'tags'], { env: api.env });
    expect(app.code, app.stderr).toBe(1);
    expect(app.stderr).toMatch(/failed: 429 Quota Exceeded/);
    expect(app.stderr).toContain(hintLine('quota-exceeded-429'));
  });
});

describe("Keap's 400s", () => {
  it('"Input could not be converted to a valid request": a date without milliseconds', async () => {
    const api = await sandbox();
    const result = await runCli(['api', 'GET', '/contacts?since=2024-01-01T00:00:00Z'], { env: api.env });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/failed: 400 Input could not be converted to a valid request/);
    expect(result.stderr).toContain(hintLine('input-could-not-be-converted-to-a-valid-request'));
  });

  it('a region without a country code', async () => {
    const api = await sandbox();
    const body = { email_addresses: [{ field: 'EMAIL1', email: 'tess@example.com' }], addresses: [{ field: 'BILLING', region: 'US-MA' }] };
    const result = await runCli(['api', 'POST', '/contacts', '--data', JSON.stringify(body)], { env: api.env });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/failed: 400 Country Code is required if Region is specified/);
    expect(result.stderr).toContain(hintLine('country-code-is-required-if-region-is-specified'));
    expect(await sandboxGet(api, '/contacts?email=tess@example.com')).toMatchObject({ contacts: [] });
  });

  it('an unknown custom field, and a value that does not fit its field', async () => {
    const api = await sandbox();
    const unknown = await runCli(['api', 'PATCH', '/contacts/1', '--data', '{"custom_fields":[{"id":999999,"content":"x"}]}'], {
      env: api.env,
    });
    expect(unknown.code, unknown.stderr).toBe(1);
    expect(unknown.stderr).toMatch(/failed: 400 Invalid custom field id: 999999/);
    expect(unknown.stderr).toContain(hintLine('custom-field-400s'));

    const model = (await sandboxGet(api, '/contacts/model')) as { custom_fields: { id: number; field_type: string }[] };
    const whole = model.custom_fields.find((field) => field.field_type === 'WholeNumber');
    expect(whole).toBeDefined();
    const body = JSON.stringify({ custom_fields: [{ id: whole?.id, content: 'many' }] });
    const wrongType = await runCli(['api', 'PATCH', '/contacts/1', '--data', body], { env: api.env });
    expect(wrongType.code, wrongType.stderr).toBe(1);
    expect(wrongType.stderr).toMatch(/failed: 400 Invalid value for custom field .* \(WholeNumber\)/);
    expect(wrongType.stderr).toContain(hintLine('custom-field-400s'));
  });

  it('a 400 the page does not explain gets no troubleshooting line', async () => {
    const api = await sandbox();
    const result = await runCli(['api', 'POST', '/contacts', '--data', '{"given_name":"Nobody"}'], { env: api.env });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/failed: 400 Contact must contain at least one email address or phone number/);
    expect(result.stderr).not.toContain('docs/troubleshooting.md');
  });
});

describe('a refused refresh token', () => {
  let clock = Date.now();
  let oauthSandbox: TestSandbox;
  beforeAll(async () => {
    oauthSandbox = await startTestSandbox({ seed: 19, now: () => clock });
  });
  afterAll(() => oauthSandbox?.stop());

  it('invalid_grant: the login was authorised again elsewhere, so `auth refresh` fails with exit 4', async () => {
    const here = authEnv(oauthSandbox);
    expect((await oauthLogin(here)).code).toBe(0);
    // The same app authorised again on another machine: Keap ends the earlier refresh token.
    expect((await oauthLogin(authEnv(oauthSandbox))).code).toBe(0);
    const result = await run(['auth', 'refresh'], { env: here });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/Keap refused the refresh token of profile "default" \(Invalid refresh token\)/);
    expect(result.stderr).toContain(hintLine('invalid_grant-invalid-refresh-token'));
  });

  it('a 401 after a re-authorisation elsewhere: the token expires, its refresh is refused, exit 4', async () => {
    clock = Date.now();
    const api = oauthSandbox;
    const here = authEnv(api);
    expect((await oauthLogin(here)).code).toBe(0);
    expect((await run(['export', 'tags', '--max', '1'], { env: here })).code).toBe(0);
    expect((await oauthLogin(authEnv(api))).code).toBe(0);
    // A day and an hour later, by Keap's clock: the access token has expired.
    clock += 25 * 3600 * 1000;
    const before = await api.stats();
    const result = await run(['export', 'tags'], { env: here });
    expect(result.code, result.stderr).toBe(4);
    expect((await api.stats()).requests['GET /tags']).toBe((before.requests['GET /tags'] ?? 0) + 1);
    expect(result.stderr).toMatch(/Keap refused the refresh token of profile "default"/);
    expect(docHint('a-401-after-a-re-authorisation-elsewhere')).toBe(docHint('invalid_grant-invalid-refresh-token'));
    expect(result.stderr).toContain(hintLine('invalid_grant-invalid-refresh-token'));
  });
});

describe('a data command without a credential', () => {
  it('says what docs/auth.md says, with exit 4', async () => {
    const row = /^\| `(.+?)` \(exit 4\) \| no variable set and no stored profile \|/m.exec(
      readFileSync(new URL('../../docs/auth.md', import.meta.url), 'utf8'),
    );
    expect(row?.[1]).toBeDefined();
    const result = await runCli(['export', 'tags']);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(new RegExp(`^error: ${row?.[1]}$`, 'm'));
  });
});
