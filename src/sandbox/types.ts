/** The embedded sandbox's public face, used by `infusionsoft sandbox`, `--sandbox` and tests. */
export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Seed for the generated data (default 1). Same seed, same data. */
  seed?: number;
  /** Record counts per resource name (`contacts`, `orders`, ...); unspecified ones use defaults. */
  counts?: Record<string, number>;
  /** Persist writes to this JSON file and load it at start. */
  dataFile?: string;
  /** Added to every response. */
  latencyMs?: number;
  /** Requests per second allowed before 429s (token bucket); 0 or undefined = unlimited. */
  throttle?: number;
  /**
   * Keap's several rate-limit windows at once: `pat` or `oauth`, optionally with overrides
   * (`pat,quota=100`). Not together with `throttle`. See docs/sandbox.md.
   */
  limits?: string;
  /** Fault injection, e.g. `500:0.05,429:0.02,reset:0.01,slow:0.01,truncate:0.01`. */
  faults?: string;
  /** Lifetime of issued access tokens, seconds (default 86400). */
  tokenLifetime?: number;
  /** The OAuth client the authorize and token endpoints accept (default `sandbox-client-id`). */
  clientId?: string;
  /** Its secret (default `sandbox-client-secret`). */
  clientSecret?: string;
  /** Redirect URIs registered for the app: authorize then takes only these, matched exactly. */
  redirectUris?: string[];
  /** A new authorisation leaves earlier logins' refresh tokens alive (by default it ends them). */
  keepEarlierLogins?: boolean;
  /** Seconds an issued refresh token lives (default: until used). */
  refreshTokenLifetime?: number;
  /** The clock (epoch ms) for token and code expiry and the rate limits; tests move it by hand. */
  now?: () => number;
  /** Write one request log line per request here (the `sandbox` command passes stderr). */
  log?: (line: string) => void;
}

export interface SandboxHandle {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** `http://127.0.0.1:PORT/crm/rest/v1` */
  apiUrl: string;
  /** An access token the sandbox accepts. */
  token: string;
  port: number;
  close(): Promise<void>;
}
