/**
 * Typed errors. Each carries the exit code of DESIGN.md section 2, so `cli.ts` can map any error
 * to an exit status without knowing where it came from.
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  partial: 3,
  auth: 4,
  /** The reader of our output went away before it was complete (128 + SIGPIPE, as `cat` exits). */
  brokenPipe: 141,
} as const;

export class CliError extends Error {
  readonly exitCode: number = ExitCode.failure;
  /** What the user can do next, printed on its own line under the message. */
  hint?: string;
  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    if (options?.hint) this.hint = options.hint;
  }

  /**
   * Replaces the hint with one from a caller that knows more about what to do next (the export
   * engine knows what became of the output file), keeping the error as it is: its class, message,
   * exit code and details. Returns the error, to be thrown again.
   */
  withHint(hint: string): this {
    this.hint = hint;
    return this;
  }
}

/** The user's mistake: a bad flag, an unknown resource, a malformed file. Nothing was written to Keap. */
export class UsageError extends CliError {
  override readonly exitCode: number = ExitCode.usage;
}

/** What went wrong with a credential: there is none, Keap refused it (401), or it may not do this (403). */
export type AuthProblem = 'missing' | 'refused' | 'forbidden';

/**
 * Where a credential came from, as data (hints.ts picks the way out from it, never from a message):
 * a stored profile, an environment variable, or handed to the run some other way (the sandbox's token).
 */
export type CredentialOrigin =
  | { kind: 'profile'; name: string; storage: 'keychain' | 'file' }
  | { kind: 'environment'; variable: string }
  | { kind: 'given'; name: string };

export interface AuthErrorOptions {
  hint?: string;
  cause?: unknown;
  problem?: AuthProblem;
  /** The credential involved: where it came from (`INFUSIONSOFT_API_KEY`) and how it was sent. */
  credential?: { source: string; scheme: 'bearer' | 'api-key' };
  /** Where that credential came from, as data (`credential.source` is only its description). */
  credentialFrom?: CredentialOrigin;
}

/**
 * Credentials are missing, expired or refused. `api/` says what happened; the command layer
 * (`hints.ts`) says what to do about it, from `problem` and `credential`.
 */
export class AuthError extends CliError {
  override readonly exitCode: number = ExitCode.auth;
  readonly problem?: AuthProblem;
  readonly credential?: { source: string; scheme: 'bearer' | 'api-key' };
  readonly credentialFrom?: CredentialOrigin;
  constructor(message: string, options?: AuthErrorOptions) {
    super(message, options);
    if (options?.problem) this.problem = options.problem;
    if (options?.credential) this.credential = options.credential;
    if (options?.credentialFrom) this.credentialFrom = options.credentialFrom;
  }
}

/** Finished, but some rows failed; the error report says which. */
export class PartialFailureError extends CliError {
  override readonly exitCode: number = ExitCode.partial;
}

export interface ApiErrorDetails {
  status: number;
  /** Keap's own message, from `{message}`, `{fault:{faultstring}}`, `{error_description}` or an HTML title. */
  keapMessage: string;
  method: string;
  /** The request URL with credentials removed. */
  url: string;
  /** Keap's machine-readable code when it sent one (e.g. `keymanagement.service.invalid_access_token`). */
  code?: string;
}

/** The API answered with an error status (after any retries). */
export class ApiError extends CliError {
  readonly status: number;
  readonly keapMessage: string;
  readonly method: string;
  readonly url: string;
  readonly code?: string;
  constructor(details: ApiErrorDetails, options?: { hint?: string; cause?: unknown }) {
    super(`${details.method} ${details.url} failed: ${details.status} ${details.keapMessage}`, options);
    this.status = details.status;
    this.keapMessage = details.keapMessage;
    this.method = details.method;
    this.url = details.url;
    if (details.code) this.code = details.code;
  }
}

/** The API could not be reached at all (DNS, refused connection, timeouts after retries). */
export class NetworkError extends CliError {}

/**
 * The signals that stop a run, and the exit status each gives: 128 + the signal's number, as a shell
 * reports it. SIGHUP: the terminal or SSH session closed; SIGINT: Ctrl-C; SIGTERM: a kill from cron
 * or a supervisor.
 */
export const SIGNAL_EXIT_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

/** The run was stopped by a signal; outputs were discarded (or, written in place, left incomplete). */
/**
 * Our output's reader closed it early (`| head`, a consumer that died): what it got is incomplete.
 * Exit 141, as a shell reports a command killed by SIGPIPE, so `set -o pipefail` sees it.
 */
export class BrokenPipeError extends CliError {
  override readonly exitCode: number = ExitCode.brokenPipe;
}

export class InterruptedError extends CliError {
  override readonly exitCode: number;
  constructor(message: string, options?: { signal?: string; hint?: string; cause?: unknown }) {
    super(message, options);
    const signal = options?.signal;
    this.exitCode =
      signal !== undefined && signal in SIGNAL_EXIT_CODES ? SIGNAL_EXIT_CODES[signal as StopSignal] : SIGNAL_EXIT_CODES.SIGINT;
  }
}
