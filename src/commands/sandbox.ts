/** `sandbox`: run the local Keap-compatible API until stopped (DESIGN.md section 5). */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { findResource } from '../catalog/index.js';
import type { IO } from '../io.js';
import type { SandboxOptions } from '../sandbox/types.js';
import { collect } from './collect.js';
import { wholeNumberOption } from './flags.js';

interface SandboxFlags {
  port: number;
  seed: number;
  contacts?: number;
  count: string[];
  data?: string;
  latency?: number;
  throttle?: number;
  limits?: string;
  faults?: string;
  tokenLifetime?: number;
  clientId?: string;
  clientSecret?: string;
  redirectUris?: string;
  keepEarlierLogins?: boolean;
  refreshTokenLifetime?: number;
}

export function defineSandboxCommand(command: Command, io: IO): void {
  command
    .description('run a local Keap-compatible REST v1 API with demo data (no account needed)')
    .addOption(wholeNumberOption('--port <n>', 'port on 127.0.0.1 (0 picks a free one)', { min: 0, max: 65535 }).default(0))
    .addOption(wholeNumberOption('--seed <n>', 'seed for the generated demo data', { min: 0 }).default(1))
    .addOption(wholeNumberOption('--contacts <n>', 'number of contacts to generate', { min: 0 }))
    .option('--count <resource=n>', 'number of records of another resource, e.g. orders=500 (repeatable)', collect, [])
    .option('--data <file>', 'keep writes in this JSON file across runs')
    .addOption(wholeNumberOption('--latency <ms>', 'delay every response', { min: 0 }))
    .addOption(wholeNumberOption('--throttle <n>', 'requests per second before answering 429', { min: 0 }))
    .option('--limits <preset>', "Keap's rate limits for a key (pat) or OAuth (oauth), all windows at once, e.g. pat or pat,quota=100")
    .option(
      '--faults <spec>',
      'inject faults, e.g. 503:0.05,429:0.02,reset:0.01,slow:0.01,truncate:0.01,gone:0.01 (also ignore-offset, stuck-next, drop-after-write, write-5xx, and 401-invalid-token, 401-expired-token, 401-token-not-approved, 401-missing-token, 401-client-not-approved)',
    )
    .addOption(wholeNumberOption('--token-lifetime <seconds>', 'lifetime of issued access tokens', { min: 0 }))
    .option('--client-id <id>', 'the OAuth client id /app/oauth/authorize and /token accept', 'sandbox-client-id')
    .option('--client-secret <secret>', 'the OAuth client secret /token accepts', 'sandbox-client-secret')
    .option('--redirect-uris <list>', "the app's registered redirect URIs, comma-separated: authorize takes only these, matched exactly")
    .option('--keep-earlier-logins', 'a new authorisation of the app leaves earlier refresh tokens alive (by default it ends them)')
    .addOption(wholeNumberOption('--refresh-token-lifetime <seconds>', 'refresh tokens die this long after they were issued', { min: 0 }))
    .addHelpText(
      'after',
      `
Prints INFUSIONSOFT_API_URL=... and INFUSIONSOFT_ACCESS_TOKEN=... on stdout, then serves until
stopped (Ctrl-C). Request logs go to stderr. The token works as a Bearer token and as a key
(X-Keap-API-Key). OAuth: authorize at ORIGIN/app/oauth/authorize, tokens at ORIGIN/token.`,
    )
    .action((flags: SandboxFlags) => sandboxCommand(flags, io));
}

/** Starts the sandbox the flags describe, prints its URL and token, and serves until SIGINT or SIGTERM. */
async function sandboxCommand(flags: SandboxFlags, io: IO): Promise<void> {
  // Loaded here, not at startup: every other command runs without the sandbox's code.
  const [{ parseWholeNumber }, { defaultCounts }, { parseFaults, parseLimits, startSandbox }] = await Promise.all([
    import('./args.js'),
    import('../sandbox/generate.js'),
    import('../sandbox/server.js'),
  ]);
  const counts: Record<string, number> = {};
  if (flags.contacts !== undefined) counts.contacts = flags.contacts;
  for (const entry of flags.count) {
    const [name, n] = entry.split('=');
    if (!name || n === undefined) throw new UsageError(`--count: "${entry}" should be RESOURCE=N, e.g. orders=500`);
    const resource = findResource(name).name;
    if (!(resource in defaultCounts)) {
      throw new UsageError(`--count: the number of ${resource} cannot be set`, {
        hint: `resources that can be sized: ${Object.keys(defaultCounts).join(', ')}`,
      });
    }
    counts[resource] = parseWholeNumber(n, `--count ${name}`) ?? 0;
  }
  if (flags.faults) parseFaults(flags.faults);
  if (flags.limits !== undefined) parseLimits(flags.limits);
  const options: SandboxOptions = {
    port: flags.port,
    seed: flags.seed,
    counts,
    log: (line) => io.stderr.write(`${line}\n`),
  };
  if (flags.data) options.dataFile = flags.data;
  if (flags.latency !== undefined) options.latencyMs = flags.latency;
  if (flags.throttle !== undefined) options.throttle = flags.throttle;
  if (flags.faults) options.faults = flags.faults;
  if (flags.limits !== undefined) options.limits = flags.limits;
  if (flags.tokenLifetime !== undefined) options.tokenLifetime = flags.tokenLifetime;
  if (flags.clientId !== undefined) options.clientId = clientCredential(flags.clientId, '--client-id', /[\s:]/);
  if (flags.clientSecret !== undefined) options.clientSecret = clientCredential(flags.clientSecret, '--client-secret', /\s/);
  if (flags.redirectUris !== undefined) options.redirectUris = redirectUris(flags.redirectUris);
  if (flags.keepEarlierLogins) options.keepEarlierLogins = true;
  if (flags.refreshTokenLifetime !== undefined) options.refreshTokenLifetime = flags.refreshTokenLifetime;

  const sandbox = await startSandbox(options);
  io.stdout.write(`INFUSIONSOFT_API_URL=${sandbox.apiUrl}\nINFUSIONSOFT_ACCESS_TOKEN=${sandbox.token}\n`);
  await new Promise<void>((resolve) => {
    // Both listeners go on the first signal, so an in-process run leaves none behind.
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sandbox.close();
}

/** A client id or secret that survives HTTP Basic (`id:secret`, so no colon in the id). */
function clientCredential(value: string, flag: string, forbidden: RegExp): string {
  if (value === '' || forbidden.test(value)) {
    const what = forbidden.source.includes(':') ? 'spaces or colons' : 'spaces';
    throw new UsageError(`${flag}: "${value}" must be non-empty, without ${what}`, {
      hint: 'HTTP Basic sends them as id:secret',
    });
  }
  return value;
}

/** `--redirect-uris`: absolute URLs, comma-separated, as registered for an app in Keap's developer portal. */
function redirectUris(list: string): string[] {
  const uris = list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const bad = uris.find((uri) => !URL.canParse(uri));
  if (bad !== undefined || uris.length === 0) {
    throw new UsageError(`--redirect-uris: ${bad === undefined ? 'no URI given' : `"${bad}" is not an absolute URL`}`, {
      hint: 'e.g. --redirect-uris http://127.0.0.1:8765/callback,https://example.com/keap/callback',
    });
  }
  return uris;
}
