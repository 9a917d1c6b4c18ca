/** `auth login|status|token|refresh|logout`: the stored Keap logins (docs/auth.md). */
import type { Command } from 'commander';
import { resolveApiUrl } from '../api/credentials.js';
import { authStatus, currentToken, logout, refreshNow, type AuthStatus, type ProfileRef } from '../auth/account.js';
import type { LoginResult } from '../auth/login.js';
import { DEFAULT_AUTHORIZE_URL, DEFAULT_TOKEN_URL, authPaths, resolveConfigDir, resolveProfileName } from '../auth/profiles.js';
import { UsageError } from '../errors.js';
import type { Reporter } from '../reporter.js';
import type { IO } from '../io.js';
import { globalOptions, reporterFor } from './context.js';
import { runInterruptible } from './interrupt.js';
import { terminalIO } from './prompt.js';

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

/** The profile a command works on, from `--profile` / INFUSIONSOFT_PROFILE and the config dir. */
export function profileRef(command: Command, env: NodeJS.ProcessEnv): ProfileRef {
  const flag = globalOptions(command).profile;
  return {
    paths: authPaths(resolveConfigDir(env)),
    profileName: resolveProfileName(flag, env),
    explicit: Boolean(flag?.trim() || env.INFUSIONSOFT_PROFILE?.trim()),
    env,
  };
}

export function registerAuthCommand(program: Command, io: IO): void {
  const auth = program.command('auth').description('log in to Keap and manage stored logins (profiles)');
  auth.hook('preAction', (_auth, action) => refuseSandbox(action));

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
and pass --port PORT, or pass an https one with --redirect-uri. Ctrl-C ends the login (exit 130).

Examples:
  $ infusionsoft auth login --client-id ID --port 8765         # registered as http://127.0.0.1:8765/callback
  $ infusionsoft auth login --client-id ID --no-browser        # over SSH: open the address elsewhere, paste back
  $ infusionsoft auth login --client-id ID --redirect-uri https://example.com/keap/callback
  $ infusionsoft auth login --with-token --insecure-storage < key.txt    # a server, with a PAT or SAK
  $ infusionsoft --profile client-b auth login --client-id ID`,
    )
    .action(async (flags: LoginFlags, command: Command) => {
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
      // Loaded when a login runs: the HTTP client and the CSV parser behind them are not needed at start-up.
      const [{ checkRedirectUri, login }, { parseWholeNumber }] = await Promise.all([import('../auth/login.js'), import('../etl/args.js')]);
      const port = parseWholeNumber(flags.port, '--port');
      if (port !== undefined && port > 65535) throw new UsageError(`--port: ${port} is not a port (1-65535)`);
      const redirectUri = flags.redirectUri === undefined ? undefined : checkRedirectUri(flags.redirectUri);
      if (redirectUri && port !== undefined)
        throw new UsageError('--port and --redirect-uri cannot be used together', { hint: 'put the port in the redirect URI' });
      const globals = globalOptions(command);
      const reporter = reporterFor(globals, io);
      const ref = profileRef(command, io.env);
      const env = io.env;
      const terminal = terminalIO(reporter);
      try {
        const result = await runInterruptible(
          (signal) =>
            login(
              {
                paths: ref.paths,
                profileName: ref.profileName,
                apiUrl: resolveApiUrl(globals.apiUrl, env),
                authorizeUrl: endpoint(env.INFUSIONSOFT_AUTHORIZE_URL, DEFAULT_AUTHORIZE_URL, 'INFUSIONSOFT_AUTHORIZE_URL'),
                tokenUrl: endpoint(env.INFUSIONSOFT_TOKEN_URL, DEFAULT_TOKEN_URL, 'INFUSIONSOFT_TOKEN_URL'),
                env,
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
              terminal,
            ),
          'login interrupted; nothing was stored',
        );
        reportLogin(reporter, result, ref.profileName, env);
      } finally {
        terminal.close();
      }
    });

  auth
    .command('status')
    .description('who is logged in, which account, where the credential lives, token expiry')
    .option('--json', 'print one JSON document')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const status = await authStatus(profileRef(command, io.env));
      io.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : renderStatus(status));
    });

  auth
    .command('token')
    .description('print a valid access token (refreshed first if needed), for scripts')
    .action(async (_flags: unknown, command: Command) => {
      io.stdout.write(`${await currentToken(profileRef(command, io.env))}\n`);
    });

  auth
    .command('refresh')
    .description('refresh the OAuth tokens now (a monthly cron line keeps an idle login alive)')
    .action(async (_flags: unknown, command: Command) => {
      const ref = profileRef(command, io.env);
      const profile = await refreshNow(ref);
      reporterFor(globalOptions(command), io).info(
        `Refreshed profile "${ref.profileName}": the access token is valid until ${profile.accessTokenExpiresAt ?? 'unknown'}.`,
      );
    });

  auth
    .command('logout')
    .description('remove the stored credential of the profile from wherever it lives')
    .action(async (_flags: unknown, command: Command) => {
      const ref = profileRef(command, io.env);
      const { location } = await logout(ref);
      reporterFor(globalOptions(command), io).info(
        `Logged out of profile "${ref.profileName}"; its credential was removed from ${location}.`,
      );
    });
}

/**
 * `--sandbox` starts a throwaway sandbox with its own token for one command: a login to it would be
 * gone when the command ends, and status or token would describe a stored login it never uses.
 */
function refuseSandbox(action: Command): void {
  if (!globalOptions(action).sandbox) return;
  throw new UsageError(
    `--sandbox does not apply to auth ${action.name()}: it runs a throwaway sandbox with its own token, and auth works on stored logins`,
    {
      hint: 'leave --sandbox out; to try auth against a sandbox, run `infusionsoft sandbox --port 8080` and follow "Endpoints" in docs/auth.md',
    },
  );
}

/** What the person reads after a login: who, where the secret went, and what ends a login. */
function reportLogin(reporter: Reporter, result: LoginResult, profileName: string, env: NodeJS.ProcessEnv): void {
  const { profile } = result;
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
  for (const name of ['INFUSIONSOFT_ACCESS_TOKEN', 'INFUSIONSOFT_API_KEY']) {
    if (env[name]?.trim()) reporter.warn(`${name} is set and wins over this profile until it is unset`);
  }
}

function endpoint(value: string | undefined, fallback: string, name: string): string {
  const text = value?.trim() || fallback;
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return text;
  } catch {
    // reported below
  }
  throw new UsageError(`${name} is not an http(s) URL: ${text}`, { hint: `unset it to use Keap's (${fallback})` });
}

