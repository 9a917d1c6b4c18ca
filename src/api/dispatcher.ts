/**
 * The one factory of undici dispatchers: the API client's agent (`client.ts` `createAgent`) and the
 * token endpoint's (`oauth.ts`) both come from here, so every request of a run follows the same
 * proxy settings (`proxy.ts`). The settings are passed to EnvHttpProxyAgent explicitly, never left
 * for it to read from `process.env`: a run's environment is `io.env`.
 */
import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { proxySettings } from './proxy.js';

export interface DispatcherOptions {
  headersTimeout: number;
  bodyTimeout: number;
  connectTimeout: number;
  /** Never through a proxy: the in-process sandbox lives in this process. */
  direct?: boolean;
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const agentOptions = {
    headersTimeout: options.headersTimeout,
    bodyTimeout: options.bodyTimeout,
    connect: { timeout: options.connectTimeout },
  };
  const settings = proxySettings();
  if (options.direct || (!settings.httpProxy && !settings.httpsProxy)) return new Agent(agentOptions);
  // An empty string (not undefined) keeps EnvHttpProxyAgent from falling back to process.env.
  return new EnvHttpProxyAgent({
    ...agentOptions,
    httpProxy: settings.httpProxy,
    httpsProxy: settings.httpsProxy,
    noProxy: settings.noProxy,
  });
}
