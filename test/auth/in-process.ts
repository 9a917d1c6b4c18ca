/**
 * Logging in in-process, as test/e2e/auth-support.ts does with the built binary: `runCli` with a
 * stdin the test writes to while the login waits (for a paste, a client secret), stderr watched as
 * it is written, and the sandbox in this process. The same names as the spawned helpers (`run`,
 * `startRun`, `oauthLogin`), so a test reads the same in either place.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'vitest';
import { runCli, withoutTimestamps, type CliOptions, type CliResult, type TestSandbox } from '../support/cli.js';
import { tempDir } from '../support/files.js';
import { registerSecret } from '../support/record.js';
import { pressOnAuthorizePage, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from './oauth-walk.js';

export { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET };

/** runCli's options, with `input` for stdin as the spawned `run` names it. */
export type RunOptions = Omit<CliOptions, 'stdin'> & { input?: string };

/** An environment for one user: own config folder, the sandbox's OAuth endpoints, no D-Bus (like cron); for a sandbox in this process or spawned. */
export function authEnv(
  sandbox: Pick<TestSandbox, 'apiUrl' | 'origin'>,
  configDir = tempDir('infusionsoft-auth-'),
): Record<string, string | undefined> {
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

/** `infusionsoft ARGS...` in-process, its stdin `input` (then closed). */
export function run(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const { input, ...rest } = options;
  return runCli(args, { ...rest, stdin: input ?? '' });
}

/** A run the test talks to while it runs (a login waiting for its callback or a paste). */
export interface LiveRun {
  /** Resolves with the first match of `pattern` in stderr; fails when the run ends first. */
  waitForStderr(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Sends a line to its stdin. */
  type(line: string): void;
  done: Promise<CliResult>;
}

export function startRun(args: string[], options: RunOptions = {}): LiveRun {
  const stdin = new PassThrough();
  let stderr = '';
  const waiting = new Set<() => void>();
  const done = runCli(args, {
    ...options,
    stdin,
    onStderr: (chunk) => {
      stderr += chunk;
      options.onStderr?.(chunk);
      for (const check of [...waiting]) check();
    },
  });
  const ended = done.then(
    () => undefined,
    () => undefined,
  );
  return {
    done,
    type(line) {
      stdin.write(`${line}\n`);
    },
    waitForStderr(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          // Off a terminal each line starts with its time (log-lines.ts): match what the person reads.
          const match = pattern.exec(withoutTimestamps(stderr));
          if (!match) return;
          waiting.delete(check);
          resolve(match);
        };
        waiting.add(check);
        check();
        void ended.then(() => {
          if (!waiting.delete(check)) return;
          reject(new Error(`no ${pattern} in the output of infusionsoft ${args.join(' ')}:\n${stderr}`));
        });
      });
    },
  };
}

/** `auth login --no-browser`, Allow pressed on the sandbox's page, the callback delivered to the CLI. */
export async function oauthLogin(
  env: Record<string, string | undefined>,
  extra: string[] = [],
  options: RunOptions = {},
): Promise<CliResult> {
  const login = startRun([...extra, 'auth', 'login', '--no-browser'], { ...options, env });
  const [, url] = await login.waitForStderr(AUTHORIZE_URL);
  const landed = await pressOnAuthorizePage(url as string);
  const callback = await fetch(landed);
  expect(callback.status).toBe(200);
  const result = await login.done;
  registerStoredSecrets(env.INFUSIONSOFT_CONFIG_DIR as string);
  return result;
}

export type StoredFile =
  | { kind: 'oauth'; accessToken: string; refreshToken: string; expiresAt: number; clientSecret: string }
  | { kind: 'key'; key: string };

export function readStoredSecret(configDir: string, profile = 'default'): StoredFile | undefined {
  const file = join(configDir, 'secrets', `${profile}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StoredFile) : undefined;
}

/** Every token now stored under `configDir` joins the secret scan's list. */
export function registerStoredSecrets(configDir: string): void {
  const folder = join(configDir, 'secrets');
  if (!existsSync(folder)) return;
  for (const name of readdirSync(folder)) {
    if (!name.endsWith('.json')) continue;
    const secret = JSON.parse(readFileSync(join(folder, name), 'utf8')) as Record<string, unknown>;
    for (const key of ['accessToken', 'refreshToken', 'clientSecret', 'key']) {
      if (typeof secret[key] === 'string') registerSecret(secret[key] as string);
    }
  }
}
