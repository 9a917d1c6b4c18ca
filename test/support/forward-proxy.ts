/**
 * A real forwarding proxy for the proxy tests (issue 19, item 2), as a company's would be: it
 * tunnels CONNECT requests and forwards absolute-form ones (`GET http://host/path`), optionally
 * demands Basic credentials (407 otherwise), and keeps what it forwarded. The targets here are the
 * plain-HTTP sandbox, so it can read the request lines inside a tunnel too and count each request.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ForwardProxy {
  /** `http://127.0.0.1:PORT`, without credentials. */
  url: string;
  port: number;
  /** `host:port` of each CONNECT it tunnelled. */
  tunnels: string[];
  /** `METHOD /path` of each request it forwarded, in a tunnel or in absolute form. */
  requests: string[];
  /** Requests and CONNECTs it answered 407 (wrong or missing credentials). */
  refused: number;
  close(): Promise<void>;
}

const REQUEST_LINE = /(?:^|\r\n)(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\S+) HTTP\/1\.[01]\r\n/g;

export async function startForwardProxy(options: { user?: string; password?: string } = {}): Promise<ForwardProxy> {
  const sockets = new Set<Socket>();
  const expected =
    options.user !== undefined ? `Basic ${Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64')}` : undefined;
  const proxy: ForwardProxy = { url: '', port: 0, tunnels: [], requests: [], refused: 0, close: async () => undefined };
  const authorized = (req: IncomingMessage) => expected === undefined || req.headers['proxy-authorization'] === expected;

  const server: Server = createServer((req, res) => {
    if (!authorized(req)) {
      proxy.refused++;
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const target = new URL(req.url ?? '');
    proxy.requests.push(`${req.method} ${target.pathname}${target.search}`);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: `${target.pathname}${target.search}`, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (!authorized(req)) {
      proxy.refused++;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    proxy.tunnels.push(req.url ?? '');
    const upstream = connect(Number(port), host as string, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      let pending = '';
      const count = (chunk: Buffer) => {
        // A request line may be split across chunks: keep the unread tail for the next one.
        pending += chunk.toString('latin1');
        let end = 0;
        for (const match of pending.matchAll(REQUEST_LINE)) {
          proxy.requests.push(`${match[1]} ${match[2]}`);
          end = (match.index ?? 0) + match[0].length - 2;
        }
        pending = pending.slice(Math.max(end, pending.length - 4096));
      };
      if (head.length) {
        count(head);
        upstream.write(head);
      }
      client.on('data', count);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as AddressInfo).port;
  proxy.url = `http://127.0.0.1:${proxy.port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

/** A port nothing listens on: a proxy there makes every request through it fail. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
