/** Logging in against a sandbox process, as the end-to-end auth tests do it. */
import { expect } from 'vitest';
import { registerStoredSecrets } from '../auth/in-process.js';
import { pressOnAuthorizePage, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from '../auth/oauth-walk.js';
import { registerSecret, startRun, tempDir, type RunResult, type SandboxProcess } from './cli.js';

export { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET };

/** An environment for one user: own config folder, the sandbox's OAuth endpoints, no D-Bus (like cron). */
export function authEnv(sandbox: SandboxProcess, configDir = tempDir('infusionsoft-auth-')): Record<string, string | undefined> {
  registerSecret(SANDBOX_CLIENT_SECRET);
  return {
    INFUSIONSOFT_CONFIG_DIR: configDir,
    INFUSIONSOFT_API_URL: sandbox.apiUrl,
    INFUSIONSOFT_AUTHORIZE_URL: `${sandbox.origin}/app/oauth/authorize`,
    INFUSIONSOFT_TOKEN_URL: `${sandbox.origin}/token`,
    INFUSIONSOFT_CLIENT_ID: SANDBOX_CLIENT_ID,
    INFUSIONSOFT_CLIENT_SECRET: SANDBOX_CLIENT_SECRET,
    DBUS_SESSION_BUS_ADDRESS: undefined,
  };
}

export const AUTHORIZE_URL = /(http:\/\/127\.0\.0\.1:\d+\/app\/oauth\/authorize\?\S+)/;

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
