/** `auth login`: its flags, the checks between them, and what the person reads after the login (docs/auth.md). */
import type { Command } from 'commander';
import type { ProfileRef } from '../auth/account.js';
import type { LoginResult } from '../auth/login.js';
import { UsageError } from '../errors.js';
import type { IO } from '../io.js';
import type { Reporter } from '../reporter.js';
import { announceReplacement, profileRef } from './auth-profiles.js';
import { globalOptions, reporterFor } from './context.js';
import { runInterruptible } from './interrupt.js';

interface LoginFlags {
  browser: boolean;
  port?: string;
  redirectUri?: string;
  clientId?: string;
  withToken?: boolean;
  refreshToken?: boolean;
  insecureStorage?: boolean;
}

const LOGIN_TIMEOUT_MS = 5 * 60_000;

export function registerAuthLogin(auth: Command, io: IO): void {
  auth
    .command('login')
    .description('log in with OAuth in a browser, or store a key (--with-token) or a refresh token')
    .option('--no-browser', 'print the login address instead of opening a browser, and accept the address you land on pasted back')
    .option('--port <n>', 'port of the local callback server on 127.0.0.1: the one of the registered redirect URI (default: a free one)')
    .option('--redirect-uri <uri>', 'redirect URI registered for the app; an https one means pasting back the address you land on')
    .option(
      '--client-id <id>',
      "the OAuth app's client id (env INFUSIONSOFT_CLIENT_ID); the secret comes from INFUSIONSOFT_CLIENT_SECRET, a prompt or stdin",
    )
    .option('--with-token', 'read a Personal Access Token or Service Account Key from stdin and store it')
    .option('--refresh-token', "read a refresh token (from Keap's developer portal) from stdin and adopt it")
    .option('--insecure-storage', 'store the credential in a 0600 file, not the OS keychain (for cron)')
    .addHelpText(
      'after',
      `
The client secret is never a flag (flags show in ps): set INFUSIONSOFT_CLIENT_SECRET, type it at
the prompt, or pipe it on stdin. OAuth endpoints: INFUSIONSOFT_AUTHORIZE_URL, INFUSIONSOFT_TOKEN_URL.
Keap takes only a registered redirect URI, matched exactly: register http://127.0.0.1:PORT/callback
and pass --port PORT, or pass an https one with --redirect-uri. Ctrl-C ends the login (exit 130).`,
    )
    .action((flags: LoginFlags, command: Command) => runLogin(flags, command, io));
}

/** Flags that cannot go together: refused before anything is loaded or read. */
function refuseFlagCombinations(flags: LoginFlags): void {
  if (flags.withToken && flags.refreshToken)
    throw new UsageError('--with-token and --refresh-token cannot be used together', {
      hint: 'a key (--with-token) or a refresh token (--refresh-token), not both',
    });
  const browserFlags = [
    flags.port !== undefined && '--port',
    flags.redirectUri !== undefined && '--redirect-uri',
    flags.browser === false && '--no-browser',
  ].filter(Boolean);
  if ((flags.withToken || flags.refreshToken) && browserFlags.length) {
    throw new UsageError(
      `${browserFlags.join(', ')} only apply to the browser login, not to ${flags.withToken ? '--with-token' : '--refresh-token'}`,
    );
  }
}

