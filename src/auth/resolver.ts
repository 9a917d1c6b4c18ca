/**
 * Which profile a run works on (DESIGN.md section 2): the one named by `--profile` or
 * INFUSIONSOFT_PROFILE (explicit: it wins over credentials in the environment), else the default
 * that `auth switch` set, else `default`. The last two are not explicit: an environment credential
 * still wins over them.
 */
import type { ProfileRef } from './account.js';
import { authPaths, DEFAULT_PROFILE, readDefaultProfile, resolveConfigDir, resolveProfileName } from './profiles.js';

/** `warn` says when the config folder had to be made private. */
export async function selectProfile(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  warn?: (message: string) => void,
): Promise<ProfileRef> {
  const paths = authPaths(resolveConfigDir(env), warn);
  if (flag?.trim() || env.INFUSIONSOFT_PROFILE?.trim()) {
    return { paths, profileName: resolveProfileName(flag, env), explicit: true, env };
  }
  // A credential in the environment wins over the default anyway: a config it cannot read is no reason to fail.
  const fromEnv = Boolean(env.INFUSIONSOFT_ACCESS_TOKEN?.trim() || env.INFUSIONSOFT_API_KEY?.trim());
  const switched = await readDefaultProfile(paths).catch((error: unknown) => {
    if (fromEnv) return undefined;
    throw error;
  });
  if (switched && switched !== DEFAULT_PROFILE) {
    // Checked like a flag: config.json may have been edited by hand.
    return { paths, profileName: resolveProfileName(switched, {}), explicit: false, switched: true, env };
  }
  return { paths, profileName: DEFAULT_PROFILE, explicit: false, env };
}
