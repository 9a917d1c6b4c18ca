/**
 * Secret Services for the keychain tests: a private, working one (gnome-keyring in its own D-Bus
 * session, test/e2e/keychain-session.sh), the same one wedged (its keyring stopped, the bus alive),
 * and a socket that accepts connections and never answers (a wedged bus).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot, tempDir } from './cli.js';

export interface Session {
  address: string;
  child: ChildProcess;
}

/** Starts the private Secret Service; resolves the reason instead when it cannot start. */
export function startSession(): Promise<{ session?: Session; problem?: string }> {
  const child = spawn('bash', [join(projectRoot, 'test', 'e2e', 'keychain-session.sh'), join(tempDir('infusionsoft-keyring-'), 'data')], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => {
    let address = '';
    const timer = setTimeout(() => {
      child.kill();
      resolve({ problem: `the D-Bus session did not start within 20 s: ${stderr}` });
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ problem: `the D-Bus session with gnome-keyring exited (${code}): ${stderr.trim()}` });
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('DBUS_SESSION_BUS_ADDRESS=')) address = line.slice('DBUS_SESSION_BUS_ADDRESS='.length);
      if (line === 'READY') {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ session: { address, child } });
      }
    });
  });
}

/**
 * The process that owns org.freedesktop.secrets on the bus (the keyring), asked of the bus itself;
 * the keyring may take a moment to claim the name after it started.
 */
export async function secretServicePid(address: string, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const asked = spawnSync(
      'dbus-send',
      [
        `--bus=${address}`,
        '--print-reply',
        '--dest=org.freedesktop.DBus',
        '/org/freedesktop/DBus',
        'org.freedesktop.DBus.GetConnectionUnixProcessID',
        'string:org.freedesktop.secrets',
      ],
      { encoding: 'utf8' },
    );
    const pid = /uint32 (\d+)/.exec(asked.stdout)?.[1];
    if (pid) return Number(pid);
    if (Date.now() > deadline) throw new Error(`no Secret Service on ${address}: ${asked.stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Watches the bus for calls to the Secret Service (dbus-monitor), to know a run is waiting on it. */
export function watchSecretServiceCalls(address: string): { seen(): number; stop(): void } {
  const monitor = spawn('dbus-monitor', [`--address`, address, "type='method_call',interface='org.freedesktop.Secret.Service'"], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let calls = 0;
  createInterface({ input: monitor.stdout! }).on('line', (line) => {
    if (line.startsWith('method call') && line.includes('org.freedesktop.Secret.Service')) calls += 1;
  });
  return { seen: () => calls, stop: () => monitor.kill() };
}

/** A unix socket that accepts every connection and never sends a byte: a wedged D-Bus daemon. */
export async function startSilentBus(): Promise<{ address: string; connections(): number; open(): number; close(): Promise<void> }> {
  const path = join(tempDir('infusionsoft-silent-bus-'), 'bus');
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    // Read and drop what the caller sends (its D-Bus handshake), so its going away is seen.
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    address: `unix:path=${path}`,
    connections: () => connections,
    open: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls `condition` every 25 ms until it holds, or fails after `timeoutMs` saying `what`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
