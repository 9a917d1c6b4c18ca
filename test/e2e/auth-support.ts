/** Logging in against a sandbox process, as the end-to-end auth tests do it. */
import { expect } from 'vitest';
import { AUTHORIZE_URL, authEnv, registerStoredSecrets } from '../auth/in-process.js';
import { pressOnAuthorizePage, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from '../auth/oauth-walk.js';
import { startRun, type RunResult } from './cli.js';

export { AUTHORIZE_URL, authEnv, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET };

/** `auth login --no-browser`, Allow pressed on the sandbox's page, the callback delivered to the CLI. */
export async function oauthLogin(env: Record<string, string | undefined>, extra: string[] = []): Promise<RunResult> {
  const login = startRun([...extra, 'auth', 'login', '--no-browser'], { env });
  const [, url] = await login.waitForStderr(AUTHORIZE_URL);
  const landed = await pressOnAuthorizePage(url as string);
  const callback = await fetch(landed);
  expect(callback.status).toBe(200);
  const result = await login.done;
  registerStoredSecrets(env.INFUSIONSOFT_CONFIG_DIR as string);
  return result;
}

export { readStoredSecret, registerStoredSecrets, type StoredFile } from '../auth/in-process.js';
