/** `auth login|status|list|switch|token|refresh|logout`: the stored Keap logins (docs/auth.md). */
import type { Command } from 'commander';
import { authStatus, currentToken, logout, logoutAll, refreshNow, type AuthStatus, type ProfileRef } from '../auth/account.js';
import type { LogoutResult } from '../auth/forget.js';
import type { LoginResult } from '../auth/login.js';
import { checkLoginEndpoints } from '../auth/origin.js';
import { refreshCronLine } from '../auth/source.js';
import { authorizeUrlFrom, credentialVariablesSet, resolveApiUrl, selectProfile, tokenUrlFrom } from '../auth/resolver.js';
import { UsageError } from '../errors.js';
import type { Reporter } from '../reporter.js';
import type { IO } from '../io.js';
import { announceReplacement, checkStatus, registerAuthList, registerAuthSwitch } from './auth-profiles.js';
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

/**
 * The profile a command works on: `--profile`, INFUSIONSOFT_PROFILE, the `auth switch` default,
 * `default`; `warn` says when the config folder had to be made private.
 */
export async function profileRef(command: Command, env: NodeJS.ProcessEnv, warn?: (message: string) => void): Promise<ProfileRef> {
  return selectProfile(globalOptions(command).profile, env, warn);
}

export function registerAuthCommand(program: Command, io: IO): void {
  const warnFor = (command: Command) => (message: string) => reporterFor(globalOptions(command), io).warn(message);
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
      const [{ checkRedirectUri, login }, { parseWholeNumber }] = await Promise.all([import('../auth/login.js'), import('./args.js')]);
      const port = parseWholeNumber(flags.port, '--port');
      if (port !== undefined && port > 65535) throw new UsageError(`--port: ${port} is not a port (1-65535)`);
      const redirectUri = flags.redirectUri === undefined ? undefined : checkRedirectUri(flags.redirectUri);
      if (redirectUri && port !== undefined)
        throw new UsageError('--port and --redirect-uri cannot be used together', { hint: 'put the port in the redirect URI' });
      const globals = globalOptions(command);
      const reporter = reporterFor(globals, io);
      const ref = await profileRef(command, io.env, warnFor(command));
      const env = io.env;
      refuseMixedEndpoints(flags, globals.apiUrl, env);
      await announceReplacement(ref, reporter);
      const terminal = terminalIO(reporter);
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
        reportLogin(reporter, result, ref, env);
      } finally {
        terminal.close();
      }
    });

  auth
    .command('status')
    .description('who is logged in, which account, where the credential lives, token expiry')
    .option('--json', 'print one JSON document')
    .option('--check', 'check the credential with one authenticated request (refreshed first when due); exit 4 when it fails')
    .action(async (flags: { json?: boolean; check?: boolean }, command: Command) => {
      const ref = await profileRef(command, io.env, warnFor(command));
      const checked = flags.check ? await checkStatus(command, io) : undefined;
      // Read after the check: a refresh it made, or a refusal it met, shows.
      const status = await authStatus(ref);
      if (checked) status.check = checked.check;
      io.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : renderStatus(status));
      if (checked?.failure) throw checked.failure;
    });

  registerAuthList(auth, io);
  registerAuthSwitch(auth, io);

  auth
    .command('token')
    .description('print a valid access token (refreshed first if needed), for scripts')
    .action(async (_flags: unknown, command: Command) => {
      const reporter = reporterFor(globalOptions(command), io);
      const ref = await profileRef(command, io.env, warnFor(command));
      io.stdout.write(`${await currentToken({ ...ref, log: (line) => reporter.debug(line) })}\n`);
      for (const name of ref.explicit ? credentialVariablesSet(io.env) : []) {
        reporter.warn(`${name} is set but not used: profile "${ref.profileName}" was named, and a named profile wins`);
      }
    });

  auth
    .command('refresh')
    .description('refresh the OAuth tokens now (a monthly cron line keeps an idle login alive)')
    .action(async (_flags: unknown, command: Command) => {
      const ref = await profileRef(command, io.env, warnFor(command));
      const reporter = reporterFor(globalOptions(command), io);
      const profile = await refreshNow({ ...ref, log: (line) => reporter.debug(line) });
      reporter.info(
        `Refreshed profile "${ref.profileName}": the access token is valid until ${profile.accessTokenExpiresAt ?? 'unknown'}.`,
      );
    });

  auth
    .command('logout')
    .description('forget the profile and remove its credential from wherever it lives')
    .option('--all', 'log out of every stored profile')
    .action(async (flags: { all?: boolean }, command: Command) => {
      if (flags.all && globalOptions(command).profile?.trim()) {
        throw new UsageError('--all and --profile cannot be used together', { hint: 'drop --profile to log out of every profile' });
      }
      const ref = await profileRef(command, io.env, warnFor(command));
      const reporter = reporterFor(globalOptions(command), io);
      const results = flags.all ? await logoutAll(ref) : [await logout(ref)];
      if (flags.all && results.length === 0) reporter.info('There were no stored logins: nothing was there to log out of.');
      for (const result of results) reportLogout(reporter, result);
    });
}