function renderStatus(status: AuthStatus): string {
  const lines: Array<[string, string]> = [['profile', status.profile]];
  const kind = { oauth: 'OAuth login', key: 'key (PAT or SAK)', 'access-token': 'OAuth access token' }[status.kind];
  const where =
    status.source === 'environment' ? `environment (${status.sourceName})` : status.source === 'keychain' ? 'keychain' : 'file (0600)';
  lines.push(['credential', `${kind}, from the ${where}`]);
  if (status.profileShadowed) lines.push(['note', `the stored profile "${status.profile}" is not used while ${status.sourceName} is set`]);
  if (status.user) {
    const { name, email, id } = status.user;
    lines.push(['user', [name, email && (name ? `<${email}>` : email), id && `(id ${id})`].filter(Boolean).join(' ')]);
  }
  if (status.app || status.tenant)
    lines.push([
      'account',
      [status.app, status.tenant && status.tenant !== status.app ? `(tenant ${status.tenant})` : ''].filter(Boolean).join(' '),
    ]);
  if (status.apiUrl) lines.push(['api url', status.apiUrl]);
  if (status.accessTokenExpiresAt) {
    const left = Date.parse(status.accessTokenExpiresAt) - Date.now();
    lines.push([
      'access token',
      `${left > 0 ? 'expires' : 'expired'} ${status.accessTokenExpiresAt}${left > 0 ? ` (in ${duration(left)}; refreshed when needed)` : ' (the next run refreshes it)'}`,
    ]);
  }
  if (status.refreshTokenIssuedAt) {
    lines.push([
      'refresh token',
      `issued ${status.refreshTokenIssuedAt} (${status.refreshTokenAgeDays ?? 0} days ago; Keap staff quote 45 days of life)`,
    ]);
  }
  if (status.quota) {
    lines.push(['quota', `as last seen${status.quotaSeenAt ? ` at ${status.quotaSeenAt}` : ''}:`]);
    for (const [name, value] of Object.entries(status.quota)) lines.push([`  ${name}`, value]);
  }
  // Header names under `quota` are long: they line up among themselves, not with the rest.
  const widthOf = (indented: boolean) => Math.max(0, ...lines.filter(([l]) => l.startsWith(' ') === indented).map(([l]) => l.length)) + 2;
  const width = { plain: widthOf(false), indented: widthOf(true) };
  return lines.map(([label, value]) => `${`${label}:`.padEnd(label.startsWith(' ') ? width.indented : width.plain)}${value}\n`).join('');
}

function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.max(1, Math.floor(ms / 1000))} s`;
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
