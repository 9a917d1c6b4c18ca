/**
 * What every command that talks to Keap needs: the global options, a reporter, and a client
 * pointed at Keap or at the embedded sandbox. Everything from the process (streams, environment)
 * comes from the command's `IO`; the client (undici) and the sandbox are loaded only when a
 * session is opened, so commands that never open one (`resources`, `--help`) start fast.
 */
import type { Command } from 'commander';
import { bearerTokenSource, credentialSourceFromEnv, resolveApiUrl } from '../api/credentials.js';
import type { CredentialSource, KeapApi } from '../api/types.js';
import type { IO } from '../io.js';
import { createReporter, type Reporter } from '../reporter.js';

export interface GlobalOptions {
  apiUrl?: string;
  sandbox?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  progress?: boolean;
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
  });
}

export interface Session {
  api: KeapApi;
  reporter: Reporter;
  /** Where the credential came from (`INFUSIONSOFT_API_KEY`, `sandbox`), or undefined without one. */
  credentialSource?: string;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** Commands that can do useful work offline (describe) ask not to fail without a credential. */
  credentialOptional?: boolean;
  concurrency?: number;
}

/**
 * The one place that decides which credential the client uses: the environment today
 * (INFUSIONSOFT_ACCESS_TOKEN, then INFUSIONSOFT_API_KEY), stored profiles once auth exists.
 * `--sandbox` is not a lookup: the sandbox hands out its own token when it starts.
 */
export async function resolveCredentialSource(env: NodeJS.ProcessEnv): Promise<CredentialSource | undefined> {
  return credentialSourceFromEnv(env);
}

export async function openSession(command: Command, io: IO, options: SessionOptions = {}): Promise<Session> {
  const globals = globalOptions(command);
  const reporter = reporterFor(globals, io);
  const { createClient } = await import('../api/client.js');
  if (globals.sandbox) {
    const { startSandbox } = await import('../sandbox/server.js');
    const sandbox = await startSandbox({});
    reporter.debug(`sandbox listening at ${sandbox.apiUrl}`);
    const credentials = bearerTokenSource(sandbox.token, 'sandbox');
    const api = createClient({ baseUrl: sandbox.apiUrl, credentials, reporter, concurrency: options.concurrency });
    return {
      api,
      reporter,
      credentialSource: 'sandbox',
      async close() {
        await api.close();
        await sandbox.close();
      },
    };
  }
  const baseUrl = resolveApiUrl(globals.apiUrl, io.env);
  const credentials = await resolveCredentialSource(io.env);
  const api = createClient({ baseUrl, credentials, reporter, concurrency: options.concurrency });
  return {
    api,
    reporter,
    credentialSource: credentials?.describe(),
    close: () => api.close(),
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
