/**
 * `auth list`, `auth switch` and `auth status --check`, and what a login says about the profile it
 * replaces: the parts of `auth` that look across profiles (docs/auth.md, Profiles).
 */
import type { Command } from 'commander';
import type { AuthStatus, ProfileRef } from '../auth/account.js';
import type { ProfileSummary } from '../auth/overview.js';
import type { IO } from '../io.js';
import type { Reporter } from '../reporter.js';
import { globalOptions, reporterFor, withSession } from './context.js';

/**
 * The profile a command works on: `--profile`, INFUSIONSOFT_PROFILE, the `auth switch` default,
 * `default`; with the run's secret stores. A warning says when the config folder had to be made private.
 */
export async function profileRef(command: Command, io: IO): Promise<ProfileRef> {
  const warn = (message: string) => reporterFor(globalOptions(command), io).warn(message);
  const { selectProfile } = await import('../auth/resolver.js');
  return { ...(await selectProfile(globalOptions(command).profile, io.env, warn)), secrets: io.secrets };
}

export function registerAuthList(auth: Command, io: IO): void {
  auth
    .command('list')
    .description('every stored profile: user, account, storage and API origin (* marks the default)')
    .option('--json', 'print one JSON document')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const [{ selectProfile }, { listProfiles }] = await Promise.all([import('../auth/resolver.js'), import('../auth/overview.js')]);
      const { paths } = await selectProfile(globalOptions(command).profile, io.env);
      const profiles = await listProfiles(paths);
      // An object, not the bare list: a script tells it from an error document by its key (docs/json.md).
      if (flags.json) io.stdout.write(`${JSON.stringify({ profiles }, null, 2)}\n`);
      else if (profiles.length === 0) reporterFor(globalOptions(command), io).info('No stored profiles: run `infusionsoft auth login`.');
      else io.stdout.write(renderList(profiles));
    });
}

export function registerAuthSwitch(auth: Command, io: IO): void {
  auth
    .command('switch')
    .description('make a stored profile the default for commands that name none')
    .argument('<name>', 'the profile')
    .action(async (name: string, _flags: unknown, command: Command) => {
      const [{ notLoggedIn }, { readProfile, setDefaultProfile }, { credentialVariablesSet, profileVariable, selectProfile }] =
        await Promise.all([import('../auth/account.js'), import('../auth/profiles.js'), import('../auth/resolver.js')]);
      const ref = await selectProfile(name, io.env);
      const { profileName } = ref;
      if (!(await readProfile(ref.paths, profileName))) throw notLoggedIn(ref);
      await setDefaultProfile(ref.paths, profileName);
      const reporter = reporterFor(globalOptions(command), io);
      reporter.info(`Profile "${profileName}" is now the default for commands that name no profile.`);
      const named = profileVariable(io.env);
      if (named) reporter.warn(`INFUSIONSOFT_PROFILE=${named} still wins while it is set`);
      for (const variable of credentialVariablesSet(io.env)) {
        reporter.warn(`${variable} is set and wins over the default profile until it is unset`);
      }
    });
}

/** `auth status --check`: one authenticated request with the run's credential; its failure is the command's (exit 4). */
export async function checkStatus(command: Command, io: IO): Promise<{ check: NonNullable<AuthStatus['check']>; failure?: Error }> {
  const { CHECK_REQUEST, checkCredential } = await import('../auth/overview.js');
  const outcome = await withSession(command, io, (session) => checkCredential(session.api));
  if (outcome.ok) return { check: { ok: true, request: CHECK_REQUEST } };
  return { check: { ok: false, request: CHECK_REQUEST, error: outcome.error.message }, failure: outcome.error };
}

/** Said before a login over a stored profile, so nobody replaces a login by accident. */
export async function announceReplacement(ref: ProfileRef, reporter: Reporter): Promise<void> {
  const { readProfile } = await import('../auth/profiles.js');
  const previous = await readProfile(ref.paths, ref.profileName);
  if (!previous) return;
  const who = previous.user?.email ?? previous.user?.name;
  const what = [who, previous.app, new URL(previous.apiUrl).origin].filter(Boolean).join(', ');
  reporter.info(`This login replaces the login stored in profile "${ref.profileName}" (${what}) once it succeeds.`);
}

function renderList(profiles: ProfileSummary[]): string {
  const rows = profiles.map((p) => {
    const user = p.user ? [p.user.name, p.user.email && (p.user.name ? `<${p.user.email}>` : p.user.email)].filter(Boolean).join(' ') : '';
    return [`${p.default ? '*' : ' '} ${p.name}`, p.kind, p.storage, p.apiOrigin, user, p.app ?? p.tenant ?? ''];
  });
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] as string).length))) ?? [];
  return rows
    .map(
      (row) =>
        `${row
          .map((cell, column) => cell.padEnd(widths[column] ?? 0))
          .join('  ')
          .trimEnd()}\n`,
    )
    .join('');
}
