import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// DESIGN.md section 1: auth supplies the client's credential source; commands wire them together.
const src = join(import.meta.dirname, '..', '..', 'src');
function importsOf(folder: string): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const name of readdirSync(join(src, folder), { recursive: true }) as string[]) {
    if (!name.endsWith('.ts')) continue;
    const text = readFileSync(join(src, folder, name), 'utf8');
    for (const [, from] of text.matchAll(/from '([^']+)'/g)) found.push([name, from as string]);
  }
  return found;
}

describe('auth in the layers', () => {
  it('auth/ imports neither etl/ nor commands/', () => {
    expect(importsOf('auth').filter(([, from]) => /\.\.\/(etl|commands)\//.test(from))).toEqual([]);
  });
  it('api/ and sandbox/ never import auth/', () => {
    expect([...importsOf('api'), ...importsOf('sandbox')].filter(([, from]) => from.includes('/auth/'))).toEqual([]);
  });
  it('only api/ makes HTTP requests: auth/ has no undici, fetch or http client', () => {
    const clients = importsOf('auth').filter(([, from]) => from === 'undici' || from === 'node:https');
    expect(clients).toEqual([]);
    for (const name of readdirSync(join(src, 'auth'))) {
      expect(readFileSync(join(src, 'auth', name), 'utf8')).not.toMatch(/\bfetch\(|http\.request|https\.request/);
    }
  });
});
