/** What a sandbox handler answers, and the small HTTP helpers the modules share. */
import type { IncomingMessage } from 'node:http';

export interface Reply {
  status: number;
  /** A JSON value, or a string sent as-is with `contentType`. */
  body?: unknown;
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A handled request: an answer (possibly cut off half-way), or a dropped connection. */
export type Outcome = { kind: 'reply'; reply: Reply; truncate?: boolean } | { kind: 'reset' };

export const reply = (value: Reply, truncate = false): Outcome => ({ kind: 'reply', reply: value, truncate });

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function html(status: number, page: string): Reply {
  return { status, raw: page, contentType: 'text/html; charset=utf-8' };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
