/** `auth login|status|list|switch|token|refresh|logout`: the stored Keap logins (docs/auth.md). */
import type { Command } from 'commander';
import type { AuthStatus } from '../auth/account.js';
import type { LogoutResult } from '../auth/forget.js';
import { CliError, UsageError } from '../errors.js';
import type { Reporter } from '../reporter.js';
import type { IO } from '../io.js';
import { registerAuthLogin } from './auth-login.js';
import { checkStatus, profileRef, registerAuthList, registerAuthSwitch } from './auth-profiles.js';
import { globalOptions, reporterFor } from './context.js';

// The auth code (profiles, keychain, token refresh) loads when an auth command runs, not at start-up.
const account = () => import('../auth/account.js');

export function defineAuthCommand(auth: Command, io: IO): void {
  auth.description('log in to Keap and manage stored logins (profiles)');
  auth.hook('preAction', (_auth, action) => refuseSandbox(action));
  for (const register of [
    registerAuthLogin,
    registerAuthStatus,
    registerAuthList,
    registerAuthSwitch,
    registerAuthToken,
    registerAuthRefresh,
    registerAuthLogout,
  ]) {
    register(auth, io);
  }
}

function registerAuthStatus(auth: Command, io: IO): void {
  auth
    .command('status')
    .description('who is logged in, which account, where the credential lives, token expiry')
    .option('--json', 'print one JSON document')
    .option('--check', 'check the credential with one authenticated request (refreshed first when due); exit 4 when it fails')
    .action(async (flags: { json?: boolean; check?: boolean }, command: Command) => {
      const ref = await profileRef(command, io);
      const checked = flags.check ? await checkStatus(command, io) : undefined;
      // Read after the check: a refresh it made, or a refusal it met, shows.
      const status = await (await account()).authStatus(ref);
      if (checked) status.check = checked.check;
      // A failed check under --json: the status and the error as one object (docs/json.md).
      if (checked?.failure && flags.json) {
        const { failure } = checked;
        throw (failure instanceof CliError ? failure : new CliError(failure.message, { cause: failure })).withResult(status);
      }
      const { refreshCronLine } = await import('../auth/source.js');
      io.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : renderStatus(status, refreshCronLine(status.profile)));
      if (checked?.failure) throw checked.failure;
    });
}

function registerAuthToken(auth: Command, io: IO): void {
  auth
    .command('token')
    .description('print a valid access token (refreshed first if needed), for scripts')
    .option('--json', 'print one JSON object: {"token": ...}; an error is one too, without any secret (docs/json.md)')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const reporter = reporterFor(globalOptions(command), io);
      const ref = await profileRef(command, io);
      const [{ currentToken }, { credentialVariablesSet }] = await Promise.all([account(), import('../auth/resolver.js')]);
      const token = await currentToken({ ...ref, log: (line) => reporter.debug(line) });
      // The token on stdout is this command's purpose, with or without --json.
      io.stdout.write(flags.json ? `${JSON.stringify({ token }, null, 2)}\n` : `${token}\n`);
      for (const name of ref.explicit ? credentialVariablesSet(io.env) : []) {
        reporter.warn(`${name} is set but not used: profile "${ref.profileName}" was named, and a named profile wins`);
      }
    });
}

function registerAuthRefresh(auth: Command, io: IO): void {
  auth
    .command('refresh')
    .description('refresh the OAuth tokens now (a monthly cron line keeps an idle login alive)')
    .action(async (_flags: unknown, command: Command) => {
      const ref = await profileRef(command, io);
      const reporter = reporterFor(globalOptions(command), io);
      const profile = await (await account()).refreshNow({ ...ref, log: (line) => reporter.debug(line) });
      reporter.info(
        `Refreshed profile "${ref.profileName}": the access token is valid until ${profile.accessTokenExpiresAt ?? 'unknown'}.`,
      );
    });
}

function registerAuthLogout(auth: Command, io: IO): void {
  auth
    .command('logout')
    .description('forget the profile and remove its credential from wherever it lives')
    .option('--all', 'log out of every stored profile')
    .action(async (flags: { all?: boolean }, command: Command) => {
      if (flags.all && globalOptions(command).profile?.trim()) {
        throw new UsageError('--all and --profile cannot be used together', { hint: 'drop --profile to log out of every profile' });
      }
      const ref = await profileRef(command, io);
      const reporter = reporterFor(globalOptions(command), io);
      const { logout, logoutAll } = await account();
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

/** `cronLine`: the crontab line that keeps this login alive (auth/source.ts), for the expiry warning. */
function renderStatus(status: AuthStatus, cronLine: string): string {
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
  if (status.refreshTokenIssuedAt) lines.push(...refreshTokenLines(status, cronLine));
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
function refreshTokenLines(status: AuthStatus, cronLine: string): Array<[string, string]> {
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
    lines.push(['warning', `it may expire at 45 days: run \`${refresh}\` now, and monthly from cron: ${cronLine}`]);
  }
  return lines;
}

function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.max(1, Math.floor(ms / 1000))} s`;
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