/** One line per profile, and for a secret that may remain, how to delete it by hand. */
function reportLogout(reporter: Reporter, result: LogoutResult): void {
  const name = `profile "${result.profile}"`;
  if (result.secret === 'removed') reporter.info(`Logged out of ${name}; its credential was removed from ${result.location}.`);
  if (result.secret === 'absent') reporter.info(`Logged out of ${name}; nothing was there in ${result.location} to remove.`);
  if (result.secret === 'unreachable') {
    reporter.info(`Logged out of ${name} on this machine.`);
    reporter.warn(
      `its credential could not be removed from ${result.location} (${result.reason}), so it may remain there; ` +
        `to delete it: ${result.removeByHand}`,
    );
  }
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
function reportLogin(reporter: Reporter, result: LoginResult, ref: ProfileRef, env: NodeJS.ProcessEnv): void {
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
function refuseMixedEndpoints(flags: LoginFlags, apiUrlFlag: string | undefined, env: NodeJS.ProcessEnv): void {
  if (flags.withToken) return;
  checkLoginEndpoints({
    apiUrl: resolveApiUrl(apiUrlFlag, env),
    tokenUrl: tokenUrlFrom(env),
    // A --refresh-token login never visits the authorize page.
    ...(flags.refreshToken ? {} : { authorizeUrl: authorizeUrlFrom(env) }),
  });
}

function renderStatus(status: AuthStatus): string {
  const lines: Array<[string, string]> = [
    ['profile', `${status.profile}${status.switchedDefault ? ' (the default, set by auth switch)' : ''}`],
  ];
  const kind = { oauth: 'OAuth login', key: 'key (PAT or SAK)', 'access-token': 'OAuth access token' }[status.kind];
  const where =
    status.source === 'environment' ? `environment (${status.sourceName})` : status.source === 'keychain' ? 'keychain' : 'file (0600)';
  lines.push(['credential', `${kind}, from the ${where}`]);
  if (status.profileShadowed) lines.push(['note', `the stored profile "${status.profile}" is not used while ${status.sourceName} is set`]);
  if (status.environmentIgnored) lines.push(['note', `${status.environmentIgnored} is set but not used: a named profile wins`]);
  if (status.keychainUnreachable)
    lines.push(['keychain', `this run cannot reach it (${status.keychainUnreachable}); commands that need the credential exit 4`]);
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
  if (status.refreshTokenIssuedAt) lines.push(...refreshTokenLines(status));
  if (status.check) {
    lines.push(['check', status.check.ok ? `ok (${status.check.request})` : `failed (${status.check.request}): ${status.check.error}`]);
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

/** The refresh token's age, and what is known about its end: an earlier refusal, or an age near 45 days. */
function refreshTokenLines(status: AuthStatus): Array<[string, string]> {
  const age = status.refreshTokenAgeDays ?? 0;
  const lines: Array<[string, string]> = [
    ['refresh token', `issued ${status.refreshTokenIssuedAt} (${age} days ago; Keap staff quote 45 days of life, others 180)`],
  ];
  const login = `infusionsoft auth login${status.profile === 'default' ? '' : ` --profile ${status.profile}`}`;
  if (status.refreshRefusedAt) {
    const why = status.refreshRefusal ? ` (${status.refreshRefusal})` : '';
    lines.push(['warning', `Keap refused this refresh token at ${status.refreshRefusedAt}${why}: log in again: ${login}`]);
  } else if (status.refreshTokenMayExpire) {
    const refresh = `infusionsoft${status.profile === 'default' ? '' : ` --profile ${status.profile}`} auth refresh`;
    lines.push(['warning', `it may expire at 45 days: run \`${refresh}\` now, and monthly from cron: ${refreshCronLine(status.profile)}`]);
  }
  return lines;
}

function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.max(1, Math.floor(ms / 1000))} s`;
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
