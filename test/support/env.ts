/** The environment a test run of the CLI sees: no credentials or settings leak in from the developer's shell. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let emptyConfig: string | undefined;
function emptyConfigDir(): string {
  emptyConfig ??= mkdtempSync(join(tmpdir(), 'infusionsoft-no-config-'));
  return emptyConfig;
}

export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('INFUSIONSOFT_')) env[k] = v;
  }
  env.NO_COLOR = '1';
  // Never the developer's own stored logins: an empty config folder unless a test gives one.
  env.INFUSIONSOFT_CONFIG_DIR = emptyConfigDir();
  // An undefined value removes the variable (e.g. DBUS_SESSION_BUS_ADDRESS, to be like cron).
  for (const [k, v] of Object.entries(extra)) {
    if (v !== undefined) env[k] = v;
    else delete env[k];
  }
  return env;
}
