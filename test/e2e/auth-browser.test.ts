/**
 * The whole login in a real headless Chromium (Debian's `chromium`, driven by playwright-core):
 * the CLI prints the address (`--no-browser`), the browser opens it on the sandbox, presses Allow
 * and lands on the CLI's callback; then the same with an HTTPS redirect URI and paste-back. One
 * browser for both, since it is the slow part. `.ci/run` installs chromium; without it the run says
 * so loudly, and fails under CI.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext } from 'playwright-core';
import { AUTHORIZE_URL, authEnv, registerStoredSecrets } from './auth-support.js';
import { run, startRun, startSandboxProcess, tempDir, type SandboxProcess } from './cli.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const installed = existsSync(CHROMIUM);
const mustRun = process.env.CI === 'true';
if (!installed) {
  console.warn(
    `\n*** auth-browser: ${CHROMIUM} is missing (apt-get install chromium, or run .ci/run): the browser login is NOT tested${mustRun ? '; failing, since CI=true' : ''} ***\n`,
  );
}

describe.skipIf(!installed && !mustRun)('login in a real browser', () => {
  let sandbox: SandboxProcess;
  let browser: BrowserContext;
  beforeAll(async () => {
    if (!installed)
      throw new Error(`${CHROMIUM} is missing: install it (apt-get install -y --no-install-recommends chromium) or run .ci/run`);
    sandbox = await startSandboxProcess(['--seed', '12']);
    browser = await chromium.launchPersistentContext(tempDir('infusionsoft-chromium-'), {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  it('opens the printed address, presses Allow, lands on the CLI callback; status names the user', async () => {
    const env = authEnv(sandbox);
    const login = startRun(['auth', 'login', '--no-browser'], { env });
    const [, url] = await login.waitForStderr(AUTHORIZE_URL);
    const page = await browser.newPage();
    await page.goto(url as string);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Logged in');
    const result = await login.done;
    registerStoredSecrets(env.INFUSIONSOFT_CONFIG_DIR as string);
    expect(result.code, result.stderr).toBe(0);
    const status = await run(['auth', 'status'], { env });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/user: +.+ <user1@sandbox\.example\.com>/);
    await page.close();
  }, 60_000);

  it('with an https redirect URI: the address the browser landed on is pasted back', async () => {
    const env = authEnv(sandbox);
    const redirect = 'https://app.example.com/keap/callback';
    const login = startRun(['auth', 'login', '--redirect-uri', redirect], { env });
    const [, url] = await login.waitForStderr(AUTHORIZE_URL);
    const page = await browser.newPage();
    // The app's own page is not reachable from here (no network): answer it in the browser.
    await page.route('https://app.example.com/**', (route) =>
      route.fulfill({ contentType: 'text/html', body: '<h1>Copy this address</h1>' }),
    );
    await page.goto(url as string);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((landed) => landed.href.startsWith(`${redirect}?`));
    login.type(page.url());
    const result = await login.done;
    registerStoredSecrets(env.INFUSIONSOFT_CONFIG_DIR as string);
    expect(result.code, result.stderr).toBe(0);
    expect((await run(['auth', 'status', '--json'], { env })).stdout).toMatch(/"email": "user1@sandbox\.example\.com"/);
    await page.close();
  }, 60_000);
});
