/** `sandbox`: run the local Keap-compatible API until stopped (DESIGN.md section 5). */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { findResource } from '../catalog/index.js';
import type { IO } from '../io.js';
import type { SandboxOptions } from '../sandbox/types.js';
import { collect } from './collect.js';

interface SandboxFlags {
  port: string;
  seed: string;
  contacts?: string;
  count: string[];
  data?: string;
  latency?: string;
  throttle?: string;
  limits?: string;
  faults?: string;
  tokenLifetime?: string;
  clientId?: string;
  clientSecret?: string;
  redirectUris?: string;
  keepEarlierLogins?: boolean;
  refreshTokenLifetime?: string;
}

export function registerSandboxCommand(program: Command, io: IO): void {
  program
    .command('sandbox')
    .description('run a local Keap-compatible REST v1 API with demo data (no account needed)')
    .option('--port <n>', 'port on 127.0.0.1 (0 picks a free one)', '0')
    .option('--seed <n>', 'seed for the generated demo data', '1')
    .option('--contacts <n>', 'number of contacts to generate')
    .option('--count <resource=n>', 'number of records of another resource, e.g. orders=500 (repeatable)', collect, [])
    .option('--data <file>', 'keep writes in this JSON file across runs')
    .option('--latency <ms>', 'delay every response')
    .option('--throttle <n>', 'requests per second before answering 429')
    .option('--limits <preset>', "Keap's rate limits for a key (pat) or OAuth (oauth), all windows at once, e.g. pat or pat,quota=100")
    .option(
      '--faults <spec>',
      'inject faults, e.g. 503:0.05,429:0.02,reset:0.01,slow:0.01,truncate:0.01,gone:0.01 (also ignore-offset, stuck-next, drop-after-write, write-5xx)',
    )
    .option('--token-lifetime <seconds>', 'lifetime of issued access tokens')
    .option('--client-id <id>', 'the OAuth client id /app/oauth/authorize and /token accept', 'sandbox-client-id')
    .option('--client-secret <secret>', 'the OAuth client secret /token accepts', 'sandbox-client-secret')
    .option('--redirect-uris <list>', "the app's registered redirect URIs, comma-separated: authorize takes only these, matched exactly")
    .option('--keep-earlier-logins', 'a new authorisation of the app leaves earlier refresh tokens alive (by default it ends them)')
    .option('--refresh-token-lifetime <seconds>', 'refresh tokens die this long after they were issued')
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
  const contacts = parseWholeNumber(flags.contacts, '--contacts');
  if (contacts !== undefined) counts.contacts = contacts;
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
  const port = parseWholeNumber(flags.port, '--port') ?? 0;
  if (port > 65535) throw new UsageError(`--port: ${port} is not a port (0-65535; 0 picks a free one)`);
  const options: SandboxOptions = {
    port,
    seed: parseWholeNumber(flags.seed, '--seed') ?? 1,
    counts,
    log: (line) => io.stderr.write(`${line}\n`),
  };
  if (flags.data) options.dataFile = flags.data;
  const latency = parseWholeNumber(flags.latency, '--latency');
  if (latency !== undefined) options.latencyMs = latency;
  const throttle = parseWholeNumber(flags.throttle, '--throttle');
  if (throttle !== undefined) options.throttle = throttle;
  if (flags.faults) options.faults = flags.faults;
  if (flags.limits !== undefined) options.limits = flags.limits;
  const lifetime = parseWholeNumber(flags.tokenLifetime, '--token-lifetime');
  if (lifetime !== undefined) options.tokenLifetime = lifetime;
  if (flags.clientId !== undefined) options.clientId = clientCredential(flags.clientId, '--client-id', /[\s:]/);
  if (flags.clientSecret !== undefined) options.clientSecret = clientCredential(flags.clientSecret, '--client-secret', /\s/);
  if (flags.redirectUris !== undefined) options.redirectUris = redirectUris(flags.redirectUris);
  if (flags.keepEarlierLogins) options.keepEarlierLogins = true;
  const refreshLifetime = parseWholeNumber(flags.refreshTokenLifetime, '--refresh-token-lifetime');
  if (refreshLifetime !== undefined) options.refreshTokenLifetime = refreshLifetime;

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
