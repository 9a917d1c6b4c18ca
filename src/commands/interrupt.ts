/**
 * Stopping a long run on a signal: Ctrl-C (SIGINT), a kill from cron or a supervisor (SIGTERM), a
 * closed terminal or SSH session (SIGHUP). Each aborts one AbortSignal that every request, the
 * pacer and the engine listen on; the engine discards its temporary files and throws an
 * InterruptedError whose exit status is 128 + the signal's number. Shared by the commands that run
 * long (export now, import later).
 */
import { setMaxListeners } from 'node:events';
import { InterruptedError, SIGNAL_EXIT_CODES, type StopSignal } from '../errors.js';

const STOP_SIGNALS = Object.keys(SIGNAL_EXIT_CODES) as StopSignal[];

/**
 * Runs `work` with an AbortSignal that the stop signals abort. An error that ends the run after an
 * abort but is not already an InterruptedError (the engine was reading the model, or waiting out a
 * retry, when the signal came) becomes one with `earlyMessage`.
 */
export async function runInterruptible<T>(work: (signal: AbortSignal) => Promise<T>, earlyMessage: string): Promise<T> {
  const controller = new AbortController();
  // Every request in flight or waiting for the pacer listens on this one signal.
  setMaxListeners(0, controller.signal);
  const listeners = STOP_SIGNALS.map((name) => [name, () => controller.abort(name)] as const);
  // `on`, not `once`: ora's signal-exit re-raises a signal when it sees no other listener, and
  // a `once` listener is gone by the time it looks, which killed the process mid-cleanup.
  for (const [name, listener] of listeners) process.on(name, listener);
  try {
    return await work(controller.signal);
  } catch (error) {
    if (controller.signal.aborted && !(error instanceof InterruptedError)) {
      throw new InterruptedError(earlyMessage, { signal: String(controller.signal.reason), cause: error });
    }
    throw error;
  } finally {
    for (const [name, listener] of listeners) process.off(name, listener);
  }
}
