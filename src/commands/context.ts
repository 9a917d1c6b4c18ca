/**
 * What every command that talks to Keap needs: the global options, a reporter, and a client
 * pointed at Keap or at the embedded sandbox. Everything from the process (streams, environment)
 * comes from the command's `IO`; the client (undici), the sandbox and the credential lookup (auth/,
 * the keychain) are loaded only when a session is opened, so commands that never open one
 * (`resources`, `--help`) start fast.
 */
import type { Command } from 'commander';
import type { CredentialSource, KeapApi } from '../api/types.js';
import type { ProfileRef } from '../auth/resolver.js';
import { boundHeapGrowth } from '../heap.js';
import type { IO } from '../io.js';
import { createReporter, type Reporter } from '../reporter.js';

export interface GlobalOptions {
  apiUrl?: string;
  profile?: string;
  sandbox?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  progress?: boolean;
  /** Settled by cli.ts before a command runs (api/proxy.ts); here only for completeness. */
  proxy?: string;
  logFormat?: 'text' | 'json';
}

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/** The reporter for a command's global options, writing to the CLI's stderr. */
export function reporterFor(options: GlobalOptions, io: IO): Reporter {
  return createReporter({
    verbose: options.verbose ?? false,
    quiet: options.quiet ?? false,
    progress: options.progress ?? true,
    stream: io.stderr,
    env: io.env,
    format: options.logFormat ?? 'text',
    now: io.now,
  });
}

export interface Session {
  api: KeapApi;
  reporter: Reporter;
  /** Where the credential came from (`INFUSIONSOFT_API_KEY`, `sandbox`), or undefined without one. */
  credentialSource?: string;
  /**
   * Which account the run works on, as far as this machine knows: the stored profile's name, or
   * where the credential came from (`INFUSIONSOFT_API_KEY`, `sandbox`). Ties an import's journal to it.
   */
  account: string;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** Commands that can do useful work offline (describe) ask not to fail without a credential. */
  credentialOptional?: boolean;
  concurrency?: number;
}

/**
 * The credential a run would use, in the order auth/resolver.ts owns. `--sandbox` is not a
 * lookup: the sandbox hands out its own token when it starts.
 */
export async function resolveCredentialSource(env: NodeJS.ProcessEnv, profileFlag?: string): Promise<CredentialSource | undefined> {
  const { resolveCredential, selectProfile } = await import('../auth/resolver.js');
  return (await resolveCredential(await selectProfile(profileFlag, env)))?.source;
}

export async function openSession(command: Command, io: IO, options: SessionOptions = {}): Promise<Session> {
  // A session streams records: the heap stays near what a page needs (heap.ts).
  boundHeapGrowth();
  const globals = globalOptions(command);
  const reporter = reporterFor(globals, io);
  const { createClient } = await import('../api/client.js');
  if (globals.sandbox) {
    const { startSandbox } = await import('../sandbox/server.js');
    const sandbox = await startSandbox({});
    reporter.debug(`sandbox listening at ${sandbox.apiUrl}`);
    const { bearerTokenSource } = await import('../api/credentials.js');
    const credentials = bearerTokenSource(sandbox.token, 'sandbox');
    const api = createClient({ baseUrl: sandbox.apiUrl, credentials, reporter, concurrency: options.concurrency, direct: true });
    return {
      api,
      reporter,
      credentialSource: 'sandbox',
      account: 'sandbox',
      async close() {
        await api.close();
        await sandbox.close();
      },
    };
  }
  const { apiUrlFor, resolveCredential, selectProfile } = await import('../auth/resolver.js');
  const ref: ProfileRef = {
    ...(await selectProfile(globals.profile, io.env, (message) => reporter.warn(message))),
    log: (line) => reporter.debug(line),
    secrets: io.secrets,
  };
  const resolved = await resolveCredential(ref);
  const credentials = resolved?.source;
  const baseUrl = apiUrlFor(resolved, ref, globals.apiUrl);
  if (resolved?.environmentIgnored) {
    reporter.warn(`${resolved.environmentIgnored} is set but not used: profile "${ref.profileName}" was named, and a named profile wins`);
  }
  const api = createClient({ baseUrl, credentials, reporter, concurrency: options.concurrency });
  return {
    api,
    reporter,
    credentialSource: credentials?.describe(),
    account: resolved?.profile ? `profile ${ref.profileName}` : (credentials?.describe() ?? 'none'),
    async close() {
      const seen = api.stats().rateHeaders;
      await api.close();
      // Best effort: a run that worked does not fail because its quota could not be noted.
      if (resolved?.profile && seen) {
        const { rememberQuota } = await import('../auth/account.js');
        await rememberQuota(ref, seen, new Date(io.now()).toISOString()).catch(() => undefined);
      }
    },
  };
}

/** Opens a session, runs `work`, and always closes the session (sockets, in-process sandbox). */
export async function withSession<T>(
  command: Command,
  io: IO,
  work: (session: Session) => Promise<T>,
  options?: SessionOptions,
): Promise<T> {
  const session = await openSession(command, io, options);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}