/** Checks the flags, then runs the login under Ctrl-C handling with the run's prompter, opener and secret stores. */
async function runLogin(flags: LoginFlags, command: Command, io: IO): Promise<void> {
  refuseFlagCombinations(flags);
  // Loaded when a login runs: the HTTP client and the CSV parser behind them are not needed at start-up.
  const [{ checkRedirectUri, login }, { parseWholeNumber }, { authorizeUrlFrom, resolveApiUrl, storesOf, tokenUrlFrom }] =
    await Promise.all([import('../auth/login.js'), import('./args.js'), import('../auth/resolver.js')]);
  const port = parseWholeNumber(flags.port, '--port');
  if (port !== undefined && port > 65535) throw new UsageError(`--port: ${port} is not a port (1-65535)`);
  const redirectUri = flags.redirectUri === undefined ? undefined : checkRedirectUri(flags.redirectUri);
  if (redirectUri && port !== undefined)
    throw new UsageError('--port and --redirect-uri cannot be used together', { hint: 'put the port in the redirect URI' });
  const globals = globalOptions(command);
  const reporter = reporterFor(globals, io);
  const ref = await profileRef(command, io);
  const env = io.env;
  await refuseMixedEndpoints(flags, globals.apiUrl, env);
  await announceReplacement(ref, reporter);
  const prompter = io.prompter();
  try {
    const result = await runInterruptible(
      (signal) =>
        login(
          {
            paths: ref.paths,
            profileName: ref.profileName,
            apiUrl: resolveApiUrl(globals.apiUrl, env),
            authorizeUrl: authorizeUrlFrom(env),
            tokenUrl: tokenUrlFrom(env),
            env,
            secrets: storesOf(ref),
            ...(flags.clientId ? { clientId: flags.clientId } : {}),
            noBrowser: flags.browser === false,
            ...(port !== undefined ? { port } : {}),
            ...(redirectUri ? { redirectUri } : {}),
            withToken: flags.withToken ?? false,
            refreshToken: flags.refreshToken ?? false,
            insecureStorage: flags.insecureStorage ?? false,
            timeoutMs: LOGIN_TIMEOUT_MS,
            signal,
          },
          { reporter, prompter, openBrowser: io.openBrowser },
        ),
      'login interrupted; nothing was stored',
    );
    await reportLogin(reporter, result, ref, env);
  } finally {
    prompter.close();
  }
}

/** What the person reads after a login: who, where the secret went, and what ends a login. */
async function reportLogin(reporter: Reporter, result: LoginResult, ref: ProfileRef, env: NodeJS.ProcessEnv): Promise<void> {
  const { credentialVariablesSet } = await import('../auth/resolver.js');
  const { profile } = result;
  const { profileName } = ref;
  const who = profile.user?.name ?? profile.user?.email ?? 'an unnamed user';
  const email = profile.user?.email && profile.user.name ? ` <${profile.user.email}>` : '';
  reporter.info(`Logged in to Keap as ${who}${email}${profile.app ? ` (${profile.app})` : ''}, profile "${profileName}".`);
  reporter.info(
    profile.storage === 'keychain'
      ? 'The credential is stored in the OS keychain.'
      : `The credential is stored in a file only you can read: ${result.location}/${profileName}.json`,
  );
  if (profile.kind === 'oauth') {
    reporter.info(
      'Note: authorising the same Keap app again elsewhere (another machine, tool or profile) may end this login (its refresh token).',
    );
  }
  // A named profile wins over them; the default one does not (DESIGN.md section 2).
  for (const name of ref.explicit ? [] : credentialVariablesSet(env)) {
    reporter.warn(`${name} is set and wins over this profile until it is unset`);
  }
}

/** Keap's token endpoint with another API (or the reverse) would send a real token to the wrong host. */
async function refuseMixedEndpoints(flags: LoginFlags, apiUrlFlag: string | undefined, env: NodeJS.ProcessEnv): Promise<void> {
  if (flags.withToken) return;
  const [{ checkLoginEndpoints }, { authorizeUrlFrom, resolveApiUrl, tokenUrlFrom }] = await Promise.all([
    import('../auth/origin.js'),
    import('../auth/resolver.js'),
  ]);
  checkLoginEndpoints({
    apiUrl: resolveApiUrl(apiUrlFlag, env),
    tokenUrl: tokenUrlFrom(env),
    // A --refresh-token login never visits the authorize page.
    ...(flags.refreshToken ? {} : { authorizeUrl: authorizeUrlFrom(env) }),
  });
}
