/**
 * A keychain double for the helper process that auth/keychain.ts starts (keychain-child.ts): it
 * speaks the same protocol, says `ready` as the real helper does once the library is loaded, then
 * constructs an entry whose constructor blocks its thread for ever, as @napi-rs/keyring's does on a
 * wedged D-Bus. Atomics.wait really blocks the thread: no timer, signal handler or stdin listener
 * runs here again, so only the CLI abandoning and killing this process ends it.
 *
 * WEDGED_KEYCHAIN_LOG, when set, names a file that gets one line per call (`PID OP`) just before
 * the block, so a test can check that the call reached the keychain and the process is gone after.
 */
import { appendFileSync, writeSync } from 'node:fs';

class WedgedEntry {
  constructor() {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  }
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  input += chunk;
  const end = input.indexOf('\n');
  if (end < 0) return;
  const request = JSON.parse(input.slice(0, end));
  // Written synchronously: this thread is about to block.
  writeSync(1, `${JSON.stringify({ ready: true })}\n`);
  if (process.env.WEDGED_KEYCHAIN_LOG) appendFileSync(process.env.WEDGED_KEYCHAIN_LOG, `${process.pid} ${request.op}\n`);
  new WedgedEntry();
  writeSync(1, `${JSON.stringify({ ok: false, error: 'the wedged keychain answered' })}\n`);
});
