/**
 * The config folder decides where credentials are sent (a profile's API and token URLs), so it is
 * held to ssh's rule for a private key (issue 14 item 5): a config folder or `config.json` that
 * someone else could have written (group- or world-writable, or owned by another user) is refused,
 * exit 4, with the command that fixes it; tightening it now would not undo what was written. A
 * config or secrets folder that others can merely read or enter is tightened to 0700, saying so.
 * Not on Windows, whose permissions are ACLs, not mode bits.
 */
import { chmod, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { AuthError, CliError } from '../errors.js';

export interface FolderGuardPaths {
  configDir: string;
  configFile: string;
  secretsDir: string;
  /** Where "tightened ..." goes: the run's reporter. */
  warn?: (message: string) => void;
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
const quoted = (path: string) => `'${path.replaceAll("'", "'\\''")}'`;

async function statOf(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot check ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Refuses a path another user owns or others can write; `fix` is the chmod that makes it private. */
function refuseUnsafe(path: string, what: string, found: Stats, uid: number, fix: string): void {
  if (found.uid !== uid) {
    throw new AuthError(`${what} ${path} belongs to another user (uid ${found.uid}, you are ${uid}), so it is not used`, {
      hint: `if it is yours, run: sudo chown -R ${uid} ${quoted(path)} && ${fix}; otherwise set INFUSIONSOFT_CONFIG_DIR to a folder of your own`,
    });
  }
  if (found.mode & 0o022) {
    throw new AuthError(
      `${what} ${path} can be written by others (mode ${octal(found.mode)}), so it is not used: it decides where your Keap credential is sent`,
      { hint: `check that it holds only what you wrote, then run: ${fix}` },
    );
  }
}

/** Sets a folder others can read or enter to 0700, and says so. */
async function tighten(path: string, what: string, found: Stats, warn?: (message: string) => void): Promise<void> {
  if ((found.mode & 0o077) === 0) return;
  try {
    await chmod(path, 0o700);
  } catch (error) {
    throw new CliError(`cannot make ${what} ${path} private (chmod 700): ${(error as Error).message}`, { cause: error });
  }
  warn?.(`${what} ${path} was open to others (mode ${octal(found.mode)}); it is now 0700`);
}

/** Checks, and where it may, tightens the config folder, `config.json` and the secrets folder. */
export async function guardConfigFolder(paths: FolderGuardPaths): Promise<void> {
  const uid = process.getuid?.();
  if (process.platform === 'win32' || uid === undefined) return;
  const folder = await statOf(paths.configDir);
  if (!folder) return;
  refuseUnsafe(paths.configDir, 'the config folder', folder, uid, `chmod 700 ${quoted(paths.configDir)}`);
  const file = await statOf(paths.configFile);
  if (file) refuseUnsafe(paths.configFile, 'the config file', file, uid, `chmod 600 ${quoted(paths.configFile)}`);
  await tighten(paths.configDir, 'the config folder', folder, paths.warn);
  const secrets = await statOf(paths.secretsDir);
  if (secrets) {
    if (secrets.uid !== uid) refuseUnsafe(paths.secretsDir, 'the secrets folder', secrets, uid, `chmod 700 ${quoted(paths.secretsDir)}`);
    await tighten(paths.secretsDir, 'the secrets folder', secrets, paths.warn);
  }
}
