/**
 * What every command that talks to Keap needs: the global options, a reporter, and a client
 * pointed at Keap or at the embedded sandbox.
 */
import type { Command } from 'commander';
import { createClient } from '../api/client.js';
import { bearerTokenSource, credentialSourceFromEnv, resolveApiUrl } from '../api/credentials.js';
import type { CredentialSource, KeapApi } from '../api/types.js';
import { createReporter, type Reporter } from '../reporter.js';
import { startSandbox } from '../sandbox/server.js';

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

export function reporterFor(options: GlobalOptions): Reporter {
  return createReporter({
    verbose: options.verbose ?? false,
    quiet: options.quiet ?? false,
    progress: options.progress ?? true,
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
export async function resolveCredentialSource(env: NodeJS.ProcessEnv = process.env): Promise<CredentialSource | undefined> {
  return credentialSourceFromEnv(env);
}

export async function openSession(command: Command, options: SessionOptions = {}): Promise<Session> {
  const globals = globalOptions(command);
  const reporter = reporterFor(globals);
  if (globals.sandbox) {
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
  const baseUrl = resolveApiUrl(globals.apiUrl, process.env);
  const credentials = await resolveCredentialSource(process.env);
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
  work: (session: Session) => Promise<T>,
  options?: SessionOptions,
): Promise<T> {
  const session = await openSession(command, options);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}
